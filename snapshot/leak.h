/* The leak rule: is a goroutine group's count growing over a time window. */
#ifndef GOSCOPE_SNAPSHOT_LEAK_H
#define GOSCOPE_SNAPSHOT_LEAK_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot/group.h"

/* Defaults: a 30 s window, growth above 3, no fall of more than 3. */
#define LEAK_DEFAULT_WINDOW_NS 30000000000ll
#define LEAK_DEFAULT_TOLERANCE 3
#define LEAK_DEFAULT_NOISE 3
/* Fewest snapshots inside the window for a verdict. */
#define LEAK_MIN_POINTS 5
/* Runs the window is cut into. */
#define LEAK_SEGMENTS 6
/* Points the tracker keeps per window (older ones are thinned out). */
#define LEAK_RESOLUTION 240

struct leak_cfg {
	int64_t window_ns;	/* the time judged, ending at the last point */
	size_t tolerance;	/* a suspect grew by more than this */
	size_t noise;		/* ... and never fell by more than this */
};

enum leak_state {
	LEAK_UNDECIDED,		/* the history does not cover the window */
	LEAK_STABLE,
	LEAK_SUSPECT,
};

struct leak_point {
	int64_t t_ns;
	size_t n;
};

struct leak_result {
	enum leak_state state;
	size_t first;		/* index of the window's first point */
	size_t npoints;		/* points judged (from first to the last) */
	int64_t span_ns;	/* time they cover */
	size_t start, middle, recent;	/* floors (see leak_judge) */
	long long growth;	/* recent - start */
	size_t fall;		/* largest fall of a floor below an earlier */
	size_t last;		/* the last count */
};

/* Fills c with the defaults. */
void leak_cfg_init(struct leak_cfg *c);

/*
 * Judges the count series p[0..n) (times ascending) over the window
 * ending at its last point.  The window starts at the last point at or
 * before t_last - window_ns: without one, or with fewer than
 * LEAK_MIN_POINTS points from there on, the result is LEAK_UNDECIDED.
 * Otherwise the window's points are cut into LEAK_SEGMENTS runs (by
 * index; fewer with fewer points) and each run is summed up by its
 * floor, its smallest count: goroutines that come and go do not lift a
 * floor, leaked ones do.  The series is LEAK_SUSPECT when
 *   recent - start > tolerance   (the floor rose over the window: start
 *                                 is the first run's, recent the last's),
 *   middle < recent              (it still rose over the last third:
 *                                 middle is the floor of the run a third
 *                                 of the window before the end), and
 *   fall <= noise                (no floor is more than noise below an
 *                                 earlier one);
 * LEAK_STABLE otherwise.  Returns r->state.
 */
enum leak_state leak_judge(const struct leak_cfg *c,
			   const struct leak_point *p, size_t n,
			   struct leak_result *r);

/* "undecided", "stable", "leak suspected". */
const char *leak_state_name(enum leak_state s);

/* Counts of every group over the recent snapshots of one process. */
struct leak_track;

/* A new tracker; c is copied (NULL: the defaults). */
struct leak_track *leak_track_new(const struct leak_cfg *c);
void leak_track_free(struct leak_track *t);
/* Forgets every point. */
void leak_track_reset(struct leak_track *t);
const struct leak_cfg *leak_track_cfg(const struct leak_track *t);

/*
 * Records the group counts of gr, taken at t_ns (wall clock); groups
 * absent from gr count 0.  When the last point is closer than
 * window/LEAK_RESOLUTION to the one before it, the new point replaces
 * it, so the memory stays bounded whatever the interval.  A point older than the last is
 * ignored.
 */
void leak_track_add(struct leak_track *t, int64_t t_ns,
		    const struct grouping *gr);

/* Points recorded (at most about 2 * LEAK_RESOLUTION). */
size_t leak_track_npoints(const struct leak_track *t);

/*
 * The counts of group id (0 where absent) at the recorded points,
 * oldest first, into out (room for leak_track_npoints entries).
 * Returns the number of points.
 */
size_t leak_track_series(const struct leak_track *t, uint64_t id,
			 struct leak_point *out);

/* leak_judge over the series of group id; returns r->state. */
enum leak_state leak_track_judge(const struct leak_track *t, uint64_t id,
				 struct leak_result *r);

/*
 * Whether the history is long enough for a verdict (LEAK_STABLE when it
 * is, LEAK_UNDECIDED when not); the same for every group.
 */
enum leak_state leak_track_coverage(const struct leak_track *t);

#endif
