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

/*
 * The same in two steps, so that the part that depends only on the code
 * is done once per PC, not once per frame: gort_args_prepare() decodes
 * the ArgInfo of fn and the liveness of each word at lookup into at most
 * GORT_ARGS_MAX_OPS ops and returns their count (0: no argument info;
 * -EINVAL: a malformed table); gort_args_format() prints them for one
 * frame as gort_frame_args() does.
 */
#define GORT_ARGS_MAX_OPS 171
#define GORT_ARG_WORD 0		/* kind of a word; else the ArgInfo code */
struct gort_argop {
	uint8_t kind;		/* GORT_ARG_WORD or the ArgInfo code */
	uint8_t off, size;	/* a word: offset from argp, size */
	uint8_t live;		/* a word: 0 when it may be stale ("?") */
};
int gort_args_prepare(struct memsrc *img, const struct pclntab *t,
		      const struct pcln_func *fn, uint64_t lookup,
		      struct gort_argop *ops);
int gort_args_format(const struct gort_argop *ops, int n,
		     const struct gort_g *g, uint64_t argp, struct strbuf *out);

#endif
