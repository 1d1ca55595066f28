/*
 * cpus.h — how many worker threads pgadmit serve starts by default
 * (server-internal; caller: daemon.c).
 */
#ifndef PGADMIT_SERVER_CPUS_H
#define PGADMIT_SERVER_CPUS_H

/* The CPUs this process may use: the cgroup v2 CPU quota (cpu.max, as a
 * Kubernetes CPU limit sets it) rounded up, else the online CPUs; at least
 * 1, at most 64. */
unsigned srv_default_threads(void);

#endif
