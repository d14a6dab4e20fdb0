/* Leak watch: goroutine counts over repeated snapshots and a verdict. */
#ifndef GOSCOPE_SNAPSHOT_WATCH_H
#define GOSCOPE_SNAPSHOT_WATCH_H

#include <stddef.h>
#include <stdint.h>

#include "lib/strbuf.h"
#include "snapshot/group.h"
#include "snapshot/rules.h"
#include "snapshot/snap.h"

struct watch_cfg {
	enum group_level level;
	unsigned int flags;		/* group_snap flags */
	const struct rules *rules;	/* may be NULL; borrowed */
	size_t tolerance;	/* stable: totals within this (default 3) */
	size_t window;		/* K: growth in each of the last K (3) */
	size_t min_growth;	/* M: by at least this each time (1) */
	size_t span;		/* snapshots the verdict looks at (10) */
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
	int64_t oldest_wait_ns;	/* -1 when unknown */
	size_t series[64];	/* counts, oldest first */
	size_t nseries;
};

struct watch_verdict {
	int leak;		/* 1: leak suspected */
	size_t nsamples;
	size_t span;		/* snapshots looked at */
	size_t spread;		/* max - min total over them */
	struct watch_suspect *suspects;
	size_t nsuspects;
};

struct watch;

/* A new watch; cfg is copied (zero fields take the defaults). */
struct watch *watch_new(const struct watch_cfg *cfg);
void watch_free(struct watch *w);

/*
 * Groups s and records its counts; s may be freed afterwards.  Fills
 * out; with metrics non-NULL, appends the OpenMetrics exposition of s.
 */
void watch_add(struct watch *w, const struct snap *s,
	       struct watch_sample *out, struct strbuf *metrics);

/*
 * The verdict over the last span snapshots: "leak suspected" when a
 * group grew by at least min_growth in each of the last window
 * snapshots and by more than tolerance over the span; otherwise
 * "stable".  v is valid until the next watch_add or watch_free.
 */
void watch_verdict(struct watch *w, struct watch_verdict *v);
void watch_verdict_release(struct watch_verdict *v);

enum watch_format { WATCH_TEXT, WATCH_JSON, WATCH_OPENMETRICS };

/* One line per sample (text, or a JSON object per line). */
void watch_fmt_sample(const struct watch_sample *s, enum watch_format f,
		      struct strbuf *out);
/* The verdict (text lines, or one JSON object line). */
void watch_fmt_verdict(const struct watch_verdict *v,
		       const struct watch_cfg *cfg, enum watch_format f,
		       struct strbuf *out);
/* The configuration with defaults applied. */
const struct watch_cfg *watch_config(const struct watch *w);

#endif
