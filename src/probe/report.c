/*
 * report.c — the probe's text and JSON reports (interfaces.md "pgadmit
 * probe"). The JSON shape is version 1; README.md lists the fields added
 * to it (tls.server_ssl, tls.source, tls.cert_sans, tls.key_type,
 * tls.key_bits, tls.note, findings[].unknown, queries, duration_ms,
 * summary.*, server_major, notes[]).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/probe.h"

int probe_format_parse(const char *s)
{
	if (s && strcmp(s, "text") == 0)
		return PROBE_FMT_TEXT;
	if (s && strcmp(s, "json") == 0)
		return PROBE_FMT_JSON;
	return -1;
}

void probe_summarize(const struct probe_result *r, size_t n,
		     struct probe_summary *s)
{
	unsigned si = s->shard_index, sc = s->shard_count;
	size_t total = s->total_targets;
	memset(s, 0, sizeof(*s));
	s->shard_index = si;
	s->shard_count = sc ? sc : 1;
	s->total_targets = total;
	s->targets = n;
	for (size_t i = 0; i < n; i++) {
		if (r[i].status == PROBE_OK)
			s->ok++;
		else
			s->error++;
		for (size_t j = 0; j < r[i].nfindings; j++) {
			if (r[i].findings[j].unknown)
				s->unknown++;
			else
				s->counts[r[i].findings[j].action]++;
		}
	}
}

/* A JSON string even when s is not valid UTF-8 (bytes >= 0x80 become '?'
 * then). NULL s is null. */
static json_t *jstr(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	if (j)
		return j;
	char *copy = strdup(s);
	if (!copy)
		return NULL;
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

static json_t *tls_json(const struct probe_result *r)
{
	if (!r->tls_done)
		return json_null();
	const struct probe_tls *t = &r->tls;
	json_t *o = json_pack("{s:b, s:o, s:o, s:o, s:o}", "in_use", t->in_use,
			      "server_ssl",
			      t->server_ssl < 0 ? json_null()
						: json_boolean(t->server_ssl),
			      "source", jstr(t->source), "protocol",
			      jstr(t->protocol), "cipher", jstr(t->cipher));
	if (!o)
		return NULL;
	int bad = 0;
	if (t->has_cert) {
		bad |= json_object_set_new(o, "cert_not_after",
					   jstr(t->not_after));
		bad |= json_object_set_new(o, "cert_days_left",
					   t->not_after
						   ? json_integer(t->days_left)
						   : json_null());
		bad |= json_object_set_new(o, "cert_subject", jstr(t->subject));
		bad |= json_object_set_new(o, "cert_issuer", jstr(t->issuer));
		bad |= json_object_set_new(o, "cert_sans", jstr(t->sans));
		bad |= json_object_set_new(o, "key_type", jstr(t->key_type));
		bad |= json_object_set_new(o, "key_bits",
					   json_integer(t->key_bits));
		bad |= json_object_set_new(o, "self_signed",
					   json_boolean(t->self_signed));
	} else {
		static const char *const none[] =
			{"cert_not_after", "cert_days_left", "cert_subject",
			 "cert_issuer",    "cert_sans",      "key_type",
			 "key_bits",       "self_signed"};
		for (size_t i = 0; i < sizeof(none) / sizeof(*none); i++)
			bad |= json_object_set_new(o, none[i], json_null());
	}
	bad |= json_object_set_new(o, "note", jstr(t->note));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *finding_json(const struct probe_finding *f)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:o}", "rule", f->rule,
			 "slug", f->slug, "action", action_name(f->action),
			 "unknown", f->unknown, "object", jstr(f->object),
			 "message", jstr(f->message), "hint", jstr(f->hint));
}

static json_t *target_json(const struct probe_result *r)
{
	json_t *fs = json_array(), *notes = json_array();
	if (!fs || !notes)
		goto fail;
	for (size_t i = 0; i < r->nfindings; i++)
		if (json_array_append_new(fs, finding_json(&r->findings[i])))
			goto fail;
	for (size_t i = 0; i < r->nnotes; i++)
		if (json_array_append_new(notes, jstr(r->notes[i])))
			goto fail;
	return json_pack("{s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:I}",
			 "target", jstr(r->target), "status",
			 r->status == PROBE_OK ? "ok" : "error", "error",
			 jstr(r->error), "server_version",
			 jstr(r->server_version), "server_major",
			 r->server_major ? json_integer(r->server_major)
					 : json_null(),
			 "tls", tls_json(r), "findings", fs, "notes", notes,
			 "queries", (int)r->queries, "duration_ms",
			 (json_int_t)(r->duration_ms + 0.5));
fail:
	json_decref(fs);
	json_decref(notes);
	return NULL;
}

/* "PostgreSQL 15 (15.18)"; 9.6 is major 96. */
static void text_version(FILE *out, const struct probe_result *t)
{
	const char *v = t->server_version ? t->server_version : "?";
	if (t->server_major >= 70)
		fprintf(out, "PostgreSQL %d.%d (%s)", t->server_major / 10,
			t->server_major % 10, v);
	else if (t->server_major > 0)
		fprintf(out, "PostgreSQL %d (%s)", t->server_major, v);
	else
		fprintf(out, "PostgreSQL %s", v);
}

static void text_notes(FILE *out, const struct probe_result *t)
{
	for (size_t i = 0; i < t->nnotes; i++)
		fprintf(out, "  note: %s\n", t->notes[i]);
}

static int write_json(FILE *out, const struct probe_result *r, size_t n,
		      const struct probe_summary *s)
{
	int rc = -1;
	json_t *arr = json_array(), *root = NULL;
	if (!arr)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(arr, target_json(&r[i])))
			goto out;
	char shard[32];
	snprintf(shard, sizeof(shard), "%u/%u", s->shard_index, s->shard_count);
	root = json_pack("{s:i, s:O, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
			 "s:s, s:I}}",
			 "version", 1, "targets", arr, "summary", "targets",
			 (json_int_t)s->targets, "ok", (json_int_t)s->ok,
			 "error", (json_int_t)s->error, "deny",
			 (json_int_t)s->counts[ACTION_DENY], "warn",
			 (json_int_t)s->counts[ACTION_WARN], "info",
			 (json_int_t)s->counts[ACTION_INFO], "unknown",
			 (json_int_t)s->unknown, "shard", shard,
			 "targets_total", (json_int_t)s->total_targets);
	if (root && json_dumpf(root, out, JSON_INDENT(2)) == 0 &&
	    fputc('\n', out) != EOF)
		rc = 0;
out:
	json_decref(root);
	json_decref(arr);
	return rc;
}

#define RED "\033[31m"
#define YELLOW "\033[33m"
#define CYAN "\033[36m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

static void text_tls(FILE *out, const struct probe_tls *t)
{
	if (t->protocol)
		fprintf(out, "  tls: %s%s %s (%s)\n",
			t->in_use ? ""
				  : "session not encrypted; server offers ",
			t->protocol, t->cipher ? t->cipher : "",
			t->source ? t->source : "");
	else
		fprintf(out, "  tls: %s\n", t->note ? t->note : "none");
	if (t->has_cert) {
		fprintf(out, "  certificate: %s, issuer %s%s\n",
			t->subject ? t->subject : "?",
			t->issuer ? t->issuer : "?",
			t->self_signed ? " (self-signed)" : "");
		fprintf(out,
			"    %s %d bits, not after %s (%ld days left)%s%s\n",
			t->key_type ? t->key_type : "?", t->key_bits,
			t->not_after ? t->not_after : "?", t->days_left,
			t->sans ? ", SANs " : "", t->sans ? t->sans : "");
	}
}

static int write_text(FILE *out, const struct probe_result *r, size_t n,
		      const struct probe_summary *s, bool color)
{
	const char *b = color ? BOLD : "", *z = color ? RESET : "";
	for (size_t i = 0; i < n; i++) {
		const struct probe_result *t = &r[i];
		if (t->status == PROBE_ERROR) {
			fprintf(out, "%s%s%s: %serror%s: %s\n", b,
				t->target ? t->target : "?", z,
				color ? RED : "", z,
				t->error ? t->error : "unknown");
			text_notes(out, t);
			fputc('\n', out);
			continue;
		}
		fprintf(out, "%s%s%s: ok (", b, t->target ? t->target : "?", z);
		text_version(out, t);
		fprintf(out, ", %u queries, %.0f ms)\n", t->queries,
			t->duration_ms);
		if (t->tls_done)
			text_tls(out, &t->tls);
		for (size_t j = 0; j < t->nfindings; j++) {
			const struct probe_finding *f = &t->findings[j];
			const char *c = !color                     ? ""
					: f->action == ACTION_DENY ? RED
					: f->action == ACTION_WARN ? YELLOW
								   : CYAN;
			fprintf(out, "  %s%s%s %s %s  %s\n", c,
				f->unknown ? "unknown" : action_name(f->action),
				z, f->rule, f->slug, f->object);
			fprintf(out, "    %s\n", f->message);
			if (f->hint && *f->hint)
				fprintf(out, "    %s: %s\n",
					f->unknown ? "grant" : "fix", f->hint);
		}
		text_notes(out, t);
		fputc('\n', out);
	}
	fprintf(out,
		"%zu target%s: %zu ok, %zu error; findings: %zu deny, %zu warn, "
		"%zu unknown",
		s->targets, s->targets == 1 ? "" : "s", s->ok, s->error,
		s->counts[ACTION_DENY], s->counts[ACTION_WARN], s->unknown);
	if (s->shard_count > 1)
		fprintf(out, " (shard %u/%u of %zu targets)", s->shard_index,
			s->shard_count, s->total_targets);
	fputc('\n', out);
	return ferror(out) ? -1 : 0;
}

int probe_report_write(FILE *out, enum probe_format fmt,
		       const struct probe_result *r, size_t n,
		       const struct probe_summary *s, bool color)
{
	if (fmt == PROBE_FMT_JSON)
		return write_json(out, r, n, s);
	return write_text(out, r, n, s, color);
}
