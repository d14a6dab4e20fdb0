/* Unit tests for snapshot/diff.c on hand-made snapshots. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "snapshot/diff.h"
#include "tests/unit/snapfix.h"
#include "lib/banned.h"

static const struct fr site = { "main.main", "/app/main.go", 20, 0x5f };
static const struct fr A[] = {
	{ "main.worker", "/app/w.go", 10, 0x10 }, { NULL, NULL, 0, 0 },
};
static const struct fr B[] = {
	{ "main.flusher", "/app/f.go", 7, 0x10 }, { NULL, NULL, 0, 0 },
};
static const struct fr C[] = {
	{ "main.retry", "/app/r.go", 30, 0x10 }, { NULL, NULL, 0, 0 },
};
static const struct fr D[] = {
	{ "main.worker", "/app/w.go", 12, 0x18 }, { NULL, NULL, 0, 0 },
};
static const struct fr E[] = {
	{ "main.ticker", "/app/t.go", 3, 0x10 }, { NULL, NULL, 0, 0 },
};

static void make(struct snap **a, struct snap **b);
static const struct diff_group *find(const struct diff *d,
				     const char *func);
static void test_groups(void **state);
static void test_by_id(void **state);
static void test_states_and_text(void **state);
static void test_no_ids(void **state);
static void test_json(void **state);

/*
 * Old: A = goroutines 2-11, B = 12-13 (runnable), E = 30.
 * New: A = 2-5, 7-11 and 14-21; goroutine 6 moved to D (another line);
 * C = 22-24 new; B gone; E unchanged.
 */
static void make(struct snap **a, struct snap **b)
{
	size_t i;

	*a = snap_new();
	*b = snap_new();
	(*a)->time_unix_ns = 1000000000000ll;
	(*b)->time_unix_ns = 1060000000000ll;
	for (i = 2; i <= 11; i++)
		fx_add(*a, i, "chan receive", A, &site);
	fx_add(*a, 12, "runnable", B, &site);
	fx_add(*a, 13, "runnable", B, &site);
	fx_add(*a, 30, "sleep", E, &site);
	for (i = 2; i <= 11; i++)
		if (i != 6)
			fx_add(*b, i, "chan receive", A, &site);
	fx_add(*b, 6, "chan receive", D, &site);
	for (i = 14; i <= 21; i++)
		fx_add(*b, i, "chan receive", A, &site);
	for (i = 22; i <= 24; i++)
		fx_add(*b, i, "semacquire", C, &site);
	fx_add(*b, 30, "sleep", E, &site);
}

static const struct diff_group *find(const struct diff *d, const char *func)
{
	size_t i;

	for (i = 0; i < d->ngroups; i++) {
		const struct group *g = d->groups[i].new ? d->groups[i].new
							 : d->groups[i].old;

		if (!strcmp(g->rep->frames[0].func, func) &&
		    (strcmp(func, "main.worker") ||
		     g->rep->frames[0].line == 10))
			return &d->groups[i];
	}
	fail_msg("no group of %s", func);
	return NULL;
}

static void test_groups(void **state)
{
	struct snap *a, *b;
	const struct diff_group *g;
	struct diff d;

	(void)state;
	make(&a, &b);
	diff_snaps(a, b, GROUP_LINES, 0, &d);
	assert_int_equal(d.ngroups, 5);
	g = find(&d, "main.worker");
	assert_int_equal(g->change, DIFF_GROWN);
	assert_int_equal(g->before, 10);
	assert_int_equal(g->after, 17);
	assert_int_equal(g->persisted, 9);
	g = find(&d, "main.flusher");
	assert_int_equal(g->change, DIFF_GONE);
	assert_int_equal(g->after, 0);
	g = find(&d, "main.retry");
	assert_int_equal(g->change, DIFF_NEW);
	assert_int_equal(g->after, 3);
	g = find(&d, "main.ticker");
	assert_int_equal(g->change, DIFF_SAME);
	assert_int_equal(g->persisted, 1);
	/* Largest growth of blocked goroutines first, then the new
	 * groups, shrinking ones, unchanged ones last. */
	assert_ptr_equal(&d.groups[0], find(&d, "main.worker"));
	assert_ptr_equal(&d.groups[1], find(&d, "main.retry"));
	assert_int_equal(d.groups[2].change, DIFF_NEW);
	assert_int_equal(d.groups[3].change, DIFF_GONE);
	assert_int_equal(d.groups[4].change, DIFF_SAME);
	assert_int_equal(d.count[DIFF_NEW], 2);
	assert_int_equal(d.count[DIFF_GROWN], 1);
	assert_int_equal(d.count[DIFF_GONE], 1);
	assert_int_equal(d.count[DIFF_SAME], 1);
	diff_release(&d);
	snap_free(a);
	snap_free(b);
}

static void test_by_id(void **state)
{
	struct snap *a, *b;
	struct diff d;

	(void)state;
	make(&a, &b);
	diff_snaps(a, b, GROUP_LINES, 0, &d);
	assert_true(d.ids_known);
	assert_int_equal(d.n_new, 11);
	assert_int_equal(d.n_exited, 2);
	assert_int_equal(d.n_persisted, 10);
	assert_int_equal(d.n_moved, 1);
	assert_int_equal(d.npersisted_ids, DIFF_MAX_IDS);
	assert_int_equal(d.persisted_ids[0], 2);
	assert_int_equal(d.persisted_ids[4], 7);
	assert_int_equal(d.dt_ns, 60000000000ll);
	diff_release(&d);
	/* At the functions level goroutine 6 stays in its group. */
	diff_snaps(a, b, GROUP_FUNCTIONS, 0, &d);
	assert_int_equal(d.n_moved, 0);
	assert_int_equal(d.n_persisted, 11);
	diff_release(&d);
	snap_free(a);
	snap_free(b);
}

static void test_states_and_text(void **state)
{
	struct snap *a, *b;
	struct strbuf sb;
	struct diff d;
	size_t i, seen = 0;

	(void)state;
	make(&a, &b);
	diff_snaps(a, b, GROUP_LINES, 0, &d);
	for (i = 0; i < d.nstates; i++) {
		if (!strcmp(d.states[i].state, "chan receive")) {
			assert_int_equal(d.states[i].before, 10);
			assert_int_equal(d.states[i].after, 18);
			seen++;
		}
		if (!strcmp(d.states[i].state, "runnable")) {
			assert_int_equal(d.states[i].before, 2);
			assert_int_equal(d.states[i].after, 0);
			seen++;
		}
	}
	assert_int_equal(seen, 2);
	strbuf_init(&sb);
	diff_fmt_text(&d, &sb);
	assert_non_null(strstr(sb.buf, "goroutines 13 -> 22 (+9) in 60.0s\n"));
	assert_non_null(strstr(sb.buf, "by id: 11 new, 2 exited, 10 "
				       "persisted (stuck at least 60.0s), 1 "
				       "moved"));
	assert_non_null(strstr(sb.buf, "  +7  10 -> 17  grown  [chan "
				       "receive]"));
	assert_non_null(strstr(sb.buf, "created by  main.main at "
				       "/app/main.go:20"));
	assert_null(strstr(sb.buf, "main.ticker"));
	strbuf_release(&sb);
	diff_release(&d);
	snap_free(a);
	snap_free(b);
}

/* A debug=1 text has no goroutine ids: only groups are compared. */
static void test_no_ids(void **state)
{
	struct snap *a, *b;
	struct diff d;
	size_t i;

	(void)state;
	make(&a, &b);
	for (i = 0; i < b->ngs; i++)
		b->gs[i].goid = 0;
	b->time_unix_ns = 0;
	diff_snaps(a, b, GROUP_LINES, 0, &d);
	assert_false(d.ids_known);
	assert_int_equal(d.n_persisted, 0);
	assert_int_equal(d.dt_ns, -1);
	assert_int_equal(find(&d, "main.worker")->after, 17);
	diff_release(&d);
	snap_free(a);
	snap_free(b);
}

static void test_json(void **state)
{
	struct snap *a, *b;
	struct strbuf sb;
	struct diff d;

	(void)state;
	make(&a, &b);
	diff_snaps(a, b, GROUP_LINES, 0, &d);
	strbuf_init(&sb);
	diff_fmt_json(&d, &sb);
	assert_non_null(strstr(sb.buf, "\"schema\":\"goscope.diff/1\""));
	assert_non_null(strstr(sb.buf, "\"by_id\":{\"new\":11,\"exited\":2,"
				       "\"persisted\":10,\"moved\":1"));
	assert_non_null(strstr(sb.buf, "\"change\":\"grown\",\"before\":10,"
				       "\"after\":17,\"persisted\":9"));
	strbuf_release(&sb);
	diff_release(&d);
	snap_free(a);
	snap_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_by_id),
		cmocka_unit_test(test_states_and_text),
		cmocka_unit_test(test_no_ids),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
