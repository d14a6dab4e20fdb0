/* Honest ages: when goscope first saw each goroutine of one process. */
#ifndef GOSCOPE_SNAPSHOT_AGES_H
#define GOSCOPE_SNAPSHOT_AGES_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot/snap.h"

struct ages;

/* An empty memory of goroutine ids (free with ages_free). */
struct ages *ages_new(void);
void ages_free(struct ages *a);
/* Forgets every goroutine (another process, or a restart). */
void ages_reset(struct ages *a);

/*
 * Records the goroutines of s, a later snapshot of the same process
 * than the ones recorded so far (goroutine ids are never reused), and
 * fills in each one's first_seen_ns (the time of the first recorded
 * snapshot that had its id: it is at least s->time_unix_ns minus that
 * old) and born_after_ns (the time of the snapshot before the one that
 * first had it, which it did not exist in: it is younger than
 * s->time_unix_ns minus that; 0 when unknown).  A wait the runtime's GC
 * stamped (wait_ns) that is longer than such a goroutine can be old is
 * a stale stamp: it is dropped (wait_ns -1).  A goroutine of s that
 * already carries an earlier first_seen_ns (a saved snapshot that
 * remembered it) keeps that one and its born_after_ns.  Ids absent from
 * s are forgotten.  Returns the number of waits dropped.
 */
size_t ages_update(struct ages *a, struct snap *s);

#endif
