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

# Library flags come from pkg-config. They are looked up the first time a
# recipe needs them, never while the Makefile is parsed: `make demo` and
# `make test` install the packages (scripts/deps) before they build, and a
# module that is still missing stops the build naming its Debian package.
PKGS      := yaml-0.1 jansson libmicrohttpd gnutls libpq openssl libcurl
PKG_DEBS  := yaml-0.1=libyaml-dev jansson=libjansson-dev \
	     libmicrohttpd=libmicrohttpd-dev gnutls=libgnutls28-dev \
	     libpq=libpq-dev openssl=libssl-dev libcurl=libcurl4-openssl-dev \
	     cunit=libcunit1-dev
pkg_deb     = $(patsubst $(1)=%,%,$(filter $(1)=%,$(PKG_DEBS)))
pkg_missing = $(strip $(foreach m,$(1),$(if $(shell pkg-config --exists $(m) 2>/dev/null && echo y),,$(m))))
# $(call pkg_need,MODULES): expands to nothing, or stops make with the
# Debian packages to install.
pkg_need = $(if $(shell command -v pkg-config 2>/dev/null),,$(error pkg-config not found: install the Debian package pkg-config (./scripts/deps installs every build package)))$(if $(call pkg_missing,$(1)),$(error pkg-config module(s) not found: $(call pkg_missing,$(1)); install the Debian package(s) $(foreach m,$(call pkg_missing,$(1)),$(call pkg_deb,$(m))) (./scripts/deps installs every build package)))
# Evaluated once, on first use (the $(eval) replaces the variable).
PKG_CFLAGS = $(eval PKG_CFLAGS := $(call pkg_need,$(PKGS))$(shell pkg-config --cflags $(PKGS)))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $(call pkg_need,$(PKGS))$(shell pkg-config --libs $(PKGS)))$(PKG_LIBS)
CUNIT_LIBS = $(eval CUNIT_LIBS := $(call pkg_need,cunit)$(shell pkg-config --libs cunit))$(CUNIT_LIBS)

OPT      ?= -O2
SANITIZE ?=
CFLAGS   ?=
WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
CPPFLAGS  = -Iinclude -D_GNU_SOURCE -DPGADMIT_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
ALL_CFLAGS = -std=c11 $(WARN) $(OPT) -g -MMD -MP $(SANITIZE) $(CFLAGS)
LDLIBS    = $(PKG_LIBS) -lpthread -lm

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

# deps first, then a new make: the build must not start before the
# packages are there (with -j, prerequisites would run side by side).
demo: deps
	$(MAKE) --no-print-directory $(BIN)
	./scripts/demo $(BIN)

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/pgadmit

clean:
	rm -rf $(BUILD)

# format, format-check: mk/format.mk

-include $(wildcard mk/*.mk)
-include $(OBJ:.o=.d) $(CMD_OBJ:.o=.d) $(UNIT_BIN:$(BUILD)/tests/%=$(BUILD)/tests/unit/%.d)
