/* The runtime's debug=2 goroutine dump, rebuilt from a snapshot. */
#include <stdlib.h>
#include <string.h>

#include "goruntime/traceback.h"
#include "format/fmt_go.h"
#include "snapshot/frames.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define INNER_FRAMES 50		/* tracebackInnerFrames, Go 1.21+ */
#define OUTER_FRAMES 50		/* tracebackOuterFrames */
#define MAX_PHYS_OLD 100	/* _TracebackMaxFrames, Go <= 1.20 */

static void header(const struct snap *s, const struct snap_goroutine *g,
		   struct strbuf *out);
static void frame(const struct snap_frame *f, struct strbuf *out);
static void stack(const struct snap *s, const struct snap_goroutine *g,
		  unsigned int flags, struct strbuf *out);
static void creator(const struct snap *s, const struct snap_goroutine *g,
		    unsigned int flags, struct strbuf *out);

static void header(const struct snap *s, const struct snap_goroutine *g,
		   struct strbuf *out)
{
	int64_t minutes = 0;

	strbuf_addf(out, "goroutine %llu [%s", (unsigned long long)g->goid,
		    g->status_str);
	if (g->scan)
		strbuf_adds(out, " (scan)");
	if ((g->status == SNAP_WAITING || g->status == SNAP_SYSCALL ||
	     g->status == SNAP_LEAKED) &&
	    g->waitsince != 0 && g->wait_ns >= 0)
		minutes = g->wait_ns / 60000000000ll;
	if (g->status == SNAP_LEAKED && s->go_minor >= 26)
		strbuf_adds(out, " (leaked)");
	if (minutes >= 1)
		strbuf_addf(out, ", %lld minutes", (long long)minutes);
	if (g->locked)
		strbuf_adds(out, ", locked to thread");
	strbuf_adds(out, "]:\n");
}

static void frame(const struct snap_frame *f, struct strbuf *out)
{
	gort_print_func_name(out, f->func);
	strbuf_addc(out, '(');
	strbuf_adds(out, f->inlined || !f->args ? "..." : f->args);
	strbuf_adds(out, ")\n\t");
	strbuf_adds(out, f->file ? f->file : "(null)");
	strbuf_addc(out, ':');
	if (f->line < 0) {
		strbuf_addc(out, '-');
		strbuf_addu64(out, (uint64_t)-(int64_t)f->line);
	} else {
		strbuf_addu64(out, (uint64_t)f->line);
	}
	if (!f->inlined && !(f->flags & SNAP_FRAME_UNKNOWN) &&
	    f->pc > f->entry) {
		strbuf_adds(out, " +");
		strbuf_addx64(out, f->pc - f->entry);
	}
	strbuf_addc(out, '\n');
}

static void stack(const struct snap *s, const struct snap_goroutine *g,
		  unsigned int flags, struct strbuf *out)
{
	size_t *idx = xcalloc(g->nframes + 1, sizeof(*idx));
	size_t n, i;

	n = frames_shown(g, flags & FMT_GO_ALL ? FRAMES_ALL : 0,
			 s->go_minor <= 20 ? MAX_PHYS_OLD : 0, idx);
	if (s->go_minor > 0 && s->go_minor <= 20) {
		/* gentraceback walks at most 100 physical frames and
		 * reports "elided" when it printed exactly 100 frames. */
		for (i = 0; i < n; i++)
			frame(&g->frames[idx[i]], out);
		if (n == MAX_PHYS_OLD)
			strbuf_adds(out, "...additional frames elided...\n");
	} else if (n > INNER_FRAMES + OUTER_FRAMES) {
		for (i = 0; i < INNER_FRAMES; i++)
			frame(&g->frames[idx[i]], out);
		strbuf_addf(out, "...%zu frames elided...\n",
			    n - INNER_FRAMES - OUTER_FRAMES);
		for (i = n - OUTER_FRAMES; i < n; i++)
			frame(&g->frames[idx[i]], out);
	} else {
		for (i = 0; i < n; i++)
			frame(&g->frames[idx[i]], out);
	}
	free(idx);
}

static void creator(const struct snap *s, const struct snap_goroutine *g,
		    unsigned int flags, struct strbuf *out)
{
	const struct snap_frame *c = &g->creator;

	if (!g->has_creator || g->goid == 1)
		return;
	if (!(flags & FMT_GO_ALL) && gort_frame_hidden(c->func, 0))
		return;
	strbuf_adds(out, "created by ");
	if (s->go_minor >= 21 || s->go_minor == 0)
		gort_print_func_name(out, c->func);
	else
		strbuf_adds(out, c->func);
	if (s->go_minor >= 21 && g->parent_goid)
		strbuf_addf(out, " in goroutine %llu",
			    (unsigned long long)g->parent_goid);
	strbuf_addf(out, "\n\t%s:%d", c->file, c->line);
	if (c->pc > c->entry)
		strbuf_addf(out, " +0x%llx",
			    (unsigned long long)(c->pc - c->entry));
	strbuf_addc(out, '\n');
}

void fmt_go_dump(const struct snap *s, unsigned int flags,
		 struct strbuf *out)
{
	size_t i, n = 0;

	for (i = 0; i < s->ngs; i++) {
		const struct snap_goroutine *g = &s->gs[i];

		if (g->system && !(flags & FMT_GO_ALL))
			continue;
		if (n++)
			strbuf_addc(out, '\n');
		header(s, g, out);
		if (g->nframes == 0 && g->changed)
			strbuf_adds(out, "\tstack unavailable: "
				    SNAP_CHANGED_DURING_CAPTURE "\n");
		else if (g->nframes == 0 && g->status == SNAP_RUNNING)
			strbuf_adds(out, "\tgoroutine running on other "
					 "thread; stack unavailable\n");
		stack(s, g, flags, out);
		creator(s, g, flags, out);
		strbuf_flush_point(out);
	}
}
