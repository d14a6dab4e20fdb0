/* What the interactive view shows, computed from a series of snapshots. */
#ifndef GOSCOPE_TUI_MODEL_H
#define GOSCOPE_TUI_MODEL_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/hashmap.h"
#include "lib/strbuf.h"
#include "snapshot/diff.h"
#include "snapshot/group.h"
#include "snapshot/leak.h"
#include "snapshot/rules.h"
#include "snapshot/snap.h"

/* Counts kept per group (the sparkline and the leak series). */
#define MODEL_SERIES 32
/* Points of a series without a count: before it began, and where the
 * process could not be captured. */
#define MODEL_NO_SAMPLE (-1)
#define MODEL_GAP (-2)

/* Goroutine totals by state, for the header. */
enum model_state {
	MSTATE_RUNNING, MSTATE_RUNNABLE, MSTATE_WAITING, MSTATE_SYSCALL,
	MSTATE_OTHER, MSTATE_COUNT,
};

struct model_count {
	uint64_t id;
	size_t count;
	size_t index;		/* into gr.groups */
};

/* How many goroutines of a group are in one state (states merged). */
struct model_state_n {
	const char *state;	/* status or wait reason, as the runtime says */
	uint32_t status;	/* enum snap_status of the first of them */
	size_t n;
};

/* One snapshot with its grouping at the model's level. */
struct model_snap {
	struct snap *snap;
	struct grouping gr;
	struct model_count *counts;	/* sorted by id */
	size_t ncounts;
	size_t seq;		/* 1, 2, ...: order of arrival */
	size_t total;		/* goroutines, system ones left out */
	size_t by_state[MSTATE_COUNT];
	char *name;		/* the file it was read from, or NULL */
	/* With states merged: the states of group i are states[soff[i]]
	 * to states[soff[i + 1] - 1], largest first. */
	struct model_state_n *states;
	size_t *soff;
	unsigned int refs;
	int owned;		/* snap is freed with the last reference */
};

/* A group's counts over the last snapshots (0 when absent). */
struct model_series {
	uint64_t id;
	uint32_t n[MODEL_SERIES];	/* ring, indexed by seq % size */
};

enum model_sort {
	MSORT_COUNT,		/* largest first */
	MSORT_DELTA,		/* largest growth since the previous first */
	MSORT_WAIT,		/* longest wait first */
	MSORT_NAME,		/* by function name */
	MSORT_STATE,		/* by state */
	MSORT_GROWTH,		/* largest growth over the leak window */
	MSORT_COUNT_KEYS,
};

enum model_row_flags {
	MROW_GROWING = 1 << 0,	/* more than in the previous snapshot */
	MROW_LEAK = 1 << 1,	/* the leak rule (snapshot/leak.h) suspects it */
	MROW_NEW = 1 << 2,	/* not in the previous snapshot */
	/* Grew in each of the last MODEL_RISE_RUN snapshots while the leak
	 * rule cannot judge yet (its window is not covered): pinned below
	 * the suspects, so that a leak shows from the first seconds. */
	MROW_RISING = 1 << 3,
};

/* Snapshots in a row a group must grow in to be MROW_RISING. */
#define MODEL_RISE_RUN 3

/* Groups a query leaves out as noise. */
enum model_hide {
	MHIDE_BUSY = 1 << 0,	/* running or runnable groups */
	MHIDE_SINGLE = 1 << 1,	/* groups of one goroutine */
};

/* A row of the groups (and leaks) screen. */
struct model_row {
	const struct group *g;	/* in cur->gr; valid until the next push */
	const struct snap_frame *top;	/* first shown frame, or NULL */
	const struct snap_frame *start;	/* last shown frame, or NULL */
	const struct snap_frame *caller;	/* shown after g->user */
	long long dprev;	/* count minus the previous snapshot's */
	long long dbase;	/* count minus the baseline's */
	long long growth;	/* over the leak window (suspects only) */
	unsigned int flags;	/* enum model_row_flags */
	const struct model_series *ser;	/* may be NULL */
	/* The frame that names the group (model_name_frame), or NULL. */
	const struct snap_frame *name;
	/* Another row of the same name, function and site, or NULL. */
	const struct group *twin;
	/* States merged: its goroutines' states, largest first. */
	const struct model_state_n *states;
	size_t nstates;
	size_t rank;		/* internal: the last rank, or SIZE_MAX */
};

/*
 * Order kept across refreshes: the rank each group had in the last rows
 * built with it, so that groups whose sort key barely changed keep
 * their places (rows do not jump while counts move a little).
 */
struct model_order {
	struct hashmap map;
	struct model_rank *ranks;	/* entries of map */
	size_t nranks;
	int init;
};

/* What model_query_rows builds. */
struct model_query {
	const struct model_filter *filter;	/* may be NULL */
	enum model_sort key;
	int reverse;		/* the key's order turned round */
	int leaks_only;
	int pin_suspects;	/* suspects first, by growth, in any order */
	unsigned int hide;	/* enum model_hide */
	struct model_order *order;	/* may be NULL: no memory */
	/* Out: groups left out as noise, and leak suspects (both before
	 * the filter). */
	size_t nhidden, nsuspects;
};

/*
 * A compiled filter: a substring, "~REGEX" (extended, any case), or
 * "label:KEY=VALUE" (a label exactly).
 */
struct model_filter {
	char *text;		/* NULL: everything matches */
	int regex;
	regex_t re;
	char *label_key, *label_value;	/* label:KEY=VALUE, or NULL */
};

struct ages;
typedef void (*model_dispose_fn)(struct snap *s, void *arg);

struct model {
	enum group_level level;
	unsigned int flags;	/* group_snap flags */
	struct model_snap *cur, *prev, *base;
	size_t seq;		/* snapshots pushed so far */
	/* Points of the series: snapshots and failed captures (gaps). */
	size_t tick;
	size_t series_start;	/* tick of the first point in the series */
	unsigned char gap[MODEL_SERIES];	/* by tick: capture failed */
	struct model_series *series;	/* sorted by id */
	size_t nseries;
	/* The diff screen's comparison, computed on demand. */
	struct diff diff;
	int diff_valid;
	const struct snap *diff_a, *diff_b;
	struct leak_track *track;	/* counts over the leak window */
	struct ages *ages;	/* first sight of each goroutine */
	const struct rules *rules;	/* ignore rules, or NULL; borrowed */
	model_dispose_fn dispose;	/* frees owned snapshots */
	void *dispose_arg;
};

/* Initializes an empty model at level. */
void model_init(struct model *m, enum group_level level);
/*
 * Judges leaks with c (NULL: the defaults) and leaves out what rules
 * (may be NULL, borrowed) ignore, from the next snapshot on.
 */
void model_set_leak(struct model *m, const struct leak_cfg *c,
		    const struct rules *rules);
/* Releases every snapshot the model references. */
void model_release(struct model *m);
/*
 * Hands the owned snapshots the model drops to fn (for example to free
 * them in another thread) instead of snap_free; fn NULL: snap_free.
 */
void model_set_dispose(struct model *m, model_dispose_fn fn, void *arg);

/*
 * Makes s the current snapshot: the previous current one becomes the
 * previous, the series advance.  gr, when not NULL and at the model's
 * level, is the grouping of s to use (it is moved into the model and
 * cleared); otherwise s is grouped here.  With owned, s is freed when
 * the model no longer needs it.  name (copied) labels a file.
 */
void model_push(struct model *m, struct snap *s, struct grouping *gr,
		int owned, const char *name);

/*
 * Records that a capture failed: the series advance by a gap (no count)
 * so that their points stay evenly spaced.
 */
void model_push_gap(struct model *m);

/* Forgets every snapshot but the baseline; the series restart. */
void model_reset(struct model *m);

/* Regroups every snapshot at level; the series restart. */
void model_set_level(struct model *m, enum group_level level);
/*
 * With merge, one group per stack whatever the states of its goroutines
 * (GROUP_ANY_STATE; rows list the states); without, a group per state
 * and stack.  Regroups every snapshot; the series restart.
 */
void model_set_merge(struct model *m, int merge);
/* 1 when the states of one stack are merged. */
int model_merged(const struct model *m);
/*
 * Appends "chan receive 840, select 10": the n states of a merged
 * group, largest first.
 */
void model_fmt_states(const struct model_state_n *st, size_t n,
		      struct strbuf *out);

/* Marks the current snapshot as the baseline (NULL cur: clears it). */
void model_mark_baseline(struct model *m);
/* Makes s (owned) the baseline. */
void model_set_baseline(struct model *m, struct snap *s, const char *name);
void model_clear_baseline(struct model *m);

/* The count of group id in ms, 0 when absent (ms may be NULL). */
size_t model_count_of(const struct model_snap *ms, uint64_t id);
/* The index of group id in ms->gr.groups, or GROUP_NONE. */
size_t model_group_index(const struct model_snap *ms, uint64_t id);
/* The series of group id, or NULL. */
const struct model_series *model_series_of(const struct model *m,
					   uint64_t id);
/*
 * Copies the last n points of ser (oldest first) into out; points from
 * before the series started are MODEL_NO_SAMPLE, those where a capture
 * failed MODEL_GAP.  Returns n.
 */
size_t model_series_points(const struct model *m,
			   const struct model_series *ser, long long *out,
			   size_t n);

/*
 * Compiles text into f: a substring matched in any case, with a
 * leading '~' an extended regular expression, or "label:KEY=VALUE" for
 * the groups with that label (key and value exactly).  Empty text
 * matches everything.  Returns 0, or -EINVAL with e set.
 */
int model_filter_set(struct model_filter *f, const char *text,
		     struct err *e);
void model_filter_release(struct model_filter *f);

/*
 * Builds the rows of the current snapshot's groups that match f (may
 * be NULL), sorted by key; with leaks_only, only groups the leak rule
 * (snapshot/leak.h) suspects.  *rows is reallocated
 * (caller frees); returns the number of rows.
 */
size_t model_rows(const struct model *m, const struct model_filter *f,
		  enum model_sort key, int leaks_only, struct model_row **rows,
		  size_t *alloc);

/*
 * Builds rows as model_rows does, for the query q (see struct
 * model_query); fills q's out fields.  Returns the number of rows.
 */
size_t model_query_rows(const struct model *m, struct model_query *q,
			struct model_row **rows, size_t *alloc);

void model_order_release(struct model_order *o);

/*
 * The frame that names a group of goroutines: its first frame of the
 * main module, else its first shown frame outside the runtime and its
 * hooks (never runtime.gopark or runtime.goexit); NULL when the stack
 * has no such frame (a goroutine not started yet: see
 * model_start_name).
 */
const struct snap_frame *model_name_frame(const struct group *g);
/*
 * The function a group is named by when no frame names it: the start
 * function of a goroutine not started yet (as the runtime prints it),
 * else its outermost frame; "?" when unknown.
 */
const char *model_start_name(const struct group *g);

/*
 * What tells group g from its look-alike twin (same name and creation
 * site): the state, the labels, the stack depth or the first frame that
 * differs.  Appends a short text to out.
 */
void model_twin_diff(const struct group *g, const struct group *twin,
		     struct strbuf *out);

/*
 * A function name shortened for a column of w cells: the main module's
 * path (main_module, may be NULL) is dropped, keeping the package
 * ("tsdb.(*DB).run"), then whole leading path elements of the package
 * give way to an ellipsis until it fits; the
 * type and function always stay.  Writes at most size bytes to buf.
 */
void model_short_func(const char *func, const char *main_module, int w,
		      int ascii, char *buf, size_t size);

/*
 * The goroutines (indexes into cur->snap->gs) of group id in the current
 * snapshot, by id.  *out is reallocated (caller frees); returns the
 * count.
 */
size_t model_members(const struct model *m, uint64_t id, size_t **out,
		     size_t *alloc);

/* The index of goroutine goid in the current snapshot, or -1. */
long model_find_goroutine(const struct model *m, uint64_t goid);

/*
 * The comparison of the baseline (or, without one, the previous
 * snapshot) with the current one, if it was computed (model_diff_now,
 * model_diff_install); NULL otherwise.  *old (may be NULL) is the older
 * side, NULL when there is nothing to compare.  Valid until the next
 * change of the model.
 */
const struct diff *model_diff(const struct model *m,
			      const struct model_snap **old);
/*
 * 1 when model_diff has no comparison yet for its two snapshots, which
 * are then *a (older) and *b.
 */
int model_diff_wanted(const struct model *m, const struct snap **a,
		      const struct snap **b);
/*
 * Takes d, the diff_snaps of a and b at level (computed elsewhere, for
 * example in another thread), when they are still what model_diff
 * compares: returns 0 and clears *d; otherwise -1 (d is the caller's).
 */
int model_diff_install(struct model *m, const struct snap *a,
		       const struct snap *b, enum group_level level,
		       struct diff *d);
/* Computes model_diff's comparison now if needed; returns model_diff. */
const struct diff *model_diff_now(struct model *m,
				  const struct model_snap **old);

/* The name of a sort key ("count", "delta", "wait", "name"). */
const char *model_sort_name(enum model_sort key);
/* The name of a state class ("running", ...). */
const char *model_state_name(enum model_state st);

#endif
