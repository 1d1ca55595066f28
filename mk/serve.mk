# pgadmit serve: benchmark (prints figures; not part of make test).
#   make bench-serve [BENCH_SECONDS=10] [BENCH_CONNECTIONS=32]
BENCH_SECONDS ?= 10
BENCH_CONNECTIONS ?= 32
.PHONY: bench-serve
bench-serve: $(BIN)
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
