/* Unit tests for buildinfo/elfnote.c: note iteration and fact collection. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buildinfo/elfnote.h"
#include "lib/banned.h"

/* A note blob under construction. */
struct blob {
	unsigned char buf[8192];
	size_t len;
};

static const unsigned char build_id[20] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x00, 0xff,
	0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0,
};
#define BUILD_ID_HEX "0123456789abcdef00ff102030405060708090a0"

#define GO_ID "abcDEF123/ghi-_456/jkl789/mnoPQR0"
#define PKG_JSON "{\"type\":\"rpm\",\"name\":\"hello\",\"version\":\"1.0\"}"

static void put32(unsigned char *p, uint32_t v, int be);
static void add_raw32(struct blob *b, uint32_t v, int be);
static void add_bytes(struct blob *b, const void *p, size_t n);
static void pad(struct blob *b, size_t align);
static void add_note(struct blob *b, size_t align, int be, const char *name,
		     uint32_t namesz, uint32_t type, const void *desc,
		     uint32_t descsz);
static void abi_desc(unsigned char d[16], uint32_t os, uint32_t a,
		     uint32_t b, uint32_t c, int be);
static void add_all_known(struct blob *b, size_t align, int be);
static void assert_all_known(const struct elfnote_facts *f);

static void put32(unsigned char *p, uint32_t v, int be)
{
	if (be) {
		p[0] = (unsigned char)(v >> 24);
		p[1] = (unsigned char)(v >> 16);
		p[2] = (unsigned char)(v >> 8);
		p[3] = (unsigned char)v;
	} else {
		p[0] = (unsigned char)v;
		p[1] = (unsigned char)(v >> 8);
		p[2] = (unsigned char)(v >> 16);
		p[3] = (unsigned char)(v >> 24);
	}
}

static void add_raw32(struct blob *b, uint32_t v, int be)
{
	assert_true(b->len + 4 <= sizeof(b->buf));
	put32(b->buf + b->len, v, be);
	b->len += 4;
}

static void add_bytes(struct blob *b, const void *p, size_t n)
{
	assert_true(b->len + n <= sizeof(b->buf));
	if (n)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void pad(struct blob *b, size_t align)
{
	while (b->len % align) {
		assert_true(b->len < sizeof(b->buf));
		b->buf[b->len++] = 0;
	}
}

/*
 * Appends a well-formed note: namesz bytes of name (including any NULs
 * the caller wants counted), padding, descsz bytes of desc, padding.
 */
static void add_note(struct blob *b, size_t align, int be, const char *name,
		     uint32_t namesz, uint32_t type, const void *desc,
		     uint32_t descsz)
{
	add_raw32(b, namesz, be);
	add_raw32(b, descsz, be);
	add_raw32(b, type, be);
	add_bytes(b, name, namesz);
	pad(b, align);
	add_bytes(b, desc, descsz);
	pad(b, align);
}

static void abi_desc(unsigned char d[16], uint32_t os, uint32_t a,
		     uint32_t b, uint32_t c, int be)
{
	put32(d, os, be);
	put32(d + 4, a, be);
	put32(d + 8, b, be);
	put32(d + 12, c, be);
}

/* The four notes goscope knows, in one blob. */
static void add_all_known(struct blob *b, size_t align, int be)
{
	unsigned char abi[16];

	abi_desc(abi, 0, 3, 2, 0, be);
	add_note(b, align, be, "GNU", 4, ELFNOTE_GNU_ABI_TAG, abi, 16);
	add_note(b, align, be, "GNU", 4, ELFNOTE_GNU_BUILD_ID, build_id,
		 sizeof(build_id));
	add_note(b, align, be, "Go\0", 4, ELFNOTE_GO_BUILD_ID, GO_ID,
		 (uint32_t)strlen(GO_ID));
	add_note(b, align, be, "FDO", 4, ELFNOTE_FDO_PACKAGE, PKG_JSON,
		 (uint32_t)strlen(PKG_JSON) + 1);
}

static void assert_all_known(const struct elfnote_facts *f)
{
	assert_non_null(f->gnu_build_id);
	assert_string_equal(f->gnu_build_id, BUILD_ID_HEX);
	assert_non_null(f->go_build_id);
	assert_string_equal(f->go_build_id, GO_ID);
	assert_non_null(f->package_json);
	assert_string_equal(f->package_json, PKG_JSON);
	assert_non_null(f->abi_tag);
	assert_string_equal(f->abi_tag, "Linux 3.2.0");
}

static void test_next_gnu_build_id(void **state)
{
	struct blob b = { .len = 0 };
	struct elfnote note;
	struct err e;
	size_t pos = 0;

	(void)state;
	err_init(&e);
	add_note(&b, 4, 0, "GNU", 4, ELFNOTE_GNU_BUILD_ID, build_id,
		 sizeof(build_id));
	assert_int_equal(b.len, 36);
	assert_int_equal(elfnote_next(b.buf, b.len, 4, 0, &pos, &note, &e),
			 1);
	assert_int_equal(note.type, ELFNOTE_GNU_BUILD_ID);
	assert_int_equal(note.namesz, 3);
	assert_memory_equal(note.name, "GNU", 4);
	assert_ptr_equal(note.name, (const char *)b.buf + 12);
	assert_ptr_equal(note.desc, b.buf + 16);
	assert_int_equal(note.descsz, 20);
	assert_memory_equal(note.desc, build_id, 20);
	assert_int_equal(pos, 36);
	assert_true(elfnote_is(&note, "GNU", ELFNOTE_GNU_BUILD_ID));
	assert_false(elfnote_is(&note, "GNU", ELFNOTE_GNU_ABI_TAG));
	assert_false(elfnote_is(&note, "GN", ELFNOTE_GNU_BUILD_ID));
	assert_false(elfnote_is(&note, "GNUX", ELFNOTE_GNU_BUILD_ID));
	assert_false(elfnote_is(&note, "Go", ELFNOTE_GNU_BUILD_ID));
	assert_int_equal(elfnote_next(b.buf, b.len, 4, 0, &pos, &note, &e),
			 0);
	assert_int_equal(pos, 36);
	assert_int_equal(e.code, 0);
}

static void test_collect_gnu_build_id(void **state)
{
	struct elfnote_facts f = { .gnu_build_id = NULL };
	struct blob b = { .len = 0 };
	struct err e;

	(void)state;
	err_init(&e);
	add_note(&b, 4, 0, "GNU", 4, ELFNOTE_GNU_BUILD_ID, build_id,
		 sizeof(build_id));
	assert_int_equal(elfnote_collect(b.buf, b.len, 4, 0, &f, &e), 0);
	assert_string_equal(f.gnu_build_id, BUILD_ID_HEX);
	assert_null(f.go_build_id);
	assert_null(f.package_json);
	assert_null(f.abi_tag);
	elfnote_facts_release(&f);
	assert_null(f.gnu_build_id);
}

/* A 1-byte build id (odd size, padded) and a 256-byte one (the limit). */
static void test_collect_build_id_sizes(void **state)
{
	unsigned char big[257];
	struct elfnote_facts f = { .gnu_build_id = NULL };
	struct blob b = { .len = 0 };
	unsigned char one = 0x7a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)i;
	add_note(&b, 4, 0, "GNU", 4, ELFNOTE_GNU_BUILD_ID, &one, 1);
	assert_int_equal(elfnote_collect(b.buf, b.len, 4, 0, &f, NULL), 0);
	assert_string_equal(f.gnu_build_id, "7a");
	elfnote_facts_release(&f);

	/* Empty and oversized ids are skipped; the next one is taken. */
	b.len = 0;
	add_note(&b, 4, 0, "GNU", 4, ELFNOTE_GNU_BUILD_ID, "", 0);
	add_note(&b, 4, 0, "GNU", 4, ELFNOTE_GNU_BUILD_ID, big, 257);
	add_note(&b, 4, 0, "GNU", 4, ELFNOTE_GNU_BUILD_ID, big, 256);
	assert_int_equal(elfnote_collect(b.buf, b.len, 4, 0, &f, NULL), 0);
	assert_non_null(f.gnu_build_id);
	assert_int_equal(strlen(f.gnu_build_id), 512);
	assert_memory_equal(f.gnu_build_id, "000102030405", 12);
	assert_string_equal(f.gnu_build_id + 500, "fafbfcfdfeff");
	elfnote_facts_release(&f);
}

static void test_collect_go_build_id(void **state)
{
	struct elfnote_facts f = { .gnu_build_id = NULL };
	struct blob b = { .len = 0 };
	struct elfnote note;
	size_t pos = 0;

	(void)state;
	/* As the Go linker writes it: namesz 4, "Go\0\0". */
	add_note(&b, 4, 0, "Go\0", 4, ELFNOTE_GO_BUILD_ID, GO_ID,
		 (uint32_t)strlen(GO_ID));
	assert_int_equal(elfnote_next(b.buf, b.len, 4, 0, &pos, &note, NULL),
			 1);
	assert_int_equal(note.namesz, 2);
	assert_true(elfnote_is(&note, "Go", ELFNOTE_GO_BUILD_ID));
	assert_int_equal(note.descsz, strlen(GO_ID));
	assert_int_equal(elfnote_collect(b.buf, b.len, 4, 0, &f, NULL), 0);
	assert_string_equal(f.go_build_id, GO_ID);
	assert_null(f.gnu_build_id);
	elfnote_facts_release(&f);
}

/* The payload stops at the first NUL; control characters become '?'. */
static void test_collect_go_build_id_sanitised(void **state)
{
	static const char desc[] = "ab\x01" "c\td\ne\x1f" "f\0garbage";
	struct elfnote_facts f = { .gnu_build_id = NULL };
	struct blob b = { .len = 0 };

	(void)state;
	add_note(&b, 4, 0, "Go\0", 4, ELFNOTE_GO_BUILD_ID, desc,
		 sizeof(desc));
	assert_int_equal(elfnote_collect(b.buf, b.len, 4, 0, &f, NULL), 0);
	assert_string_equal(f.go_build_id, "ab?c\td\ne?f");
	elfnote_facts_release(&f);

	/* A "Go" note of another type is not a build id. */
	b.len = 0;
	add_note(&b, 4, 0, "Go\0", 4, 1, GO_ID, (uint32_t)strlen(GO_ID));
	assert_int_equal(elfnote_collect(b.buf, b.len, 4, 0, &f, NULL), 0);
	assert_null(f.go_build_id);
	elfnote_facts_release(&f);
}

static void test_collect_fdo_package(void **state)
{
	struct elfnote_facts f = { .gnu_build_id = NULL };
	struct blob b = { .len = 0 };

	(void)state;
	/* systemd's .note.package: owner "FDO", NUL-terminated JSON. */
	add_note(&b, 4, 0, "FDO", 4, ELFNOTE_FDO_PACKAGE, PKG_JSON,
		 (uint32_t)strlen(PKG_JSON) + 1);
	assert_int_equal(elfnote_collect(b.buf, b.len, 4, 0, &f, NULL), 0);
	assert_string_equal(f.package_json, PKG_JSON);
	assert_null(f.gnu_build_id);
	assert_null(f.go_build_id);
	assert_null(f.abi_tag);
	elfnote_facts_release(&f);
}

static void test_collect_fdo_package_too_big(void **state)
{
	const size_t n = 64 * 1024 + 1;
	unsigned char *big = malloc(n + 64);
	struct elfnote_facts f = { .gnu_build_id = NULL };
	struct blob small = { .len = 0 };
	unsigned char *blob;
	size_t len;

	(void)state;
	assert_non_null(big);
	/* Header, name, then the payload; n + 3 pads to a multiple of 4. */
	put32(big, 4, 0);
	put32(big + 4, (uint32_t)n, 0);
	put32(big + 8, ELFNOTE_FDO_PACKAGE, 0);
	memcpy(big + 12, "FDO", 4);
	memset(big + 16, 'x', n + 3);
	len = 16 + n + 3;
	add_note(&small, 4, 0, "FDO", 4, ELFNOTE_FDO_PACKAGE, "{}", 3);
	blob = malloc(len + small.len);
	assert_non_null(blob);
	memcpy(blob, big, len);
	memcpy(blob + len, small.buf, small.len);
	assert_int_equal(elfnote_collect(blob, len + small.len, 4, 0, &f,
					 NULL), 0);
	assert_string_equal(f.package_json, "{}");
	elfnote_facts_release(&f);
	free(blob);
	free(big);
}

static void test_collect_abi_tag(void **state)
{
	struct elfnote_facts f = { .gnu_build_id = NULL };
	struct blob b = { .len = 0 };
	unsigned char d[16];

	(void)state;
	abi_desc(d, 0, 2, 6, 32, 0);
	add_note(&b, 4, 0, "GNU", 4, ELFNOTE_GNU_ABI_TAG, d, 16);
	assert_int_equal(elfnote_collect(b.buf, b.len, 4, 0, &f, NULL), 0);
	assert_string_equal(f.abi_tag, "Linux 2.6.32");
	elfnote_facts_release(&f);

	b.len = 0;
	abi_desc(d, 3, 12, 0, 4294967295u, 0);
	add_note(&b, 4, 0, "GNU", 4, ELFNOTE_GNU_ABI_TAG, d, 16);
	assert_int_equal(elfnote_collect(b.buf, b.len, 4, 0, &f, NULL), 0);
	assert_string_equal(f.abi_tag, "FreeBSD 12.0.4294967295");
	elfnote_facts_release(&f);

	b.len = 0;
	abi_desc(d, 4, 1, 2, 3, 0);
	add_note(&b, 4, 0, "GNU", 4, ELFNOTE_GNU_ABI_TAG, d, 16);
	assert_int_equal(elfnote_collect(b.buf, b.len, 4, 0, &f, NULL), 0);
	assert_string_equal(f.abi_tag, "unknown 1.2.3");
	elfnote_facts_release(&f);

	/* Too short to hold four words: ignored. */
	b.len = 0;
	add_note(&b, 4, 0, "GNU", 4, ELFNOTE_GNU_ABI_TAG, d, 12);
	assert_int_equal(elfnote_collect(b.buf, b.len, 4, 0, &f, NULL), 0);
	assert_null(f.abi_tag);
	elfnote_facts_release(&f);
}

static void test_collect_all_align4(void **state)
{
	struct elfnote_facts f = { .gnu_build_id = NULL };
	struct blob b = { .len = 0 };
	struct err e;

	(void)state;
	err_init(&e);
	add_all_known(&b, 4, 0);
	assert_int_equal(elfnote_collect(b.buf, b.len, 4, 0, &f, &e), 0);
	assert_all_known(&f);
	elfnote_facts_release(&f);
	assert_null(f.gnu_build_id);
	assert_null(f.go_build_id);
	assert_null(f.package_json);
	assert_null(f.abi_tag);
}

/* Only the first note of each kind is kept. */
static void test_collect_keeps_first(void **state)
{
	static const unsigned char other_id[4] = { 0xde, 0xad, 0xbe, 0xef };
	struct elfnote_facts f = { .gnu_build_id = NULL };
	struct blob b = { .len = 0 };
	unsigned char d[16];

	(void)state;
	add_note(&b, 4, 0, "GNU", 4, ELFNOTE_GNU_BUILD_ID, other_id, 4);
	add_note(&b, 4, 0, "Go\0", 4, ELFNOTE_GO_BUILD_ID, "first", 5);
	add_all_known(&b, 4, 0);
	abi_desc(d, 1, 9, 9, 9, 0);
	add_note(&b, 4, 0, "GNU", 4, ELFNOTE_GNU_ABI_TAG, d, 16);
	assert_int_equal(elfnote_collect(b.buf, b.len, 4, 0, &f, NULL), 0);
	assert_string_equal(f.gnu_build_id, "deadbeef");
	assert_string_equal(f.go_build_id, "first");
	assert_string_equal(f.abi_tag, "Linux 3.2.0");
	assert_string_equal(f.package_json, PKG_JSON);
	elfnote_facts_release(&f);
}

/* Notes from other owners or with unknown types are skipped. */
static void test_collect_ignores_unknown(void **state)
{
	static const unsigned char prop[16] = {
		0x02, 0x00, 0x00, 0xc0, 0x04, 0x00, 0x00, 0x00,
		0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct elfnote_facts f = { .gnu_build_id = NULL };
	struct blob b = { .len = 0 };

	(void)state;
	/* NT_GNU_PROPERTY_TYPE_0 and a build id under a foreign owner. */
	add_note(&b, 8, 0, "GNU", 4, 5, prop, sizeof(prop));
	add_note(&b, 8, 0, "LLVM", 5, ELFNOTE_GNU_BUILD_ID, build_id, 20);
	add_note(&b, 8, 0, "GNUX", 5, ELFNOTE_GNU_BUILD_ID, build_id, 20);
	add_note(&b, 8, 0, "Go\0", 4, ELFNOTE_GNU_BUILD_ID, build_id, 20);
	assert_int_equal(elfnote_collect(b.buf, b.len, 8, 0, &f, NULL), 0);
	assert_null(f.gnu_build_id);
	assert_null(f.go_build_id);
	assert_null(f.package_json);
	assert_null(f.abi_tag);
	elfnote_facts_release(&f);
}

/*
 * With namesz 6 ("Linux\0"), the descriptor starts at 20 with 4-byte
 * alignment and at 24 with 8-byte alignment.
 */
static void test_next_alignment(void **state)
{
	static const unsigned char desc[5] = { 1, 2, 3, 4, 5 };
	struct blob b4 = { .len = 0 }, b8 = { .len = 0 };
	struct elfnote note;
	struct err e;
	size_t pos;

	(void)state;
	err_init(&e);
	add_note(&b4, 4, 0, "Linux", 6, 0x100, desc, 5);
	add_note(&b4, 4, 0, "GNU", 4, ELFNOTE_GNU_BUILD_ID, build_id, 20);
	add_note(&b8, 8, 0, "Linux", 6, 0x100, desc, 5);
	add_note(&b8, 8, 0, "GNU", 4, ELFNOTE_GNU_BUILD_ID, build_id, 20);
	assert_int_equal(b4.len, 28 + 36);
	assert_int_equal(b8.len, 32 + 40);

	pos = 0;
	assert_int_equal(elfnote_next(b4.buf, b4.len, 4, 0, &pos, &note, &e),
			 1);
	assert_string_equal(note.name, "Linux");
	assert_int_equal(note.namesz, 5);
	assert_ptr_equal(note.desc, b4.buf + 20);
	assert_memory_equal(note.desc, desc, 5);
	assert_int_equal(pos, 28);
	assert_int_equal(elfnote_next(b4.buf, b4.len, 4, 0, &pos, &note, &e),
			 1);
	assert_true(elfnote_is(&note, "GNU", ELFNOTE_GNU_BUILD_ID));
	assert_ptr_equal(note.desc, b4.buf + 44);
	assert_int_equal(pos, 64);
	assert_int_equal(elfnote_next(b4.buf, b4.len, 4, 0, &pos, &note, &e),
			 0);

	pos = 0;
	assert_int_equal(elfnote_next(b8.buf, b8.len, 8, 0, &pos, &note, &e),
			 1);
	assert_string_equal(note.name, "Linux");
	assert_ptr_equal(note.desc, b8.buf + 24);
	assert_memory_equal(note.desc, desc, 5);
	assert_int_equal(pos, 32);
	assert_int_equal(elfnote_next(b8.buf, b8.len, 8, 0, &pos, &note, &e),
			 1);
	assert_true(elfnote_is(&note, "GNU", ELFNOTE_GNU_BUILD_ID));
	assert_ptr_equal(note.desc, b8.buf + 48);
	assert_memory_equal(note.desc, build_id, 20);
	assert_int_equal(pos, 72);
	assert_int_equal(elfnote_next(b8.buf, b8.len, 8, 0, &pos, &note, &e),
			 0);
	assert_int_equal(e.code, 0);

	/* Reading the 8-aligned blob with 4-byte alignment goes astray. */
	pos = 0;
	assert_int_equal(elfnote_next(b8.buf, b8.len, 4, 0, &pos, &note, &e),
			 1);
	assert_ptr_equal(note.desc, b8.buf + 20);
	assert_int_equal(pos, 28);
	assert_int_equal(elfnote_next(b8.buf, b8.len, 4, 0, &pos, &note, &e),
			 1);
	assert_false(elfnote_is(&note, "GNU", ELFNOTE_GNU_BUILD_ID));
}

static void test_collect_all_align8(void **state)
{
	struct elfnote_facts f = { .gnu_build_id = NULL };
	struct blob b = { .len = 0 };

	(void)state;
	add_note(&b, 8, 0, "Linux", 6, 0x100, "x", 1);
	add_all_known(&b, 8, 0);
	assert_int_equal(elfnote_collect(b.buf, b.len, 8, 0, &f, NULL), 0);
	assert_all_known(&f);
	elfnote_facts_release(&f);
}

/* Any alignment other than 8 (0, 1, 2, 16 from a hostile header) is 4. */
static void test_odd_alignments_mean_4(void **state)
{
	static const size_t aligns[] = { 0, 1, 2, 3, 16, 4096 };
	struct blob b = { .len = 0 };
	size_t i;

	(void)state;
	add_note(&b, 4, 0, "Linux", 6, 0x100, "x", 1);
	add_all_known(&b, 4, 0);
	for (i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		struct elfnote_facts f = { .gnu_build_id = NULL };

		assert_int_equal(elfnote_collect(b.buf, b.len, aligns[i], 0,
						 &f, NULL), 0);
		assert_all_known(&f);
		elfnote_facts_release(&f);
	}
}

static void test_collect_big_endian(void **state)
{
	struct elfnote_facts f = { .gnu_build_id = NULL };
	struct blob b = { .len = 0 };
	struct elfnote note;
	struct err e;
	size_t pos = 0;

	(void)state;
	err_init(&e);
	add_all_known(&b, 4, 1);
	/* First word is namesz 4, big-endian. */
	assert_memory_equal(b.buf, "\0\0\0\4\0\0\0\x10\0\0\0\1", 12);
	assert_int_equal(elfnote_next(b.buf, b.len, 4, 1, &pos, &note, &e),
			 1);
	assert_int_equal(note.type, ELFNOTE_GNU_ABI_TAG);
	assert_int_equal(note.descsz, 16);
	assert_int_equal(elfnote_collect(b.buf, b.len, 4, 1, &f, &e), 0);
	assert_all_known(&f);
	elfnote_facts_release(&f);

	/* The same blob read as little-endian: namesz 0x04000000. */
	assert_int_equal(elfnote_collect(b.buf, b.len, 4, 0, &f, &e),
			 -EINVAL);
	assert_int_equal(e.code, EINVAL);
	assert_null(f.abi_tag);
	assert_null(f.gnu_build_id);
	elfnote_facts_release(&f);

	b.len = 0;
	add_all_known(&b, 8, 1);
	assert_int_equal(elfnote_collect(b.buf, b.len, 8, 1, &f, &e), 0);
	assert_all_known(&f);
	elfnote_facts_release(&f);
}

static void test_empty_blob(void **state)
{
	static const unsigned char nothing[1] = { 0 };
	struct elfnote_facts f = { .gnu_build_id = NULL };
	struct elfnote note;
	struct err e;
	size_t pos = 0;

	(void)state;
	err_init(&e);
	assert_int_equal(elfnote_next(nothing, 0, 4, 0, &pos, &note, &e), 0);
	assert_int_equal(pos, 0);
	assert_int_equal(elfnote_next(NULL, 0, 8, 1, &pos, &note, &e), 0);
	assert_int_equal(elfnote_collect(nothing, 0, 4, 0, &f, &e), 0);
	assert_int_equal(elfnote_collect(NULL, 0, 4, 0, &f, &e), 0);
	assert_int_equal(e.code, 0);
	assert_string_equal(e.msg, "");
	assert_null(f.gnu_build_id);
	assert_null(f.go_build_id);
	assert_null(f.package_json);
	assert_null(f.abi_tag);
	/* A position at or past the end is the end. */
	pos = 5;
	assert_int_equal(elfnote_next(nothing, 1, 4, 0, &pos, &note, &e), 0);
}

static void test_truncated_header(void **state)
{
	struct elfnote_facts f = { .gnu_build_id = NULL };
	struct blob b = { .len = 0 };
	struct elfnote note;
	struct err e;
	size_t pos, n;

	(void)state;
	add_note(&b, 4, 0, "GNU", 4, ELFNOTE_GNU_BUILD_ID, build_id, 20);
	/* Every prefix of a header is an error, never a read past len. */
	for (n = 1; n < 12; n++) {
		err_init(&e);
		pos = 0;
		assert_int_equal(elfnote_next(b.buf, n, 4, 0, &pos, &note,
					      &e), -EINVAL);
		assert_int_equal(e.code, EINVAL);
		assert_string_equal(e.msg,
				    "truncated note header at offset 0");
		assert_int_equal(pos, 0);
	}

	/* Damage after a good note: the good note's facts are kept. */
	add_bytes(&b, "\4\0\0\0\0\0\0\0", 8);
	err_init(&e);
	assert_int_equal(elfnote_collect(b.buf, b.len, 4, 0, &f, &e),
			 -EINVAL);
	assert_string_equal(e.msg, "truncated note header at offset 36");
	assert_string_equal(f.gnu_build_id, BUILD_ID_HEX);
	elfnote_facts_release(&f);

	/* A NULL err is allowed. */
	assert_int_equal(elfnote_collect(b.buf, b.len, 4, 0, &f, NULL),
			 -EINVAL);
	elfnote_facts_release(&f);
}

/* A header whose sizes run past the blob by a little. */
static void test_overrun(void **state)
{
	struct blob b = { .len = 0 };
	struct elfnote note;
	struct err e;
	size_t pos;

	(void)state;
	add_note(&b, 4, 0, "GNU", 4, ELFNOTE_GNU_BUILD_ID, build_id, 20);

	/* descsz one byte too large. */
	put32(b.buf + 4, 21, 0);
	err_init(&e);
	pos = 0;
	assert_int_equal(elfnote_next(b.buf, 36, 4, 0, &pos, &note, &e),
			 -EINVAL);
	assert_int_equal(e.code, EINVAL);
	assert_string_equal(e.msg,
			    "note at offset 0 overruns its section "
			    "(namesz 4, descsz 21, section 36 bytes)");
	assert_int_equal(pos, 0);

	/* descsz exact, but the blob lacks the final padding: accepted. */
	put32(b.buf + 4, 19, 0);
	pos = 0;
	assert_int_equal(elfnote_next(b.buf, 35, 4, 0, &pos, &note, &e), 1);
	assert_int_equal(note.descsz, 19);
	assert_int_equal(pos, 35);
	assert_int_equal(elfnote_next(b.buf, 35, 4, 0, &pos, &note, &e), 0);

	/* namesz reaching past the end. */
	put32(b.buf, 25, 0);
	put32(b.buf + 4, 0, 0);
	err_init(&e);
	pos = 0;
	assert_int_equal(elfnote_next(b.buf, 36, 4, 0, &pos, &note, &e),
			 -EINVAL);
	assert_string_equal(e.msg,
			    "note at offset 0 overruns its section "
			    "(namesz 25, descsz 0, section 36 bytes)");

	/* namesz ends at len but its padding does not fit. */
	put32(b.buf, 23, 0);
	err_init(&e);
	pos = 0;
	assert_int_equal(elfnote_next(b.buf, 35, 4, 0, &pos, &note, &e),
			 -EINVAL);
	assert_int_equal(e.code, EINVAL);

	/* namesz exactly to the end, descsz 0: fine. */
	put32(b.buf, 24, 0);
	pos = 0;
	assert_int_equal(elfnote_next(b.buf, 36, 4, 0, &pos, &note, &e), 1);
	assert_int_equal(note.descsz, 0);
	assert_ptr_equal(note.desc, b.buf + 36);
	assert_int_equal(pos, 36);
}

/* Sizes near UINT32_MAX must not wrap the offset arithmetic. */
static void test_huge_sizes(void **state)
{
	static const uint32_t huge[] = {
		0xffffffffu, 0xfffffffeu, 0xfffffffdu, 0xfffffffcu,
		0xfffffff4u, 0x80000000u, 0x7fffffffu,
	};
	struct elfnote_facts f = { .gnu_build_id = NULL };
	unsigned char blob[48];
	struct elfnote note;
	struct err e;
	size_t i, pos;
	int be;

	(void)state;
	for (be = 0; be <= 1; be++) {
		for (i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
			size_t align;

			for (align = 4; align <= 8; align += 4) {
				memset(blob, 'A', sizeof(blob));
				put32(blob, huge[i], be);
				put32(blob + 4, 4, be);
				put32(blob + 8, 3, be);
				err_init(&e);
				pos = 0;
				assert_int_equal(elfnote_next(blob,
					sizeof(blob), align, be, &pos, &note,
					&e), -EINVAL);
				assert_int_equal(e.code, EINVAL);
				assert_int_equal(pos, 0);

				put32(blob, 4, be);
				put32(blob + 4, huge[i], be);
				err_init(&e);
				assert_int_equal(elfnote_next(blob,
					sizeof(blob), align, be, &pos, &note,
					&e), -EINVAL);
				assert_int_equal(pos, 0);

				put32(blob, huge[i], be);
				assert_int_equal(elfnote_collect(blob,
					sizeof(blob), align, be, &f, &e),
					-EINVAL);
				assert_null(f.gnu_build_id);
				elfnote_facts_release(&f);
			}
		}
	}

	/* The message names the sizes as read. */
	put32(blob, 0xffffffffu, 0);
	put32(blob + 4, 0xfffffffcu, 0);
	err_init(&e);
	pos = 0;
	assert_int_equal(elfnote_next(blob, sizeof(blob), 4, 0, &pos, &note,
				      &e), -EINVAL);
	assert_string_equal(e.msg,
			    "note at offset 0 overruns its section "
			    "(namesz 4294967295, descsz 4294967292, "
			    "section 48 bytes)");

	/* A huge size in a second note, after a good one. */
	{
		struct blob b = { .len = 0 };

		add_note(&b, 8, 0, "Go\0", 4, ELFNOTE_GO_BUILD_ID, "id", 2);
		add_raw32(&b, 4, 0);
		add_raw32(&b, 0xfffffff0u, 0);
		add_raw32(&b, ELFNOTE_GNU_BUILD_ID, 0);
		add_bytes(&b, "GNU\0", 4);
		err_init(&e);
		assert_int_equal(elfnote_collect(b.buf, b.len, 8, 0, &f, &e),
				 -EINVAL);
		assert_string_equal(e.msg,
				    "note at offset 24 overruns its section "
				    "(namesz 4, descsz 4294967280, "
				    "section 40 bytes)");
		assert_string_equal(f.go_build_id, "id");
		elfnote_facts_release(&f);
	}
}

static void test_namesz_zero(void **state)
{
	struct elfnote_facts f = { .gnu_build_id = NULL };
	struct blob b = { .len = 0 };
	struct elfnote note;
	size_t pos = 0;

	(void)state;
	add_note(&b, 4, 0, "", 0, ELFNOTE_GNU_BUILD_ID, build_id, 20);
	add_note(&b, 4, 0, "", 0, 7, "", 0);
	assert_int_equal(b.len, 32 + 12);
	assert_int_equal(elfnote_next(b.buf, b.len, 4, 0, &pos, &note, NULL),
			 1);
	assert_int_equal(note.namesz, 0);
	assert_int_equal(note.type, ELFNOTE_GNU_BUILD_ID);
	assert_ptr_equal(note.desc, b.buf + 12);
	assert_int_equal(note.descsz, 20);
	assert_false(elfnote_is(&note, "GNU", ELFNOTE_GNU_BUILD_ID));
	assert_int_equal(pos, 32);
	/* The last note is a bare 12-byte header at the very end. */
	assert_int_equal(elfnote_next(b.buf, b.len, 4, 0, &pos, &note, NULL),
			 1);
	assert_int_equal(note.namesz, 0);
	assert_int_equal(note.descsz, 0);
	assert_int_equal(note.type, 7);
	assert_int_equal(pos, 44);
	assert_int_equal(elfnote_next(b.buf, b.len, 4, 0, &pos, &note, NULL),
			 0);
	assert_int_equal(elfnote_collect(b.buf, b.len, 4, 0, &f, NULL), 0);
	assert_null(f.gnu_build_id);
	elfnote_facts_release(&f);
}

/* Producers that leave out the NUL (namesz 3 for "GNU") still match. */
static void test_name_without_nul(void **state)
{
	struct elfnote_facts f = { .gnu_build_id = NULL };
	struct blob b = { .len = 0 };
	struct elfnote note;
	size_t pos = 0;

	(void)state;
	add_note(&b, 4, 0, "GNU", 3, ELFNOTE_GNU_BUILD_ID, build_id, 20);
	add_note(&b, 4, 0, "Go", 2, ELFNOTE_GO_BUILD_ID, GO_ID,
		 (uint32_t)strlen(GO_ID));
	assert_int_equal(elfnote_next(b.buf, b.len, 4, 0, &pos, &note, NULL),
			 1);
	assert_int_equal(note.namesz, 3);
	assert_true(elfnote_is(&note, "GNU", ELFNOTE_GNU_BUILD_ID));
	assert_int_equal(elfnote_collect(b.buf, b.len, 4, 0, &f, NULL), 0);
	assert_string_equal(f.gnu_build_id, BUILD_ID_HEX);
	assert_string_equal(f.go_build_id, GO_ID);
	elfnote_facts_release(&f);

	/* Owner "GNU\0\0\0\0\0" (namesz 8) is still "GNU". */
	b.len = 0;
	add_note(&b, 4, 0, "GNU\0\0\0\0", 8, ELFNOTE_GNU_BUILD_ID, build_id,
		 20);
	assert_int_equal(elfnote_collect(b.buf, b.len, 4, 0, &f, NULL), 0);
	assert_string_equal(f.gnu_build_id, BUILD_ID_HEX);
	elfnote_facts_release(&f);
}

/* The iterator may start in the middle, e.g. to resume a scan. */
static void test_resume_from_pos(void **state)
{
	struct blob b = { .len = 0 };
	struct elfnote note;
	size_t pos;

	(void)state;
	add_all_known(&b, 4, 0);
	pos = 32;
	assert_int_equal(elfnote_next(b.buf, b.len, 4, 0, &pos, &note, NULL),
			 1);
	assert_true(elfnote_is(&note, "GNU", ELFNOTE_GNU_BUILD_ID));
	assert_int_equal(pos, 68);
	assert_int_equal(elfnote_next(b.buf, b.len, 4, 0, &pos, &note, NULL),
			 1);
	assert_true(elfnote_is(&note, "Go", ELFNOTE_GO_BUILD_ID));
	assert_int_equal(note.descsz, strlen(GO_ID));
	assert_memory_equal(note.desc, GO_ID, strlen(GO_ID));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next_gnu_build_id),
		cmocka_unit_test(test_collect_gnu_build_id),
		cmocka_unit_test(test_collect_build_id_sizes),
		cmocka_unit_test(test_collect_go_build_id),
		cmocka_unit_test(test_collect_go_build_id_sanitised),
		cmocka_unit_test(test_collect_fdo_package),
		cmocka_unit_test(test_collect_fdo_package_too_big),
		cmocka_unit_test(test_collect_abi_tag),
		cmocka_unit_test(test_collect_all_align4),
		cmocka_unit_test(test_collect_keeps_first),
		cmocka_unit_test(test_collect_ignores_unknown),
		cmocka_unit_test(test_next_alignment),
		cmocka_unit_test(test_collect_all_align8),
		cmocka_unit_test(test_odd_alignments_mean_4),
		cmocka_unit_test(test_collect_big_endian),
		cmocka_unit_test(test_empty_blob),
		cmocka_unit_test(test_truncated_header),
		cmocka_unit_test(test_overrun),
		cmocka_unit_test(test_huge_sizes),
		cmocka_unit_test(test_namesz_zero),
		cmocka_unit_test(test_name_without_nul),
		cmocka_unit_test(test_resume_from_pos),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
