/* fuzz_hba.c — pg_hba.conf text as the manifest rules will read it
 * (hba_next_line), each host rule's address through the probe's own
 * classifier. Any bytes: no crash, no over-read, the position always moves
 * forward, and fields are C strings (a NUL byte in the text is a blank). */
#include <stdint.h>

#include "pgadmit/hba.h"
#include "pgadmit/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = (const char *)data;
	size_t pos = 0, last = 0;
	struct hba_line l;
	while (hba_next_line(t, size, &pos, &l)) {
		if (pos <= last && size > 0)
			__builtin_trap(); /* no progress: would loop */
		last = pos;
		if (l.type == HBA_HOST)
			(void)probe_hba_classify(l.address,
						 l.netmask[0] ? l.netmask : NULL);
	}
	return 0;
}
