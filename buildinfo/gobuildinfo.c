/* .go.buildinfo: locating the header and decoding both of its layouts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buildinfo/gobuildinfo.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define FLAG_BIG_ENDIAN 1
#define FLAG_INLINE 2
#define SENTINEL_LEN 16

static int uvarint(const unsigned char *p, size_t len, uint64_t *v,
		   size_t *n);
static int decode_inline(const unsigned char *p, size_t len, char **s,
			 size_t *slen, size_t *used, size_t max);
static uint64_t rdptr(const unsigned char *p, int size, int big_endian);
static int read_gostring(struct memsrc *mem, uint64_t addr, int ptr_size,
			 int big_endian, size_t max, char **s, size_t *slen,
			 struct err *e);
static char *strip_sentinels(char *mod, size_t len);

int gobi_find(const unsigned char *data, size_t len, size_t *off)
{
	size_t i;

	for (i = 0; i + GOBI_HEADER_LEN <= len; i += GOBI_ALIGN) {
		if (!memcmp(data + i, GOBI_MAGIC, GOBI_MAGIC_LEN)) {
			*off = i;
			return 1;
		}
	}
	return 0;
}

/* encoding/binary.Uvarint: returns 0 on success. */
static int uvarint(const unsigned char *p, size_t len, uint64_t *v,
		   size_t *n)
{
	uint64_t x = 0;
	unsigned int s = 0;
	size_t i;

	for (i = 0; i < len && i < 10; i++) {
		unsigned char b = p[i];

		if (b < 0x80) {
			if (i == 9 && b > 1)
				return -1;
			*v = x | (uint64_t)b << s;
			*n = i + 1;
			return 0;
		}
		x |= (uint64_t)(b & 0x7f) << s;
		s += 7;
	}
	return -1;
}

static int decode_inline(const unsigned char *p, size_t len, char **s,
			 size_t *slen, size_t *used, size_t max)
{
	uint64_t u;
	size_t n;

	if (uvarint(p, len, &u, &n) < 0 || u > len - n || u > max)
		return -1;
	*s = xmemdupz(p + n, (size_t)u);
	*slen = (size_t)u;
	*used = n + (size_t)u;
	return 0;
}

static uint64_t rdptr(const unsigned char *p, int size, int big_endian)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < size; i++) {
		int idx = big_endian ? i : size - 1 - i;

		v = v << 8 | p[idx];
	}
	return v;
}

static int read_gostring(struct memsrc *mem, uint64_t addr, int ptr_size,
			 int big_endian, size_t max, char **s, size_t *slen,
			 struct err *e)
{
	unsigned char hdr[16];
	uint64_t data, len;
	char *buf;
	int r;

	r = memsrc_read_full(mem, addr, hdr, (size_t)(2 * ptr_size), e);
	if (r < 0)
		return r;
	data = rdptr(hdr, ptr_size, big_endian);
	len = rdptr(hdr + ptr_size, ptr_size, big_endian);
	if (len > max)
		return err_set(e, EINVAL,
			       "string at 0x%llx claims %llu bytes",
			       (unsigned long long)addr,
			       (unsigned long long)len);
	buf = xmalloc((size_t)len + 1);
	r = memsrc_read_full(mem, data, buf, (size_t)len, e);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[len] = '\0';
	*s = buf;
	*slen = (size_t)len;
	return 0;
}

/* debug/buildinfo drops the 16-byte sentinels only when they frame text. */
static char *strip_sentinels(char *mod, size_t len)
{
	char *out;

	if (len >= 2 * SENTINEL_LEN + 1 && mod[len - SENTINEL_LEN - 1] == '\n')
		out = xmemdupz(mod + SENTINEL_LEN, len - 2 * SENTINEL_LEN);
	else
		out = xstrdup("");
	free(mod);
	return out;
}

int gobi_decode(const unsigned char *hdr, size_t len, struct memsrc *mem,
		struct gobi *out, struct err *e)
{
	char *vers = NULL, *mod = NULL;
	size_t vlen = 0, mlen = 0, used;
	int r;

	memset(out, 0, sizeof(*out));
	if (len < GOBI_HEADER_LEN || memcmp(hdr, GOBI_MAGIC, GOBI_MAGIC_LEN))
		return err_set(e, ENOEXEC, "not a Go executable");
	out->ptr_size = hdr[14];
	if (hdr[15] & FLAG_INLINE) {
		out->inline_strings = 1;
		if (decode_inline(hdr + GOBI_HEADER_LEN,
				  len - GOBI_HEADER_LEN, &vers, &vlen, &used,
				  GOBI_MAX_VERSION) < 0)
			return err_set(e, ENOEXEC, "not a Go executable");
		if (decode_inline(hdr + GOBI_HEADER_LEN + used,
				  len - GOBI_HEADER_LEN - used, &mod, &mlen,
				  &used, GOBI_MAX_MODINFO) < 0) {
			mod = xstrdup("");
			mlen = 0;
		}
	} else {
		if (out->ptr_size != 4 && out->ptr_size != 8)
			return err_set(e, EINVAL,
				       "bad pointer size %d in .go.buildinfo",
				       out->ptr_size);
		if (!mem)
			return err_set(e, EINVAL,
				       "pre-1.18 .go.buildinfo needs the "
				       "image to resolve its pointers");
		out->big_endian = hdr[15] & FLAG_BIG_ENDIAN;
		r = read_gostring(mem, rdptr(hdr + 16, out->ptr_size,
					     out->big_endian),
				  out->ptr_size, out->big_endian,
				  GOBI_MAX_VERSION, &vers, &vlen, e);
		if (r < 0)
			return err_set(e, ENOEXEC, "not a Go executable");
		r = read_gostring(mem, rdptr(hdr + 16 + out->ptr_size,
					     out->ptr_size, out->big_endian),
				  out->ptr_size, out->big_endian,
				  GOBI_MAX_MODINFO, &mod, &mlen, e);
		if (r < 0) {
			mod = xstrdup("");
			mlen = 0;
		}
	}
	if (vlen == 0 || strlen(vers) != vlen) {
		free(vers);
		free(mod);
		return err_set(e, ENOEXEC, "not a Go executable");
	}
	out->version = vers;
	out->modinfo = strip_sentinels(mod, mlen);
	return 0;
}

void gobi_release(struct gobi *bi)
{
	free(bi->version);
	free(bi->modinfo);
	memset(bi, 0, sizeof(*bi));
}
