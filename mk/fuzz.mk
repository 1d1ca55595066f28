# mk/fuzz.mk — libFuzzer targets (clang, ASan + UBSan), `make fuzz`.
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="manifest connstr ..."]
# The library is rebuilt with clang into build/fuzz; each target runs for
# FUZZ_SECONDS on a corpus seeded from tests/fixtures, examples/ and
# tests/fuzz/seeds/, and a summary of executions and coverage is printed.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= manifest connstr policy rules admission compose probe
FUZZ_DIR := build/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: fuzz fuzz-build fuzz-lib
# Guard: the sub-make below builds the library with BUILD=$(FUZZ_DIR) and
# must not see these rules again.
ifneq ($(BUILD),$(FUZZ_DIR))
fuzz-lib:
	$(MAKE) --no-print-directory BUILD=$(FUZZ_DIR) CC=clang OPT=-O1 \
	  SANITIZE="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" $(FUZZ_DIR)/libpgadmit.a

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c fuzz-lib
	clang $(CPPFLAGS) -std=c11 -Wall -Wextra -Werror -g -O1 -fsanitize=fuzzer $(FUZZ_SAN) \
	  -o $@ $< $(FUZZ_DIR)/libpgadmit.a $(LDLIBS)

fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_TARGETS)
endif
