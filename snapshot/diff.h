/* Comparing two snapshots: groups, goroutines by id, totals by state. */
#ifndef GOSCOPE_SNAPSHOT_DIFF_H
#define GOSCOPE_SNAPSHOT_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "lib/strbuf.h"
#include "snapshot/group.h"
#include "snapshot/leak.h"
#include "snapshot/snap.h"

enum diff_change {
	DIFF_NEW, DIFF_GROWN, DIFF_SHRUNK, DIFF_GONE, DIFF_SAME,
};

#define DIFF_MAX_IDS 8

struct diff_group {
	uint64_t id;
	const struct group *old, *new;	/* NULL when absent on that side */
	size_t before, after;
	size_t persisted;	/* members with the same id in both */
	enum diff_change change;
	int leak;		/* enum leak_state, when diff.nseries */
};

struct diff_state {
	const char *state;	/* interned in one of the snapshots */
	size_t before, after;
};

struct diff {
	struct grouping a, b;	/* old and new */
	struct diff_group *groups;	/* largest blocked growth first */
	size_t ngroups;
	size_t count[DIFF_SAME + 1];	/* groups per change */
	struct diff_state *states;
	size_t nstates;
	int ids_known;		/* both sides carry goroutine ids */
	size_t n_new, n_exited, n_persisted, n_moved;
	uint64_t persisted_ids[DIFF_MAX_IDS];	/* smallest, ascending */
	size_t npersisted_ids;
	int64_t dt_ns;		/* new time - old time, -1 when unknown */
	/*
	 * A series (goscope diff A B C ...): the caller sets nseries to the
	 * number of snapshots the leak rule judged, each group's leak, and
	 * the rule's verdict as text and as a JSON object (verdict_text,
	 * verdict_json: borrowed, NUL-terminated); 0 for two snapshots.
	 */
	size_t nseries;
	const char *verdict_text, *verdict_json;
};

/*
 * Compares old snapshot a with new snapshot b at the given level (flags
 * as for group_snap).  Goroutines "persisted" have the same id and the
 * same group (state and normalized stack) in both; "moved" ones have
 * the same id but another group.  out borrows a and b: release it with
 * diff_release before freeing them.  Linear in the sizes of a and b.
 */
void diff_snaps(const struct snap *a, const struct snap *b,
		enum group_level level, unsigned int flags, struct diff *out);
void diff_release(struct diff *d);

/* "new", "grown", "shrunk", "gone", "same". */
const char *diff_change_name(enum diff_change c);

/*
 * The report for people: totals, states, then changed groups; for a
 * series also every group the rule suspects, each marked with its
 * verdict, and the verdict last.
 */
void diff_fmt_text(const struct diff *d, struct strbuf *out);
/*
 * The same as JSON (schema goscope.diff/1), every group included; for a
 * series, "snapshots", each group's "leak" ("suspect", "stable",
 * "undecided") and the "verdict" object.
 */
void diff_fmt_json(const struct diff *d, struct strbuf *out);

#endif
