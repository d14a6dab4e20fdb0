/* Unit tests for snapshot/leak.c: the windowed rule over count series. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "snapshot/leak.h"
#include "lib/banned.h"

#define SEC 1000000000ll
#define MS 1000000ll
#define MAXP 4096

typedef size_t (*count_fn)(int64_t t, size_t i);

static struct leak_point pts[MAXP];

static size_t series(count_fn f, int64_t step, int64_t until);
static enum leak_state judge(count_fn f, int64_t step, int64_t until,
			     struct leak_result *r);
static size_t bursty(int64_t t, size_t i);
static size_t rare_bursts(int64_t t, size_t i);
static size_t slow(int64_t t, size_t i);
static size_t slow_noisy(int64_t t, size_t i);
static size_t ramp_plateau(int64_t t, size_t i);
static size_t churn(int64_t t, size_t i);
static size_t leak_under_churn(int64_t t, size_t i);
static size_t flat(int64_t t, size_t i);
static size_t leak_with_drop(int64_t t, size_t i);
static void test_bursty(void **state);
static void test_slow(void **state);
static void test_ramp_plateau(void **state);
static void test_churn(void **state);
static void test_short(void **state);
static void test_thresholds(void **state);
static void test_track(void **state);

/* pts[] at 0, step, 2 step, ... up to until; returns the count. */
static size_t series(count_fn f, int64_t step, int64_t until)
{
	size_t n = 0;
	int64_t t;

	for (t = 0; t <= until && n < MAXP; t += step, n++) {
		pts[n].t_ns = 1700000000 * SEC + t;
		pts[n].n = f(t, n);
	}
	return n;
}

static enum leak_state judge(count_fn f, int64_t step, int64_t until,
			     struct leak_result *r)
{
	struct leak_cfg c;

	leak_cfg_init(&c);
	return leak_judge(&c, pts, series(f, step, until), r);
}

/* 20 more every second on top of 1400: most 250 ms intervals see +0. */
static size_t bursty(int64_t t, size_t i)
{
	(void)i;
	return 1400 + 20 * (size_t)(t / SEC);
}

/* 50 more every 6 s: a handful of steps in the window. */
static size_t rare_bursts(int64_t t, size_t i)
{
	(void)i;
	return 100 + 50 * (size_t)(t / (6 * SEC));
}

/* 5000 stable goroutines in the group, one more every 2 s. */
static size_t slow(int64_t t, size_t i)
{
	(void)i;
	return 5000 + (size_t)(t / (2 * SEC));
}

/* 3000 goroutines, 2 more a second, counts wobbling by up to 2. */
static size_t slow_noisy(int64_t t, size_t i)
{
	static const int wobble[] = { 0, 2, -1, 1, -2, 0, 1 };

	return (size_t)(3000 + 2 * (t / SEC) + wobble[i % 7]);
}

/* A pool that grows to 200 in 10 s and then stays there. */
static size_t ramp_plateau(int64_t t, size_t i)
{
	(void)i;
	return t < 10 * SEC ? (size_t)(20 * t / SEC) : 200;
}

/* Short-lived goroutines: anything from 0 to 50 at any moment. */
static size_t churn(int64_t t, size_t i)
{
	(void)t;
	return (i * 2654435761u >> 7) % 51;
}

/* A leak of 2 a second hidden under churn of 0 to 30 in the group. */
static size_t leak_under_churn(int64_t t, size_t i)
{
	return 2 * (size_t)(t / SEC) + (i * 2654435761u >> 7) % 31;
}

static size_t flat(int64_t t, size_t i)
{
	(void)t;
	(void)i;
	return 42;
}

/* Grows 3 a second but half of it goes away once, at 20 s. */
static size_t leak_with_drop(int64_t t, size_t i)
{
	(void)i;
	return (size_t)(100 + 3 * (t / SEC)) - (t >= 20 * SEC ? 40 : 0);
}

static void test_bursty(void **state)
{
	struct leak_result r;

	(void)state;
	/* 250 ms and 1 s intervals over 40 s. */
	assert_int_equal(judge(bursty, 250 * MS, 40 * SEC, &r), LEAK_SUSPECT);
	assert_true(r.growth >= 450);
	assert_int_equal(r.fall, 0);
	assert_true(r.span_ns >= 30 * SEC);
	assert_int_equal(judge(bursty, SEC, 40 * SEC, &r), LEAK_SUSPECT);
	assert_int_equal(judge(rare_bursts, 250 * MS, 40 * SEC, &r),
			 LEAK_SUSPECT);
	assert_int_equal(judge(rare_bursts, SEC, 40 * SEC, &r), LEAK_SUSPECT);
}

static void test_slow(void **state)
{
	struct leak_result r;

	(void)state;
	assert_int_equal(judge(slow, SEC, 31 * SEC, &r), LEAK_SUSPECT);
	assert_true(r.start >= 5000 && r.recent > r.start + 3);
	assert_int_equal(judge(slow, 250 * MS, 31 * SEC, &r), LEAK_SUSPECT);
	assert_int_equal(judge(slow_noisy, SEC, 45 * SEC, &r), LEAK_SUSPECT);
	assert_true(r.fall <= 3);
	assert_int_equal(judge(slow_noisy, 250 * MS, 45 * SEC, &r),
			 LEAK_SUSPECT);
}

static void test_ramp_plateau(void **state)
{
	struct leak_result r;
	struct leak_cfg c;
	size_t n;

	(void)state;
	/* Judged at 40 s: 30 s of plateau. */
	assert_int_equal(judge(ramp_plateau, SEC, 40 * SEC, &r), LEAK_STABLE);
	assert_int_equal(r.growth, 0);
	assert_int_equal(judge(ramp_plateau, 250 * MS, 40 * SEC, &r),
			 LEAK_STABLE);
	assert_int_equal(judge(ramp_plateau, 250 * MS, 31 * SEC, &r),
			 LEAK_STABLE);
	/* With a 6 s window: a suspect while it ramps, cleared once the
	 * plateau holds for a third of the window. */
	leak_cfg_init(&c);
	c.window_ns = 6 * SEC;
	n = series(ramp_plateau, 250 * MS, 9 * SEC);
	assert_int_equal(leak_judge(&c, pts, n, &r), LEAK_SUSPECT);
	n = series(ramp_plateau, 250 * MS, 10500 * MS);
	assert_int_equal(leak_judge(&c, pts, n, &r), LEAK_SUSPECT);
	n = series(ramp_plateau, 250 * MS, 11500 * MS);
	assert_int_equal(leak_judge(&c, pts, n, &r), LEAK_SUSPECT);
	n = series(ramp_plateau, 250 * MS, 13500 * MS);
	assert_int_equal(leak_judge(&c, pts, n, &r), LEAK_STABLE);
}

static void test_churn(void **state)
{
	struct leak_result r;

	(void)state;
	assert_int_equal(judge(churn, 250 * MS, 40 * SEC, &r), LEAK_STABLE);
	assert_true(r.growth <= 3);
	assert_int_equal(judge(churn, SEC, 40 * SEC, &r), LEAK_STABLE);
	/* Churn does not hide a leak in the same group: floors rise. */
	assert_int_equal(judge(leak_under_churn, 250 * MS, 40 * SEC, &r),
			 LEAK_SUSPECT);
	assert_int_equal(judge(flat, SEC, 40 * SEC, &r), LEAK_STABLE);
	assert_int_equal(r.growth, 0);
	/* A leak that loses far more than the noise margin once. */
	assert_int_equal(judge(leak_with_drop, SEC, 35 * SEC, &r),
			 LEAK_STABLE);
	assert_true(r.fall > 3);
}

static void test_short(void **state)
{
	struct leak_cfg c;
	struct leak_result r;
	size_t n;

	(void)state;
	leak_cfg_init(&c);
	/* Nothing, one, two snapshots: never stable. */
	assert_int_equal(leak_judge(&c, pts, 0, &r), LEAK_UNDECIDED);
	n = series(flat, SEC, 0);
	assert_int_equal(leak_judge(&c, pts, n, &r), LEAK_UNDECIDED);
	n = series(bursty, SEC, SEC);
	assert_int_equal(leak_judge(&c, pts, n, &r), LEAK_UNDECIDED);
	/* 29 s of a clear leak do not cover the 30 s window. */
	n = series(bursty, 250 * MS, 29 * SEC);
	assert_int_equal(leak_judge(&c, pts, n, &r), LEAK_UNDECIDED);
	n = series(flat, 250 * MS, 29 * SEC);
	assert_int_equal(leak_judge(&c, pts, n, &r), LEAK_UNDECIDED);
	/* Exactly covered: decided. */
	n = series(flat, SEC, 30 * SEC);
	assert_int_equal(leak_judge(&c, pts, n, &r), LEAK_STABLE);
	assert_int_equal(r.npoints, 31);
	/* Covered by too few points (interval longer than a sixth). */
	n = series(bursty, 10 * SEC, 40 * SEC);
	assert_int_equal(leak_judge(&c, pts, n, &r), LEAK_UNDECIDED);
	/* A 3 s window: 13 snapshots 250 ms apart decide. */
	c.window_ns = 3 * SEC;
	n = series(bursty, 250 * MS, 3 * SEC);
	assert_int_equal(leak_judge(&c, pts, n, &r), LEAK_SUSPECT);
	n = series(bursty, 250 * MS, 2750 * MS);
	assert_int_equal(leak_judge(&c, pts, n, &r), LEAK_UNDECIDED);
}

static void test_thresholds(void **state)
{
	static const size_t by3[] = { 10, 10, 11, 12, 13, 13 };
	static const size_t by4[] = { 10, 10, 11, 12, 14, 14 };
	static const size_t dip[] = { 10, 20, 30, 26, 40, 50 };
	struct leak_cfg c;
	struct leak_result r;
	size_t i;

	(void)state;
	leak_cfg_init(&c);
	c.window_ns = 5 * SEC;
	for (i = 0; i < 6; i++) {
		pts[i].t_ns = (int64_t)i * SEC;
		pts[i].n = by3[i];
	}
	assert_int_equal(leak_judge(&c, pts, 6, &r), LEAK_STABLE);
	assert_int_equal(r.growth, 3);
	for (i = 0; i < 6; i++)
		pts[i].n = by4[i];
	assert_int_equal(leak_judge(&c, pts, 6, &r), LEAK_SUSPECT);
	c.tolerance = 4;
	assert_int_equal(leak_judge(&c, pts, 6, &r), LEAK_STABLE);
	c.tolerance = 3;
	/* A fall of 4 is above the noise margin of 3, not of 4. */
	for (i = 0; i < 6; i++)
		pts[i].n = dip[i];
	assert_int_equal(leak_judge(&c, pts, 6, &r), LEAK_STABLE);
	assert_int_equal(r.fall, 4);
	c.noise = 4;
	assert_int_equal(leak_judge(&c, pts, 6, &r), LEAK_SUSPECT);
	assert_string_equal(leak_state_name(LEAK_SUSPECT), "leak suspected");
	assert_string_equal(leak_state_name(LEAK_UNDECIDED), "undecided");
}

static void test_track(void **state)
{
	struct leak_cfg c;
	struct leak_track *t;
	struct leak_result r;
	struct group g[2];
	struct grouping gr;
	struct leak_point *p;
	size_t i, n;

	(void)state;
	leak_cfg_init(&c);
	c.window_ns = 3 * SEC;
	t = leak_track_new(&c);
	memset(&gr, 0, sizeof(gr));
	memset(g, 0, sizeof(g));
	gr.groups = g;
	g[0].id = 0x1111;
	g[1].id = 0x2222;
	/* 10 ms apart for 20 s: group 1 leaks 20 a second, group 2 goes. */
	for (i = 0; i <= 2000; i++) {
		g[0].count = 100 + 20 * (i / 100);
		g[1].count = 7;
		gr.ngroups = i < 1000 ? 2 : 1;
		leak_track_add(t, (int64_t)i * 10 * MS, &gr);
		assert_true(leak_track_npoints(t) <= 2 * LEAK_RESOLUTION + 2);
	}
	assert_int_equal(leak_track_judge(t, 0x1111, &r), LEAK_SUSPECT);
	assert_true(r.span_ns >= 3 * SEC && r.span_ns < 3 * SEC + 50 * MS);
	assert_true(r.npoints >= LEAK_RESOLUTION / 2);
	assert_int_equal(r.last, 500);
	/* The group gone for more than the window is forgotten: zeros. */
	assert_int_equal(leak_track_judge(t, 0x2222, &r), LEAK_STABLE);
	assert_int_equal(r.last, 0);
	assert_int_equal(leak_track_coverage(t), LEAK_STABLE);
	/* A point from the past is ignored. */
	n = leak_track_npoints(t);
	leak_track_add(t, 5 * SEC, &gr);
	assert_int_equal(leak_track_npoints(t), n);
	p = calloc(n + 1, sizeof(*p));
	assert_non_null(p);
	assert_int_equal(leak_track_series(t, 0x1111, p), n);
	for (i = 1; i < n; i++)
		assert_true(p[i].t_ns > p[i - 1].t_ns);
	assert_int_equal(p[n - 1].t_ns, 20 * SEC);
	free(p);
	leak_track_reset(t);
	assert_int_equal(leak_track_npoints(t), 0);
	assert_int_equal(leak_track_coverage(t), LEAK_UNDECIDED);
	leak_track_add(t, 0, &gr);
	leak_track_add(t, SEC, &gr);
	assert_int_equal(leak_track_judge(t, 0x1111, &r), LEAK_UNDECIDED);
	leak_track_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bursty),
		cmocka_unit_test(test_slow),
		cmocka_unit_test(test_ramp_plateau),
		cmocka_unit_test(test_churn),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_thresholds),
		cmocka_unit_test(test_track),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
