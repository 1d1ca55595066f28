/* fuzz_probe.c — the probe's parsers of server answers and of its own
 * inputs. The first byte picks the parser:
 *   0  pg_hba address/netmask pairs (classify, prefix, covers); property:
 *      an IP range covers itself
 *   1  listen_addresses and text[] literals
 *   2  a DER certificate (subject, issuer, SANs, key, dates)
 *   3  a DSN file: parse, shard, name every target; property: a
 *      generated password never shows in a target's name */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/probe.h"

static char *dup0(const uint8_t *d, size_t n)
{
	char *s = malloc(n + 1);
	if (s) {
		memcpy(s, d, n);
		s[n] = '\0';
	}
	return s;
}

static void hba(char *s)
{
	char *f[4] = {s, NULL, NULL, NULL};
	for (int i = 1; i < 4 && f[i - 1]; i++) {
		char *nl = strchr(f[i - 1], '\n');
		if (nl) {
			*nl = '\0';
			f[i] = nl + 1;
		}
	}
	for (int i = 0; i < 4; i += 2) {
		(void)probe_hba_classify(f[i], f[i + 1]);
		if (probe_hba_prefix(f[i], f[i + 1]) >= 0 &&
		    !probe_hba_covers(f[i], f[i + 1], f[i], f[i + 1]))
			abort(); /* a range must cover itself */
	}
	(void)probe_hba_covers(f[0], f[1], f[2], f[3]);
	(void)probe_hba_covers(f[2], f[3], f[0], f[1]);
}

static void name_property(const uint8_t *d, size_t n, const char *rest)
{
	char pw[24] = "Zq9";
	size_t k = 3;
	for (size_t i = 0; i < n && k < 19; i++)
		if ((d[i] >= 'a' && d[i] <= 'z') || (d[i] >= 'A' && d[i] <= 'Z'))
			pw[k++] = (char)d[i];
	pw[k] = '\0';
	if (k < 7 || strstr(rest, pw))
		return;
	char *forms[2] = {NULL, NULL};
	if (asprintf(&forms[0], "host=h password=%s %s", pw, rest) < 0)
		forms[0] = NULL;
	if (asprintf(&forms[1], "postgresql://u:%s@%s", pw, rest) < 0)
		forms[1] = NULL;
	for (int i = 0; i < 2; i++) {
		if (!forms[i])
			continue;
		char *name = probe_target_name(forms[i]);
		if (name && strstr(name, pw)) {
			fprintf(stderr, "password in name: %s -> %s\n",
				forms[i], name);
			abort();
		}
		free(name);
		free(forms[i]);
	}
}

static void dsn_file(const uint8_t *d, size_t n, const char *s)
{
	struct probe_targets t = {0};
	struct err e;
	if (probe_targets_parse(&t, (const char *)d, n, "fuzz", &e) == 0) {
		probe_targets_shard(&t, (unsigned)(n % 3), 3);
		for (size_t i = 0; i < t.n && i < 16; i++)
			free(probe_target_name(t.dsn[i]));
	}
	probe_targets_free(&t);
	name_property(d, n, s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;
	const uint8_t *d = data + 1;
	size_t n = size - 1;
	char *s = dup0(d, n);
	if (!s)
		return 0;
	switch (data[0] % 4) {
	case 0: hba(s); break;
	case 1:
		(void)probe_listen_is_open(s);
		(void)probe_pgarray_is_all(s);
		break;
	case 2: {
		struct probe_tls t = {0};
		(void)!probe_cert_from_der(d, n, &t);
		probe_tls_release(&t);
		break;
	}
	case 3: dsn_file(d, n, s); break;
	}
	free(s);
	return 0;
}
