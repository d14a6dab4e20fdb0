/* Hand-made snapshots for the snapshot unit tests (included by t_*.c). */
#ifndef GOSCOPE_TESTS_UNIT_SNAPFIX_H
#define GOSCOPE_TESTS_UNIT_SNAPFIX_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "goruntime/traceback.h"
#include "snapshot/snap.h"
#include "lib/compiler.h"
#include "lib/xmalloc.h"

/* One frame: function, file, line, offset in its function (0: inlined). */
struct fr {
	const char *func, *file;
	int line;
	uint64_t off;
};

/* Load address added to every PC, as a PIE would move them. */
static uint64_t fx_base = 0x400000;

ATTR_UNUSED static uint64_t fx_entry(const char *func)
{
	uint64_t h = 1469598103934665603ull;

	while (*func)
		h = (h ^ (unsigned char)*func++) * 1099511628211ull;
	return fx_base + (h & 0xffff) * 0x100;
}

/*
 * Appends goroutine goid in state (a status name or a wait reason) with
 * frames (ended by a NULL func) and an optional creator.  Frames with
 * off 0 are inlined into the next one.  Returns its index.
 */
ATTR_UNUSED static size_t fx_add(struct snap *s, uint64_t goid,
				 const char *state, const struct fr *frames,
				 const struct fr *creator)
{
	struct snap_goroutine *g;
	size_t n = 0, i;
	uint32_t st;
	unsigned int phys = 0;

	/* Room doubles at powers of two: adding n goroutines is O(n). */
	if (s->ngs < 8 || !(s->ngs & (s->ngs - 1)))
		s->gs = xreallocarray(s->gs, s->ngs < 8 ? 8 : s->ngs * 2,
				      sizeof(*s->gs));
	g = &s->gs[s->ngs];
	memset(g, 0, sizeof(*g));
	g->goid = goid;
	g->status = SNAP_WAITING;
	g->waitreason = -1;
	for (st = 0; st <= SNAP_LEAKED; st++)
		if (!strcmp(state, gort_status_name(st))) {
			g->status = st;
			g->waitreason = 0;
		}
	g->status_str = snap_intern(s, state);
	g->wait_ns = -1;
	while (frames && frames[n].func)
		n++;
	g->frames = xcalloc(n + 1, sizeof(*g->frames));
	g->nframes = n;
	for (i = 0; i < n; i++) {
		struct snap_frame *f = &g->frames[i];
		/* An inlined frame has the PC of the frame it is in. */
		size_t j = i;

		while (j + 1 < n && frames[j].off == 0)
			j++;
		f->func = snap_intern(s, frames[i].func);
		f->file = snap_intern(s, frames[i].file);
		f->line = frames[i].line;
		f->inlined = frames[i].off == 0 && i + 1 < n;
		f->entry = fx_entry(frames[j].func);
		f->pc = f->entry + frames[j].off;
		f->lpc = f->pc - 1;
		f->phys = phys;
		if (!f->inlined)
			phys++;
		if (gort_frame_hidden(f->func, 1))
			f->flags |= SNAP_FRAME_RUNTIME;
	}
	g->nphys = phys;
	if (n)
		g->start_func = g->frames[n - 1].func;
	if (creator) {
		g->has_creator = 1;
		g->creator.func = snap_intern(s, creator->func);
		g->creator.file = snap_intern(s, creator->file);
		g->creator.line = creator->line;
		g->creator.entry = fx_entry(creator->func);
		g->creator.pc = g->creator.entry + creator->off;
		g->parent_goid = 1;
	}
	return s->ngs++;
}

#endif
