# pgadmit — one Makefile, pkg-config for every library, out-of-tree objects.
#   make            build build/pgadmit
#   make test       deps, build, unit + integration tests
#   make asan       the same tests under AddressSanitizer + UBSan (build/asan)
#   make demo       run pgadmit check (and probe) on examples/
#   make bench      benchmarks that print figures
#   make install    PREFIX=/usr/local DESTDIR=
# Area-specific targets live in mk/*.mk (serve, probe, install, fuzz).

CC      ?= cc
BUILD   ?= build
PREFIX  ?= /usr/local
DESTDIR ?=
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

PKGS      := yaml-0.1 jansson libmicrohttpd gnutls libpq openssl libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CUNIT_LIBS := $(shell pkg-config --libs cunit 2>/dev/null || echo -lcunit)

OPT      ?= -O2
SANITIZE ?=
CFLAGS   ?=
WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
CPPFLAGS := -Iinclude -D_GNU_SOURCE -DPGADMIT_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
ALL_CFLAGS = -std=c11 $(WARN) $(OPT) -g -MMD -MP $(SANITIZE) $(CFLAGS)
LDLIBS   := $(PKG_LIBS) -lpthread -lm

SRC      := $(sort $(wildcard src/*/*.c))
CMD_SRC  := $(sort $(wildcard cmd/pgadmit/*.c))
OBJ      := $(SRC:%.c=$(BUILD)/%.o)
CMD_OBJ  := $(CMD_SRC:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libpgadmit.a
BIN      := $(BUILD)/pgadmit

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TEST_SUPPORT_SRC := $(sort $(wildcard tests/unit/support_*.c))
TEST_SUPPORT_OBJ := $(TEST_SUPPORT_SRC:%.c=$(BUILD)/%.o)

.PHONY: all test unit integration asan demo bench install clean format format-check deps
all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BIN): $(CMD_OBJ) $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $(CMD_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(TEST_SUPPORT_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(TEST_SUPPORT_OBJ) $(LIB) $(CUNIT_LIBS) $(LDLIBS)

deps:
	./scripts/deps

# The test runner runs every unit binary and every integration script and
# prints one closing line "tests: N passed, N failed".
test: deps
	$(MAKE) $(BIN) $(UNIT_BIN)
	PGADMIT_BIN=$(abspath $(BIN)) UNIT_DIR=$(abspath $(BUILD)/tests) ./tests/run.sh

unit: $(UNIT_BIN)
	PGADMIT_BIN=$(abspath $(BIN)) UNIT_DIR=$(abspath $(BUILD)/tests) ./tests/run.sh --unit-only

asan: deps
	$(MAKE) BUILD=build/asan OPT=-O1 \
	  SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  build/asan/pgadmit $(UNIT_BIN:$(BUILD)/%=build/asan/%)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	PGADMIT_SANITIZED=1 PGADMIT_BIN=$(abspath build/asan/pgadmit) \
	UNIT_DIR=$(abspath build/asan/tests) ./tests/run.sh

demo: deps $(BIN)
	./scripts/demo $(BIN)

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/pgadmit

clean:
	rm -rf $(BUILD)

format:
	clang-format -i $(SRC) $(CMD_SRC) $(wildcard include/pgadmit/*.h) $(wildcard tests/unit/*.[ch])

format-check:
	clang-format --dry-run -Werror $(SRC) $(CMD_SRC) $(wildcard include/pgadmit/*.h)

-include $(wildcard mk/*.mk)
-include $(OBJ:.o=.d) $(CMD_OBJ:.o=.d) $(UNIT_BIN:$(BUILD)/tests/%=$(BUILD)/tests/unit/%.d)
