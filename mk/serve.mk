# pgadmit serve: benchmark (prints figures; not part of make test).
#   make bench-serve [BENCH_SECONDS=10] [BENCH_CONNECTIONS=32]
# Runs pgadmit (rules on, rules off), the bare libmicrohttpd + GnuTLS +
# jansson server (bench/serve/bare_server.c: the ceiling for a webhook that
# parses with jansson) and nginx (fixed answer) in one run, then the
# largest legal reviews (docs/memory.md): served latency and the
# in-process split between parse and rules.
BENCH_SECONDS ?= 10
BENCH_CONNECTIONS ?= 32
BARE := $(BUILD)/bench/bare_server
.PHONY: bench-serve
$(BARE): bench/serve/bare_server.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(LDLIBS)
bench-serve: $(BIN) $(BARE) $(BUILD)/bench/handle_bench
	BARE_SERVER=$(BARE) HANDLE_BENCH=$(BUILD)/bench/handle_bench \
	  bench/serve/run.sh $(BIN) $(BENCH_SECONDS) $(BENCH_CONNECTIONS)
bench: bench-serve

# In-process cost of one review (no network): rules on, off, parse only.
.PHONY: bench-handle
$(BUILD)/bench/handle_bench: bench/serve/handle_bench.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS)
bench-handle: $(BUILD)/bench/handle_bench
	$(BUILD)/bench/handle_bench bench/serve/pod-review.json
	$(BUILD)/bench/handle_bench bench/serve/deployment-review.json
bench: bench-handle
