{{/* The release name, with "-pincer" unless it already says pincer; short enough for every suffix. */}}
{{- define "pincer.fullname" -}}
{{- if contains "pincer" .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-pincer" .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "pincer.labels" -}}
app.kubernetes.io/name: pincer
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "pincer.selector" -}}
app.kubernetes.io/name: pincer
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "pincer.image" -}}
image: {{ printf "%s:%s" .Values.image.repository .Values.image.tag | quote }}
imagePullPolicy: {{ .Values.image.pullPolicy }}
{{- end -}}

{{/* Every Pincer container: the shared settings, then the Secret named in values (by reference). */}}
{{- define "pincer.envFrom" -}}
envFrom:
  - configMapRef:
      name: {{ include "pincer.fullname" . }}
  - secretRef:
      name: {{ required "secrets.name must name an existing Secret (see values.yaml)" .Values.secrets.name }}
{{- end -}}

{{- define "pincer.securityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  allowPrivilegeEscalation: false
  capabilities:
    drop: ["ALL"]
{{- end -}}

{{/* GET /health on a port answers 200 when the process serves. */}}
{{- define "pincer.probes" -}}
readinessProbe:
  httpGet:
    path: {{ .path }}
    port: {{ .port }}
  periodSeconds: 10
  failureThreshold: 3
livenessProbe:
  httpGet:
    path: {{ .path }}
    port: {{ .port }}
  initialDelaySeconds: 60
  periodSeconds: 20
  failureThreshold: 6
{{- end -}}
