/* Unit tests for snapshot/rules.c: parsing, errors and matching. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "snapshot/group.h"
#include "snapshot/rules.h"
#include "tests/unit/snapfix.h"
#include "lib/banned.h"

static struct rules *parse_ok(const char *text);
static void assert_parse_error(const char *text, const char *want);
static void test_parse(void **state);
static void test_errors(void **state);
static void test_match(void **state);
static void test_grouping_with_rules(void **state);

static struct rules *parse_ok(const char *text)
{
	struct rules *r = NULL;
	struct err e;

	err_init(&e);
	if (rules_parse(text, strlen(text), "r", &r, &e) < 0)
		fail_msg("rules_parse: %s", e.msg);
	return r;
}

static void assert_parse_error(const char *text, const char *want)
{
	struct rules *r = NULL;
	struct err e;

	err_init(&e);
	assert_int_equal(rules_parse(text, strlen(text), "leak.rules", &r,
				     &e), -EINVAL);
	assert_null(r);
	assert_string_equal(e.msg, want);
}

static void test_parse(void **state)
{
	struct rules *r;

	(void)state;
	r = parse_ok("# goroutines we expect\n"
		     "\n"
		     "top internal/poll.runtime_pollWait   # netpoll\n"
		     "  any   net/http.(*Server).Serve\n"
		     "created-by go.opencensus.io/stats/view.init.*\r\n"
		     "label worker=pool\n"
		     "label tenant=*\n"
		     "any main.fn#2");
	assert_int_equal(r->n, 6);
	assert_int_equal(r->v[0].kind, RULE_TOP);
	assert_string_equal(r->v[0].pattern, "internal/poll.runtime_pollWait");
	assert_int_equal(r->v[0].line, 3);
	assert_int_equal(r->v[1].kind, RULE_ANY);
	assert_string_equal(r->v[1].pattern, "net/http.(*Server).Serve");
	assert_int_equal(r->v[2].kind, RULE_CREATED_BY);
	assert_true(r->v[2].prefix);
	assert_string_equal(r->v[2].pattern, "go.opencensus.io/stats/view.init.");
	assert_int_equal(r->v[3].kind, RULE_LABEL);
	assert_string_equal(r->v[3].pattern, "worker");
	assert_string_equal(r->v[3].value, "pool");
	assert_true(r->v[4].prefix);
	assert_string_equal(r->v[4].value, "");
	/* '#' inside a word is not a comment. */
	assert_string_equal(r->v[5].pattern, "main.fn#2");
	rules_free(r);
	r = parse_ok("");
	assert_int_equal(r->n, 0);
	rules_free(r);
}

static void test_errors(void **state)
{
	(void)state;
	assert_parse_error("top a.b\nignore x.y\n",
			   "leak.rules:2: unknown rule 'ignore' (expected "
			   "top, any, created-by or label)");
	assert_parse_error("\n\nany\n", "leak.rules:3: 'any' takes one "
			   "argument");
	assert_parse_error("top a b\n", "leak.rules:1: 'top' takes one "
			   "argument");
	assert_parse_error("label nokey\n", "leak.rules:1: expected "
			   "'label KEY=VALUE'");
	assert_parse_error("label =v\n", "leak.rules:1: expected "
			   "'label KEY=VALUE'");
}

static void test_match(void **state)
{
	struct snap *s = snap_new();
	const struct fr st[] = {
		{ "runtime.gopark", "/go/proc.go", 1, 0x10 },
		{ "internal/poll.runtime_pollWait", "/go/netpoll.go", 2, 0x10 },
		{ "main.(*box[go.shape.int]).wait", "/app/b.go", 3, 0x10 },
		{ "main.serve", "/app/s.go", 4, 0x10 },
		{ NULL, NULL, 0, 0 },
	};
	const struct fr site = { "main.startServer", "/app/m.go", 9, 0x5 };
	struct snap_label lab = { NULL, NULL };
	struct rules *r;
	size_t k;

	(void)state;
	k = fx_add(s, 5, "IO wait", st, &site);
	lab.key = snap_intern(s, "tenant");
	lab.value = snap_intern(s, "acme-7");
	s->gs[k].labels = xcalloc(1, sizeof(lab));
	s->gs[k].labels[0] = lab;
	s->gs[k].nlabels = 1;
#define HIT(text, want)                                                  \
	do {                                                             \
		r = parse_ok(text);                                      \
		assert_int_equal(rules_ignore(r, &s->gs[k]), want);      \
		rules_free(r);                                           \
	} while (0)
	/* The top frame is the first one the dump shows. */
	HIT("top internal/poll.runtime_pollWait", 1);
	HIT("top runtime.gopark", 0);
	HIT("top main.serve", 0);
	HIT("any main.serve", 1);
	HIT("any main.(*box[...]).wait", 1);
	HIT("any main.(*box[go.shape.int]).wait", 1);
	HIT("any main.*", 1);
	HIT("any main.ser", 0);
	HIT("created-by main.startServer", 1);
	HIT("created-by main.start*", 1);
	HIT("created-by main.main", 0);
	HIT("label tenant=acme-7", 1);
	HIT("label tenant=acme*", 1);
	HIT("label tenant=acme", 0);
	HIT("label other=acme-7", 0);
	HIT("top x.y\nlabel tenant=*", 1);
#undef HIT
	snap_free(s);
}

static void test_grouping_with_rules(void **state)
{
	struct snap *s = snap_new();
	const struct fr a[] = {
		{ "main.leak", "/app/l.go", 3, 0x10 }, { NULL, NULL, 0, 0 },
	};
	const struct fr b[] = {
		{ "main.pool", "/app/p.go", 3, 0x10 }, { NULL, NULL, 0, 0 },
	};
	struct grouping gr;
	struct rules *r = parse_ok("top main.pool\n");

	(void)state;
	fx_add(s, 5, "chan receive", a, NULL);
	fx_add(s, 6, "chan receive", b, NULL);
	fx_add(s, 7, "chan receive", b, NULL);
	group_snap(s, GROUP_LINES, 0, r, &gr);
	assert_int_equal(gr.ngroups, 1);
	assert_int_equal(gr.ngrouped, 1);
	assert_int_equal(gr.nignored, 2);
	grouping_release(&gr);
	rules_free(r);
	snap_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_grouping_with_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
