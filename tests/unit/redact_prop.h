/*
 * redact_prop.h — the redaction property, shared by fuzz_redact (libFuzzer
 * chooses the bytes) and test_redact_property (a fixed sample of them).
 *
 * A case is a password built from unique alphanumeric markers joined by
 * the characters URLs and DSNs allow (@ : / ? & # % = ' " \ space,
 * percent-escapes, UTF-8), written into one connection-string form with
 * the encoding that form requires (URI userinfo or query, JDBC, libpq
 * keyword/value, PGPASSWORD shell word, scheme-less), with or without user,
 * port, path and other parameters, alone or inside a command line. The
 * property: no output pgadmit produces from it — redacted text, the check
 * report in text, JSON and SARIF, the webhook's answers (message, warnings,
 * audit annotations, decoded patch) and the review log line — contains any
 * marker, and the scan reports the password.
 */
#ifndef PGADMIT_REDACT_PROP_H
#define PGADMIT_REDACT_PROP_H

#include <stddef.h>
#include <stdint.h>

#include "pgadmit/policy.h"

#define RP_MARKERS 4

struct redact_case {
	char text[1024];            /* the connection string in context */
	char marker[RP_MARKERS][8]; /* the password's unique markers */
	size_t nmarkers;
	int form;
	int judged; /* connstr_scan must see a password */
};

/* Build a case from bytes (any bytes make a case). */
void redact_case_make(const uint8_t *data, size_t size, struct redact_case *c);

/* Check the connection-string functions alone: NULL, or what failed
 * (static text). */
const char *redact_case_check_text(const struct redact_case *c);

/* Check every surface (check writers, webhook, log line) with policy p:
 * NULL, or what failed (static text). */
const char *redact_case_check_surfaces(const struct redact_case *c,
				       const struct policy *p);

#endif
