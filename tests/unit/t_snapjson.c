/* Unit tests for the JSON snapshot: dump, read back, dump the same bytes. */
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
#include "format/fmt_json.h"
#include "capture/load.h"
#include "format/parse_json.h"
#include "tests/unit/snapfix.h"
#include "lib/banned.h"

static struct snap *full_snap(void);
static char *dump(const struct snap *s);
static struct snap *read_back(const char *text);
static void assert_bad(const char *text, const char *want);
static void test_roundtrip_every_field(void **state);
static void test_roundtrip_fixtures(void **state);
static void test_text_dump_from_json(void **state);
static void test_errors(void **state);

/* Every field that the JSON carries set to something unusual. */
static struct snap *full_snap(void)
{
	struct snap *s = snap_new();
	const struct fr st[] = {
		{ "runtime.gopark", "/go/proc.go", 435, 0xce },
		{ "main.leaf", "/app/x.go", 3, 0 },
		{ "main.(*T[...]).run", "/app/x.go", 9, 0x40 },
		{ NULL, NULL, 0, 0 },
	};
	const struct fr site = { "main.main", "/app/main.go", 20, 0x5f };
	size_t k;

	s->pid = 4242;
	s->start_time = 1699990000;
	s->exe = xstrdup("/srv/api (deleted)");
	s->go_version = xstrdup("go1.23.5");
	s->go_minor = 23;
	s->main_module = snap_intern(s, "example.com/api");
	s->layout_source = xstrdup("DWARF");
	s->time_unix_ns = 1700000000123456789ll;
	s->pause_ns = 1234567;
	s->capture_ns = 7654321;
	s->nallg = 9;
	s->bytes_copied = 65536;
	s->two_phase = 1;
	s->nstops = 1;
	s->stops[0] = (struct snap_stop){
		.pause_ns = 1234567, .threads_ns = 2, .registry_ns = 3,
		.other_ns = 4, .goroutines = 5, .stacks = 6, .bytes = 7,
		.allgs_ns = 8, .gs_ns = 9, .ms_ns = 10, .decode_ns = 11,
		.stacks_ns = 12, .waits_ns = 13, .hook_ns = 14,
		.resume_ns = 15, .cpu_ns = 16, .faults = 17, .ranges = 18,
		.read_calls = 19,
	};
	s->stacks_after = 20;
	s->threads = xcalloc(2, sizeof(*s->threads));
	s->threads[0].tid = 4242;
	s->threads[0].stopped = 1;
	s->threads[0].pc = 0x4567;
	s->threads[0].sp = 0x7ffc0000;
	s->threads[0].m_id = 0;
	s->threads[0].curg_goid = 1;
	s->threads[1].tid = 4243;
	s->threads[1].stopped = 1;
	s->threads[1].m_id = -1;
	s->nthreads = 2;
	fx_add(s, 1, "running", st, NULL);
	s->gs[0].tid = 4242;
	s->gs[0].locked = 1;
	s->gs[0].scan = 1;
	s->gs[0].start_func = snap_intern(s, "runtime.main");
	k = fx_add(s, 7, "chan receive", st, &site);
	s->gs[k].wait_ns = 123456789012ll;
	s->gs[k].waitsince = 99;
	s->gs[k].labels = xcalloc(2, sizeof(struct snap_label));
	s->gs[k].labels[0].key = snap_intern(s, "route");
	s->gs[k].labels[0].value = snap_intern(s, "/a \"b\"\n\xc3\xa9");
	s->gs[k].labels[1].key = snap_intern(s, "id");
	s->gs[k].labels[1].value = snap_intern(s, "7");
	s->gs[k].nlabels = 2;
	s->gs[k].parent_goid = 1;
	s->gs[k].frames[0].flags |= SNAP_FRAME_WRAPPER;
	s->gs[k].frames[0].args = snap_strdup(s, "0x1, {0x2, 0x3}", 16);
	s->gs[k].frames[2].args = snap_strdup(s, "", 0);
	/* Seen by goscope 60 s before this capture, born after 70 s. */
	s->gs[k].first_seen_ns = s->time_unix_ns - 60000000000ll;
	s->gs[k].born_after_ns = s->time_unix_ns - 70000000000ll;
	k = fx_add(s, 8, "GC worker (idle)", st, NULL);
	/* First seen now: no age cell. */
	s->gs[k].first_seen_ns = s->time_unix_ns;
	s->gs[k].system = 1;
	s->gs[k].unwind_error = snap_intern(s, "stack not readable");
	s->gs[k].frames[2].flags = SNAP_FRAME_UNKNOWN;
	s->gs[k].frames[2].lpc = 0;
	k = fx_add(s, 9, "sleep", NULL, NULL);
	s->gs[k].status = SNAP_LEAKED;
	s->gs[k].status_str = snap_intern(s, "sleep");
	return s;
}

static char *dump(const struct snap *s)
{
	struct strbuf sb;

	strbuf_init(&sb);
	fmt_json_snapshot(s, &sb);
	return strbuf_detach(&sb, NULL);
}

static struct snap *read_back(const char *text)
{
	struct snap *s = NULL;
	struct err e;

	err_init(&e);
	if (parse_json_snapshot(text, strlen(text), &s, &e) < 0)
		fail_msg("parse_json_snapshot: %s", e.msg);
	return s;
}

static void assert_bad(const char *text, const char *want)
{
	struct snap *s = NULL;
	struct err e;

	err_init(&e);
	assert_int_equal(parse_json_snapshot(text, strlen(text), &s, &e),
			 -EINVAL);
	assert_null(s);
	if (!strstr(e.msg, want))
		fail_msg("error '%s' lacks '%s'", e.msg, want);
}

static void test_roundtrip_every_field(void **state)
{
	struct snap *s = full_snap(), *r;
	char *a, *b;

	(void)state;
	a = dump(s);
	r = read_back(a);
	b = dump(r);
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "\"schema\":\"goscope.snapshot/2\""));
	assert_int_equal(r->pid, 4242);
	assert_int_equal(r->go_minor, 23);
	assert_int_equal(r->nstops, 1);
	assert_int_equal(r->stops[0].read_calls, 19);
	assert_int_equal(r->stops[0].allgs_ns, 8);
	assert_string_equal(r->main_module, "example.com/api");
	assert_int_equal(r->ngs, 4);
	assert_int_equal(r->gs[1].wait_ns, 123456789012ll);
	assert_int_equal(r->gs[1].parent_goid, 1);
	assert_int_equal(r->gs[1].nlabels, 2);
	assert_string_equal(r->gs[1].labels[0].value, "/a \"b\"\n\xc3\xa9");
	assert_int_equal(r->gs[1].creator.pc - r->gs[1].creator.entry, 0x5f);
	assert_int_equal(r->gs[1].nframes, 3);
	assert_true(r->gs[1].frames[1].inlined);
	assert_int_equal(r->gs[1].frames[2].phys, 1);
	assert_int_equal(r->gs[1].nphys, 2);
	/* Arguments per frame of each goroutine, not per shared frame. */
	assert_string_equal(r->gs[1].frames[0].args, "0x1, {0x2, 0x3}");
	assert_null(r->gs[1].frames[1].args);
	assert_string_equal(r->gs[1].frames[2].args, "");
	assert_null(r->gs[0].frames[0].args);
	assert_int_equal(r->gs[0].tid, 4242);
	assert_true(r->gs[0].scan);
	assert_true(r->gs[2].system);
	assert_int_equal(r->gs[3].status, SNAP_LEAKED);
	/* Honest ages and the process's start time survive the file. */
	assert_int_equal(r->start_time, 1699990000);
	assert_int_equal(r->gs[1].first_seen_ns,
			 1700000000123456789ll - 60000000000ll);
	assert_int_equal(r->gs[1].born_after_ns,
			 1700000000123456789ll - 70000000000ll);
	assert_int_equal(r->gs[2].first_seen_ns, 0);
	assert_int_equal(r->gs[0].first_seen_ns, 0);
	assert_non_null(strstr(a, ",\"\"],{\"first_seen\":"
				  "1699999940123456789,\"born_after\":"
				  "1699999930123456789}]"));
	assert_non_null(strstr(a, "\"wait_stamped\":true,"
				  "\"wait_approximate\":true"));
	assert_int_equal(r->nthreads, 2);
	assert_int_equal(r->threads[1].m_id, -1);
	assert_int_equal(r->threads[0].curg_goid, 1);
	/* The runtime's text from the file equals the one from memory. */
	{
		struct strbuf x, y;

		strbuf_init(&x);
		strbuf_init(&y);
		fmt_go_dump(s, FMT_GO_ALL, &x);
		fmt_go_dump(r, FMT_GO_ALL, &y);
		assert_string_equal(x.buf, y.buf);
		strbuf_release(&x);
		strbuf_release(&y);
	}
	free(a);
	free(b);
	snap_free(s);
	snap_free(r);
}

/* Real dumps, read as text, through the JSON and back. */
static void test_roundtrip_fixtures(void **state)
{
	static const char *const files[] = {
		"tests/fixtures/goroutines-go1.27-debug2.txt",
		"tests/fixtures/goroutines-go1.19-debug2.txt",
		"tests/fixtures/goroutines-go1.27-debug1.txt",
		"tests/fixtures/goroutines-go1.27-sigquit.txt",
		"tests/fixtures/leaky-go1.27-panic.txt",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct snap *s, *r;
		struct err e;
		char *a, *b;

		err_init(&e);
		if (load_file(files[i], &s, NULL, &e) < 0)
			fail_msg("%s", e.msg);
		a = dump(s);
		r = read_back(a);
		b = dump(r);
		assert_string_equal(a, b);
		free(a);
		free(b);
		snap_free(s);
		snap_free(r);
	}
}

static void test_text_dump_from_json(void **state)
{
	struct snap *s = full_snap(), *r;
	struct strbuf x;
	char *a;

	(void)state;
	a = dump(s);
	r = read_back(a);
	strbuf_init(&x);
	fmt_go_dump(r, 0, &x);
	assert_non_null(strstr(x.buf, "goroutine 7 [chan receive, 2 minutes]:"
				      "\nmain.leaf(...)\n\t/app/x.go:3\n"));
	assert_non_null(strstr(x.buf, "created by main.main in goroutine 1\n"
				      "\t/app/main.go:20 +0x5f\n"));
	strbuf_release(&x);
	free(a);
	snap_free(s);
	snap_free(r);
}

static void test_errors(void **state)
{
	(void)state;
	assert_bad("{\"schema\": \"goscope.snapshot/2\",\n  \"capture\": {,}",
		   "line 2, column 15:");
	assert_bad("[]", "expected a JSON object");
	assert_bad("{}", "schema is '(none)'");
	assert_bad("{\"schema\":\"goscope.snapshot/1\"}",
		   "schema is 'goscope.snapshot/1', expected "
		   "'goscope.snapshot/2'");
	assert_bad("{\"schema\":\"goscope.snapshot/2\"}", "missing \"capture\"");
	{
		struct snap *s = full_snap();
		char *a = dump(s), *p;

		/* A stack that names a frame that does not exist. */
		p = strstr(a, "\"stacks\":[[");
		assert_non_null(p);
		p[11] = '9';
		assert_bad(a, "stacks[0]: frame index 0 out of range");
		free(a);
		a = dump(s);
		p = strstr(a, "\"goroutines\":[[1,");
		assert_non_null(p);
		p[17] = '7';
		assert_bad(a, "goroutines[0]: expected [id, shape, wait_ns, "
			   "parent] with a valid shape index");
		free(a);
		a = dump(s);
		p = strstr(a, ",[\"0x1, {0x2, 0x3}\",null,\"\"],");
		assert_non_null(p);
		memcpy(p + 20, "7   ", 4);
		assert_bad(a, "goroutines[1]: expected one argument string "
			   "per frame");
		free(a);
		a = dump(s);
		p = strstr(a, "{\"first_seen\":1699999940123456789,"
			      "\"born_after\":16");
		assert_non_null(p);
		p[48] = '9';
		assert_bad(a, "goroutines[1]: born_after is not before "
			   "first_seen");
		free(a);
		a = dump(s);
		p = strstr(a, "{\"first_seen\":16");
		memcpy(p + 14, "\"x\"", 3);
		memset(p + 17, ' ', 16);
		assert_bad(a, "goroutines[1]: \"first_seen\" has the wrong "
			   "type");
		free(a);
		a = dump(s);
		p = strstr(a, "\"pc\":\"0x");
		p[6] = 'z';
		assert_bad(a, "threads[0]: \"pc\" is not a hex number");
		free(a);
		snap_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_every_field),
		cmocka_unit_test(test_roundtrip_fixtures),
		cmocka_unit_test(test_text_dump_from_json),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
