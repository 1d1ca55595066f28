/* result.c — findings of a target, scrubbing, freeing results. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/connstr.h"
#include "probe_int.h"

char *probe_fmt(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

/* connstr_redact_quote without a length cap (it also turns control
 * characters into spaces), minus trailing spaces: libpq messages end in
 * "\n". */
static char *redact_line(const char *s)
{
	char *r = connstr_redact_quote(s, SIZE_MAX);
	if (r) {
		size_t n = strlen(r);
		while (n > 0 && r[n - 1] == ' ')
			r[--n] = '\0';
	}
	return r;
}

char *probe_scrub(const struct probe_ctx *c, const char *s)
{
	if (!s)
		s = "";
	const char *pw = c ? c->password : NULL;
	size_t pwlen = pw ? strlen(pw) : 0;
	if (!pwlen)
		return redact_line(s);
	/* "****" for each occurrence: a password shorter than 4 bytes can
	 * make the text grow, at most 4 times. */
	size_t len = strlen(s);
	char *tmp = malloc(len * 4 + 1);
	if (!tmp)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		if (strncmp(s + i, pw, pwlen) == 0) {
			memcpy(tmp + o, "****", 4);
			o += 4;
			i += pwlen;
		} else {
			tmp[o++] = s[i++];
		}
	}
	tmp[o] = '\0';
	char *r = redact_line(tmp);
	free(tmp);
	return r;
}

enum action probe_action(const struct probe_ctx *c, enum rule_id id)
{
	return c->p->actions[id];
}

static int push(struct probe_ctx *c, enum rule_id id, enum action a,
		bool unknown, const char *object, const char *message,
		const char *hint)
{
	struct probe_result *r = c->r;
	if (r->nfindings == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 8;
		struct probe_finding *nv =
			realloc(r->findings, ncap * sizeof(*nv));
		if (!nv)
			return probe_fail(c, "out of memory");
		r->findings = nv;
		r->cap = ncap;
	}
	struct probe_finding *f = &r->findings[r->nfindings];
	memset(f, 0, sizeof(*f));
	f->rule = rule_catalog[id].code;
	f->slug = rule_catalog[id].slug;
	f->action = a;
	f->unknown = unknown;
	f->object = strdup(object ? object : "server");
	/* Findings are built from catalog text, not from the DSN: replacing
	 * the password's bytes there would only mangle words that happen to
	 * contain them ("x" in "text"), so they are only redacted. */
	f->message = redact_line(message ? message : "");
	f->hint = redact_line(hint ? hint : "");
	if (!f->object || !f->message || !f->hint) {
		free(f->object);
		free(f->message);
		free(f->hint);
		return probe_fail(c, "out of memory");
	}
	r->nfindings++;
	return 0;
}

int probe_add(struct probe_ctx *c, enum rule_id id, int action,
	      const char *object, const char *message, const char *hint)
{
	enum action a = action >= 0 ? (enum action)action : probe_action(c, id);
	if (a == ACTION_OFF)
		return 0;
	return push(c, id, a, false, object, message, hint);
}

int probe_add_msg(struct probe_ctx *c, enum rule_id id, int action,
		  const char *object, char *message, const char *hint)
{
	int rc = message ? probe_add(c, id, action, object, message, hint)
			 : probe_fail(c, "out of memory");
	free(message);
	return rc;
}

int probe_add_take(struct probe_ctx *c, enum rule_id id, int action,
		   const char *object, char *message, char *hint)
{
	if (!hint) {
		free(message);
		return probe_fail(c, "out of memory");
	}
	int rc = probe_add_msg(c, id, action, object, message, hint);
	free(hint);
	return rc;
}

int probe_unknown(struct probe_ctx *c, enum rule_id id, const char *object,
		  const char *message, const char *hint)
{
	if (probe_action(c, id) == ACTION_OFF)
		return 0;
	return push(c, id, ACTION_INFO, true, object, message, hint);
}

int probe_unknown_role(struct probe_ctx *c, enum rule_id id, const char *object,
		       const char *message, const char *predefined)
{
	if (probe_action(c, id) == ACTION_OFF)
		return 0;
	const char *role = probe_fact(c, "role");
	char *hint = probe_fmt("GRANT %s TO %s; -- once: a role membership "
			       "covers every database (GRANT pg_monitor "
			       "includes it)",
			       predefined, role ? role : "<probe role>");
	if (!hint)
		return probe_fail(c, "out of memory");
	int rc = push(c, id, ACTION_INFO, true, object, message, hint);
	free(hint);
	return rc;
}

int probe_note(struct probe_ctx *c, char *note)
{
	struct probe_result *r = c->r;
	if (!note)
		return probe_fail(c, "out of memory");
	char *clean = redact_line(note);
	free(note);
	char **nv = clean ? realloc(r->notes, (r->nnotes + 1) * sizeof(*nv))
			  : NULL;
	if (!nv) {
		free(clean);
		return probe_fail(c, "out of memory");
	}
	r->notes = nv;
	r->notes[r->nnotes++] = clean;
	return 0;
}

int probe_fail(struct probe_ctx *c, const char *fmt, ...)
{
	struct probe_result *r = c->r;
	r->status = PROBE_ERROR;
	if (r->error) /* keep the first cause */
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *raw = NULL;
	int n = vasprintf(&raw, fmt, ap);
	va_end(ap);
	if (n < 0)
		raw = NULL;
	r->error = probe_scrub(c, raw ? raw : "out of memory");
	free(raw);
	return -1;
}

void probe_tls_release(struct probe_tls *t)
{
	free(t->protocol);
	free(t->cipher);
	free(t->subject);
	free(t->issuer);
	free(t->sans);
	free(t->key_type);
	free(t->not_after);
	free(t->note);
	memset(t, 0, sizeof(*t));
}

void probe_results_free(struct probe_result *r, size_t n)
{
	if (!r)
		return;
	for (size_t i = 0; i < n; i++) {
		free(r[i].target);
		free(r[i].error);
		free(r[i].server_version);
		probe_tls_release(&r[i].tls);
		for (size_t j = 0; j < r[i].nfindings; j++) {
			free(r[i].findings[j].object);
			free(r[i].findings[j].message);
			free(r[i].findings[j].hint);
		}
		free(r[i].findings);
		for (size_t j = 0; j < r[i].nnotes; j++)
			free(r[i].notes[j]);
		free(r[i].notes);
	}
	free(r);
}
