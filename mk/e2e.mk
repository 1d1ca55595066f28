# End-to-end tests against a real Kubernetes API server on loopback
# (tests/e2e/, docs/e2e.md).
#   make e2e-build   build kube-apiserver, kubectl (v1.34.4) and etcd (v3.6.16)
#                    once into $(E2E_CACHE) (cold: about 5 min on 2 cores)
#   make e2e         the scenarios; prints "e2e: N passed, N failed, N skipped"
#   make bench-e2e   admission latency as kube-apiserver measures it, and the
#                    share of admission calls reaching pgadmit (figures only)
# The binaries live outside the repository, keyed by version, so a fresh
# clone on the same machine (CI) reuses them.
E2E_CACHE ?= $(HOME)/.cache/pgadmit/e2e
TOOLS ?= build/tools
E2E_HELM := $(TOOLS)/helm

.PHONY: e2e e2e-build bench-e2e

e2e-build:
	PGADMIT_E2E_CACHE=$(E2E_CACHE) ./tests/e2e/build.sh

e2e: $(BIN) $(E2E_HELM)
	PGADMIT_E2E_CACHE=$(E2E_CACHE) PGADMIT_BIN=$(abspath $(BIN)) HELM=$(abspath $(E2E_HELM)) \
	./tests/e2e/run.sh

bench-e2e: $(BIN) $(E2E_HELM)
	PGADMIT_E2E_CACHE=$(E2E_CACHE) PGADMIT_BIN=$(abspath $(BIN)) HELM=$(abspath $(E2E_HELM)) \
	./tests/e2e/bench.sh
