/* cidr.c — see cidr.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"

static uint32_t mask_of(int len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

/* Parse a prefix length "/n" tail (digits only, <= max). */
static bool parse_len(const char *s, int max, int *len)
{
	if (!*s || strlen(s) > 3)
		return false;
	int v = 0;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
		v = v * 10 + (*s - '0');
	}
	if (v > max)
		return false;
	*len = v;
	return true;
}

bool cidr_parse4(const char *s, uint32_t *net, int *len)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	int l = 32;
	if (alen == 0 || alen >= sizeof(buf))
		return false;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	struct in_addr a;
	if (inet_pton(AF_INET, buf, &a) != 1)
		return false;
	if (slash && !parse_len(slash + 1, 32, &l))
		return false;
	*net = ntohl(a.s_addr) & mask_of(l);
	*len = l;
	return true;
}

static bool inside4(uint32_t net, int len, uint32_t pnet, int plen)
{
	return len >= plen && (net & mask_of(plen)) == pnet;
}

bool cidr_is_internal(const char *s)
{
	static const struct {
		uint32_t net;
		int len;
	} priv[] = {
		{0x0a000000u, 8},  /* 10.0.0.0/8 */
		{0xac100000u, 12}, /* 172.16.0.0/12 */
		{0xc0a80000u, 16}, /* 192.168.0.0/16 */
		{0x64400000u, 10}, /* 100.64.0.0/10 (CGNAT, used by clusters) */
	};
	uint32_t net;
	int len;
	if (!s)
		return false;
	while (isspace((unsigned char)*s))
		s++;
	if (cidr_parse4(s, &net, &len)) {
		for (size_t i = 0; i < sizeof(priv) / sizeof(*priv); i++)
			if (inside4(net, len, priv[i].net, priv[i].len))
				return true;
		return false;
	}
	/* IPv6: only unique local addresses fc00::/7 count as internal. */
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	int l = 128;
	if (alen == 0 || alen >= sizeof(buf))
		return false;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	unsigned char a6[16];
	if (inet_pton(AF_INET6, buf, a6) != 1)
		return false;
	if (slash && !parse_len(slash + 1, 128, &l))
		return false;
	return l >= 7 && (a6[0] & 0xfe) == 0xfc;
}
