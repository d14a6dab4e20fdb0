/* Unit tests for tui/app.c: selections kept across refreshes, navigation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tui/app.h"
#include "tui/keys.h"
#include "tui/nav.h"
#include "tests/unit/snapfix.h"
#include "lib/banned.h"

static const struct fr site = { "main.main", "/app/main.go", 20, 0x5f };
static const struct fr a_stack[] = {
	{ "main.a", "/app/a.go", 1, 0x10 }, { NULL, NULL, 0, 0 },
};
static const struct fr b_stack[] = {
	{ "main.b", "/app/b.go", 2, 0x10 }, { NULL, NULL, 0, 0 },
};
static const struct fr c_stack[] = {
	{ "main.c", "/app/c.go", 3, 0x10 }, { NULL, NULL, 0, 0 },
};

static struct snap *make_snap(size_t na, size_t nb, size_t nc);
static const char *selected_func(struct app *a);
static void test_group_selection_kept(void **state);
static void test_goroutine_selection_kept(void **state);
static void test_navigation(void **state);

/* Goroutine ids: a from 100, b from 200, c from 300. */
static struct snap *make_snap(size_t na, size_t nb, size_t nc)
{
	struct snap *s = snap_new();
	size_t i;

	for (i = 0; i < na; i++)
		fx_add(s, 100 + i, "chan receive", a_stack, &site);
	for (i = 0; i < nb; i++)
		fx_add(s, 200 + i, "chan receive", b_stack, &site);
	for (i = 0; i < nc; i++)
		fx_add(s, 300 + i, "chan receive", c_stack, &site);
	return s;
}

static const char *selected_func(struct app *a)
{
	return a->rows[a->lists[SCR_GROUPS].sel].g->user->func;
}

static void test_group_selection_kept(void **state)
{
	struct tui_opts o;
	struct app a;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.pid = 4242;
	app_init(&a, &o);
	model_push(&a.m, make_snap(5, 3, 1), NULL, 1, NULL);
	nav_rescan(&a);
	assert_int_equal(a.nrows, 3);
	nav_move(&a, 1);
	assert_string_equal(selected_func(&a), "main.b");
	/* c grows past both: b moves to the last row, and stays selected. */
	model_push(&a.m, make_snap(5, 3, 10), NULL, 1, NULL);
	app_invalidate(&a);
	nav_rescan(&a);
	assert_int_equal(a.lists[SCR_GROUPS].sel, 2);
	assert_string_equal(selected_func(&a), "main.b");
	/* b is gone: the selection stays on the same row. */
	model_push(&a.m, make_snap(5, 0, 10), NULL, 1, NULL);
	app_invalidate(&a);
	nav_rescan(&a);
	assert_int_equal(a.nrows, 2);
	assert_int_equal(a.lists[SCR_GROUPS].sel, 1);
	assert_string_equal(selected_func(&a), "main.a");
	app_release(&a);
}

static void test_goroutine_selection_kept(void **state)
{
	struct tui_opts o;
	struct app a;
	uint64_t goid;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.pid = 4242;
	app_init(&a, &o);
	model_push(&a.m, make_snap(5, 3, 1), NULL, 1, NULL);
	nav_rescan(&a);
	assert_true(nav_open(&a) & KEYS_RESCAN);
	assert_int_equal(a.screen, SCR_GOROUTINES);
	nav_rescan(&a);
	assert_int_equal(a.nmembers, 5);
	nav_select(&a, 3);
	goid = a.m.cur->snap->gs[a.members[3]].goid;
	assert_int_equal(goid, 103);
	/* Goroutines 100 and 101 exit: 103 is now the second. */
	{
		struct snap *s = snap_new();
		size_t i;

		for (i = 2; i < 5; i++)
			fx_add(s, 100 + i, "chan receive", a_stack, &site);
		model_push(&a.m, s, NULL, 1, NULL);
	}
	app_invalidate(&a);
	nav_rescan(&a);
	assert_int_equal(a.nmembers, 3);
	assert_int_equal(a.lists[SCR_GOROUTINES].sel, 1);
	assert_int_equal(a.m.cur->snap->gs[a.members[1]].goid, 103);
	/* Open its stack; back goes to the goroutines, then the groups. */
	assert_true(nav_open(&a) & KEYS_RESCAN);
	assert_int_equal(a.screen, SCR_STACK);
	assert_int_equal(a.goid, 103);
	nav_rescan(&a);
	assert_true(a.gidx >= 0);
	assert_int_equal(nav_back(&a), 1);
	assert_int_equal(a.screen, SCR_GOROUTINES);
	assert_int_equal(nav_back(&a), 1);
	assert_int_equal(a.screen, SCR_GROUPS);
	assert_int_equal(nav_back(&a), 0);
	app_release(&a);
}

static void test_navigation(void **state)
{
	struct tui_opts o;
	struct app a;

	(void)state;
	memset(&o, 0, sizeof(o));
	app_init(&a, &o);
	assert_true(a.offline);
	model_push(&a.m, make_snap(1, 2, 3), NULL, 1, NULL);
	nav_rescan(&a);
	nav_select(&a, (size_t)-1);
	assert_int_equal(a.lists[SCR_GROUPS].sel, 2);
	nav_move(&a, -10);
	assert_int_equal(a.lists[SCR_GROUPS].sel, 0);
	/* The key table writes the help text (as ? does). */
	keys_help(&a, &a.help);
	nav_goto(&a, SCR_HELP);
	nav_rescan(&a);
	assert_true(a.nlines > 10);
	nav_goto(&a, SCR_LEAKS);
	nav_rescan(&a);
	assert_int_equal(a.nleaks, 0);
	assert_int_equal(nav_back(&a), 1);
	assert_int_equal(a.screen, SCR_HELP);
	assert_string_equal(app_screen_name(SCR_THREADS), "threads");
	app_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_selection_kept),
		cmocka_unit_test(test_goroutine_selection_kept),
		cmocka_unit_test(test_navigation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
