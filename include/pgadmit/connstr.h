/*
 * connstr.h — find PostgreSQL connection strings in text, judge them, and
 * redact their passwords.
 *
 * Recognised forms (rules.md "Connection string with a password"):
 *   - URIs with scheme postgres://, postgresql://, postgresql+<driver>://
 *     (userinfo password, password= query parameter, sslmode= parameter);
 *   - jdbc:postgresql:// URLs (password=, sslmode=, ssl= parameters; a
 *     userinfo password is treated like a URI's);
 *   - libpq keyword/value text (password=..., sslmode=..., values may be
 *     single-quoted with backslash escapes);
 *   - a shell assignment PGPASSWORD=<value> inside a command line.
 * The forms may be embedded in longer text (a command line, a config file):
 * connstr_scan() looks for them anywhere in the string.
 *
 * A password that is only a reference is not an inline password
 * (rules.md "Shell reference"): Kubernetes $(VAR), Compose ${VAR} and
 * $${VAR}, $VAR, "${VAR}", ${VAR:-$(< file)}, $(cat file), `cat file`,
 * ${VAR#x} and any other parameter or command expansion, quoted or not,
 * or a run of them (src/core/shellword.c reads the words). A default or
 * alternative that is itself literal (${VAR:-hunter2}, ${VAR:+x},
 * ${VAR=x}) ships in the text: it IS inline, and only it is masked
 * (PGPASSWORD=${PW:-****}). An empty password (postgresql://u:@h,
 * password=, PGPASSWORD= cmd) is not a password either.
 *
 * Who calls it: the manifest rules (PGA102, PGA104) and anything that logs
 * user-provided connection text. Pure functions, thread-safe, no globals.
 */
#ifndef PGADMIT_CONNSTR_H
#define PGADMIT_CONNSTR_H

#include <stdbool.h>
#include <stddef.h>

#include "pgadmit/err.h"

struct connstr_scan {
	size_t count;         /* connection strings (or fragments) seen */
	bool has_password;    /* at least one inline, non-reference password */
	bool ssl_disabled;    /* sslmode=disable|allow, JDBC ssl=false */
	char ssl_setting[32]; /* the offending setting, e.g. "sslmode=disable" */
};

/* Scan text (NUL-terminated) for connection strings; fills *out. Returns
 * out->count. NULL text scans as empty. */
size_t connstr_scan(const char *text, struct connstr_scan *out);

/* Is s, read as one shell word, only expansions ($(VAR), ${VAR}, $VAR,
 * "$VAR", $(cat f), ${VAR:-$OTHER}) with no literal character, and no
 * literal default (${VAR:-x} is not a reference)? An empty string is not
 * a reference. */
bool connstr_is_reference(const char *s);

/* Is s, read as one shell word, only expansions of which at least one has
 * a literal default (${VAR:-hunter2}, "${A:-${B:-x}}")? Such a value is
 * inline (not a reference); callers say so in their message. */
bool connstr_is_literal_default(const char *s);

/* A copy of text with every password replaced by "****": URI userinfo
 * passwords, password= values (URI, JDBC, keyword/value) and PGPASSWORD=
 * shell assignments. References are kept as they are; of a reference with
 * a literal default only the default is masked. Caller frees with
 * free(); NULL on OOM. */
PGADMIT_MUST_CHECK
char *connstr_redact(const char *text);

/* Like connstr_redact, then truncated to at most max bytes (max >= 4) with
 * "..." at the end when cut; control characters become spaces. For quoting
 * user text in a one-line finding message. Caller frees; NULL on OOM. */
PGADMIT_MUST_CHECK
char *connstr_redact_quote(const char *text, size_t max);

#endif
