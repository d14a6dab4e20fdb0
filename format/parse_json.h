/* Reading JSON snapshot files (schema goscope.snapshot/2) back into a snap. */
#ifndef GOSCOPE_SNAPSHOT_PARSE_JSON_H
#define GOSCOPE_SNAPSHOT_PARSE_JSON_H

#include <stddef.h>

#include "lib/err.h"
#include "snapshot/snap.h"

/*
 * Parses the document in buf[0, len) as written by fmt_json_snapshot.
 * Every field that fmt_json_snapshot writes is restored, so writing the
 * result again gives the same bytes.  Returns 0 and *out (free with
 * snap_free), or -EINVAL with e set: "line L, column C: why" for bad
 * JSON, or the path of the offending value ("goroutines[3][1]: shape
 * index out of range") for a document that does not follow the schema.
 */
int parse_json_snapshot(const char *buf, size_t len, struct snap **out,
			struct err *e);

#endif
