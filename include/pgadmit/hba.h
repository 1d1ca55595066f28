/*
 * hba.h — pg_hba.conf text, line by line, as the manifest rules read it
 * (a ConfigMap key ending in hba.conf, an operator's pg_hba list): the same
 * fields PostgreSQL's own parser yields in pg_hba_file_rules, so that the
 * address of each rule is classified by the probe's code
 * (probe_hba_classify) whichever side read it.
 *
 * Syntax followed (PostgreSQL 13-18 docs, "The pg_hba.conf File"): fields
 * separated by blanks; '#' starts a comment outside double quotes; a
 * field may be double-quoted (a quoted keyword loses its meaning, "" is a
 * quote); a backslash at the end of a line continues it (16+); `include*`
 * lines are reported as such. Pure functions, thread-safe.
 */
#ifndef PGADMIT_HBA_H
#define PGADMIT_HBA_H

#include <stdbool.h>
#include <stddef.h>

#define HBA_FIELD_MAX 256 /* longer fields are cut (and still classified) */

enum hba_type {
	HBA_NONE,    /* blank or comment */
	HBA_LOCAL,
	HBA_HOST,    /* host, hostssl, hostnossl, hostgssenc, hostnogssenc */
	HBA_INCLUDE, /* include, include_if_exists, include_dir */
	HBA_BAD,     /* too few fields or an unknown type */
};

struct hba_line {
	enum hba_type type;
	char conn[16];               /* the connection type word */
	char database[HBA_FIELD_MAX];
	char user[HBA_FIELD_MAX];
	char address[HBA_FIELD_MAX]; /* host types only */
	char netmask[HBA_FIELD_MAX]; /* "" unless a separate mask follows */
	char method[32];
	bool address_quoted;         /* "all" quoted is a host name */
};

/*
 * Parse the next logical line of text starting at *pos (continuations
 * joined); *pos moves past it. Returns false at the end of the text.
 */
bool hba_next_line(const char *text, size_t len, size_t *pos,
		   struct hba_line *out);

#endif
