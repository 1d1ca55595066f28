# tests/e2e/cluster.sh — a Kubernetes control plane on loopback, the way
# controller-runtime's envtest runs one: etcd and kube-apiserver, no kubelet,
# no controller-manager, no scheduler, no containers. Sourced by
# tests/e2e/run.sh and tests/e2e/bench.sh.
#
#   cluster_start DIR    fresh etcd data dir, certificates, kube-apiserver;
#                        waits for /readyz; sets KUBECONFIG, API_URL, API_PORT,
#                        CP_DIR (DIR) and exports KUBECONFIG
#   cluster_stop         stops what cluster_start started (idempotent)
#   free_port            prints a free TCP port on 127.0.0.1
#
# Needs K8S_BIN and ETCD_BIN (tests/e2e/build.sh prints them). Everything
# listens on 127.0.0.1 and nothing is ever dialled elsewhere: the service
# ClusterIP range is only an allocation range (no kube-proxy, nothing routes
# it), the endpoint reconciler is off, and the webhooks are called by URL.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/kube.sh" # kube_kubeconfig, go_module_dir

: "${K8S_BIN:?run tests/e2e/build.sh first}"
: "${ETCD_BIN:?run tests/e2e/build.sh first}"

CP_PIDS=()

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# _cp_certs DIR: a CA for clients and the serving certificate, an admin
# client certificate in system:masters, and the service-account key pair.
_cp_certs() {
	local d="$1"
	(
		cd "$d" || exit 1
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
			-subj "/CN=pgadmit-e2e-ca" -keyout ca.key -out ca.crt
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-subj "/CN=kube-apiserver" -keyout apiserver.key -out apiserver.csr
		printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >srv.ext
		openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
			-days 2 -extfile srv.ext -out apiserver.crt
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-subj "/O=system:masters/CN=e2e-admin" -keyout admin.key -out admin.csr
		printf 'extendedKeyUsage=clientAuth\n' >cli.ext
		openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
			-days 2 -extfile cli.ext -out admin.crt
		openssl genrsa -out sa.key 2048
		openssl rsa -in sa.key -pubout -out sa.pub
	) >"$d/certs.log" 2>&1
}

cluster_start() {
	CP_DIR="$1"
	mkdir -p "$CP_DIR/pki" "$CP_DIR/etcd-data"
	_cp_certs "$CP_DIR/pki" || { echo "e2e: certificates failed: $(tail -n 3 "$CP_DIR/pki/certs.log")" >&2; return 1; }
	local ep pp p="$CP_DIR/pki"
	ep=$(free_port); pp=$(free_port); API_PORT=$(free_port)
	"$ETCD_BIN/etcd" --name e2e --data-dir "$CP_DIR/etcd-data" \
		--listen-client-urls "http://127.0.0.1:$ep" --advertise-client-urls "http://127.0.0.1:$ep" \
		--listen-peer-urls "http://127.0.0.1:$pp" --initial-advertise-peer-urls "http://127.0.0.1:$pp" \
		--initial-cluster "e2e=http://127.0.0.1:$pp" --unsafe-no-fsync \
		--log-level warn >"$CP_DIR/etcd.log" 2>&1 &
	CP_PIDS+=($!)
	API_URL="https://127.0.0.1:$API_PORT"
	"$K8S_BIN/kube-apiserver" \
		--etcd-servers "http://127.0.0.1:$ep" \
		--bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
		--cert-dir "$CP_DIR/cert-dir" \
		--tls-cert-file "$p/apiserver.crt" --tls-private-key-file "$p/apiserver.key" \
		--client-ca-file "$p/ca.crt" \
		--authorization-mode RBAC \
		--service-account-issuer "$API_URL" \
		--service-account-key-file "$p/sa.pub" \
		--service-account-signing-key-file "$p/sa.key" \
		--service-cluster-ip-range 10.0.0.0/24 \
		--disable-admission-plugins ServiceAccount \
		--endpoint-reconciler-type none \
		--allow-privileged=true \
		--v 1 >"$CP_DIR/kube-apiserver.log" 2>&1 &
	CP_PIDS+=($!)
	KUBECONFIG="$CP_DIR/kubeconfig"
	export KUBECONFIG
	kube_kubeconfig "$KUBECONFIG" "$API_URL" "$p/ca.crt" files "$p/admin.crt" "$p/admin.key"
	local i
	for i in $(seq 1 240); do
		if curl -fsS --max-time 2 --cacert "$p/ca.crt" --cert "$p/admin.crt" --key "$p/admin.key" \
			"$API_URL/readyz" >/dev/null 2>&1; then
			return 0
		fi
		local pid
		for pid in "${CP_PIDS[@]}"; do
			kill -0 "$pid" 2>/dev/null || {
				echo "e2e: control plane process $pid exited" >&2
				tail -n 5 "$CP_DIR/etcd.log" "$CP_DIR/kube-apiserver.log" >&2
				return 1
			}
		done
		sleep 0.25
	done
	echo "e2e: kube-apiserver not ready after 60 s" >&2
	tail -n 20 "$CP_DIR/kube-apiserver.log" >&2
	return 1
}

# curl to the API server as the admin (for /metrics and raw calls).
api_curl() {
	curl -fsS --max-time 10 --cacert "$CP_DIR/pki/ca.crt" --cert "$CP_DIR/pki/admin.crt" \
		--key "$CP_DIR/pki/admin.key" "$@"
}

cluster_stop() {
	local i pid
	# apiserver first, then etcd (reverse start order).
	for ((i = ${#CP_PIDS[@]} - 1; i >= 0; i--)); do
		pid=${CP_PIDS[$i]}
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	CP_PIDS=()
}
