/* Facts about a process read from /proc, without ptrace. */
#ifndef GOSCOPE_INSPECT_PROC_H
#define GOSCOPE_INSPECT_PROC_H

#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

struct proc_map {
	uint64_t start, end;	/* [start, end) */
	uint64_t offset;	/* file offset of start */
	unsigned long long inode;
	unsigned int dev_major, dev_minor;
	char perms[5];		/* "r-xp" */
	char *path;		/* NULL for anonymous mappings */
};

struct proc_maps {
	struct proc_map *maps;
	size_t n;
};

/* What every command says about a kernel thread (printf: the pid). */
#define PROC_KTHREAD_MSG                                                   \
	"process %d is a kernel thread: it runs no program goscope can "   \
	"inspect"

/*
 * The one message for a process that went away, whichever step noticed
 * it (attach, stop, a memory or /proc read, resume) and whichever
 * command or view (printf: the pid).  "no process with pid N" is kept
 * for a pid that named no process when goscope first looked.
 */
#define PROC_EXITED_MSG "process %d has exited"

/* Fills e with PROC_EXITED_MSG (ESRCH); returns -ESRCH. */
int proc_gone(pid_t pid, struct err *e);

/*
 * 1 when pid has exited since goscope first saw it: /proc/PID is gone,
 * or the process is a zombie (its last thread exited); else 0.
 */
int proc_exited(pid_t pid);

/*
 * For a step that failed with r < 0 on a process goscope has seen: when
 * the process has exited meanwhile, the failure is that (proc_gone),
 * whatever the step said (a read error, "no such process"); otherwise r
 * and e unchanged.  Returns the resulting r.
 */
int proc_explain_exit(pid_t pid, int r, struct err *e);

/*
 * Checks that pid names a live process we can see.  Returns 0, -ESRCH
 * (with a message naming the pid), -EPERM for a kernel thread
 * (PROC_KTHREAD_MSG) or another negative errno.
 */
int proc_check(pid_t pid, struct err *e);

/*
 * Reads the target of /proc/PID/exe.  On success *path is the path the
 * kernel reports (caller frees) with any " (deleted)" suffix removed, and
 * *deleted says whether the suffix was present.
 */
int proc_exe(pid_t pid, char **path, int *deleted, struct err *e);

/* Reads /proc/PID/maps into maps (release with proc_maps_release). */
int proc_maps_read(pid_t pid, struct proc_maps *maps, struct err *e);
void proc_maps_release(struct proc_maps *maps);

/*
 * Reads one "Key:\tvalue" line of /proc/PID/status (pid 0 = self) into
 * buf.  Returns 0 or a negative errno (-ENOENT when the key is absent).
 */
int proc_status_field(pid_t pid, const char *key, char *buf, size_t size);

/*
 * Explains why access to pid may have been refused (errno code from
 * open, ptrace or process_vm_readv), in one line without a trailing
 * period: Yama ptrace_scope, missing CAP_SYS_PTRACE, another tracer,
 * a different owner.  Writes an empty string when nothing applies.
 */
void proc_explain_eperm(pid_t pid, char *buf, size_t size);

/*
 * Finds the lowest mapping of pid's executable with file offset 0 (where
 * its ELF header is mapped).  Returns 0 and *base, or a negative errno.
 */
int proc_exe_base(pid_t pid, uint64_t *base, struct err *e);

/* Returns the process start time in seconds since the epoch, or 0. */
long long proc_start_time(pid_t pid);

/*
 * The memory this machine can give without swapping (MemAvailable of
 * /proc/meminfo), in bytes, or 0 when unknown.
 */
uint64_t proc_mem_available(void);

#endif
