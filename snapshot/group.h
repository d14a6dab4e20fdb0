/* Grouping goroutines by state, normalized stack and creation site. */
#ifndef GOSCOPE_SNAPSHOT_GROUP_H
#define GOSCOPE_SNAPSHOT_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/strbuf.h"
#include "snapshot/snap.h"

struct rules;

/* How alike two stacks must be to share a group (panicparse's levels). */
enum group_level {
	GROUP_EXACT,		/* same functions, file:line and PC offsets */
	GROUP_LINES,		/* same functions and file:line (default) */
	GROUP_FUNCTIONS,	/* same function names */
};

enum group_sort {
	GROUP_SORT_COUNT,	/* largest first (default) */
	GROUP_SORT_WAIT,	/* longest wait first */
};

enum group_flags {
	GROUP_SYSTEM = 1 << 0,	/* include the runtime's system goroutines */
	/* Goroutines of one stack share a group whatever their state or
	 * wait reason (its rep's state is then one of several). */
	GROUP_ANY_STATE = 1 << 1,
};

#define GROUP_MAX_GOIDS 8
#define GROUP_MAX_LABELS 16
#define GROUP_NONE ((size_t)-1)
/* At most this many frames of a stack make its group. */
#define GROUP_MAX_FRAMES 100
/*
 * A stack of more than twice this many shown frames, or one whose text
 * elided some, is grouped by this many innermost and outermost frames:
 * the runtime prints 50 of each end of a long stack, a few of which are
 * runtime frames hidden here, so a live capture and the same process's
 * SIGQUIT or debug=2 text (Go 1.21+) keep the same frames and group ids.
 */
#define GROUP_EDGE_FRAMES 40

struct group {
	uint64_t id;		/* hash of the signature; stable */
	const struct snap_goroutine *rep;	/* first member */
	size_t count;
	size_t nwait;		/* members with a known wait time */
	int64_t wait_min, wait_median, wait_max;	/* -1 when none */
	/* When goscope first saw its oldest member (snapshot/ages.h; 0:
	 * unknown): the group is at least snap time minus this old. */
	int64_t first_seen_min;
	uint64_t goids[GROUP_MAX_GOIDS];	/* smallest ids, ascending */
	size_t ngoids;
	struct snap_label labels[GROUP_MAX_LABELS];	/* distinct, seen */
	size_t nlabels;
	int more_labels;	/* more distinct labels than kept */
	const struct snap_frame *user;	/* first frame of the main module */
	const struct snap_frame *creator;	/* NULL when not shown */
	int stdlib_only;	/* no frame outside the standard library */
	int blocked;		/* waiting, in a syscall or leaked */
	uint64_t *keys;		/* internal: per-frame keys of rep */
	size_t nkeys;
};

struct grouping {
	const struct snap *snap;	/* borrowed */
	enum group_level level;
	unsigned int flags;	/* enum group_flags it was made with */
	struct group *groups;
	size_t ngroups;
	size_t *of;		/* per goroutine: group index or GROUP_NONE */
	size_t ngrouped;	/* goroutines in some group (by weight) */
	size_t nignored;	/* left out by the rules */
};

/*
 * Groups the goroutines of s (system goroutines only with GROUP_SYSTEM;
 * those rules ignore, never).  Hashing is linear in the number of frames.
 * out borrows s; release it with grouping_release before freeing s.
 * Groups come in order of first appearance; see group_sort.
 */
void group_snap(const struct snap *s, enum group_level level,
		unsigned int flags, const struct rules *rules,
		struct grouping *out);
void grouping_release(struct grouping *gr);

/*
 * Sets first_seen_min of every group again from its members (after
 * ages_update filled in the snapshot's first_seen_ns).
 */
void group_set_ages(struct grouping *gr);

/* Sorts user groups before standard-library-only ones, then by key. */
void group_sort(struct grouping *gr, enum group_sort by);

/*
 * The frames of g that the runtime's dump shows (hidden runtime frames
 * and elided wrappers left out; all when that leaves none), innermost
 * first, at most GROUP_MAX_FRAMES (the middle of long stacks is dropped,
 * see GROUP_EDGE_FRAMES).  idx must have room for g->nframes entries; returns the
 * count.
 */
size_t group_shown_frames(const struct snap_goroutine *g, size_t *idx);

/* 1 when the creation site of g is shown by the runtime's dump. */
int group_creator_shown(const struct snap_goroutine *g);

/* "exact", "lines", "functions"; returns 0 or -1 for an unknown name. */
int group_level_parse(const char *name, enum group_level *out);
const char *group_level_name(enum group_level level);

/*
 * Name classification: 1 when the function belongs to the main module
 * (package main, or under main_module), 0 otherwise.  With main_module
 * NULL, anything outside the standard library counts.
 */
int group_func_is_user(const char *func, const char *main_module);
/* 1 when the function's package is in the standard library. */
int group_func_is_stdlib(const char *func);

/* Appends a duration: "850ms", "42s", "5m3s", "2h10m"; "-" when < 0. */
void group_fmt_duration(struct strbuf *sb, int64_t ns);
/* Appends the 16 hex digits of a group id. */
void group_fmt_id(struct strbuf *sb, uint64_t id);

/* The grouped view for people: one block per group, largest first. */
void group_fmt_text(const struct grouping *gr, struct strbuf *out);
/* The same as JSON (schema goscope.groups/1), one document. */
void group_fmt_json(const struct grouping *gr, struct strbuf *out);

#endif
