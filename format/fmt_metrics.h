/* Goroutine counts as OpenMetrics text, for Prometheus' textfile collector. */
#ifndef GOSCOPE_SNAPSHOT_FMT_METRICS_H
#define GOSCOPE_SNAPSHOT_FMT_METRICS_H

#include "lib/strbuf.h"
#include "snapshot/group.h"
#include "snapshot/snap.h"

/* At most this many groups (the largest) get their own series. */
#define FMT_METRICS_MAX_GROUPS 100

/*
 * Appends one exposition ending in "# EOF": goroutines by state and wait
 * reason, per group (with user frame and creation site as labels) and
 * the group's oldest wait, and the capture's pause.  gr groups s.
 */
void fmt_metrics(const struct snap *s, const struct grouping *gr,
		 struct strbuf *out);

/*
 * Appends s (NULL: nothing) escaped for an OpenMetrics label value:
 * backslash, double quote and newline become \\, \" and \n.
 */
void fmt_metrics_escape(struct strbuf *out, const char *s);

#endif
