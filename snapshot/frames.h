/* Which frames of a goroutine the runtime's own traceback shows. */
#ifndef GOSCOPE_SNAPSHOT_FRAMES_H
#define GOSCOPE_SNAPSHOT_FRAMES_H

#include <stddef.h>

#include "snapshot/snap.h"

/* frames_shown() flags. */
enum {
	FRAMES_ALL = 1 << 0,	/* runtime frames too (GOTRACEBACK=system) */
};

/*
 * Stores into idx (room for g->nframes entries) the indexes of the frames
 * of g that the runtime's traceback prints, innermost first, and returns
 * their count: runtime frames are hidden unless FRAMES_ALL (but
 * runtime.gopanic above a caller is shown), wrappers are elided unless
 * they called panic, frames goscope could not name are always shown; when
 * that leaves none, every frame is.  With max_phys > 0, only frames of the
 * first max_phys physical frames count (the Go <= 1.20 traceback limit).
 */
size_t frames_shown(const struct snap_goroutine *g, unsigned int flags,
		    size_t max_phys, size_t *idx);

#endif
