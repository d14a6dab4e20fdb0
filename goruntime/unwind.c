/* Go stack unwinding over copied stack memory (amd64). */
#include <string.h>

#include "goruntime/unwind.h"
#include "lib/banned.h"

#define FUNCFLAG_TOPFRAME 1
#define FUNCFLAG_SPWRITE 2

static int injected(const char *name);

/* Calls the runtime inserts into a goroutine: their caller's PC is exact. */
static int injected(const char *name)
{
	return !strcmp(name, "runtime.sigpanic") ||
	       !strcmp(name, "runtime.asyncPreempt") ||
	       !strncmp(name, "runtime.debugCall", 17);
}

size_t gort_unwind(struct pccache *t, uint64_t bias,
		   const struct gort_g *g, struct gort_pframe *out,
		   size_t max, const char **why)
{
	uint64_t pc = g->pc, sp = g->sp;
	int exact = g->from_regs;	/* innermost PC is not a return PC */
	size_t n = 0;

	*why = NULL;
	if (!pc || !sp) {
		*why = "no saved PC/SP";
		return 0;
	}
	while (n < max) {
		struct gort_pframe *fr = &out[n];
		const struct pcln_func *fn;
		int32_t delta;
		uint64_t slot, ret;

		memset(fr, 0, sizeof(*fr));
		fr->pc = pc;
		fr->sp = sp;
		fr->lookup_pc = pc;
		n++;
		if (pc < bias || pccache_func(t, pc - bias, &fn, &delta) < 0) {
			*why = "PC outside Go code";
			return n;
		}
		fr->fn = *fn;
		fr->known = 1;
		fr->entry = fr->fn.entry + bias;
		if (!exact && pc > fr->entry)
			fr->lookup_pc = pc - 1;
		if (fr->fn.flag & FUNCFLAG_TOPFRAME)
			return n;
		if ((fr->fn.flag & FUNCFLAG_SPWRITE) && n > 1) {
			*why = "function writes SP";
			return n;
		}
		if (delta < 0) {
			*why = "no SP delta for PC";
			return n;
		}
		slot = sp + (uint64_t)delta;
		if (slot < g->copy_base ||
		    slot + 8 > g->copy_base + g->copy_len) {
			if (slot + 8 > g->stack_hi)
				*why = "stack ends without a top frame";
			else
				*why = "frame outside the copied stack";
			return n;
		}
		memcpy(&ret, g->stack + (slot - g->copy_base), sizeof(ret));
		fr->argp = slot + 8;
		exact = injected(fr->fn.name);
		pc = ret;
		sp = slot + 8;
		if (!pc)
			return n;
	}
	*why = "stack deeper than the frame limit";
	return n;
}
