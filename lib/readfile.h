/* Reading a whole file into memory with a size cap. */
#ifndef GOSCOPE_LIB_READFILE_H
#define GOSCOPE_LIB_READFILE_H

#include <stddef.h>

#include "lib/err.h"
#include "lib/strbuf.h"

/* readfile_path() flags. */
enum {
	/* Refuse anything but a regular file (never blocks on a FIFO). */
	READFILE_REGULAR = 1 << 0,
};

/*
 * Appends everything fd yields until end of file to sb (NUL-terminated),
 * reading at most max bytes; name is used in messages.  Returns 0, or
 * -EFBIG when the input is longer than max, or -errno on a read error,
 * with e set.  sb may hold a partial read on failure; the caller owns it.
 */
int readfile_fd(int fd, const char *name, size_t max, struct strbuf *sb,
		struct err *e);

/*
 * Opens path and reads it as readfile_fd() does.  A directory is refused
 * with -EISDIR; with READFILE_REGULAR, any file that is not a regular
 * file is refused with -EINVAL (and a file whose size already exceeds max
 * with -EFBIG, before reading).
 */
int readfile_path(const char *path, size_t max, unsigned int flags,
		  struct strbuf *sb, struct err *e);

#endif
