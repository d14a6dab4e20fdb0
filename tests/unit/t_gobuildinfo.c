/* Unit tests for buildinfo/gobuildinfo.c: finding and decoding the blob. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buildinfo/gobuildinfo.h"
#include "inspect/memsrc.h"
#include "lib/strbuf.h"
#include "lib/banned.h"

/* cmd/go/internal/modload.infoStart and infoEnd. */
static const unsigned char info_start[16] = {
	0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02,
	0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6,
};
static const unsigned char info_end[16] = {
	0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72,
	0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2,
};

#define MODTEXT "path\texample.com/hello\n" \
		"mod\texample.com/hello\t(devel)\t\n" \
		"dep\tgolang.org/x/text\tv0.3.7\th1:abc=\n" \
		"build\t-compiler=gc\n" \
		"build\tGOOS=linux\n"

/* Where the pointer-layout image keeps its parts. */
#define HDR_OFF 0x100
#define VHDR_OFF 0x200
#define MHDR_OFF 0x280
#define VDATA_OFF 0x300
#define MDATA_OFF 0x400

/*
 * A pre-1.18 image of size bytes at base: the header at HDR_OFF points at
 * two Go string headers, which point at the version and modinfo bytes.
 */
struct ptr_image {
	unsigned char *img;
	size_t size;
	uint64_t base;
	int ps;
	int be;
};

static void add_uvarint(struct strbuf *sb, uint64_t v);
static void add_header(struct strbuf *sb, int ptr_size, int flags);
static char *framed(const char *text, size_t len, size_t *outlen);
static void make_inline(struct strbuf *sb, int ptr_size, const char *vers,
			size_t vlen, const char *mod, size_t mlen);
static void put_ptr(unsigned char *p, uint64_t v, int size, int be);
static void make_ptr_image(struct ptr_image *pi, size_t size, uint64_t base,
			   int ps, int be, const char *vers, size_t vlen,
			   const char *mod, size_t mlen);
static int decode_ptr_image(const struct ptr_image *pi, struct gobi *out,
			    struct err *e);
static void assert_not_go(int r, const struct gobi *out,
			  const struct err *e);
static void check_ptr_layout(int ps, int be, uint64_t base);

static void add_uvarint(struct strbuf *sb, uint64_t v)
{
	while (v >= 0x80) {
		strbuf_addc(sb, (char)(v | 0x80));
		v >>= 7;
	}
	strbuf_addc(sb, (char)v);
}

static void add_header(struct strbuf *sb, int ptr_size, int flags)
{
	static const char zero[16];

	strbuf_add(sb, GOBI_MAGIC, GOBI_MAGIC_LEN);
	strbuf_addc(sb, (char)ptr_size);
	strbuf_addc(sb, (char)flags);
	strbuf_add(sb, zero, 16);
}

/* text framed by the sentinels, as cmd/go embeds it. */
static char *framed(const char *text, size_t len, size_t *outlen)
{
	struct strbuf sb;

	strbuf_init(&sb);
	strbuf_add(&sb, info_start, 16);
	strbuf_add(&sb, text, len);
	strbuf_add(&sb, info_end, 16);
	return strbuf_detach(&sb, outlen);
}

/* A Go 1.18+ blob: header, then the two length-prefixed strings. */
static void make_inline(struct strbuf *sb, int ptr_size, const char *vers,
			size_t vlen, const char *mod, size_t mlen)
{
	static const char zero[16];

	strbuf_reset(sb);
	add_header(sb, ptr_size, 2);
	add_uvarint(sb, vlen);
	strbuf_add(sb, vers, vlen);
	add_uvarint(sb, mlen);
	strbuf_add(sb, mod, mlen);
	/* The section continues with padding in real binaries. */
	strbuf_add(sb, zero, 16);
}

static void put_ptr(unsigned char *p, uint64_t v, int size, int be)
{
	int i;

	for (i = 0; i < size; i++) {
		int shift = be ? 8 * (size - 1 - i) : 8 * i;

		p[i] = (unsigned char)(v >> shift);
	}
}

static void make_ptr_image(struct ptr_image *pi, size_t size, uint64_t base,
			   int ps, int be, const char *vers, size_t vlen,
			   const char *mod, size_t mlen)
{
	unsigned char *h;

	assert_true(VDATA_OFF + vlen <= MDATA_OFF || !vlen);
	assert_true(MDATA_OFF + mlen <= size);
	pi->img = calloc(1, size);
	assert_non_null(pi->img);
	pi->size = size;
	pi->base = base;
	pi->ps = ps;
	pi->be = be;
	h = pi->img + HDR_OFF;
	memcpy(h, GOBI_MAGIC, GOBI_MAGIC_LEN);
	h[14] = (unsigned char)ps;
	h[15] = (unsigned char)(be ? 1 : 0);
	put_ptr(h + 16, base + VHDR_OFF, ps, be);
	put_ptr(h + 16 + ps, base + MHDR_OFF, ps, be);
	put_ptr(pi->img + VHDR_OFF, base + VDATA_OFF, ps, be);
	put_ptr(pi->img + VHDR_OFF + ps, vlen, ps, be);
	put_ptr(pi->img + MHDR_OFF, base + MDATA_OFF, ps, be);
	put_ptr(pi->img + MHDR_OFF + ps, mlen, ps, be);
	if (vlen)
		memcpy(pi->img + VDATA_OFF, vers, vlen);
	if (mlen)
		memcpy(pi->img + MDATA_OFF, mod, mlen);
}

static int decode_ptr_image(const struct ptr_image *pi, struct gobi *out,
			    struct err *e)
{
	struct memsrc *mem = memsrc_buf_new(pi->img, pi->size, pi->base);
	int r;

	r = gobi_decode(pi->img + HDR_OFF, pi->size - HDR_OFF, mem, out, e);
	memsrc_free(mem);
	return r;
}

static void assert_not_go(int r, const struct gobi *out,
			  const struct err *e)
{
	assert_int_equal(r, -ENOEXEC);
	assert_int_equal(e->code, ENOEXEC);
	assert_string_equal(e->msg, "not a Go executable");
	assert_null(out->version);
	assert_null(out->modinfo);
}

static void test_find(void **state)
{
	unsigned char data[256];
	size_t off;

	(void)state;
	memset(data, 0, sizeof(data));
	assert_int_equal(gobi_find(data, sizeof(data), &off), 0);
	assert_int_equal(gobi_find(data, 0, &off), 0);

	memcpy(data, GOBI_MAGIC, GOBI_MAGIC_LEN);
	off = 999;
	assert_int_equal(gobi_find(data, sizeof(data), &off), 1);
	assert_int_equal(off, 0);
	/* The header must fit: 32 bytes, not just the 14-byte magic. */
	assert_int_equal(gobi_find(data, 32, &off), 1);
	assert_int_equal(gobi_find(data, 31, &off), 0);
	assert_int_equal(gobi_find(data, GOBI_MAGIC_LEN, &off), 0);

	memset(data, 0, sizeof(data));
	memcpy(data + 48, GOBI_MAGIC, GOBI_MAGIC_LEN);
	assert_int_equal(gobi_find(data, sizeof(data), &off), 1);
	assert_int_equal(off, 48);
	assert_int_equal(gobi_find(data, 80, &off), 1);
	assert_int_equal(off, 48);
	assert_int_equal(gobi_find(data, 79, &off), 0);
	assert_int_equal(gobi_find(data, 48, &off), 0);
}

static void test_find_unaligned(void **state)
{
	unsigned char data[256];
	size_t off, i;

	(void)state;
	/* Not on a 16-byte boundary: not the header. */
	for (i = 1; i < 16; i++) {
		memset(data, 0, sizeof(data));
		memcpy(data + 32 + i, GOBI_MAGIC, GOBI_MAGIC_LEN);
		assert_int_equal(gobi_find(data, sizeof(data), &off), 0);
	}
	/* An unaligned copy first, then the aligned one. */
	memset(data, 0, sizeof(data));
	memcpy(data + 8, GOBI_MAGIC, GOBI_MAGIC_LEN);
	memcpy(data + 96, GOBI_MAGIC, GOBI_MAGIC_LEN);
	assert_int_equal(gobi_find(data, sizeof(data), &off), 1);
	assert_int_equal(off, 96);
	/* The first aligned copy wins. */
	memcpy(data + 32, GOBI_MAGIC, GOBI_MAGIC_LEN);
	assert_int_equal(gobi_find(data, sizeof(data), &off), 1);
	assert_int_equal(off, 32);
}

static void test_find_near_end(void **state)
{
	unsigned char data[96];
	size_t off;

	(void)state;
	memset(data, 0, sizeof(data));
	/* At 64 with 96 bytes: exactly one header's room. */
	memcpy(data + 64, GOBI_MAGIC, GOBI_MAGIC_LEN);
	assert_int_equal(gobi_find(data, 96, &off), 1);
	assert_int_equal(off, 64);
	assert_int_equal(gobi_find(data, 95, &off), 0);
	assert_int_equal(gobi_find(data, 78, &off), 0);
	/* A damaged magic (last byte) or a 13-byte prefix is not found. */
	data[64 + GOBI_MAGIC_LEN - 1] = ';';
	assert_int_equal(gobi_find(data, 96, &off), 0);
	data[64 + GOBI_MAGIC_LEN - 1] = ':';
	data[64] = 0xfe;
	assert_int_equal(gobi_find(data, 96, &off), 0);
}

static void test_inline(void **state)
{
	struct strbuf sb;
	struct gobi out;
	struct err e;
	size_t mlen;
	char *mod = framed(MODTEXT, strlen(MODTEXT), &mlen);

	(void)state;
	strbuf_init(&sb);
	make_inline(&sb, 8, "go1.21.5", 8, mod, mlen);
	/* mlen is over 127: a two-byte length. */
	assert_int_equal(mlen, 16 + strlen(MODTEXT) + 16);
	assert_in_range(mlen, 128, 16383);
	assert_int_equal(sb.len, 32 + 1 + 8 + 2 + mlen + 16);
	err_init(&e);
	assert_int_equal(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				     &out, &e), 0);
	assert_string_equal(out.version, "go1.21.5");
	assert_string_equal(out.modinfo, MODTEXT);
	assert_int_equal(out.ptr_size, 8);
	assert_int_equal(out.inline_strings, 1);
	assert_int_equal(out.big_endian, 0);
	gobi_release(&out);
	assert_null(out.version);
	assert_null(out.modinfo);
	assert_int_equal(out.ptr_size, 0);

	/* 32-bit targets; a memsrc is allowed but not needed. */
	make_inline(&sb, 4, "go1.18", 6, mod, mlen);
	assert_int_equal(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				     &out, &e), 0);
	assert_string_equal(out.version, "go1.18");
	assert_string_equal(out.modinfo, MODTEXT);
	assert_int_equal(out.ptr_size, 4);
	gobi_release(&out);

	/* The big-endian bit does not matter to the inline layout. */
	make_inline(&sb, 8, "go1.20", 6, mod, mlen);
	sb.buf[15] = 3;
	assert_int_equal(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				     &out, &e), 0);
	assert_string_equal(out.version, "go1.20");
	assert_string_equal(out.modinfo, MODTEXT);
	assert_int_equal(out.inline_strings, 1);
	assert_int_equal(out.big_endian, 0);
	gobi_release(&out);
	strbuf_release(&sb);
	free(mod);
}

/* A modinfo over 127 bytes has a two-byte length; over 16383, three. */
static void test_inline_long_varint(void **state)
{
	static const size_t sizes[] = { 127, 128, 300, 16383, 16384, 70000 };
	struct strbuf sb, text;
	struct gobi out;
	struct err e;
	size_t i;

	(void)state;
	strbuf_init(&sb);
	strbuf_init(&text);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t mlen, want = sizes[i] - 32;
		char *mod;

		strbuf_reset(&text);
		strbuf_adds(&text, "path\t");
		while (text.len < want - 1)
			strbuf_addc(&text, (char)('a' + text.len % 26));
		strbuf_addc(&text, '\n');
		mod = framed(text.buf, text.len, &mlen);
		assert_int_equal(mlen, sizes[i]);
		make_inline(&sb, 8, "go1.22.0", 8, mod, mlen);
		err_init(&e);
		assert_int_equal(gobi_decode((unsigned char *)sb.buf, sb.len,
					     NULL, &out, &e), 0);
		assert_string_equal(out.version, "go1.22.0");
		assert_int_equal(strlen(out.modinfo), want);
		assert_string_equal(out.modinfo, text.buf);
		gobi_release(&out);
		free(mod);
	}
	strbuf_release(&text);
	strbuf_release(&sb);
}

static void test_inline_empty_version(void **state)
{
	struct strbuf sb;
	struct gobi out;
	struct err e;
	size_t mlen;
	char *mod = framed(MODTEXT, strlen(MODTEXT), &mlen);

	(void)state;
	strbuf_init(&sb);
	make_inline(&sb, 8, "", 0, mod, mlen);
	err_init(&e);
	assert_not_go(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				  &out, &e), &out, &e);
	strbuf_release(&sb);
	free(mod);
}

static void test_inline_version_limits(void **state)
{
	char vers[GOBI_MAX_VERSION + 2];
	struct strbuf sb;
	struct gobi out;
	struct err e;

	(void)state;
	memset(vers, 'v', sizeof(vers));
	strbuf_init(&sb);
	make_inline(&sb, 8, vers, GOBI_MAX_VERSION, "", 0);
	err_init(&e);
	assert_int_equal(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				     &out, &e), 0);
	assert_int_equal(strlen(out.version), GOBI_MAX_VERSION);
	assert_string_equal(out.modinfo, "");
	gobi_release(&out);

	make_inline(&sb, 8, vers, GOBI_MAX_VERSION + 1, "", 0);
	assert_not_go(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				  &out, &e), &out, &e);

	/* An embedded NUL makes it no version at all. */
	make_inline(&sb, 8, "go1.2\0x", 7, "", 0);
	err_init(&e);
	assert_not_go(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				  &out, &e), &out, &e);
	strbuf_release(&sb);
}

static void test_inline_bad_varint(void **state)
{
	struct strbuf sb;
	struct gobi out;
	struct err e;
	size_t avail;
	int i;

	(void)state;
	strbuf_init(&sb);

	/* Length 65536 with a few bytes behind it. */
	add_header(&sb, 8, 2);
	strbuf_add(&sb, "\x80\x80\x04go1.21", 9);
	err_init(&e);
	assert_not_go(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				  &out, &e), &out, &e);

	/*
	 * A version followed by one byte (an empty or missing modinfo).
	 * A string that ends exactly at the end of the data is left
	 * untested: Go 1.18-1.21 rejected it, Go 1.22 accepts it.
	 */
	strbuf_reset(&sb);
	add_header(&sb, 8, 2);
	strbuf_add(&sb, "\x06go1.21", 7);
	strbuf_addc(&sb, 0);
	err_init(&e);
	assert_int_equal(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				     &out, &e), 0);
	assert_string_equal(out.version, "go1.21");
	assert_string_equal(out.modinfo, "");
	gobi_release(&out);

	/* Lengths just past what is available. */
	for (avail = 1; avail < 20; avail++) {
		strbuf_reset(&sb);
		add_header(&sb, 8, 2);
		add_uvarint(&sb, avail);
		strbuf_add(&sb, "go1.21.1234567890123456789", avail - 1);
		err_init(&e);
		assert_not_go(gobi_decode((unsigned char *)sb.buf, sb.len,
					  NULL, &out, &e), &out, &e);
	}

	/* A varint that never ends, and one that overflows 64 bits. */
	strbuf_reset(&sb);
	add_header(&sb, 8, 2);
	for (i = 0; i < 40; i++)
		strbuf_addc(&sb, (char)0x80);
	err_init(&e);
	assert_not_go(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				  &out, &e), &out, &e);
	strbuf_reset(&sb);
	add_header(&sb, 8, 2);
	for (i = 0; i < 9; i++)
		strbuf_addc(&sb, (char)0xff);
	strbuf_addc(&sb, 0x02);
	strbuf_add(&sb, "go1.21.0........", 16);
	err_init(&e);
	assert_not_go(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				  &out, &e), &out, &e);
	/* 6 + 2 << 63 wraps to 6 if the overflow went unnoticed. */
	strbuf_reset(&sb);
	add_header(&sb, 8, 2);
	strbuf_addc(&sb, (char)0x86);
	for (i = 0; i < 8; i++)
		strbuf_addc(&sb, (char)0x80);
	strbuf_addc(&sb, 0x02);
	strbuf_add(&sb, "go1.21........", 14);
	err_init(&e);
	assert_not_go(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				  &out, &e), &out, &e);
	/* The largest 10-byte varint (2^64 - 1) is not an overflow. */
	sb.buf[32] = (char)0xff;
	for (i = 1; i < 9; i++)
		sb.buf[32 + i] = (char)0xff;
	sb.buf[41] = 0x01;
	err_init(&e);
	assert_not_go(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				  &out, &e), &out, &e);
	/* Nothing after the header at all. */
	strbuf_reset(&sb);
	add_header(&sb, 8, 2);
	err_init(&e);
	assert_not_go(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				  &out, &e), &out, &e);
	strbuf_release(&sb);
}

/* A damaged modinfo costs the modules, not the version. */
static void test_inline_bad_modinfo_length(void **state)
{
	struct strbuf sb;
	struct gobi out;
	struct err e;

	(void)state;
	strbuf_init(&sb);
	add_header(&sb, 8, 2);
	strbuf_add(&sb, "\x08go1.22.1", 9);
	add_uvarint(&sb, 5000);
	strbuf_add(&sb, info_start, 16);
	strbuf_adds(&sb, MODTEXT);
	strbuf_add(&sb, info_end, 16);
	err_init(&e);
	assert_int_equal(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				     &out, &e), 0);
	assert_string_equal(out.version, "go1.22.1");
	assert_string_equal(out.modinfo, "");
	gobi_release(&out);
	strbuf_release(&sb);
}

static void test_inline_modinfo_max(void **state)
{
	size_t n = GOBI_MAX_MODINFO, mlen;
	struct strbuf sb;
	struct gobi out;
	struct err e;
	char *text, *mod;

	(void)state;
	text = malloc(n + 1);
	assert_non_null(text);
	memset(text, 'x', n - 32);
	memcpy(text, "path\t", 5);
	text[n - 33] = '\n';
	text[n - 32] = '\0';
	mod = framed(text, n - 32, &mlen);
	assert_int_equal(mlen, n);
	strbuf_init(&sb);
	make_inline(&sb, 8, "go1.21.0", 8, mod, mlen);
	err_init(&e);
	assert_int_equal(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				     &out, &e), 0);
	assert_int_equal(strlen(out.modinfo), n - 32);
	assert_string_equal(out.modinfo, text);
	gobi_release(&out);
	free(mod);

	/* One byte more than GOBI_MAX_MODINFO: dropped, version kept. */
	memset(text, 'x', n - 31);
	memcpy(text, "path\t", 5);
	text[n - 32] = '\n';
	mod = framed(text, n - 31, &mlen);
	assert_int_equal(mlen, n + 1);
	make_inline(&sb, 8, "go1.21.0", 8, mod, mlen);
	assert_int_equal(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				     &out, &e), 0);
	assert_string_equal(out.version, "go1.21.0");
	assert_string_equal(out.modinfo, "");
	gobi_release(&out);
	free(mod);
	free(text);
	strbuf_release(&sb);
}

/* debug/buildinfo keeps the text only when the sentinels frame it. */
static void test_sentinels(void **state)
{
	struct strbuf sb, m;
	struct gobi out;
	struct err e;
	size_t mlen;
	char *mod;

	(void)state;
	strbuf_init(&sb);
	strbuf_init(&m);

	/* No framing at all. */
	make_inline(&sb, 8, "go1.21.0", 8, MODTEXT, strlen(MODTEXT));
	err_init(&e);
	assert_int_equal(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				     &out, &e), 0);
	assert_string_equal(out.version, "go1.21.0");
	assert_string_equal(out.modinfo, "");
	gobi_release(&out);

	/* Framed, but the text does not end with '\n'. */
	mod = framed("path\tx", 6, &mlen);
	make_inline(&sb, 8, "go1.21.0", 8, mod, mlen);
	assert_int_equal(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				     &out, &e), 0);
	assert_string_equal(out.modinfo, "");
	gobi_release(&out);
	free(mod);

	/* Two sentinels and no text: 32 bytes, below the 33 needed. */
	mod = framed("", 0, &mlen);
	make_inline(&sb, 8, "go1.21.0", 8, mod, mlen);
	assert_int_equal(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				     &out, &e), 0);
	assert_string_equal(out.modinfo, "");
	gobi_release(&out);
	free(mod);

	/* The smallest framed text: a lone newline. */
	mod = framed("\n", 1, &mlen);
	make_inline(&sb, 8, "go1.21.0", 8, mod, mlen);
	assert_int_equal(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				     &out, &e), 0);
	assert_string_equal(out.modinfo, "\n");
	gobi_release(&out);
	free(mod);

	/*
	 * Only the position of '\n' is checked, like Go; whatever frames
	 * the text is cut off, including the NUL inside the end sentinel.
	 */
	strbuf_add(&m, "0123456789abcdef", 16);
	strbuf_adds(&m, "path\tp\n");
	strbuf_add(&m, info_end, 16);
	make_inline(&sb, 8, "go1.21.0", 8, m.buf, m.len);
	assert_int_equal(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				     &out, &e), 0);
	assert_string_equal(out.modinfo, "path\tp\n");
	gobi_release(&out);

	strbuf_release(&m);
	strbuf_release(&sb);
}

static void test_bad_header(void **state)
{
	struct strbuf sb;
	struct gobi out;
	struct err e;
	size_t mlen;
	char *mod = framed(MODTEXT, strlen(MODTEXT), &mlen);

	(void)state;
	strbuf_init(&sb);
	make_inline(&sb, 8, "go1.21.0", 8, mod, mlen);
	err_init(&e);
	assert_not_go(gobi_decode((unsigned char *)sb.buf, 31, NULL, &out,
				  &e), &out, &e);
	err_init(&e);
	assert_not_go(gobi_decode((unsigned char *)sb.buf, 0, NULL, &out,
				  &e), &out, &e);
	sb.buf[1] = 'g';
	err_init(&e);
	assert_not_go(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				  &out, &e), &out, &e);
	/* A NULL err is accepted. */
	assert_int_equal(gobi_decode((unsigned char *)sb.buf, sb.len, NULL,
				     &out, NULL), -ENOEXEC);
	strbuf_release(&sb);
	free(mod);
}

static void check_ptr_layout(int ps, int be, uint64_t base)
{
	struct ptr_image pi;
	struct gobi out;
	struct err e;
	size_t mlen;
	char *mod = framed(MODTEXT, strlen(MODTEXT), &mlen);

	make_ptr_image(&pi, 0x1000, base, ps, be, "go1.16.15", 9, mod, mlen);
	err_init(&e);
	assert_int_equal(decode_ptr_image(&pi, &out, &e), 0);
	assert_string_equal(out.version, "go1.16.15");
	assert_string_equal(out.modinfo, MODTEXT);
	assert_int_equal(out.ptr_size, ps);
	assert_int_equal(out.big_endian, be);
	assert_int_equal(out.inline_strings, 0);
	gobi_release(&out);

	/* The other byte order reads garbage pointers: not Go. */
	pi.img[HDR_OFF + 15] = be ? 0 : 1;
	err_init(&e);
	assert_not_go(decode_ptr_image(&pi, &out, &e), &out, &e);
	free(pi.img);
	free(mod);
}

static void test_ptr_layout_64le(void **state)
{
	(void)state;
	check_ptr_layout(8, 0, 0x400000);
	check_ptr_layout(8, 0, 0x7f1234560000ull);
}

static void test_ptr_layout_64be(void **state)
{
	(void)state;
	check_ptr_layout(8, 1, 0x10000000);
	check_ptr_layout(8, 1, 0xc000001000ull);
}

static void test_ptr_layout_32le(void **state)
{
	(void)state;
	check_ptr_layout(4, 0, 0x08048000);
	check_ptr_layout(4, 0, 0xfffff000);
}

static void test_ptr_layout_32be(void **state)
{
	(void)state;
	check_ptr_layout(4, 1, 0x10000);
}

static void test_ptr_layout_needs_mem(void **state)
{
	struct ptr_image pi;
	struct gobi out;
	struct err e;

	(void)state;
	make_ptr_image(&pi, 0x1000, 0x400000, 8, 0, "go1.16", 6, "", 0);
	err_init(&e);
	assert_int_equal(gobi_decode(pi.img + HDR_OFF, pi.size - HDR_OFF,
				     NULL, &out, &e), -EINVAL);
	assert_int_equal(e.code, EINVAL);
	assert_string_equal(e.msg, "pre-1.18 .go.buildinfo needs the image "
			    "to resolve its pointers");
	assert_null(out.version);
	free(pi.img);
}

static void test_ptr_layout_bad_ptr_size(void **state)
{
	static const int sizes[] = { 0, 1, 2, 3, 5, 7, 9, 16, 255 };
	struct ptr_image pi;
	struct gobi out;
	struct err e;
	char want[64];
	size_t i;

	(void)state;
	make_ptr_image(&pi, 0x1000, 0x400000, 8, 0, "go1.16", 6, "", 0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		pi.img[HDR_OFF + 14] = (unsigned char)sizes[i];
		err_init(&e);
		assert_int_equal(decode_ptr_image(&pi, &out, &e), -EINVAL);
		assert_int_equal(e.code, EINVAL);
		snprintf(want, sizeof(want),
			 "bad pointer size %d in .go.buildinfo", sizes[i]);
		assert_string_equal(e.msg, want);
		assert_null(out.version);
	}
	free(pi.img);
}

/* Version string headers or bytes outside the image: not Go. */
static void test_ptr_layout_version_outside(void **state)
{
	static const int ps_list[] = { 4, 8 };
	struct ptr_image pi;
	struct gobi out;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		int ps = ps_list[i];
		uint64_t base = 0x10000, top = base + 0x1000;

		make_ptr_image(&pi, 0x1000, base, ps, 0, "go1.16", 6, "", 0);

		/* Header pointer below, after and at the far end. */
		put_ptr(pi.img + HDR_OFF + 16, base - 16, ps, 0);
		err_init(&e);
		assert_not_go(decode_ptr_image(&pi, &out, &e), &out, &e);
		put_ptr(pi.img + HDR_OFF + 16, top, ps, 0);
		err_init(&e);
		assert_not_go(decode_ptr_image(&pi, &out, &e), &out, &e);
		put_ptr(pi.img + HDR_OFF + 16, ps == 8 ? UINT64_MAX - 7 :
			0xfffffff8u, ps, 0);
		err_init(&e);
		assert_not_go(decode_ptr_image(&pi, &out, &e), &out, &e);
		/* The string header straddles the end of the image. */
		put_ptr(pi.img + HDR_OFF + 16, top - (uint64_t)ps, ps, 0);
		err_init(&e);
		assert_not_go(decode_ptr_image(&pi, &out, &e), &out, &e);
		put_ptr(pi.img + HDR_OFF + 16, base + VHDR_OFF, ps, 0);

		/* The bytes: outside, straddling, wrapping. */
		put_ptr(pi.img + VHDR_OFF, top + 0x100, ps, 0);
		err_init(&e);
		assert_not_go(decode_ptr_image(&pi, &out, &e), &out, &e);
		put_ptr(pi.img + VHDR_OFF, top - 3, ps, 0);
		err_init(&e);
		assert_not_go(decode_ptr_image(&pi, &out, &e), &out, &e);
		put_ptr(pi.img + VHDR_OFF, ps == 8 ? UINT64_MAX - 2 :
			0xfffffffdu, ps, 0);
		err_init(&e);
		assert_not_go(decode_ptr_image(&pi, &out, &e), &out, &e);
		/* A huge length. */
		put_ptr(pi.img + VHDR_OFF, base + VDATA_OFF, ps, 0);
		put_ptr(pi.img + VHDR_OFF + ps, ps == 8 ? UINT64_MAX :
			0xffffffffu, ps, 0);
		err_init(&e);
		assert_not_go(decode_ptr_image(&pi, &out, &e), &out, &e);
		/* Zero length. */
		put_ptr(pi.img + VHDR_OFF + ps, 0, ps, 0);
		err_init(&e);
		assert_not_go(decode_ptr_image(&pi, &out, &e), &out, &e);
		/* Back to sane: decodes again. */
		put_ptr(pi.img + VHDR_OFF + ps, 6, ps, 0);
		assert_int_equal(decode_ptr_image(&pi, &out, &e), 0);
		assert_string_equal(out.version, "go1.16");
		gobi_release(&out);
		free(pi.img);
	}
}

static void test_ptr_layout_version_limits(void **state)
{
	char vers[GOBI_MAX_VERSION + 1];
	struct ptr_image pi;
	struct gobi out;
	struct err e;

	(void)state;
	memset(vers, '1', sizeof(vers));
	make_ptr_image(&pi, 0x1000, 0x400000, 8, 0, vers, GOBI_MAX_VERSION,
		       "", 0);
	err_init(&e);
	assert_int_equal(decode_ptr_image(&pi, &out, &e), 0);
	assert_int_equal(strlen(out.version), GOBI_MAX_VERSION);
	gobi_release(&out);
	/* 257 bytes are in the image, but over the limit. */
	memset(pi.img + VDATA_OFF, '1', GOBI_MAX_VERSION + 1);
	put_ptr(pi.img + VHDR_OFF + 8, GOBI_MAX_VERSION + 1, 8, 0);
	err_init(&e);
	assert_not_go(decode_ptr_image(&pi, &out, &e), &out, &e);
	/* A NUL inside the version. */
	put_ptr(pi.img + VHDR_OFF + 8, 8, 8, 0);
	memcpy(pi.img + VDATA_OFF, "go1.1\0ab", 8);
	err_init(&e);
	assert_not_go(decode_ptr_image(&pi, &out, &e), &out, &e);
	free(pi.img);
}

/* A bad modinfo string header costs the modules, not the version. */
static void test_ptr_layout_modinfo_outside(void **state)
{
	static const int ps_list[] = { 4, 8 };
	struct ptr_image pi;
	struct gobi out;
	struct err e;
	size_t i, mlen;
	char *mod = framed(MODTEXT, strlen(MODTEXT), &mlen);

	(void)state;
	for (i = 0; i < 2; i++) {
		int ps = ps_list[i];
		uint64_t base = 0x20000, top = base + 0x1000;

		make_ptr_image(&pi, 0x1000, base, ps, 1, "go1.17.13", 9, mod,
			       mlen);
		put_ptr(pi.img + HDR_OFF + 16 + ps, top, ps, 1);
		err_init(&e);
		assert_int_equal(decode_ptr_image(&pi, &out, &e), 0);
		assert_string_equal(out.version, "go1.17.13");
		assert_string_equal(out.modinfo, "");
		assert_int_equal(out.big_endian, 1);
		gobi_release(&out);

		put_ptr(pi.img + HDR_OFF + 16 + ps, base + MHDR_OFF, ps, 1);
		put_ptr(pi.img + MHDR_OFF, top - 10, ps, 1);
		assert_int_equal(decode_ptr_image(&pi, &out, &e), 0);
		assert_string_equal(out.version, "go1.17.13");
		assert_string_equal(out.modinfo, "");
		gobi_release(&out);

		put_ptr(pi.img + MHDR_OFF, base + MDATA_OFF, ps, 1);
		put_ptr(pi.img + MHDR_OFF + ps, GOBI_MAX_MODINFO + 1, ps, 1);
		assert_int_equal(decode_ptr_image(&pi, &out, &e), 0);
		assert_string_equal(out.modinfo, "");
		gobi_release(&out);

		put_ptr(pi.img + MHDR_OFF + ps, mlen, ps, 1);
		assert_int_equal(decode_ptr_image(&pi, &out, &e), 0);
		assert_string_equal(out.modinfo, MODTEXT);
		gobi_release(&out);
		free(pi.img);
	}
	free(mod);
}

/* GOBI_MAX_MODINFO bytes that are all there are read; one more are not. */
static void test_ptr_layout_modinfo_max(void **state)
{
	size_t n = GOBI_MAX_MODINFO, mlen;
	struct ptr_image pi;
	struct gobi out;
	struct err e;
	char *text, *mod;

	(void)state;
	text = malloc(n);
	assert_non_null(text);
	memset(text, 'y', n - 32);
	memcpy(text, "path\t", 5);
	text[n - 33] = '\n';
	mod = framed(text, n - 32, &mlen);
	assert_int_equal(mlen, n);
	make_ptr_image(&pi, MDATA_OFF + n + 16, 0x400000, 8, 0, "go1.17", 6,
		       mod, mlen);
	err_init(&e);
	assert_int_equal(decode_ptr_image(&pi, &out, &e), 0);
	assert_int_equal(strlen(out.modinfo), n - 32);
	assert_memory_equal(out.modinfo, text, n - 32);
	gobi_release(&out);

	/* Claim one byte more (still inside the image, end sentinel moved). */
	memmove(pi.img + MDATA_OFF + n - 15, pi.img + MDATA_OFF + n - 16, 16);
	pi.img[MDATA_OFF + n - 16] = '\n';
	put_ptr(pi.img + MHDR_OFF + 8, n + 1, 8, 0);
	assert_int_equal(decode_ptr_image(&pi, &out, &e), 0);
	assert_string_equal(out.version, "go1.17");
	assert_string_equal(out.modinfo, "");
	gobi_release(&out);
	free(pi.img);
	free(mod);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_find_unaligned),
		cmocka_unit_test(test_find_near_end),
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_inline_long_varint),
		cmocka_unit_test(test_inline_empty_version),
		cmocka_unit_test(test_inline_version_limits),
		cmocka_unit_test(test_inline_bad_varint),
		cmocka_unit_test(test_inline_bad_modinfo_length),
		cmocka_unit_test(test_inline_modinfo_max),
		cmocka_unit_test(test_sentinels),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_ptr_layout_64le),
		cmocka_unit_test(test_ptr_layout_64be),
		cmocka_unit_test(test_ptr_layout_32le),
		cmocka_unit_test(test_ptr_layout_32be),
		cmocka_unit_test(test_ptr_layout_needs_mem),
		cmocka_unit_test(test_ptr_layout_bad_ptr_size),
		cmocka_unit_test(test_ptr_layout_version_outside),
		cmocka_unit_test(test_ptr_layout_version_limits),
		cmocka_unit_test(test_ptr_layout_modinfo_outside),
		cmocka_unit_test(test_ptr_layout_modinfo_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
