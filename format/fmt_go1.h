/* Rendering a snapshot as the runtime's debug=1 goroutine profile text. */
#ifndef GOSCOPE_SNAPSHOT_FMT_GO1_H
#define GOSCOPE_SNAPSHOT_FMT_GO1_H

#include "lib/strbuf.h"
#include "snapshot/snap.h"

/*
 * Appends what pprof.Lookup("goroutine").WriteTo(w, 1) prints for the
 * target's Go version: "goroutine profile: total N", then one record
 * per distinct stack and label set, largest count first: "COUNT @ PCs"
 * (the return PCs runtime.Callers reports, 32 deep before Go 1.23 and
 * 128 after), "# labels: {...}" and one "#\tPC\tfunc+off\tfile:line"
 * line per frame, aligned as text/tabwriter does.  System goroutines
 * are left out, as the runtime does.  Snapshots read from text carry
 * no PCs; their records show offsets instead of addresses.
 */
void fmt_go1_dump(const struct snap *s, struct strbuf *out);

#endif
