/* Unit tests for symbols/pclntab.c on small hand-made tables. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "symbols/pclntab.h"
#include "lib/banned.h"

#define BASE 0x500000u		/* where the table is "mapped" */
#define TEXT 0x401000u		/* runtime.text */
#define HDR 72			/* 8 + 8 * ptrSize */
#define NFUNC 2

/*
 * The test image: a pcHeader, funcnametab, cutab, filetab, pctab, functab
 * with its _func records, and then the "go:func.*" area with one inline
 * tree, all in one buffer at BASE.
 *
 * main.f  [TEXT, TEXT+0x40)   pcsp 0 [0,4) 8 [4,0x30) 0 [0x30,0x40)
 *                             file a.go; line 10 [0,0x10) 11 [0x10,0x40)
 *                             inline index -1 [0,8) 0 [8,0x10)
 *                             1 [0x10,0x18) -1 [0x18,0x40)
 *   tree: 0 main.inl  parentPc 0x20 (index -1 there: main.f)
 *         1 main.inl2 parentPc 0x08 (index 0 there: main.inl)
 * main.g  [TEXT+0x40, TEXT+0x240)  no pcsp, file b.go, line 1000 [0,0x200)
 */
struct img {
	unsigned char b[4096];
	size_t len;
	int go120;
	unsigned int minlc;
	size_t functab, func[NFUNC], pctab, gofunc;
	size_t pcsp_f, pcfile_f, pcln_f, pcinl_f, pcfile_g, pcln_g;
};

static void put8(struct img *m, size_t off, uint8_t v)
{
	m->b[off] = v;
}

static void put32(struct img *m, size_t off, uint32_t v)
{
	size_t i;

	for (i = 0; i < 4; i++)
		m->b[off + i] = (unsigned char)(v >> (8 * i));
}

static void put64(struct img *m, size_t off, uint64_t v)
{
	size_t i;

	for (i = 0; i < 8; i++)
		m->b[off + i] = (unsigned char)(v >> (8 * i));
}

static size_t add(struct img *m, const void *p, size_t n)
{
	size_t at = m->len;

	memcpy(m->b + m->len, p, n);
	m->len += n;
	return at;
}

static void align4(struct img *m)
{
	while (m->len % 4)
		m->len++;
}

/* Appends a varint. */
static void uvarint(struct img *m, uint32_t v)
{
	while (v >= 0x80) {
		m->b[m->len++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	m->b[m->len++] = (unsigned char)v;
}

/* Appends one (value delta, pc delta) step of a pc-value table. */
static void step(struct img *m, int32_t dv, uint32_t dpc)
{
	uvarint(m, ((uint32_t)dv << 1) ^ (uint32_t)(dv >> 31));
	uvarint(m, dpc / m->minlc);
}

/* Appends a _func; returns its offset from the functab. */
static size_t func(struct img *m, uint32_t entryoff, int32_t nameoff,
		   uint32_t pcsp, uint32_t pcfile, uint32_t pcln,
		   uint32_t npcdata, const uint32_t *pcdata,
		   uint8_t nfuncdata, const uint32_t *funcdata)
{
	size_t at = m->len, i;

	put32(m, at, entryoff);
	put32(m, at + 4, (uint32_t)nameoff);
	put32(m, at + 8, 16);		/* args */
	put32(m, at + 12, 0);		/* deferreturn */
	put32(m, at + 16, pcsp);
	put32(m, at + 20, pcfile);
	put32(m, at + 24, pcln);
	put32(m, at + 28, npcdata);
	put32(m, at + 32, 0);		/* cuOffset */
	m->len = at + 36;
	if (m->go120) {
		put32(m, m->len, 77);	/* startLine */
		m->len += 4;
	}
	put8(m, m->len, 0);		/* funcID */
	put8(m, m->len + 1, 0);		/* flag */
	put8(m, m->len + 2, 0);
	put8(m, m->len + 3, nfuncdata);
	m->len += 4;
	for (i = 0; i < npcdata; i++, m->len += 4)
		put32(m, m->len, pcdata[i]);
	for (i = 0; i < nfuncdata; i++, m->len += 4)
		put32(m, m->len, funcdata[i]);
	return at - m->functab;
}

/* An inline tree record. */
static void inlcall(struct img *m, int32_t nameoff, int32_t parentpc,
		    uint8_t funcid)
{
	size_t at = m->len;

	if (m->go120) {
		memset(m->b + at, 0, 16);
		put8(m, at, funcid);
		put32(m, at + 4, (uint32_t)nameoff);
		put32(m, at + 8, (uint32_t)parentpc);
		put32(m, at + 12, 5);	/* startLine */
		m->len += 16;
	} else {
		memset(m->b + at, 0, 20);
		put8(m, at + 2, funcid);
		put32(m, at + 12, (uint32_t)nameoff);
		put32(m, at + 16, (uint32_t)parentpc);
		m->len += 20;
	}
}

static void build(struct img *m, int go120, unsigned int minlc)
{
	static const char names[] = "\0main.f\0main.g\0main.inl\0main.inl2";
	static const char files[] = "a.go\0b.go";
	uint32_t cutab[2] = { 0, 5 };
	uint32_t pcdata[3], funcdata[4];
	size_t nameoff, cuoff, fileoff;

	memset(m, 0, sizeof(*m));
	m->go120 = go120;
	m->minlc = minlc;
	m->len = HDR;
	nameoff = add(m, names, sizeof(names));
	align4(m);
	cuoff = add(m, cutab, sizeof(cutab));
	fileoff = add(m, files, sizeof(files));
	m->pctab = m->len;
	m->len++;		/* offset 0 means "no table" */
	m->pcsp_f = m->len - m->pctab;
	step(m, 1, 4);		/* -1 -> 0 until 4 */
	step(m, 8, 0x2c);	/* 8 until 0x30 */
	step(m, -8, 0x10);	/* 0 until 0x40 */
	uvarint(m, 0);
	m->pcfile_f = m->len - m->pctab;
	step(m, 1, 0x40);
	uvarint(m, 0);
	m->pcln_f = m->len - m->pctab;
	step(m, 11, 0x10);
	step(m, 1, 0x30);
	uvarint(m, 0);
	m->pcinl_f = m->len - m->pctab;
	step(m, 0, 8);		/* first delta may be 0 */
	step(m, 1, 8);
	step(m, 1, 8);
	step(m, -2, 0x28);
	uvarint(m, 0);
	m->pcfile_g = m->len - m->pctab;
	step(m, 2, 0x200);	/* file 1; multi-byte pc delta */
	uvarint(m, 0);
	m->pcln_g = m->len - m->pctab;
	step(m, 1001, 0x200);	/* multi-byte value */
	uvarint(m, 0);
	align4(m);
	m->functab = m->len;
	m->len += (2 * NFUNC + 1) * 4;
	pcdata[0] = 0;
	pcdata[1] = 0;
	pcdata[2] = (uint32_t)m->pcinl_f;
	funcdata[0] = UINT32_MAX;
	funcdata[1] = UINT32_MAX;
	funcdata[2] = UINT32_MAX;
	funcdata[3] = 0;	/* the tree at gofunc + 0 */
	m->func[0] = func(m, 0, 1, (uint32_t)m->pcsp_f,
			  (uint32_t)m->pcfile_f, (uint32_t)m->pcln_f, 3,
			  pcdata, 4, funcdata);
	m->func[1] = func(m, 0x40, 8, 0, (uint32_t)m->pcfile_g,
			  (uint32_t)m->pcln_g, 0, NULL, 0, NULL);
	put32(m, m->functab, 0);
	put32(m, m->functab + 4, (uint32_t)m->func[0]);
	put32(m, m->functab + 8, 0x40);
	put32(m, m->functab + 12, (uint32_t)m->func[1]);
	put32(m, m->functab + 16, 0x240);
	/* go:func.* */
	align4(m);
	m->gofunc = m->len;
	inlcall(m, 15, 0x20, 0);
	inlcall(m, 24, 0x08, 0);
	/* pcHeader */
	put32(m, 0, go120 ? 0xfffffff1 : 0xfffffff0);
	put8(m, 6, (uint8_t)minlc);
	put8(m, 7, 8);
	put64(m, 8, NFUNC);
	put64(m, 16, 2);
	put64(m, 24, TEXT);
	put64(m, 32, nameoff);
	put64(m, 40, cuoff);
	put64(m, 48, fileoff);
	put64(m, 56, m->pctab);
	put64(m, 64, m->functab);
}

static int open_img(struct img *m, int with_gofunc, struct pclntab **t,
		    struct err *e)
{
	struct memsrc *src = memsrc_buf_new(m->b, m->len, BASE);
	int r;

	err_init(e);
	r = pclntab_open(src, BASE, with_gofunc ? BASE + m->gofunc : 0, t,
			 e);
	memsrc_free(src);	/* the table keeps its own copy */
	return r;
}

static struct pclntab *must_open(struct img *m)
{
	struct pclntab *t;
	struct err e;

	if (open_img(m, 1, &t, &e) < 0)
		fail_msg("open: %s", e.msg);
	return t;
}

static void check_basics(int go120)
{
	struct pclntab *t;
	struct pcln_func f;
	struct img m;

	build(&m, go120, 1);
	t = must_open(&m);
	assert_int_equal(pclntab_nfunc(t), NFUNC);
	assert_int_equal(pclntab_text_start(t), TEXT);
	assert_int_equal(pclntab_magic(t),
			 go120 ? 0xfffffff1u : 0xfffffff0u);
	assert_int_equal(pclntab_find(t, TEXT, &f), 0);
	assert_string_equal(f.name, "main.f");
	assert_int_equal(f.entry, TEXT);
	assert_int_equal(f.end, TEXT + 0x40);
	assert_int_equal(f.args, 16);
	assert_int_equal(f.start_line, go120 ? 77 : 0);
	assert_int_equal(pclntab_find(t, TEXT + 0x3f, &f), 0);
	assert_string_equal(f.name, "main.f");
	assert_int_equal(pclntab_find(t, TEXT + 0x40, &f), 0);
	assert_string_equal(f.name, "main.g");
	assert_int_equal(f.end, TEXT + 0x240);
	assert_int_equal(pclntab_find(t, TEXT + 0x23f, &f), 0);
	assert_int_equal(pclntab_find(t, TEXT + 0x240, &f), -ENOENT);
	assert_int_equal(pclntab_find(t, TEXT - 1, &f), -ENOENT);
	assert_int_equal(pclntab_find(t, 0, &f), -ENOENT);
	assert_int_equal(pclntab_find(t, UINT64_MAX, &f), -ENOENT);
	assert_int_equal(pclntab_lookup(t, "main.g", &f), 0);
	assert_int_equal(f.entry, TEXT + 0x40);
	assert_int_equal(pclntab_lookup(t, "main.h", &f), -ENOENT);
	assert_int_equal(pclntab_func_at(t, 1, &f), 0);
	assert_string_equal(f.name, "main.g");
	assert_int_equal(pclntab_func_at(t, 2, &f), -ENOENT);
	pclntab_free(t);
}

static void test_basics_go118(void **state)
{
	(void)state;
	check_basics(0);
}

static void test_basics_go120(void **state)
{
	(void)state;
	check_basics(1);
}

/* pc-value walking: ranges are [prev, pc), values zig-zag deltas. */
static void check_spdelta(unsigned int minlc)
{
	struct pclntab *t;
	struct pcln_func f;
	struct img m;
	int32_t d;

	build(&m, 1, minlc);
	t = must_open(&m);
	assert_int_equal(pclntab_find(t, TEXT, &f), 0);
	assert_int_equal(pclntab_spdelta(t, &f, TEXT, &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(pclntab_spdelta(t, &f, TEXT + 3, &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(pclntab_spdelta(t, &f, TEXT + 4, &d), 0);
	assert_int_equal(d, 8);
	assert_int_equal(pclntab_spdelta(t, &f, TEXT + 0x2f, &d), 0);
	assert_int_equal(d, 8);
	assert_int_equal(pclntab_spdelta(t, &f, TEXT + 0x30, &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(pclntab_spdelta(t, &f, TEXT + 0x3f, &d), 0);
	/* Past the table, and before the entry. */
	assert_int_equal(pclntab_spdelta(t, &f, TEXT + 0x40, &d), -ENOENT);
	/* main.g has no pcsp table. */
	assert_int_equal(pclntab_find(t, TEXT + 0x40, &f), 0);
	assert_int_equal(pclntab_spdelta(t, &f, TEXT + 0x40, &d), -ENOENT);
	pclntab_free(t);
}

static void test_spdelta(void **state)
{
	(void)state;
	check_spdelta(1);
}

static void test_spdelta_minlc4(void **state)
{
	(void)state;
	check_spdelta(4);
}

static void test_pcdata_funcdata(void **state)
{
	struct pclntab *t;
	struct pcln_func f;
	struct img m;

	(void)state;
	build(&m, 1, 1);
	t = must_open(&m);
	assert_int_equal(pclntab_find(t, TEXT, &f), 0);
	assert_int_equal(pclntab_pcdata(t, &f, 2, TEXT), -1);
	assert_int_equal(pclntab_pcdata(t, &f, 2, TEXT + 8), 0);
	assert_int_equal(pclntab_pcdata(t, &f, 2, TEXT + 0x17), 1);
	assert_int_equal(pclntab_pcdata(t, &f, 2, TEXT + 0x18), -1);
	assert_int_equal(pclntab_pcdata(t, &f, 0, TEXT), -1);	/* off 0 */
	assert_int_equal(pclntab_pcdata(t, &f, 3, TEXT), -1);	/* none */
	assert_int_equal(pclntab_funcdata(t, &f, 3), BASE + m.gofunc);
	assert_int_equal(pclntab_funcdata(t, &f, 0), 0);	/* ^0 */
	assert_int_equal(pclntab_funcdata(t, &f, 4), 0);	/* none */
	pclntab_free(t);
}

static void assert_frame(const struct pcln_frame *fr, const char *func,
			 const char *file, int line, uint64_t pc, int inlined)
{
	assert_string_equal(fr->func, func);
	assert_string_equal(fr->file, file);
	assert_int_equal(fr->line, line);
	assert_int_equal(fr->pc, pc);
	assert_int_equal(fr->inlined, inlined);
	assert_int_equal(fr->entry, TEXT);
}

static void check_frames(int go120)
{
	struct pcln_frame fr[8];
	struct pclntab *t;
	struct pcln_func f;
	struct img m;
	struct err e;

	build(&m, go120, 1);
	t = must_open(&m);
	assert_int_equal(pclntab_find(t, TEXT, &f), 0);
	/* Not inlined. */
	assert_int_equal(pclntab_frames(t, &f, TEXT + 4, fr, 8), 1);
	assert_frame(&fr[0], "main.f", "a.go", 10, TEXT + 4, 0);
	/* One level: main.inl at 0x9, called from main.f at 0x20. */
	assert_int_equal(pclntab_frames(t, &f, TEXT + 9, fr, 8), 2);
	assert_frame(&fr[0], "main.inl", "a.go", 10, TEXT + 9, 1);
	assert_frame(&fr[1], "main.f", "a.go", 11, TEXT + 0x20, 0);
	/* Nested: main.inl2 inside main.inl inside main.f. */
	assert_int_equal(pclntab_frames(t, &f, TEXT + 0x12, fr, 8), 3);
	assert_frame(&fr[0], "main.inl2", "a.go", 11, TEXT + 0x12, 1);
	assert_frame(&fr[1], "main.inl", "a.go", 10, TEXT + 8, 1);
	assert_frame(&fr[2], "main.f", "a.go", 11, TEXT + 0x20, 0);
	/* max bounds the output. */
	assert_int_equal(pclntab_frames(t, &f, TEXT + 0x12, fr, 1), 1);
	assert_string_equal(fr[0].func, "main.inl2");
	assert_int_equal(pclntab_frames(t, &f, TEXT + 0x12, fr, 0), 0);
	/* main.g: a multi-byte line and file 1 of the CU. */
	assert_int_equal(pclntab_find(t, TEXT + 0x100, &f), 0);
	assert_int_equal(pclntab_frames(t, &f, TEXT + 0x100, fr, 8), 1);
	assert_string_equal(fr[0].file, "b.go");
	assert_int_equal(fr[0].line, 1000);
	/* Past the line table: "?" and 0, as the runtime. */
	assert_int_equal(pclntab_frames(t, &f, TEXT + 0x240, fr, 8), 1);
	assert_string_equal(fr[0].file, "?");
	assert_int_equal(fr[0].line, 0);
	pclntab_free(t);

	/* Without gofunc, inlining is not expanded. */
	assert_int_equal(open_img(&m, 0, &t, &e), 0);
	assert_int_equal(pclntab_find(t, TEXT, &f), 0);
	assert_int_equal(pclntab_frames(t, &f, TEXT + 0x12, fr, 8), 1);
	assert_frame(&fr[0], "main.f", "a.go", 11, TEXT + 0x12, 0);
	assert_int_equal(pclntab_funcdata(t, &f, 3), 0);
	pclntab_free(t);
}

static void test_frames_go118(void **state)
{
	(void)state;
	check_frames(0);
}

static void test_frames_go120(void **state)
{
	(void)state;
	check_frames(1);
}

static void expect_open_error(struct img *m, int code)
{
	struct pclntab *t = (struct pclntab *)1;
	struct err e;

	assert_int_equal(open_img(m, 1, &t, &e), -code);
	assert_null(t);
	assert_int_equal(e.code, code);
	assert_true(e.msg[0] != '\0');
}

static void test_bad_magic(void **state)
{
	struct img m;

	(void)state;
	build(&m, 1, 1);
	put32(&m, 0, 0xfffffffb);	/* Go 1.2 */
	expect_open_error(&m, EINVAL);
	put32(&m, 0, 0xf1ffffff);	/* big-endian 1.20 */
	expect_open_error(&m, EINVAL);
	build(&m, 1, 1);
	put8(&m, 7, 5);			/* pointer size */
	expect_open_error(&m, EINVAL);
	build(&m, 1, 1);
	put8(&m, 6, 3);			/* instruction size */
	expect_open_error(&m, EINVAL);
}

static void test_bad_nfunc(void **state)
{
	struct img m;

	(void)state;
	build(&m, 1, 1);
	put64(&m, 8, 0);
	expect_open_error(&m, EINVAL);
	put64(&m, 8, UINT64_MAX);
	expect_open_error(&m, EINVAL);
	put64(&m, 8, 1u << 28);		/* beyond the table */
	expect_open_error(&m, EINVAL);
	put64(&m, 8, 1000);		/* functab past the image */
	expect_open_error(&m, EINVAL);
}

static void test_bad_offsets(void **state)
{
	size_t i;
	struct img m;

	(void)state;
	for (i = 0; i < 5; i++) {
		build(&m, 1, 1);
		put64(&m, 32 + 8 * i, 1ull << 40);
		expect_open_error(&m, EINVAL);
		put64(&m, 32 + 8 * i, 4);	/* inside the header */
		expect_open_error(&m, EINVAL);
	}
	build(&m, 1, 1);
	put64(&m, 24, 0);		/* no text start: Go 1.26+ */
	expect_open_error(&m, EINVAL);
}

static void test_text_start(void **state)
{
	struct pclntab *t;
	struct pcln_func f;
	struct memsrc *src;
	struct img m;
	struct err e;

	(void)state;
	build(&m, 1, 1);
	put64(&m, 24, 0);
	src = memsrc_buf_new(m.b, m.len, BASE);
	err_init(&e);
	assert_int_equal(pclntab_open_text(src, BASE, BASE + m.gofunc,
					   0x1000, &t, &e), 0);
	memsrc_free(src);
	assert_int_equal(pclntab_text_start(t), 0x1000);
	assert_int_equal(pclntab_find(t, 0x1040, &f), 0);
	assert_string_equal(f.name, "main.g");
	pclntab_free(t);
}

static void test_truncated(void **state)
{
	struct img m;
	size_t full;

	(void)state;
	build(&m, 1, 1);
	full = m.len;
	m.len = 40;			/* inside the header */
	expect_open_error(&m, EINVAL);
	m.len = m.functab + 10;		/* inside the functab */
	expect_open_error(&m, EINVAL);
	m.len = m.functab + m.func[1] + 20;	/* inside the last _func */
	expect_open_error(&m, EINVAL);
	m.len = m.gofunc + 20;		/* inside the inline tree */
	expect_open_error(&m, EINVAL);
	m.len = full;
	put32(&m, m.functab + 12, 4000);	/* _func out of range */
	expect_open_error(&m, EINVAL);
}

static void test_bad_records(void **state)
{
	struct pcln_frame fr[8];
	struct pclntab *t;
	struct pcln_func f, forged;
	struct img m;
	int32_t d;

	(void)state;
	/* A pc-value table that runs off the end: all continuation bits. */
	build(&m, 1, 1);
	memset(m.b + m.len, 0x80, 64);
	m.len += 64;
	put32(&m, m.functab + m.func[0] + 16,
	      (uint32_t)(m.len - 64 - m.pctab));
	t = must_open(&m);
	assert_int_equal(pclntab_find(t, TEXT, &f), 0);
	assert_int_equal(pclntab_spdelta(t, &f, TEXT, &d), -ENOENT);
	pclntab_free(t);

	/* Offsets beyond the table: names, pc-value tables. */
	build(&m, 1, 1);
	put32(&m, m.functab + m.func[0] + 4, 0x7fffffff);
	put32(&m, m.functab + m.func[0] + 20, 0xffffff00);
	t = must_open(&m);
	assert_int_equal(pclntab_find(t, TEXT, &f), 0);
	assert_string_equal(f.name, "?");
	assert_int_equal(pclntab_frames(t, &f, TEXT, fr, 8), 1);
	assert_string_equal(fr[0].func, "?");
	assert_string_equal(fr[0].file, "?");
	assert_int_equal(fr[0].line, 0);
	pclntab_free(t);

	/* A CU offset beyond the cutab: the file is "?", the line kept. */
	build(&m, 1, 1);
	put32(&m, m.functab + m.func[0] + 32, 0x40000000);
	t = must_open(&m);
	assert_int_equal(pclntab_find(t, TEXT, &f), 0);
	assert_int_equal(pclntab_frames(t, &f, TEXT, fr, 1), 1);
	assert_string_equal(fr[0].file, "?");
	assert_int_equal(fr[0].line, 10);
	pclntab_free(t);

	/* A filetab offset beyond the table. */
	build(&m, 1, 1);
	put32(&m, 72 + 36, 0x7ffffff0);	/* cutab[0] */
	t = must_open(&m);
	assert_int_equal(pclntab_find(t, TEXT, &f), 0);
	assert_int_equal(pclntab_frames(t, &f, TEXT, fr, 1), 1);
	assert_string_equal(fr[0].file, "?");
	pclntab_free(t);

	/* A forged pcln_func is rejected, not followed. */
	build(&m, 1, 1);
	t = must_open(&m);
	memset(&forged, 0, sizeof(forged));
	forged.idx = 99;
	assert_int_equal(pclntab_spdelta(t, &forged, TEXT, &d), -EINVAL);
	assert_int_equal(pclntab_frames(t, &forged, TEXT, fr, 8), -EINVAL);
	assert_int_equal(pclntab_pcdata(t, &forged, 2, TEXT), -1);
	assert_int_equal(pclntab_funcdata(t, &forged, 3), 0);
	pclntab_free(t);

	/* npcdata/nfuncdata beyond the table. */
	build(&m, 1, 1);
	put32(&m, m.functab + m.func[0] + 28, 0x10000000);
	t = must_open(&m);
	assert_int_equal(pclntab_find(t, TEXT, &f), -ENOENT);
	pclntab_free(t);
}

static void test_inline_loop(void **state)
{
	struct pcln_frame fr[8];
	struct pclntab *t;
	struct pcln_func f;
	struct img m;

	(void)state;
	/* Record 0's parentPc points back into index 0: a cycle. */
	build(&m, 1, 1);
	put32(&m, m.gofunc + 8, 0x08);
	t = must_open(&m);
	assert_int_equal(pclntab_find(t, TEXT, &f), 0);
	assert_int_equal(pclntab_frames(t, &f, TEXT + 9, fr, 8), 8);
	{
		struct pcln_frame *many = calloc(2000, sizeof(*many));

		assert_non_null(many);
		assert_int_equal(pclntab_frames(t, &f, TEXT + 9, many, 2000),
				 -ELOOP);
		free(many);
	}
	pclntab_free(t);

}

static void test_bad_inline_offsets(void **state)
{
	struct img m;

	(void)state;
	/* The tree beyond the image. */
	build(&m, 1, 1);
	put32(&m, m.functab + m.func[0] + 44 + 3 * 4 + 3 * 4, 0x100000);
	expect_open_error(&m, EINVAL);
	/* Trees spread over more than the bound. */
	build(&m, 0, 1);
	put32(&m, m.functab + m.func[0] + 40 + 3 * 4 + 3 * 4, 0x7fff0000);
	expect_open_error(&m, EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basics_go118),
		cmocka_unit_test(test_basics_go120),
		cmocka_unit_test(test_spdelta),
		cmocka_unit_test(test_spdelta_minlc4),
		cmocka_unit_test(test_pcdata_funcdata),
		cmocka_unit_test(test_frames_go118),
		cmocka_unit_test(test_frames_go120),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_bad_nfunc),
		cmocka_unit_test(test_bad_offsets),
		cmocka_unit_test(test_text_start),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_records),
		cmocka_unit_test(test_inline_loop),
		cmocka_unit_test(test_bad_inline_offsets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
