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
	/* The PC that gives this frame its file:line (runtime address): the
	 * lookup PC of the physical frame, or entry + parentPc for a frame
	 * that others were inlined into; runtime.Callers reports it plus 1.
	 * 0 when unknown (snapshots read from text). */
	uint64_t lpc;
	/* Arguments as the runtime prints them ("0x1, {0x2, 0x3}"; "" for
	 * none), owned by the snapshot but not interned (the text is mostly
	 * unique per goroutine); NULL when unknown (printed as "..."). */
	const char *args;
};

enum snap_frame_flags {
	SNAP_FRAME_RUNTIME = 1 << 0,	/* hidden by the runtime at level 1 */
	SNAP_FRAME_WRAPPER = 1 << 1,	/* compiler-generated wrapper */
	SNAP_FRAME_UNKNOWN = 1 << 2,	/* PC outside Go code */
};

struct snap_label {
	const char *key, *value;
};

/* What goroutines wait on (capture/capture.c, goruntime/waitobj.h). */
enum snap_object_kind {
	SNAP_OBJ_CHAN = 1,	/* addr = the hchan */
	SNAP_OBJ_NILCHAN,	/* an operation on a nil channel; addr 0 */
	SNAP_OBJ_SEMA,		/* sync.Mutex, RWMutex, WaitGroup, semaphore:
				 * addr = the semaphore word; 0 unknown */
	SNAP_OBJ_COND,		/* sync.Cond: addr = its notifyList; 0 unknown */
	SNAP_OBJ_FD,		/* netpoll: fd; -1 unknown */
};

struct snap_object {
	int kind;		/* enum snap_object_kind */
	uint64_t addr;
	const char *type;	/* chan element type, interned; NULL unknown */
	const char *symbol;	/* global variable holding addr, "main.mu+4",
				 * interned; NULL when not a known global */
	int64_t len, cap;	/* channel buffer; -1 unknown */
	int closed;
	int64_t receivers, senders;	/* goroutines queued; -1 unknown */
	int fd;			/* SNAP_OBJ_FD, else -1 */
};

enum snap_wait_dir { SNAP_DIR_NONE = 0, SNAP_DIR_RECV, SNAP_DIR_SEND };

/* One object a goroutine waits on (a select waits on several). */
struct snap_wait {
	size_t obj;		/* index into snap.objects */
	int dir;		/* enum snap_wait_dir */
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
	/* Honest ages (snapshot/ages.h), 0 when unknown: the wall clock of
	 * the first snapshot goscope saw this goid in (it is at least that
	 * old), and of the last one before, which lacked it (it is younger
	 * than that). */
	int64_t first_seen_ns, born_after_ns;
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
	/*
	 * 1: it ran while its stack was being copied, after the target
	 * resumed, and was not copied again: no frames are shown (never a
	 * torn stack); unwind_error is "changed during capture".
	 */
	int changed;
	/* How many identical goroutines this entry stands for: a debug=1
	 * record "N @ ..." is one entry of weight N.  0 means 1; use
	 * snap_g_weight(). */
	uint64_t weight;
	int frames_elided;	/* the text left frames out ("...N frames
				 * elided..."); never set for a live capture */
	struct snap_wait *waits;	/* what it is blocked on (owned) */
	size_t nwaits;
};

/* unwind_error of a goroutine marked changed during capture. */
#define SNAP_CHANGED_DURING_CAPTURE "changed during capture"
/* The number of goroutines g stands for (at least 1). */
static inline uint64_t snap_g_weight(const struct snap_goroutine *g)
{
	return g->weight ? g->weight : 1;
}

enum snap_status {
	SNAP_IDLE = 0, SNAP_RUNNABLE = 1, SNAP_RUNNING = 2, SNAP_SYSCALL = 3,
	SNAP_WAITING = 4, SNAP_DEAD = 6, SNAP_COPYSTACK = 8,
	SNAP_PREEMPTED = 9, SNAP_LEAKED = 10,
};

/* A native frame of a thread, innermost first (goscope threads). */
struct snap_nframe {
	uint64_t pc;
	const char *func;	/* demangled, interned; NULL unknown */
	uint64_t offset;	/* pc - function start; 0 when inlined */
	const char *file;	/* interned; NULL unknown */
	int line;
	const char *module;	/* mapped file or "[vdso]"; NULL unknown */
	int inlined;		/* inlined into the next frame */
};

/* What a thread of a Go process does for the Go runtime. */
enum snap_go_role {
	SNAP_GO_NONE = 0,	/* not a Go process, or not known */
	SNAP_GO_NO_M,		/* no M: a thread that C code created */
	SNAP_GO_IDLE,		/* an M running no goroutine */
	SNAP_GO_RUNNING,	/* an M running goroutine curg_goid */
	SNAP_GO_SYSCALL,	/* curg_goid is in a system call */
	SNAP_GO_CGO,		/* curg_goid is in a cgo call, in C code */
};

struct snap_thread {
	int tid;
	int stopped;
	uint64_t pc, sp;
	int64_t m_id;		/* -1 when no M */
	uint64_t curg_goid;	/* 0 when none */
	/* The native view (goscope threads); all zero when not taken. */
	int native;		/* 1 when the fields below are set */
	const char *name;	/* interned /proc/PID/task/TID/comm */
	char state;		/* kernel state at the stop, 0 unknown */
	int error;		/* errno: why it was not stopped, or 0 */
	long syscall;		/* the system call it is in, or -1 */
	const char *syscall_name;	/* interned; NULL unknown */
	uint64_t syscall_args[6];
	uint64_t utime_ns, stime_ns;	/* CPU time */
	int go_role;		/* enum snap_go_role */
	struct snap_nframe *nframes;	/* native frames (owned) */
	size_t nnframes;
	/*
	 * go_nframes > 0: the stack goes on with the first go_nframes
	 * frames of gs[go_g] (the goroutine it runs), joined where the
	 * native walk reached Go code (the cgo boundary for cgo calls).
	 */
	size_t go_g;
	size_t go_nframes;
	int truncated;		/* frames left out at the frame limit */
	const char *unwind_error;	/* why the stack ends early */
};

/* One stop of the target during a capture. */
struct snap_stop {
	uint64_t pause_ns;	/* stopped for this long, of which: */
	uint64_t threads_ns;	/* stopping every thread */
	uint64_t registry_ns;	/* copying the registry and stacks */
	/* other copies (what goroutines wait on, native threads); the
	 * rest of pause_ns is resuming */
	uint64_t other_ns;
	size_t goroutines;	/* g structs copied */
	size_t stacks;		/* goroutine stacks copied */
	size_t bytes;		/* bytes copied */
	/*
	 * The parts of registry_ns: allglen and allgs, the g structs, the m
	 * list, decoding the g structs, the stacks; of other_ns: what
	 * goroutines wait on, the hook (native threads view); resuming.
	 * 0 when unknown (older JSON).
	 */
	uint64_t allgs_ns, gs_ns, ms_ns, decode_ns, stacks_ns;
	uint64_t waits_ns, hook_ns, resume_ns;
	/*
	 * What the stop cost goscope: CPU time (every thread), page faults
	 * (minor and major), memory ranges read and the system calls that
	 * read them.
	 */
	uint64_t cpu_ns;
	uint64_t faults;
	uint64_t ranges;
	uint64_t read_calls;
};

#define SNAP_MAX_STOPS 2

/*
 * Where a capture's time went, step by step (--stats): wall time,
 * goscope's CPU time and its page faults in each, and goscope's peak
 * resident memory by its end.  Names are static.
 */
struct snap_phase {
	const char *name;
	uint64_t wall_ns, cpu_ns, faults, maxrss_kb;
};

#define SNAP_MAX_PHASES 10

struct snap {
	pid_t pid;
	char *exe;
	char *go_version;
	int go_minor;
	char *layout_source;
	int64_t time_unix_ns;	/* wall clock of the capture */
	/* When the process started (unix seconds, /proc/PID/stat), 0 when
	 * unknown: with pid, what tells one process from a later one that
	 * got the same PID. */
	int64_t start_time;
	uint64_t pause_ns;	/* longest stop of the target */
	/*
	 * How it was captured: two_phase 1 when the stacks of parked
	 * goroutines were copied after the resume (stacks_after of them),
	 * nretried of them copied again in a second stop because they ran
	 * meanwhile, nchanged marked changed instead; 0 for one full stop.
	 * nstops 0 for snapshots read from files.
	 */
	int two_phase;
	struct snap_stop stops[SNAP_MAX_STOPS];
	size_t nstops;
	size_t stacks_after, nretried, nchanged;
	uint64_t capture_ns;	/* whole capture */
	struct snap_phase phases[SNAP_MAX_PHASES];
	size_t nphases;		/* 0 for snapshots read from files */
	size_t nallg;
	size_t bytes_copied;
	struct snap_goroutine *gs;
	size_t ngs;
	struct snap_thread *threads;
	size_t nthreads;
	const char *main_module;	/* interned; NULL when unknown */
	struct snap_object *objects;	/* what goroutines wait on */
	size_t nobjects;
	/*
	 * What went wrong in a live capture that still gave a snapshot
	 * (interned one-line messages, NULL when nothing): unstopped says why
	 * the first of nunstopped threads could not be stopped (another
	 * tracer holds it, it did not stop in time): the capture is partial,
	 * those threads ran on while the others were stopped, and the
	 * goroutines they ran are as the runtime last saved them.
	 * resume_error says what a failed resume left behind (a thread
	 * still attached until goscope exits, the process exited).
	 */
	size_t nunstopped;
	const char *unstopped;
	const char *resume_error;
	struct snap_arena *arena;	/* owns the strings */
	/* 1: gs[].frames and gs[].labels were taken with snap_alloc()
	 * (a capture), not malloc'd one by one. */
	int gs_in_arena;
};

/* Kind names ("chan", "nil chan", "sema", "cond", "fd") and back. */
const char *snap_object_kind_name(int kind);
int snap_object_kind_value(const char *name);

/* Returns a copy of s owned by snap (interned: equal strings share). */
const char *snap_intern(struct snap *s, const char *str);
/*
 * Returns a NUL-terminated copy of len bytes of str owned by snap, not
 * interned: for text that is unique per goroutine or frame (arguments),
 * which would only grow the intern table.  NULL gives NULL.
 */
const char *snap_strdup(struct snap *s, const char *str, size_t len);
/*
 * Returns size bytes (aligned to 8, not zeroed) owned by snap, freed with
 * it: for per-goroutine arrays of a capture, without one malloc each.
 */
void *snap_alloc(struct snap *s, size_t size);
/* The number of goroutines s holds: the sum of their weights. */
uint64_t snap_total(const struct snap *s);

struct strbuf;
/*
 * Appends what went wrong in the capture of s, one line each ending in
 * a newline: a failed resume first (it may have left something behind),
 * then a partial capture (threads that could not be stopped).  Appends nothing and returns 0 when the capture went
 * well; else returns the number of lines.
 */
size_t snap_problems(const struct snap *s, struct strbuf *out);
/* Creates an empty snapshot. */
struct snap *snap_new(void);
/* Frees the snapshot and everything it owns (NULL is fine). */
void snap_free(struct snap *s);

#endif
