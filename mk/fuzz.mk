# mk/fuzz.mk — libFuzzer targets (clang, ASan + UBSan), `make fuzz`.
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="manifest connstr ..."]
#   make fuzz-long [FUZZ_SECONDS=1800]   then merge new coverage back
# The library is rebuilt with clang into build/fuzz; each target runs for
# FUZZ_SECONDS starting from its corpus in tests/fuzz/corpus/ (kept in the
# repository, minimised) plus seeds from tests/fixtures, examples/ and
# tests/fuzz/seeds/, with its dictionary from tests/fuzz/dict/. fuzz-long
# merges what the run found back into tests/fuzz/corpus/ and adds the run to
# tests/fuzz/totals.tsv (running totals per target; see docs/hardening.md).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= manifest connstr redact policy policy_reload rules admission \
	compose probe kubelist hba
FUZZ_DIR := build/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# Functions whose work never depends on the input get no coverage callbacks
# (still under ASan/UBSan); see the file.
FUZZ_COV_IGNORE := tests/fuzz/coverage-ignore.txt

.PHONY: fuzz fuzz-long fuzz-build fuzz-lib
# Guard: the sub-make below builds the library with BUILD=$(FUZZ_DIR) and
# must not see these rules again.
ifneq ($(BUILD),$(FUZZ_DIR))
fuzz-lib:
	$(MAKE) --no-print-directory BUILD=$(FUZZ_DIR) CC=clang OPT=-O1 \
	  SANITIZE="-fsanitize=fuzzer-no-link $(FUZZ_SAN) \
	  -fsanitize-coverage-ignorelist=$(CURDIR)/$(FUZZ_COV_IGNORE)" \
	  $(FUZZ_DIR)/libpgadmit.a

# The redaction property's generator is shared with its unit test.
$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/unit/support_redact.c fuzz-lib
	clang $(CPPFLAGS) -Itests/unit -std=c11 -Wall -Wextra -Werror -g -O1 -fsanitize=fuzzer $(FUZZ_SAN) \
	  -o $@ $< tests/unit/support_redact.c $(FUZZ_DIR)/libpgadmit.a $(LDLIBS)

fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_TARGETS)

fuzz-long: fuzz-build
	FUZZ_MERGE=1 FUZZ_SECONDS=$(FUZZ_SECONDS) ./tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_TARGETS)
else
# In the sub-make: the ignore list changes how these objects are built.
$(FUZZ_DIR)/src/core/rule_doc.o $(FUZZ_DIR)/src/base/strbuf.o: $(FUZZ_COV_IGNORE)
endif
