/* Decoder for the .go.buildinfo blob that every Go executable carries. */
#ifndef GOSCOPE_BUILDINFO_GOBUILDINFO_H
#define GOSCOPE_BUILDINFO_GOBUILDINFO_H

#include <stddef.h>
#include <stdint.h>

#include "inspect/memsrc.h"
#include "lib/err.h"

#define GOBI_MAGIC "\xff Go buildinf:"
#define GOBI_MAGIC_LEN 14
#define GOBI_HEADER_LEN 32
#define GOBI_ALIGN 16
/* Upper bounds on what we accept from a hostile image. */
#define GOBI_MAX_VERSION 256
#define GOBI_MAX_MODINFO (16u << 20)

struct gobi {
	char *version;		/* "go1.23.5"; never NULL after success */
	char *modinfo;		/* module text, sentinels removed; "" if none */
	int ptr_size;		/* 4 or 8 */
	int inline_strings;	/* Go 1.18+ layout */
	int big_endian;		/* pointer layout only */
};

/*
 * Finds the 16-byte-aligned magic in data[0, len) (offsets relative to
 * data, whose address is assumed 16-aligned).  Returns 1 and sets *off,
 * or 0 when absent.
 */
int gobi_find(const unsigned char *data, size_t len, size_t *off);

/*
 * Decodes the blob at hdr (len bytes available, starting with the magic).
 * For the pre-1.18 pointer layout, the version and modinfo string headers
 * are read through mem (addresses as stored in the blob); mem may be NULL
 * when only the inline layout is acceptable.  Returns 0; -ENOEXEC when the
 * blob holds no Go version ("not a Go executable"); -EINVAL when it is
 * malformed.  Release out with gobi_release.
 */
int gobi_decode(const unsigned char *hdr, size_t len, struct memsrc *mem,
		struct gobi *out, struct err *e);
void gobi_release(struct gobi *bi);

#endif
