/* The stack screen: every frame of a goroutine and its source. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot/blocked.h"
#include "tui/draw.h"
#include "tui/nav.h"
#include "tui/screen.h"
#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

static char *detab(const char *text, size_t len);
static void draw_source(struct app *a, const char *file, int line, int y0,
			int h, int w);
static void draw_stack(struct app *a, int y0, int h, int w);
static void stack_title(struct app *a, struct strbuf *sb);
static void stack_rescan(struct app *a);
static size_t stack_len(struct app *a);
static int stack_open(struct app *a, size_t i);
static void stack_text(struct app *a, size_t i, struct strbuf *out);
static void stack_prepare(struct app *a);

/* A copy of a source line with tabs expanded to 4 columns. */
static char *detab(const char *text, size_t len)
{
	struct strbuf sb;
	size_t i, col = 0;

	strbuf_init(&sb);
	for (i = 0; i < len; i++) {
		if (text[i] == '\t') {
			do
				strbuf_addc(&sb, ' ');
			while (++col % 4);
			continue;
		}
		strbuf_addc(&sb, text[i]);
		if (((unsigned char)text[i] & 0xc0) != 0x80)
			col++;
	}
	return strbuf_detach(&sb, NULL);
}

static void draw_source(struct app *a, const char *file, int line, int y0,
			int h, int w)
{
	const char *text;
	size_t len;
	int first, i;
	char buf[64];

	if (h <= 0)
		return;
	draw_fill(y0, 0, w, draw_attr(a, ROLE_COLHDR));
	draw_putf(a, y0, 0, w, draw_attr(a, ROLE_COLHDR), "source %s:%d",
	     a->src.path, line);
	first = line - (h - 1) / 2;
	if (first < 1)
		first = 1;
	for (i = 0; i < h - 1; i++) {
		int n = first + i, y = y0 + 1 + i;
		attr_t at = n == line ? draw_attr(a, ROLE_BOLD) : A_NORMAL;
		char *copy;

		text = source_line(&a->src, (size_t)n, &len);
		if (!text)
			break;
		snprintf(buf, sizeof(buf), "%c%5d  ", n == line ? '>' : ' ',
			 n);
		draw_put(a, y, 0, 8, buf, at);
		copy = detab(text, len);
		draw_put(a, y, 8, w - 8, copy, at);
		free(copy);
	}
	(void)file;
}

static void draw_stack(struct app *a, int y0, int h, int w)
{
	struct list_state *l = &a->lists[SCR_STACK];
	const struct snap_goroutine *g;
	const struct snap_frame *f;
	size_t top, i;
	int listh, src = 0, wf = w * 55 / 100;
	char buf[600], b1[32];
	struct strbuf sb;

	if (a->gidx < 0) {
		draw_putf(a, y0, 1, w - 1, A_NORMAL, "goroutine %llu is not in the "
		     "current snapshot: it has exited (esc: back)",
		     (unsigned long long)a->goid);
		return;
	}
	g = &a->m.cur->snap->gs[a->gidx];
	strbuf_init(&sb);
	draw_fmt_wait_age(a, b1, sizeof(b1), g->wait_ns, 0);
	strbuf_addf(&sb, "goroutine %llu [%s%s%s]",
		    (unsigned long long)g->goid, draw_str(g->status_str),
		    g->wait_ns >= 0 ? ", " : "", g->wait_ns >= 0 ? b1 : "");
	draw_fmt_wait_age(a, b1, sizeof(b1), -1, g->first_seen_ns);
	if (b1[0] != '-')
		strbuf_addf(&sb, "  age %s", b1);
	if (g->tid)
		strbuf_addf(&sb, "  thread %d", g->tid);
	if (g->locked)
		strbuf_adds(&sb, "  locked to thread");
	if (g->nlabels) {
		strbuf_adds(&sb, "  labels ");
		draw_labels(g->labels, g->nlabels, &sb);
	}
	if (g->nwaits) {
		strbuf_adds(&sb, "  blocked on ");
		blocked_goroutine_str(a->m.cur->snap, g, &sb);
	}
	draw_put(a, y0, 1, w - 1, sb.buf, A_NORMAL);
	strbuf_release(&sb);
	f = l->sel < g->nframes ? &g->frames[l->sel]
				 : g->has_creator ? &g->creator : NULL;
	/* Loaded by app_prepare: the view reads no file. */
	src = f && a->src_ok;
	listh = src ? (h - 3) / 2 : h - 3;
	if (listh < 3)
		listh = 3;
	if ((size_t)listh > a->nframes)
		listh = (int)a->nframes;
	draw_fill(y0 + 1, 0, w, draw_attr(a, ROLE_COLHDR));
	draw_putf(a, y0 + 1, 0, wf, draw_attr(a, ROLE_COLHDR), "%3s  %s", "#",
	     "FUNCTION");
	draw_put(a, y0 + 1, wf + 1, w - wf - 1, "FILE:LINE", draw_attr(a, ROLE_COLHDR));
	top = draw_list_window(l, a->nframes, listh, y0 + 2);
	for (i = 0; (int)i < listh && top + i < a->nframes; i++) {
		size_t k = top + i;
		int y = y0 + 2 + (int)i;
		attr_t at = A_NORMAL;

		if (k < g->nframes) {
			const struct snap_frame *fr = &g->frames[k];

			if (fr->flags & (SNAP_FRAME_RUNTIME |
					 SNAP_FRAME_WRAPPER))
				at = draw_attr(a, ROLE_DIM);
			if (k == l->sel)
				at = A_REVERSE;
			draw_fill(y, 0, w, at);
			draw_putf(a, y, 0, wf, at, "%3zu  %s%s", k,
			     draw_hskip(draw_str(fr->func), a->hscroll),
			     fr->inlined ? " [inlined]" : "");
			draw_frame_where(buf, sizeof(buf), fr, 1);
		} else {
			int alive = g->parent_goid &&
				    model_find_goroutine(&a->m,
							 g->parent_goid) >= 0;

			at = k == l->sel ? A_REVERSE : draw_attr(a, ROLE_DIM);
			draw_fill(y, 0, w, at);
			if (g->parent_goid)
				draw_putf(a, y, 0, wf, at,
				     "     created by %s in goroutine %llu%s",
				     draw_str(g->creator.func),
				     (unsigned long long)g->parent_goid,
				     alive ? " (p: open)" : " (exited)");
			else
				draw_putf(a, y, 0, wf, at, "     created by %s",
				     draw_str(g->creator.func));
			draw_frame_where(buf, sizeof(buf), &g->creator, 1);
		}
		draw_put_tail(a, y, wf + 1, w - wf - 1, buf, at);
	}
	if (g->unwind_error && y0 + 2 + listh < y0 + h)
		draw_putf(a, y0 + 2 + listh, 1, w - 1, draw_attr(a, ROLE_ERR),
		     "stack incomplete: %s", g->unwind_error);
	else if (f && y0 + 2 + listh < y0 + h)
		/* The selected frame's whole name (< > scroll it). */
		draw_putf(a, y0 + 2 + listh, 0, w, draw_attr(a, ROLE_BOLD), "> %s%s",
		     draw_hskip(draw_str(f->func), a->hscroll),
		     l->sel < g->nframes ? "" : "  (creator)");
	if (src)
		draw_source(a, f->file, f->line, y0 + 3 + listh,
			    h - 3 - listh, w);
	else if (f && h - 3 - listh > 0)
		draw_putf(a, y0 + 3 + listh, 1, w - 1, draw_attr(a, ROLE_DIM),
		     "source of %s not found%s", draw_base_name(f->file),
		     a->o->source_root ? " under --source-root"
				       : " (--source-root DIR)");
}

static void stack_title(struct app *a, struct strbuf *sb)
{
	strbuf_addf(sb, " STACK of goroutine %llu",
		    (unsigned long long)a->goid);
}

static void stack_rescan(struct app *a)
{
	const struct snap_goroutine *g;

	a->gidx = model_find_goroutine(&a->m, a->goid);
	a->nframes = 0;
	if (a->gidx >= 0) {
		g = &a->m.cur->snap->gs[a->gidx];
		a->nframes = g->nframes + (g->has_creator ? 1 : 0);
	}
}

static size_t stack_len(struct app *a)
{
	return a->nframes;
}

/* The row after the frames, "created by": the parent goroutine. */
static int stack_open(struct app *a, size_t i)
{
	const struct snap_goroutine *g;

	if (a->gidx < 0)
		return 0;
	g = &a->m.cur->snap->gs[a->gidx];
	if (!g->has_creator || i != g->nframes)
		return 0;
	if (!g->parent_goid || !nav_open_goroutine(a, g->parent_goid)) {
		app_message(a, 1, "the parent goroutine is not alive");
		return KEYS_REDRAW;
	}
	return KEYS_RESCAN;
}

/* The function and file:line a search looks in. */
static void stack_text(struct app *a, size_t i, struct strbuf *out)
{
	const struct snap_goroutine *g;

	if (a->gidx < 0)
		return;
	g = &a->m.cur->snap->gs[a->gidx];
	if (i < g->nframes)
		strbuf_addf(out, "%s %s:%d", g->frames[i].func
			    ? g->frames[i].func : "",
			    g->frames[i].file ? g->frames[i].file : "",
			    g->frames[i].line);
	else if (g->has_creator && g->creator.func)
		strbuf_addf(out, "created by %s", g->creator.func);
}

/* The source file of the selected frame, read before the draw. */
static void stack_prepare(struct app *a)
{
	const struct list_state *l = &a->lists[SCR_STACK];
	const struct snap_goroutine *g;
	const struct snap_frame *f;

	if (a->gidx < 0 || !a->m.cur)
		return;
	g = &a->m.cur->snap->gs[a->gidx];
	f = l->sel < g->nframes ? &g->frames[l->sel]
				 : g->has_creator ? &g->creator : NULL;
	if (f && f->file && f->line > 0 &&
	    source_load(&a->src, a->o->source_root, f->file) == 0)
		a->src_ok = 1;
}

const struct screen_mode scr_stack_mode = {
	.id = SCR_STACK, .title = stack_title, .draw = draw_stack,
	.rescan = stack_rescan, .len = stack_len, .open = stack_open,
	.row_text = stack_text, .prepare = stack_prepare,
};
