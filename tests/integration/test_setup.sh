# Set-up that works the first time (issue 11): the Makefile asks pkg-config
# only when a recipe needs the flags (after `make demo`/`make test` ran
# scripts/deps), and a missing module stops the build naming its Debian
# package. A pkg-config stand-in first on PATH logs its calls and hides
# modules; make runs with -n (nothing is built) into a scratch BUILD.
# scripts/fresh-check itself (it uninstalls packages) runs from .ci/run.
source "$(dirname "$0")/lib.sh"
t_tmpdir
real_pc="$(command -v pkg-config || echo /usr/bin/pkg-config)"
mkdir -p "$T/bin"
cat >"$T/bin/pkg-config" <<EOF
#!/bin/sh
echo "\$*" >>"$T/pc.log"
for m in \$HIDE; do
	case " \$* " in *--exists*" \$m "*) exit 1 ;; esac
done
exec "$real_pc" "\$@"
EOF
chmod +x "$T/bin/pkg-config"
mk() { PATH="$T/bin:$PATH" make --no-print-directory -C "$ROOT" BUILD="$T/build" "$@"; }

: >"$T/pc.log"
mk -n clean >/dev/null 2>&1
t_eq "make clean: exit 0" 0 $?
[ ! -s "$T/pc.log" ] && t_ok "parsing the Makefile runs no pkg-config" ||
	t_fail "parsing the Makefile runs no pkg-config" "$(head -3 "$T/pc.log")"

HIDE="libpq" mk -n all >"$T/nolibpq.out" 2>&1
rc=$?
[ $rc -ne 0 ] && t_ok "missing libpq: the build stops" || t_fail "missing libpq: the build stops" "exit $rc"
grep -q "pkg-config module(s) not found: libpq; install the Debian package(s) libpq-dev" "$T/nolibpq.out" &&
	t_ok "missing libpq: message names libpq-dev" ||
	t_fail "missing libpq: message names libpq-dev" "$(tail -2 "$T/nolibpq.out")"
grep -q "cc .*-c " "$T/nolibpq.out" && t_fail "missing libpq: nothing compiled" "$(grep -m1 'cc ' "$T/nolibpq.out")" ||
	t_ok "missing libpq: nothing compiled"

HIDE="yaml-0.1 libcurl" mk -n all >"$T/two.out" 2>&1
grep -q "not found: yaml-0.1 libcurl; install the Debian package(s) libyaml-dev libcurl4-openssl-dev" "$T/two.out" &&
	t_ok "two modules missing: both packages named" ||
	t_fail "two modules missing: both packages named" "$(tail -2 "$T/two.out")"

HIDE="cunit" mk -n "$T/build/tests/test_core" >"$T/cunit.out" 2>&1
grep -q "install the Debian package(s) libcunit1-dev" "$T/cunit.out" &&
	t_ok "missing CUnit: message names libcunit1-dev" ||
	t_fail "missing CUnit: message names libcunit1-dev" "$(tail -2 "$T/cunit.out")"

: >"$T/pc.log"
mk -n all >"$T/ok.out" 2>&1
t_eq "all modules present: make -n all exits 0" 0 $?
grep -q -- "-I/usr/include/postgresql" "$T/ok.out" &&
	t_ok "flags resolved: libpq's include dir on the compile line" ||
	t_fail "flags resolved" "$(grep -m1 'cc ' "$T/ok.out")"
n=$(grep -c -- "--cflags" "$T/pc.log")
t_eq "pkg-config --cflags asked once per make" 1 "$n"

# make demo runs scripts/deps before it builds (not side by side with -j).
mk -n -j2 demo >"$T/demo.out" 2>&1
awk '/scripts\/deps/ && !d { d = NR } /-c src\/.*\.c/ && !c { c = NR }
     END { exit !(d && c && d < c) }' "$T/demo.out" &&
	t_ok "make demo: scripts/deps before the first compile" ||
	t_fail "make demo: scripts/deps before the first compile" "$(head -5 "$T/demo.out")"

# fresh-check removes only what scripts/deps installs.
bad=""
for p in $(sed -n '/^FRESH_PKGS="/,/"$/p' "$ROOT/scripts/fresh-check" | tr -d '"' | sed 's/^FRESH_PKGS=//'); do
	[ "$p" = postgresql-15 ] && continue # the server that `postgresql` pulls in
	grep -qw -- "$p" "$ROOT/scripts/deps" || bad="$bad $p"
done
[ -z "$bad" ] && t_ok "fresh-check removes only packages of scripts/deps" ||
	t_fail "fresh-check removes only packages of scripts/deps" "$bad"
for keep in gcc make python3 npm curl openssl build-essential; do
	sed -n '/^FRESH_PKGS="/,/"$/p' "$ROOT/scripts/fresh-check" | tr -d '"' |
		sed 's/^FRESH_PKGS=//' | tr ' ' '\n' | grep -qx -- "$keep" && bad="$bad $keep"
done
[ -z "$bad" ] && t_ok "fresh-check keeps what a new machine ships" ||
	t_fail "fresh-check keeps what a new machine ships" "$bad"
t_finish
