/* Unit tests for lib/readfile.c, lib/utf8.c, lib/jstr.c and lib/parse.c. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/jstr.h"
#include "lib/parse.h"
#include "lib/readfile.h"
#include "lib/utf8.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

static char *write_tmp(const char *data, size_t len);
static void test_readfile_cap(void **state);
static void test_readfile_kinds(void **state);
static void test_utf8_decode(void **state);
static void test_utf8_clean(void **state);
static void test_jstr(void **state);
static void test_parse_duration(void **state);
static void test_parse_count(void **state);
static void test_parse_size(void **state);

/* A temporary file holding data; the caller unlinks and frees the path. */
static char *write_tmp(const char *data, size_t len)
{
	char *path = xstrdup("/tmp/t_libtext.XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

/* Exactly the cap is read; one byte more is -EFBIG, with the name. */
static void test_readfile_cap(void **state)
{
	char data[1000];
	struct strbuf sb;
	struct err e;
	char *path;

	(void)state;
	memset(data, 'x', sizeof(data));
	path = write_tmp(data, sizeof(data));
	strbuf_init(&sb);
	assert_int_equal(readfile_path(path, 1000, 0, &sb, NULL), 0);
	assert_int_equal(sb.len, 1000);
	assert_int_equal(sb.buf[1000], '\0');
	strbuf_reset(&sb);
	err_init(&e);
	assert_int_equal(readfile_path(path, 999, 0, &sb, &e), -EFBIG);
	assert_non_null(strstr(e.msg, path));
	assert_non_null(strstr(e.msg, "larger than 999 bytes"));
	strbuf_reset(&sb);
	assert_int_equal(readfile_path(path, 999, READFILE_REGULAR, &sb, &e),
			 -EFBIG);
	/* An empty file reads as an empty string. */
	assert_int_equal(truncate(path, 0), 0);
	strbuf_reset(&sb);
	assert_int_equal(readfile_path(path, 10, 0, &sb, NULL), 0);
	assert_int_equal(sb.len, 0);
	strbuf_release(&sb);
	unlink(path);
	free(path);
}

/* Missing files, directories and (with READFILE_REGULAR) FIFOs. */
static void test_readfile_kinds(void **state)
{
	char fifo[] = "/tmp/t_libtext.fifo.XXXXXX";
	struct strbuf sb;
	struct err e;
	int fd;

	(void)state;
	strbuf_init(&sb);
	err_init(&e);
	assert_int_equal(readfile_path("/nonexistent/x", 10, 0, &sb, &e),
			 -ENOENT);
	assert_string_equal(e.msg, "cannot open '/nonexistent/x': "
			    "no such file or directory");
	assert_int_equal(readfile_path("/tmp", 10, 0, &sb, &e), -EISDIR);
	assert_string_equal(e.msg, "'/tmp' is a directory");
	fd = mkstemp(fifo);
	assert_true(fd >= 0);
	close(fd);
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* Must not block waiting for a writer. */
	assert_int_equal(readfile_path(fifo, 10, READFILE_REGULAR, &sb, &e),
			 -EINVAL);
	assert_non_null(strstr(e.msg, "is not a regular file"));
	unlink(fifo);
	strbuf_release(&sb);
}

static void test_utf8_decode(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		uint32_t cp;
	} cases[] = {
		{ "A", 1, 'A' },
		{ "\xc3\xa9", 2, 0xe9 },
		{ "\xe2\x82\xac", 3, 0x20ac },
		{ "\xf0\x9f\x98\x80", 4, 0x1f600 },
		{ "\xf4\x8f\xbf\xbf", 4, 0x10ffff },
		{ "\xc0\x80", 0, 0 },		/* overlong NUL */
		{ "\xe0\x80\xaf", 0, 0 },	/* overlong '/' */
		{ "\xed\xa0\x80", 0, 0 },	/* surrogate */
		{ "\xf4\x90\x80\x80", 0, 0 },	/* above U+10FFFF */
		{ "\x80", 0, 0 },		/* lone continuation */
		{ "\xe2\x82", 0, 0 },		/* truncated */
		{ "\xe2\x41\x41", 0, 0 },	/* bad continuation */
		{ "\xff", 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t cp = 0;
		size_t n = utf8_decode((const unsigned char *)cases[i].s,
				       strlen(cases[i].s), &cp);

		assert_int_equal(n, cases[i].len);
		if (n)
			assert_int_equal(cp, cases[i].cp);
	}
}

/* Round trip of utf8_put, and cleaning of mixed input. */
static void test_utf8_clean(void **state)
{
	static const uint32_t cps[] = { 0x24, 0xa2, 0x939, 0x20ac, 0xd55c,
					0x10348, 0x10ffff };
	struct strbuf sb;
	size_t i;

	(void)state;
	strbuf_init(&sb);
	for (i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
		uint32_t cp;

		strbuf_reset(&sb);
		utf8_put(&sb, cps[i]);
		assert_int_equal(utf8_decode((unsigned char *)sb.buf, sb.len,
					     &cp), sb.len);
		assert_int_equal(cp, cps[i]);
	}
	strbuf_reset(&sb);
	utf8_clean(&sb, "a\xff" "b\xc3\xa9\xe2\x82", 7);
	assert_string_equal(sb.buf, "a" UTF8_REPLACEMENT "b\xc3\xa9"
			    UTF8_REPLACEMENT UTF8_REPLACEMENT);
	assert_true(utf8_valid(sb.buf, sb.len));
	assert_false(utf8_valid("a\xff", 2));
	assert_true(utf8_valid("", 0));
	strbuf_release(&sb);
}

static void test_jstr(void **state)
{
	json_t *o = json_object(), *v;
	char *text;

	(void)state;
	v = jstr(NULL);
	assert_true(json_is_null(v));
	json_decref(v);
	v = jstr("pl\xc3\xa4in");
	assert_string_equal(json_string_value(v), "pl\xc3\xa4in");
	json_decref(v);
	v = jstr("bad\xff\xfe");
	assert_string_equal(json_string_value(v),
			    "bad" UTF8_REPLACEMENT UTF8_REPLACEMENT);
	json_decref(v);
	assert_int_equal(jstr_set(o, "k\xff", jstr("v")), 0);
	assert_int_equal(jstr_set(o, "ok", jstr("\x80")), 0);
	text = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENSURE_ASCII);
	assert_string_equal(text, "{\"k\\uFFFD\":\"v\",\"ok\":\"\\uFFFD\"}");
	free(text);
	json_decref(o);
}

static void test_parse_duration(void **state)
{
	static const struct {
		const char *s;
		uint64_t ns;	/* 0: rejected */
	} cases[] = {
		{ "1s", 1000000000ull }, { "3", 3000000000ull },
		{ "500ms", 500000000ull }, { "1.5s", 1500000000ull },
		{ "2m", 120000000000ull }, { "1h", 3600000000000ull },
		{ "10ms", 10000000ull }, { "24h", 86400000000000ull },
		{ "9ms", 0 }, { "25h", 0 }, { "0", 0 }, { "-1s", 0 },
		{ "", 0 }, { "s", 0 }, { "1x", 0 }, { "1 s", 0 },
		{ " 1s", 0 }, { "nan", 0 }, { "inf", 0 }, { "1e400", 0 },
	};
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t ns = 7;
		int r;

		err_init(&e);
		r = parse_duration(cases[i].s, &ns, &e);
		if (cases[i].ns) {
			assert_int_equal(r, 0);
			assert_int_equal(ns, cases[i].ns);
		} else {
			assert_int_equal(r, -EINVAL);
			assert_int_equal(ns, 7);
			assert_non_null(strstr(e.msg, cases[i].s));
		}
	}
}

static void test_parse_size(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(parse_size("1048576", 1, UINT64_MAX, &v, NULL), 0);
	assert_int_equal(v, 1048576);
	assert_int_equal(parse_size("512M", 1, UINT64_MAX, &v, NULL), 0);
	assert_int_equal(v, 512ull << 20);
	assert_int_equal(parse_size("4g", 1, UINT64_MAX, &v, NULL), 0);
	assert_int_equal(v, 4ull << 30);
	assert_int_equal(parse_size("2T", 1, UINT64_MAX, &v, NULL), 0);
	assert_int_equal(v, 2ull << 40);
	assert_int_equal(parse_size("1K", 1, UINT64_MAX, &v, NULL), 0);
	assert_int_equal(v, 1024);
	/* Out of range, by the limits or by overflow. */
	assert_int_equal(parse_size("100K", 1u << 20, UINT64_MAX, &v, NULL),
			 -EINVAL);
	assert_int_equal(parse_size("17179869184G", 1, UINT64_MAX, &v, NULL),
			 -EINVAL);
	assert_int_equal(parse_size("99999999999999999999999", 1,
				    UINT64_MAX, &v, NULL), -EINVAL);
	assert_int_equal(parse_size("2G", 1, 1ull << 30, &v, NULL), -EINVAL);
	/* Not a size. */
	assert_int_equal(parse_size("", 1, UINT64_MAX, &v, NULL), -EINVAL);
	assert_int_equal(parse_size("M", 1, UINT64_MAX, &v, NULL), -EINVAL);
	assert_int_equal(parse_size("1MB", 1, UINT64_MAX, &v, NULL), -EINVAL);
	assert_int_equal(parse_size("1X", 1, UINT64_MAX, &v, NULL), -EINVAL);
	assert_int_equal(parse_size("-1G", 1, UINT64_MAX, &v, NULL), -EINVAL);
	assert_int_equal(parse_size("1.5G", 1, UINT64_MAX, &v, NULL), -EINVAL);
	assert_int_equal(v, 1024);
}

static void test_parse_count(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(parse_count("0", 10, &v, NULL), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_count("10", 10, &v, NULL), 0);
	assert_int_equal(v, 10);
	assert_int_equal(parse_count("11", 10, &v, NULL), -ERANGE);
	assert_int_equal(parse_count("99999999999999999999999", UINT64_MAX,
				     &v, NULL), -ERANGE);
	assert_int_equal(parse_count("", 10, &v, NULL), -EINVAL);
	assert_int_equal(parse_count("-1", 10, &v, NULL), -EINVAL);
	assert_int_equal(parse_count("+1", 10, &v, NULL), -EINVAL);
	assert_int_equal(parse_count("1 ", 10, &v, NULL), -EINVAL);
	assert_int_equal(parse_count("0x10", 100, &v, NULL), -EINVAL);
	assert_int_equal(v, 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readfile_cap),
		cmocka_unit_test(test_readfile_kinds),
		cmocka_unit_test(test_utf8_decode),
		cmocka_unit_test(test_utf8_clean),
		cmocka_unit_test(test_jstr),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_parse_count),
		cmocka_unit_test(test_parse_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
