/* Capturing a snapshot of a live Go process: stop, copy, resume, decode. */
#ifndef GOSCOPE_SNAPSHOT_CAPTURE_H
#define GOSCOPE_SNAPSHOT_CAPTURE_H

#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"
#include "snapshot/snap.h"
#include "symbols/pclntab.h"

/* Goroutines copied again in a second stop, at most (the retry budget). */
#define CAPTURE_RETRY_MAX 4096

/* How a capture stops the target and how much memory it may take. */
struct capture_opts {
	/*
	 * 0 (default): two phases.  While the target is stopped only the
	 * registers, allgs, the g structs, the m list and the stacks of
	 * goroutines that are not parked are copied; the parked ones'
	 * stacks are copied after the resume and kept only when their g
	 * struct, read again, shows they did not run (see
	 * gort_registry_finish).  Those that ran are copied again in a
	 * short second stop, or past retry_max marked changed during
	 * capture.  1: everything is copied in one stop.
	 */
	int full_stop;
	/* Bytes the copy may take; 0: half of MemAvailable. */
	size_t max_memory;
	/*
	 * Test knobs, from the environment by capture_opts_init:
	 * GOSCOPE_TEST_PHASE_DELAY_MS sleeps that long between the resume
	 * and the second phase (with full_stop: while the target is stopped,
	 * before the resume); GOSCOPE_TEST_RETRY_MAX sets retry_max;
	 * GOSCOPE_TEST_FINISH_BATCH the parked goroutines copied per batch
	 * after the resume (finish_batch, 0: the default).
	 */
	unsigned int phase_delay_ms;
	long retry_max;		/* default CAPTURE_RETRY_MAX */
	size_t finish_batch;
	/*
	 * capture_pid only: 1 also takes every thread's native view
	 * (threads_capture), which costs the process's ELF and DWARF and
	 * a copy of every thread's stack; 0 (default): only for output
	 * that shows it.
	 */
	int native;
};

/* Fills o with the defaults (and the test knobs of the environment). */
void capture_opts_init(struct capture_opts *o);

/*
 * The same in two steps, for repeated captures of one process (watch,
 * the TUI): capture_open does the preparation once (ELF, DWARF layouts,
 * pclntab and caches); each capture_take stops, copies, resumes and
 * builds one snapshot.  Errors as for capture_pid (capture/threads.h).
 */
struct capture;
int capture_open(pid_t pid, struct capture **out, struct err *e);
int capture_take(struct capture *c, struct snap **out, struct err *e);
void capture_close(struct capture *c);
/* Sets the options of later capture_take calls (a copy of *o). */
void capture_set_opts(struct capture *c, const struct capture_opts *o);
/* The options c captures with (valid while c lives). */
const struct capture_opts *capture_get_opts(const struct capture *c);

/*
 * Prepares captures of a core file instead of a live process: exe is the
 * executable it was made from (see core_find_exe).  capture_take then
 * reads the core: the same decoding as for a live process, without any
 * stop (pause 0).  core must outlive the capture.  Errors as for
 * capture_open, and -EINVAL when exe does not fit the core.
 */
struct core;
int capture_open_core(struct core *core, const char *exe,
		      struct capture **out, struct err *e);

/*
 * A hook that capture_take runs while every thread is stopped, right
 * after the registry was copied, for other views of the same stop (the
 * native threads view copies registers and stack tops).  It must only
 * copy: no slow work, and no allocation in the common case.  fn NULL
 * removes it.
 */
struct ptstop;
typedef void (*capture_hook_fn)(const struct ptstop *stop, void *arg);
void capture_set_hook(struct capture *c, capture_hook_fn fn, void *arg);

/*
 * Names pc (a runtime address; callers pass a return address minus 1)
 * when it is in a Go function of the captured executable, with Go's own
 * tables: sets *frames to the logical frames at pc, inlined ones first
 * (link-time pc and entry; valid while c lives), *flag to the function's
 * abi.FuncFlag (1 TopFrame, 2 SPWrite: Go's traceback stops there), and
 * returns their number; 0 when pc is not Go code.
 */
int capture_go_frames(const struct capture *c, uint64_t pc,
		      const struct pcln_frame **frames, unsigned int *flag);

/* The load bias of the executable (runtime minus link-time address). */
uint64_t capture_bias(const struct capture *c);

#endif
