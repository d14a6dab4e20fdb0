/* The processes of the host, as /proc lists them. */
#ifndef GOSCOPE_INSPECT_PROCLIST_H
#define GOSCOPE_INSPECT_PROCLIST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

/* At most this many processes are listed. */
#define PROCLIST_MAX 65536

/*
 * The pids of every process /proc shows, ascending (threads left out).
 * Returns 0 and *out (caller frees) with *n, or a negative errno with e
 * set.
 */
int proclist_pids(pid_t **out, size_t *n, struct err *e);

/* Resident memory of pid in bytes (/proc/PID/statm), or 0 when unknown. */
uint64_t proclist_rss(pid_t pid);

/*
 * 1 when this process may read pid's memory and stop it: pid is not
 * traced by another process, and /proc/PID/mem opens for reading (the
 * kernel's own ptrace access check).  0 otherwise, with the reason in
 * why (one line, empty when unknown).
 */
int proclist_may_attach(pid_t pid, char *why, size_t size);

#endif
