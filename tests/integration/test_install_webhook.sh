#!/bin/bash
# The chart's webhook as the cluster would run it, on loopback: certificates
# from `pgadmit certgen`, laid out like a kubelet Secret volume (..data
# symlink), `pgadmit serve` started with the Deployment's own rendered args,
# the chart's `helm test` script run against it (curl reaching
# pgadmit.pgadmit.svc:443 via --connect-to, trusting only ca.crt), the
# kubelet probes' endpoints, and a certificate rotation the way the kubelet
# swaps a Secret volume: picked up without a restart.
source tests/integration/lib.sh
t_tmpdir
TOOLS="${PGADMIT_TOOLS:-$ROOT/build/tools}"
cd "$ROOT"
if ! HELM="$(scripts/get-helm "$TOOLS" 2>"$T/get-helm.err")"; then
	if ! timeout 30 npm view --silent yaml version >/dev/null 2>&1; then
		t_ok "skipped: npm cannot fetch Helm ($(head -n 1 "$T/get-helm.err"))"
		t_finish
	fi
	t_fail "get Helm" "$(cat "$T/get-helm.err")"
	t_finish
fi
SLOW=1
[ "${PGADMIT_SANITIZED:-0}" = 1 ] && SLOW=4

"$HELM" template pgadmit charts/pgadmit --namespace pgadmit >"$T/render.yaml" || {
	t_fail "helm template" "failed"
	t_finish
}
# Pull out what the pods would run: Deployment args (one per line), the
# policy file, the helm test script.
mkdir -p "$T/etc"
node - "$TOOLS" "$T" <<'EOF'
const [tools, T] = process.argv.slice(2);
const YAML = require(require("module").createRequire(tools + "/package.json").resolve("yaml"));
const fs = require("fs");
const o = YAML.parseAllDocuments(fs.readFileSync(T + "/render.yaml", "utf8")).map((d) => d.toJS()).filter(Boolean);
const dep = o.find((x) => x.kind === "Deployment");
fs.writeFileSync(T + "/args", dep.spec.template.spec.containers[0].args.join("\n") + "\n");
fs.writeFileSync(T + "/etc/policy.yaml", o.find((x) => x.kind === "ConfigMap").data["policy.yaml"]);
const test = o.find((x) => x.kind === "Pod" && x.metadata.annotations["helm.sh/hook"] === "test");
fs.writeFileSync(T + "/helm-test.sh", test.spec.containers[0].args[0]);
EOF
t_check "rendered args, policy and test script extracted" test -s "$T/args" -a -s "$T/etc/policy.yaml" -a -s "$T/helm-test.sh"

# A Secret volume: files are symlinks into ..data, itself a symlink to a
# timestamped directory that the kubelet swaps atomically on update.
secret_volume() { # DIR VERSION: certgen into DIR/..VERSION, point ..data at it
	"$PGADMIT" certgen --service pgadmit --namespace pgadmit --out-dir "$1/..$2" >/dev/null || return 1
	ln -s "..$2" "$1/..data_tmp" && mv -T "$1/..data_tmp" "$1/..data" || return 1
	local f
	for f in ca.crt tls.crt tls.key; do
		[ -L "$1/$f" ] || ln -s "..data/$f" "$1/$f"
	done
}
TLS="$T/tls"
mkdir -p "$TLS"
secret_volume "$TLS" v1 && t_ok "certgen into a Secret-volume layout" || t_fail "certgen into a Secret-volume layout"

# The Deployment's args, with the pod paths mapped onto this directory.
mapfile -t args < <(sed -e "s|^:8443$|127.0.0.1:0|" -e "s|^/tls/|$TLS/|" -e "s|^/etc/pgadmit/|$T/etc/|" "$T/args")
t_eq "Deployment args" "serve --listen 127.0.0.1:0 --tls-cert $TLS/tls.crt --tls-key $TLS/tls.key --policy $T/etc/policy.yaml" "${args[*]}"
"$PGADMIT" "${args[@]}" 2>"$T/serve.log" &
pid=$!
t_on_exit "kill -9 $pid 2>/dev/null"
port=""
for _ in $(seq 1 $((100 * SLOW))); do
	port="$(sed -n 's/.*"msg":"listening".*"port":"\([0-9]*\)".*/\1/p' "$T/serve.log" | head -n 1)"
	[ -n "$port" ] && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.05
done
if [ -z "$port" ]; then
	t_fail "pgadmit serve starts with the chart's args" "$(tail -n 3 "$T/serve.log")"
	t_finish
fi
t_ok "pgadmit serve starts with the chart's args"

# curl as the test Pod would reach the Service.
mkdir -p "$T/bin"
real_curl="$(command -v curl)"
cat >"$T/bin/curl" <<EOF
#!/bin/sh
exec "$real_curl" --connect-to "pgadmit.pgadmit.svc:443:127.0.0.1:$port" "\$@"
EOF
chmod +x "$T/bin/curl"
svc() { PATH="$T/bin:$PATH" timeout $((20 * SLOW)) curl -sS --max-time $((10 * SLOW)) "$@"; }

t_eq "liveness /healthz over HTTPS" 200 "$(svc -o /dev/null -w '%{http_code}' --cacert "$TLS/ca.crt" https://pgadmit.pgadmit.svc:443/healthz)"
t_eq "readiness /readyz over HTTPS" 200 "$(svc -o /dev/null -w '%{http_code}' --cacert "$TLS/ca.crt" https://pgadmit.pgadmit.svc:443/readyz)"
svc --cacert "$TLS/ca.crt" https://pgadmit.pgadmit.svc:443/metrics >"$T/metrics"
for m in pgadmit_admission_duration_seconds_bucket pgadmit_tls_cert_not_after_seconds; do
	grep -q "^$m" "$T/metrics" && t_ok "metrics on the main port: $m (used by the alerts)" ||
		t_fail "metrics on the main port: $m" "missing"
done

# The chart's helm test script, unchanged but for where the CA is mounted.
sed "s|/ca/ca.crt|$TLS/ca.crt|g" "$T/helm-test.sh" >"$T/helm-test.local.sh"
PATH="$T/bin:$PATH" timeout $((30 * SLOW)) sh -ec "$(cat "$T/helm-test.local.sh")" >"$T/helmtest.out" 2>&1
t_eq "helm test script passes against the webhook" 0 $?
grep -q "denied as expected" "$T/helmtest.out" && t_ok "helm test: review denied with PGA101" ||
	t_fail "helm test: review denied with PGA101" "$(tail -n 3 "$T/helmtest.out")"
# ...and fails when the webhook would allow it (the test can fail).
sed -e 's/"type":"LoadBalancer"/"type":"ClusterIP"/' "$T/helm-test.local.sh" >"$T/helm-test.allowed.sh"
PATH="$T/bin:$PATH" timeout $((30 * SLOW)) sh -ec "$(cat "$T/helm-test.allowed.sh")" >/dev/null 2>&1
t_eq "helm test script fails for an allowed review" 1 $?
"$PGADMIT" certgen --service pgadmit --namespace pgadmit --out-dir "$T/other" >/dev/null
svc -o /dev/null --cacert "$T/other/ca.crt" https://pgadmit.pgadmit.svc:443/healthz 2>/dev/null
t_eq "a client trusting another CA is refused (curl exit 60)" 60 $?

# Rotation as the kubelet does it: new files in a new directory, ..data
# swapped. The same process serves the new certificate.
fp() { openssl x509 -in "$1" -noout -fingerprint -sha256; }
served() {
	echo Q | timeout $((10 * SLOW)) openssl s_client -connect "127.0.0.1:$port" \
		-servername pgadmit.pgadmit.svc 2>/dev/null | openssl x509 -noout -fingerprint -sha256 2>/dev/null
}
t_eq "serving the v1 certificate" "$(fp "$TLS/..v1/tls.crt")" "$(served)"
secret_volume "$TLS" v2 && t_ok "Secret volume updated (..data -> ..v2)" || t_fail "Secret volume updated"
want="$(fp "$TLS/..v2/tls.crt")"
got=""
for _ in $(seq 1 $((100 * SLOW))); do
	got="$(served)"
	[ "$got" = "$want" ] && break
	sleep 0.1
done
t_eq "rotated certificate served without a restart" "$want" "$got"
kill -0 $pid 2>/dev/null && t_ok "same process still running" || t_fail "same process still running"
t_eq "readiness after rotation (new CA)" 200 "$(svc -o /dev/null -w '%{http_code}' --cacert "$TLS/ca.crt" https://pgadmit.pgadmit.svc:443/readyz)"
kill -TERM $pid 2>/dev/null
for _ in $(seq 1 $((200 * SLOW))); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
wait $pid 2>/dev/null
t_eq "SIGTERM: clean exit" 0 $?
t_finish
