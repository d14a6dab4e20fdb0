/* Rendering a snapshot as a gzipped pprof goroutine profile (profile.proto). */
#ifndef GOSCOPE_SNAPSHOT_FMT_PPROF_H
#define GOSCOPE_SNAPSHOT_FMT_PPROF_H

#include "lib/err.h"
#include "lib/strbuf.h"
#include "snapshot/snap.h"

/*
 * Appends a gzip-compressed profile.proto goroutine profile, the kind
 * "go tool pprof" opens: sample type goroutine/count, one sample per
 * distinct stack and label set (pprof labels plus "state" and
 * "wait_reason" string labels), with the longest wait of its goroutines
 * as the numeric label "wait_seconds".  Locations are physical frames
 * with their inlined calls as extra lines.  System goroutines are left
 * out, as in the runtime's own profile.  Returns 0, or -EIO with e set
 * when compression fails.
 */
int fmt_pprof(const struct snap *s, struct strbuf *out, struct err *e);

#endif
