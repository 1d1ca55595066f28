# `pgadmit audit` (docs/audit.md). Its scenario runs inside `make e2e`
# (tests/e2e/audit.sh); this is its benchmark.
#   make bench-audit   10,000 objects in 100 namespaces through a real
#                      kube-apiserver: wall time, API requests, peak RSS
.PHONY: bench-audit
bench-audit: $(BIN)
	PGADMIT_E2E_CACHE=$(E2E_CACHE) PGADMIT_BIN=$(abspath $(BIN)) ./tests/e2e/audit-bench.sh
