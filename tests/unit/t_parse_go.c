/* Unit tests for format/parse_go.c on real dumps (tests/fixtures/). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "format/fmt_go.h"
#include "format/fmt_go1.h"
#include "snapshot/group.h"
#include "format/parse_go.h"
#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define FIX "tests/fixtures/"

static char *slurp(const char *path, size_t *len);
static struct snap *parse(const char *path, struct err *warn);
static const struct snap_goroutine *with_func(const struct snap *s,
					      const char *func);
static void test_debug2_go127(void **state);
static void test_debug2_go119(void **state);
static void test_rerender(void **state);
static void test_debug1_labels(void **state);
static void test_sigquit(void **state);
static void test_panic(void **state);
static void test_truncated(void **state);
static void test_malformed(void **state);
static void test_debug1_weight(void **state);
static void test_unreadable_headers(void **state);

static char *slurp(const char *path, size_t *len)
{
	struct strbuf sb;
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		fail_msg("cannot open %s (run from the source tree)", path);
	strbuf_init(&sb);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	return strbuf_detach(&sb, len);
}

static struct snap *parse(const char *path, struct err *warn)
{
	struct snap *s = NULL;
	struct err e;
	size_t len;
	char *text = slurp(path, &len);

	err_init(&e);
	if (parse_go_dump(text, len, &s, warn, &e) < 0)
		fail_msg("%s: %s", path, e.msg);
	free(text);
	return s;
}

static const struct snap_goroutine *with_func(const struct snap *s,
					      const char *func)
{
	size_t i, j;

	for (i = 0; i < s->ngs; i++)
		for (j = 0; j < s->gs[i].nframes; j++)
			if (!strcmp(s->gs[i].frames[j].func, func))
				return &s->gs[i];
	fail_msg("no goroutine runs %s", func);
	return NULL;
}

static void test_debug2_go127(void **state)
{
	const struct snap_goroutine *g;
	struct snap *s;
	struct err w;

	(void)state;
	s = parse(FIX "goroutines-go1.27-debug2.txt", &w);
	assert_int_equal(w.code, 0);
	assert_int_equal(s->ngs, 34);
	assert_int_equal(s->go_minor, 21);
	assert_int_equal(s->gs[0].goid, 1);
	assert_string_equal(s->gs[0].status_str, "running");
	assert_int_equal(s->gs[0].status, SNAP_RUNNING);
	/* created by ... in goroutine N */
	g = with_func(s, "main.spawnerChild");
	assert_true(g->has_creator);
	assert_string_equal(g->creator.func, "main.spawnerParent");
	assert_int_not_equal(g->parent_goid, 0);
	assert_true(g->creator.pc > 0);
	/* "...50 frames elided...": 100 frames kept */
	g = with_func(s, "main.deepA");
	assert_int_equal(g->nframes, 100);
	/* generic shapes printed as [...], arguments as (...) */
	g = with_func(s, "main.parkGeneric[...]");
	assert_string_equal(g->status_str, "chan receive");
	g = with_func(s, "main.(*box[...]).wait");
	/* inlined frames have no +0x offset */
	g = with_func(s, "main.recvLeaf");
	assert_true(g->frames[0].inlined);
	assert_false(g->frames[1].inlined);
	assert_int_equal(g->frames[1].phys, 0);
	g = with_func(s, "main.parkLockedThread");
	assert_true(g->locked);
	g = with_func(s, "main.parkSelectNoCases");
	assert_string_equal(g->status_str, "select (no cases)");
	assert_int_equal(g->status, SNAP_WAITING);
	assert_int_equal(g->waitreason, -1);
	snap_free(s);
}

static void test_debug2_go119(void **state)
{
	const struct snap_goroutine *g;
	struct snap *s;
	struct err w;

	(void)state;
	s = parse(FIX "goroutines-go1.19-debug2.txt", &w);
	assert_int_equal(w.code, 0);
	assert_int_equal(s->ngs, 34);
	/* "...additional frames elided..." is what Go <= 1.20 prints */
	assert_int_equal(s->go_minor, 20);
	g = with_func(s, "main.spawnerChild");
	assert_true(g->has_creator);
	assert_int_equal(g->parent_goid, 0);
	snap_free(s);
}

/* Printing what was read gives the text back (elision lines aside). */
static void test_rerender(void **state)
{
	static const char *const files[] = {
		FIX "goroutines-go1.27-debug2.txt",
		FIX "goroutines-go1.19-debug2.txt",
	};
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct strbuf want, got;
		struct snap *s;
		size_t len;
		char *text = slurp(files[i], &len), *line, *save;

		s = parse(files[i], NULL);
		strbuf_init(&want);
		strbuf_init(&got);
		for (line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			if (line[0] == '#' || !strncmp(line, "...", 3))
				continue;
			strbuf_adds(&want, line);
			strbuf_addc(&want, '\n');
		}
		fmt_go_dump(s, 0, &got);
		/* strtok_r dropped the empty lines of both. */
		{
			struct strbuf g2;
			char *l2, *s2;

			strbuf_init(&g2);
			for (l2 = strtok_r(got.buf, "\n", &s2); l2;
			     l2 = strtok_r(NULL, "\n", &s2)) {
				if (!strncmp(l2, "...", 3))
					continue;
				strbuf_adds(&g2, l2);
				strbuf_addc(&g2, '\n');
			}
			assert_string_equal(want.buf, g2.buf);
			strbuf_release(&g2);
		}
		strbuf_release(&want);
		strbuf_release(&got);
		free(text);
		snap_free(s);
	}
}

static void test_debug1_labels(void **state)
{
	const struct snap_goroutine *g;
	struct grouping gr;
	unsigned long long pc, off;
	char *text, *line, *end;
	struct snap *s;
	struct err w;
	size_t len;

	(void)state;
	s = parse(FIX "goroutines-go1.27-debug1.txt", &w);
	assert_int_equal(w.code, 0);
	/* 34 goroutines in 32 records: one entry per record, weighted. */
	assert_int_equal(snap_total(s), 34);
	assert_int_equal(s->ngs, 32);
	assert_int_equal(s->gs[0].goid, 0);
	assert_string_equal(s->gs[0].status_str, "unknown");
	g = with_func(s, "main.parkLabelled.func1");
	assert_int_equal(g->nlabels, 1);
	assert_string_equal(g->labels[0].key, "goscope");
	assert_string_equal(g->labels[0].value, "labelled");
	/* "#\t0x52c8c7\tmain.recvLeaf+0x47\t...": the call PC and its
	 * offset, as the fixture's line after the labels says; the return
	 * PC is one more. */
	text = slurp(FIX "goroutines-go1.27-debug1.txt", &len);
	line = strstr(text, "# labels: {\"goscope\":\"labelled\"}\n#\t");
	assert_non_null(line);
	line = strchr(line, '\t') + 1;
	pc = strtoull(line, &end, 16);
	line = strchr(end, '+');
	assert_non_null(line);
	off = strtoull(line + 1, NULL, 16);
	free(text);
	assert_int_equal(g->frames[0].pc - g->frames[0].lpc, 1);
	assert_int_equal(g->frames[0].lpc, pc);
	assert_int_equal(g->frames[0].lpc - g->frames[0].entry, off);
	assert_int_equal(g->frames[1].entry, g->frames[0].entry);
	group_snap(s, GROUP_LINES, 0, NULL, &gr);
	assert_int_equal(gr.ngroups, 32);
	assert_int_equal(gr.groups[0].count, 3);
	grouping_release(&gr);
	snap_free(s);
}

static void test_sigquit(void **state)
{
	struct snap *s;
	struct err w;
	size_t i, sys = 0;

	(void)state;
	s = parse(FIX "goroutines-go1.27-sigquit.txt", &w);
	assert_int_equal(w.code, 0);
	/* "goroutine 0 gp=0x... m=0 mp=0x... [idle]:" and runtime frames
	 * with "fp=... sp=... pc=..." */
	assert_int_equal(s->gs[0].goid, 0);
	assert_string_equal(s->gs[0].status_str, "idle");
	assert_non_null(strstr(s->gs[0].frames[0].file, "sys_linux_amd64.s"));
	assert_int_equal(s->gs[0].frames[0].pc, 0x21);
	for (i = 0; i < s->ngs; i++)
		sys += s->gs[i].system;
	assert_true(sys >= 3);
	snap_free(s);
}

static void test_panic(void **state)
{
	const struct snap_goroutine *g;
	struct snap *s;
	struct err w;

	(void)state;
	s = parse(FIX "leaky-go1.27-panic.txt", &w);
	assert_int_equal(w.code, 0);
	assert_int_equal(s->ngs, 17);
	assert_string_equal(s->gs[0].frames[0].func, "main.main");
	g = with_func(s, "main.leakOne");
	assert_string_equal(g->creator.func, "main.leaker");
	snap_free(s);
}

/* Cut anywhere: an error naming a line, or goroutines and a warning. */
static void test_truncated(void **state)
{
	size_t len, cut, ok = 0, bad = 0;
	char *text = slurp(FIX "goroutines-go1.27-debug2.txt", &len);

	(void)state;
	for (cut = 0; cut < len; cut += 37) {
		struct snap *s = NULL;
		struct err e, w;
		int r;

		err_init(&e);
		r = parse_go_dump(text, cut, &s, &w, &e);
		if (r < 0) {
			assert_int_equal(r, -EINVAL);
			assert_null(s);
			assert_memory_equal(e.msg, "line ", 5);
			bad++;
			continue;
		}
		assert_true(s->ngs > 0);
		if (w.code)
			assert_memory_equal(w.msg, "line ", 5);
		ok++;
		snap_free(s);
	}
	assert_true(ok > 100 && bad > 0);
	free(text);
}

static void test_malformed(void **state)
{
	static const char half[] = "goroutine 5 [chan receive]:\n"
				   "main.worker(...)\n";
	static const char orphan[] = "goroutine 5 [chan receive]:\n"
				     "\t/app/w.go:3 +0x10\n"
				     "main.worker(...)\n"
				     "\t/app/w.go:3 +0x10\n";
	static const char badhdr[] = "goroutine 5 [chan receive\n"
				     "main.worker(...)\n"
				     "\t/app/w.go:3 +0x10\n\n"
				     "goroutine 6 [select]:\n"
				     "main.f()\n\t/app/f.go:9 +0x1\n";
	struct snap *s = NULL;
	struct err e, w;

	(void)state;
	assert_int_equal(parse_go_dump(half, sizeof(half) - 1, &s, &w, &e),
			 0);
	assert_int_equal(s->ngs, 1);
	assert_string_equal(w.msg, "line 2: truncated: no file line follows");
	assert_string_equal(s->gs[0].unwind_error, "truncated dump");
	snap_free(s);
	assert_int_equal(parse_go_dump(orphan, sizeof(orphan) - 1, &s, &w,
				       &e), 0);
	assert_string_equal(w.msg, "line 2: file line without a function");
	assert_int_equal(s->gs[0].nframes, 1);
	snap_free(s);
	assert_int_equal(parse_go_dump(badhdr, sizeof(badhdr) - 1, &s, &w,
				       &e), 0);
	assert_int_equal(s->ngs, 1);
	assert_int_equal(s->gs[0].goid, 6);
	snap_free(s);
	s = NULL;
	assert_int_equal(parse_go_dump("hello\nworld\n", 12, &s, &w, &e),
			 -EINVAL);
	assert_null(s);
	assert_string_equal(e.msg, "line 2: no goroutine found (expected "
			    "'goroutine N [state]:' or 'goroutine profile: "
			    "total N')");
	assert_int_equal(parse_go_dump("", 0, &s, &w, &e), -EINVAL);
	assert_int_equal(parse_go_dump("goroutine profile: total 1\n"
				       "1 @ 0x1\n", 27 + 8, &s, &w, &e), 0);
	assert_string_equal(w.msg, "line 2: record without frames (and 1 "
			    "more problems)");
	snap_free(s);
}

/* Every header that cannot be read is counted in the warning. */
static void test_unreadable_headers(void **state)
{
	static const char neg[] = "goroutine 1 [running]:\nmain.main()\n"
				  "\t/x.go:1 +0x1\n\n"
				  "goroutine -1 [chan receive]:\nmain.f()\n"
				  "\t/x.go:2 +0x1\n\n"
				  "goroutine x [select]:\nmain.g()\n"
				  "\t/x.go:3 +0x1\n";
	struct snap *s = NULL;
	struct err e, w;

	(void)state;
	assert_int_equal(parse_go_dump(neg, sizeof(neg) - 1, &s, &w, &e), 0);
	assert_int_equal(s->ngs, 1);
	assert_string_equal(w.msg, "line 5: unreadable goroutine header "
			    "'goroutine -1 [chan receive]:': goroutine skipped "
			    "(and 1 more problems)");
	snap_free(s);
}

/* A 75-byte file claiming 16M goroutines is one weighted entry, and
 * every consumer counts it by its weight. */
static void test_debug1_weight(void **state)
{
	static const char amp[] = "goroutine profile: total 16777216\n"
				  "16777216 @ 0x1\n"
				  "#\t0x1\tmain.f+0x0\t/x.go:1\n";
	struct grouping gr;
	struct strbuf out;
	struct snap *s = NULL;
	struct err e, w;

	(void)state;
	assert_int_equal(parse_go_dump(amp, sizeof(amp) - 1, &s, &w, &e), 0);
	assert_int_equal(s->ngs, 1);
	assert_int_equal(s->gs[0].weight, 16777216);
	assert_int_equal(snap_total(s), 16777216);
	group_snap(s, GROUP_LINES, 0, NULL, &gr);
	assert_int_equal(gr.ngroups, 1);
	assert_int_equal(gr.groups[0].count, 16777216);
	assert_int_equal(gr.ngrouped, 16777216);
	grouping_release(&gr);
	strbuf_init(&out);
	fmt_go1_dump(s, &out);
	assert_non_null(strstr(out.buf, "goroutine profile: total 16777216\n"
				       "16777216 @ "));
	strbuf_release(&out);
	snap_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debug2_go127),
		cmocka_unit_test(test_debug2_go119),
		cmocka_unit_test(test_rerender),
		cmocka_unit_test(test_debug1_labels),
		cmocka_unit_test(test_debug1_weight),
		cmocka_unit_test(test_unreadable_headers),
		cmocka_unit_test(test_sigquit),
		cmocka_unit_test(test_panic),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
