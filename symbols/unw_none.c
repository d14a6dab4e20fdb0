/* The "none" unwinder: only the frame the registers point at. */
#include <errno.h>

#include "symbols/unwinder.h"
#include "lib/banned.h"

static int none_walk(struct unwinder *u, const struct stackcopy_thread *t,
		     struct unwind_frame *out, size_t max, size_t *n,
		     struct err *why);

static int none_walk(struct unwinder *u, const struct stackcopy_thread *t,
		     struct unwind_frame *out, size_t max, size_t *n,
		     struct err *why)
{
	(void)u;
	(void)max;
	out[0].pc = t->regs.pc;
	out[0].activation = 1;
	*n = 1;
	return err_set(why, ENOTSUP, "unwinder 'none': only the innermost "
		       "frame");
}

const struct unwinder_ops unwinder_none = {
	.name = "none",
	.walk = none_walk,
};
