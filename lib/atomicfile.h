/* Safe output files: whole-file writes that never leave a partial file. */
#ifndef GOSCOPE_LIB_ATOMICFILE_H
#define GOSCOPE_LIB_ATOMICFILE_H

#include <stddef.h>

#include "lib/err.h"

/* The bytes are not text: refuse to write them to a terminal. */
#define ATOMICFILE_BINARY 0x1u
/* Never replace an existing path: -EEXIST, also when one appears while
 * the temporary is written (the rename refuses too). */
#define ATOMICFILE_NOREPLACE 0x2u

/*
 * Writes len bytes of buf to path and returns 0, or a negative errno with
 * one line in e.
 *
 * "-" (or a path naming the file already open as standard output, such as
 * /dev/stdout) is standard output.  A FIFO, a character device or a socket
 * the path names is written directly, since that is what the caller asked
 * for.  A regular file (or a new path) is replaced atomically: the bytes go
 * to a temporary created with O_EXCL|O_NOFOLLOW in the same directory,
 * every write is checked, the temporary is fsync'ed, closed and renamed
 * over path; on any error it is removed and path is left as it was.  An
 * existing file keeps its permissions.  A directory, a block device, or a
 * symbolic link to a regular file is refused.  With ATOMICFILE_BINARY, a
 * terminal is refused.
 */
int atomicfile_write(const char *path, const void *buf, size_t len,
		     unsigned int flags, struct err *e);

/*
 * The same, streamed: atomicfile_open() checks path as atomicfile_write()
 * does and opens it (a regular file: its temporary), atomicfile_add()
 * writes bytes as they come (the first error is kept), and
 * atomicfile_commit() reports that error or completes the file (sync,
 * rename), or atomicfile_abort() gives up and removes the temporary.
 * Both free af.  Returns 0 or a negative errno with one line in e.
 */
struct atomicfile;
int atomicfile_open(const char *path, unsigned int flags,
		    struct atomicfile **af, struct err *e);
void atomicfile_add(struct atomicfile *af, const void *buf, size_t len);
int atomicfile_commit(struct atomicfile *af, struct err *e);
void atomicfile_abort(struct atomicfile *af);
/* atomicfile_add() as a strbuf_sink_fn (arg is the struct atomicfile). */
void atomicfile_sink(void *arg, const char *buf, size_t len);

#endif
