# Docs area: the pages under docs/rules/ are generated from the rule catalog
# (src/core/rule_catalog.c) by the binary itself, so the docs, SARIF help and
# `pgadmit explain` cannot disagree. tests/integration/test_docs.sh fails when
# docs/rules/ is stale, a rule lacks a page, or a relative link is dead.
#   make docs-rules     regenerate docs/rules/ (commit the result)
#   make docs-check     the docs test alone
.PHONY: docs-rules docs-check

docs-rules: $(BIN)
	rm -rf docs/rules
	$(BIN) explain --write-docs docs/rules
	@echo "docs/rules/: $$(ls docs/rules | wc -l) files written"

docs-check: $(BIN)
	PGADMIT_BIN=$(abspath $(BIN)) UNIT_DIR=$(abspath $(BUILD))/no-unit-tests \
	TESTS='^test_docs$$' ./tests/run.sh
