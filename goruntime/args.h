/* Function arguments as the runtime's traceback prints them (ArgInfo). */
#ifndef GOSCOPE_GORUNTIME_ARGS_H
#define GOSCOPE_GORUNTIME_ARGS_H

#include <stdint.h>

#include "goruntime/registry.h"
#include "inspect/memsrc.h"
#include "lib/strbuf.h"
#include "symbols/pclntab.h"

/*
 * Appends the arguments of one physical frame the way runtime.printArgs
 * does: hex words from the argument spill area at argp (read from g's
 * stack copy), "{...}" for aggregates, "..." when truncated, "_" for
 * offsets too large, and "?" after a word that may be stale.  img reads
 * the executable's data by link-time address; lookup is the link-time
 * PC the frame is symbolized at.  Appends nothing for functions without
 * argument info.  Returns 0, or -ENOENT when a word is outside the copy
 * (the caller should then print "(...)").
 */
int gort_frame_args(struct memsrc *img, const struct pclntab *t,
		    const struct pcln_func *fn, uint64_t lookup,
		    const struct gort_g *g, uint64_t argp, struct strbuf *out);

#endif
