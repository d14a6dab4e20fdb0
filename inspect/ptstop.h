/* Stopping every thread of a process with ptrace, and resuming it. */
#ifndef GOSCOPE_INSPECT_PTSTOP_H
#define GOSCOPE_INSPECT_PTSTOP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

/* Registers of one stopped thread (x86-64 for now). */
struct ptstop_regs {
	uint64_t pc, sp, bp;
	uint64_t fs_base;
	uint64_t ax, bx, cx, dx, si, di;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t orig_ax;	/* syscall number when in a syscall */
};

struct ptstop_thread {
	pid_t tid;
	int stopped;		/* 1 when attached and stopped */
	int error;		/* errno of a failed attach/stop (thread skipped) */
	/*
	 * Signal the thread had dequeued when it stopped (it is held in its
	 * signal-delivery-stop and delivered at resume), or 0.
	 */
	int pending_sig;
	struct ptstop_regs regs;	/* valid when stopped */
};

struct ptstop {
	pid_t pid;
	struct ptstop_thread *threads;
	size_t nthreads;
	/* CLOCK_MONOTONIC ns: first PTRACE_INTERRUPT, all stopped, resumed. */
	uint64_t t_stop_begin, t_all_stopped, t_resumed;
	unsigned int nscans;	/* reads of /proc/PID/task */
	unsigned int nauto;	/* threads attached through a clone event */
};

/*
 * Stops every thread of pid: PTRACE_SEIZE each tid of /proc/PID/task (with
 * PTRACE_O_TRACECLONE, so threads they create are attached too),
 * PTRACE_INTERRUPT it, waitpid(tid, __WALL) for the stop, and rescans the
 * task list until no new thread appears.  Threads that exit are dropped; a
 * thread that cannot be stopped is recorded with its errno and skipped
 * (ETIMEDOUT when it did not stop within a second, e.g. in vfork or an
 * uninterruptible sleep).  A thread that stops to take a signal stays in
 * that signal-delivery-stop with the signal in pending_sig; resume hands it
 * back (PTRACE_DETACH with the signal, original siginfo intact).
 *
 * While stopped, SIGINT/SIGTERM/SIGHUP/SIGQUIT/SIGPIPE (unless ignored)
 * detach every thread before goscope dies: the handler releases them,
 * puts back the previous disposition and re-raises; ptstop_resume
 * restores the previous handlers.  SIGKILL cannot be caught: the kernel
 * then detaches every tracee and the threads resume by themselves, but a
 * signal held in a signal-delivery-stop is lost.
 *
 * Every ptrace call must come from the calling thread, and only one stop
 * can be active at a time.  SIGCHLD is blocked in the calling thread while
 * waiting.  Returns 0 and *out (free with ptstop_free), or a negative errno
 * with e set and the target running: -ESRCH (no such process, zombie, or
 * it exited), -EPERM (with the reason from proc_explain_eperm), -EBUSY
 * (already traced by pid N, or a stop is already active), -EINTR (a
 * guarded signal arrived), -EAGAIN (the process called execve),
 * -ETIMEDOUT (no thread stopped in time).
 */
int ptstop_stop(pid_t pid, struct ptstop **out, struct err *e);

/*
 * Resumes and detaches every thread, re-delivering pending signals, and
 * restores the signal handlers.  Must run on the thread that stopped.
 * Safe to call more than once (later calls return 0); frees nothing (use
 * ptstop_free).  Returns 0, -ESRCH when the process exited while stopped,
 * -EINTR when a guarded signal already released the threads, or
 * -ETIMEDOUT when a thread that missed the stop did not stop within 5
 * seconds (it stays attached until goscope exits).
 */
int ptstop_resume(struct ptstop *s, struct err *e);
/*
 * The threads of a successful stop that could not be stopped (another
 * tracer holds them, they did not stop in time, ...; not those that
 * exited): returns how many, and writes why the first one was not
 * stopped to why (one line, e.g. "thread 12 is traced by pid 9
 * (strace)"), empty when there are none.  Such a stop is partial: those
 * threads ran on while the others were stopped.
 */
size_t ptstop_unstopped(const struct ptstop *s, char *why, size_t size);

/* Frees s, resuming first if still stopped. */
void ptstop_free(struct ptstop *s);

#endif
