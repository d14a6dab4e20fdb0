/* Facts about the threads of a process from /proc/PID/task, without ptrace. */
#ifndef GOSCOPE_INSPECT_TASKINFO_H
#define GOSCOPE_INSPECT_TASKINFO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

/* What /proc/PID/task/TID/stat and comm say about one thread. */
struct taskinfo {
	pid_t tid;
	char name[17];		/* comm: at most 15 bytes and a NUL */
	char state;		/* R, S, D, T, t, Z, X, I, ...; 0 unknown */
	uint64_t utime_ns;	/* CPU time in user mode */
	uint64_t stime_ns;	/* CPU time in the kernel */
	int cpu;		/* CPU it last ran on, -1 unknown */
};

/*
 * Reads name, state and CPU times of thread tid of pid.  Returns 0, or
 * -ESRCH when the thread is gone, or another negative errno.
 */
int taskinfo_read(pid_t pid, pid_t tid, struct taskinfo *ti);

/*
 * Reads every thread of pid, in the order of /proc/PID/task.  Threads
 * that exit meanwhile are left out.  Returns 0 and *out (the caller frees
 * it) with *n entries, or a negative errno with e set (-ESRCH with
 * PROC_EXITED_MSG: the process was looked up before, -EACCES).
 */
int taskinfo_list(pid_t pid, struct taskinfo **out, size_t *n,
		  struct err *e);

/* Finds tid in a list from taskinfo_list, or returns NULL. */
const struct taskinfo *taskinfo_find(const struct taskinfo *list, size_t n,
				     pid_t tid);

/*
 * Reads /proc/PID/task/TID/syscall: the system call the thread is blocked
 * in.  Returns 1 with *nr and args (6 values) when it is in one, 0 when
 * it is running or not in a system call, or a negative errno.
 */
int taskinfo_syscall(pid_t pid, pid_t tid, long *nr, uint64_t args[6]);

/* Names a state letter: "running", "sleeping", "disk sleep", ... */
const char *taskinfo_state_name(char state);

#endif
