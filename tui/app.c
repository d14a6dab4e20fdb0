/* The interactive view's state: results, rows, selection, navigation. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buildinfo/format.h"
#include "buildinfo/provenance.h"
#include "inspect/proc.h"
#include "snapshot/snap.h"
#include "tui/app.h"
#include "tui/export.h"
#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define MSG_NS 5000000000ull
/* Goroutines in both snapshots below which a diff is computed here. */
#define APP_SYNC_DIFF 20000

static void list_fix(struct app *a, enum tui_screen s);
static uint64_t row_tag(struct app *a, enum tui_screen s, size_t i);
static void split_lines(struct app *a, const struct strbuf *sb);
static void offline_facts(struct app *a);
static void rescan_diff(struct app *a);
static void replace_str(char **dst, const char *src);
static void show_problems(struct app *a, const struct snap *s);
static size_t first_frame(const struct snap *s,
			  const struct snap_goroutine *g);
static void open_group(struct app *a, uint64_t id);
static void app_query(struct app *a, struct model_query *q, int leaks_only);
static int save_file(struct app *a, const char *path, struct strbuf *sb,
		     const char *what);
static void row_text(struct app *a, enum tui_screen s, size_t i,
		     struct strbuf *out);

const char *app_screen_name(enum tui_screen s)
{
	static const char *const names[SCR_COUNT] = {
		"groups", "goroutines", "stack", "threads", "build",
		"diff", "leaks", "help",
	};

	return s < SCR_COUNT ? names[s] : "?";
}

static void replace_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? xstrdup(src) : NULL;
}

void app_init(struct app *a, const struct tui_opts *o)
{
	memset(a, 0, sizeof(*a));
	a->o = o;
	a->pid = o->pid;
	a->offline = o->pid == 0;
	model_init(&a->m, o->level);
	model_set_leak(&a->m, &o->leak, o->rules);
	a->autorefresh = !a->offline && !o->once;
	a->interval_ns = o->interval_ns ? o->interval_ns
					: TUI_DEFAULT_INTERVAL_NS;
	a->ascii = o->ascii;
	a->gidx = -1;
	a->is_go = 1;
	a->screen = SCR_GROUPS;
	strbuf_init(&a->build);
	strbuf_init(&a->help);
	strbuf_init(&a->input);
	strbuf_init(&a->pending);
}

void app_release(struct app *a)
{
	size_t i;

	model_release(&a->m);
	model_filter_release(&a->filter);
	model_order_release(&a->order);
	for (i = 0; i < a->nloaded; i++) {
		snap_free(a->files[i]);
		free(a->names[i]);
	}
	free(a->files);
	free(a->names);
	free(a->exe);
	free(a->go_version);
	free(a->module);
	free(a->vcs);
	free(a->not_go);
	free(a->error);
	free(a->rows);
	free(a->leaks);
	free(a->members);
	free(a->drows);
	free(a->line_off);
	free(a->prompt_saved);
	free(a->pending_path);
	free(a->search);
	strbuf_release(&a->pending);
	strbuf_release(&a->build);
	strbuf_release(&a->help);
	strbuf_release(&a->input);
	source_release(&a->src);
	memset(a, 0, sizeof(*a));
}

void app_load_facts(struct app *a)
{
	struct provenance p;
	struct err e;
	const char *rev, *mod;

	memset(&p, 0, sizeof(p));
	err_init(&e);
	strbuf_reset(&a->build);
	if (provenance_from_pid(a->pid, 0, &p, &e) < 0) {
		strbuf_addf(&a->build, "cannot read the build information: "
			    "%s\n", e.msg);
		provenance_release(&p);
		return;
	}
	replace_str(&a->exe, p.exe_path ? p.exe_path : p.name);
	if (p.go.found && p.go.go.version)
		replace_str(&a->go_version, p.go.go.version);
	if (p.go.found && p.mod.has_main && p.mod.main.path) {
		free(a->module);
		a->module = xasprintf("%s@%s", p.mod.main.path,
				      p.mod.main.version ? p.mod.main.version
							 : "?");
	}
	rev = p.go.found ? modinfo_setting(&p.mod, "vcs.revision") : NULL;
	if (rev) {
		mod = modinfo_setting(&p.mod, "vcs.modified");
		free(a->vcs);
		a->vcs = xasprintf("%.12s%s", rev,
				   mod && !strcmp(mod, "true") ? "+dirty" : "");
	}
	a->start_time = p.start_time;
	bifmt_text(&p, BIFMT_VERBOSE, &a->build);
	provenance_release(&p);
}

/* The header and build screen of a snapshot file. */
static void offline_facts(struct app *a)
{
	const struct snap *s = a->m.cur ? a->m.cur->snap : NULL;
	char when[64];
	struct tm tm;
	time_t t;

	strbuf_reset(&a->build);
	if (!s)
		return;
	replace_str(&a->exe, s->exe);
	replace_str(&a->go_version, s->go_version);
	replace_str(&a->module, s->main_module);
	strbuf_addf(&a->build, "file:            %s\n",
		    a->m.cur->name ? a->m.cur->name : "-");
	if (s->pid)
		strbuf_addf(&a->build, "pid:             %d\n", (int)s->pid);
	strbuf_addf(&a->build, "executable:      %s\n", s->exe ? s->exe : "-");
	strbuf_addf(&a->build, "go version:      %s\n",
		    s->go_version ? s->go_version : "-");
	strbuf_addf(&a->build, "main module:     %s\n",
		    s->main_module ? s->main_module : "-");
	if (s->time_unix_ns > 0) {
		t = (time_t)(s->time_unix_ns / 1000000000);
		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", &tm);
		strbuf_addf(&a->build, "captured:        %s\n", when);
	}
	if (s->pause_ns)
		strbuf_addf(&a->build, "paused:          %.1f ms\n",
			    (double)s->pause_ns / 1e6);
	strbuf_addf(&a->build, "goroutines:      %llu\n",
		    (unsigned long long)snap_total(s));
	strbuf_addf(&a->build, "threads:         %zu\n", s->nthreads);
	if (s->layout_source)
		strbuf_addf(&a->build, "layouts from:    %s\n",
			    s->layout_source);
	strbuf_adds(&a->build, "\nThe build information of a snapshot "
		    "file is what the file records.\n");
}

void app_message(struct app *a, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof(a->msg), fmt, ap);
	va_end(ap);
	a->msg_error = error;
	a->msg_until = feed_now_ns() + MSG_NS;
}

void app_invalidate(struct app *a)
{
	a->fresh = 0;
}

/* A live capture's problems (partial, failed resume) on the status line. */
static void show_problems(struct app *a, const struct snap *s)
{
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb);
	if (s && snap_problems(s, &sb)) {
		/* One line: "; " between the problems. */
		sb.buf[--sb.len] = '\0';
		for (i = 0; i < sb.len; i++)
			if (sb.buf[i] == '\n')
				sb.buf[i] = ';';
		app_message(a, 1, "%s", sb.buf);
	}
	strbuf_release(&sb);
}

int app_on_result(struct app *a, struct feed_result *r)
{
	switch (r->ev) {
	case FEED_SNAPSHOT:
		a->nsnaps++;
		a->took_ns = r->took_ns;
		a->native = r->native;
		replace_str(&a->error, NULL);
		if (!a->offline)
			show_problems(a, r->snap);
		if (a->offline) {
			const char *name = a->o->files[r->file];

			a->files = xreallocarray(a->files, a->nloaded + 1,
						 sizeof(*a->files));
			a->names = xreallocarray(a->names, a->nloaded + 1,
						 sizeof(*a->names));
			a->files[a->nloaded] = r->snap;
			a->names[a->nloaded] = xstrdup(name);
			/* Follow the files as they load. */
			if (!a->m.cur || a->file_cur + 1 == a->nloaded) {
				model_push(&a->m, r->snap, &r->gr, 0, name);
				a->file_cur = a->nloaded;
			}
			a->nloaded++;
			r->snap = NULL;
			offline_facts(a);
		} else {
			model_push(&a->m, r->snap, &r->gr, 1, NULL);
			r->snap = NULL;
		}
		if (r->e.code)
			app_message(a, 1, "%s", r->e.msg);
		break;
	case FEED_BASELINE:
		model_set_baseline(&a->m, r->snap, a->o->baseline);
		r->snap = NULL;
		if (r->e.code)
			app_message(a, 1, "%s", r->e.msg);
		break;
	case FEED_DIFF:
		if (r->diff_a == a->diff_asked_a &&
		    r->diff_b == a->diff_asked_b)
			a->diff_asked = 0;
		model_diff_install(&a->m, r->diff_a, r->diff_b, r->diff_level,
				   &r->diff);
		break;
	case FEED_ERROR:
		if (r->error == -ESRCH && !a->offline) {
			a->gone = 1;
			a->autorefresh = 0;
			app_message(a, 1, PROC_EXITED_MSG, (int)a->pid);
		} else {
			app_message(a, 1, "%s", r->e.msg);
		}
		replace_str(&a->error, r->e.msg);
		break;
	}
	feed_result_release(r);
	app_invalidate(a);
	return KEYS_RESCAN;
}

void app_snapshot_now(struct app *a)
{
	unsigned int what = 0;
	int r;

	if (a->offline) {
		app_message(a, 1, "browsing files: no live process");
		return;
	}
	if (a->gone) {
		app_message(a, 1, PROC_EXITED_MSG, (int)a->pid);
		return;
	}
	if (a->screen == SCR_THREADS)
		what |= FEED_NATIVE;
	r = feed_request(a->feed, what, a->m.level);
	if (r == -EBUSY)
		app_message(a, 0, "a snapshot is being taken");
	if (a->autorefresh)
		a->next_due = feed_now_ns() + a->interval_ns;
}

void app_tick(struct app *a, uint64_t now)
{
	unsigned int what = 0;

	if (a->offline || a->gone || !a->autorefresh || now < a->next_due)
		return;
	/* The diff on the screen first, or it never catches up. */
	if (feed_busy(a->feed, NULL) || a->diff_asked)
		return;
	if (a->screen == SCR_THREADS)
		what |= FEED_NATIVE;
	if (feed_request(a->feed, what, a->m.level) == 0)
		a->next_due = now + a->interval_ns;
}

static void split_lines(struct app *a, const struct strbuf *sb)
{
	size_t i, n = 0;

	for (i = 0; i < sb->len; i++)
		if (sb->buf[i] == '\n')
			n++;
	if (a->alines < n + 2) {
		a->alines = n + 2;
		a->line_off = xreallocarray(a->line_off, a->alines,
					    sizeof(*a->line_off));
	}
	a->nlines = 0;
	for (i = 0; i < sb->len; i++)
		if (i == 0 || sb->buf[i - 1] == '\n')
			a->line_off[a->nlines++] = i;
}

/*
 * Small snapshots are compared here; large ones (a diff of 100k
 * goroutines takes a few hundred milliseconds) by the feed's thread,
 * the screen saying so meanwhile.
 */
static void rescan_diff(struct app *a)
{
	const struct diff *d = model_diff(&a->m, NULL);
	const struct snap *sa, *sb;
	size_t i;

	a->ndrows = 0;
	if (!d && model_diff_wanted(&a->m, &sa, &sb)) {
		if (!a->feed || sa->ngs + sb->ngs < APP_SYNC_DIFF) {
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

static uint64_t row_tag(struct app *a, enum tui_screen s, size_t i)
{
	const struct snap *snap = a->m.cur ? a->m.cur->snap : NULL;

	switch (s) {
	case SCR_GROUPS:
		return a->rows[i].g->id;
	case SCR_LEAKS:
		return a->leaks[i].g->id;
	case SCR_GOROUTINES:
		return snap->gs[a->members[i]].goid;
	case SCR_THREADS:
		return (uint64_t)snap->threads[i].tid;
	case SCR_DIFF:
		return a->m.diff.groups[a->drows[i]].id;
	default:
		return i;
	}
}

size_t app_list_len(struct app *a, enum tui_screen s)
{
	switch (s) {
	case SCR_GROUPS:
		return a->nrows;
	case SCR_LEAKS:
		return a->nleaks;
	case SCR_GOROUTINES:
		return a->nmembers;
	case SCR_STACK:
		return a->nframes;
	case SCR_THREADS:
		return a->m.cur ? a->m.cur->snap->nthreads : 0;
	case SCR_DIFF:
		return a->ndrows;
	case SCR_BUILD:
	case SCR_HELP:
		return a->nlines;
	default:
		return 0;
	}
}

/* Puts the selection back on its tag after the rows changed. */
static void list_fix(struct app *a, enum tui_screen s)
{
	struct list_state *l = &a->lists[s];
	size_t n = app_list_len(a, s), i;

	if (SCR_LISTS & SCR_BIT(s) & ~SCR_BIT(SCR_STACK)) {
		if (l->tagged && l->sel < n && row_tag(a, s, l->sel) == l->tag)
			return;
		for (i = 0; l->tagged && i < n; i++) {
			if (row_tag(a, s, i) == l->tag) {
				l->sel = i;
				return;
			}
		}
	}
	if (l->sel >= n)
		l->sel = n ? n - 1 : 0;
	if (n && (SCR_LISTS & SCR_BIT(s))) {
		l->tag = row_tag(a, s, l->sel);
		l->tagged = 1;
	}
}

/* The rows the groups (leaks_only 0) or leaks screen asks for. */
static void app_query(struct app *a, struct model_query *q, int leaks_only)
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

void app_prompt_open(struct app *a, enum prompt_kind kind, const char *text)
{
	a->prompt = kind;
	strbuf_reset(&a->input);
	if (text)
		strbuf_adds(&a->input, text);
	free(a->prompt_saved);
	a->prompt_saved = a->filter.text ? xstrdup(a->filter.text) : NULL;
}

void app_prepare(struct app *a)
{
	const struct list_state *l = &a->lists[SCR_STACK];
	const struct snap_goroutine *g;
	const struct snap_frame *f;

	a->src_ok = 0;
	if (a->screen != SCR_STACK || a->gidx < 0 || !a->m.cur)
		return;
	g = &a->m.cur->snap->gs[a->gidx];
	f = l->sel < g->nframes ? &g->frames[l->sel]
				 : g->has_creator ? &g->creator : NULL;
	if (f && f->file && f->line > 0 &&
	    source_load(&a->src, a->o->source_root, f->file) == 0)
		a->src_ok = 1;
}

void app_rescan(struct app *a)
{
	enum tui_screen s = a->screen;
	const struct snap_goroutine *g;
	struct model_query q;

	if (a->fresh & SCR_BIT(s))
		return;
	switch (s) {
	case SCR_GROUPS:
		app_query(a, &q, 0);
		a->nrows = model_query_rows(&a->m, &q, &a->rows, &a->arows);
		a->nsuspects = q.nsuspects;
		a->nhidden = q.nhidden;
		break;
	case SCR_LEAKS:
		app_query(a, &q, 1);
		a->nleaks = model_query_rows(&a->m, &q, &a->leaks,
					     &a->aleaks);
		a->nsuspects = q.nsuspects;
		break;
	case SCR_GOROUTINES:
		a->nmembers = model_members(&a->m, a->group_id, &a->members,
					    &a->amembers);
		break;
	case SCR_STACK:
		a->gidx = model_find_goroutine(&a->m, a->goid);
		a->nframes = 0;
		if (a->gidx >= 0) {
			g = &a->m.cur->snap->gs[a->gidx];
			a->nframes = g->nframes + (g->has_creator ? 1 : 0);
		}
		break;
	case SCR_DIFF:
		rescan_diff(a);
		break;
	case SCR_BUILD:
		if (a->offline)
			offline_facts(a);
		split_lines(a, &a->build);
		break;
	case SCR_HELP:
		split_lines(a, &a->help);
		break;
	default:
		break;
	}
	list_fix(a, s);
	a->fresh = SCR_BIT(s);
}

void app_select(struct app *a, size_t idx)
{
	struct list_state *l = &a->lists[a->screen];
	size_t n = app_list_len(a, a->screen);

	if (!n)
		return;
	if (a->screen == SCR_BUILD || a->screen == SCR_HELP) {
		size_t page = l->page > 0 ? (size_t)l->page : 1;
		size_t max = n > page ? n - page : 0;

		l->sel = l->top = idx > max ? max : idx;
		return;
	}
	l->sel = idx >= n ? n - 1 : idx;
	if (SCR_LISTS & SCR_BIT(a->screen)) {
		l->tag = row_tag(a, a->screen, l->sel);
		l->tagged = 1;
	}
}

void app_move(struct app *a, long delta)
{
	struct list_state *l = &a->lists[a->screen];

	if (delta < 0 && (size_t)-delta > l->sel)
		app_select(a, 0);
	else
		app_select(a, l->sel + (size_t)delta);
}

void app_goto(struct app *a, enum tui_screen s)
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
	if (s == SCR_THREADS && !a->offline && a->is_go && !a->native &&
	    !a->gone)
		app_snapshot_now(a);
}

int app_back(struct app *a)
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

static void open_group(struct app *a, uint64_t id)
{
	a->group_id = id;
	memset(&a->lists[SCR_GOROUTINES], 0, sizeof(a->lists[0]));
	app_goto(a, SCR_GOROUTINES);
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

int app_open_goroutine(struct app *a, uint64_t goid)
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
		app_goto(a, SCR_STACK);
	return 1;
}

int app_open(struct app *a)
{
	struct list_state *l = &a->lists[a->screen];
	const struct diff_group *dg;
	const struct snap_goroutine *g;

	app_rescan(a);
	if (!app_list_len(a, a->screen))
		return 0;
	switch (a->screen) {
	case SCR_GROUPS:
		open_group(a, a->rows[l->sel].g->id);
		return 1;
	case SCR_LEAKS:
		open_group(a, a->leaks[l->sel].g->id);
		return 1;
	case SCR_DIFF:
		dg = &a->m.diff.groups[a->drows[l->sel]];
		if (!dg->new) {
			app_message(a, 1, "that group has no goroutines now");
			return 0;
		}
		open_group(a, dg->id);
		return 1;
	case SCR_GOROUTINES:
		return app_open_goroutine(a,
			a->m.cur->snap->gs[a->members[l->sel]].goid);
	case SCR_THREADS: {
		const struct snap_thread *t = &a->m.cur->snap->threads[l->sel];

		if (!t->curg_goid || !app_open_goroutine(a, t->curg_goid)) {
			app_message(a, 1, "thread %d runs no goroutine",
				    t->tid);
			return 0;
		}
		return 1;
	}
	case SCR_STACK:
		if (a->gidx < 0)
			return 0;
		g = &a->m.cur->snap->gs[a->gidx];
		if (!g->has_creator || l->sel != g->nframes)
			return 0;
		if (!g->parent_goid ||
		    !app_open_goroutine(a, g->parent_goid)) {
			app_message(a, 1, "the parent goroutine is not alive");
			return 0;
		}
		return 1;
	default:
		return 0;
	}
}

/* The text of row i of screen s that a search looks in. */
static void row_text(struct app *a, enum tui_screen s, size_t i,
		     struct strbuf *out)
{
	const struct snap *snap = a->m.cur ? a->m.cur->snap : NULL;
	const struct snap_goroutine *g;
	const struct snap_thread *t;
	const struct model_row *r;
	size_t k;

	switch (s) {
	case SCR_GROUPS:
	case SCR_LEAKS:
		r = s == SCR_GROUPS ? &a->rows[i] : &a->leaks[i];
		strbuf_addf(out, "%s %s ", r->name && r->name->func
			    ? r->name->func : model_start_name(r->g),
			    r->g->rep->status_str ? r->g->rep->status_str
						  : "");
		if (r->g->creator && r->g->creator->func)
			strbuf_adds(out, r->g->creator->func);
		break;
	case SCR_GOROUTINES:
		g = &snap->gs[a->members[i]];
		strbuf_addf(out, "%llu ", (unsigned long long)g->goid);
		for (k = 0; k < g->nlabels; k++)
			strbuf_addf(out, "%s=%s ", g->labels[k].key,
				    g->labels[k].value);
		break;
	case SCR_STACK:
		if (a->gidx < 0)
			break;
		g = &snap->gs[a->gidx];
		if (i < g->nframes)
			strbuf_addf(out, "%s %s:%d", g->frames[i].func
				    ? g->frames[i].func : "",
				    g->frames[i].file ? g->frames[i].file : "",
				    g->frames[i].line);
		else if (g->has_creator && g->creator.func)
			strbuf_addf(out, "created by %s", g->creator.func);
		break;
	case SCR_THREADS:
		t = &snap->threads[i];
		strbuf_addf(out, "%d %s %s", t->tid, t->name ? t->name : "",
			    t->syscall_name ? t->syscall_name : "");
		for (k = 0; k < t->nnframes; k++)
			if (t->nframes[k].func)
				strbuf_addf(out, " %s", t->nframes[k].func);
		break;
	case SCR_DIFF: {
		const struct diff_group *dg =
			&a->m.diff.groups[a->drows[i]];
		const struct group *gr = dg->new ? dg->new : dg->old;
		const struct snap_frame *f = model_name_frame(gr);

		strbuf_addf(out, "%s %s", diff_change_name(dg->change),
			    f && f->func ? f->func : model_start_name(gr));
		break;
	}
	case SCR_BUILD:
	case SCR_HELP: {
		const struct strbuf *sb = s == SCR_BUILD ? &a->build : &a->help;
		size_t off = a->line_off[i], end = off;

		while (end < sb->len && sb->buf[end] != '\n')
			end++;
		strbuf_add(out, sb->buf + off, end - off);
		break;
	}
	default:
		break;
	}
}

int app_search(struct app *a, int dir, int from_here)
{
	struct list_state *l = &a->lists[a->screen];
	size_t n, i, k;
	struct strbuf sb;
	int found = 0;

	if (!a->search || !*a->search)
		return 0;
	app_rescan(a);
	n = app_list_len(a, a->screen);
	strbuf_init(&sb);
	for (k = from_here ? 0 : 1; k <= n && n; k++) {
		i = dir > 0 ? (l->sel + k) % n : (l->sel + n - k % n) % n;
		strbuf_reset(&sb);
		row_text(a, a->screen, i, &sb);
		if (strcasestr(sb.buf, a->search)) {
			if (a->screen == SCR_BUILD || a->screen == SCR_HELP)
				l->sel = l->top = i;
			else
				app_select(a, i);
			found = 1;
			break;
		}
	}
	strbuf_release(&sb);
	if (!found)
		app_message(a, 1, "'%s' not found", a->search);
	return found;
}

void app_show_file(struct app *a, size_t idx)
{
	size_t i;

	if (idx >= a->nloaded)
		return;
	model_reset(&a->m);
	for (i = 0; i <= idx; i++)
		model_push(&a->m, a->files[i], NULL, 0, a->names[i]);
	a->file_cur = idx;
	offline_facts(a);
	app_invalidate(a);
	app_message(a, 0, "file %zu of %zu: %s", idx + 1, a->nloaded,
		    a->names[idx]);
}

/* Writes sb to path unless it exists; then asks before replacing it. */
static int save_file(struct app *a, const char *path, struct strbuf *sb,
		     const char *what)
{
	char *full = export_expand(path);
	struct err e;
	int r;

	err_init(&e);
	r = export_write(full, sb->buf, sb->len, 0, &e);
	if (r == -EEXIST) {
		free(a->pending_path);
		a->pending_path = full;
		strbuf_release(&a->pending);
		a->pending = *sb;
		strbuf_init(sb);
		app_prompt_open(a, PROMPT_OVERWRITE, NULL);
		return r;
	}
	if (r < 0)
		app_message(a, 1, "%s", e.msg);
	else
		app_message(a, 0, "wrote %s (%s, %zu bytes)", full, what,
			    sb->len);
	free(full);
	return r;
}

void app_overwrite(struct app *a, int yes)
{
	struct err e;

	err_init(&e);
	if (!a->pending_path)
		return;
	if (!yes)
		app_message(a, 0, "%s left as it was", a->pending_path);
	else if (export_write(a->pending_path, a->pending.buf, a->pending.len,
			      1, &e) < 0)
		app_message(a, 1, "%s", e.msg);
	else
		app_message(a, 0, "replaced %s (%zu bytes)", a->pending_path,
			    a->pending.len);
	free(a->pending_path);
	a->pending_path = NULL;
	strbuf_reset(&a->pending);
}

int app_export(struct app *a, const char *path)
{
	enum export_format f = export_format_of(path);
	struct strbuf sb;
	struct err e;
	char what[64];
	int r;

	if (!a->m.cur) {
		app_message(a, 1, "no snapshot yet");
		return -ENODATA;
	}
	err_init(&e);
	strbuf_init(&sb);
	r = export_render(a->m.cur->snap, f, &sb, &e);
	if (r < 0) {
		app_message(a, 1, "%s", e.msg);
	} else {
		snprintf(what, sizeof(what), "%s, %zu goroutines",
			 export_format_name(f), a->m.cur->snap->ngs);
		r = save_file(a, path, &sb, what);
	}
	strbuf_release(&sb);
	return r;
}

int app_stack_text(struct app *a, struct strbuf *out)
{
	const struct snap_goroutine *g;
	size_t i;

	app_rescan(a);
	if (a->gidx < 0)
		return -ESRCH;
	g = &a->m.cur->snap->gs[a->gidx];
	strbuf_addf(out, "goroutine %llu [%s]:\n",
		    (unsigned long long)g->goid,
		    g->status_str ? g->status_str : "?");
	for (i = 0; i < g->nframes; i++)
		strbuf_addf(out, "%s(...)\n\t%s:%d\n",
			    g->frames[i].func ? g->frames[i].func : "?",
			    g->frames[i].file ? g->frames[i].file : "?",
			    g->frames[i].line);
	if (g->has_creator)
		strbuf_addf(out, "created by %s in goroutine %llu\n\t%s:%d\n",
			    g->creator.func ? g->creator.func : "?",
			    (unsigned long long)g->parent_goid,
			    g->creator.file ? g->creator.file : "?",
			    g->creator.line);
	return 0;
}

int app_save_stack(struct app *a, const char *path)
{
	struct strbuf sb;
	int r;

	strbuf_init(&sb);
	r = app_stack_text(a, &sb);
	if (r < 0)
		app_message(a, 1, "goroutine %llu has exited",
			    (unsigned long long)a->goid);
	else
		r = save_file(a, path, &sb, "stack");
	strbuf_release(&sb);
	return r;
}

char *app_export_name(const struct app *a)
{
	const struct snap *s = a->m.cur->snap;
	char *dir = export_default_dir(), *out;
	const char *home = getenv("HOME"), *shown = dir;
	char when[32] = "";
	struct tm tm;
	time_t t;

	if (s->time_unix_ns > 0) {
		t = (time_t)(s->time_unix_ns / 1000000000);
		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "-%Y%m%d-%H%M%S", &tm);
	}
	if (home && !strcmp(home, dir))
		shown = "~";
	if (s->pid)
		out = xasprintf("%s/goscope-%d%s.json", shown, (int)s->pid,
				when);
	else
		out = xasprintf("%s/goscope-snapshot-%zu%s.json", shown,
				a->m.cur->seq, when);
	free(dir);
	return out;
}
