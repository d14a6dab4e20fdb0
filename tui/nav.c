/* Navigation over the screens: rows, selection by tag, jumps, search. */
#include <stdlib.h>
#include <string.h>

#include "tui/nav.h"
#include "tui/screen.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

static void list_fix(struct app *a, enum tui_screen s);
static size_t first_frame(const struct snap *s,
			  const struct snap_goroutine *g);

size_t nav_len(struct app *a, enum tui_screen s)
{
	return screen_modes[s]->len(a);
}

/* Puts the selection back on its tag after the rows changed. */
static void list_fix(struct app *a, enum tui_screen s)
{
	const struct screen_mode *sm = screen_modes[s];
	struct list_state *l = &a->lists[s];
	size_t n = nav_len(a, s), i;

	if (sm->tag) {
		if (l->tagged && l->sel < n && sm->tag(a, l->sel) == l->tag)
			return;
		for (i = 0; l->tagged && i < n; i++) {
			if (sm->tag(a, i) == l->tag) {
				l->sel = i;
				return;
			}
		}
	}
	if (l->sel >= n)
		l->sel = n ? n - 1 : 0;
	if (n && sm->tag) {
		l->tag = sm->tag(a, l->sel);
		l->tagged = 1;
	}
}

void nav_rescan(struct app *a)
{
	enum tui_screen s = a->screen;

	if (a->fresh & SCR_BIT(s))
		return;
	if (screen_modes[s]->rescan)
		screen_modes[s]->rescan(a);
	list_fix(a, s);
	a->fresh = SCR_BIT(s);
}

void nav_prepare(struct app *a)
{
	a->src_ok = 0;
	if (screen_modes[a->screen]->prepare)
		screen_modes[a->screen]->prepare(a);
}

void nav_select(struct app *a, size_t idx)
{
	const struct screen_mode *sm = screen_modes[a->screen];
	struct list_state *l = &a->lists[a->screen];
	size_t n = nav_len(a, a->screen);

	if (!n)
		return;
	if (sm->flags & SCREEN_TEXT) {
		size_t page = l->page > 0 ? (size_t)l->page : 1;
		size_t max = n > page ? n - page : 0;

		l->sel = l->top = idx > max ? max : idx;
		return;
	}
	l->sel = idx >= n ? n - 1 : idx;
	if (sm->tag) {
		l->tag = sm->tag(a, l->sel);
		l->tagged = 1;
	}
}

void nav_move(struct app *a, long delta)
{
	struct list_state *l = &a->lists[a->screen];

	if (delta < 0 && (size_t)-delta > l->sel)
		nav_select(a, 0);
	else
		nav_select(a, l->sel + (size_t)delta);
}

void nav_goto(struct app *a, enum tui_screen s)
{
	if (s == a->screen)
		return;
	if (a->nback == APP_MAX_BACK) {
		memmove(a->back, a->back + 1,
			(APP_MAX_BACK - 1) * sizeof(*a->back));
		a->nback--;
	}
	a->back[a->nback++] = a->screen;
	a->screen = s;
	a->fresh &= ~SCR_BIT(s);
	if ((SCR_NATIVE & SCR_BIT(s)) && !a->offline && a->is_go &&
	    !a->native && !a->gone)
		app_snapshot_now(a);
}

int nav_back(struct app *a)
{
	if (!a->nback) {
		if (a->screen == SCR_GROUPS)
			return 0;
		a->screen = SCR_GROUPS;
		return 1;
	}
	a->screen = a->back[--a->nback];
	a->fresh &= ~SCR_BIT(a->screen);
	return 1;
}

void nav_open_group(struct app *a, uint64_t id)
{
	a->group_id = id;
	memset(&a->lists[SCR_GOROUTINES], 0, sizeof(a->lists[0]));
	nav_goto(a, SCR_GOROUTINES);
}

/* The frame to select first: the first of the program's own. */
static size_t first_frame(const struct snap *s, const struct snap_goroutine *g)
{
	size_t i;

	for (i = 0; i < g->nframes; i++)
		if (group_func_is_user(g->frames[i].func, s->main_module))
			return i;
	for (i = 0; i < g->nframes; i++)
		if (!(g->frames[i].flags & SNAP_FRAME_RUNTIME))
			return i;
	return 0;
}

int nav_open_goroutine(struct app *a, uint64_t goid)
{
	long i = model_find_goroutine(&a->m, goid);

	if (i < 0)
		return 0;
	a->goid = goid;
	a->hscroll = 0;
	memset(&a->lists[SCR_STACK], 0, sizeof(a->lists[0]));
	a->lists[SCR_STACK].sel = first_frame(a->m.cur->snap,
					      &a->m.cur->snap->gs[i]);
	if (a->screen == SCR_STACK)
		a->fresh &= ~SCR_BIT(SCR_STACK);
	else
		nav_goto(a, SCR_STACK);
	return 1;
}

int nav_open(struct app *a)
{
	const struct screen_mode *sm = screen_modes[a->screen];

	nav_rescan(a);
	if (!sm->open || !nav_len(a, a->screen))
		return 0;
	return sm->open(a, a->lists[a->screen].sel);
}

int nav_search(struct app *a, int dir, int from_here)
{
	const struct screen_mode *sm = screen_modes[a->screen];
	struct list_state *l = &a->lists[a->screen];
	size_t n, i, k;
	struct strbuf sb;
	int found = 0;

	if (!a->search || !*a->search || !sm->row_text)
		return 0;
	nav_rescan(a);
	n = nav_len(a, a->screen);
	strbuf_init(&sb);
	for (k = from_here ? 0 : 1; k <= n && n; k++) {
		i = dir > 0 ? (l->sel + k) % n : (l->sel + n - k % n) % n;
		strbuf_reset(&sb);
		sm->row_text(a, i, &sb);
		if (strcasestr(sb.buf, a->search)) {
			if (sm->flags & SCREEN_TEXT)
				l->sel = l->top = i;
			else
				nav_select(a, i);
			found = 1;
			break;
		}
	}
	strbuf_release(&sb);
	if (!found)
		app_message(a, 1, "'%s' not found", a->search);
	return found;
}
