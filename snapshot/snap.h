/* struct snap: one capture of a process's goroutines, owning all its data. */
#ifndef GOSCOPE_SNAPSHOT_SNAP_H
#define GOSCOPE_SNAPSHOT_SNAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One logical frame (inlined calls expanded), innermost first. */
struct snap_frame {
	const char *func;	/* interned */
	const char *file;	/* interned */
	int line;
	int inlined;		/* inlined into the next frame */
	uint64_t pc;		/* physical PC (runtime address) */
	uint64_t entry;		/* entry of the physical function */
	unsigned int flags;	/* enum snap_frame_flags */
	unsigned int phys;	/* index of its physical frame */
};

enum snap_frame_flags {
	SNAP_FRAME_RUNTIME = 1 << 0,	/* hidden by the runtime at level 1 */
	SNAP_FRAME_WRAPPER = 1 << 1,	/* compiler-generated wrapper */
	SNAP_FRAME_UNKNOWN = 1 << 2,	/* PC outside Go code */
};

struct snap_label {
	const char *key, *value;
};

struct snap_goroutine {
	uint64_t goid;
	uint64_t gaddr;
	uint32_t status;	/* without the scan bit; enum snap_status */
	int scan;
	const char *status_str;	/* "running", "chan receive", ... */
	int waitreason;		/* raw value */
	int64_t waitsince;	/* runtime nanotime, 0 = not stamped */
	int64_t wait_ns;	/* capture nanotime - waitsince, or -1 */
	uint64_t parent_goid;
	int locked;		/* locked to thread */
	int tid;		/* thread running it, 0 when none */
	int system;		/* hidden system goroutine (runtime.*) */
	uint64_t gopc, startpc;
	const char *start_func;
	struct snap_frame *frames;
	size_t nframes;
	size_t nphys;		/* physical frames walked */
	int has_creator;
	struct snap_frame creator;	/* created by: func, file:line, pc */
	struct snap_label *labels;
	size_t nlabels;
	const char *unwind_error;	/* why the stack is partial, or NULL */
};

enum snap_status {
	SNAP_IDLE = 0, SNAP_RUNNABLE = 1, SNAP_RUNNING = 2, SNAP_SYSCALL = 3,
	SNAP_WAITING = 4, SNAP_DEAD = 6, SNAP_COPYSTACK = 8,
	SNAP_PREEMPTED = 9, SNAP_LEAKED = 10,
};

struct snap_thread {
	int tid;
	int stopped;
	uint64_t pc, sp;
	int64_t m_id;		/* -1 when no M */
	uint64_t curg_goid;	/* 0 when none */
};

struct snap {
	pid_t pid;
	char *exe;
	char *go_version;
	int go_minor;
	char *layout_source;
	int64_t time_unix_ns;	/* wall clock of the capture */
	uint64_t pause_ns;	/* target stopped for this long */
	uint64_t capture_ns;	/* whole capture */
	size_t nallg;
	size_t bytes_copied;
	struct snap_goroutine *gs;
	size_t ngs;
	struct snap_thread *threads;
	size_t nthreads;
	struct snap_arena *arena;	/* owns the strings */
};

/* Returns a copy of s owned by snap (interned: equal strings share). */
const char *snap_intern(struct snap *s, const char *str);
/* Creates an empty snapshot. */
struct snap *snap_new(void);
/* Frees the snapshot and everything it owns (NULL is fine). */
void snap_free(struct snap *s);

#endif
