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

static void replace_str(char **dst, const char *src);
static void show_problems(struct app *a, const struct snap *s);
static int save_file(struct app *a, const char *path, struct strbuf *sb,
		     const char *what);

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
void app_offline_facts(struct app *a)
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
			app_offline_facts(a);
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
			/* The same words, whichever step noticed. */
			proc_gone(a->pid, &r->e);
			app_message(a, 1, "%s", r->e.msg);
		} else {
			app_message(a, 1, "%s", r->e.msg);
			/* A hole in the trends where the sample is missing. */
			if (!a->offline)
				model_push_gap(&a->m);
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
	if (SCR_NATIVE & SCR_BIT(a->screen))
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
	if (SCR_NATIVE & SCR_BIT(a->screen))
		what |= FEED_NATIVE;
	if (feed_request(a->feed, what, a->m.level) == 0)
		a->next_due = now + a->interval_ns;
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

void app_show_file(struct app *a, size_t idx)
{
	size_t i;

	if (idx >= a->nloaded)
		return;
	model_reset(&a->m);
	for (i = 0; i <= idx; i++)
		model_push(&a->m, a->files[i], NULL, 0, a->names[i]);
	a->file_cur = idx;
	app_offline_facts(a);
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

	a->gidx = model_find_goroutine(&a->m, a->goid);
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
