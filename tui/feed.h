/* Snapshots taken (or read from files) in a background thread. */
#ifndef GOSCOPE_TUI_FEED_H
#define GOSCOPE_TUI_FEED_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"
#include "capture/capture.h"
#include "snapshot/diff.h"
#include "snapshot/group.h"
#include "snapshot/snap.h"

enum feed_what {
	FEED_NATIVE = 1 << 0,	/* also every thread's native stack */
};

enum feed_event {
	FEED_SNAPSHOT,		/* snap is the newest snapshot */
	FEED_BASELINE,		/* snap is the baseline file */
	FEED_ERROR,		/* a capture or a file failed: error, e */
	FEED_DIFF,		/* diff of diff_a and diff_b at diff_level */
};

struct feed_result {
	enum feed_event ev;
	struct snap *snap;	/* owned by the receiver */
	struct grouping gr;	/* snap grouped at the requested level */
	int error;		/* negative errno */
	struct err e;
	int native;		/* threads carry native stacks */
	size_t file;		/* files: index into the paths */
	uint64_t took_ns;	/* wall time of the capture or read */
	struct diff diff;	/* FEED_DIFF: owned by the receiver */
	const struct snap *diff_a, *diff_b;
	enum group_level diff_level;
};

struct feed;

/*
 * Starts the thread for the live process pid.  cap (may be NULL for a
 * program that is not Go: then every snapshot is a threads capture) is
 * owned by the feed from now on; main_module (may be NULL) is copied.
 * Every result is announced by writing a byte to notify_fd.  The thread
 * takes snapshots only when asked (feed_request).
 *
 * Signals: the thread unblocks SIGINT, SIGTERM, SIGHUP and SIGQUIT (the
 * caller blocks them in its own thread before starting the feed), so
 * that they reach the thread that stops the target, and blocks SIGWINCH
 * and SIGTSTP.  Returns 0 and *out, or a negative errno with e set.
 */
int feed_start_live(pid_t pid, struct capture *cap, const char *main_module,
		    int notify_fd, struct feed **out, struct err *e);

/*
 * Starts the thread that reads the snapshot files paths[0..n) (borrowed
 * until feed_stop) in order, one result each, and first baseline (may
 * be NULL) as a FEED_BASELINE result.  Core files among the paths are
 * captured with co (NULL: the defaults) and the executable exe (NULL:
 * found from the core); exe and co are borrowed too.
 */
int feed_start_files(char *const *paths, size_t n, const char *baseline,
		     const char *exe, const struct capture_opts *co,
		     enum group_level level, int notify_fd,
		     struct feed **out, struct err *e);

/*
 * Asks for a snapshot now (what: enum feed_what), grouped at level.
 * Returns 0, or -EBUSY while one is being taken.
 */
int feed_request(struct feed *f, unsigned int what, enum group_level level);

/*
 * Asks for diff_snaps(a, b, level) (a FEED_DIFF result), replacing a
 * diff asked for before that has not started.  a and b must stay alive
 * until the result arrives: snapshots handed to feed_dispose are freed
 * only between two jobs, after the results before them were posted.
 */
void feed_request_diff(struct feed *f, const struct snap *a,
		       const struct snap *b, enum group_level level);

/* 1 while a snapshot is being taken (since *since_ns, monotonic). */
int feed_busy(struct feed *f, uint64_t *since_ns);

/* Takes the oldest result: returns 1 and *out, or 0 when none. */
int feed_take(struct feed *f, struct feed_result *out);

/*
 * Frees snapshot s in the feed's thread, after any snapshot being taken
 * (freeing a large snapshot takes tens of milliseconds).  arg is the
 * feed; for model_set_dispose.
 */
void feed_dispose(struct snap *s, void *arg);

/* Releases a result's snapshot and grouping (after feed_take). */
void feed_result_release(struct feed_result *r);

/*
 * Stops the thread (an unfinished snapshot is completed first: the
 * target is never left stopped) and frees everything.
 */
void feed_stop(struct feed *f);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t feed_now_ns(void);

#endif
