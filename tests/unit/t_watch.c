/* Unit tests for snapshot/watch.c: series, verdicts and output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "snapshot/ages.h"
#include "snapshot/diff.h"
#include "format/fmt_watch.h"
#include "snapshot/watch.h"
#include "tests/unit/snapfix.h"
#include "lib/banned.h"

static const struct fr leak_st[] = {
	{ "main.leakOne", "/app/leaky.go", 33, 0x1c }, { NULL, NULL, 0, 0 },
};
static const struct fr pool_st[] = {
	{ "main.poolMember", "/app/leaky.go", 80, 0x1c }, { NULL, NULL, 0, 0 },
};
static const struct fr leak_site = { "main.leaker", "/app/leaky.go", 47,
				     0xf6 };
static const struct fr pool_site = { "main.oscillate", "/app/leaky.go", 90,
				     0x40 };

static struct snap *sample(size_t leaked, size_t pool, int64_t t);
static void run(const struct watch_cfg *cfg, const size_t *leaked,
		const size_t *pool, size_t n, struct watch **w,
		struct watch_verdict *v);
static void test_leak(void **state);
static void test_oscillation(void **state);
static void test_short_and_proven(void **state);
static struct watch_cfg mkcfg(int64_t win);
static void test_rules(void **state);
static void test_formats(void **state);
static void test_ages(void **state);
static void test_series(void **state);

static struct snap *sample(size_t leaked, size_t pool, int64_t t)
{
	struct snap *s = snap_new();
	size_t i, k;

	s->time_unix_ns = t;
	s->pause_ns = 1500000;
	for (i = 0; i < leaked; i++) {
		k = fx_add(s, 100 + i, "chan receive", leak_st, &leak_site);
		/* Two a second: the wait fits the goroutine's age. */
		s->gs[k].wait_ns = (int64_t)(leaked - i) * 500000000ll;
	}
	for (i = 0; i < pool; i++)
		fx_add(s, 5000 + i, "chan receive", pool_st, &pool_site);
	return s;
}

static void run(const struct watch_cfg *cfg, const size_t *leaked,
		const size_t *pool, size_t n, struct watch **w,
		struct watch_verdict *v)
{
	struct watch_sample smp;
	size_t i;

	*w = watch_new(cfg);
	for (i = 0; i < n; i++) {
		struct snap *s = sample(leaked[i], pool[i],
					1700000000000000000ll +
					(int64_t)i * 1000000000ll);

		watch_add(*w, s, &smp, NULL);
		assert_int_equal(smp.seq, i + 1);
		assert_int_equal(smp.total + smp.ignored, leaked[i] + pool[i]);
		snap_free(s);
	}
	watch_verdict(*w, v);
}

/* The default rule with a window of win seconds. */
static struct watch_cfg mkcfg(int64_t win)
{
	struct watch_cfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	leak_cfg_init(&cfg.leak);
	cfg.leak.window_ns = win * 1000000000ll;
	return cfg;
}

static void test_leak(void **state)
{
	static const size_t leaked[] = { 0, 2, 4, 6, 8, 10 };
	static const size_t pool[] = { 1, 2, 0, 1, 2, 0 };
	struct watch_cfg cfg = mkcfg(5);
	struct watch_verdict v;
	struct watch *w;

	(void)state;
	run(&cfg, leaked, pool, 6, &w, &v);
	assert_int_equal(v.state, LEAK_SUSPECT);
	assert_int_equal(v.nsuspects, 1);
	assert_false(v.suspects[0].proven);
	assert_string_equal(v.suspects[0].created_func, "main.leaker");
	assert_int_equal(v.suspects[0].created_line, 47);
	assert_string_equal(v.suspects[0].user_func, "main.leakOne");
	assert_int_equal(v.suspects[0].nseries, 6);
	assert_int_equal(v.suspects[0].series[0].n, 0);
	assert_int_equal(v.suspects[0].series[5].n, 10);
	assert_int_equal(v.suspects[0].res.growth, 10);
	assert_int_equal(v.suspects[0].count, 10);
	assert_int_equal(v.suspects[0].oldest_wait_ns, 5000000000ll);
	assert_int_equal(v.suspects[0].age_min_ns, 4000000000ll);
	assert_int_equal(v.npoints, 6);
	assert_int_equal(v.span_ns, 5000000000ll);
	assert_int_equal(v.total_first, 1);
	assert_int_equal(v.total_last, 10);
	watch_verdict_release(&v);
	watch_free(w);
}

/* A pool that swings: stable, even while it grows 3 times. */
static void test_oscillation(void **state)
{
	static const size_t leaked[] = { 0, 0, 0, 0, 0, 0, 0, 0 };
	static const size_t pool[] = { 0, 1, 2, 1, 0, 1, 2, 3 };
	struct watch_cfg cfg = mkcfg(6);
	struct watch_verdict v;
	struct watch *w;

	(void)state;
	run(&cfg, leaked, pool, 8, &w, &v);
	assert_int_equal(v.state, LEAK_STABLE);
	assert_int_equal(v.nsuspects, 0);
	watch_verdict_release(&v);
	watch_free(w);
}

static void test_short_and_proven(void **state)
{
	static const size_t up[] = { 0, 10, 20, 30 };
	static const size_t none[] = { 0, 0, 0, 0, 0, 0, 0, 0 };
	struct watch_cfg cfg = mkcfg(5);
	struct watch_sample smp;
	struct watch_verdict v;
	struct watch *w;
	struct snap *s;
	size_t k;

	(void)state;
	/* Fewer snapshots than the window needs: neither leak nor stable. */
	run(&cfg, up, none, 4, &w, &v);
	assert_int_equal(v.state, LEAK_UNDECIDED);
	assert_int_equal(v.nsuspects, 0);
	watch_verdict_release(&v);
	/* Goroutines the runtime marked leaked are proven at once. */
	s = sample(3, 0, 1700000000000000000ll + 4000000000ll);
	k = fx_add(s, 9000, "leaked", pool_st, &pool_site);
	s->gs[k].wait_ns = -1;
	watch_add(w, s, &smp, NULL);
	snap_free(s);
	watch_verdict(w, &v);
	assert_int_equal(v.state, LEAK_SUSPECT);
	assert_int_equal(v.nleaked, 1);
	assert_int_equal(v.nsuspects, 1);
	assert_true(v.suspects[0].proven);
	assert_string_equal(v.suspects[0].state, "leaked");
	watch_verdict_release(&v);
	watch_free(w);
}

static void test_rules(void **state)
{
	static const size_t leaked[] = { 0, 2, 4, 6, 8, 10 };
	static const size_t pool[] = { 0, 0, 0, 0, 0, 0 };
	struct watch_cfg cfg = mkcfg(5);
	struct watch_verdict v;
	struct rules *r;
	struct watch *w;
	struct err e;

	(void)state;
	assert_int_equal(rules_parse("created-by main.leaker\n", 23, "r", &r,
				     &e), 0);
	cfg.rules = r;
	run(&cfg, leaked, pool, 6, &w, &v);
	assert_int_equal(v.state, LEAK_STABLE);
	watch_verdict_release(&v);
	watch_free(w);
	rules_free(r);
}

static void test_formats(void **state)
{
	static const size_t leaked[] = { 0, 2, 4, 6, 8 };
	static const size_t pool[] = { 1, 1, 1, 1, 1 };
	struct watch_cfg cfg = mkcfg(4);
	struct watch_sample smp;
	struct watch_verdict v;
	struct strbuf sb, lab;
	struct watch *w;
	struct snap *s;

	(void)state;
	run(&cfg, leaked, pool, 5, &w, &v);
	strbuf_init(&sb);
	fmt_watch_verdict(&v, watch_config(w), WATCH_TEXT, &sb);
	assert_non_null(strstr(sb.buf, "verdict: leak suspected (5 "
				       "snapshots; total 1 -> 9 over the "
				       "last 4s; tolerance 3, noise 3)\n"));
	assert_non_null(strstr(sb.buf, "grew from 0 to 8 (+8) in 4s "
				       "(2.0/s), never fell by more than 0; "
				       "now 8\n"));
	assert_non_null(strstr(sb.buf, "    oldest age  >= 3s (seen by "
				       "goscope since then)\n"));
	assert_non_null(strstr(sb.buf, "    oldest wait ~4s (approximate: "
				       "stamped by the runtime's GC)\n"));
	assert_non_null(strstr(sb.buf, "    created by  main.leaker at "
				       "/app/leaky.go:47\n"));
	strbuf_reset(&sb);
	fmt_watch_verdict(&v, watch_config(w), WATCH_JSON, &sb);
	assert_non_null(strstr(sb.buf, "\"verdict\":\"leak suspected\""));
	assert_non_null(strstr(sb.buf, "\"series\":[0,2,4,6,8]"));
	assert_non_null(strstr(sb.buf, "\"window_ns\":4000000000"));
	assert_non_null(strstr(sb.buf, "\"oldest_age_min_ns\":3000000000"));
	strbuf_reset(&sb);
	fmt_watch_verdict(&v, watch_config(w), WATCH_OPENMETRICS, &sb);
	assert_non_null(strstr(sb.buf, "\ngoscope_watch_leak_suspected 1\n"));
	assert_non_null(strstr(sb.buf, "\ngoscope_watch_undecided 0\n"));
	assert_non_null(strstr(sb.buf, "created_by=\"main.leaker\"} 8\n#"));
	assert_string_equal(sb.buf + sb.len - 6, "# EOF\n");
	strbuf_init(&lab);
	fmt_watch_label_exposition(sb.buf, "pid", "12", "process", "a\"b",
				   &lab);
	assert_non_null(strstr(lab.buf, "\ngoscope_watch_leak_suspected{pid="
					"\"12\",process=\"a\\\"b\"} 1\n"));
	assert_non_null(strstr(lab.buf, "\ngoscope_watch_suspect_goroutines{"
					"pid=\"12\",process=\"a\\\"b\","
					"group=\""));
	strbuf_release(&lab);
	watch_verdict_release(&v);
	strbuf_reset(&sb);
	s = sample(8, 1, 1700000000123000000ll);
	{
		struct grouping gr;

		watch_add(w, s, &smp, &gr);
		fmt_watch_metrics(s, &gr, &sb);
		grouping_release(&gr);
	}
	assert_non_null(strstr(sb.buf, "goscope_goroutines{state=\"waiting\","
				       "wait_reason=\"chan receive\"} 9\n"));
	assert_non_null(strstr(sb.buf, "created_by=\"main.leaker\"} 8\n"));
	assert_null(strstr(sb.buf, "# EOF"));
	strbuf_reset(&sb);
	fmt_watch_sample(&smp, WATCH_TEXT, &sb);
	assert_string_equal(sb.buf, "2023-11-14T22:13:20.123Z  #6  total 9 "
			    "(+0)  waiting 9  groups 2  pause 1.500 ms\n");
	strbuf_reset(&sb);
	fmt_watch_sample(&smp, WATCH_JSON, &sb);
	assert_non_null(strstr(sb.buf, "\"total\":9,\"delta\":0,"
				       "\"by_status\":{\"waiting\":9}"));
	strbuf_release(&sb);
	snap_free(s);
	watch_free(w);
}

static void test_ages(void **state)
{
	const int64_t t0 = 1700000000000000000ll, sec = 1000000000ll;
	struct ages *a = ages_new();
	struct snap *s1 = snap_new(), *s2 = snap_new();
	size_t k;

	(void)state;
	s1->time_unix_ns = t0;
	fx_add(s1, 1, "chan receive", pool_st, &pool_site);
	k = fx_add(s1, 2, "chan receive", pool_st, &pool_site);
	s1->gs[k].wait_ns = 20 * sec;
	assert_int_equal(ages_update(a, s1), 0);
	assert_int_equal(s1->gs[k].first_seen_ns, t0);
	assert_int_equal(s1->gs[k].born_after_ns, 0);
	assert_int_equal(s1->gs[k].wait_ns, 20 * sec);
	/* 10 s later: 2 stays, 1 is gone, 3 is new with a stale stamp. */
	s2->time_unix_ns = t0 + 10 * sec;
	k = fx_add(s2, 2, "chan receive", pool_st, &pool_site);
	s2->gs[k].wait_ns = 30 * sec;
	fx_add(s2, 3, "chan receive", pool_st, &pool_site);
	s2->gs[1].wait_ns = 11 * sec;
	assert_int_equal(ages_update(a, s2), 1);
	assert_int_equal(s2->gs[0].first_seen_ns, t0);
	assert_int_equal(s2->gs[0].wait_ns, 30 * sec);
	assert_int_equal(s2->gs[1].first_seen_ns, t0 + 10 * sec);
	assert_int_equal(s2->gs[1].born_after_ns, t0);
	assert_int_equal(s2->gs[1].wait_ns, -1);
	/* A saved snapshot remembers its goroutines' first sightings: a
	 * new memory (another run of goscope) keeps them. */
	ages_reset(a);
	assert_int_equal(ages_update(a, s2), 0);
	assert_int_equal(s2->gs[0].first_seen_ns, t0);
	assert_int_equal(s2->gs[0].born_after_ns, 0);
	assert_int_equal(s2->gs[1].first_seen_ns, t0 + 10 * sec);
	assert_int_equal(s2->gs[1].born_after_ns, t0);
	/* Without them, the memory starts over. */
	ages_reset(a);
	for (k = 0; k < s2->ngs; k++)
		s2->gs[k].first_seen_ns = s2->gs[k].born_after_ns = 0;
	assert_int_equal(ages_update(a, s2), 0);
	assert_int_equal(s2->gs[0].first_seen_ns, t0 + 10 * sec);
	assert_int_equal(s2->gs[1].born_after_ns, 0);
	snap_free(s1);
	snap_free(s2);
	ages_free(a);
}

/*
 * A series of saved snapshots (goscope diff A B C ...): each group of
 * the diff of the first and the last carries the rule's verdict.
 */
static void test_series(void **state)
{
	static const size_t leaked[] = { 0, 0, 20, 20, 40, 40, 60 };
	static const size_t pool[] = { 5, 5, 5, 5, 5, 5, 5 };
	struct watch_cfg cfg = mkcfg(5);
	struct snap *first, *last;
	struct watch_sample smp;
	struct watch_verdict v;
	struct strbuf sb;
	struct watch *w;
	struct diff d;
	size_t i, n = 7;

	(void)state;
	w = watch_new(&cfg);
	first = sample(leaked[0], pool[0], 1700000000000000000ll);
	watch_add(w, first, &smp, NULL);
	/* Three snapshots: not enough for a verdict on any group. */
	for (i = 1; i < n; i++) {
		last = sample(leaked[i], pool[i], 1700000000000000000ll +
			      (int64_t)i * 1000000000ll);
		watch_add(w, last, &smp, NULL);
		if (i == 2) {
			diff_snaps(first, last, cfg.level, 0, &d);
			assert_int_equal(d.ngroups, 2);
			assert_int_equal(watch_group_state(w, d.groups[0].id),
					 LEAK_UNDECIDED);
			assert_int_equal(watch_group_state(w, d.groups[1].id),
					 LEAK_UNDECIDED);
			diff_release(&d);
		}
		if (i < n - 1)
			snap_free(last);
	}
	watch_verdict(w, &v);
	assert_int_equal(v.state, LEAK_SUSPECT);
	assert_int_equal(v.nsuspects, 1);
	diff_snaps(first, last, cfg.level, 0, &d);
	assert_int_equal(d.ngroups, 2);
	d.nseries = n;
	d.verdict_text = "verdict: leak suspected\n";
	d.verdict_json = "{\"verdict\":\"leak suspected\"}";
	for (i = 0; i < d.ngroups; i++)
		d.groups[i].leak = watch_group_state(w, d.groups[i].id);
	i = d.groups[0].id == v.suspects[0].id ? 0 : 1;
	assert_int_equal(d.groups[i].id, v.suspects[0].id);
	assert_int_equal(d.groups[i].leak, LEAK_SUSPECT);
	assert_int_equal(d.groups[1 - i].leak, LEAK_STABLE);
	/* Not in the last snapshot: stable. */
	assert_int_equal(watch_group_state(w, 12345), LEAK_STABLE);
	strbuf_init(&sb);
	diff_fmt_text(&d, &sb);
	assert_non_null(strstr(sb.buf, "+60  0 -> 60  new    [chan receive]"));
	assert_non_null(strstr(sb.buf, "  [suspect]\n      user frame  "
				       "main.leakOne"));
	assert_null(strstr(sb.buf, "[stable]"));	/* same: not listed */
	assert_non_null(strstr(sb.buf, "\nverdict: leak suspected\n"));
	strbuf_reset(&sb);
	diff_fmt_json(&d, &sb);
	assert_non_null(strstr(sb.buf, "\"snapshots\":7,"));
	assert_non_null(strstr(sb.buf, "\"leak\":\"suspect\"}"));
	assert_non_null(strstr(sb.buf, "\"leak\":\"stable\"}"));
	assert_non_null(strstr(sb.buf, "\"verdict\":{\"verdict\":"
				       "\"leak suspected\"}}"));
	/* Two snapshots: no verdict in the output. */
	d.nseries = 0;
	strbuf_reset(&sb);
	diff_fmt_json(&d, &sb);
	assert_null(strstr(sb.buf, "\"leak\""));
	assert_null(strstr(sb.buf, "\"verdict\""));
	strbuf_release(&sb);
	diff_release(&d);
	watch_verdict_release(&v);
	snap_free(first);
	snap_free(last);
	watch_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leak),
		cmocka_unit_test(test_oscillation),
		cmocka_unit_test(test_short_and_proven),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_ages),
		cmocka_unit_test(test_series),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
