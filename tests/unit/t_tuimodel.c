/* Unit tests for tui/model.c: series, growth, leaks, filters, sorting. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tui/model.h"
#include "tests/unit/snapfix.h"
#include "lib/banned.h"

static const struct fr site = { "main.main", "/app/main.go", 20, 0x5f };
static const struct fr leak_stack[] = {
	{ "main.leak", "/app/leak.go", 7, 0x10 },
	{ "main.serve", "/app/serve.go", 30, 0x40 }, { NULL, NULL, 0, 0 },
};
static const struct fr pool_stack[] = {
	{ "main.worker", "/app/pool.go", 12, 0x20 }, { NULL, NULL, 0, 0 },
};
static const struct fr http_stack[] = {
	{ "net/http.(*conn).serve", "net/http/server.go", 1995, 0x80 },
	{ NULL, NULL, 0, 0 },
};

static struct snap *make_snap(size_t nleak, size_t npool, uint64_t *goid);
static void push_series(struct model *m, const size_t *leaks, size_t n);
static const struct model_row *row_for(const struct model_row *rows,
				       size_t n, const char *func);
static void test_growth_and_series(void **state);
static void test_leak_window(void **state);
static void test_filter(void **state);
static void test_sort(void **state);
static void test_baseline_and_level(void **state);
static void test_members(void **state);
static void test_suspects_pinned(void **state);
static void test_names(void **state);
static void test_twins(void **state);
static void test_hide_and_order(void **state);
static void test_merge_states(void **state);

/* nleak goroutines in main.leak, npool in main.worker, one in http. */
static struct snap *make_snap(size_t nleak, size_t npool, uint64_t *goid)
{
	struct snap *s = snap_new();
	size_t i, k;

	for (i = 0; i < nleak; i++) {
		k = fx_add(s, (*goid)++, "chan receive", leak_stack, &site);
		s->gs[k].labels = xcalloc(1, sizeof(*s->gs[k].labels));
		s->gs[k].labels[0].key = snap_intern(s, "audit");
		s->gs[k].labels[0].value = snap_intern(s, "/checkout");
		s->gs[k].nlabels = 1;
	}
	for (i = 0; i < npool; i++)
		fx_add(s, (*goid)++, "select", pool_stack, &site);
	k = fx_add(s, (*goid)++, "IO wait", http_stack, NULL);
	s->gs[k].wait_ns = 90000000000ll;
	return s;
}

static void push_series(struct model *m, const size_t *leaks, size_t n)
{
	uint64_t goid = 100;
	size_t i;

	for (i = 0; i < n; i++) {
		struct snap *s = make_snap(leaks[i], 4, &goid);

		/* One second apart. */
		s->time_unix_ns = (int64_t)(m->seq + 1) * 1000000000ll;
		model_push(m, s, NULL, 1, NULL);
	}
}

static const struct model_row *row_for(const struct model_row *rows,
				       size_t n, const char *func)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rows[i].g->user && !strcmp(rows[i].g->user->func, func))
			return &rows[i];
	for (i = 0; i < n; i++)
		if (rows[i].start && !strcmp(rows[i].start->func, func))
			return &rows[i];
	return NULL;
}

static void test_growth_and_series(void **state)
{
	const size_t leaks[] = { 2, 5, 5 };
	const struct model_row *r;
	struct model_row *rows = NULL;
	size_t alloc = 0, n;
	long long pts[5];
	struct model m;

	(void)state;
	model_init(&m, GROUP_LINES);
	push_series(&m, leaks, 2);
	n = model_rows(&m, NULL, MSORT_COUNT, 0, &rows, &alloc);
	assert_int_equal(n, 3);
	r = row_for(rows, n, "main.leak");
	assert_non_null(r);
	assert_int_equal(r->g->count, 5);
	assert_int_equal(r->dprev, 3);
	assert_true(r->flags & MROW_GROWING);
	assert_false(r->flags & MROW_LEAK);
	r = row_for(rows, n, "main.worker");
	assert_int_equal(r->dprev, 0);
	assert_false(r->flags & MROW_GROWING);
	/* The series: before the first snapshot, then 2 and 5. */
	r = row_for(rows, n, "main.leak");
	model_series_points(&m, r->ser, pts, 3);
	assert_int_equal(pts[0], -1);
	assert_int_equal(pts[1], 2);
	assert_int_equal(pts[2], 5);
	assert_int_equal(m.cur->total, 10);
	assert_int_equal(m.cur->by_state[MSTATE_WAITING], 10);
	push_series(&m, leaks + 2, 1);
	n = model_rows(&m, NULL, MSORT_COUNT, 0, &rows, &alloc);
	r = row_for(rows, n, "main.leak");
	assert_int_equal(r->dprev, 0);
	assert_false(r->flags & MROW_GROWING);
	/* A failed capture is a gap in every series, the next point after
	 * it; the snapshot numbers go on from the last snapshot. */
	model_push_gap(&m);
	push_series(&m, leaks + 2, 1);
	assert_int_equal(m.cur->seq, 4);
	n = model_rows(&m, NULL, MSORT_COUNT, 0, &rows, &alloc);
	r = row_for(rows, n, "main.leak");
	model_series_points(&m, r->ser, pts, 5);
	assert_int_equal(pts[0], 2);
	assert_int_equal(pts[1], 5);
	assert_int_equal(pts[2], 5);
	assert_int_equal(pts[3], MODEL_GAP);
	assert_int_equal(pts[4], 5);
	model_release(&m);
	free(rows);
}

static void test_leak_window(void **state)
{
	const size_t grow[] = { 1, 2, 3, 4, 5, 6 };
	const size_t flat[] = { 1, 2, 2, 3, 3, 4 };
	struct model_row *rows = NULL;
	struct leak_cfg c;
	size_t alloc = 0, n;
	struct model m;

	(void)state;
	leak_cfg_init(&c);
	c.window_ns = 4000000000ll;
	model_init(&m, GROUP_LINES);
	model_set_leak(&m, &c, NULL);
	push_series(&m, grow, 4);
	/* Four snapshots are not enough for the rule. */
	assert_int_equal(model_rows(&m, NULL, MSORT_COUNT, 1, &rows, &alloc),
			 0);
	assert_int_equal(leak_track_coverage(m.track), LEAK_UNDECIDED);
	push_series(&m, grow + 4, 2);
	n = model_rows(&m, NULL, MSORT_COUNT, 1, &rows, &alloc);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].g->user->func, "main.leak");
	assert_true(rows[0].flags & MROW_LEAK);
	assert_int_equal(rows[0].growth, 4);
	model_release(&m);

	/* Growth of 3, within the tolerance, is not a leak. */
	model_init(&m, GROUP_LINES);
	model_set_leak(&m, &c, NULL);
	push_series(&m, flat, 6);
	assert_int_equal(model_rows(&m, NULL, MSORT_COUNT, 1, &rows, &alloc),
			 0);
	n = model_rows(&m, NULL, MSORT_COUNT, 0, &rows, &alloc);
	assert_true(row_for(rows, n, "main.leak")->flags & MROW_GROWING);
	model_release(&m);
	free(rows);
}

static void test_filter(void **state)
{
	const size_t one[] = { 3 };
	struct model_row *rows = NULL;
	struct model_filter f;
	size_t alloc = 0;
	struct model m;
	struct err e;

	(void)state;
	memset(&f, 0, sizeof(f));
	model_init(&m, GROUP_LINES);
	push_series(&m, one, 1);
	assert_int_equal(model_filter_set(&f, "LEAK.GO", NULL), 0);
	assert_int_equal(model_rows(&m, &f, MSORT_COUNT, 0, &rows, &alloc), 1);
	assert_int_equal(model_filter_set(&f, "io wait", NULL), 0);
	assert_int_equal(model_rows(&m, &f, MSORT_COUNT, 0, &rows, &alloc), 1);
	assert_string_equal(rows[0].g->rep->status_str, "IO wait");
	assert_int_equal(model_filter_set(&f, "audit=/check", NULL), 0);
	assert_int_equal(model_rows(&m, &f, MSORT_COUNT, 0, &rows, &alloc), 1);
	assert_int_equal(model_filter_set(&f, "~^main\\.(leak|worker)$", NULL),
			 0);
	assert_int_equal(model_rows(&m, &f, MSORT_COUNT, 0, &rows, &alloc), 2);
	/* The creation site counts too. */
	assert_int_equal(model_filter_set(&f, "main.main", NULL), 0);
	assert_int_equal(model_rows(&m, &f, MSORT_COUNT, 0, &rows, &alloc), 2);
	/* A label exactly: key and value. */
	assert_int_equal(model_filter_set(&f, "label:audit=/checkout", NULL),
			 0);
	assert_int_equal(model_rows(&m, &f, MSORT_COUNT, 0, &rows, &alloc), 1);
	assert_string_equal(rows[0].g->user->func, "main.leak");
	assert_int_equal(model_filter_set(&f, "label:audit=/check", NULL), 0);
	assert_int_equal(model_rows(&m, &f, MSORT_COUNT, 0, &rows, &alloc), 0);
	err_init(&e);
	assert_int_equal(model_filter_set(&f, "label:audit", &e), -EINVAL);
	assert_int_equal(model_filter_set(&f, "nothing-like-this", NULL), 0);
	assert_int_equal(model_rows(&m, &f, MSORT_COUNT, 0, &rows, &alloc), 0);
	err_init(&e);
	assert_int_equal(model_filter_set(&f, "~(unclosed", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "bad regular expression"));
	/* A bad expression keeps the previous filter. */
	assert_string_equal(f.text, "nothing-like-this");
	assert_int_equal(model_filter_set(&f, "", NULL), 0);
	assert_null(f.text);
	assert_int_equal(model_rows(&m, &f, MSORT_COUNT, 0, &rows, &alloc), 3);
	model_filter_release(&f);
	model_release(&m);
	free(rows);
}

static void test_sort(void **state)
{
	const size_t leaks[] = { 1, 3 };
	struct model_row *rows = NULL;
	size_t alloc = 0, n;
	struct model m;

	(void)state;
	model_init(&m, GROUP_LINES);
	push_series(&m, leaks, 2);
	n = model_rows(&m, NULL, MSORT_COUNT, 0, &rows, &alloc);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].g->user->func, "main.worker");
	assert_int_equal(rows[0].g->count, 4);
	model_rows(&m, NULL, MSORT_DELTA, 0, &rows, &alloc);
	assert_string_equal(rows[0].g->user->func, "main.leak");
	model_rows(&m, NULL, MSORT_WAIT, 0, &rows, &alloc);
	assert_string_equal(rows[0].g->rep->status_str, "IO wait");
	model_rows(&m, NULL, MSORT_NAME, 0, &rows, &alloc);
	assert_string_equal(rows[0].g->user->func, "main.leak");
	assert_string_equal(rows[1].g->user->func, "main.worker");
	assert_string_equal(rows[2].start->func, "net/http.(*conn).serve");
	assert_string_equal(model_sort_name(MSORT_DELTA), "delta");
	model_release(&m);
	free(rows);
}

static void test_baseline_and_level(void **state)
{
	const size_t leaks[] = { 1, 4, 6 };
	const struct model_row *r;
	struct model_row *rows = NULL;
	const struct model_snap *old;
	const struct diff *d;
	size_t alloc = 0, n;
	struct model m;

	(void)state;
	model_init(&m, GROUP_LINES);
	assert_null(model_diff_now(&m, &old));
	push_series(&m, leaks, 1);
	model_mark_baseline(&m);
	push_series(&m, leaks + 1, 2);
	n = model_rows(&m, NULL, MSORT_COUNT, 0, &rows, &alloc);
	r = row_for(rows, n, "main.leak");
	assert_int_equal(r->dbase, 5);
	assert_int_equal(r->dprev, 2);
	assert_null(model_diff(&m, &old));
	d = model_diff_now(&m, &old);
	assert_non_null(d);
	assert_ptr_equal(old, m.base);
	assert_int_equal(d->count[DIFF_GROWN], 1);
	/* Cached until something changes. */
	assert_ptr_equal(model_diff(&m, NULL), d);
	model_set_level(&m, GROUP_FUNCTIONS);
	n = model_rows(&m, NULL, MSORT_COUNT, 0, &rows, &alloc);
	r = row_for(rows, n, "main.leak");
	assert_int_equal(r->dbase, 5);
	assert_int_equal(r->dprev, 2);
	/* The series restart at a level change. */
	assert_int_equal(m.series_start, m.cur->seq);
	model_clear_baseline(&m);
	assert_null(model_diff(&m, &old));
	assert_ptr_equal(model_diff_now(&m, &old), &m.diff);
	assert_ptr_equal(old, m.prev);
	model_release(&m);
	free(rows);
}

static void test_members(void **state)
{
	struct snap *s = snap_new();
	size_t *idx = NULL, alloc = 0, n, i;
	struct model_row *rows = NULL;
	size_t ralloc = 0;
	struct model m;

	(void)state;
	for (i = 0; i < 5; i++)
		fx_add(s, 50 - i, "chan receive", leak_stack, &site);
	fx_add(s, 7, "select", pool_stack, &site);
	model_init(&m, GROUP_LINES);
	model_push(&m, s, NULL, 1, NULL);
	model_rows(&m, NULL, MSORT_COUNT, 0, &rows, &ralloc);
	n = model_members(&m, rows[0].g->id, &idx, &alloc);
	assert_int_equal(n, 5);
	for (i = 0; i < n; i++)
		assert_int_equal(m.cur->snap->gs[idx[i]].goid, 46 + i);
	assert_int_equal(model_members(&m, 12345, &idx, &alloc), 0);
	assert_int_equal(model_find_goroutine(&m, 7), 5);
	assert_int_equal(model_find_goroutine(&m, 8), -1);
	model_reset(&m);
	assert_null(m.cur);
	model_release(&m);
	free(idx);
	free(rows);
}

/* A leak suspect stays above bigger groups in every sort and order. */
static void test_suspects_pinned(void **state)
{
	const size_t grow[] = { 0, 0, 1, 2, 3, 3 };
	static const enum model_sort keys[] = {
		MSORT_COUNT, MSORT_DELTA, MSORT_WAIT, MSORT_NAME, MSORT_STATE,
		MSORT_GROWTH,
	};
	struct model_row *rows = NULL;
	struct model_query q;
	struct leak_cfg c;
	size_t alloc = 0, n, k;
	struct model m;
	int rev;

	(void)state;
	model_init(&m, GROUP_LINES);
	leak_cfg_init(&c);
	c.window_ns = 5000000000ll;
	c.tolerance = 1;
	model_set_leak(&m, &c, NULL);
	push_series(&m, grow, 6);
	for (k = 0; k < ARRAY_SIZE(keys); k++) {
		for (rev = 0; rev < 2; rev++) {
			memset(&q, 0, sizeof(q));
			q.key = keys[k];
			q.reverse = rev;
			q.pin_suspects = 1;
			n = model_query_rows(&m, &q, &rows, &alloc);
			assert_int_equal(n, 3);
			assert_int_equal(q.nsuspects, 1);
			assert_string_equal(rows[0].name->func, "main.leak");
			assert_true(rows[0].flags & MROW_LEAK);
		}
	}
	/* Without pinning, the larger pool comes first by count. */
	memset(&q, 0, sizeof(q));
	n = model_query_rows(&m, &q, &rows, &alloc);
	assert_string_equal(rows[0].name->func, "main.worker");
	/* Reversed: the smallest first. */
	q.reverse = 1;
	n = model_query_rows(&m, &q, &rows, &alloc);
	assert_int_equal(rows[0].g->count, 1);
	model_release(&m);
	free(rows);
}

static void test_names(void **state)
{
	static const struct fr notstarted[] = {
		{ "runtime.goexit", "runtime/asm_amd64.s", 1700, 0x1 },
		{ NULL, NULL, 0, 0 },
	};
	static const struct fr parked[] = {
		{ "runtime.gopark", "runtime/proc.go", 400, 0x10 },
		{ "sync.runtime_SemacquireMutex", "runtime/sema.go", 77, 0x10 },
		{ "sync.(*Mutex).lockSlow", "sync/mutex.go", 171, 0x10 },
		{ NULL, NULL, 0, 0 },
	};
	const char *mod = "github.com/prometheus/prometheus";
	char buf[256];
	struct snap *s = snap_new();
	struct grouping gr;
	size_t i, k;

	(void)state;
	model_short_func("github.com/prometheus/prometheus/tsdb.(*DB).run",
			 mod, 80, 1, buf, sizeof(buf));
	assert_string_equal(buf, "tsdb.(*DB).run");
	model_short_func("github.com/prometheus/prometheus.Main", mod, 80, 1,
			 buf, sizeof(buf));
	assert_string_equal(buf, "prometheus.Main");
	/* Leading path elements go first; type and function stay. */
	model_short_func("github.com/prometheus/prometheus/tsdb/wlog."
			 "(*Watcher).Run", mod, 20, 1, buf, sizeof(buf));
	assert_string_equal(buf, ".../wlog.(*Watcher).Run");
	model_short_func("golang.org/x/net/http2.(*serverConn).serve", mod,
			 30, 1, buf, sizeof(buf));
	assert_string_equal(buf, ".../http2.(*serverConn).serve");
	model_short_func("main.main", NULL, 4, 1, buf, sizeof(buf));
	assert_string_equal(buf, "main.main");

	k = fx_add(s, 21, "runnable", notstarted, &site);
	s->gs[k].start_func = snap_intern(s, "main.worker");
	k = fx_add(s, 22, "sync.Mutex.Lock", parked, &site);
	for (i = 0; i < s->gs[k].nframes; i++)
		if (!strncmp(s->gs[k].frames[i].func, "runtime.", 8))
			s->gs[k].frames[i].flags |= SNAP_FRAME_RUNTIME;
	group_snap(s, GROUP_LINES, 0, NULL, &gr);
	assert_int_equal(gr.ngroups, 2);
	for (i = 0; i < gr.ngroups; i++) {
		const struct group *g = &gr.groups[i];
		const struct snap_frame *f = model_name_frame(g);

		if (g->rep->goid == 21) {
			/* Not started: named by its start function. */
			assert_null(f);
			assert_string_equal(model_start_name(g),
					    "main.worker");
		} else {
			assert_non_null(f);
			assert_string_equal(f->func,
					    "sync.(*Mutex).lockSlow");
		}
	}
	grouping_release(&gr);
	snap_free(s);
}

/* Groups that differ only by depth say so. */
static void test_twins(void **state)
{
	static const struct fr d1[] = {
		{ "main.park", "/app/p.go", 9, 0x10 },
		{ "main.park", "/app/p.go", 7, 0x20 },
		{ NULL, NULL, 0, 0 },
	};
	static const struct fr d2[] = {
		{ "main.park", "/app/p.go", 9, 0x10 },
		{ "main.park", "/app/p.go", 7, 0x20 },
		{ "main.park", "/app/p.go", 7, 0x20 },
		{ NULL, NULL, 0, 0 },
	};
	struct snap *s = snap_new();
	struct model_row *rows = NULL;
	size_t alloc = 0, n, i;
	struct strbuf sb;
	struct model m;

	(void)state;
	fx_add(s, 11, "chan receive", d1, &site);
	fx_add(s, 12, "chan receive", d2, &site);
	fx_add(s, 13, "chan receive", d2, &site);
	fx_add(s, 14, "chan receive", d1, &site);
	fx_add(s, 15, "select", pool_stack, &site);
	model_init(&m, GROUP_LINES);
	model_push(&m, s, NULL, 1, NULL);
	n = model_rows(&m, NULL, MSORT_COUNT, 0, &rows, &alloc);
	assert_int_equal(n, 3);
	strbuf_init(&sb);
	for (i = 0; i < n; i++) {
		if (!strcmp(rows[i].name->func, "main.worker")) {
			assert_null(rows[i].twin);
			continue;
		}
		assert_non_null(rows[i].twin);
		strbuf_reset(&sb);
		model_twin_diff(rows[i].g, rows[i].twin, &sb);
		if (rows[i].g->rep->nframes == 3)
			assert_string_equal(sb.buf, "depth 3");
		else
			assert_string_equal(sb.buf, "depth 2");
	}
	strbuf_release(&sb);
	model_release(&m);
	free(rows);
}

/* Noise is hidden; rows keep their order while counts move a little. */
static void test_hide_and_order(void **state)
{
	static const struct fr a_stack[] = {
		{ "main.a", "/app/a.go", 1, 0x10 }, { NULL, NULL, 0, 0 },
	};
	static const struct fr b_stack[] = {
		{ "main.b", "/app/b.go", 1, 0x10 }, { NULL, NULL, 0, 0 },
	};
	static const size_t counts[][2] = {
		{ 100, 90 }, { 101, 105 }, { 300, 105 },
	};
	static const char *const first[] = { "main.a", "main.a", "main.a" };
	struct model_row *rows = NULL;
	struct model_order order;
	struct model_query q;
	size_t alloc = 0, n, i, j;
	uint64_t goid = 100;
	struct model m;

	(void)state;
	memset(&order, 0, sizeof(order));
	model_init(&m, GROUP_LINES);
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		struct snap *s = snap_new();

		for (j = 0; j < counts[i][0]; j++)
			fx_add(s, goid++, "chan receive", a_stack, &site);
		for (j = 0; j < counts[i][1]; j++)
			fx_add(s, goid++, "chan receive", b_stack, &site);
		fx_add(s, goid++, "running", pool_stack, &site);
		fx_add(s, goid++, "select", http_stack, NULL);
		model_push(&m, s, NULL, 1, NULL);
		memset(&q, 0, sizeof(q));
		q.order = &order;
		q.hide = MHIDE_BUSY | MHIDE_SINGLE;
		n = model_query_rows(&m, &q, &rows, &alloc);
		assert_int_equal(n, 2);
		assert_int_equal(q.nhidden, 2);
		/* 105 > 101, but in the same step: a keeps its place. */
		assert_string_equal(rows[0].name->func, first[i]);
	}
	/* Without the memory the exact count decides. */
	memset(&q, 0, sizeof(q));
	n = model_query_rows(&m, &q, &rows, &alloc);
	assert_int_equal(n, 4);
	assert_int_equal(q.nhidden, 0);
	model_order_release(&order);
	model_release(&m);
	free(rows);
}

/*
 * One stack in two wait reasons: two groups, one when merged, whose
 * states are listed largest first; the filter finds either state, and
 * un-merging splits them again.
 */
static void test_merge_states(void **state)
{
	static const struct fr stack[] = {
		{ "main.recv", "/app/r.go", 7, 0x10 }, { NULL, NULL, 0, 0 },
	};
	struct model_row *rows = NULL;
	struct model_filter f;
	struct model_query q;
	struct model m;
	struct snap *s = snap_new();
	struct strbuf sb;
	size_t alloc = 0, n, i, *members = NULL, amembers = 0;
	struct err e;

	(void)state;
	for (i = 0; i < 8; i++)
		fx_add(s, 10 + i, i < 5 ? "chan receive"
				       : "chan receive (nil chan)", stack,
		       &site);
	model_init(&m, GROUP_LINES);
	model_push(&m, s, NULL, 1, NULL);
	memset(&q, 0, sizeof(q));
	n = model_query_rows(&m, &q, &rows, &alloc);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].nstates, 0);
	assert_false(model_merged(&m));

	model_set_merge(&m, 1);
	assert_true(model_merged(&m));
	n = model_query_rows(&m, &q, &rows, &alloc);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].g->count, 8);
	assert_int_equal(rows[0].nstates, 2);
	strbuf_init(&sb);
	model_fmt_states(rows[0].states, rows[0].nstates, &sb);
	assert_string_equal(sb.buf,
			    "chan receive 5, chan receive (nil chan) 3");
	strbuf_release(&sb);
	assert_int_equal(model_members(&m, rows[0].g->id, &members, &amembers),
			 8);
	free(members);

	err_init(&e);
	memset(&f, 0, sizeof(f));
	assert_int_equal(model_filter_set(&f, "nil chan", &e), 0);
	q.filter = &f;
	assert_int_equal(model_query_rows(&m, &q, &rows, &alloc), 1);
	model_filter_release(&f);
	q.filter = NULL;

	model_set_merge(&m, 0);
	assert_int_equal(model_query_rows(&m, &q, &rows, &alloc), 2);
	model_release(&m);
	free(rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_growth_and_series),
		cmocka_unit_test(test_leak_window),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_suspects_pinned),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_twins),
		cmocka_unit_test(test_hide_and_order),
		cmocka_unit_test(test_merge_states),
		cmocka_unit_test(test_baseline_and_level),
		cmocka_unit_test(test_members),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
