#!/bin/bash
# pgadmit certgen: files, modes, chain, SANs, refusal to overwrite, usage
# errors, and a TLS server using the certificate that a client trusting only
# the generated CA accepts (and a client without it rejects).
source tests/integration/lib.sh
t_tmpdir

out="$T/certs"
"$PGADMIT" certgen --service pgadmit-webhook --namespace tenant-a \
	--out-dir "$out" --days 30 >"$T/gen.out" 2>&1
t_eq "exit 0" 0 $?
for f in ca.crt tls.crt tls.key; do
	[ -s "$out/$f" ] && t_ok "$f written" || t_fail "$f written" "missing"
done
t_eq "tls.key mode 0600" 600 "$(stat -c %a "$out/tls.key")"
t_eq "tls.crt mode 0644" 644 "$(stat -c %a "$out/tls.crt")"
t_eq "ca.crt mode 0644" 644 "$(stat -c %a "$out/ca.crt")"

# The key is never readable by others, even under a permissive umask.
out2="$T/umask"
(umask 000 && "$PGADMIT" certgen --service s --namespace n --out-dir "$out2" >/dev/null 2>&1)
t_eq "tls.key 0600 under umask 000" 600 "$(stat -c %a "$out2/tls.key")"

t_eq "chain verifies" "$out/tls.crt: OK" \
	"$(openssl verify -CAfile "$out/ca.crt" "$out/tls.crt" 2>&1)"
t_check "CA does not verify an unrelated certificate" \
	bash -c "! openssl verify -CAfile '$out/ca.crt' '$out2/tls.crt'"

text="$(openssl x509 -in "$out/tls.crt" -noout -text)"
san="$(openssl x509 -in "$out/tls.crt" -noout -ext subjectAltName | tail -n 1 | tr -d ' ')"
t_eq "SANs" "DNS:pgadmit-webhook,DNS:pgadmit-webhook.tenant-a,DNS:pgadmit-webhook.tenant-a.svc,DNS:pgadmit-webhook.tenant-a.svc.cluster.local" "$san"
grep -q "TLS Web Server Authentication" <<<"$text" && t_ok "serverAuth EKU" || t_fail "serverAuth EKU" "$text"
grep -q "CA:FALSE" <<<"$text" && t_ok "leaf is not a CA" || t_fail "leaf is not a CA"
grep -q "ASN1 OID: prime256v1" <<<"$text" && t_ok "leaf key ECDSA P-256" || t_fail "leaf key ECDSA P-256"
catext="$(openssl x509 -in "$out/ca.crt" -noout -text)"
grep -q "CA:TRUE" <<<"$catext" && t_ok "CA basicConstraints CA:TRUE" || t_fail "CA basicConstraints CA:TRUE"
grep -q "Certificate Sign" <<<"$catext" && t_ok "CA keyCertSign" || t_fail "CA keyCertSign"
t_check "expires after 29 days" openssl x509 -in "$out/tls.crt" -noout -checkend $((29 * 86400))
t_check "expires within 31 days" bash -c "! openssl x509 -in '$out/tls.crt' -noout -checkend $((31 * 86400))"
t_check "key matches certificate" bash -c "[ \"\$(openssl pkey -in '$out/tls.key' -pubout)\" = \"\$(openssl x509 -in '$out/tls.crt' -noout -pubkey)\" ]"
grep -q "PRIVATE KEY" "$T/gen.out" && t_fail "no key on stdout" "key printed" || t_ok "no key on stdout"

# Extra SANs for a webhook reached by URL (chart value webhook.url).
out3="$T/url"
"$PGADMIT" certgen --service pgadmit --namespace e2e --out-dir "$out3" \
	--ip 127.0.0.1 --ip=::1 --dns webhook.example >"$T/gen3.out" 2>&1
t_eq "--ip/--dns: exit 0" 0 $?
san3="$(openssl x509 -in "$out3/tls.crt" -noout -ext subjectAltName | tail -n 1 | tr -d ' ')"
t_eq "--ip/--dns SANs" "DNS:pgadmit,DNS:pgadmit.e2e,DNS:pgadmit.e2e.svc,DNS:pgadmit.e2e.svc.cluster.local,IPAddress:127.0.0.1,IPAddress:0:0:0:0:0:0:0:1,DNS:webhook.example" "$san3"
t_eq "certificate valid for 127.0.0.1" "IP 127.0.0.1 does match certificate" \
	"$(openssl x509 -in "$out3/tls.crt" -noout -checkip 127.0.0.1)"
"$PGADMIT" certgen --service s --namespace n --out-dir "$T/bad" --ip 10.0.0.300 >/dev/null 2>"$T/e"
t_eq "--ip bad address: exit 2" 2 $?
grep -q "expected an IPv4 or IPv6 address" "$T/e" && t_ok "--ip message" || t_fail "--ip message" "$(head -n 1 "$T/e")"
"$PGADMIT" certgen --service s --namespace n --out-dir "$T/bad" --dns 'a_b' >/dev/null 2>&1
t_eq "--dns bad name: exit 2" 2 $?
"$PGADMIT" certgen --service s --namespace n --out-dir "$T/bad" --ca-overlap-minutes -1 >/dev/null 2>"$T/e"
t_eq "--ca-overlap-minutes -1: exit 2" 2 $?
grep -q "expected minutes from 0" "$T/e" && t_ok "--ca-overlap-minutes message" || t_fail "--ca-overlap-minutes message" "$(head -n 1 "$T/e")"
t_check "nothing written on usage errors" test ! -e "$T/bad"

# Refusal to overwrite, and --force.
before="$(sha256sum "$out/tls.crt")"
"$PGADMIT" certgen --service pgadmit-webhook --namespace tenant-a --out-dir "$out" >"$T/o" 2>"$T/e"
t_eq "existing files: exit 1" 1 $?
grep -q "exists; not overwriting (use --force" "$T/e" && t_ok "refusal message" || t_fail "refusal message" "$(cat "$T/e")"
t_eq "existing files untouched" "$before" "$(sha256sum "$out/tls.crt")"
rm "$out2/ca.crt"
"$PGADMIT" certgen --service s --namespace n --out-dir "$out2" >/dev/null 2>&1
t_eq "one existing file is enough to refuse" 1 $?
t_check "and nothing was written" test ! -e "$out2/ca.crt"
"$PGADMIT" certgen --service pgadmit-webhook --namespace tenant-a --out-dir "$out" --force >/dev/null 2>&1
t_eq "--force: exit 0" 0 $?
[ "$before" != "$(sha256sum "$out/tls.crt")" ] && t_ok "--force replaced" || t_fail "--force replaced"
t_eq "--force keeps key 0600" 600 "$(stat -c %a "$out/tls.key")"
t_eq "--force chain verifies" "$out/tls.crt: OK" \
	"$(openssl verify -CAfile "$out/ca.crt" "$out/tls.crt" 2>&1)"
ls -A "$out" | grep -q tmp && t_fail "no temporary files left" "$(ls -A "$out")" || t_ok "no temporary files left"

# A symlink planted where the key goes is not followed.
mkdir -p "$T/trap"
ln -s "$T/stolen" "$T/trap/tls.key"
"$PGADMIT" certgen --service s --namespace n --out-dir "$T/trap" >/dev/null 2>&1
t_eq "symlinked tls.key: refused" 1 $?
t_check "symlink target not created" test ! -e "$T/stolen"

# Usage errors: exit 2, one line saying what, then the usage.
usage_case() { # name expected-substring args...
	local name="$1" want="$2"
	shift 2
	"$PGADMIT" certgen "$@" >"$T/uo" 2>"$T/ue"
	local rc=$?
	if [ $rc -eq 2 ] && head -n 1 "$T/ue" | grep -qF -- "$want" &&
		grep -q "^usage: pgadmit certgen" "$T/ue"; then
		t_ok "usage: $name"
	else
		t_fail "usage: $name" "rc=$rc $(head -n 1 "$T/ue")"
	fi
}
usage_case "no service" "--service is required" --namespace n --out-dir "$T/x"
usage_case "no namespace" "--namespace is required" --service s --out-dir "$T/x"
usage_case "no destination" "--out-dir or --secret is required" --service s --namespace n
usage_case "bad service" "expected a DNS label" --service Bad_Name --namespace n --out-dir "$T/x"
usage_case "bad days" "--days: expected" --service s --namespace n --out-dir "$T/x" --days 0
usage_case "days not a number" "--days: expected" --service s --namespace n --out-dir "$T/x" --days abc
usage_case "unknown flag" "unknown argument '--bogus'" --service s --namespace n --out-dir "$T/x" --bogus
usage_case "missing value" "--out-dir needs a value" --service s --namespace n --out-dir
usage_case "empty webhook list" "--patch-webhooks needs at least one NAME" --service s --namespace n --out-dir "$T/x" --patch-webhooks
t_check "usage errors wrote nothing" test ! -e "$T/x"
"$PGADMIT" certgen --service=s --namespace=n --out-dir="$T/eq" >/dev/null 2>&1
t_eq "--opt=value form" 0 $?
"$PGADMIT" help certgen | grep -q -- "--patch-webhooks" && t_ok "help certgen" || t_fail "help certgen"

# A TLS server with the certificate; clients trusting only the CA.
port=""
for try in 1 2 3 4 5; do
	p=$((20000 + RANDOM % 20000))
	openssl s_server -accept "127.0.0.1:$p" -cert "$out/tls.crt" \
		-key "$out/tls.key" -www -quiet >"$T/srv.log" 2>&1 &
	srv=$!
	for _ in $(seq 1 50); do
		if timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null; then
			port=$p
			break
		fi
		kill -0 $srv 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$port" ] && break
	kill $srv 2>/dev/null
	wait $srv 2>/dev/null
done
t_on_exit "kill $srv 2>/dev/null; wait $srv 2>/dev/null"
if [ -z "$port" ]; then
	t_fail "TLS server started" "$(cat "$T/srv.log")"
else
	t_ok "TLS server started"
	for name in pgadmit-webhook.tenant-a.svc pgadmit-webhook.tenant-a.svc.cluster.local; do
		res="$(echo Q | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
			-servername "$name" -verify_hostname "$name" \
			-verify_return_error -CAfile "$out/ca.crt" 2>&1)"
		grep -q "Verify return code: 0 (ok)" <<<"$res" &&
			t_ok "client trusting the CA accepts ($name)" ||
			t_fail "client trusting the CA accepts ($name)" "$(tail -n 5 <<<"$res")"
	done
	res="$(echo Q | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
		-servername other.tenant-a.svc -verify_hostname other.tenant-a.svc \
		-verify_return_error -CAfile "$out/ca.crt" 2>&1)"
	grep -q "Verify return code: 0 (ok)" <<<"$res" &&
		t_fail "wrong host name rejected" "accepted" ||
		t_ok "wrong host name rejected"
	res="$(echo Q | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
		-servername pgadmit-webhook.tenant-a.svc -verify_return_error \
		-CAfile "$out2/ca.crt" 2>&1)"
	grep -q "Verify return code: 0 (ok)" <<<"$res" &&
		t_fail "client with another CA rejects" "accepted" ||
		t_ok "client with another CA rejects"
	res="$(echo Q | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
		-servername pgadmit-webhook.tenant-a.svc -verify_return_error \
		-CAfile /dev/null -no-CApath -no-CAstore 2>&1)"
	grep -q "Verify return code: 0 (ok)" <<<"$res" &&
		t_fail "client without the CA rejects" "accepted" ||
		t_ok "client without the CA rejects"
fi
t_finish
