# tests/lib/kube.sh — Kubernetes helpers the shell tests share (tests/e2e:
# cluster.sh, audit.sh, operators.sh, run.sh, audit-bench.sh).
#
#   kube_kubeconfig FILE SERVER CA_FILE files CRT KEY
#   kube_kubeconfig FILE SERVER CA_FILE data CRT KEY
#   kube_kubeconfig FILE SERVER CA_FILE token TOKEN
#       a kubeconfig with one cluster, user and context (current): "files"
#       names the CA and client certificate/key by path, "data" and "token"
#       carry the CA inline (certificate-authority-data) and the client
#       certificate/key inline or a bearer token
#   go_module_dir MODULE@VERSION [WORKDIR]
#       the directory of a Go module fetched through the module proxy
#       (`go mod download`), empty when it is not served; WORKDIR (default
#       $W) is where go runs (no go.mod needed)

kube_kubeconfig() {
	local f="$1" server="$2" ca="$3" mode="$4" cluster user
	case "$mode" in
	files)
		cluster="certificate-authority: $ca"
		user="client-certificate: $5
      client-key: $6"
		;;
	data)
		cluster="certificate-authority-data: $(base64 -w0 <"$ca")"
		user="client-certificate-data: $(base64 -w0 <"$5")
      client-key-data: $(base64 -w0 <"$6")"
		;;
	token)
		cluster="certificate-authority-data: $(base64 -w0 <"$ca")"
		user="token: $5"
		;;
	*)
		echo "kube_kubeconfig: unknown mode '$mode'" >&2
		return 1
		;;
	esac
	cat >"$f" <<EOK
apiVersion: v1
kind: Config
clusters:
  - name: e2e
    cluster:
      server: $server
      $cluster
users:
  - name: e2e-admin
    user:
      $user
contexts:
  - name: e2e
    context: {cluster: e2e, user: e2e-admin}
current-context: e2e
EOK
}

go_module_dir() {
	(cd "${2:-$W}" && GOFLAGS=-mod=mod go mod download -json "$1" 2>/dev/null | jq -r '.Dir // empty')
}
