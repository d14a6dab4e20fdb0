/* The diff screen: the current snapshot against the baseline. */
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

/* Goroutines in both snapshots below which a diff is computed here. */
#define DIFF_SYNC_GOROUTINES 20000

static void draw_diff(struct app *a, int y0, int h, int w);
static void diff_title(struct app *a, struct strbuf *sb);
static void diff_rescan(struct app *a);
static size_t diff_len(struct app *a);
static uint64_t diff_tag(struct app *a, size_t i);
static int diff_open(struct app *a, size_t i);
static void diff_text(struct app *a, size_t i, struct strbuf *out);

static void draw_diff(struct app *a, int y0, int h, int w)
{
	struct list_state *l = &a->lists[SCR_DIFF];
	const struct model_snap *old;
	const struct diff *d = model_diff(&a->m, &old);
	size_t top, i;
	char buf[512], b1[64];
	int y = y0, xf = 57;

	if (!d && old) {
		draw_put(a, y0, 1, w - 1, "comparing the snapshots", A_NORMAL);
		return;
	}
	if (!d) {
		draw_put(a, y0, 1, w - 1, "nothing to compare yet: b marks the "
		    "current snapshot as the baseline", A_NORMAL);
		return;
	}
	if (old == a->m.base && old->seq)
		snprintf(b1, sizeof(b1), "the baseline #%zu", old->seq);
	else if (old == a->m.base)
		snprintf(b1, sizeof(b1), "the baseline file");
	else
		snprintf(b1, sizeof(b1), "the previous snapshot #%zu",
			 old->seq);
	draw_putf(a, y++, 1, w - 1, A_NORMAL, "against %s: %zu -> %zu goroutines "
	     "(%+lld)", b1, d->a.ngrouped, d->b.ngrouped,
	     (long long)d->b.ngrouped - (long long)d->a.ngrouped);
	if (d->ids_known)
		draw_putf(a, y++, 1, w - 1, A_NORMAL, "goroutines: %zu new, %zu "
		     "exited, %zu persisted (same id and group), %zu moved",
		     d->n_new, d->n_exited, d->n_persisted, d->n_moved);
	draw_putf(a, y++, 1, w - 1, A_NORMAL, "groups: %zu grown, %zu new, %zu "
	     "shrunk, %zu gone, %zu unchanged", d->count[DIFF_GROWN],
	     d->count[DIFF_NEW], d->count[DIFF_SHRUNK], d->count[DIFF_GONE],
	     d->count[DIFF_SAME]);
	draw_fill(y, 0, w, draw_attr(a, ROLE_COLHDR));
	draw_putf(a, y, 0, w, draw_attr(a, ROLE_COLHDR), "%-7s %7s %7s %7s %8s  %-14s "
	     "%s", "CHANGE", "BEFORE", "AFTER", a->ascii ? "DELTA" : "\xce\x94",
	     "PERSIST", "STATE", "FUNCTION");
	y++;
	if (!a->ndrows) {
		draw_put(a, y, 1, w - 1, "no group changed", A_NORMAL);
		return;
	}
	top = draw_list_window(l, a->ndrows, y0 + h - y, y);
	for (i = 0; y < y0 + h && top + i < a->ndrows; i++, y++) {
		const struct diff_group *dg = &d->groups[a->drows[top + i]];
		const struct group *g = dg->new ? dg->new : dg->old;
		const struct snap_frame *f = model_name_frame(g);
		char name[256];
		attr_t at = A_NORMAL;

		if (dg->change == DIFF_GROWN || dg->change == DIFF_NEW)
			at = draw_attr(a, ROLE_GROW);
		else if (dg->change == DIFF_GONE)
			at = draw_attr(a, ROLE_DIM);
		if (top + i == l->sel)
			at |= A_REVERSE;
		draw_fill(y, 0, w, at);
		draw_fmt_delta(b1, sizeof(b1),
			  (long long)dg->after - (long long)dg->before);
		draw_putf(a, y, 0, xf, at, "%-7s %7zu %7zu %7s %8zu  %-14.14s",
		     diff_change_name(dg->change), dg->before, dg->after, b1,
		     dg->persisted, draw_str(g->rep->status_str));
		model_short_func(f ? f->func : model_start_name(g),
				 draw_main_mod(a), w - xf, a->ascii, name,
				 sizeof(name));
		if (f)
			snprintf(buf, sizeof(buf), "%s %s:%d", name,
				 draw_base_name(f->file), f->line);
		else
			snprintf(buf, sizeof(buf), "%s", name);
		draw_put(a, y, xf, w - xf, buf, at);
	}
}

static void diff_title(struct app *a, struct strbuf *sb)
{
	strbuf_addf(sb, " DIFF  level %s%s", group_level_name(a->m.level),
		    model_merged(&a->m) ? ", states merged" : "");
}

/*
 * Small snapshots are compared here; large ones (a diff of 100k
 * goroutines takes a few hundred milliseconds) by the feed's thread,
 * the screen saying so meanwhile.
 */
static void diff_rescan(struct app *a)
{
	const struct diff *d = model_diff(&a->m, NULL);
	const struct snap *sa, *sb;
	size_t i;

	a->ndrows = 0;
	if (!d && model_diff_wanted(&a->m, &sa, &sb)) {
		/* The feed's diff does not merge states. */
		if (!a->feed || model_merged(&a->m) ||
		    sa->ngs + sb->ngs < DIFF_SYNC_GOROUTINES) {
			d = model_diff_now(&a->m, NULL);
		} else if (!a->diff_asked || a->diff_asked_a != sa ||
			   a->diff_asked_b != sb) {
			/* Replaces an older request not finished yet. */
			feed_request_diff(a->feed, sa, sb, a->m.level);
			a->diff_asked = 1;
			a->diff_asked_a = sa;
			a->diff_asked_b = sb;
		}
	}
	if (!d)
		return;
	if (a->adrows < d->ngroups + 1) {
		a->adrows = d->ngroups + 1;
		a->drows = xreallocarray(a->drows, a->adrows,
					 sizeof(*a->drows));
	}
	for (i = 0; i < d->ngroups; i++)
		if (d->groups[i].change != DIFF_SAME)
			a->drows[a->ndrows++] = i;
}

static size_t diff_len(struct app *a)
{
	return a->ndrows;
}

static uint64_t diff_tag(struct app *a, size_t i)
{
	return a->m.diff.groups[a->drows[i]].id;
}

static int diff_open(struct app *a, size_t i)
{
	const struct diff_group *dg = &a->m.diff.groups[a->drows[i]];

	if (!dg->new) {
		app_message(a, 1, "that group has no goroutines now");
		return KEYS_REDRAW;
	}
	nav_open_group(a, dg->id);
	return KEYS_RESCAN;
}

/* The change and the group's name a search looks in. */
static void diff_text(struct app *a, size_t i, struct strbuf *out)
{
	const struct diff_group *dg = &a->m.diff.groups[a->drows[i]];
	const struct group *gr = dg->new ? dg->new : dg->old;
	const struct snap_frame *f = model_name_frame(gr);

	strbuf_addf(out, "%s %s", diff_change_name(dg->change),
		    f && f->func ? f->func : model_start_name(gr));
}

const struct screen_mode scr_diff_mode = {
	.id = SCR_DIFF, .title = diff_title, .draw = draw_diff,
	.rescan = diff_rescan, .len = diff_len, .tag = diff_tag,
	.open = diff_open, .row_text = diff_text,
};
