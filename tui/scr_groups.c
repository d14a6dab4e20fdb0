/* The groups and leaks screens: one row per group of goroutines. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/draw.h"
#include "tui/nav.h"
#include "tui/screen.h"
#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define TREND_MAX MODEL_SERIES

static void spark(const struct app *a, const long long *v, size_t n,
		  long long hi, struct strbuf *out);
static long long trend_scale(const struct app *a, const struct model_row *rows,
			     size_t n, size_t top, int h, size_t npts);
static void group_func(const struct app *a, const struct model_row *r,
		       int w, char *buf, size_t size);
static void draw_groups(struct app *a, int y0, int h, int w, int leaks);
static void draw_detail(struct app *a, const struct model_row *r, int y,
			int w);
static const char *sort_mark(const struct app *a, enum model_sort key);
static void groups_title(struct app *a, struct strbuf *sb);
static void leaks_title(struct app *a, struct strbuf *sb);
static void groups_draw(struct app *a, int y0, int h, int w);
static void leaks_draw(struct app *a, int y0, int h, int w);
static void query(struct app *a, struct model_query *q, int leaks_only);
static const struct model_row *row_of(struct app *a, size_t i);
static void groups_rescan(struct app *a);
static void leaks_rescan(struct app *a);
static size_t groups_len(struct app *a);
static size_t leaks_len(struct app *a);
static uint64_t rows_tag(struct app *a, size_t i);
static int rows_open(struct app *a, size_t i);
static void rows_text(struct app *a, size_t i, struct strbuf *out);

/*
 * Block characters for the counts v on one zero baseline shared by every
 * row on the screen: the full block is hi, the largest count among them,
 * and any goroutine shows at least the lowest block.  A group with no
 * goroutines in a snapshot is a dot, a failed capture a cross, a point
 * from before the view started (or the trends restarted) blank.
 */
static void spark(const struct app *a, const long long *v, size_t n,
		  long long hi, struct strbuf *out)
{
	static const char ascii[] = "_-~=+*#@";
	size_t i;

	for (i = 0; i < n; i++) {
		int lv;

		if (v[i] == MODEL_GAP) {
			strbuf_adds(out, a->ascii ? "x" : "\xc3\x97");
			continue;
		}
		if (v[i] < 0) {
			strbuf_addc(out, ' ');
			continue;
		}
		if (v[i] == 0) {
			/* U+00B7 */
			strbuf_adds(out, a->ascii ? "." : "\xc2\xb7");
			continue;
		}
		/* 1..hi onto 0..7, rounding up: hi alone is full. */
		lv = (int)((v[i] * 8 + hi - 1) / hi) - 1;
		if (lv < 0)
			lv = 0;
		if (lv > 7)
			lv = 7;
		if (a->ascii) {
			strbuf_addc(out, ascii[lv]);
		} else {
			/* U+2581 .. U+2588 */
			strbuf_addc(out, (char)0xe2);
			strbuf_addc(out, (char)0x96);
			strbuf_addc(out, (char)(0x81 + lv));
		}
	}
}

/* The largest count in the trends of rows [top, top + h): their scale. */
static long long trend_scale(const struct app *a, const struct model_row *rows,
			     size_t n, size_t top, int h, size_t npts)
{
	long long pts[TREND_MAX], hi = 1;
	size_t i, k;

	for (i = top; i < n && (int)(i - top) < h; i++) {
		model_series_points(&a->m, rows[i].ser, pts, npts);
		for (k = 0; k < npts; k++)
			if (pts[k] > hi)
				hi = pts[k];
	}
	return hi;
}

/*
 * The FUNCTION cell of a group in w columns: the name shortened from the
 * left, then as room allows its file:line, what tells it from a
 * look-alike group, and its caller.
 */
static void group_func(const struct app *a, const struct model_row *r,
		       int w, char *buf, size_t size)
{
	const struct snap_frame *f = r->name;
	char name[256], where[128], caller[256];
	struct strbuf tw;
	size_t used;

	strbuf_init(&tw);
	if (r->twin)
		model_twin_diff(r->g, r->twin, &tw);
	if (!f) {
		model_short_func(model_start_name(r->g), draw_main_mod(a), w,
				 a->ascii, name, sizeof(name));
		snprintf(buf, size, "%s%s%s%s", name, tw.len ? " [" : "",
			 tw.buf, tw.len ? "]" : "");
		strbuf_release(&tw);
		return;
	}
	/* The name first; its twin's difference before anything else. */
	model_short_func(f->func, draw_main_mod(a),
			 w - (tw.len ? (int)tw.len + 3 : 0), a->ascii, name,
			 sizeof(name));
	snprintf(buf, size, "%s", name);
	if (tw.len) {
		used = strlen(buf);
		snprintf(buf + used, size - used, " [%s]", tw.buf);
	}
	strbuf_release(&tw);
	snprintf(where, sizeof(where), " %s:%d", draw_base_name(f->file), f->line);
	used = strlen(buf);
	if ((int)(used + strlen(where)) <= w)
		snprintf(buf + used, size - used, "%s", where);
	if (r->caller) {
		const char *c = draw_str(r->caller->func), *p = draw_str(f->func);
		size_t n = strcspn(p, "[(");
		const char *sl = memrchr(p, '/', n);
		const char *dot = strchr(sl ? sl : p, '.');

		/* Without the package it shares with the name. */
		n = dot ? (size_t)(dot - p) + 1 : 0;
		if (n && !strncmp(c, p, n))
			snprintf(caller, sizeof(caller), "%s", c + n);
		else
			model_short_func(c, draw_main_mod(a), 0, a->ascii, caller,
					 sizeof(caller));
		used = strlen(buf);
		if ((int)(used + 3 + strlen(caller)) <= w)
			snprintf(buf + used, size - used, " < %s", caller);
	}
}

/* The groups screen, and with leaks the leaks screen. */
static void draw_groups(struct app *a, int y0, int h, int w, int leaks)
{
	struct list_state *l = &a->lists[a->screen];
	const struct model_row *rows = leaks ? a->leaks : a->rows;
	size_t n = leaks ? a->nleaks : a->nrows, top, i;
	int trend = w >= 140 ? 16 : w >= 100 ? 12 : 8;
	/* Merged states list themselves: wider where there is room. */
	int ws = model_merged(&a->m) && w >= 120 ? 30 : w >= 100 ? 14 : 12;
	int xc = 2, xp = 9, xb = 16, xt = 23, xs, xw, xf, wf, xcr = 0, wcr = 0;
	int detail = 0, xl = 0, wl = 0;
	long long pts[TREND_MAX], hi;
	char buf[512];
	struct strbuf sb;

	if (!a->is_go) {
		draw_putf(a, y0, 1, w - 1, A_NORMAL, "%s (t: threads)",
		     a->not_go ? a->not_go : "not a Go program");
		return;
	}
	if (!a->m.cur) {
		draw_put(a, y0, 1, w - 1, a->error ? a->error
			: "taking the first snapshot", a->error
			? draw_attr(a, ROLE_ERR) : A_NORMAL);
		return;
	}
	/* Narrow screens have no room for an empty baseline column. */
	if (!leaks && !a->m.base && w < 100)
		xt = xb;
	xs = xt + trend + 1;
	xw = xs + ws + 1;
	xf = xw + 8;
	wf = w - xf;
	/* FUNCTION first: CREATED BY only gets what it leaves. */
	if (wf >= 72) {
		wcr = wf - 48 < 48 ? wf - 48 : 48;
		wf -= wcr + 1;
		xcr = xf + wf + 1;
	}
	/* Wide screens: the labels of the groups get a column. */
	if (wcr >= 48 && w >= 150) {
		wl = 22;
		wcr -= wl + 1;
		xl = xcr + wcr + 1;
	}
	draw_fill(y0, 0, w, draw_attr(a, ROLE_COLHDR));
	draw_putf(a, y0, xc, 6, draw_attr(a, ROLE_COLHDR), "%s%s",
	     *sort_mark(a, MSORT_COUNT) ? sort_mark(a, MSORT_COUNT) : " ",
	     "COUNT");
	if (leaks) {
		snprintf(buf, sizeof(buf), "%sGROWTH",
			 sort_mark(a, MSORT_GROWTH));
		draw_put(a, y0, xp, 7, buf, draw_attr(a, ROLE_COLHDR));
		draw_put(a, y0, xb, 6, "LAST", draw_attr(a, ROLE_COLHDR));
	} else {
		snprintf(buf, sizeof(buf), "%s%s", sort_mark(a, MSORT_DELTA),
			 a->ascii ? "dPREV" : "\xce\x94PREV");
		draw_put(a, y0, xp + (*sort_mark(a, MSORT_DELTA) ? 0 : 1), 6,
		    buf, draw_attr(a, ROLE_COLHDR));
		if (xt > xb)
			draw_put(a, y0, xb, 6, a->ascii ? " dBASE"
						   : " \xce\x94" "BASE",
			    draw_attr(a, ROLE_COLHDR));
	}

	snprintf(buf, sizeof(buf), "STATE%s", sort_mark(a, MSORT_STATE));
	draw_put(a, y0, xs, ws, buf, draw_attr(a, ROLE_COLHDR));
	snprintf(buf, sizeof(buf), "%s   WAIT", sort_mark(a, MSORT_WAIT));
	draw_put_tail(a, y0, xw, 7, buf, draw_attr(a, ROLE_COLHDR));
	snprintf(buf, sizeof(buf), "FUNCTION%s", sort_mark(a, MSORT_NAME));
	draw_put(a, y0, xf, wf, buf, draw_attr(a, ROLE_COLHDR));
	if (wcr)
		draw_put(a, y0, xcr, wcr, "CREATED BY", draw_attr(a, ROLE_COLHDR));
	if (wl)
		draw_put(a, y0, xl, wl, "LABELS", draw_attr(a, ROLE_COLHDR));
	/* Its scale joins it once the rows are known. */
	draw_put(a, y0, xt, trend, "TREND", draw_attr(a, ROLE_COLHDR));
	if (h >= 10 && n) {
		detail = 1;
		h -= 2;
	}
	if (!n) {
		if (leaks && leak_track_coverage(a->m.track) ==
				     LEAK_UNDECIDED)
			draw_putf(a, y0 + 1, 1, w - 1, A_NORMAL,
			     "%zu snapshots so far; the leak rule needs %d "
			     "covering its %llds window", a->m.seq,
			     LEAK_MIN_POINTS, (long long)(leak_track_cfg(
				     a->m.track)->window_ns / 1000000000));
		else if (a->filter.text)
			draw_putf(a, y0 + 1, 1, w - 1, A_NORMAL,
			     "no group matches '%s' (/ changes the filter)",
			     a->filter.text);
		else
			draw_put(a, y0 + 1, 1, w - 1, leaks
			    ? "no group grew over the leak window"
			    : "no goroutines", A_NORMAL);
		return;
	}
	top = draw_list_window(l, n, h - 1, y0 + 1);
	/* One scale for the rows shown, in the column's header. */
	hi = trend_scale(a, rows, n, top, h - 1, (size_t)trend);
	snprintf(buf, sizeof(buf), "TREND%s%lld", a->ascii ? "<=" : "\xe2\x89\xa4",
		 hi);
	if ((int)strlen(buf) - (a->ascii ? 0 : 2) > trend)
		snprintf(buf, sizeof(buf), "%s%lld", a->ascii ? "<=" : "\xe2\x89\xa4",
			 hi);
	if ((int)strlen(buf) - (a->ascii ? 0 : 2) > trend)
		snprintf(buf, sizeof(buf), "TREND");
	draw_put(a, y0, xt, trend, buf, draw_attr(a, ROLE_COLHDR));
	strbuf_init(&sb);
	for (i = 0; top + i < n && (int)i < h - 1; i++) {
		const struct model_row *r = &rows[top + i];
		const struct group *g = r->g;
		int y = y0 + 1 + (int)i;
		attr_t at = A_NORMAL;

		if (r->flags & MROW_LEAK)
			at = draw_attr(a, ROLE_LEAK);
		else if (r->flags & MROW_GROWING)
			at = draw_attr(a, ROLE_GROW);
		if (top + i == l->sel)
			at |= A_REVERSE;
		draw_fill(y, 0, w, at);
		draw_put(a, y, 0, 1, r->flags & MROW_LEAK ? "!"
				: r->flags & MROW_RISING ? "^"
				: r->flags & MROW_GROWING ? "+" : " ", at);
		snprintf(buf, sizeof(buf), "%6zu", g->count);
		draw_put(a, y, xc, 6, buf, at);
		if (leaks) {
			draw_fmt_delta(buf, sizeof(buf), r->growth);
			draw_putf(a, y, xp, 6, at, "%6s", buf);
			draw_putf(a, y, xb, 6, at, "%6s", "");
			if (a->m.prev) {
				draw_fmt_delta(buf, sizeof(buf), r->dprev);
				draw_putf(a, y, xb, 6, at, "%6s", buf);
			}
		} else {
			if (a->m.prev) {
				draw_fmt_delta(buf, sizeof(buf), r->dprev);
				draw_putf(a, y, xp, 6, at, "%6s", buf);
			}
			if (a->m.base) {
				draw_fmt_delta(buf, sizeof(buf), r->dbase);
				draw_putf(a, y, xb, 6, at, "%6s", buf);
			}
		}
		strbuf_reset(&sb);
		model_series_points(&a->m, r->ser, pts, (size_t)trend);
		spark(a, pts, (size_t)trend, hi, &sb);
		draw_put(a, y, xt, trend, sb.buf, at);
		strbuf_reset(&sb);
		if (r->nstates > 1)	/* states merged */
			model_fmt_states(r->states, r->nstates, &sb);
		else if (g->rep->status == SNAP_LEAKED)	/* proven leak */
			strbuf_addf(&sb, "leaked: %s",
				    draw_str(g->rep->status_str));
		else
			strbuf_adds(&sb, draw_str(g->rep->status_str));
		draw_put(a, y, xs, ws, sb.buf, at);
		draw_fmt_wait_age(a, buf, sizeof(buf), g->wait_max,
				  g->first_seen_min);
		draw_putf(a, y, xw, 7, at, "%*s",
			  7 + (buf[0] == '\xe2' ? 2 : 0), buf);
		group_func(a, r, wf, buf, sizeof(buf));
		draw_put(a, y, xf, wf, buf, at);
		if (wcr && g->creator) {
			char name[256];

			model_short_func(g->creator->func, draw_main_mod(a),
					 wcr, a->ascii, name, sizeof(name));
			snprintf(buf, sizeof(buf), "%s %s:%d", name,
				 draw_base_name(g->creator->file),
				 g->creator->line);
			draw_put(a, y, xcr, wcr, buf, at);
		}
		if (wl && g->nlabels) {
			strbuf_reset(&sb);
			draw_labels(g->labels, g->nlabels, &sb);
			if (g->more_labels)
				strbuf_adds(&sb, " ...");
			draw_put(a, y, xl, wl, sb.buf, at);
		}
	}
	strbuf_release(&sb);
	if (detail && l->sel < n)
		draw_detail(a, &rows[l->sel], y0 + h, w);
}

/*
 * Two lines on the selected group: its whole name and where it is, what
 * sets it apart, its creator and labels, wrapped onto the second line
 * when the name is long.
 */
static void draw_detail(struct app *a, const struct model_row *r, int y,
			int w)
{
	const struct group *g = r->g;
	const struct snap_frame *f = r->name;
	struct strbuf sb;
	size_t cut = 0, cols = 0;
	int x;

	strbuf_init(&sb);
	draw_fill(y, 0, w, A_NORMAL);
	draw_fill(y + 1, 0, w, A_NORMAL);
	if (f)
		strbuf_addf(&sb, "%s  %s:%d", draw_str(f->func), draw_str(f->file),
			    f->line);
	else
		strbuf_addf(&sb, "%s  (not started yet)", model_start_name(g));
	if (r->nstates > 1) {
		strbuf_adds(&sb, "  states: ");
		model_fmt_states(r->states, r->nstates, &sb);
	}
	if (r->twin) {
		strbuf_adds(&sb, "  differs: ");
		model_twin_diff(g, r->twin, &sb);
	}
	if (g->creator)
		strbuf_addf(&sb, "  created by %s  %s:%d",
			    draw_str(g->creator->func), draw_str(g->creator->file),
			    g->creator->line);
	if (g->nlabels) {
		strbuf_adds(&sb, "  labels ");
		draw_labels(g->labels, g->nlabels, &sb);
	}
	x = draw_put(a, y, 0, w, "> ", draw_attr(a, ROLE_BOLD));
	/* The first line takes what fits, the second the rest. */
	while (cut < sb.len && cols < (size_t)(w - x)) {
		cut++;
		while (cut < sb.len && ((unsigned char)sb.buf[cut] & 0xc0) ==
		       0x80)
			cut++;
		cols++;
	}
	if (cut < sb.len) {
		char *first = xmemdupz(sb.buf, cut);

		draw_put(a, y, x, w - x, first, A_NORMAL);
		free(first);
		draw_put(a, y + 1, x, w - x, sb.buf + cut, draw_attr(a, ROLE_DIM));
	} else {
		draw_put(a, y, x, w - x, sb.buf, A_NORMAL);
	}
	strbuf_release(&sb);
}

/* The marker of the sort column: the key and its direction. */
static const char *sort_mark(const struct app *a, enum model_sort key)
{
	if (a->sort != key)
		return "";
	if (a->ascii)
		return a->reverse ? "^" : "v";
	return a->reverse ? "\xe2\x96\xb2" : "\xe2\x96\xbc";
}

static void groups_title(struct app *a, struct strbuf *sb)
{
	const struct model_snap *cur = a->m.cur;

	strbuf_addf(sb, " GROUPS  %zu of %zu", a->nrows,
		    cur ? cur->gr.ngroups : 0);
	if (a->nsuspects)
		strbuf_addf(sb, "  %zu suspect%s (l)", a->nsuspects,
			    a->nsuspects == 1 ? "" : "s");
	strbuf_addf(sb, "  sort %s%s  level %s%s", model_sort_name(a->sort),
		    a->reverse ? " reversed" : "",
		    group_level_name(a->m.level),
		    model_merged(&a->m) ? ", states merged" : "");
	if (a->hide)
		strbuf_addf(sb, "  hiding %s%s%s: %zu",
			    a->hide & MHIDE_BUSY ? "running" : "",
			    a->hide == (MHIDE_BUSY | MHIDE_SINGLE) ? ", " : "",
			    a->hide & MHIDE_SINGLE ? "single" : "",
			    a->nhidden);
	if (a->filter.text)
		strbuf_addf(sb, "  filter '%s'", a->filter.text);
}

static void leaks_title(struct app *a, struct strbuf *sb)
{
	strbuf_addf(sb, " LEAKS  %zu groups grew over the last ", a->nleaks);
	group_fmt_duration(sb, leak_track_cfg(a->m.track)->window_ns);
	if (a->filter.text)
		strbuf_addf(sb, "  filter '%s'", a->filter.text);
}

static void groups_draw(struct app *a, int y0, int h, int w)
{
	draw_groups(a, y0, h, w, 0);
}

static void leaks_draw(struct app *a, int y0, int h, int w)
{
	draw_groups(a, y0, h, w, 1);
}

/* The rows the groups (leaks_only 0) or leaks screen asks for. */
static void query(struct app *a, struct model_query *q, int leaks_only)
{
	memset(q, 0, sizeof(*q));
	q->filter = &a->filter;
	q->key = a->sort;
	q->reverse = a->reverse;
	q->leaks_only = leaks_only;
	q->pin_suspects = 1;
	q->hide = leaks_only ? 0 : a->hide;
	q->order = leaks_only ? NULL : &a->order;
}

static void groups_rescan(struct app *a)
{
	struct model_query q;

	query(a, &q, 0);
	a->nrows = model_query_rows(&a->m, &q, &a->rows, &a->arows);
	a->nsuspects = q.nsuspects;
	a->nhidden = q.nhidden;
}

static void leaks_rescan(struct app *a)
{
	struct model_query q;

	query(a, &q, 1);
	a->nleaks = model_query_rows(&a->m, &q, &a->leaks, &a->aleaks);
	a->nsuspects = q.nsuspects;
}

static size_t groups_len(struct app *a)
{
	return a->nrows;
}

static size_t leaks_len(struct app *a)
{
	return a->nleaks;
}

/* Row i of the current screen (groups or leaks). */
static const struct model_row *row_of(struct app *a, size_t i)
{
	return a->screen == SCR_LEAKS ? &a->leaks[i] : &a->rows[i];
}

static uint64_t rows_tag(struct app *a, size_t i)
{
	return row_of(a, i)->g->id;
}

static int rows_open(struct app *a, size_t i)
{
	nav_open_group(a, row_of(a, i)->g->id);
	return KEYS_RESCAN;
}

/* The name, state and creator a search looks in. */
static void rows_text(struct app *a, size_t i, struct strbuf *out)
{
	const struct model_row *r = row_of(a, i);

	strbuf_addf(out, "%s %s ", r->name && r->name->func
		    ? r->name->func : model_start_name(r->g),
		    r->g->rep->status_str ? r->g->rep->status_str : "");
	if (r->g->creator && r->g->creator->func)
		strbuf_adds(out, r->g->creator->func);
	if (r->nstates > 1) {
		strbuf_addc(out, ' ');
		model_fmt_states(r->states, r->nstates, out);
	}
}

const struct screen_mode scr_groups_mode = {
	.id = SCR_GROUPS, .title = groups_title, .draw = groups_draw,
	.rescan = groups_rescan, .len = groups_len, .tag = rows_tag,
	.open = rows_open, .row_text = rows_text,
};

const struct screen_mode scr_leaks_mode = {
	.id = SCR_LEAKS, .title = leaks_title, .draw = leaks_draw,
	.rescan = leaks_rescan, .len = leaks_len, .tag = rows_tag,
	.open = rows_open, .row_text = rows_text,
};
