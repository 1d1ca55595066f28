# Install area: Helm chart, plain manifests, container image staging.
#   make helm           fetch Helm 4 + the chart test node packages (build/tools)
#   make chart-test     lint, render, validate and assert the chart; deploy/ fresh
#   make deploy         re-render deploy/ from charts/pgadmit
#   make deploy-check   fail when deploy/ differs from a fresh render
#   make install-test   stage `make install`, check its libraries against the
#                       Dockerfile's runtime packages, run the staged binary
# Tools are shared by every BUILD dir: build/tools, never committed.
TOOLS ?= build/tools
HELM  := $(TOOLS)/helm

.PHONY: helm chart-test deploy deploy-check install-test

helm: $(HELM)
$(HELM):
	./scripts/get-helm $(TOOLS) >/dev/null

chart-test: $(HELM) $(BIN)
	PGADMIT_TOOLS=$(abspath $(TOOLS)) PGADMIT_BIN=$(abspath $(BIN)) \
	UNIT_DIR=$(abspath $(BUILD))/no-unit-tests TESTS='^test_install_chart$$' ./tests/run.sh

deploy: $(HELM)
	./tests/chart/render-deploy.sh $(HELM) deploy

deploy-check: $(HELM)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	./tests/chart/render-deploy.sh $(HELM) "$$tmp" && \
	if diff -ru deploy "$$tmp"; then echo "deploy/ is up to date"; \
	else echo "deploy/ is stale: run make deploy and commit it" >&2; exit 1; fi

install-test: $(BIN)
	PGADMIT_BIN=$(abspath $(BIN)) UNIT_DIR=$(abspath $(BUILD))/no-unit-tests \
	TESTS='^test_install_staged$$' ./tests/run.sh
