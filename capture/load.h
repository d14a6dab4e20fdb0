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
	LOAD_CORE,		/* captured from an ELF core file */
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

/*
 * The same, where path may also be an ELF core file of a Go program
 * (also compressed: see core_open): it is captured as a live process
 * would be (threads_capture_core) with the options co (NULL: the
 * defaults; max_memory also bounds a decompressed core), exe being its
 * executable or NULL to find it from the core.  exe given with anything
 * but a core is an error (-EINVAL).
 */
struct capture_opts;
int load_file_exe(const char *path, const char *exe,
		  const struct capture_opts *co, struct snap **out,
		  struct load_info *info, struct err *e);

/*
 * Captures the core file at path (see load_file_exe) and records the
 * main module of its build.  Returns 0 and *out, or a negative errno
 * with e set.
 */
int load_core(const char *path, const char *exe,
	      const struct capture_opts *co, struct snap **out, struct err *e);

/*
 * Returns 1 when the file at path is an ELF core file or a compressed
 * stream taken as one (see core_open), 0 otherwise.
 */
int load_is_core(const char *path);

/*
 * When path is a core file: finds its executable (exe, or from the core
 * when NULL), checked against it, and sets *out to its path (caller
 * frees).  Sets *out to NULL when path is not a core and exe is NULL.
 * Returns 0 or a negative errno with e set.
 */
int load_core_exe(const char *path, const char *exe, char **out,
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
