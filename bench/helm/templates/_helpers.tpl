{{/*
Helpers. The per-component ones take a dict: root ($), name (the component's key in
.Values.components) and component (its values).
*/}}

{{/* A component's object name: <release>-<component>. */}}
{{- define "bench.fullname" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every object. Takes the root context. */}}
{{- define "bench.labels" -}}
app.kubernetes.io/managed-by: {{ .Values.managedBy | quote }}
app.kubernetes.io/part-of: {{ .Values.platform | quote }}
{{- end -}}

{{/* Labels on a component's objects and pods. */}}
{{- define "bench.componentLabels" -}}
app.kubernetes.io/component: {{ .name | quote }}
{{ include "bench.selectorLabels" . }}
{{ include "bench.labels" .root }}
app.kubernetes.io/version: {{ .component.image.tag | quote }}
{{- end -}}

{{/* The labels that select a component's pods (root and name only). */}}
{{- define "bench.selectorLabels" -}}
app.kubernetes.io/instance: {{ .root.Release.Name | quote }}
app.kubernetes.io/name: {{ .name | quote }}
{{- end -}}

{{/*
The pods' checksum/config annotation: a sha256 of exactly the config keys the component's
env uses, so that only the components whose keys change roll. wfk hashes
"map\0key\0value\0" for each (map, key), sorted; so does this (empty when none).
*/}}
{{- define "bench.configChecksum" -}}
{{- $refs := list -}}
{{- range $var, $e := .component.env -}}
{{- if $e.configMap -}}
{{- $refs = append $refs (printf "%s\x00%s" $e.configMap $e.key) -}}
{{- end -}}
{{- end -}}
{{- if $refs -}}
{{- $data := "" -}}
{{- range $ref := $refs | uniq | sortAlpha -}}
{{- $mapKey := splitList "\x00" $ref -}}
{{- $value := index $.root.Values.config (index $mapKey 0) (index $mapKey 1) -}}
{{- $data = printf "%s%s\x00%v\x00" $data $ref $value -}}
{{- end -}}
{{- $data | sha256sum -}}
{{- end -}}
{{- end -}}
