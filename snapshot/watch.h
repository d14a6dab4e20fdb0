/* Leak watch: goroutine counts over repeated snapshots and a verdict. */
#ifndef GOSCOPE_SNAPSHOT_WATCH_H
#define GOSCOPE_SNAPSHOT_WATCH_H

#include <stddef.h>
#include <stdint.h>

#include "lib/strbuf.h"
#include "snapshot/group.h"
#include "snapshot/leak.h"
#include "snapshot/rules.h"
#include "snapshot/snap.h"

struct watch_cfg {
	enum group_level level;
	unsigned int flags;		/* group_snap flags */
	const struct rules *rules;	/* may be NULL; borrowed */
	struct leak_cfg leak;	/* the rule (leak_cfg_init: defaults) */
};

#define WATCH_NSTATUS 12	/* snap_status values, then "other" */

struct watch_sample {
	size_t seq;		/* 1, 2, ... */
	int64_t time_unix_ns;
	uint64_t pause_ns;
	size_t total;
	long long delta;	/* total minus the previous total */
	size_t by_status[WATCH_NSTATUS];
	size_t ignored;
	size_t ngroups;
};

struct watch_suspect {
	uint64_t id;
	const char *state;	/* strings owned by the watch */
	const char *user_func, *user_file;
	int user_line;
	const char *created_func, *created_file;
	int created_line;
	int64_t oldest_wait_ns;	/* -1 when unknown; GC-stamped, approximate */
	int64_t age_min_ns;	/* goscope saw its oldest this long ago, -1 */
	int proven;		/* the runtime marked them leaked */
	size_t count;		/* goroutines in the last snapshot */
	struct leak_result res;	/* the rule's figures (zero when proven) */
	struct leak_point *series;	/* the window's points, oldest first */
	size_t nseries;
};

struct watch_verdict {
	enum leak_state state;	/* LEAK_SUSPECT also for proven leaks */
	int decided;		/* the snapshots cover the window */
	size_t nsamples;
	size_t npoints;		/* points in the window */
	int64_t span_ns;	/* time they cover */
	size_t total_first, total_last;	/* totals at both ends */
	size_t nleaked;		/* goroutines the runtime marked leaked */
	size_t failures;	/* snapshots that could not be taken */
	size_t problems;	/* taken with a problem (snap_problems) */
	int last_failed;	/* the last one could not be taken */
	struct watch_suspect *suspects;	/* proven first, then by growth */
	size_t nsuspects;
};

struct watch;

/* A new watch; cfg is copied (zero fields take the defaults). */
struct watch *watch_new(const struct watch_cfg *cfg);
void watch_free(struct watch *w);

/*
 * Groups s and records its counts; s may be freed afterwards.  Fills
 * in the honest ages of s's goroutines (ages_update: the snapshots
 * added must be of one process, in order).  Fills out; with grouped
 * non-NULL, hands the grouping of s to the caller (who releases it with
 * grouping_release, and may render it with fmt_metrics).
 */
void watch_add(struct watch *w, struct snap *s,
	       struct watch_sample *out, struct grouping *grouped);

/*
 * The verdict of the leak rule (leak_judge) over the window: every
 * group it suspects, and every group of goroutines the runtime itself
 * marked leaked (Go 1.26+ leak profile) in the last snapshot.
 * LEAK_UNDECIDED while the snapshots do not cover the window and
 * nothing is proven.  v is valid until the next watch_add or
 * watch_free; release it with watch_verdict_release.
 */
/* Counts a snapshot that could not be taken (for the metrics). */
void watch_capture_failed(struct watch *w);

void watch_verdict(struct watch *w, struct watch_verdict *v);
void watch_verdict_release(struct watch_verdict *v);

/*
 * The verdict on one group (by id), as watch_verdict judges it:
 * LEAK_UNDECIDED while the snapshots do not cover the window (unless the
 * runtime marked the group leaked), LEAK_SUSPECT for a group that
 * watch_verdict lists, LEAK_STABLE otherwise (also for a group absent
 * from the last snapshot).
 */
enum leak_state watch_group_state(const struct watch *w, uint64_t id);

/* The configuration with defaults applied. */
const struct watch_cfg *watch_config(const struct watch *w);

#endif
