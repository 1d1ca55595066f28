/*
 * clock.h — the monotonic clock, one copy: deadlines and durations never
 * follow the wall clock (NTP steps, manual changes).
 */
#ifndef PGADMIT_CLOCK_H
#define PGADMIT_CLOCK_H

/* Milliseconds of CLOCK_MONOTONIC (an arbitrary origin). */
long long clock_ms(void);
/* The same with the sub-millisecond fraction, for durations. */
double clock_ms_f(void);

#endif
