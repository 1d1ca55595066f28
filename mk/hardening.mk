# mk/hardening.mk — hardening runs that print figures; neither is part of
# make test nor of CI (time).
#   make valgrind [PGADMIT_SLOW=10] [TESTS=regex]
#       check, serve and probe integration tests with pgadmit under valgrind
#       memcheck; any memcheck error fails (tests/valgrind/run.sh)
#   make soak [SOAK_SECONDS=300] [SOAK_CONNECTIONS=64]
#       wrk over TLS against pgadmit serve with a mix of reviews, RSS and
#       fds sampled every second (bench/soak/run.sh)
SOAK_SECONDS ?= 300
SOAK_CONNECTIONS ?= 64
.PHONY: valgrind soak
valgrind: $(BIN)
	./tests/valgrind/run.sh $(BIN) $(BUILD)/valgrind

soak: $(BIN)
	bench/soak/run.sh $(BIN) $(SOAK_SECONDS) $(SOAK_CONNECTIONS)
