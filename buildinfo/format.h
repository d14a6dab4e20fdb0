/* Renderers of a struct provenance: go version -m text, human text, JSON. */
#ifndef GOSCOPE_BUILDINFO_FORMAT_H
#define GOSCOPE_BUILDINFO_FORMAT_H

#include "buildinfo/provenance.h"
#include "lib/err.h"
#include "lib/strbuf.h"

#define BIFMT_JSON_SCHEMA "goscope.buildinfo/1"

enum bifmt_flags {
	BIFMT_VERBOSE = 1 << 0,	/* list every dependency */
};

/*
 * Appends exactly what "go version -m NAME" prints.  Returns 0, or
 * -ENOEXEC / -EINVAL with e holding the line go would print to stderr
 * ("NAME: could not read Go build info from NAME: ...").
 */
int bifmt_go(const struct provenance *p, struct strbuf *out, struct err *e);

/* Appends the human-readable report. */
void bifmt_text(const struct provenance *p, unsigned int flags,
		struct strbuf *out);

/* Appends the JSON document (schema BIFMT_JSON_SCHEMA), newline-ended. */
void bifmt_json(const struct provenance *p, struct strbuf *out);

#endif
