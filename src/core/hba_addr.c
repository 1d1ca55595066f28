/*
 * hba_addr.c — pure parsers for what the server says about client
 * authentication: pg_hba_file_rules' address/netmask columns, its text[]
 * columns, and listen_addresses. No libpq; fuzzed by tests/fuzz/fuzz_probe.c.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "pgadmit/hba.h"

struct range {
	int family; /* 0: everything ("all"), AF_INET, AF_INET6 */
	unsigned char a[16];
	int prefix;
};

/* Prefix length of a contiguous mask, or -1. */
static int mask_prefix(const unsigned char *m, int bytes)
{
	int n = 0, i = 0;
	for (; i < bytes && m[i] == 0xff; i++)
		n += 8;
	if (i < bytes) {
		unsigned char b = m[i];
		while (b & 0x80) {
			n++;
			b = (unsigned char)(b << 1);
		}
		if (b)
			return -1;
		for (i++; i < bytes; i++)
			if (m[i])
				return -1;
	}
	return n;
}

static int parse_prefix(const char *s, int max)
{
	if (!*s || strlen(s) > 3)
		return -1;
	int v = 0;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v <= max ? v : -1;
}

/* An IP range from "addr" + optional netmask, or "addr/len". */
static int parse_range(const char *address, const char *netmask,
		       struct range *r)
{
	char buf[INET6_ADDRSTRLEN + 8];
	if (!address || strlen(address) >= sizeof(buf))
		return -1;
	strcpy(buf, address);
	char *slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	memset(r, 0, sizeof(*r));
	int bytes;
	if (inet_pton(AF_INET, buf, r->a) == 1) {
		r->family = AF_INET;
		bytes = 4;
	} else if (inet_pton(AF_INET6, buf, r->a) == 1) {
		r->family = AF_INET6;
		bytes = 16;
	} else {
		return -1;
	}
	r->prefix = bytes * 8;
	if (slash) {
		r->prefix = parse_prefix(slash, bytes * 8);
	} else if (netmask && *netmask) {
		unsigned char m[16];
		if (inet_pton(r->family, netmask, m) != 1)
			return -1;
		r->prefix = mask_prefix(m, bytes);
	}
	if (r->prefix < 0)
		return -1;
	/* mask off host bits */
	for (int i = 0; i < bytes; i++) {
		int keep = r->prefix - i * 8;
		if (keep <= 0)
			r->a[i] = 0;
		else if (keep < 8)
			r->a[i] &= (unsigned char)(0xff << (8 - keep));
	}
	return 0;
}

static bool in_range(const struct range *outer, const struct range *inner)
{
	if (outer->family == 0)
		return true;
	if (outer->family != inner->family || outer->prefix > inner->prefix)
		return false;
	int full = outer->prefix / 8, rest = outer->prefix % 8;
	if (memcmp(outer->a, inner->a, (size_t)full) != 0)
		return false;
	if (rest) {
		unsigned char m = (unsigned char)(0xff << (8 - rest));
		if ((outer->a[full] & m) != (inner->a[full] & m))
			return false;
	}
	return true;
}

static bool is_hostname(const char *s)
{
	if (!*s || strlen(s) > 253)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '-' &&
		    *s != '_')
			return false;
	return true;
}

static bool range_is_loopback(const struct range *r)
{
	static const unsigned char v6_loop[16] = {[15] = 1};
	static const unsigned char v4_mapped[12] = {[10] = 0xff, [11] = 0xff};
	if (r->family == AF_INET)
		return r->prefix >= 8 && r->a[0] == 127;
	if (r->family == AF_INET6) {
		if (r->prefix == 128 && memcmp(r->a, v6_loop, 16) == 0)
			return true;
		return r->prefix >= 104 && memcmp(r->a, v4_mapped, 12) == 0 &&
		       r->a[12] == 127;
	}
	return false;
}

enum hba_addr probe_hba_classify(const char *address, const char *netmask)
{
	if (!address || !*address)
		return HBA_ADDR_INVALID;
	if (strcmp(address, "all") == 0)
		return HBA_ADDR_ALL;
	if (strcmp(address, "samehost") == 0)
		return HBA_ADDR_LOCAL;
	if (strcmp(address, "samenet") == 0)
		return HBA_ADDR_NET;
	struct range r;
	if (parse_range(address, netmask, &r) == 0) {
		if (r.prefix == 0)
			return HBA_ADDR_ALL;
		return range_is_loopback(&r) ? HBA_ADDR_LOCAL : HBA_ADDR_NET;
	}
	if (netmask && *netmask) /* a mask goes with an IP address only */
		return HBA_ADDR_INVALID;
	if (strcasecmp(address, "localhost") == 0)
		return HBA_ADDR_LOCAL;
	return is_hostname(address) ? HBA_ADDR_NET : HBA_ADDR_INVALID;
}

bool probe_hba_covers(const char *addr_a, const char *mask_a,
		      const char *addr_b, const char *mask_b)
{
	if (!addr_a || !addr_b)
		return false;
	if (strcmp(addr_a, "all") == 0)
		return true;
	struct range a, b;
	if (parse_range(addr_a, mask_a, &a) == 0 &&
	    parse_range(addr_b, mask_b, &b) == 0)
		return in_range(&a, &b);
	/* names and samehost/samenet cover only themselves */
	return strcmp(addr_a, addr_b) == 0 &&
	       strcmp(mask_a ? mask_a : "", mask_b ? mask_b : "") == 0;
}

bool probe_pgarray_is_all(const char *s)
{
	return s && strcmp(s, "{all}") == 0;
}

/* Private, link-local, CGNAT and loopback ranges: not public. */
static bool is_private(const struct range *r)
{
	static const char *const nets[] = {"10.0.0.0/8",     "172.16.0.0/12",
					   "192.168.0.0/16", "100.64.0.0/10",
					   "169.254.0.0/16", "127.0.0.0/8",
					   "fc00::/7",       "fe80::/10",
					   "::1/128"};
	for (size_t i = 0; i < sizeof(nets) / sizeof(*nets); i++) {
		struct range n;
		if (parse_range(nets[i], NULL, &n) == 0 && in_range(&n, r))
			return true;
	}
	return false;
}

static bool token_is_open(const char *t)
{
	if (!*t || strcasecmp(t, "localhost") == 0)
		return false;
	if (strcmp(t, "*") == 0)
		return true;
	struct range r;
	if (parse_range(t, NULL, &r) == 0) {
		static const unsigned char zero[16];
		if (memcmp(r.a, zero, 16) == 0) /* 0.0.0.0, :: */
			return true;
		return !is_private(&r);
	}
	/* a host name: what it resolves to on the server is unknown here,
	 * so it counts as open */
	return true;
}

bool probe_listen_is_open(const char *s)
{
	if (!s)
		return false;
	char tok[256];
	while (*s) {
		while (*s == ' ' || *s == ',' || *s == '\t')
			s++;
		size_t n = strcspn(s, ",");
		size_t m = n;
		while (m > 0 && (s[m - 1] == ' ' || s[m - 1] == '\t'))
			m--;
		if (m > 0) {
			if (m >= sizeof(tok))
				return true; /* cannot be judged: say open */
			memcpy(tok, s, m);
			tok[m] = '\0';
			if (token_is_open(tok))
				return true;
		}
		s += n;
	}
	return false;
}

int probe_hba_prefix(const char *address, const char *netmask)
{
	struct range r;
	if (parse_range(address, netmask, &r) != 0)
		return -1;
	return r.prefix;
}
