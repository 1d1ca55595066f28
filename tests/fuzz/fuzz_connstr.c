/* fuzz_connstr.c — the connection-string scanner and redactor. Property:
 * when the input is "<prefix>postgresql://u:<pw>@h/db<suffix>" with a
 * password of letters and digits, the redacted text never shows
 * "app:<password>@" (the userinfo must come out as "app:****@"). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgadmit/connstr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct connstr_scan sc;
	connstr_scan(text, &sc);
	(void)connstr_is_reference(text);
	free(connstr_redact(text));
	free(connstr_redact_quote(text, 80));

	/* Property check on a generated password. */
	char pw[17];
	size_t n = 0;
	for (size_t i = 0; i < size && n < 16; i++)
		if ((data[i] >= 'a' && data[i] <= 'z') ||
		    (data[i] >= '0' && data[i] <= '9'))
			pw[n++] = (char)data[i];
	pw[n] = '\0';
	if (n >= 6) {
		size_t cut = size / 2;
		size_t len = size + n + 64;
		char *s = malloc(len);
		if (s) {
			memcpy(s, data, cut);
			size_t k = cut;
			/* The prefix may not open a construct that swallows
			 * the URI (a kv value, a ${...} reference, a quote):
			 * the property is about a URI standing as a token. */
			for (size_t i = 0; i < k; i++)
				if (s[i] == '\0' || strchr("=${}()\"'`\\", s[i]))
					s[i] = ' ';
			k += (size_t)snprintf(s + k, len - k,
					      " postgresql://app:%s@db/app ",
					      pw);
			s[k] = '\0';
			char *r = connstr_redact(s);
			/* A leak is the userinfo coming through unmasked. */
			char leak[40];
			snprintf(leak, sizeof(leak), "app:%s@", pw);
			char *in_prefix = memmem(s, cut, leak, strlen(leak));
			if (r && !in_prefix && strstr(r, leak))
				__builtin_trap(); /* password leaked */
			free(r);
			free(s);
		}
	}
	free(text);
	return 0;
}
