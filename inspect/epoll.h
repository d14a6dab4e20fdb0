/* The epoll registrations of a process, from /proc/PID/fdinfo. */
#ifndef GOSCOPE_INSPECT_EPOLL_H
#define GOSCOPE_INSPECT_EPOLL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

/* Bounds on what one process may register with us. */
#define EPOLL_MAX_TARGETS 1000000u
#define EPOLL_MAX_INSTANCES 64u

/* One file descriptor watched by an epoll instance of the process. */
struct epoll_target {
	int epfd;		/* the epoll instance */
	int tfd;		/* the watched descriptor */
	uint32_t events;
	uint64_t data;		/* epoll_event.data as registered */
};

/*
 * Parses the text of /proc/PID/fdinfo/EPFD (len bytes, not necessarily
 * NUL-terminated): appends one entry per "tfd:" line to *out (grown with
 * xrealloc; *n entries, *alloc allocated), at most EPOLL_MAX_TARGETS in
 * all.  Malformed lines are skipped.  Returns the number appended.
 */
size_t epoll_fdinfo_parse(const char *buf, size_t len, int epfd,
			  struct epoll_target **out, size_t *n,
			  size_t *alloc);

/*
 * Lists what every epoll instance of pid watches (the descriptors whose
 * /proc/PID/fd link is "anon_inode:[eventpoll]").  Reads /proc only; does
 * not stop the process.  Returns 0 and *out (free() it; *n entries, may
 * be 0), or a negative errno with e set.
 */
int epoll_targets(pid_t pid, struct epoll_target **out, size_t *n,
		  struct err *e);

#endif
