/* Decompressing cores: zstd, xz, gzip and lz4 streams into a memfd. */
#include <errno.h>
#include <fcntl.h>
#include <lz4frame.h>
#include <lzma.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "inspect/unpack.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define IN_SIZE (256u << 10)
#define OUT_SIZE (1u << 20)	/* flushed whole: holes stay page-aligned */
#define PAGE 4096u
/* What the xz decoder may allocate (xz -9 needs 65 MiB). */
#define XZ_MEMLIMIT (256ull << 20)

/* One decompression in progress. */
struct unpack {
	enum unpack_format f;
	const char *name;
	int in_fd, out_fd;
	unsigned char *in, *out;
	size_t in_pos, in_len;	/* unread input: in[in_pos, in_len) */
	size_t out_len;		/* bytes waiting in out */
	int eof;		/* the input is all read */
	int boundary;		/* the last step ended a stream or frame */
	uint64_t written;	/* bytes flushed to out_fd */
	uint64_t held;		/* of which not zero (memory taken) */
	size_t max_mem;
	uint64_t max_size;
	union {
		z_stream z;
		lzma_stream x;
		ZSTD_DStream *zs;
		LZ4F_dctx *lz;
	} u;
	struct err *e;
};

enum unpack_format unpack_sniff(const void *head, size_t len)
{
	static const unsigned char xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	const unsigned char *h = head;

	if (len >= 2 && h[0] == 0x1f && h[1] == 0x8b)
		return UNPACK_GZIP;
	if (len >= sizeof(xz) && !memcmp(h, xz, sizeof(xz)))
		return UNPACK_XZ;
	if (len >= 4 && h[0] == 0x28 && h[1] == 0xb5 && h[2] == 0x2f &&
	    h[3] == 0xfd)
		return UNPACK_ZSTD;
	if (len >= 4 && h[0] == 0x04 && h[1] == 0x22 && h[2] == 0x4d &&
	    h[3] == 0x18)
		return UNPACK_LZ4;
	return UNPACK_NONE;
}

const char *unpack_name(enum unpack_format f)
{
	switch (f) {
	case UNPACK_GZIP:
		return "gzip";
	case UNPACK_XZ:
		return "xz";
	case UNPACK_ZSTD:
		return "zstd";
	case UNPACK_LZ4:
		return "lz4";
	default:
		return "uncompressed";
	}
}

static int all_zero(const unsigned char *p, size_t n)
{
	return !n || (!p[0] && !memcmp(p, p + 1, n - 1));
}

static int write_run(struct unpack *u, const unsigned char *p, size_t n,
		     uint64_t off)
{
	ssize_t w;

	u->held += n;
	if (u->max_mem && u->held > u->max_mem)
		return err_set(u->e, E2BIG, "'%s': decompressed, the core "
			       "takes more than %zu bytes of memory",
			       u->name, u->max_mem);
	while (n) {
		w = pwrite(u->out_fd, p, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return err_errno(u->e, w < 0 ? errno : EIO,
					 "'%s': cannot keep the decompressed "
					 "core in memory", u->name);
		p += w;
		off += (uint64_t)w;
		n -= (size_t)w;
	}
	return 0;
}

/* Writes the waiting output, leaving pages of zeros as holes. */
static int flush(struct unpack *u)
{
	size_t i = 0, start, n;
	int r;

	while (i < u->out_len) {
		n = u->out_len - i < PAGE ? u->out_len - i : PAGE;
		if (all_zero(u->out + i, n)) {
			i += n;
			continue;
		}
		start = i;
		while (i < u->out_len) {
			n = u->out_len - i < PAGE ? u->out_len - i : PAGE;
			if (all_zero(u->out + i, n))
				break;
			i += n;
		}
		r = write_run(u, u->out + start, i - start, u->written + start);
		if (r < 0)
			return r;
	}
	u->written += u->out_len;
	u->out_len = 0;
	return 0;
}

static int fill(struct unpack *u)
{
	ssize_t n;

	do
		n = read(u->in_fd, u->in, IN_SIZE);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_errno(u->e, errno, "cannot read '%s'", u->name);
	u->in_pos = 0;
	u->in_len = (size_t)n;
	u->eof = n == 0;
	return 0;
}

static int damaged(struct unpack *u, const char *why)
{
	return err_set(u->e, EINVAL, "'%s': damaged %s data (%s)", u->name,
		       unpack_name(u->f), why);
}

static int step_gzip(struct unpack *u)
{
	z_stream *z = &u->u.z;
	int r;

	if (u->boundary && inflateReset(z) != Z_OK)
		return damaged(u, "reset");
	z->next_in = u->in + u->in_pos;
	z->avail_in = (uInt)(u->in_len - u->in_pos);
	z->next_out = u->out + u->out_len;
	z->avail_out = (uInt)(OUT_SIZE - u->out_len);
	r = inflate(z, Z_NO_FLUSH);
	u->in_pos = u->in_len - z->avail_in;
	u->out_len = OUT_SIZE - z->avail_out;
	if (r == Z_STREAM_END) {
		u->boundary = 1;
		return 0;
	}
	u->boundary = 0;
	if (r == Z_OK || r == Z_BUF_ERROR)
		return 0;
	return damaged(u, z->msg ? z->msg : "inflate failed");
}

static int step_xz(struct unpack *u)
{
	lzma_stream *x = &u->u.x;
	lzma_ret r;

	x->next_in = u->in + u->in_pos;
	x->avail_in = u->in_len - u->in_pos;
	x->next_out = u->out + u->out_len;
	x->avail_out = OUT_SIZE - u->out_len;
	r = lzma_code(x, u->eof ? LZMA_FINISH : LZMA_RUN);
	u->in_pos = u->in_len - x->avail_in;
	u->out_len = OUT_SIZE - x->avail_out;
	u->boundary = r == LZMA_STREAM_END;
	switch (r) {
	case LZMA_OK:
	case LZMA_STREAM_END:
		return 0;
	case LZMA_BUF_ERROR:
		/* No progress possible: at the end of the input, truncated. */
		return u->eof ? 0 : damaged(u, "no progress");
	case LZMA_MEMLIMIT_ERROR:
	case LZMA_MEM_ERROR:
		return damaged(u, "needs too much memory to decode");
	case LZMA_OPTIONS_ERROR:
		return damaged(u, "unsupported options");
	case LZMA_DATA_ERROR:
		return damaged(u, "corrupt data");
	case LZMA_FORMAT_ERROR:
		return damaged(u, "not xz");
	default:
		return damaged(u, "decoder error");
	}
}

static int step_zstd(struct unpack *u)
{
	ZSTD_inBuffer in = { u->in, u->in_len, u->in_pos };
	ZSTD_outBuffer out = { u->out, OUT_SIZE, u->out_len };
	size_t r = ZSTD_decompressStream(u->u.zs, &out, &in);

	u->in_pos = in.pos;
	u->out_len = out.pos;
	if (ZSTD_isError(r))
		return damaged(u, ZSTD_getErrorName(r));
	/* 0: a frame ended and everything of it was written. */
	u->boundary = r == 0;
	return 0;
}

static int step_lz4(struct unpack *u)
{
	size_t out = OUT_SIZE - u->out_len, in = u->in_len - u->in_pos;
	size_t r = LZ4F_decompress(u->u.lz, u->out + u->out_len, &out,
				   u->in + u->in_pos, &in, NULL);

	u->in_pos += in;
	u->out_len += out;
	if (LZ4F_isError(r))
		return damaged(u, LZ4F_getErrorName(r));
	u->boundary = r == 0;
	return 0;
}

static int step(struct unpack *u)
{
	switch (u->f) {
	case UNPACK_GZIP:
		return step_gzip(u);
	case UNPACK_XZ:
		return step_xz(u);
	case UNPACK_ZSTD:
		return step_zstd(u);
	default:
		return step_lz4(u);
	}
}

static int init(struct unpack *u)
{
	lzma_stream x = LZMA_STREAM_INIT;

	switch (u->f) {
	case UNPACK_GZIP:
		memset(&u->u.z, 0, sizeof(u->u.z));
		if (inflateInit2(&u->u.z, 15 + 16) != Z_OK)
			return err_set(u->e, ENOMEM, "cannot start zlib");
		return 0;
	case UNPACK_XZ:
		u->u.x = x;
		if (lzma_stream_decoder(&u->u.x, XZ_MEMLIMIT,
					LZMA_CONCATENATED) != LZMA_OK)
			return err_set(u->e, ENOMEM, "cannot start liblzma");
		return 0;
	case UNPACK_ZSTD:
		u->u.zs = ZSTD_createDStream();
		if (!u->u.zs || ZSTD_isError(ZSTD_initDStream(u->u.zs)))
			return err_set(u->e, ENOMEM, "cannot start libzstd");
		return 0;
	case UNPACK_LZ4:
		if (LZ4F_isError(LZ4F_createDecompressionContext(&u->u.lz,
								 LZ4F_VERSION)))
			return err_set(u->e, ENOMEM, "cannot start liblz4");
		return 0;
	default:
		return err_set(u->e, ENOTSUP, "'%s': not a compressed format "
			       "goscope reads", u->name);
	}
}

static void fini(struct unpack *u)
{
	switch (u->f) {
	case UNPACK_GZIP:
		inflateEnd(&u->u.z);
		break;
	case UNPACK_XZ:
		lzma_end(&u->u.x);
		break;
	case UNPACK_ZSTD:
		ZSTD_freeDStream(u->u.zs);
		break;
	case UNPACK_LZ4:
		LZ4F_freeDecompressionContext(u->u.lz);
		break;
	default:
		break;
	}
}

/* The loop: read, decode, flush, until the input ends on a boundary. */
static int run(struct unpack *u)
{
	size_t before_in, before_out;
	int r, started = 0, progress;

	for (;;) {
		if (u->in_pos == u->in_len && !u->eof) {
			r = fill(u);
			if (r < 0)
				return r;
		}
		if (u->in_pos == u->in_len && u->eof) {
			if (!started)
				return damaged(u, "empty");
			if (u->boundary)
				return flush(u);
		}
		before_in = u->in_pos;
		before_out = u->out_len;
		r = step(u);
		if (r < 0)
			return r;
		started = 1;
		progress = u->in_pos != before_in || u->out_len != before_out;
		if (!progress && u->in_pos < u->in_len)
			return damaged(u, "no progress");
		if (u->written + u->out_len > u->max_size)
			return err_set(u->e, E2BIG, "'%s': decompressed, the "
				       "core is larger than %llu bytes",
				       u->name,
				       (unsigned long long)u->max_size);
		if (u->out_len == OUT_SIZE ||
		    (u->eof && u->in_pos == u->in_len)) {
			r = flush(u);
			if (r < 0)
				return r;
		}
		if (u->eof && u->in_pos == u->in_len && !u->boundary &&
		    !progress)
			return err_set(u->e, EINVAL, "'%s': truncated %s data "
				       "(ends after %llu bytes of output)",
				       u->name, unpack_name(u->f),
				       (unsigned long long)u->written);
	}
}

int unpack_to_memfd(int fd, enum unpack_format f, const char *name,
		    size_t max_mem, uint64_t max_size, uint64_t *size,
		    struct err *e)
{
	struct unpack u;
	int r;

	memset(&u, 0, sizeof(u));
	u.f = f;
	u.name = name;
	u.in_fd = fd;
	u.max_mem = max_mem;
	u.max_size = max_size < UNPACK_MAX_SIZE ? max_size : UNPACK_MAX_SIZE;
	u.e = e;
	r = init(&u);
	if (r < 0) {
		if (r != -ENOTSUP)
			fini(&u);
		return r;
	}
	u.out_fd = memfd_create("goscope-core", MFD_CLOEXEC |
				MFD_ALLOW_SEALING);
	if (u.out_fd < 0) {
		r = err_errno(e, errno, "'%s': cannot create a memfd", name);
		fini(&u);
		return r;
	}
	u.in = xmalloc(IN_SIZE);
	u.out = xmalloc(OUT_SIZE);
	r = run(&u);
	if (r == 0 && ftruncate(u.out_fd, (off_t)u.written) < 0)
		r = err_errno(e, errno, "'%s': cannot size the memfd", name);
	if (r == 0)
		fcntl(u.out_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
		      F_SEAL_WRITE | F_SEAL_SEAL);
	free(u.in);
	free(u.out);
	fini(&u);
	if (r < 0) {
		close(u.out_fd);
		return r;
	}
	*size = u.written;
	return u.out_fd;
}
