/* The JSON snapshot format (schema goscope.snapshot/2). */
#ifndef GOSCOPE_SNAPSHOT_FMT_JSON_H
#define GOSCOPE_SNAPSHOT_FMT_JSON_H

#include "lib/strbuf.h"
#include "snapshot/snap.h"

#define FMT_JSON_SCHEMA "goscope.snapshot/2"

/*
 * Appends s as one JSON document: capture metadata, threads, a table of
 * unique frames, a table of unique stacks (lists of frame indexes), a
 * table of goroutine shapes (everything but id, wait time and parent,
 * with a stack index), and one [id, shape, wait_ns, parent] row per
 * goroutine.  System goroutines are included and marked.
 */
void fmt_json_snapshot(const struct snap *s, struct strbuf *out);

#endif
