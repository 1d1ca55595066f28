/*
 * action.h — what a rule does when it fires.
 *
 * Ordered by severity so that comparisons read naturally:
 * ACTION_DENY > ACTION_WARN > ACTION_ANNOTATE > ACTION_INFO > ACTION_OFF.
 * "info" is never configured: it is the action of a finding that records an
 * opt-out (pgadmit.dev/ignore-<slug>) or an "unknown" probe result.
 */
#ifndef PGADMIT_ACTION_H
#define PGADMIT_ACTION_H

enum action {
	ACTION_OFF = 0,
	ACTION_INFO,
	ACTION_ANNOTATE,
	ACTION_WARN,
	ACTION_DENY,
};

/* "off", "info", "annotate", "warn", "deny". */
const char *action_name(enum action a);
/* Parses "deny|warn|annotate|off" (and "info" when allow_info). -1 if not. */
int action_parse(const char *s, int allow_info);

/* --fail-on threshold: FAIL_ON_NEVER never fails. */
enum fail_on { FAIL_ON_DENY, FAIL_ON_WARN, FAIL_ON_NEVER };
int fail_on_parse(const char *s); /* -1 if invalid */
/* Does a finding with action a reach the threshold? */
int action_fails(enum action a, enum fail_on f);

#endif
