/* Unit tests for stripped binaries: tables, moduledata, code recovery. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "goruntime/layout.h"
#include "goruntime/stripped.h"
#include "symbols/elfimage.h"
#include "lib/banned.h"

/*
 * The moduledata image: a pcHeader at PCL, the moduledata at MOD (inside
 * the .noptrdata range [NOPTR, NOPTR + 0x1000)), and a .rodata section at
 * RODATA with runtime.rodata 0x20 into it and go:func.* at GOFUNC, all in
 * one buffer at IMG.
 */
#define IMG 0x500000u
#define IMGLEN 0x4000u
#define PCL 0x500000u
#define NOPTR 0x501000u
#define MOD 0x501040u
#define RODATA 0x503000u
#define GOFUNC 0x503800u
#define TEXT 0x401000u
#define ETEXT 0x402000u

/* The code image: four functions and the data ranges they name. */
#define CODE 0x401000u
#define DATA 0x410000u
#define BSS 0x420000u
#define NOPTRBSS 0x430000u
#define ALLGS (BSS + 0x100)
#define ALLGPTR (BSS + 0x40)
#define ALLM (BSS + 0x48)
#define ALLGLEN (NOPTRBSS + 0x88)
#define ALLGLOCK (NOPTRBSS + 0x80)
#define WRSTRINGS (DATA + 0x200)
#define WAITREASON 0xb8
#define ALLLINK 0x148

static unsigned char img[IMGLEN];

static void put64(size_t off, uint64_t v)
{
	size_t i;

	for (i = 0; i < 8; i++)
		img[off + i] = (unsigned char)(v >> (8 * i));
}

/* A consistent pcHeader + moduledata (Go 1.20+ magic, 2 functions). */
static void make_image(void)
{
	static const uint64_t off[5] = { 72, 100, 120, 140, 160 };
	size_t m = MOD - IMG, i;

	memset(img, 0, sizeof(img));
	put64(0, 0xfffffff1u | (uint64_t)1 << 48 | (uint64_t)8 << 56);
	put64(8, 2);		/* nfunc */
	put64(16, 1);		/* nfiles */
	put64(24, TEXT);
	for (i = 0; i < 5; i++)
		put64(32 + 8 * i, off[i]);
	put64(m, PCL);
	for (i = 0; i < 5; i++) {
		put64(m + 8 * (1 + 3 * i), PCL + off[i]);
		put64(m + 8 * (2 + 3 * i), 4);
		put64(m + 8 * (3 + 3 * i), 4);
	}
	put64(m + 8 * 16, PCL + off[4]);	/* ftab */
	put64(m + 8 * 17, 3);
	put64(m + 8 * 18, 3);
	put64(m + 8 * 20, TEXT);		/* minpc */
	put64(m + 8 * 21, ETEXT - 0x10);	/* maxpc */
	put64(m + 8 * 22, TEXT);
	put64(m + 8 * 23, ETEXT);
	put64(m + 8 * 24, NOPTR);
	put64(m + 8 * 25, NOPTR + 0x1000);
	put64(m + 8 * 26, DATA);
	put64(m + 8 * 27, DATA + 0x1000);
	put64(m + 8 * 28, BSS);
	put64(m + 8 * 29, BSS + 0x1000);
	put64(m + 8 * 30, NOPTRBSS);
	put64(m + 8 * 31, NOPTRBSS + 0x1000);
	put64(m + 8 * 36, RODATA + 0x20);	/* types */
	put64(m + 8 * 37, RODATA + 0x400);	/* etypes */
	put64(m + 8 * 38, RODATA + 0x20);	/* rodata */
	put64(m + 8 * 39, GOFUNC);		/* gofunc */
	put64(m + 8 * 40, RODATA + 0x900);	/* textsectmap.ptr */
	put64(m + 8 * 41, 1);
	put64(m + 8 * 42, 1);
}

static void where(struct elfimage_modwhere *w, int module)
{
	memset(w, 0, sizeof(*w));
	if (module) {
		w->module = MOD;
		w->module_size = 0x300;
	} else {
		w->scan = NOPTR;
		w->scan_size = 0x1000;
	}
	w->rodata = RODATA;
	w->rodata_size = 0x1000;
	w->text = TEXT;
	w->text_size = ETEXT - TEXT;
}

static int find(const struct elfimage_modwhere *w,
		struct elfimage_gomod *m, struct err *e)
{
	struct memsrc *src = memsrc_buf_new(img, sizeof(img), IMG);
	int r;

	err_init(e);
	r = elfimage_find_moduledata(src, w, m, e);
	memsrc_free(src);
	return r;
}

static void test_moduledata_module(void **state)
{
	struct elfimage_modwhere w;
	struct elfimage_gomod m;
	struct err e;

	(void)state;
	make_image();
	where(&w, 1);
	assert_int_equal(find(&w, &m, &e), 0);
	assert_int_equal(m.addr, MOD);
	assert_int_equal(m.pclntab, PCL);
	assert_int_equal(m.text, TEXT);
	assert_int_equal(m.etext, ETEXT);
	assert_int_equal(m.bss, BSS);
	assert_int_equal(m.enoptrbss, NOPTRBSS + 0x1000);
	assert_int_equal(m.rodata, RODATA + 0x20);
	assert_int_equal(m.gofunc, GOFUNC);
}

static void test_moduledata_scan(void **state)
{
	struct elfimage_modwhere w;
	struct elfimage_gomod m;
	struct err e;

	(void)state;
	make_image();
	where(&w, 0);
	assert_int_equal(find(&w, &m, &e), 0);
	assert_int_equal(m.addr, MOD);
	w.pclntab = PCL;
	assert_int_equal(find(&w, &m, &e), 0);
	assert_int_equal(m.addr, MOD);
	/* A .gopclntab elsewhere: this moduledata is not its. */
	w.pclntab = PCL + 8;
	assert_int_equal(find(&w, &m, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "no Go module data"));
}

static void expect_corrupt(size_t off, uint64_t v, const char *why)
{
	struct elfimage_modwhere w;
	struct elfimage_gomod m;
	struct err e;

	make_image();
	put64(off, v);
	where(&w, 1);
	assert_int_equal(find(&w, &m, &e), -EINVAL);
	if (!strstr(e.msg, why))
		fail_msg("'%s' does not say '%s'", e.msg, why);
	where(&w, 0);
	assert_int_equal(find(&w, &m, &e), -ENOENT);
}

static void test_moduledata_corrupt(void **state)
{
	(void)state;
	expect_corrupt(0, 0xfffffff5u | (uint64_t)8 << 56, "bad magic");
	expect_corrupt(MOD - IMG, 0xdead0000u, "outside the image");
	expect_corrupt(MOD - IMG + 8 * 22, 0x7000000, "text range");
	expect_corrupt(MOD - IMG + 8 * 17, 1 << 20, "slices");
	expect_corrupt(MOD - IMG + 8 * 28, BSS + 0x2000, "out of order");
	expect_corrupt(8, 0, "function count");
}

static void test_moduledata_no_gofunc(void **state)
{
	struct elfimage_modwhere w;
	struct elfimage_gomod m;
	struct err e;

	(void)state;
	make_image();
	/* rodata outside .rodata and nothing after gofunc: no pair. */
	put64(MOD - IMG + 8 * 36, RODATA + 0x1800);
	put64(MOD - IMG + 8 * 38, RODATA + 0x1800);
	put64(MOD - IMG + 8 * 40, 0);
	where(&w, 1);
	assert_int_equal(find(&w, &m, &e), 0);
	assert_int_equal(m.gofunc, 0);
}

static void test_table_find(void **state)
{
	const struct gort_table *t;
	struct err e;
	size_t i;

	(void)state;
	assert_true(gort_ntables >= 1);
	for (i = 0; i < gort_ntables; i++) {
		t = &gort_tables[i];
		assert_int_equal(t->l.go_minor, t->minor);
		assert_true(t->l.g_size > 0);
		assert_true(t->l.g_goid > 0);
		assert_int_equal(t->l.st_waiting, 4);
		assert_int_equal(t->l.st_dead, 6);
		assert_true(t->nwaitreasons >= 2);
		assert_string_equal(t->waitreasons[0], "");
		if (i)
			assert_true(t->minor > gort_tables[i - 1].minor);
	}
	t = &gort_tables[0];
	{
		char v[32];

		snprintf(v, sizeof(v), "go1.%d.99", t->minor);
		assert_ptr_equal(gort_table_find(v, NULL), t);
		snprintf(v, sizeof(v), "devel go1.%d-abc", t->minor);
		assert_ptr_equal(gort_table_find(v, NULL), t);
		snprintf(v, sizeof(v), "go1.%d.0",
			 gort_tables[gort_ntables - 1].minor + 1);
		err_init(&e);
		assert_null(gort_table_find(v, &e));
		assert_non_null(strstr(e.msg, "newer than"));
		snprintf(v, sizeof(v), "go1.%d.0", t->minor - 1);
		err_init(&e);
		assert_null(gort_table_find(v, &e));
		assert_non_null(strstr(e.msg, "older than"));
	}
	err_init(&e);
	assert_null(gort_table_find("gccgo", &e));
	assert_non_null(strstr(e.msg, "not a go1.N version"));
	assert_null(gort_table_find(NULL, NULL));
	for (i = 0; i < gort_ntable_gaps; i++) {
		char v[32];

		snprintf(v, sizeof(v), "go1.%d.1", gort_table_gaps[i].minor);
		err_init(&e);
		t = gort_table_find(v, &e);
		if (gort_table_gaps[i].same_as) {
			assert_non_null(t);
			assert_int_equal(t->minor, gort_table_gaps[i].same_as);
		} else {
			assert_null(t);
			assert_non_null(strstr(e.msg, "not measured"));
		}
	}
}

/* A tiny amd64 assembler for the few instructions the finder reads. */
struct code {
	unsigned char b[0x400];
	size_t len;
};

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI };

static void emit(struct code *c, size_t n, const unsigned char *p)
{
	assert_true(c->len + n <= sizeof(c->b));
	memcpy(c->b + c->len, p, n);
	c->len += n;
}

/* REX.W op modrm(00, reg, rip) disp32: mov (0x8b) / lea (0x8d). */
static void riprel(struct code *c, uint64_t at, unsigned char op, int reg,
		   uint64_t target)
{
	unsigned char b[7] = { 0x48, op, (unsigned char)(reg << 3 | 5) };
	int32_t d = (int32_t)(target - (at + c->len + 7));

	memcpy(b + 3, &d, 4);
	emit(c, 7, b);
}

/* xchg [base], src */
static void xchg(struct code *c, int src, int base)
{
	unsigned char b[3] = { 0x48, 0x87, (unsigned char)(src << 3 | base) };

	emit(c, 3, b);
}

struct fns {
	struct code fn[GORT_NFN];
};

/* The four functions as Go 1.23's compiler writes them (abridged). */
static void make_code(struct fns *f, uint64_t glen_in_race)
{
	static const unsigned char alllink[] = { 0x48, 0x89, 0x8b, 0x48, 0x01,
						 0x00, 0x00 };
	static const unsigned char movzx[] = { 0x0f, 0xb6, 0xb8, 0xb8, 0x00,
					       0x00, 0x00 };
	static const unsigned char cmp_shl[] = { 0x40, 0x80, 0xff, 0x26, 0x48,
						 0xc1, 0xe7, 0x04 };
	static const unsigned char index[] = { 0x4c, 0x8b, 0x04, 0x3a };
	static const unsigned char ret = 0xc3;
	uint64_t at;
	struct code *c;
	int i;

	memset(f, 0, sizeof(*f));
	c = &f->fn[GORT_FN_FOREACHGRACE];
	at = CODE;
	riprel(c, at, 0x8b, RCX, glen_in_race);
	riprel(c, at, 0x8b, RBX, ALLGPTR);
	emit(c, 1, &ret);

	c = &f->fn[GORT_FN_ALLGADD];
	at = CODE + 0x400;
	riprel(c, at, 0x8d, RAX, ALLGLOCK);
	riprel(c, at, 0x8b, RCX, ALLGS + 16);
	riprel(c, at, 0x8b, RBX, ALLGS + 8);
	riprel(c, at, 0x8b, RAX, ALLGS);
	riprel(c, at, 0x8d, RCX, ALLGPTR);
	xchg(c, RBX, RCX);
	riprel(c, at, 0x8b, RCX, ALLGS + 8);
	riprel(c, at, 0x8d, RDX, ALLGLEN);
	xchg(c, RCX, RDX);
	emit(c, 1, &ret);

	c = &f->fn[GORT_FN_MCOMMONINIT];
	at = CODE + 0x800;
	riprel(c, at, 0x8b, RCX, ALLM);
	emit(c, sizeof(alllink), alllink);
	riprel(c, at, 0x8d, RCX, ALLM);
	xchg(c, RBX, RCX);
	emit(c, 1, &ret);

	c = &f->fn[GORT_FN_GOROUTINEHEADER];
	at = CODE + 0xc00;
	emit(c, sizeof(movzx), movzx);
	emit(c, sizeof(cmp_shl), cmp_shl);
	riprel(c, at, 0x8d, RDX, WRSTRINGS);
	emit(c, sizeof(index), index);
	emit(c, 1, &ret);
	for (i = 0; i < GORT_NFN; i++)
		assert_true(f->fn[i].len <= 0x400);
}

static int run_finder(struct fns *f, int skip, struct gort_stripped_out *out,
		      struct err *e)
{
	static unsigned char text[0x1000];
	struct gort_stripped_in in;
	int i, r;

	memset(text, 0xcc, sizeof(text));
	memset(&in, 0, sizeof(in));
	for (i = 0; i < GORT_NFN; i++) {
		memcpy(text + 0x400 * i, f->fn[i].b, f->fn[i].len);
		if (i == skip)
			continue;
		in.entry[i] = CODE + 0x400 * (uint64_t)i;
		in.end[i] = in.entry[i] + f->fn[i].len;
	}
	in.img = memsrc_buf_new(text, sizeof(text), CODE);
	in.data = DATA;
	in.edata = DATA + 0x1000;
	in.bss = BSS;
	in.ebss = BSS + 0x1000;
	in.noptrbss = NOPTRBSS;
	in.enoptrbss = NOPTRBSS + 0x1000;
	in.g_waitreason = WAITREASON;
	in.m_alllink = ALLLINK;
	err_init(e);
	r = gort_stripped_find(&in, out, e);
	memsrc_free(in.img);
	return r;
}

static void test_code_all(void **state)
{
	struct gort_stripped_out out;
	struct fns f;
	struct err e;

	(void)state;
	make_code(&f, ALLGLEN);
	assert_int_equal(run_finder(&f, -1, &out, &e), 0);
	assert_int_equal(out.allgs, ALLGS);
	assert_int_equal(out.allglen, ALLGLEN);
	assert_int_equal(out.allgptr, ALLGPTR);
	assert_int_equal(out.allm, ALLM);
	assert_int_equal(out.waitreason_strings, WRSTRINGS);
	assert_int_equal(out.nwaitreasons, 0x26);
}

static void test_code_partial(void **state)
{
	struct gort_stripped_out out;
	struct fns f;
	struct err e;

	(void)state;
	make_code(&f, ALLGLEN);
	/* forEachGRace inlined away: allgadd alone names allglen. */
	assert_int_equal(run_finder(&f, GORT_FN_FOREACHGRACE, &out, &e), 0);
	assert_int_equal(out.allglen, ALLGLEN);
	assert_int_equal(out.allgs, ALLGS);
	/* No mcommoninit: no allm, the rest still found. */
	assert_int_equal(run_finder(&f, GORT_FN_MCOMMONINIT, &out, &e), 0);
	assert_int_equal(out.allm, 0);
	/* No allgadd: no allgs. */
	assert_int_equal(run_finder(&f, GORT_FN_ALLGADD, &out, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "runtime.allgs"));
}

static void test_code_disagree(void **state)
{
	struct gort_stripped_out out;
	struct fns f;
	struct err e;

	(void)state;
	make_code(&f, ALLGLEN + 0x10);
	assert_int_equal(run_finder(&f, -1, &out, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "runtime.allglen"));
}

static void test_code_garbage(void **state)
{
	struct gort_stripped_out out;
	struct fns f;
	struct err e;
	unsigned int seed = 1;
	size_t i, k;

	(void)state;
	for (k = 0; k < 64; k++) {
		memset(&f, 0, sizeof(f));
		for (i = 0; i < GORT_NFN; i++) {
			size_t j;

			f.fn[i].len = 0x3ff;
			for (j = 0; j < f.fn[i].len; j++) {
				seed = seed * 1103515245u + 12345u;
				f.fn[i].b[j] = (unsigned char)(seed >> 16);
			}
		}
		assert_true(run_finder(&f, -1, &out, &e) <= 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_moduledata_module),
		cmocka_unit_test(test_moduledata_scan),
		cmocka_unit_test(test_moduledata_corrupt),
		cmocka_unit_test(test_moduledata_no_gofunc),
		cmocka_unit_test(test_table_find),
		cmocka_unit_test(test_code_all),
		cmocka_unit_test(test_code_partial),
		cmocka_unit_test(test_code_disagree),
		cmocka_unit_test(test_code_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
