/* Unit tests for buildinfo/modinfo.c: Go module info text and quoting. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buildinfo/modinfo.h"
#include "lib/strbuf.h"
#include "lib/banned.h"

/*
 * What Go 1.19's debug.BuildInfo.String() writes for a build with a
 * replaced main module and a replaced dependency (note the empty line
 * after each "=>" line, and no sum on a replaced module's own line).
 * debug.ParseBuildInfo(TEXT).String() == TEXT in Go.
 */
#define TEXT \
	"path\texample.com/app/cmd/app\n" \
	"mod\texample.com/app\t(devel)\n" \
	"=>\t../app\t\t\n" \
	"\n" \
	"dep\tgithub.com/google/uuid\tv1.3.0\t" \
	"h1:t6JiXgmwXMjEs8VusXIJk2BXHsn+wx8BZdTaoZ5fu7I=\n" \
	"dep\tgolang.org/x/sys\tv0.5.0\n" \
	"=>\tgithub.com/fork/sys\tv0.5.1-0.20230101000000-abcdef123456\t" \
	"h1:AbCd=\n" \
	"\n" \
	"dep\tgopkg.in/yaml.v3\tv3.0.1\t" \
	"h1:fxVm/GzAzEWqLHuvctI91KS9hhNmmWOoWu0XTYJS7CA=\n" \
	"build\t-buildmode=exe\n" \
	"build\t-compiler=gc\n" \
	"build\t-ldflags=\"-s -w -X \\\"main.v=1 2\\\"\"\n" \
	"build\tCGO_ENABLED=1\n" \
	"build\tCGO_CFLAGS=\n" \
	"build\t\"GO FLAGS\"=\"-mod=vendor -trimpath\"\n" \
	"build\t\"a=b\"=c\n" \
	"build\tGOARCH=amd64\n" \
	"build\tGOOS=linux\n" \
	"build\tvcs=git\n" \
	"build\tvcs.revision=0123456789abcdef0123456789abcdef01234567\n" \
	"build\tvcs.time=2023-01-02T03:04:05Z\n" \
	"build\tvcs.modified=true\n"

#define PFX "could not parse Go build info: "

static void assert_module(const struct modinfo_module *m, const char *path,
			  const char *version, const char *sum);
static char *reformat(const char *text);
static void assert_reformat(const char *text, const char *want);
static void assert_parse_error(const char *text, const char *want);
static void assert_unquote(const char *in, const char *want);
static void assert_quote(const char *in, const char *want);

static void assert_module(const struct modinfo_module *m, const char *path,
			  const char *version, const char *sum)
{
	assert_non_null(m->path);
	assert_string_equal(m->path, path);
	assert_string_equal(m->version, version);
	assert_string_equal(m->sum, sum);
}

/* Parses text, formats it and returns the result (caller frees). */
static char *reformat(const char *text)
{
	struct modinfo mi;
	struct strbuf sb;
	struct err e;

	err_init(&e);
	assert_int_equal(modinfo_parse(text, &mi, &e), 0);
	strbuf_init(&sb);
	modinfo_format(&mi, &sb);
	modinfo_release(&mi);
	return strbuf_detach(&sb, NULL);
}

static void assert_reformat(const char *text, const char *want)
{
	char *got = reformat(text);

	assert_string_equal(got, want);
	free(got);
}

static void assert_parse_error(const char *text, const char *want)
{
	struct modinfo mi;
	struct err e;

	err_init(&e);
	assert_int_equal(modinfo_parse(text, &mi, &e), -EINVAL);
	assert_int_equal(e.code, EINVAL);
	assert_string_equal(e.msg, want);
	modinfo_release(&mi);
	assert_null(mi.path);
	assert_null(mi.deps);
	assert_int_equal(mi.ndeps, 0);
	assert_null(mi.settings);
	assert_int_equal(mi.nsettings, 0);
}

static void test_parse_realistic(void **state)
{
	const struct modinfo_module *d;
	struct modinfo mi;
	struct err e;

	(void)state;
	err_init(&e);
	assert_int_equal(modinfo_parse(TEXT, &mi, &e), 0);
	assert_int_equal(e.code, 0);
	assert_null(mi.go_version);
	assert_string_equal(mi.path, "example.com/app/cmd/app");

	assert_true(mi.has_main);
	assert_module(&mi.main, "example.com/app", "(devel)", "");
	assert_non_null(mi.main.replace);
	assert_module(mi.main.replace, "../app", "", "");
	assert_null(mi.main.replace->replace);

	assert_int_equal(mi.ndeps, 3);
	d = mi.deps;
	assert_module(&d[0], "github.com/google/uuid", "v1.3.0",
		      "h1:t6JiXgmwXMjEs8VusXIJk2BXHsn+wx8BZdTaoZ5fu7I=");
	assert_null(d[0].replace);
	assert_module(&d[1], "golang.org/x/sys", "v0.5.0", "");
	assert_non_null(d[1].replace);
	assert_module(d[1].replace, "github.com/fork/sys",
		      "v0.5.1-0.20230101000000-abcdef123456", "h1:AbCd=");
	assert_module(&d[2], "gopkg.in/yaml.v3", "v3.0.1",
		      "h1:fxVm/GzAzEWqLHuvctI91KS9hhNmmWOoWu0XTYJS7CA=");
	assert_null(d[2].replace);

	assert_int_equal(mi.nsettings, 13);
	assert_string_equal(mi.settings[0].key, "-buildmode");
	assert_string_equal(mi.settings[0].value, "exe");
	assert_string_equal(mi.settings[2].key, "-ldflags");
	assert_string_equal(mi.settings[2].value, "-s -w -X \"main.v=1 2\"");
	assert_string_equal(mi.settings[2].raw_key, "-ldflags");
	assert_string_equal(mi.settings[2].raw_value,
			    "\"-s -w -X \\\"main.v=1 2\\\"\"");
	assert_string_equal(mi.settings[4].key, "CGO_CFLAGS");
	assert_string_equal(mi.settings[4].value, "");
	assert_string_equal(mi.settings[5].key, "GO FLAGS");
	assert_string_equal(mi.settings[5].raw_key, "\"GO FLAGS\"");
	assert_string_equal(mi.settings[5].value, "-mod=vendor -trimpath");
	assert_string_equal(mi.settings[6].key, "a=b");
	assert_string_equal(mi.settings[6].raw_key, "\"a=b\"");
	assert_string_equal(mi.settings[6].value, "c");
	assert_string_equal(mi.settings[6].raw_value, "c");
	assert_string_equal(mi.settings[12].key, "vcs.modified");
	assert_string_equal(mi.settings[12].value, "true");
	modinfo_release(&mi);
	assert_null(mi.path);
	assert_null(mi.settings);
	assert_int_equal(mi.has_main, 0);
}

static void test_setting_lookup(void **state)
{
	struct modinfo mi;

	(void)state;
	assert_int_equal(modinfo_parse(TEXT, &mi, NULL), 0);
	assert_string_equal(modinfo_setting(&mi, "-ldflags"),
			    "-s -w -X \"main.v=1 2\"");
	assert_string_equal(modinfo_setting(&mi, "GO FLAGS"),
			    "-mod=vendor -trimpath");
	assert_string_equal(modinfo_setting(&mi, "a=b"), "c");
	assert_string_equal(modinfo_setting(&mi, "CGO_CFLAGS"), "");
	assert_string_equal(modinfo_setting(&mi, "vcs.revision"),
			    "0123456789abcdef0123456789abcdef01234567");
	assert_string_equal(modinfo_setting(&mi, "GOOS"), "linux");
	/* Keys are matched exactly and unquoted. */
	assert_null(modinfo_setting(&mi, "\"GO FLAGS\""));
	assert_null(modinfo_setting(&mi, "goos"));
	assert_null(modinfo_setting(&mi, "vcs.rev"));
	assert_null(modinfo_setting(&mi, ""));
	assert_null(modinfo_setting(&mi, "GOARM"));
	modinfo_release(&mi);
}

static void test_roundtrip_realistic(void **state)
{
	(void)state;
	assert_reformat(TEXT, TEXT);
}

static void test_format_appends(void **state)
{
	struct modinfo mi;
	struct strbuf sb;

	(void)state;
	assert_int_equal(modinfo_parse("path\tp\nbuild\tk=v\n", &mi, NULL), 0);
	strbuf_init(&sb);
	strbuf_adds(&sb, "before\n");
	modinfo_format(&mi, &sb);
	assert_string_equal(sb.buf, "before\npath\tp\nbuild\tk=v\n");
	assert_int_equal(sb.len, strlen(sb.buf));
	strbuf_release(&sb);
	modinfo_release(&mi);
}

/* Values are re-quoted only when they must be, as Go does. */
static void test_format_normalises(void **state)
{
	(void)state;
	/* Backquoted forms come back "..." or bare. */
	assert_reformat("build\tk=`x y`\n", "build\tk=\"x y\"\n");
	assert_reformat("build\tk=`xy`\n", "build\tk=xy\n");
	assert_reformat("build\t`a`=`b`\n", "build\ta=b\n");
	assert_reformat("build\t`a b`=1\n", "build\t\"a b\"=1\n");
	assert_reformat("build\tk=`a\"b`\n", "build\tk=\"a\\\"b\"\n");
	assert_reformat("build\tk=\"abc\"\n", "build\tk=abc\n");
	assert_reformat("build\t\"k\"=v\n", "build\tk=v\n");
	assert_reformat("build\tk=\"\"\n", "build\tk=\n");
	assert_reformat("build\tk==\n", "build\tk==\n");
	assert_reformat("build\t\"\"=x\n", "build\t\"\"=x\n");
	assert_reformat("build\t\"k\\\"\"=1\n", "build\t\"k\\\"\"=1\n");
	/*
	 * A stored "..." is kept as is: Go escapes U+2028, which go_quote
	 * would not, so re-quoting would change the text.
	 */
	assert_reformat("build\tk=\"a\\u2028 b\"\n",
			"build\tk=\"a\\u2028 b\"\n");
}

static void test_format_modules(void **state)
{
	(void)state;
	/* The sum of a replaced module is not written, as in Go. */
	assert_reformat("dep\ta\tv1\th1:x\n=>\tb\tv2\th1:y\n",
			"dep\ta\tv1\n=>\tb\tv2\th1:y\n\n");
	/* Two columns: the sum is "" and the tab stays. */
	assert_reformat("dep\ta\tv1\n", "dep\ta\tv1\t\n");
	assert_reformat("mod\tm\t(devel)\t\n", "mod\tm\t(devel)\t\n");
	/* An all-empty main module is not printed (Main == Module{}). */
	assert_reformat("path\tp\nmod\t\t\n", "path\tp\n");
	assert_reformat("mod\t\t\t\n=>\tx\tv\ts\n",
			"mod\t\t\n=>\tx\tv\ts\n\n");
	/* The order is fixed: go, path, mod, deps, build. */
	assert_reformat("build\tk=v\ndep\td\tv\ts\nmod\tm\tv\ts\npath\tp\n"
			"go\tgo1.21.0\n",
			"go\tgo1.21.0\npath\tp\nmod\tm\tv\ts\ndep\td\tv\ts\n"
			"build\tk=v\n");
	assert_reformat("", "");
	assert_reformat("junk\n\n", "");
}

static void test_parse_go_line(void **state)
{
	struct modinfo mi;

	(void)state;
	assert_int_equal(modinfo_parse("go\tgo1.21.0\npath\tp\n", &mi, NULL),
			 0);
	assert_string_equal(mi.go_version, "go1.21.0");
	assert_string_equal(mi.path, "p");
	assert_false(mi.has_main);
	modinfo_release(&mi);
	assert_null(mi.go_version);
}

static void test_parse_last_line_without_newline(void **state)
{
	struct modinfo mi;
	struct err e;

	(void)state;
	err_init(&e);
	/* Even a malformed last line is ignored when it lacks '\n'. */
	assert_int_equal(modinfo_parse("path\tp\nbuild\tbad", &mi, &e), 0);
	assert_string_equal(mi.path, "p");
	assert_int_equal(mi.nsettings, 0);
	modinfo_release(&mi);

	assert_int_equal(modinfo_parse("path\tp", &mi, &e), 0);
	assert_null(mi.path);
	modinfo_release(&mi);

	assert_int_equal(modinfo_parse("mod\ta\tb\n=>\tx\ty\tz", &mi, &e), 0);
	assert_true(mi.has_main);
	assert_module(&mi.main, "a", "b", "");
	assert_null(mi.main.replace);
	modinfo_release(&mi);

	assert_int_equal(modinfo_parse("dep\ta\tv1\ts\ndep\tb\tv2\ts", &mi,
				       &e), 0);
	assert_int_equal(mi.ndeps, 1);
	assert_module(&mi.deps[0], "a", "v1", "s");
	modinfo_release(&mi);
	assert_int_equal(e.code, 0);
}

static void test_parse_empty_and_unknown(void **state)
{
	struct modinfo mi;

	(void)state;
	assert_int_equal(modinfo_parse("", &mi, NULL), 0);
	assert_null(mi.path);
	assert_false(mi.has_main);
	assert_int_equal(mi.ndeps, 0);
	assert_int_equal(mi.nsettings, 0);
	modinfo_release(&mi);

	/* Unknown lines, wrong-case keywords, missing tabs: ignored. */
	assert_int_equal(modinfo_parse("\n\nfoo\tbar\nPath\tx\npath x\n"
				       "mod x\ndep\n=>\nbuild x=y\n"
				       "path\tlast\n\n", &mi, NULL), 0);
	assert_string_equal(mi.path, "last");
	assert_false(mi.has_main);
	assert_int_equal(mi.ndeps, 0);
	assert_int_equal(mi.nsettings, 0);
	modinfo_release(&mi);

	/* Later path lines win; "\r" is kept, as Go keeps it. */
	assert_int_equal(modinfo_parse("path\ta\npath\t\npath\tb\r\n", &mi,
				       NULL), 0);
	assert_string_equal(mi.path, "b\r");
	modinfo_release(&mi);
}

/* A later "mod" line replaces the main module and its replacement. */
static void test_parse_mod_twice(void **state)
{
	struct modinfo mi;

	(void)state;
	assert_int_equal(modinfo_parse("mod\ta\tv1\n=>\tb\tv2\ts\n"
				       "mod\tc\tv3\th\n", &mi, NULL), 0);
	assert_module(&mi.main, "c", "v3", "h");
	assert_null(mi.main.replace);
	modinfo_release(&mi);
}

/* Many deps: the array moves while "=>" lines point into it. */
static void test_parse_many_deps(void **state)
{
	struct modinfo mi;
	struct strbuf sb;
	char *out;
	size_t i;

	(void)state;
	strbuf_init(&sb);
	for (i = 0; i < 1000; i++) {
		strbuf_addf(&sb, "dep\tm%zu\tv%zu", i, i);
		if (i % 3 == 0)
			strbuf_addf(&sb, "\n=>\tr%zu\tw%zu\ts%zu\n\n", i, i, i);
		else
			strbuf_addf(&sb, "\th%zu\n", i);
	}
	assert_int_equal(modinfo_parse(sb.buf, &mi, NULL), 0);
	assert_int_equal(mi.ndeps, 1000);
	for (i = 0; i < 1000; i++) {
		char p[32], v[32], s[32];

		snprintf(p, sizeof(p), "m%zu", i);
		snprintf(v, sizeof(v), "v%zu", i);
		if (i % 3 == 0) {
			assert_module(&mi.deps[i], p, v, "");
			assert_non_null(mi.deps[i].replace);
			snprintf(p, sizeof(p), "r%zu", i);
			snprintf(v, sizeof(v), "w%zu", i);
			snprintf(s, sizeof(s), "s%zu", i);
			assert_module(mi.deps[i].replace, p, v, s);
		} else {
			snprintf(s, sizeof(s), "h%zu", i);
			assert_module(&mi.deps[i], p, v, s);
			assert_null(mi.deps[i].replace);
		}
	}
	modinfo_release(&mi);
	out = reformat(sb.buf);
	assert_string_equal(out, sb.buf);
	free(out);
	strbuf_release(&sb);
}

static void test_parse_errors_modules(void **state)
{
	(void)state;
	assert_parse_error("path\tp\nmod\tp\n",
			   PFX "line 2: expected 2 or 3 columns; got 1");
	/* Empty and unknown lines count. */
	assert_parse_error("path\tp\n\nfoo\n# x\ndep\ta\tb\tc\td\n",
			   PFX "line 5: expected 2 or 3 columns; got 4");
	assert_parse_error("mod\ta\n", PFX "line 1: expected 2 or 3 columns; "
			   "got 1");
	assert_parse_error("dep\ta\n", PFX "line 1: expected 2 or 3 columns; "
			   "got 1");
	assert_parse_error("mod\ta\tb\tc\t\n",
			   PFX "line 1: expected 2 or 3 columns; got 4");
	assert_parse_error("dep\ta\tb\tc\n\n\n\n\n\n\n\n\ndep\n"
			   "dep\t\t\t\t\t\t\n",
			   PFX "line 11: expected 2 or 3 columns; got 6");
	assert_parse_error("=>\ta\tb\tc\n",
			   PFX "line 1: replacement with no module on "
			   "previous line");
	assert_parse_error("mod\ta\tb\n=>\ta\tb\n",
			   PFX "line 2: expected 3 columns for replacement; "
			   "got 2");
	assert_parse_error("mod\ta\tb\n=>\ta\tb\tc\td\n",
			   PFX "line 2: expected 3 columns for replacement; "
			   "got 4");
	/* The column count is checked before the module. */
	assert_parse_error("=>\ta\n",
			   PFX "line 1: expected 3 columns for replacement; "
			   "got 1");
	/* A replacement ends the module: no second one. */
	assert_parse_error("mod\ta\tb\n=>\ta\tb\tc\n=>\td\te\tf\n",
			   PFX "line 3: replacement with no module on "
			   "previous line");
	assert_parse_error("path\tp\n=>\ta\tb\tc\n",
			   PFX "line 2: replacement with no module on "
			   "previous line");
}

static void test_parse_errors_build(void **state)
{
	(void)state;
	assert_parse_error("build\t\n", PFX "line 1: build line missing '='");
	assert_parse_error("build\t=v\n",
			   PFX "line 1: build line with missing key");
	assert_parse_error("build\t\"abc\n",
			   PFX "line 1: invalid quoted key in build line");
	assert_parse_error("build\t\"\\q\"=1\n",
			   PFX "line 1: invalid quoted key in build line");
	assert_parse_error("build\t`abc\n",
			   PFX "line 1: invalid quoted key in build line");
	/* The newline ends the line, and with it the quoted key. */
	assert_parse_error("build\t\"a\nb\"=1\n",
			   PFX "line 1: invalid quoted key in build line");
	assert_parse_error("build\t\"abc\"\n",
			   PFX "line 1: build line missing '=' after "
			   "quoted key");
	assert_parse_error("build\t\"a\"x=1\n",
			   PFX "line 1: unexpected character after quoted "
			   "key");
	assert_parse_error("build\tkey\n",
			   PFX "line 1: build line missing '=' after key");
	assert_parse_error("build\tk v=1\n",
			   PFX "line 1: unquoted key must be quoted");
	assert_parse_error("build\tk`=1\n",
			   PFX "line 1: unquoted key must be quoted");
	assert_parse_error("build\tk=a b\n",
			   PFX "line 1: unquoted value must be quoted");
	assert_parse_error("build\tk=a\tb\n",
			   PFX "line 1: unquoted value must be quoted");
	assert_parse_error("build\tk=a\rb\n",
			   PFX "line 1: unquoted value must be quoted");
	assert_parse_error("build\tk=\"unterminated\n",
			   PFX "line 1: invalid quoted value in build line");
	assert_parse_error("build\tk=\"a\"b\n",
			   PFX "line 1: invalid quoted value in build line");
	assert_parse_error("build\tk=\"\\q\"\n",
			   PFX "line 1: invalid quoted value in build line");
	assert_parse_error("build\tk=`a\n",
			   PFX "line 1: invalid quoted value in build line");
	/* Good lines before the bad one are counted. */
	assert_parse_error("path\tp\nmod\tm\tv\ts\nbuild\tA=1\nbuild\tB=2 3\n",
			   PFX "line 4: unquoted value must be quoted");
	assert_parse_error(TEXT "build\tbad\n",
			   PFX "line 23: build line missing '=' after key");
}

/* A failed parse may be released (and keeps no half-built module). */
static void test_parse_error_release(void **state)
{
	struct modinfo mi;
	struct err e;

	(void)state;
	err_init(&e);
	assert_int_equal(modinfo_parse("path\tp\nmod\ta\tb\n=>\tc\td\te\n"
				       "dep\tx\ty\nbuild\tk=v\ndep\tz\n",
				       &mi, &e), -EINVAL);
	assert_string_equal(e.msg, PFX "line 6: expected 2 or 3 columns; "
			    "got 1");
	modinfo_release(&mi);
	assert_null(mi.path);
	assert_null(mi.main.replace);
	assert_null(mi.deps);
	/* A NULL err is allowed. */
	assert_int_equal(modinfo_parse("build\t=\n", &mi, NULL), -EINVAL);
	modinfo_release(&mi);
}

static void test_parse_build_forms(void **state)
{
	struct modinfo mi;

	(void)state;
	assert_int_equal(modinfo_parse("build\t`a`=`b`\n"
				       "build\t\"\"=x\n"
				       "build\tk==\n"
				       "build\t\"k\\\"\"=1\n"
				       "build\tq=\"\\t\\x41\\u00e9\"\n"
				       "build\te=\n", &mi, NULL), 0);
	assert_int_equal(mi.nsettings, 6);
	assert_string_equal(mi.settings[0].key, "a");
	assert_string_equal(mi.settings[0].value, "b");
	assert_string_equal(mi.settings[0].raw_key, "`a`");
	assert_string_equal(mi.settings[0].raw_value, "`b`");
	assert_string_equal(mi.settings[1].key, "");
	assert_string_equal(mi.settings[1].value, "x");
	assert_string_equal(mi.settings[2].key, "k");
	assert_string_equal(mi.settings[2].value, "=");
	assert_string_equal(mi.settings[3].key, "k\"");
	assert_string_equal(mi.settings[3].value, "1");
	assert_string_equal(mi.settings[4].value, "\tA\xc3\xa9");
	assert_string_equal(mi.settings[5].value, "");
	assert_string_equal(modinfo_setting(&mi, "k\""), "1");
	assert_string_equal(modinfo_setting(&mi, ""), "x");
	modinfo_release(&mi);
}

static void assert_unquote(const char *in, const char *want)
{
	char *got = go_unquote(in, strlen(in));

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_unquote_escapes(void **state)
{
	char *s;

	(void)state;
	assert_unquote("\"\"", "");
	assert_unquote("\"plain text\"", "plain text");
	assert_unquote("\"a\\nb\\tc\\\"d\\\\e\"", "a\nb\tc\"d\\e");
	assert_unquote("\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\"",
		       "\a\b\f\n\r\t\v\\\"");
	assert_unquote("\"\\x41\\101\\u00e9\\U0001F600\"",
		       "AA\xc3\xa9\xf0\x9f\x98\x80");
	assert_unquote("\"\\u00E9\\xFF\\x7f\"", "\xc3\xa9\xff\x7f");
	assert_unquote("\"\\377\\177\\001\"", "\xff\x7f\x01");
	assert_unquote("\"\\U0010ffff\"", "\xf4\x8f\xbf\xbf");
	assert_unquote("\"\\u0800\\u07ff\\uffff\"",
		       "\xe0\xa0\x80\xdf\xbf\xef\xbf\xbf");
	assert_unquote("\"\xc3\xa9\xf0\x9f\x98\x80\"",
		       "\xc3\xa9\xf0\x9f\x98\x80");
	assert_unquote("\"'\"", "'");
	assert_unquote("\"`\"", "`");

	/* \x00 and \000 give a NUL in the middle of the result. */
	s = go_unquote("\"a\\x00b\\000c\"", 13);
	assert_non_null(s);
	assert_memory_equal(s, "a\0b\0c", 6);
	free(s);

	/* Only len bytes are looked at. */
	s = go_unquote("\"ab\"xyz", 4);
	assert_non_null(s);
	assert_string_equal(s, "ab");
	free(s);
}

static void test_unquote_raw(void **state)
{
	(void)state;
	assert_unquote("``", "");
	assert_unquote("`a\\nb`", "a\\nb");
	assert_unquote("`a\"b`", "a\"b");
	assert_unquote("`a\rb\r`", "ab");
	assert_unquote("`multi\nline`", "multi\nline");
	assert_unquote("`\\x41 \\u00e9`", "\\x41 \\u00e9");
}

static void test_unquote_invalid(void **state)
{
	static const char *const bad[] = {
		"", "\"", "`", "abc", "a", "\"abc", "abc\"", "\"abc`",
		"`abc\"", "'a'", "`a`b`", "\"a\"b\"", "\"a\nb\"",
		"\"\\\"", "\"\\'\"", "\"\\q\"", "\"\\ \"", "\"\\8\"",
		"\"\\x4\"", "\"\\xg0\"", "\"\\x\"", "\"\\u12\"",
		"\"\\u12g4\"", "\"\\U0011000\"", "\"\\ud800\"",
		"\"\\udfff\"", "\"\\U00110000\"", "\"\\Uffffffff\"",
		"\"\\400\"", "\"\\777\"", "\"\\12\"", "\"\\0\"",
		"\"\\08\"", "\"\\1\"", "\"a\\\"",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *s = go_unquote(bad[i], strlen(bad[i]));

		if (s)
			fail_msg("go_unquote(%s) = \"%s\", want NULL", bad[i],
				 s);
	}
	/* A length that cuts a valid string short. */
	assert_null(go_unquote("\"ab\"", 3));
	assert_null(go_unquote("\"ab\"", 1));
	assert_null(go_unquote("\"\\x41\"", 5));
}

static void assert_quote(const char *in, const char *want)
{
	struct strbuf sb;

	strbuf_init(&sb);
	go_quote(&sb, in);
	assert_string_equal(sb.buf, want);
	assert_int_equal(sb.len, strlen(want));
	strbuf_release(&sb);
}

/* Expected strings are Go 1.19's strconv.Quote output. */
static void test_quote(void **state)
{
	(void)state;
	assert_quote("", "\"\"");
	assert_quote("abc", "\"abc\"");
	assert_quote(" ~", "\" ~\"");
	assert_quote("-s -w -X \"main.v=1 2\"",
		     "\"-s -w -X \\\"main.v=1 2\\\"\"");
	assert_quote("a\nb\tc\"d\\e", "\"a\\nb\\tc\\\"d\\\\e\"");
	assert_quote("\a\b\f\n\r\t\v", "\"\\a\\b\\f\\n\\r\\t\\v\"");
	assert_quote("\x01\x1f\x7f", "\"\\x01\\x1f\\x7f\"");
	assert_quote("`'", "\"`'\"");
	/* Printable UTF-8 passes through. */
	assert_quote("\xc3\xa9\xf0\x9f\x98\x80",
		     "\"\xc3\xa9\xf0\x9f\x98\x80\"");
	assert_quote("\xc3\xbf\xc4\x80", "\"\xc3\xbf\xc4\x80\"");
	/* C1 controls, NBSP and the BOM are escaped. */
	assert_quote("\xc2\x85\xc2\xa0\xef\xbb\xbf",
		     "\"\\u0085\\u00a0\\ufeff\"");
	/* Invalid UTF-8, byte by byte. */
	assert_quote("\xff", "\"\\xff\"");
	assert_quote("\xc3", "\"\\xc3\"");
	assert_quote("\xc3(", "\"\\xc3(\"");
	assert_quote("a\xff" "b", "\"a\\xffb\"");
	assert_quote("\xc0\x80", "\"\\xc0\\x80\"");
	assert_quote("\xed\xa0\x80", "\"\\xed\\xa0\\x80\"");
	assert_quote("\xf4\x90\x80\x80", "\"\\xf4\\x90\\x80\\x80\"");
	assert_quote("\xe2\x82", "\"\\xe2\\x82\"");
	assert_quote("\xe0\x9f\xbf", "\"\\xe0\\x9f\\xbf\"");
	assert_quote("\xf0\x8f\xbf\xbf", "\"\\xf0\\x8f\\xbf\\xbf\"");
	assert_quote("\x80\xbf", "\"\\x80\\xbf\"");
}

static void test_quote_appends(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb);
	strbuf_adds(&sb, "k=");
	go_quote(&sb, "a b");
	go_quote(&sb, "");
	assert_string_equal(sb.buf, "k=\"a b\"\"\"");
	strbuf_release(&sb);
}

/* go_unquote(go_quote(s)) == s, for text and for arbitrary bytes. */
static void test_quote_unquote_roundtrip(void **state)
{
	static const char *const cases[] = {
		"", "plain", "-s -w -X \"main.v=1 2\"", "\\\\\"\"",
		"\x01\x02\x1b[0m\x7f", "tab\there\r\n",
		"\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80", "\xc2\x85\xef\xbb\xbf",
		"\xff\xfe\x80", "\xc3(", "\xed\xa0\x80",
	};
	char bytes[256];
	struct strbuf sb;
	char *back;
	size_t i;

	(void)state;
	strbuf_init(&sb);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strbuf_reset(&sb);
		go_quote(&sb, cases[i]);
		back = go_unquote(sb.buf, sb.len);
		assert_non_null(back);
		assert_string_equal(back, cases[i]);
		free(back);
	}
	/* Every byte value 1..255 in one string. */
	for (i = 0; i < 255; i++)
		bytes[i] = (char)(i + 1);
	bytes[255] = '\0';
	strbuf_reset(&sb);
	go_quote(&sb, bytes);
	back = go_unquote(sb.buf, sb.len);
	assert_non_null(back);
	assert_memory_equal(back, bytes, 256);
	free(back);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_realistic),
		cmocka_unit_test(test_setting_lookup),
		cmocka_unit_test(test_roundtrip_realistic),
		cmocka_unit_test(test_format_appends),
		cmocka_unit_test(test_format_normalises),
		cmocka_unit_test(test_format_modules),
		cmocka_unit_test(test_parse_go_line),
		cmocka_unit_test(test_parse_last_line_without_newline),
		cmocka_unit_test(test_parse_empty_and_unknown),
		cmocka_unit_test(test_parse_mod_twice),
		cmocka_unit_test(test_parse_many_deps),
		cmocka_unit_test(test_parse_errors_modules),
		cmocka_unit_test(test_parse_errors_build),
		cmocka_unit_test(test_parse_error_release),
		cmocka_unit_test(test_parse_build_forms),
		cmocka_unit_test(test_unquote_escapes),
		cmocka_unit_test(test_unquote_raw),
		cmocka_unit_test(test_unquote_invalid),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_quote_appends),
		cmocka_unit_test(test_quote_unquote_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
