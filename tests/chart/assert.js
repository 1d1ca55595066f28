#!/usr/bin/env node
// Structured assertions on a rendered pgadmit chart.
//   node tests/chart/assert.js SCENARIO FILE [NAMESPACE]
// SCENARIO: default | certmanager | certmanager-issuer | secret | probe |
//           monitoring | nomutating | excludes | url | url-certgen
// Prints "ok NAME" / "FAIL NAME: why" per assertion (tests/integration
// counts them); exit 1 when any failed.
"use strict";
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const { createRequire } = require("module");

const tools = path.resolve(process.env.PGADMIT_TOOLS || "build/tools");
const YAML = createRequire(path.join(tools, "package.json"))("yaml");

const [scenario, file, ns = "pgadmit"] = process.argv.slice(2);
const objs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"))
  .map((d) => d.toJS())
  .filter(Boolean);
let failed = 0;

function ok(name, cond, why) {
  if (cond) console.log(`ok ${name}`);
  else {
    failed++;
    console.log(`FAIL ${name}: ${why || "assertion failed"}`);
  }
}
// JSON with sorted keys: key order is not meaning.
function canon(v) {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]));
  return v;
}
function eq(name, want, got) {
  const w = JSON.stringify(canon(want)), g = JSON.stringify(canon(got));
  ok(name, w === g, `expected ${w}, got ${g}`);
}
const all = (kind) => objs.filter((o) => o.kind === kind);
const one = (kind, name) =>
  objs.find((o) => o.kind === kind && (!name || o.metadata.name === name));
const hookOf = (o) => (o.metadata.annotations || {})["helm.sh/hook"];

const FULL = "pgadmit";
const VWC = one("ValidatingWebhookConfiguration");
const MWC = one("MutatingWebhookConfiguration");
const DEP = one("Deployment", FULL);
const RESOURCES = {
  "": ["pods", "services", "configmaps"],
  apps: ["deployments", "statefulsets", "daemonsets", "replicasets"],
  batch: ["jobs", "cronjobs"],
  // the PostgreSQL operators' cluster resources (docs/operators.md)
  "postgresql.cnpg.io": ["clusters", "poolers"],
  "acid.zalan.do": ["postgresqls"],
  "postgres-operator.crunchydata.com": ["postgresclusters"],
  "pgv2.percona.com": ["perconapgclusters"],
};

function checkWebhook(label, cfg, want) {
  ok(`${label}: exists`, !!cfg, "not rendered");
  if (!cfg) return;
  eq(`${label}: one webhook`, 1, cfg.webhooks.length);
  const w = cfg.webhooks[0];
  eq(`${label}: failurePolicy`, want.failurePolicy, w.failurePolicy);
  eq(`${label}: timeoutSeconds`, want.timeoutSeconds, w.timeoutSeconds);
  eq(`${label}: reinvocationPolicy`, want.reinvocationPolicy, w.reinvocationPolicy);
  eq(`${label}: sideEffects`, "None", w.sideEffects);
  eq(`${label}: admissionReviewVersions`, ["v1"], w.admissionReviewVersions);
  eq(`${label}: matchPolicy`, "Equivalent", w.matchPolicy);
  if (want.url) {
    eq(`${label}: url`, want.url + want.path, w.clientConfig.url);
    ok(`${label}: no service with url`, !w.clientConfig.service);
  } else {
    eq(`${label}: service`, { name: FULL, namespace: ns, path: want.path, port: 443 },
      w.clientConfig.service);
    ok(`${label}: no url`, !w.clientConfig.url);
  }
  // matchConditions: controller-made Pods/ReplicaSets and the PostgreSQL
  // operators' children never reach pgadmit.
  const mc = w.matchConditions || [];
  eq(`${label}: two matchConditions`, ["not-a-built-in-controller-child", "not-a-postgres-operator-child"],
    mc.map((c) => c.name));
  const op = (mc[1] || {}).expression || "";
  for (const k of ["postgresql.cnpg.io/", "acid.zalan.do/", "postgres-operator.crunchydata.com/", "pgv2.percona.com/",
    "cnpg.io/cluster", "postgres-operator.crunchydata.com/cluster", "cluster-name", "spilo"])
    ok(`${label}: operator-child matchCondition names ${k}`, op.includes(`"${k}`), op);
  const expr = (mc[0] || {}).expression || "";
  for (const k of ["ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"])
    ok(`${label}: matchCondition skips children of ${k}`, expr.includes(`"${k}"`), expr);
  ok(`${label}: matchCondition only for pods and replicasets`,
    /request\.resource\.resource == "pods"/.test(expr) && /request\.resource\.resource == "replicasets"/.test(expr), expr);
  // Namespace exclusions: kube-system, the release namespace, the label.
  const ex = w.namespaceSelector.matchExpressions || [];
  const byName = ex.find((e) => e.key === "kubernetes.io/metadata.name");
  ok(`${label}: excludes kube-system and ${ns}`,
    byName && byName.operator === "NotIn" &&
      ["kube-system", ns, ...(want.extraExcludes || [])].every((n) => byName.values.includes(n)),
    JSON.stringify(byName));
  if (want.extraExcludes)
    eq(`${label}: exclusion list`, ["kube-system", ns, ...want.extraExcludes], byName.values);
  const ign = ex.find((e) => e.key === "pgadmit.dev/ignore");
  eq(`${label}: excludes pgadmit.dev/ignore=true`, { key: "pgadmit.dev/ignore", operator: "NotIn", values: ["true"] }, ign);
  ok(`${label}: no matchLabels that would narrow it`, !w.namespaceSelector.matchLabels);
  // Resources and operations.
  for (const [group, resources] of Object.entries(RESOURCES)) {
    for (const r of resources) {
      const rule = w.rules.find((x) => x.apiGroups.includes(group) && x.resources.includes(r));
      ok(`${label}: covers ${group || "core"}/${r} CREATE+UPDATE`,
        rule && rule.operations.includes("CREATE") && rule.operations.includes("UPDATE") &&
          rule.apiVersions.includes(group === "pgv2.percona.com" ? "v2" : "v1") && !rule.operations.includes("DELETE"),
        JSON.stringify(rule));
    }
  }
  ok(`${label}: no wildcard rules`, w.rules.every((x) => !x.resources.includes("*") && !x.apiGroups.includes("*")));
  const ann = (cfg.metadata.annotations || {})["cert-manager.io/inject-ca-from"];
  eq(`${label}: inject-ca-from`, want.injectFrom, ann);
  eq(`${label}: caBundle`, want.caBundle, w.clientConfig.caBundle);
  ok(`${label}: not a hook (Helm tracks and deletes it)`, !hookOf(cfg));
}

function container(o) {
  const spec = o.kind === "CronJob" ? o.spec.jobTemplate.spec.template.spec
    : o.kind === "Pod" ? o.spec : o.spec.template.spec;
  return [spec, spec.containers[0]];
}

function checkSecurity(label, o) {
  const [spec, c] = container(o);
  const ps = spec.securityContext || {}, cs = c.securityContext || {};
  eq(`${label}: runAsNonRoot`, [true, true], [ps.runAsNonRoot, cs.runAsNonRoot]);
  eq(`${label}: uid 65532`, [65532, 65532], [ps.runAsUser, cs.runAsUser]);
  eq(`${label}: readOnlyRootFilesystem`, true, cs.readOnlyRootFilesystem);
  eq(`${label}: allowPrivilegeEscalation`, false, cs.allowPrivilegeEscalation);
  eq(`${label}: drop ALL`, ["ALL"], cs.capabilities && cs.capabilities.drop);
  eq(`${label}: seccomp RuntimeDefault`, "RuntimeDefault", (cs.seccompProfile || {}).type);
  ok(`${label}: resources set`, c.resources && c.resources.requests && c.resources.limits);
  ok(`${label}: no hostNetwork/hostPID`, !spec.hostNetwork && !spec.hostPID);
}

// ---- always ----
const mutatingOn = scenario !== "nomutating";
const mode = { certmanager: "certManager", "certmanager-issuer": "certManager", secret: "secret", url: "secret" }[scenario] || "certgen";
const url = scenario.startsWith("url") ? "https://127.0.0.1:9443" : undefined;
const injectFrom = mode === "certManager" ? `${ns}/${FULL}-tls` : undefined;
const caBundle = mode === "secret" ? process.env.CA_BUNDLE : undefined;
const extraExcludes = scenario === "excludes" ? ["legacy", "sandbox"] : undefined;

checkWebhook("validating", VWC, { failurePolicy: "Fail", timeoutSeconds: 3, path: "/validate", injectFrom, caBundle, extraExcludes, url });
if (mutatingOn)
  checkWebhook("mutating", MWC, { failurePolicy: "Ignore", reinvocationPolicy: "IfNeeded", timeoutSeconds: 3, path: "/mutate", injectFrom, caBundle, extraExcludes, url });
else ok("mutating: not rendered", !MWC, "rendered");
eq("webhook configurations only from Helm", mutatingOn ? 2 : 1,
  objs.filter((o) => /WebhookConfiguration$/.test(o.kind)).length);

ok("deployment exists", !!DEP);
if (DEP) {
  eq("deployment: 2 replicas", 2, DEP.spec.replicas);
  const [spec, c] = container(DEP);
  eq("deployment: args", ["serve", "--listen", ":8443", "--tls-cert", "/tls/tls.crt", "--tls-key", "/tls/tls.key", "--policy", "/etc/pgadmit/policy.yaml"], c.args);
  eq("deployment: port", [{ name: "https", containerPort: 8443, protocol: "TCP" }], c.ports);
  eq("deployment: liveness", { path: "/healthz", port: "https", scheme: "HTTPS" }, c.livenessProbe.httpGet);
  eq("deployment: readiness", { path: "/readyz", port: "https", scheme: "HTTPS" }, c.readinessProbe.httpGet);
  eq("deployment: resources", { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "500m", memory: "128Mi" } }, c.resources);
  checkSecurity("deployment", DEP);
  const tsc = spec.topologySpreadConstraints || [];
  eq("deployment: topology spread", ["kubernetes.io/hostname", "topology.kubernetes.io/zone"], tsc.map((t) => t.topologyKey));
  const tlsVol = spec.volumes.find((v) => v.name === "tls");
  const want = mode === "secret" ? "my-webhook-tls" : `${FULL}-tls`;
  eq("deployment: TLS Secret volume", want, tlsVol && tlsVol.secret.secretName);
  ok("deployment: mounts are directories (updates reach the pod)", c.volumeMounts.every((m) => !m.subPath));
  const cm = one("ConfigMap", `${FULL}-policy`);
  const pol = cm && cm.data["policy.yaml"];
  ok("policy ConfigMap rendered", !!pol);
  if (pol) {
    const sum = crypto.createHash("sha256").update(pol.replace(/\n$/, "")).digest("hex");
    eq("checksum/config is the policy's sha256", sum, DEP.spec.template.metadata.annotations["checksum/config"]);
    const p = YAML.parse(pol);
    eq("policy: ports", [5432, 6432], p.postgres.ports);
    ok("policy: empty imagePattern omitted", !("imagePattern" in p.postgres));
    eq("policy: webhook limits", { cronjobCacheTtlSeconds: 30, kubeTimeoutMs: 2000, maxBodyBytes: 20971520 }, p.webhook);
  }
}
const svc = one("Service", FULL);
eq("service: 443 -> https", [{ name: "https", port: 443, targetPort: "https", protocol: "TCP" }], svc && svc.spec.ports);
const pdb = one("PodDisruptionBudget", FULL);
eq("PDB minAvailable 1", 1, pdb && pdb.spec.minAvailable);
const cr = one("ClusterRole", FULL);
eq("ClusterRole: read only, exactly what the rules ask (PGA103 cronjobs and CloudNativePG scheduledbackups, PGA106 workloads/services/monitors, PGA105 get configmaps)", [
  { apiGroups: ["batch"], resources: ["cronjobs"], verbs: ["list", "watch"] },
  { apiGroups: ["postgresql.cnpg.io"], resources: ["scheduledbackups"], verbs: ["list"] },
  { apiGroups: ["apps"], resources: ["deployments", "statefulsets"], verbs: ["list"] },
  { apiGroups: [""], resources: ["services"], verbs: ["list"] },
  { apiGroups: ["monitoring.coreos.com"], resources: ["podmonitors", "servicemonitors"], verbs: ["list"] },
  { apiGroups: ["monitoring.googleapis.com"], resources: ["podmonitorings"], verbs: ["list"] },
  { apiGroups: [""], resources: ["configmaps"], verbs: ["get"] },
], cr && cr.rules);
const test = objs.find((o) => o.kind === "Pod" && hookOf(o) === "test");
ok("helm test Pod", !!test);
if (test) {
  const [, c] = container(test);
  ok("helm test: posts a review to the Service", /https:\/\/pgadmit\.pgadmit\.svc:443\/validate/.test(c.args[0]) && /AdmissionReview/.test(c.args[0]));
  checkSecurity("helm test", test);
}

// ---- certificates ----
const job = one("Job", `${FULL}-certgen`);
const certs = all("Certificate");
if (mode === "certgen") {
  ok("certgen: Job rendered", !!job);
  if (job) {
    eq("certgen: hooks", "pre-install,pre-upgrade,post-install,post-upgrade", hookOf(job));
    const [, c] = container(job);
    const names = mutatingOn ? [FULL, `${FULL}-mutating`] : [FULL];
    eq("certgen: args", ["certgen", "--service", FULL, "--namespace", ns, "--secret", `${FULL}-tls`, "--days", "3650", "--renew-days", "30", ...(url ? ["--ip", "127.0.0.1"] : []), "--patch-webhooks", ...names], c.args);
    checkSecurity("certgen job", job);
  }
  const ccr = one("ClusterRole", `${FULL}-certgen`);
  eq("certgen: ClusterRole get/patch by name only", [
    { apiGroups: ["admissionregistration.k8s.io"], resources: ["validatingwebhookconfigurations"], resourceNames: [FULL], verbs: ["get", "patch"] },
    ...(mutatingOn ? [{ apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations"], resourceNames: [`${FULL}-mutating`], verbs: ["get", "patch"] }] : []),
  ], ccr && ccr.rules);
  const role = one("Role", `${FULL}-certgen`);
  eq("certgen: Role secrets create + get/update/patch by name", [
    { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
    { apiGroups: [""], resources: ["secrets"], resourceNames: [`${FULL}-tls`], verbs: ["get", "update", "patch"] },
  ], role && role.rules);
  ok("certgen: its RBAC is hook-only", ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"]
    .every((k) => { const o = one(k, `${FULL}-certgen`); return o && hookOf(o) === hookOf(job); }));
  eq("certgen: no cert-manager objects", 0, certs.length);
} else {
  ok(`${mode}: no certgen Job or RBAC`, !job && !one("ClusterRole", `${FULL}-certgen`) && !one("Role", `${FULL}-certgen`));
}
if (mode === "certManager") {
  const cert = one("Certificate", `${FULL}-tls`);
  ok("cert-manager: serving Certificate", !!cert);
  if (cert) {
    eq("cert-manager: dnsNames", [FULL, `${FULL}.${ns}`, `${FULL}.${ns}.svc`, `${FULL}.${ns}.svc.cluster.local`], cert.spec.dnsNames);
    eq("cert-manager: secretName", `${FULL}-tls`, cert.spec.secretName);
    ok("cert-manager: server auth usage", cert.spec.usages.includes("server auth"));
    if (scenario === "certmanager-issuer") {
      eq("cert-manager: external issuer", { name: "corp-ca", kind: "ClusterIssuer" }, cert.spec.issuerRef);
      eq("cert-manager: no own issuers", 0, all("Issuer").length);
    } else {
      eq("cert-manager: CA issuer", `${FULL}-ca`, cert.spec.issuerRef.name);
      const ca = one("Certificate", `${FULL}-ca`);
      ok("cert-manager: self-signed CA Certificate", ca && ca.spec.isCA === true && ca.spec.issuerRef.name === `${FULL}-selfsigned`);
      ok("cert-manager: Issuers", one("Issuer", `${FULL}-selfsigned`) && one("Issuer", `${FULL}-ca`) && one("Issuer", `${FULL}-ca`).spec.ca.secretName === `${FULL}-ca`);
    }
  }
}
if (mode === "secret") {
  ok("secret: CA ConfigMap for helm test", one("ConfigMap", `${FULL}-test-ca`));
  eq("secret: no Certificates", 0, certs.length);
}

// ---- probe ----
const cj = one("CronJob", `${FULL}-probe`);
if (scenario === "probe") {
  ok("probe: CronJob", !!cj);
  if (cj) {
    eq("probe: Forbid", "Forbid", cj.spec.concurrencyPolicy);
    eq("probe: history limits", [3, 3], [cj.spec.successfulJobsHistoryLimit, cj.spec.failedJobsHistoryLimit]);
    const js = cj.spec.jobTemplate.spec;
    eq("probe: Indexed sharding", ["Indexed", 3, 3], [js.completionMode, js.completions, js.parallelism]);
    const [spec, c] = container(cj);
    const env = Object.fromEntries(c.env.map((e) => [e.name, e.value]));
    eq("probe: env", { file: "/etc/pgadmit-probe/dsns", shards: "3" }, { file: env.PGADMIT_PROBE_DSN_FILE, shards: env.PGADMIT_PROBE_SHARDS });
    const v = spec.volumes.find((x) => x.name === "dsns");
    eq("probe: DSN Secret item", { secretName: "pg-dsns", defaultMode: 0o440, items: [{ key: "targets", path: "dsns" }] }, v && v.secret);
    ok("probe: no DSN in args", !c.args.some((a) => /postgres(ql)?:\/\/|password=/.test(a)));
    eq("probe: args", ["probe", "--format", "json", "--policy", "/etc/pgadmit/policy.yaml", "--fail-on", "deny"], c.args);
    checkSecurity("probe", cj);
  }
} else if (scenario === "probe1") {
  ok("probe (1 shard): not Indexed", cj && !cj.spec.jobTemplate.spec.completionMode && !cj.spec.jobTemplate.spec.parallelism);
} else ok("probe: off by default", !cj);

// ---- monitoring ----
const np = one("NetworkPolicy"), sm = one("ServiceMonitor"), pr = one("PrometheusRule");
if (scenario === "monitoring") {
  ok("NetworkPolicy: ingress 8443", np && np.spec.ingress[0].ports[0].port === 8443);
  ok("NetworkPolicy: egress to API CIDR", np && JSON.stringify(np.spec.egress).includes("10.96.0.1/32"));
  ok("ServiceMonitor: https endpoint with CA", sm && sm.spec.endpoints[0].scheme === "https" && sm.spec.endpoints[0].port === "https" &&
    sm.spec.endpoints[0].tlsConfig.ca.secret.key === "ca.crt");
  const rules = pr ? pr.spec.groups[0].rules : [];
  const alert = (n) => rules.find((r) => r.alert === n) || { expr: "" };
  ok("alert: webhook down", /up\{job="pgadmit", namespace="pgadmit"\}/.test(alert("PgadmitWebhookDown").expr));
  ok("alert: p99 > 1s", /histogram_quantile\(0\.99, .*pgadmit_admission_duration_seconds_bucket\{namespace="pgadmit"\}.*> 1$/.test(alert("PgadmitWebhookSlow").expr), alert("PgadmitWebhookSlow").expr);
  ok("alert: cert expiring", /pgadmit_tls_cert_not_after_seconds\{namespace="pgadmit"\}\) - time\(\) < 1209600/.test(alert("PgadmitCertificateExpiring").expr), alert("PgadmitCertificateExpiring").expr);
  ok("alert: probe failing", /kube_job_status_failed\{namespace="pgadmit", job_name=~"pgadmit-probe-\.\*"\}/.test(alert("PgadmitProbeFailing").expr), alert("PgadmitProbeFailing").expr);
  ok("alert: audit failing", /kube_job_status_failed\{namespace="pgadmit", job_name=~"pgadmit-audit-\.\*"\}/.test(alert("PgadmitAuditFailing").expr), alert("PgadmitAuditFailing").expr);
} else ok("monitoring objects off by default", !np && !sm && !pr);

process.exit(failed ? 1 : 0);
