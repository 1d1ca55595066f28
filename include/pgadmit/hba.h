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
 *
 * Layer: policy (src/core/hba_text.c, hba_addr.c), below both users: the
 * probe (PGA202, PGA251, PGA252 on pg_hba_file_rules) and the manifest
 * rules (PGA105 on ConfigMaps and operators' hba lists). The address
 * functions keep their probe_ names (the probe's classification, moved
 * down a layer unchanged).
 */
#ifndef PGADMIT_HBA_H
#define PGADMIT_HBA_H

#include <stdbool.h>
#include <stddef.h>

#define HBA_FIELD_MAX 256 /* longer fields are cut (and still classified) */

enum hba_type {
	HBA_NONE, /* blank or comment */
	HBA_LOCAL,
	HBA_HOST,    /* host, hostssl, hostnossl, hostgssenc, hostnogssenc */
	HBA_INCLUDE, /* include, include_if_exists, include_dir */
	HBA_BAD,     /* too few fields or an unknown type */
};

struct hba_line {
	enum hba_type type;
	char conn[16]; /* the connection type word */
	char database[HBA_FIELD_MAX];
	char user[HBA_FIELD_MAX];
	char address[HBA_FIELD_MAX]; /* host types only */
	char netmask[HBA_FIELD_MAX]; /* "" unless a separate mask follows */
	char method[32];
	bool address_quoted; /* "all" quoted is a host name */
};

/*
 * Parse the next logical line of text starting at *pos (continuations
 * joined); *pos moves past it. Returns false at the end of the text.
 */
bool hba_next_line(const char *text, size_t len, size_t *pos,
		   struct hba_line *out);

/* Address classes of a pg_hba.conf rule's address/netmask columns. */
enum hba_addr {
	HBA_ADDR_LOCAL,   /* loopback only: 127.0.0.0/8, ::1, localhost,
			   * samehost */
	HBA_ADDR_NET,     /* a non-local range that is not everything */
	HBA_ADDR_ALL,     /* all, 0.0.0.0/0, ::/0 */
	HBA_ADDR_INVALID, /* does not parse */
};
/* address: "all", "samehost", "samenet", a host name (".example.com"),
 * or an IP; netmask: NULL/"" or a dotted/colon mask. */
enum hba_addr probe_hba_classify(const char *address, const char *netmask);
/* Does the earlier rule's address range cover the later one's? Both as in
 * probe_hba_classify. Unparseable ranges cover nothing. */
bool probe_hba_covers(const char *addr_a, const char *mask_a,
		      const char *addr_b, const char *mask_b);
/* Prefix length of an IP address/netmask pair ("10.0.0.0", "255.0.0.0"
 * -> 8), or -1 when it is not an IP range. */
int probe_hba_prefix(const char *address, const char *netmask);
/* A text[] literal as PostgreSQL prints it ("{all}", "{a,\"b c\"}"):
 * is the single element "all"? Malformed input is false. */
bool probe_pgarray_is_all(const char *s);
/* listen_addresses: "*" / wildcard / a public (non-loopback, non-private)
 * address / a host name other than localhost makes it open. */
bool probe_listen_is_open(const char *listen_addresses);

#endif
