/* Unit tests for snapshot/group.c: levels, ids, statistics, order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "snapshot/group.h"
#include "tests/unit/snapfix.h"
#include "lib/banned.h"

static const struct fr main_site = { "main.main", "/app/main.go", 20,
				     0x5f };

static struct snap *levels_snap(void);
static size_t ngroups_at(const struct snap *s, enum group_level level);
static size_t group_of(const struct grouping *gr, uint64_t goid);
static uint64_t id_of(const struct snap *s, enum group_level level,
		      uint64_t goid);
static void test_levels(void **state);
static void test_ids_stable(void **state);
static void test_id_value(void **state);
static void test_runtime_frames_ignored(void **state);
static void test_long_stacks(void **state);
static void test_stats(void **state);
static void test_order(void **state);
static void test_user_frame(void **state);
static void test_stdlib_names(void **state);
static void test_system(void **state);
static void test_many(void **state);
static void test_leaked(void **state);

/*
 * g1 and g2 differ in a PC offset, g3 in a line, g4 in its state; g5 in
 * its creation site.
 */
static struct snap *levels_snap(void)
{
	struct snap *s = snap_new();
	const struct fr g1[] = {
		{ "main.work", "/app/w.go", 10, 0x10 },
		{ "main.run", "/app/r.go", 5, 0x40 }, { NULL, NULL, 0, 0 },
	};
	const struct fr g2[] = {
		{ "main.work", "/app/w.go", 10, 0x14 },
		{ "main.run", "/app/r.go", 5, 0x40 }, { NULL, NULL, 0, 0 },
	};
	const struct fr g3[] = {
		{ "main.work", "/app/w.go", 11, 0x18 },
		{ "main.run", "/app/r.go", 5, 0x40 }, { NULL, NULL, 0, 0 },
	};
	const struct fr other = { "main.other", "/app/o.go", 3, 0x22 };

	fx_add(s, 10, "chan receive", g1, &main_site);
	fx_add(s, 11, "chan receive", g2, &main_site);
	fx_add(s, 12, "chan receive", g3, &main_site);
	fx_add(s, 13, "select", g1, &main_site);
	fx_add(s, 14, "chan receive", g1, &other);
	return s;
}

static size_t ngroups_at(const struct snap *s, enum group_level level)
{
	struct grouping gr;
	size_t n;

	group_snap(s, level, 0, NULL, &gr);
	n = gr.ngroups;
	assert_int_equal(gr.ngrouped, s->ngs);
	grouping_release(&gr);
	return n;
}

static size_t group_of(const struct grouping *gr, uint64_t goid)
{
	size_t i;

	for (i = 0; i < gr->snap->ngs; i++)
		if (gr->snap->gs[i].goid == goid)
			return gr->of[i];
	fail_msg("no goroutine %llu", (unsigned long long)goid);
	return GROUP_NONE;
}

static uint64_t id_of(const struct snap *s, enum group_level level,
		      uint64_t goid)
{
	struct grouping gr;
	uint64_t id;

	group_snap(s, level, 0, NULL, &gr);
	id = gr.groups[group_of(&gr, goid)].id;
	grouping_release(&gr);
	return id;
}

static void test_levels(void **state)
{
	struct snap *s = levels_snap();
	struct grouping gr;

	(void)state;
	assert_int_equal(ngroups_at(s, GROUP_EXACT), 5);
	assert_int_equal(ngroups_at(s, GROUP_LINES), 4);
	assert_int_equal(ngroups_at(s, GROUP_FUNCTIONS), 3);
	group_snap(s, GROUP_LINES, 0, NULL, &gr);
	assert_int_equal(group_of(&gr, 10), group_of(&gr, 11));
	assert_int_not_equal(group_of(&gr, 10), group_of(&gr, 12));
	assert_int_not_equal(group_of(&gr, 10), group_of(&gr, 13));
	assert_int_not_equal(group_of(&gr, 10), group_of(&gr, 14));
	assert_int_equal(gr.groups[group_of(&gr, 10)].count, 2);
	grouping_release(&gr);
	group_snap(s, GROUP_FUNCTIONS, 0, NULL, &gr);
	assert_int_equal(group_of(&gr, 10), group_of(&gr, 12));
	assert_int_not_equal(group_of(&gr, 10), group_of(&gr, 14));
	grouping_release(&gr);
	snap_free(s);
}

/* Goroutine 1 (main) never shows a creation site: tests use other ids. */

/* The same program in another process: other addresses (PIE), goids,
 * order and string pointers; the ids do not change. */
static void test_ids_stable(void **state)
{
	struct snap *a = levels_snap(), *b;
	const struct fr g1[] = {
		{ "main.work", "/app/w.go", 10, 0x10 },
		{ "main.run", "/app/r.go", 5, 0x40 }, { NULL, NULL, 0, 0 },
	};
	const struct fr g3[] = {
		{ "main.work", "/app/w.go", 11, 0x18 },
		{ "main.run", "/app/r.go", 5, 0x40 }, { NULL, NULL, 0, 0 },
	};
	enum group_level lv;

	(void)state;
	fx_base = 0x55d4c0000000ull;
	b = snap_new();
	snap_intern(b, "unrelated string first");
	fx_add(b, 900, "chan receive", g3, &main_site);
	fx_add(b, 901, "select", g1, &main_site);
	fx_add(b, 902, "chan receive", g1, &main_site);
	fx_base = 0x400000;
	for (lv = GROUP_EXACT; lv <= GROUP_FUNCTIONS; lv++) {
		assert_int_equal(id_of(a, lv, 10), id_of(b, lv, 902));
		assert_int_equal(id_of(a, lv, 12), id_of(b, lv, 900));
		assert_int_equal(id_of(a, lv, 13), id_of(b, lv, 901));
		assert_int_not_equal(id_of(a, lv, 10), id_of(a, lv, 13));
	}
	/* Levels hash differently even when they group alike. */
	assert_int_not_equal(id_of(a, GROUP_LINES, 13),
			     id_of(a, GROUP_EXACT, 13));
	snap_free(a);
	snap_free(b);
}

/* The id is a function of the signature only: this value must not
 * change between releases, or saved ids stop matching. */
/* Goroutines Go 1.26+ marked leaked never share a group with others. */
static void test_leaked(void **state)
{
	static const struct fr st[] = {
		{ "main.orphan", "/app/main.go", 90, 0x1c },
		{ NULL, NULL, 0, 0 },
	};
	struct snap *s = snap_new();
	struct grouping gr;
	struct strbuf sb;
	size_t k;

	(void)state;
	fx_add(s, 10, "chan receive", st, &main_site);
	k = fx_add(s, 11, "chan receive", st, &main_site);
	s->gs[k].status = SNAP_LEAKED;
	fx_add(s, 12, "chan receive", st, &main_site);
	group_snap(s, GROUP_LINES, 0, NULL, &gr);
	assert_int_equal(gr.ngroups, 2);
	assert_int_not_equal(gr.groups[0].id, gr.groups[1].id);
	strbuf_init(&sb);
	group_sort(&gr, GROUP_SORT_COUNT);
	group_fmt_text(&gr, &sb);
	assert_non_null(strstr(sb.buf, "\n2 [chan receive]  group "));
	assert_non_null(strstr(sb.buf, "\n1 [chan receive (leaked)]  group "));
	strbuf_reset(&sb);
	group_fmt_json(&gr, &sb);
	assert_non_null(strstr(sb.buf, "\"leaked\":true"));
	assert_non_null(strstr(sb.buf, "\"leaked\":false"));
	strbuf_release(&sb);
	grouping_release(&gr);
	snap_free(s);
}

static void test_id_value(void **state)
{
	struct snap *s = levels_snap();
	char buf[32];

	(void)state;
	snprintf(buf, sizeof(buf), "%016llx",
		 (unsigned long long)id_of(s, GROUP_LINES, 10));
	assert_string_equal(buf, "17fb734612900ef3");
	snap_free(s);
}

/* A live capture has the runtime's hidden frames, a text dump not. */
static void test_runtime_frames_ignored(void **state)
{
	struct snap *s = snap_new();
	const struct fr live[] = {
		{ "runtime.gopark", "/go/src/runtime/proc.go", 435, 0xce },
		{ "runtime.chanrecv", "/go/src/runtime/chan.go", 583, 0x3cd },
		{ "main.work", "/app/w.go", 10, 0x10 },
		{ "main.run", "/app/r.go", 5, 0x40 },
		{ "runtime.goexit", "/go/src/runtime/asm.s", 1700, 0x1 },
		{ NULL, NULL, 0, 0 },
	};
	const struct fr text[] = {
		{ "main.work", "/app/w.go", 10, 0x10 },
		{ "main.run", "/app/r.go", 5, 0x40 }, { NULL, NULL, 0, 0 },
	};
	const struct fr rtsite = { "runtime.init.6", "/go/x.go", 3, 0x1 };
	struct grouping gr;

	(void)state;
	fx_add(s, 21, "chan receive", live, &main_site);
	fx_add(s, 22, "chan receive", text, &main_site);
	/* Created by the runtime: the dump does not show it. */
	fx_add(s, 23, "chan receive", text, &rtsite);
	fx_add(s, 24, "chan receive", text, NULL);
	group_snap(s, GROUP_EXACT, 0, NULL, &gr);
	assert_int_equal(group_of(&gr, 21), group_of(&gr, 22));
	assert_int_equal(group_of(&gr, 23), group_of(&gr, 24));
	assert_null(gr.groups[group_of(&gr, 23)].creator);
	assert_non_null(gr.groups[group_of(&gr, 21)].creator);
	grouping_release(&gr);
	snap_free(s);
}

/* Past 100 frames only the 50 innermost and 50 outermost count. */
static void test_long_stacks(void **state)
{
	struct snap *s = snap_new();
	struct fr *deep = xcalloc(162, sizeof(*deep));
	struct fr *cut = xcalloc(102, sizeof(*cut));
	struct grouping gr;
	size_t i, k = 0;

	(void)state;
	for (i = 0; i < 160; i++) {
		deep[i].func = i == 0 ? "main.leaf" : "main.rec";
		deep[i].file = "/app/rec.go";
		deep[i].line = i == 0 ? 3 : 9;
		deep[i].off = 0x20;
		if (i < 50 || i >= 110)
			cut[k++] = deep[i];
	}
	fx_add(s, 21, "chan receive", deep, &main_site);
	fx_add(s, 22, "chan receive", cut, &main_site);
	group_snap(s, GROUP_EXACT, 0, NULL, &gr);
	assert_int_equal(gr.ngroups, 1);
	grouping_release(&gr);
	free(deep);
	free(cut);
	snap_free(s);
}

static void test_stats(void **state)
{
	struct snap *s = snap_new();
	const struct fr st[] = {
		{ "main.work", "/app/w.go", 10, 0x10 }, { NULL, NULL, 0, 0 },
	};
	static const int64_t waits[] = {
		5000000000ll, -1, 1000000000ll, 3000000000ll, 7000000000ll,
	};
	static const uint64_t ids[] = { 50, 7, 99, 3, 8 };
	const struct group *g;
	struct grouping gr;
	size_t i, k;

	(void)state;
	for (i = 0; i < 5; i++) {
		k = fx_add(s, ids[i], "chan receive", st, &main_site);
		s->gs[k].wait_ns = waits[i];
	}
	s->gs[0].labels = xcalloc(2, sizeof(struct snap_label));
	s->gs[0].labels[0].key = snap_intern(s, "route");
	s->gs[0].labels[0].value = snap_intern(s, "/a");
	s->gs[0].nlabels = 1;
	s->gs[2].labels = xcalloc(2, sizeof(struct snap_label));
	s->gs[2].labels[0].key = snap_intern(s, "route");
	s->gs[2].labels[0].value = snap_intern(s, "/a");
	s->gs[2].labels[1].key = snap_intern(s, "route");
	s->gs[2].labels[1].value = snap_intern(s, "/b");
	s->gs[2].nlabels = 2;
	group_snap(s, GROUP_LINES, 0, NULL, &gr);
	assert_int_equal(gr.ngroups, 1);
	g = &gr.groups[0];
	assert_int_equal(g->count, 5);
	assert_int_equal(g->nwait, 4);
	assert_int_equal(g->wait_min, 1000000000ll);
	assert_int_equal(g->wait_median, 3000000000ll);
	assert_int_equal(g->wait_max, 7000000000ll);
	assert_int_equal(g->ngoids, 5);
	assert_int_equal(g->goids[0], 3);
	assert_int_equal(g->goids[1], 7);
	assert_int_equal(g->goids[4], 99);
	assert_int_equal(g->nlabels, 2);
	assert_string_equal(g->labels[1].value, "/b");
	assert_int_equal(g->blocked, 1);
	grouping_release(&gr);
	snap_free(s);
}

/* By count, but groups with only standard library frames come last. */
static void test_order(void **state)
{
	struct snap *s = snap_new();
	const struct fr user[] = {
		{ "main.work", "/app/w.go", 10, 0x10 }, { NULL, NULL, 0, 0 },
	};
	const struct fr user2[] = {
		{ "main.idle", "/app/i.go", 4, 0x10 }, { NULL, NULL, 0, 0 },
	};
	const struct fr std[] = {
		{ "net/http.(*conn).serve", "/go/src/net/http/server.go", 2000,
		  0x10 },
		{ NULL, NULL, 0, 0 },
	};
	const struct fr stdsite = { "net/http.(*Server).Serve",
				    "/go/src/net/http/server.go", 3000, 0x5 };
	struct grouping gr;
	size_t i, k;

	(void)state;
	for (i = 0; i < 5; i++)
		fx_add(s, 100 + i, "IO wait", std, &stdsite);
	for (i = 0; i < 2; i++) {
		k = fx_add(s, 200 + i, "chan receive", user, &main_site);
		s->gs[k].wait_ns = 1;
	}
	k = fx_add(s, 300, "select", user2, &main_site);
	s->gs[k].wait_ns = 60000000000ll;
	group_snap(s, GROUP_LINES, 0, NULL, &gr);
	group_sort(&gr, GROUP_SORT_COUNT);
	assert_int_equal(gr.ngroups, 3);
	assert_int_equal(gr.groups[0].count, 2);
	assert_int_equal(gr.groups[1].count, 1);
	assert_int_equal(gr.groups[2].count, 5);
	assert_true(gr.groups[2].stdlib_only);
	assert_int_equal(group_of(&gr, 201), 0);
	assert_int_equal(group_of(&gr, 104), 2);
	group_sort(&gr, GROUP_SORT_WAIT);
	assert_int_equal(gr.groups[0].count, 1);
	assert_int_equal(group_of(&gr, 300), 0);
	assert_int_equal(group_of(&gr, 104), 2);
	grouping_release(&gr);
	snap_free(s);
}

static void test_user_frame(void **state)
{
	struct snap *s = snap_new();
	const struct fr st[] = {
		{ "net/http.(*Client).Do", "/go/src/net/http/client.go", 5,
		  0x10 },
		{ "github.com/lib/pq.(*conn).query", "/mod/pq/conn.go", 7,
		  0x10 },
		{ "example.com/app/internal/db.Query[...]", "/app/db/q.go", 9,
		  0x10 },
		{ "main.main", "/app/main.go", 3, 0x10 },
		{ NULL, NULL, 0, 0 },
	};
	struct grouping gr;

	(void)state;
	fx_add(s, 5, "select", st, NULL);
	s->main_module = snap_intern(s, "example.com/app");
	group_snap(s, GROUP_LINES, 0, NULL, &gr);
	assert_string_equal(gr.groups[0].user->func,
			    "example.com/app/internal/db.Query[...]");
	assert_false(gr.groups[0].stdlib_only);
	grouping_release(&gr);
	/* Without the build information: the first non-std frame. */
	s->main_module = NULL;
	group_snap(s, GROUP_LINES, 0, NULL, &gr);
	assert_string_equal(gr.groups[0].user->func,
			    "github.com/lib/pq.(*conn).query");
	grouping_release(&gr);
	snap_free(s);
}

static void test_stdlib_names(void **state)
{
	(void)state;
	assert_true(group_func_is_stdlib("runtime.gopark"));
	assert_true(group_func_is_stdlib("net/http.(*conn).serve"));
	assert_true(group_func_is_stdlib("internal/poll.(*FD).Read"));
	assert_true(group_func_is_stdlib("sync.(*WaitGroup).Wait"));
	assert_false(group_func_is_stdlib("main.main"));
	assert_false(group_func_is_stdlib("main.(*box[...]).wait"));
	assert_false(group_func_is_stdlib("github.com/x/y.F"));
	assert_false(group_func_is_stdlib("gopkg.in/yaml.v3.(*d).f"));
	assert_false(group_func_is_stdlib("?"));
	assert_true(group_func_is_user("main.f", "example.com/app"));
	assert_true(group_func_is_user("example.com/app.F",
				       "example.com/app"));
	assert_true(group_func_is_user("example.com/app/x.F",
				       "example.com/app"));
	assert_false(group_func_is_user("example.com/apple/x.F",
					"example.com/app"));
	assert_false(group_func_is_user("fmt.Println", NULL));
}

static void test_system(void **state)
{
	struct snap *s = snap_new();
	const struct fr st[] = {
		{ "runtime.bgsweep", "/go/src/runtime/mgcsweep.go", 300, 0x10 },
		{ NULL, NULL, 0, 0 },
	};
	struct grouping gr;
	size_t k;

	(void)state;
	k = fx_add(s, 2, "GC sweep wait", st, NULL);
	s->gs[k].system = 1;
	group_snap(s, GROUP_LINES, 0, NULL, &gr);
	assert_int_equal(gr.ngroups, 0);
	assert_int_equal(gr.of[0], GROUP_NONE);
	grouping_release(&gr);
	group_snap(s, GROUP_LINES, GROUP_SYSTEM, NULL, &gr);
	assert_int_equal(gr.ngroups, 1);
	assert_true(gr.groups[0].stdlib_only);
	grouping_release(&gr);
	snap_free(s);
}

/* Linear hashing: 200k goroutines in 1000 groups group quickly. */
static void test_many(void **state)
{
	struct snap *s = snap_new();
	struct fr st[3] = {
		{ "main.work", "/app/w.go", 0, 0x10 },
		{ "main.run", "/app/r.go", 5, 0x40 }, { NULL, NULL, 0, 0 },
	};
	struct grouping gr;
	size_t i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		st[0].line = (int)(i % 1000);
		fx_add(s, i + 2, "chan receive", st, &main_site);
	}
	group_snap(s, GROUP_LINES, 0, NULL, &gr);
	group_sort(&gr, GROUP_SORT_COUNT);
	assert_int_equal(gr.ngroups, 1000);
	for (i = 0; i < gr.ngroups; i++)
		assert_int_equal(gr.groups[i].count, 200);
	grouping_release(&gr);
	snap_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_leaked),
		cmocka_unit_test(test_ids_stable),
		cmocka_unit_test(test_id_value),
		cmocka_unit_test(test_runtime_frames_ignored),
		cmocka_unit_test(test_long_stacks),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_user_frame),
		cmocka_unit_test(test_stdlib_names),
		cmocka_unit_test(test_system),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
