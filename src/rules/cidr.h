/*
 * cidr.h — address ranges for PGA101's internal load balancer test.
 *
 * Private to src/rules. IPv4 ranges are internal when inside 10.0.0.0/8,
 * 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10. IPv6 ranges are internal
 * only inside fc00::/7 (unique local addresses, RFC 4193: the IPv6
 * counterpart of RFC 1918). 0.0.0.0/0 and ::/0 are never internal.
 */
#ifndef PGADMIT_RULES_CIDR_H
#define PGADMIT_RULES_CIDR_H

#include <stdbool.h>
#include <stdint.h>

/* "a.b.c.d/n" or "a.b.c.d" (= /32). Host bits are masked off. */
bool cidr_parse4(const char *s, uint32_t *net, int *len);
/* Is range s (IPv4 or IPv6 CIDR) inside the private ranges above? Anything
 * that does not parse is not internal. */
bool cidr_is_internal(const char *s);

#endif
