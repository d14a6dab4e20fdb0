/* Unwinding goroutine stacks from a copy, with the pclntab's SP deltas. */
#ifndef GOSCOPE_GORUNTIME_UNWIND_H
#define GOSCOPE_GORUNTIME_UNWIND_H

#include <stddef.h>
#include <stdint.h>

#include "goruntime/registry.h"
#include "symbols/pccache.h"

/* A physical frame. */
struct gort_pframe {
	uint64_t pc;		/* runtime address */
	uint64_t sp;
	uint64_t lookup_pc;	/* pc to symbolize: pc, or pc-1 for calls */
	uint64_t entry;		/* function entry (runtime address) */
	uint64_t argp;		/* argument spill area (caller's SP), or 0 */
	struct pcln_func fn;	/* valid when known; link-time addresses */
	int known;		/* pc is in Go code */
};

/*
 * Walks g's stack from its start pc/sp over the copied stack, as the
 * runtime's unwinder does: SP delta from pcsp, return address read from
 * the copy, stopping after a top frame (goexit, mstart, ...).  bias is
 * the executable's load bias.  Writes at most max frames into out and
 * returns the count; *why is set (static string) when the walk ended
 * early (unknown PC, stack outside the copy, too deep).
 */
size_t gort_unwind(struct pccache *t, uint64_t bias,
		   const struct gort_g *g, struct gort_pframe *out,
		   size_t max, const char **why);

#endif
