#!/bin/bash
# What the Dockerfile's runtime stage gets: `make install DESTDIR=stage
# PREFIX=/usr` of the binary under test, then every library the staged binary
# loads (ldd) must belong (dpkg -S) to a package the runtime stage installs,
# or to one of their dependencies (the Depends closure apt would install),
# and the staged binary runs (--version). No Docker engine is needed.
source tests/integration/lib.sh
t_tmpdir
cd "$ROOT"
stage="$T/stage"

# Stage the binary under test; -o: never rebuild it here.
make -s -o "$PGADMIT" install BIN="$PGADMIT" DESTDIR="$stage" PREFIX=/usr >"$T/make.out" 2>&1
t_eq "make install DESTDIR=... PREFIX=/usr" 0 $?
t_check "staged /usr/bin/pgadmit is executable" test -x "$stage/usr/bin/pgadmit"
t_eq "staged tree holds only the binary" "usr/bin/pgadmit" "$(cd "$stage" && find . -type f | sed 's|^\./||')"
t_eq "staged binary mode 0755" 755 "$(stat -c %a "$stage/usr/bin/pgadmit")"
t_eq "staged pgadmit --version" "pgadmit $(cat VERSION)" "$("$stage/usr/bin/pgadmit" --version 2>&1)"

# The Dockerfile: the runtime package list (one marked line, the same list
# as the apt-get line below it), the non-root user, the entrypoint.
rt="$(sed -n 's/^# runtime-packages: //p' Dockerfile)"
t_check "Dockerfile names its runtime packages" test -n "$rt"
grep -q "^ *libyaml-0-2 .*ca-certificates" Dockerfile &&
	[ "$(grep -E '^ +libyaml-0-2 ' Dockerfile | tr -s ' ' | sed 's/^ //; s/ \\$//')" = "$rt" ] &&
	t_ok "runtime apt-get list equals the marked list" || t_fail "runtime apt-get list equals the marked list"
t_eq "runtime base debian:12-slim" "FROM debian:12-slim" "$(grep '^FROM' Dockerfile | tail -n 1)"
t_eq "build base debian:12" "FROM debian:12 AS build" "$(grep '^FROM' Dockerfile | head -n 1)"
grep -qx "USER 65532:65532" Dockerfile && t_ok "runs as 65532:65532" || t_fail "runs as 65532:65532"
grep -qx 'ENTRYPOINT \["/usr/bin/pgadmit"\]' Dockerfile && t_ok "exec-form entrypoint, no shell" || t_fail "exec-form entrypoint, no shell"
grep -q "make install DESTDIR=/out PREFIX=/usr" Dockerfile && t_ok "build stage uses make install" || t_fail "build stage uses make install"
grep -q "COPY --from=build /out/usr/bin/pgadmit /usr/bin/pgadmit" Dockerfile && t_ok "runtime copies the staged binary" || t_fail "runtime copies the staged binary"

# The Depends closure of the runtime packages (what apt installs with them)
# plus the slim base's essential libc6.
closure="$T/closure"
python3 - "$rt libc6" >"$closure" <<'EOF'
import subprocess, sys
todo = sys.argv[1].split()
seen = set()
while todo:
    p = todo.pop()
    if p in seen:
        continue
    seen.add(p)
    r = subprocess.run(["dpkg-query", "-W", "-f=${Depends}, ${Pre-Depends}", p],
                       capture_output=True, text=True)
    if r.returncode != 0:
        continue
    for dep in r.stdout.split(","):
        # take installed alternatives of "a | b", strip versions and :arch
        for alt in dep.split("|"):
            name = alt.strip().split(" ")[0].split(":")[0]
            if name:
                todo.append(name)
for p in sorted(seen):
    print(p)
EOF
for p in $rt; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" &&
		t_ok "runtime package $p exists in Debian 12 (installed here)" ||
		t_fail "runtime package $p exists in Debian 12 (installed here)" "not installed"
done

# Every library the staged binary loads comes from that closure.
ldd "$stage/usr/bin/pgadmit" >"$T/ldd" 2>&1
t_eq "ldd runs" 0 $?
grep -q "not found" "$T/ldd" && t_fail "no missing library" "$(grep 'not found' "$T/ldd")" || t_ok "no missing library"
nlib=0
bad=""
while read -r lib; do
	[ -n "$lib" ] || continue
	base="$(basename "$lib")"
	# The sanitizer runtime is only in the ASan test build, not in the image.
	if [ "${PGADMIT_SANITIZED:-0}" = 1 ] && [[ "$base" =~ ^lib(asan|ubsan|stdc\+\+|gcc_s)\. ]]; then
		continue
	fi
	pkg="$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | head -n 1 | cut -d: -f1)"
	[ -n "$pkg" ] || pkg="$(dpkg -S "$lib" 2>/dev/null | head -n 1 | cut -d: -f1)"
	nlib=$((nlib + 1))
	if [ -z "$pkg" ] || ! grep -qx "$pkg" "$closure"; then
		bad="$bad $base(${pkg:-no package})"
	fi
done < <(awk '/=>/ {print $3} /^\t\/.*ld-linux/ {print $1}' "$T/ldd")
[ -z "$bad" ] && t_ok "all $nlib loaded libraries come from the runtime packages" ||
	t_fail "all loaded libraries come from the runtime packages" "$bad"

# Every directly NEEDED library is from a package named in the list itself
# (not only a transitive dependency), so the list says what the binary uses.
direct_bad=""
for so in $(readelf -d "$stage/usr/bin/pgadmit" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p'); do
	[[ "$so" =~ ^lib(asan|ubsan)\. ]] && continue
	path="$(awk -v s="$so" '$1 == s {print $3}' "$T/ldd")"
	pkg="$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n 1 | cut -d: -f1)"
	[ -n "$pkg" ] || pkg="$(dpkg -S "$path" 2>/dev/null | head -n 1 | cut -d: -f1)"
	[ "$pkg" = libc6 ] && continue # essential: in every Debian base
	grep -qw -- "$pkg" <<<"$rt" || direct_bad="$direct_bad $so($pkg)"
done
[ -z "$direct_bad" ] && t_ok "every NEEDED library's package is in the runtime list" ||
	t_fail "every NEEDED library's package is in the runtime list" "$direct_bad"
t_finish
