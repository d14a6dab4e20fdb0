/* libFuzzer harness for buildinfo/gobuildinfo.c and the modinfo it yields. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buildinfo/gobuildinfo.h"
#include "buildinfo/modinfo.h"
#include "inspect/memsrc.h"
#include "lib/strbuf.h"
#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_modinfo(const char *text);
static void decode_at(const unsigned char *img, size_t size, size_t off,
		      struct memsrc *mem);

/*
 * Whatever parses must format to text that parses again and formats to
 * the same bytes.
 */
static void check_modinfo(const char *text)
{
	struct modinfo mi, mi2;
	struct strbuf sb, sb2;
	struct err e;

	err_init(&e);
	if (modinfo_parse(text, &mi, &e) < 0) {
		if (e.code != EINVAL || strncmp(e.msg, "could not parse Go "
						"build info: line ", 34))
			abort();
		modinfo_release(&mi);
		return;
	}
	strbuf_init(&sb);
	modinfo_format(&mi, &sb);
	if (modinfo_parse(sb.buf, &mi2, &e) < 0)
		abort();
	strbuf_init(&sb2);
	modinfo_format(&mi2, &sb2);
	if (sb.len != sb2.len || memcmp(sb.buf, sb2.buf, sb.len))
		abort();
	strbuf_release(&sb2);
	strbuf_release(&sb);
	modinfo_release(&mi2);
	modinfo_release(&mi);
}

static void decode_at(const unsigned char *img, size_t size, size_t off,
		      struct memsrc *mem)
{
	struct gobi bi;
	struct err e;
	int r;

	err_init(&e);
	r = gobi_decode(img + off, size - off, mem, &bi, &e);
	if (r < 0) {
		if ((r != -ENOEXEC && r != -EINVAL) || bi.version ||
		    bi.modinfo)
			abort();
		return;
	}
	if (!bi.version || !bi.modinfo || !bi.version[0] ||
	    strlen(bi.version) > GOBI_MAX_VERSION ||
	    strlen(bi.modinfo) > GOBI_MAX_MODINFO)
		abort();
	if (!bi.inline_strings && bi.ptr_size != 4 && bi.ptr_size != 8)
		abort();
	check_modinfo(bi.modinfo);
	gobi_release(&bi);
}

/*
 * The input is an image visible at address 0 (data[0] & 1: at 0x1000),
 * so pre-1.18 pointers can point back into it.  The header is searched
 * like elfinfo does, and also decoded in place at offset 0.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct memsrc *mem;
	unsigned char *img;
	size_t off;
	uint64_t base;

	if (size < 1)
		return 0;
	base = (data[0] & 1) ? 0x1000 : 0;
	img = malloc(size);
	if (!img)
		return 0;
	memcpy(img, data, size);
	mem = memsrc_buf_new(img, size, base);
	if (gobi_find(img, size, &off)) {
		if (off % GOBI_ALIGN || off + GOBI_HEADER_LEN > size ||
		    memcmp(img + off, GOBI_MAGIC, GOBI_MAGIC_LEN))
			abort();
		decode_at(img, size, off, mem);
		decode_at(img, size, off, NULL);
	} else {
		decode_at(img, size, 0, mem);
	}
	memsrc_free(mem);
	free(img);
	return 0;
}
