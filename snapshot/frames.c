/* The frame-visibility rule of the runtime's traceback, used by every view. */
#include <string.h>

#include "snapshot/frames.h"
#include "lib/banned.h"

static size_t pass(const struct snap_goroutine *g, int all, size_t max_phys,
		   size_t *idx);

/* One pass of printframe's rules (runtime/traceback.go showframe). */
static size_t pass(const struct snap_goroutine *g, int all, size_t max_phys,
		   size_t *idx)
{
	int callee_wrapper_ok = 1;
	size_t i, n = 0;

	for (i = 0; i < g->nframes; i++) {
		const struct snap_frame *f = &g->frames[i];
		int show, rt;

		if (max_phys && f->phys >= max_phys)
			break;
		if (f->flags & SNAP_FRAME_UNKNOWN) {
			idx[n++] = i;
			continue;
		}
		rt = !strncmp(f->func, "runtime.", 8);
		show = all || !(f->flags & SNAP_FRAME_RUNTIME) ||
		       (n > 0 && rt && !strcmp(f->func + 8, "gopanic"));
		if (!all && (f->flags & SNAP_FRAME_WRAPPER) &&
		    callee_wrapper_ok)
			show = 0;
		/* elideWrapperCalling: keep wrappers that called panic. */
		callee_wrapper_ok =
			!rt || (strcmp(f->func + 8, "gopanic") &&
				strcmp(f->func + 8, "sigpanic") &&
				strcmp(f->func + 8, "panicwrap"));
		if (show)
			idx[n++] = i;
	}
	return n;
}

size_t frames_shown(const struct snap_goroutine *g, unsigned int flags,
		    size_t max_phys, size_t *idx)
{
	size_t n = pass(g, flags & FRAMES_ALL, max_phys, idx);

	if (n == 0)
		n = pass(g, 1, max_phys, idx);
	return n;
}
