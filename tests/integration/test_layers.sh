# scripts/check-layers: the tree's layers are one-way, and the check fails
# on an include that runs up (a copy of the tree with one planted).
source "$(dirname "$0")/lib.sh"
t_tmpdir
out="$("$ROOT/scripts/check-layers" 2>&1)"
t_eq "the tree's layers are one-way" 0 $?
echo "$out" | grep -q 'layers one-way' && t_ok "check-layers says so" || t_fail "check-layers says so" "$out"

copy="$T/tree"
mkdir -p "$copy/scripts"
cp -r "$ROOT/src" "$ROOT/cmd" "$ROOT/include" "$copy/"
cp "$ROOT/scripts/check-layers" "$copy/scripts/"
f="$copy/src/manifest/yaml_load.c"
sed -i '0,/#include "pgadmit\/manifest.h"/s//#include "pgadmit\/manifest.h"\n#include "pgadmit\/policy.h"/' "$f"
out="$("$copy/scripts/check-layers" 2>&1)"
t_eq "manifest including policy.h fails the check" 1 $?
echo "$out" | grep -q "manifest (layer 1) uses policy (layer 2) through pgadmit/policy.h" &&
	t_ok "the failure names file, modules and header" || t_fail "the failure names file, modules and header" "$out"
echo '#include "pgadmit/nosuch.h"' >>"$f"
"$copy/scripts/check-layers" 2>&1 | grep -q 'nosuch.h belongs to no module' &&
	t_ok "an unknown header is an error" || t_fail "an unknown header is an error" ""
t_finish
