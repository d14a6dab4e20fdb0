/* Files the interactive view writes: snapshots and stacks, written safely. */
#ifndef GOSCOPE_TUI_EXPORT_H
#define GOSCOPE_TUI_EXPORT_H

#include <stddef.h>

#include "lib/err.h"
#include "lib/strbuf.h"
#include "snapshot/snap.h"

enum export_format {
	EXPORT_JSON,		/* goscope's JSON snapshot (.json) */
	EXPORT_GO,		/* the runtime's goroutine dump (.txt) */
	EXPORT_PPROF,		/* gzipped profile.proto (.pb.gz, .pprof) */
};

/* The format a file name asks for by its suffix (JSON otherwise). */
enum export_format export_format_of(const char *path);
/* "json", "go text", "pprof". */
const char *export_format_name(enum export_format f);

/*
 * Renders s in format f into out.  Returns 0, or a negative errno with
 * e set.
 */
int export_render(const struct snap *s, enum export_format f,
		  struct strbuf *out, struct err *e);

/*
 * The directory files go to by default: $HOME, else /tmp (never the
 * current directory, which is often a source checkout).  Caller frees.
 */
char *export_default_dir(void);

/*
 * path with a leading "~" or "~/" replaced by $HOME.  Caller frees.
 */
char *export_expand(const char *path);

/*
 * Writes len bytes of buf to path with atomicfile_write (a temporary in
 * the same directory, O_EXCL|O_NOFOLLOW, every write checked, fsync'ed,
 * renamed over path).  Without overwrite an existing path (even a
 * dangling symbolic link) is left alone and -EEXIST returned.  Returns 0
 * or a negative errno with e set.
 */
int export_write(const char *path, const char *buf, size_t len,
		 int overwrite, struct err *e);

#endif
