# mk/probe.mk — `pgadmit probe` demo and benchmark (issue: probe).
#   make demo-probe     start a throwaway PostgreSQL with findings, probe it
#   make bench-probe    probe cost on 1,000 and 10,000 tables (prints figures)
#                       [BENCH_PROBE_SIZES="1000 10000"]
BENCH_PROBE_SIZES ?= 1000 10000
.PHONY: demo-probe bench-probe
demo-probe: $(BIN)
	./scripts/demo-probe $(BIN)

bench-probe: $(BIN)
	./bench/probe/run.sh $(BIN) $(BENCH_PROBE_SIZES)
bench: bench-probe
