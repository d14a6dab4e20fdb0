/* The threads screen: native threads, their Ms, goroutines, stacks. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/fmt_threads.h"
#include "tui/draw.h"
#include "tui/nav.h"
#include "tui/screen.h"
#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

static void draw_threads(struct app *a, int y0, int h, int w);
static void threads_title(struct app *a, struct strbuf *sb);
static size_t threads_len(struct app *a);
static uint64_t threads_tag(struct app *a, size_t i);
static int threads_open(struct app *a, size_t i);
static void threads_text(struct app *a, size_t i, struct strbuf *out);

static void draw_threads(struct app *a, int y0, int h, int w)
{
	struct list_state *l = &a->lists[SCR_THREADS];
	const struct snap *s = a->m.cur ? a->m.cur->snap : NULL;
	const struct snap_thread *t;
	char role[128], st[4];
	size_t n, top, i;
	int listh, y;

	if (!s) {
		draw_put(a, y0, 1, w - 1, a->error ? a->error
			: "taking the first snapshot", a->error
			? draw_attr(a, ROLE_ERR) : A_NORMAL);
		return;
	}
	n = s->nthreads;
	listh = (h - 2) / 2;
	if (listh < 3)
		listh = 3;
	if ((size_t)listh > n)
		listh = (int)n;
	draw_fill(y0, 0, w, draw_attr(a, ROLE_COLHDR));
	draw_putf(a, y0, 0, w, draw_attr(a, ROLE_COLHDR), "%8s  %-16s %-2s %-16s %s",
	     "TID", "NAME", "S", "SYSCALL", "ROLE");
	top = draw_list_window(l, n, listh, y0 + 1);
	for (i = 0; (int)i < listh && top + i < n; i++) {
		attr_t at = top + i == l->sel ? A_REVERSE : A_NORMAL;

		t = &s->threads[top + i];
		y = y0 + 1 + (int)i;
		draw_fill(y, 0, w, at);
		role[0] = '\0';
		if (t->native)
			fmt_threads_role(t, role, sizeof(role));
		if (!role[0] && t->m_id >= 0 && t->curg_goid)
			snprintf(role, sizeof(role), "M%lld running "
				 "goroutine %llu", (long long)t->m_id,
				 (unsigned long long)t->curg_goid);
		else if (!role[0] && t->m_id >= 0)
			snprintf(role, sizeof(role), "M%lld",
				 (long long)t->m_id);
		st[0] = t->state ? t->state : '-';
		st[1] = '\0';
		draw_putf(a, y, 0, w, at, "%8d  %-16.16s %-2s %-16.16s %s", t->tid,
		     t->name ? t->name : "-", st,
		     t->syscall_name ? t->syscall_name
				     : t->syscall >= 0 && t->native ? "?" : "-",
		     role);
	}
	y = y0 + 1 + listh;
	if (y >= y0 + h || !n)
		return;
	t = &s->threads[l->sel];
	draw_fill(y, 0, w, draw_attr(a, ROLE_COLHDR));
	draw_putf(a, y, 0, w, draw_attr(a, ROLE_COLHDR), "stack of thread %d", t->tid);
	y++;
	if (!t->native) {
		uint64_t since;

		draw_put(a, y, 1, w - 1, a->feed && feed_busy(a->feed, &since)
			? "taking a snapshot with native stacks"
			: "native stacks were not taken (r: take them now)",
		    draw_attr(a, ROLE_DIM));
		return;
	}
	for (i = 0; i < t->nnframes && y < y0 + h; i++, y++) {
		const struct snap_nframe *f = &t->nframes[i];
		char buf[600];

		if (f->func)
			snprintf(buf, sizeof(buf), "%s+0x%llx", f->func,
				 (unsigned long long)f->offset);
		else
			snprintf(buf, sizeof(buf), "0x%llx",
				 (unsigned long long)f->pc);
		draw_putf(a, y, 2, w * 55 / 100 - 2, A_NORMAL, "%s%s", buf,
		     f->inlined ? " [inlined]" : "");
		if (f->file)
			snprintf(buf, sizeof(buf), "%s:%d", f->file, f->line);
		else
			snprintf(buf, sizeof(buf), "%s",
				 f->module ? f->module : "?");
		draw_put_tail(a, y, w * 55 / 100 + 1, w - w * 55 / 100 - 1, buf,
			 draw_attr(a, ROLE_DIM));
	}
	if (t->go_nframes && t->go_g < s->ngs) {
		const struct snap_goroutine *g = &s->gs[t->go_g];

		for (i = 0; i < t->go_nframes && i < g->nframes &&
			    y < y0 + h; i++, y++) {
			char buf[600];

			draw_putf(a, y, 2, w * 55 / 100 - 2, A_NORMAL, "%s",
			     draw_str(g->frames[i].func));
			draw_frame_where(buf, sizeof(buf), &g->frames[i], 1);
			draw_put_tail(a, y, w * 55 / 100 + 1,
				 w - w * 55 / 100 - 1, buf, draw_attr(a, ROLE_DIM));
		}
	}
	if (t->unwind_error && y < y0 + h)
		draw_putf(a, y, 2, w - 2, draw_attr(a, ROLE_DIM), "(%s)",
		     t->unwind_error);
}

static void threads_title(struct app *a, struct strbuf *sb)
{
	strbuf_addf(sb, " THREADS  %zu",
		    a->m.cur ? a->m.cur->snap->nthreads : 0);
}

static size_t threads_len(struct app *a)
{
	return a->m.cur ? a->m.cur->snap->nthreads : 0;
}

static uint64_t threads_tag(struct app *a, size_t i)
{
	return (uint64_t)a->m.cur->snap->threads[i].tid;
}

/* The goroutine the thread runs. */
static int threads_open(struct app *a, size_t i)
{
	const struct snap_thread *t = &a->m.cur->snap->threads[i];

	if (!t->curg_goid || !nav_open_goroutine(a, t->curg_goid)) {
		app_message(a, 1, "thread %d runs no goroutine", t->tid);
		return KEYS_REDRAW;
	}
	return KEYS_RESCAN;
}

/* The id, name, system call and native frames a search looks in. */
static void threads_text(struct app *a, size_t i, struct strbuf *out)
{
	const struct snap_thread *t = &a->m.cur->snap->threads[i];
	size_t k;

	strbuf_addf(out, "%d %s %s", t->tid, t->name ? t->name : "",
		    t->syscall_name ? t->syscall_name : "");
	for (k = 0; k < t->nnframes; k++)
		if (t->nframes[k].func)
			strbuf_addf(out, " %s", t->nframes[k].func);
}

const struct screen_mode scr_threads_mode = {
	.id = SCR_THREADS, .title = threads_title, .draw = draw_threads,
	.len = threads_len, .tag = threads_tag, .open = threads_open,
	.row_text = threads_text,
};
