/*
 * cpus.c — default worker-thread count (cpus.h).
 *
 * A container sees every CPU of its node, but its CPU limit is a quota:
 * 500m on a 64-CPU node is half a CPU, and 64 threads would each keep a
 * malloc arena and a JSON tree floor (parsemem.h) for no throughput, which
 * breaks the memory arithmetic of docs/memory.md. cgroup v2 publishes the
 * quota in /sys/fs/cgroup/cpu.max as "QUOTA PERIOD" or "max PERIOD".
 */
#include <stdio.h>
#include <unistd.h>

#include "cpus.h"

#ifndef CPU_MAX_FILE /* overridable for a check by hand */
#define CPU_MAX_FILE "/sys/fs/cgroup/cpu.max"
#endif
#define THREADS_MAX 64

unsigned srv_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = n > 0 && n < THREADS_MAX ? (unsigned)n : 2;
	FILE *f = fopen(CPU_MAX_FILE, "r");
	if (!f)
		return threads;
	long long quota = 0, period = 0;
	int got = fscanf(f, "%lld %lld", &quota, &period);
	fclose(f);
	if (got == 2 && quota > 0 && period > 0) {
		long long q = (quota + period - 1) / period; /* rounded up */
		if (q < 1)
			q = 1;
		if ((unsigned long long)q < threads)
			threads = (unsigned)q;
	}
	return threads;
}
