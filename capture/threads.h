/* Capturing every thread of a process with its native stack. */
#ifndef GOSCOPE_SNAPSHOT_THREADS_H
#define GOSCOPE_SNAPSHOT_THREADS_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"
#include "snapshot/snap.h"

struct capture_opts;
struct threads_cache;

#define THREADS_DEFAULT_FRAMES 256

enum threads_flags {
	/* Refuse processes that are not Go programs (capture_pid). */
	THREADS_GO_ONLY = 1 << 0,
};

struct threads_opts {
	size_t max_frames;	/* frames per thread; 0: the default */
	size_t max_stack;	/* stack bytes copied per thread; 0: default */
	const char *debug_dirs;	/* more debug directories (a:b) */
	const char *unwinder;	/* "libdw", "libunwind", "none"; NULL:
				 * the build's default */
	unsigned int flags;	/* enum threads_flags */
	/* How the goroutines are captured (NULL: the defaults). */
	const struct capture_opts *capture;
	/*
	 * An opened capture of the same process to use (borrowed, left
	 * open), so that a view refreshed again and again reads the
	 * executable's symbols, layouts and DWARF once; NULL: opened and
	 * closed here.
	 */
	struct capture *reuse;
	/*
	 * What the captures of one process keep from one to the next
	 * (threads_cache_new; borrowed), so that a view refreshed again
	 * and again opens the modules, their symbols and unwind tables
	 * once, and reads them again only when the process's mappings
	 * change; NULL: opened and closed here.
	 */
	struct threads_cache *cache;
};

/* What the last capture through a cache did with what it kept. */
enum threads_reuse {
	THREADS_OPENED,		/* opened the modules: the first capture,
				 * or one of them was replaced */
	THREADS_RELOADED,	/* the mappings changed: read them again,
				 * opening only the new modules */
	THREADS_REUSED,		/* the mappings were the same: nothing read */
};

struct threads_cache_stats {
	enum threads_reuse last;
	/* Module files (ELF, debug files) looked up by the last capture. */
	unsigned long last_opens;
	unsigned long captures, opened, reloaded;
	unsigned long go_opened;	/* capture_open calls */
};

/*
 * A cache for the captures of one process (see threads_opts.cache): the
 * libdw session over its modules, the unwinder, and for a Go program the
 * opened capture (or that capture_open said it is not one).  It binds to
 * the pid, unwinder and debug directories of its first capture and
 * starts over when they change.  Free with threads_cache_free.
 */
struct threads_cache *threads_cache_new(void);

/* Fills *st with what the cache did (all 0 before its first capture). */
void threads_cache_stats(const struct threads_cache *tc,
			 struct threads_cache_stats *st);

void threads_cache_free(struct threads_cache *tc);

/*
 * Captures every thread of pid, Go or not: name, kernel state, the system
 * call it is blocked in, CPU time, and its native stack.  The process is
 * stopped only while registers and stack tops are copied (for a Go
 * program, together with capture_take's copy of the goroutine registry);
 * unwinding and symbolizing happen on the copy after it resumed.  For a
 * Go program the snapshot also holds every goroutine, and each thread is
 * matched to its M and goroutine, the goroutine's Go frames continuing
 * the native ones.  A thread that cannot be stopped or unwound gets the
 * reason in unwind_error.  Returns 0 and *out (free with snap_free), or a
 * negative errno with e set: -ESRCH, -EPERM/-EACCES/-EBUSY (with the
 * reason), and with THREADS_GO_ONLY those of capture_open (-ENOEXEC,
 * -ENODATA); then a failure to prepare the native view only leaves it
 * out.  capture_pid with o->native is this with THREADS_GO_ONLY.
 */
int threads_capture(pid_t pid, const struct threads_opts *o,
		    struct snap **out, struct err *e);

/*
 * The same for the core file at path: every thread the core saved, its
 * registers and stack from the core, the modules from its notes, and
 * for a Go program every goroutine (snapshot pause 0, time the core's).
 * exe is the executable it was made from, or NULL to find it from the
 * core's notes (core_find_exe).  Errors: those of core_open,
 * core_find_exe (-ENOENT), a mismatched executable (-EINVAL), and with
 * THREADS_GO_ONLY those of capture_open_core.
 */
int threads_capture_core(const char *path, const char *exe,
			 const struct threads_opts *o, struct snap **out,
			 struct err *e);

/*
 * Captures every goroutine of pid with options o (NULL: the defaults).
 * Everything that can be prepared without stopping (ELF, DWARF layouts,
 * pclntab, wait reason strings, the memory for the copy) is done first;
 * then the target is stopped only while the registry and the stacks are
 * copied (see struct capture_opts); then the copy is unwound and
 * symbolized.  Returns 0 and *out (free with snap_free), or a negative
 * errno with e set: -ESRCH (no such process, or it exited),
 * -EPERM/-EACCES/-EBUSY (with the reason), -ENOEXEC (not a Go program),
 * -ENODATA (no DWARF), -E2BIG (over the memory budget).  With
 * o->native the snapshot also has every thread's native view
 * (threads_capture with THREADS_GO_ONLY).
 */
int capture_pid(pid_t pid, const struct capture_opts *o, struct snap **out,
		struct err *e);

/* The unwinder threads_capture uses by default ("libdw"). */
const char *threads_unwinder(void);

#endif
