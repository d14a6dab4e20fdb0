/* Compressed files (zstd, xz, gzip, lz4): decompressed into a memfd. */
#ifndef GOSCOPE_INSPECT_UNPACK_H
#define GOSCOPE_INSPECT_UNPACK_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

enum unpack_format {
	UNPACK_NONE = 0,
	UNPACK_GZIP,
	UNPACK_XZ,
	UNPACK_ZSTD,
	UNPACK_LZ4,
};

/* The largest file goscope decompresses, whatever the memory budget. */
#define UNPACK_MAX_SIZE (1ull << 40)

/* The compressed format the len bytes at head start, or UNPACK_NONE. */
enum unpack_format unpack_sniff(const void *head, size_t len);

/* The format's name ("zstd", "xz", "gzip", "lz4"). */
const char *unpack_name(enum unpack_format f);

/*
 * Decompresses everything read from fd (format f, from its current
 * offset; concatenated streams or frames are joined) into a new sealed
 * memfd.  Runs of zero bytes are left as holes, so only max_mem bytes of
 * other data may be held (0: no bound), and at most max_size bytes come
 * out (at most UNPACK_MAX_SIZE).  name is used in messages.  Returns the memfd (caller
 * closes) and *size, or a negative errno with e set: -EINVAL (damaged or
 * truncated data), -E2BIG (over a bound), -ENOTSUP (a format this build
 * cannot read), or the errno of a read or write.
 */
int unpack_to_memfd(int fd, enum unpack_format f, const char *name,
		    size_t max_mem, uint64_t max_size, uint64_t *size,
		    struct err *e);

#endif
