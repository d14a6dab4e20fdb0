/* The JSON snapshot format (schema goscope.snapshot/1). */
#ifndef GOSCOPE_SNAPSHOT_FMT_JSON_H
#define GOSCOPE_SNAPSHOT_FMT_JSON_H

#include "lib/strbuf.h"
#include "snapshot/snap.h"

#define FMT_JSON_SCHEMA "goscope.snapshot/1"

/*
 * Appends s as one JSON document: capture metadata, threads, a table of
 * unique stacks, and goroutines that refer to their stack by index.
 * System goroutines are included and marked.
 */
void fmt_json_snapshot(const struct snap *s, struct strbuf *out);

#endif
