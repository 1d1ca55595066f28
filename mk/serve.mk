# pgadmit serve: benchmark (prints figures; not part of make test).
#   make bench-serve [BENCH_SECONDS=10] [BENCH_CONNECTIONS=32]
BENCH_SECONDS ?= 10
BENCH_CONNECTIONS ?= 32
.PHONY: bench-serve
bench-serve: $(BIN)
	bench/serve/run.sh $(BIN) $(BENCH_SECONDS) $(BENCH_CONNECTIONS)
bench: bench-serve
