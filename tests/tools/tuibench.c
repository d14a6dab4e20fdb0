/* Times the interactive view's work per refresh and redraw (a benchmark). */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/app.h"
#include "tui/draw.h"
#include "tui/model.h"
#include "tui/nav.h"
#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define FRAMES 8
#define BUDGET_MS 50.0

static double now_ms(void);
static int cmp_double(const void *a, const void *b);
static double median(double *v, size_t n);
static struct snap *synth(size_t ngs, size_t ngroups, size_t extra,
			  uint64_t first_goid);
static void report(const char *what, double *t, size_t n, int budget);
static void dispose(struct snap *s, void *arg);
static void empty_trash(void);

/* Snapshots dropped by the model, freed outside the timings (the view
 * hands them to its capture thread). */
static struct snap **trash;
static size_t ntrash;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	const double *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(n - 1) / 2];
}

/*
 * ngs goroutines in ngroups groups (extra more in group 0, the leak):
 * FRAMES frames each, the innermost two runtime frames, a user frame
 * and a handler that differ per group, a label on every tenth group.
 */
static struct snap *synth(size_t ngs, size_t ngroups, size_t extra,
			  uint64_t first_goid)
{
	static const char *const common[] = {
		"net/http.HandlerFunc.ServeHTTP",
		"net/http.(*ServeMux).ServeHTTP",
		"net/http.serverHandler.ServeHTTP", "net/http.(*conn).serve",
	};
	struct snap *s = snap_new();
	char name[64], file[64];
	size_t i, k, total = ngs + extra;

	s->pid = 4242;
	s->exe = xstrdup("/srv/bench/bin/bench");
	s->go_version = xstrdup("go1.23.5");
	s->main_module = snap_intern(s, "example.com/bench");
	s->time_unix_ns = 1700000000000000000ll;
	s->pause_ns = 60000000;
	s->gs = xcalloc(total, sizeof(*s->gs));
	s->ngs = total;
	for (i = 0; i < total; i++) {
		struct snap_goroutine *g = &s->gs[i];
		size_t grp = i < extra ? 0 : (i - extra) % ngroups;

		g->goid = first_goid + i;
		g->status = SNAP_WAITING;
		g->status_str = snap_intern(s, grp % 3 ? "chan receive"
						       : "select");
		g->wait_ns = (int64_t)(i % 600) * 1000000000ll;
		g->frames = xcalloc(FRAMES, sizeof(*g->frames));
		g->nframes = FRAMES;
		for (k = 0; k < FRAMES; k++) {
			struct snap_frame *f = &g->frames[k];

			if (k == 0) {
				f->func = snap_intern(s, "runtime.gopark");
				f->file = snap_intern(s, "runtime/proc.go");
				f->flags = SNAP_FRAME_RUNTIME;
			} else if (k == 1) {
				f->func = snap_intern(s, "runtime.chanrecv");
				f->file = snap_intern(s, "runtime/chan.go");
				f->flags = SNAP_FRAME_RUNTIME;
			} else if (k == 2 || k == 3) {
				snprintf(name, sizeof(name), "example.com/"
					 "bench/svc%zu.(*h).step%zu", grp % 97,
					 grp / 97 + (k - 2) * 1000);
				snprintf(file, sizeof(file),
					 "example.com/bench/svc%zu/h.go",
					 grp % 97);
				f->func = snap_intern(s, name);
				f->file = snap_intern(s, file);
			} else {
				f->func = snap_intern(s, common[k % 4]);
				f->file = snap_intern(s,
						      "net/http/server.go");
			}
			f->line = (int)(10 + k * 7);
			f->entry = 0x400000 + k * 0x1000;
			f->pc = f->entry + 0x20;
			f->lpc = f->pc - 1;
			f->phys = (unsigned int)k;
		}
		g->nphys = FRAMES;
		g->has_creator = 1;
		g->creator.func = snap_intern(s, "net/http.(*Server).Serve");
		g->creator.file = snap_intern(s, "net/http/server.go");
		g->creator.line = 3086;
		g->parent_goid = 1;
		if (grp % 10 == 0) {
			g->labels = xcalloc(1, sizeof(*g->labels));
			g->labels[0].key = snap_intern(s, "handler");
			snprintf(name, sizeof(name), "/api/v%zu", grp);
			g->labels[0].value = snap_intern(s, name);
			g->nlabels = 1;
		}
	}
	return s;
}

static void dispose(struct snap *s, void *arg)
{
	(void)arg;
	trash = xreallocarray(trash, ntrash + 1, sizeof(*trash));
	trash[ntrash++] = s;
}

static void empty_trash(void)
{
	while (ntrash)
		snap_free(trash[--ntrash]);
}

static void report(const char *what, double *t, size_t n, int budget)
{
	double m = median(t, n);

	printf("  %-44s %8.2f ms%s\n", what, m,
	       !budget ? "" : m < BUDGET_MS ? "  (under 50 ms)"
					    : "  (OVER the 50 ms budget)");
}

int main(int argc, char **argv)
{
	size_t ngs = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	size_t ngroups = argc > 2 ? strtoul(argv[2], NULL, 10) : 10000;
	size_t runs = 21, i;
	struct tui_opts o;
	struct app a;
	double *t = xcalloc(runs, sizeof(*t)), t0;
	FILE *out, *in;
	SCREEN *scr;
	int over = 0;

	if (!ngroups || ngs < ngroups) {
		fprintf(stderr, "usage: tuibench [GOROUTINES [GROUPS]]\n");
		return 2;
	}
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	scr = out && in ? newterm("xterm-256color", out, in) : NULL;
	if (!scr) {
		fprintf(stderr, "tuibench: cannot start curses\n");
		return 1;
	}
	set_term(scr);
	resizeterm(40, 120);
	memset(&o, 0, sizeof(o));
	o.level = GROUP_LINES;
	o.nfiles = 3;
	app_init(&a, &o);
	a.color = 1;
	draw_init(&a);
	model_set_dispose(&a.m, dispose, NULL);

	printf("interactive view, %zu goroutines in %zu groups, 120x40 "
	       "(median of %zu runs)\n", ngs, ngroups, runs);
	model_push(&a.m, synth(ngs, ngroups, 0, 1000), NULL, 1, "a");
	model_mark_baseline(&a.m);
	for (i = 0; i < runs; i++) {
		struct snap *s = synth(ngs, ngroups, 10 + i, 1000);
		struct grouping gr;

		/* The capture thread groups the snapshot. */
		group_snap(s, GROUP_LINES, 0, NULL, &gr);
		t0 = now_ms();
		model_push(&a.m, s, &gr, 1, "b");
		t[i] = now_ms() - t0;
		empty_trash();
	}
	report("new snapshot: series, counts", t, runs, 0);

	for (i = 0; i < runs; i++) {
		app_invalidate(&a);
		t0 = now_ms();
		nav_rescan(&a);
		t[i] = now_ms() - t0;
	}
	report("groups screen: rows (sort, growth)", t, runs, 0);
	model_filter_set(&a.filter, "svc4", NULL);
	for (i = 0; i < runs; i++) {
		app_invalidate(&a);
		t0 = now_ms();
		nav_rescan(&a);
		t[i] = now_ms() - t0;
	}
	report("groups screen: rows with a filter", t, runs, 0);
	model_filter_set(&a.filter, "~step[0-9]+7$", NULL);
	for (i = 0; i < runs; i++) {
		app_invalidate(&a);
		t0 = now_ms();
		nav_rescan(&a);
		t[i] = now_ms() - t0;
	}
	report("groups screen: rows with a regex filter", t, runs, 0);
	model_filter_set(&a.filter, "", NULL);
	app_invalidate(&a);
	nav_rescan(&a);

	for (i = 0; i < runs; i++) {
		nav_move(&a, 37);
		t0 = now_ms();
		draw(&a);
		t[i] = now_ms() - t0;
		over |= t[i] >= BUDGET_MS;
	}
	report("redraw groups screen (selection moved)", t, runs, 1);
	for (i = 0; i < runs; i++) {
		clearok(curscr, TRUE);
		t0 = now_ms();
		draw(&a);
		t[i] = now_ms() - t0;
	}
	report("redraw groups screen (full repaint)", t, runs, 1);
	for (i = 0; i < runs; i++) {
		app_invalidate(&a);
		t0 = now_ms();
		nav_rescan(&a);
		draw(&a);
		t[i] = now_ms() - t0;
	}
	report("refresh: rows and redraw", t, runs, 1);

	nav_select(&a, 0);
	nav_open(&a);
	for (i = 0; i < runs; i++) {
		app_invalidate(&a);
		t0 = now_ms();
		nav_rescan(&a);
		draw(&a);
		t[i] = now_ms() - t0;
	}
	report("refresh: goroutines of the largest group", t, runs, 1);
	nav_open(&a);
	for (i = 0; i < runs; i++) {
		app_invalidate(&a);
		t0 = now_ms();
		nav_rescan(&a);
		draw(&a);
		t[i] = now_ms() - t0;
	}
	report("refresh: stack of a goroutine", t, runs, 1);
	nav_goto(&a, SCR_LEAKS);
	for (i = 0; i < runs; i++) {
		app_invalidate(&a);
		t0 = now_ms();
		nav_rescan(&a);
		draw(&a);
		t[i] = now_ms() - t0;
	}
	report("refresh: leaks screen", t, runs, 1);
	nav_goto(&a, SCR_DIFF);
	for (i = 0; i < runs; i++) {
		app_invalidate(&a);
		t0 = now_ms();
		nav_rescan(&a);
		draw(&a);
		t[i] = now_ms() - t0;
	}
	report("diff screen (cached diff): rows and redraw", t, runs, 1);
	for (i = 0; i < 5; i++) {
		model_push(&a.m, synth(ngs, ngroups, 40 + i, 1000), NULL, 1,
			   "c");
		empty_trash();
		app_invalidate(&a);
		t0 = now_ms();
		nav_rescan(&a);
		draw(&a);
		t[i] = now_ms() - t0;
	}
	report("diff_snaps (the capture thread runs it)", t, 5, 0);

	endwin();
	delscreen(scr);
	model_set_dispose(&a.m, NULL, NULL);
	app_release(&a);
	empty_trash();
	free(trash);
	fclose(out);
	fclose(in);
	free(t);
	return over ? 3 : 0;
}
