{{/* Names and labels shared by every template. */}}
{{- define "pgadmit.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "pgadmit.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "pgadmit.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "pgadmit.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pgadmit.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "pgadmit.labels" -}}
helm.sh/chart: {{ include "pgadmit.chart" . }}
{{ include "pgadmit.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: pgadmit
{{- end }}

{{- define "pgadmit.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "pgadmit.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "pgadmit.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Webhook configuration names (cluster-scoped). */}}
{{- define "pgadmit.validatingName" -}}
{{- include "pgadmit.fullname" . }}
{{- end }}
{{- define "pgadmit.mutatingName" -}}
{{- printf "%s-mutating" (include "pgadmit.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The Secret holding tls.crt/tls.key (and ca.crt unless user-supplied). */}}
{{- define "pgadmit.tlsSecretName" -}}
{{- if eq .Values.tls.mode "secret" }}
{{- required "tls.secret.name is required when tls.mode=secret" .Values.tls.secret.name }}
{{- else }}
{{- printf "%s-tls" (include "pgadmit.fullname" .) }}
{{- end }}
{{- end }}

{{- define "pgadmit.serviceHost" -}}
{{- printf "%s.%s.svc" (include "pgadmit.fullname" .) .Release.Namespace }}
{{- end }}

{{/* Pod and container security context: non-root 65532, nothing extra. */}}
{{- define "pgadmit.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "pgadmit.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* clientConfig and the caBundle/annotation per TLS mode. */}}
{{- define "pgadmit.webhookAnnotations" -}}
{{- if eq .Values.tls.mode "certManager" }}
cert-manager.io/inject-ca-from: {{ printf "%s/%s-tls" .Release.Namespace (include "pgadmit.fullname" .) }}
{{- end }}
{{- end }}

{{/* webhook.url set: the API server calls that address (a webhook run
     outside the cluster) instead of the in-cluster Service; the chart
     appends /validate or /mutate. */}}
{{- define "pgadmit.clientConfig" -}}
{{- if .root.Values.webhook.url -}}
url: {{ printf "%s%s" (trimSuffix "/" .root.Values.webhook.url) .path | quote }}
{{- else -}}
service:
  name: {{ include "pgadmit.fullname" .root }}
  namespace: {{ .root.Release.Namespace }}
  path: {{ .path }}
  port: {{ .root.Values.service.port }}
{{- end }}
{{- if eq .root.Values.tls.mode "secret" }}
caBundle: {{ required "tls.secret.caBundle is required when tls.mode=secret" .root.Values.tls.secret.caBundle }}
{{- end }}
{{- end }}

{{- define "pgadmit.namespaceSelector" -}}
matchExpressions:
  - key: kubernetes.io/metadata.name
    operator: NotIn
    values:
      {{- toYaml (uniq (concat (list "kube-system" .Release.Namespace) .Values.webhook.excludeNamespaces)) | nindent 6 }}
  - key: pgadmit.dev/ignore
    operator: NotIn
    values: ["true"]
{{- end }}

{{/* matchConditions (CEL; beta and on by default in 1.28, GA in 1.30): the
     API server does not call pgadmit for a Pod or ReplicaSet whose
     controller is a built-in workload (apps ReplicaSet, Deployment,
     StatefulSet, DaemonSet; batch Job, CronJob). pgadmit judged that
     workload's template already and allows such children unjudged anyway
     (src/admission/review.c keeps the same skip as a second line), so no
     decision changes; but when pgadmit is down, rollouts, scale-ups and
     drains go on. Rendered only for API servers that have them. */}}
{{- define "pgadmit.matchConditionsSupported" -}}
{{- if and .Values.webhook.matchConditions.enabled (semverCompare ">=1.28.0-0" .Capabilities.KubeVersion.Version) }}true{{ end }}
{{- end }}

{{- define "pgadmit.matchConditions" -}}
- name: not-a-built-in-controller-child
  expression: >-
    !((request.resource.group == "" && request.resource.resource == "pods") ||
    (request.resource.group == "apps" && request.resource.resource == "replicasets")) ||
    !has(object.metadata.ownerReferences) ||
    !object.metadata.ownerReferences.exists(r, has(r.controller) && r.controller &&
    ((r.apiVersion.startsWith("apps/") && r.kind in ["ReplicaSet", "Deployment", "StatefulSet", "DaemonSet"]) ||
    (r.apiVersion.startsWith("batch/") && r.kind in ["Job", "CronJob"])))
- name: not-a-postgres-operator-child
  expression: >-
    !(request.resource.resource in ["pods", "services", "configmaps", "statefulsets", "deployments", "replicasets", "jobs", "cronjobs"] &&
    has(object.metadata.ownerReferences) &&
    object.metadata.ownerReferences.exists(r,
    (r.apiVersion.startsWith("postgresql.cnpg.io/") && r.kind in ["Cluster", "Pooler"]) ||
    (r.apiVersion.startsWith("acid.zalan.do/") && r.kind == "postgresql") ||
    (r.apiVersion.startsWith("postgres-operator.crunchydata.com/") && r.kind == "PostgresCluster") ||
    (r.apiVersion.startsWith("pgv2.percona.com/") && r.kind == "PerconaPGCluster"))) &&
    !(request.resource.resource in ["pods", "services", "configmaps", "statefulsets"] &&
    has(object.metadata.labels) &&
    (("cnpg.io/cluster" in object.metadata.labels && object.metadata.labels["cnpg.io/cluster"] != "") ||
    ("postgres-operator.crunchydata.com/cluster" in object.metadata.labels && object.metadata.labels["postgres-operator.crunchydata.com/cluster"] != "") ||
    ("cluster-name" in object.metadata.labels && object.metadata.labels["cluster-name"] != "" &&
    "application" in object.metadata.labels && object.metadata.labels["application"] == "spilo")))
{{- end }}

{{/* What the webhooks cover: CREATE and UPDATE of everything the rules read. */}}
{{- define "pgadmit.webhookRules" -}}
- operations: ["CREATE", "UPDATE"]
  apiGroups: [""]
  apiVersions: ["v1"]
  resources: ["pods", "services", "configmaps", "replicationcontrollers"]
  scope: Namespaced
- operations: ["CREATE", "UPDATE"]
  apiGroups: ["apps"]
  apiVersions: ["v1"]
  resources: ["deployments", "statefulsets", "daemonsets", "replicasets"]
  scope: Namespaced
- operations: ["CREATE", "UPDATE"]
  apiGroups: ["batch"]
  apiVersions: ["v1"]
  resources: ["jobs", "cronjobs"]
  scope: Namespaced
{{- /* The PostgreSQL operators' cluster resources (docs/operators.md). A rule
  for a resource whose CRD is not installed is accepted and never matches. */}}
- operations: ["CREATE", "UPDATE"]
  apiGroups: ["postgresql.cnpg.io"]
  apiVersions: ["v1"]
  resources: ["clusters", "poolers"]
  scope: Namespaced
- operations: ["CREATE", "UPDATE"]
  apiGroups: ["acid.zalan.do"]
  apiVersions: ["v1"]
  resources: ["postgresqls"]
  scope: Namespaced
- operations: ["CREATE", "UPDATE"]
  apiGroups: ["postgres-operator.crunchydata.com"]
  apiVersions: ["v1beta1", "v1"]
  resources: ["postgresclusters"]
  scope: Namespaced
- operations: ["CREATE", "UPDATE"]
  apiGroups: ["pgv2.percona.com"]
  apiVersions: ["v2"]
  resources: ["perconapgclusters"]
  scope: Namespaced
{{- end }}

{{- define "pgadmit.policy" -}}
{{- $p := deepCopy .Values.policy }}
{{- $pg := $p.postgres }}
{{- if not $pg.imagePattern }}{{ $_ := unset $pg "imagePattern" }}{{ end }}
{{- if not $pg.portNamePattern }}{{ $_ := unset $pg "portNamePattern" }}{{ end }}
{{- toYaml $p }}
{{- end }}
