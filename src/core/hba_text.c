/*
 * hba_text.c — pg_hba.conf lines from text (hba.h).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "pgadmit/hba.h"

#define MAX_FIELDS 8

struct field {
	char v[HBA_FIELD_MAX];
	bool quoted;
};

/* One logical line's fields: blanks split, quotes group, '#' ends it, a
 * backslash before the newline joins the next line. */
static size_t split(const char *t, size_t len, size_t *pos, struct field *f,
		    size_t max)
{
	size_t i = *pos, n = 0;
	bool in_field = false, quote = false;
	size_t fl = 0;
	while (i < len) {
		char c = t[i];
		if (!quote && c == '\\') {
			/* a backslash ending the line continues it */
			size_t step = 0;
			if (i + 1 == len)
				step = 1;
			else if (t[i + 1] == '\n')
				step = 2;
			else if (t[i + 1] == '\r' && i + 2 < len &&
				 t[i + 2] == '\n')
				step = 3;
			if (step) {
				i += step;
				c = ' ';
				goto blank;
			}
		}
		if (c == '\n')
			break;
		if (!quote && c == '#') {
			while (i < len && t[i] != '\n')
				i++;
			break;
		}
		i++;
		if (c == '"') {
			if (quote && i < len && t[i] == '"') {
				i++; /* "" inside quotes: a quote */
			} else {
				quote = !quote;
				if (!in_field && n < max) {
					in_field = true;
					fl = 0;
					f[n].quoted = false;
				}
				if (n < max)
					f[n].quoted = true;
				continue;
			}
		}
blank:
		if (!quote && (isspace((unsigned char)c) || c == '\0')) {
			if (in_field) {
				in_field = false;
				n++;
			}
			continue;
		}
		if (!in_field) {
			in_field = true;
			fl = 0;
			if (n < max)
				f[n].quoted = false;
		}
		if (n < max && fl + 1 < sizeof(f[n].v)) {
			f[n].v[fl++] = c;
			f[n].v[fl] = '\0';
		}
	}
	if (in_field)
		n++;
	if (i < len && t[i] == '\n')
		i++;
	*pos = i;
	return n < max ? n : max;
}

/* Copy, cut to cap (fields longer than a buffer are cut). */
static void copy(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

bool hba_next_line(const char *text, size_t len, size_t *pos,
		   struct hba_line *out)
{
	memset(out, 0, sizeof(*out));
	if (*pos >= len)
		return false;
	struct field f[MAX_FIELDS];
	for (size_t k = 0; k < MAX_FIELDS; k++) {
		f[k].v[0] = '\0';
		f[k].quoted = false;
	}
	size_t n = split(text, len, pos, f, MAX_FIELDS);
	if (n == 0) {
		out->type = HBA_NONE;
		return true;
	}
	copy(out->conn, sizeof(out->conn), f[0].v);
	const char *ty = f[0].v;
	if (strncasecmp(ty, "include", 7) == 0) {
		out->type = HBA_INCLUDE;
		return true;
	}
	if (strcasecmp(ty, "local") == 0) {
		if (n < 4) {
			out->type = HBA_BAD;
			return true;
		}
		out->type = HBA_LOCAL;
		copy(out->database, sizeof(out->database), f[1].v);
		copy(out->user, sizeof(out->user), f[2].v);
		copy(out->method, sizeof(out->method), f[3].v);
		return true;
	}
	static const char *const hosts[] = {"host", "hostssl", "hostnossl",
					    "hostgssenc", "hostnogssenc"};
	bool host = false;
	for (size_t k = 0; k < sizeof(hosts) / sizeof(*hosts); k++)
		host |= strcasecmp(ty, hosts[k]) == 0;
	if (!host || n < 5) {
		out->type = HBA_BAD;
		return true;
	}
	out->type = HBA_HOST;
	copy(out->database, sizeof(out->database), f[1].v);
	copy(out->user, sizeof(out->user), f[2].v);
	copy(out->address, sizeof(out->address), f[3].v);
	out->address_quoted = f[3].quoted;
	/* An IP address without '/' takes its mask from the next field,
	 * which must then be followed by the method. */
	bool ipish = strchr(f[3].v, '/') == NULL &&
		     (isdigit((unsigned char)f[3].v[0]) || strchr(f[3].v, ':'));
	if (ipish && n >= 6) {
		copy(out->netmask, sizeof(out->netmask), f[4].v);
		copy(out->method, sizeof(out->method), f[5].v);
	} else {
		copy(out->method, sizeof(out->method), f[4].v);
	}
	return true;
}
