/* Snapshots from where users have them: a live process or a file. */
#ifndef GOSCOPE_SNAPSHOT_LOAD_H
#define GOSCOPE_SNAPSHOT_LOAD_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"
#include "snapshot/snap.h"

/* Files larger than this are refused. */
#define LOAD_MAX_FILE (1ull << 30)

enum load_kind {
	LOAD_PID,		/* captured from a live process */
	LOAD_JSON,		/* a goscope.snapshot JSON file */
	LOAD_GO_TEXT,		/* a Go goroutine dump (debug=2 or 1) */
};

struct load_info {
	enum load_kind kind;
	/* Set (code != 0) when a damaged Go text was read in part. */
	struct err warn;
};

struct capture_opts;
/*
 * Captures pid (capture_pid, with options o; NULL: the defaults) and records the main module path of its
 * build in the snapshot.  Returns 0 and *out, or a negative errno with
 * e set as capture_pid does.
 */
int load_pid(pid_t pid, const struct capture_opts *o, struct snap **out,
	     struct err *e);

/*
 * Reads the snapshot in file path ("-" is standard input): JSON when it
 * starts with '{', otherwise a Go goroutine dump.  Returns 0, *out and
 * info (may be NULL); or a negative errno with e set, the message
 * starting with the path.
 */
int load_file(const char *path, struct snap **out, struct load_info *info,
	      struct err *e);

/* The same for bytes in memory; name is used in messages. */
int load_buffer(const char *name, const char *buf, size_t len,
		struct snap **out, struct load_info *info, struct err *e);

/*
 * The main module path of the Go program running as pid ("example.com/
 * app"), from the build information of its executable.  Returns a new
 * string, or NULL when it cannot be read (not an error: the snapshot
 * then names user frames by a weaker rule).
 */
char *load_main_module(pid_t pid);

#endif
