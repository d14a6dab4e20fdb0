/* The goroutines screen: the members of a group and a stack. */
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

static void draw_frames(struct app *a, const struct snap_goroutine *g,
			int y0, int h, int w);
static void draw_goroutines(struct app *a, int y0, int h, int w);
static void goroutines_title(struct app *a, struct strbuf *sb);
static void goroutines_rescan(struct app *a);
static size_t goroutines_len(struct app *a);
static uint64_t goroutines_tag(struct app *a, size_t i);
static int goroutines_open(struct app *a, size_t i);
static void goroutines_text(struct app *a, size_t i, struct strbuf *out);

/* The shown frames of g and its creation site, from y0 on. */
static void draw_frames(struct app *a, const struct snap_goroutine *g,
			int y0, int h, int w)
{
	size_t *idx = xcalloc(g->nframes + 1, sizeof(*idx)), n, i;
	int y = y0, wf = w * 55 / 100;
	char buf[600];

	n = group_shown_frames(g, idx);
	for (i = 0; i < n && y < y0 + h; i++, y++) {
		const struct snap_frame *f = &g->frames[idx[i]];

		draw_putf(a, y, 2, wf - 2, A_NORMAL, "%s%s", draw_str(f->func),
		     f->inlined ? " [inlined]" : "");
		draw_frame_where(buf, sizeof(buf), f, 1);
		draw_put_tail(a, y, wf + 1, w - wf - 1, buf, A_NORMAL);
	}
	if (g->has_creator && y < y0 + h) {
		draw_putf(a, y, 2, wf - 2, draw_attr(a, ROLE_DIM), "created by %s",
		     draw_str(g->creator.func));
		draw_frame_where(buf, sizeof(buf), &g->creator, 1);
		draw_put_tail(a, y, wf + 1, w - wf - 1, buf, draw_attr(a, ROLE_DIM));
	}
	free(idx);
}

static void draw_goroutines(struct app *a, int y0, int h, int w)
{
	struct list_state *l = &a->lists[SCR_GOROUTINES];
	const struct model_snap *cur = a->m.cur;
	const struct group *g;
	char b1[32], b2[32], b3[32];
	size_t gi, top, i;
	int listh;
	struct strbuf sb;

	gi = model_group_index(cur, a->group_id);
	if (gi == GROUP_NONE || !a->nmembers) {
		draw_put(a, y0, 1, w - 1, "this group has no goroutines in the "
		    "current snapshot (esc: back)", A_NORMAL);
		return;
	}
	g = &cur->gr.groups[gi];
	draw_fmt_dur(b1, sizeof(b1), g->wait_min);
	draw_fmt_dur(b2, sizeof(b2), g->wait_median);
	draw_fmt_dur(b3, sizeof(b3), g->wait_max);
	draw_putf(a, y0, 1, w - 1, A_NORMAL, "%zu goroutine%s [%s]  wait min %s, "
	     "median %s, max %s", g->count, g->count == 1 ? "" : "s",
	     draw_str(g->rep->status_str), b1, b2, b3);
	/* What they wait on, on a line of its own when any is known. */
	strbuf_init(&sb);
	blocked_group_str(cur->snap, a->members, a->nmembers, &sb);
	if (sb.len && h > 4) {
		draw_putf(a, y0 + 1, 1, w - 1, A_NORMAL, "blocked on %s",
			  sb.buf);
		y0++;
		h--;
	}
	strbuf_release(&sb);
	listh = (h - 3) / 2;
	if (listh < 3)
		listh = 3;
	if ((size_t)listh > a->nmembers)
		listh = (int)a->nmembers;
	draw_fill(y0 + 1, 0, w, draw_attr(a, ROLE_COLHDR));
	draw_putf(a, y0 + 1, 0, w, draw_attr(a, ROLE_COLHDR), "%10s  %-9s %-8s %s",
	     "GOID", "WAIT", "THREAD", "LABELS");
	top = draw_list_window(l, a->nmembers, listh, y0 + 2);
	strbuf_init(&sb);
	for (i = 0; (int)i < listh && top + i < a->nmembers; i++) {
		const struct snap_goroutine *gr =
			&cur->snap->gs[a->members[top + i]];
		attr_t at = top + i == l->sel ? A_REVERSE : A_NORMAL;
		int y = y0 + 2 + (int)i;

		draw_fill(y, 0, w, at);
		draw_fmt_wait_age(a, b1, sizeof(b1), gr->wait_ns,
				  gr->first_seen_ns);
		if (gr->tid)
			snprintf(b2, sizeof(b2), "%d", gr->tid);
		else
			snprintf(b2, sizeof(b2), "-");
		strbuf_reset(&sb);
		draw_labels(gr->labels, gr->nlabels, &sb);
		draw_putf(a, y, 0, w, at, "%10llu  %-*s %-8s %s",
			  (unsigned long long)gr->goid,
			  9 + (b1[0] == '\xe2' ? 2 : 0), b1, b2, sb.buf);
	}
	strbuf_release(&sb);
	if (h - 3 - listh <= 0)
		return;
	{
		const struct snap_goroutine *sel =
			&cur->snap->gs[a->members[l->sel]];
		int y = y0 + 2 + listh;

		draw_fill(y, 0, w, draw_attr(a, ROLE_COLHDR));
		draw_putf(a, y, 0, w, draw_attr(a, ROLE_COLHDR),
		     "stack of goroutine %llu (enter: every frame, source)",
		     (unsigned long long)sel->goid);
		draw_frames(a, sel, y + 1, h - 3 - listh, w);
	}
}

static void goroutines_title(struct app *a, struct strbuf *sb)
{
	strbuf_addf(sb, " GOROUTINES of group %016llx",
		    (unsigned long long)a->group_id);
}

static void goroutines_rescan(struct app *a)
{
	a->nmembers = model_members(&a->m, a->group_id, &a->members,
				    &a->amembers);
}

static size_t goroutines_len(struct app *a)
{
	return a->nmembers;
}

static uint64_t goroutines_tag(struct app *a, size_t i)
{
	return a->m.cur->snap->gs[a->members[i]].goid;
}

static int goroutines_open(struct app *a, size_t i)
{
	return nav_open_goroutine(a, goroutines_tag(a, i)) ? KEYS_RESCAN : 0;
}

/* The id and labels a search looks in. */
static void goroutines_text(struct app *a, size_t i, struct strbuf *out)
{
	const struct snap_goroutine *g = &a->m.cur->snap->gs[a->members[i]];
	size_t k;

	strbuf_addf(out, "%llu ", (unsigned long long)g->goid);
	for (k = 0; k < g->nlabels; k++)
		strbuf_addf(out, "%s=%s ", g->labels[k].key, g->labels[k].value);
}

const struct screen_mode scr_goroutines_mode = {
	.id = SCR_GOROUTINES, .title = goroutines_title,
	.draw = draw_goroutines, .rescan = goroutines_rescan,
	.len = goroutines_len, .tag = goroutines_tag,
	.open = goroutines_open, .row_text = goroutines_text,
};
