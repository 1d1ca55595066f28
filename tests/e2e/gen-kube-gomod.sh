#!/usr/bin/env bash
# tests/e2e/gen-kube-gomod.sh VERSION — regenerate the replace block of
# tests/e2e/controlplane/kube/go.mod for k8s.io/kubernetes VERSION (e.g.
# v1.34.4): one `replace k8s.io/X => k8s.io/X v0.MINOR.PATCH` for every
# staging module the tag's go.mod requires at v0.0.0, then `go mod tidy`.
set -euo pipefail
v="${1:?usage: gen-kube-gomod.sh v1.X.Y}"
staging="v0.${v#v1.}"
dir="$(cd "$(dirname "$0")" && pwd)/controlplane/kube"
mod="$(go mod download -json "k8s.io/kubernetes@$v" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
[ -f "$mod" ] || { echo "gen-kube-gomod: no go.mod for k8s.io/kubernetes@$v" >&2; exit 1; }
{
	sed -n '1,/^module /p' "$dir/go.mod" | sed '$d'
	echo "module pgadmit.dev/e2e/controlplane/kube"
	echo
	echo "go $(awk '$1=="go"{print $2; exit}' "$mod")"
	echo
	awk '$1=="godebug"{print; exit}' "$mod"
	echo
	echo "require k8s.io/kubernetes $v"
	echo
	echo "replace ("
	awk '$2=="v0.0.0" && $1 ~ /^k8s\.io\// {print $1}' "$mod" | sort -u |
		while read -r m; do printf '\t%s => %s %s\n' "$m" "$m" "$staging"; done
	echo ")"
} >"$dir/go.mod.new"
mv "$dir/go.mod.new" "$dir/go.mod"
(cd "$dir" && go mod tidy)
echo "gen-kube-gomod: $(grep -c '=>' "$dir/go.mod") staging replaces for $v" >&2
