# mk/probe.mk — `pgadmit probe` demo and benchmark (issue: probe).
#   make demo-probe     start a throwaway PostgreSQL with findings, probe it
#   make bench-probe    probe cost on 1,000 and 10,000 tables (prints figures)
#                       [BENCH_PROBE_SIZES="1000 10000"]
#   both take PGADMIT_PG_MAJOR=13..18 (a server fetched by
#   scripts/get-postgres; default Debian's)
#   make get-postgres   fetch the servers of the probe test matrix into
#                       ${PGADMIT_PG_CACHE:-~/.cache/pgadmit/pg}
#                       [PGADMIT_PG_MAJORS="13 14 15 16 17 18"]
BENCH_PROBE_SIZES ?= 1000 10000
.PHONY: demo-probe bench-probe get-postgres
get-postgres:
	./scripts/get-postgres

demo-probe: $(BIN)
	./scripts/demo-probe $(BIN)

bench-probe: $(BIN)
	./bench/probe/run.sh $(BIN) $(BENCH_PROBE_SIZES)
bench: bench-probe
