#!/usr/bin/env bash
# tests/e2e/build.sh — build the loopback control plane used by `make e2e`
# (kube-apiserver and kubectl from k8s.io/kubernetes, etcd from
# go.etcd.io/etcd/server/v3) from the pinned wrapper modules under
# tests/e2e/controlplane/, ONCE, into a cache folder outside the repository
# keyed by version. Later runs (and CI's fresh clone on the same machine) reuse
# the binaries and take well under a second.
#
#   PGADMIT_E2E_CACHE  cache root (default $HOME/.cache/pgadmit/e2e)
#   E2E_GO_P           go build -p (default 2: the machine has 2 cores)
#
# Prints the directory of each binary set on stdout as KEY=PATH lines:
#   K8S_BIN=.../k8s-v1.34.4   ETCD_BIN=.../etcd-v3.6.16
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${PGADMIT_E2E_CACHE:-$HOME/.cache/pgadmit/e2e}
gop=${E2E_GO_P:-2}

k8s_version=$(awk '$1=="require" && $2=="k8s.io/kubernetes" {print $3}' "$here/controlplane/kube/go.mod")
etcd_version=$(awk '$1=="require" && $2=="go.etcd.io/etcd/server/v3" {print $3}' "$here/controlplane/etcd/go.mod")
[ -n "$k8s_version" ] && [ -n "$etcd_version" ] || { echo "build.sh: cannot read pinned versions" >&2; exit 1; }

k8s_dir=$cache/k8s-$k8s_version
etcd_dir=$cache/etcd-$etcd_version

log() { echo "e2e-build: $*" >&2; }

build_k8s() {
    if [ -x "$k8s_dir/kube-apiserver" ] && [ -x "$k8s_dir/kubectl" ]; then return 0; fi
    command -v go >/dev/null || { log "go not found"; return 1; }
    local v=${k8s_version#v} major minor tmp t0
    major=${v%%.*}; minor=${v#*.}; minor=${minor%%.*}
    local date; date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    local ld="-s -w"
    local p
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        ld="$ld -X $p.gitVersion=$k8s_version -X $p.gitMajor=$major -X $p.gitMinor=$minor"
        ld="$ld -X $p.gitTreeState=clean -X $p.buildDate=$date"
    done
    tmp=$(mktemp -d "$cache/.k8s-build.XXXXXX")
    log "building kube-apiserver and kubectl $k8s_version (cold: about 5 minutes on 2 cores)"
    t0=$(date +%s)
    (cd "$here/controlplane/kube" && CGO_ENABLED=0 go build -mod=readonly -p "$gop" -trimpath \
        -ldflags "$ld" -o "$tmp/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl)
    log "k8s $k8s_version built in $(( $(date +%s) - t0 )) s"
    rm -rf "$k8s_dir"; mv "$tmp" "$k8s_dir"
}

build_etcd() {
    if [ -x "$etcd_dir/etcd" ]; then return 0; fi
    command -v go >/dev/null || { log "go not found"; return 1; }
    local tmp t0
    tmp=$(mktemp -d "$cache/.etcd-build.XXXXXX")
    log "building etcd $etcd_version"
    t0=$(date +%s)
    (cd "$here/controlplane/etcd" && CGO_ENABLED=0 go build -mod=readonly -p "$gop" -trimpath \
        -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3)
    log "etcd $etcd_version built in $(( $(date +%s) - t0 )) s"
    rm -rf "$etcd_dir"; mv "$tmp" "$etcd_dir"
}

mkdir -p "$cache"
# One builder at a time per cache (CI and a developer may start together).
exec 9>"$cache/.build.lock"
flock 9
build_etcd
build_k8s
echo "K8S_BIN=$k8s_dir"
echo "ETCD_BIN=$etcd_dir"
