/* Reading the Go runtime's own goroutine dumps (debug=2, debug=1) as snapshots. */
#ifndef GOSCOPE_SNAPSHOT_PARSE_GO_H
#define GOSCOPE_SNAPSHOT_PARSE_GO_H

#include <stddef.h>

#include "lib/err.h"
#include "snapshot/snap.h"

/* At most this many goroutines are read from one text. */
#define PARSE_GO_MAX_GOROUTINES (16u << 20)

/*
 * Reads the goroutines of buf[0, len): the debug=2 text (pprof
 * goroutine?debug=2, runtime.Stack(all), the SIGQUIT and panic dumps,
 * with or without GOTRACEBACK=system's extra fields), anywhere in a log,
 * or the debug=1 text ("goroutine profile: total N", counts per stack,
 * "# labels:"; its goroutines have id 0 and state "unknown").
 *
 * Returns 0 and *out (free with snap_free).  When the text is damaged
 * (truncated, a frame without its file line, an unreadable header) but
 * goroutines were read, it still returns 0 and sets warn (may be NULL)
 * to the first problem, "line N: why", with the number of further
 * problems appended.  Returns -EINVAL with "line N: why" in e when no
 * goroutine could be read.  Frames get pc = the "+0x" offset and entry
 * 0, so pc - entry is the offset the runtime printed.
 */
int parse_go_dump(const char *buf, size_t len, struct snap **out,
		  struct err *warn, struct err *e);

#endif
