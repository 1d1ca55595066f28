# mk/peers.mk — `make bench-peers`: `pgadmit check` beside kube-score,
# gator, Checkov (and Polaris, kube-linter where they can be installed) on
# examples/*.yaml and the 4 MB bundle of bench-check. Figures, not asserts.
# The peers are installed by scripts/get-peers at pinned versions into
# $(PEERS_CACHE), outside the repository.
PEERS_CACHE ?= $(or $(PGADMIT_PEERS_CACHE),$(HOME)/.cache/pgadmit/peers)
.PHONY: bench-peers
bench-peers: $(BIN)
	PGADMIT_PEERS_CACHE=$(PEERS_CACHE) scripts/get-peers
	python3 -u bench/peers/run.py $(BIN) $(BUILD)/bench $(PEERS_CACHE)
