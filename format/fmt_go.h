/* Rendering a snapshot as the Go runtime's own goroutine dump (debug=2). */
#ifndef GOSCOPE_SNAPSHOT_FMT_GO_H
#define GOSCOPE_SNAPSHOT_FMT_GO_H

#include "lib/strbuf.h"
#include "snapshot/snap.h"

enum fmt_go_flags {
	/* Show system goroutines and runtime frames (GOTRACEBACK=system). */
	FMT_GO_ALL = 1 << 0,
};

/*
 * Appends every goroutine of s as runtime.Stack(all=true) prints it for
 * the target's Go version: the same header, hidden goroutines and frames,
 * frame elision and created-by lines.  Arguments print as "(...)".
 */
void fmt_go_dump(const struct snap *s, unsigned int flags,
		 struct strbuf *out);

#endif
