/* Stopping every thread of a process with ptrace, and resuming it. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "inspect/proc.h"
#include "inspect/ptstop.h"
#include "lib/compiler.h"
#include "lib/hashmap.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

/*
 * How this works, and why.
 *
 * PTRACE_SEIZE attaches without stopping; PTRACE_INTERRUPT then asks for a
 * PTRACE_EVENT_STOP.  A thread may report other stops first:
 *
 *  - a signal-delivery-stop (it dequeued a signal, e.g. Go's SIGURG).  Any
 *    ptrace-stop clears a pending PTRACE_INTERRUPT, and a signal passed to
 *    PTRACE_DETACH or PTRACE_CONT is ignored unless the thread is in a
 *    signal-delivery-stop, so continuing it towards the EVENT_STOP would
 *    lose the signal.  The thread is left where it is: it is stopped, its
 *    registers are valid, and PTRACE_DETACH with the signal delivers it
 *    with its original siginfo (si_code and si_addr matter for faults).
 *  - a PTRACE_EVENT_CLONE stop: the new thread is already attached and
 *    will report its own EVENT_STOP; the parent is interrupted again and
 *    continued, so it stops right after clone returns.
 *  - a group-stop (SIGSTOP and friends): under PTRACE_SEIZE it is an
 *    EVENT_STOP with the stop signal; after PTRACE_DETACH the thread goes
 *    back to the group-stop, so a stopped process stays stopped.
 *  - an exit: the thread is dropped; PTRACE_EVENT_EXEC aborts the stop.
 *
 * Waits sweep every thread still pending with waitpid(tid, __WALL |
 * WNOHANG) and sleep in sigtimedwait(SIGCHLD) only when a sweep found
 * nothing, until a deadline.  Sweeping rather than waiting for one thread
 * at a time matters: a thread in execve waits in de_thread until we reap
 * the other threads it killed, and a dead group leader is reported only
 * after the other threads.  A thread in vfork or an uninterruptible sleep
 * does not stop until it returns to user space, and must not hang goscope
 * while the rest of the target is stopped; it keeps its pending interrupt,
 * so resume waits for it to stop and detaches it.
 *
 * A guard handler for SIGINT/SIGTERM/SIGHUP/SIGQUIT/SIGPIPE detaches every
 * thread from a static table with raw syscalls.  When goscope dies by
 * SIGKILL the kernel detaches the tracees (exit_ptrace): threads in an
 * interrupt stop or a group-stop go on as before, but a signal held in a
 * signal-delivery-stop is dropped (observed on Linux 6.18).
 */

#define PTSTOP_OPTS (PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC)
#define NSEC 1000000000ull
#define MSEC 1000000ull
#define STOP_TIMEOUT_NS (1 * NSEC)	/* every thread stopped by then */
#define LATE_TIMEOUT_NS (5 * NSEC)	/* resume: wait for late stoppers */
#define MIN_WAIT_NS (20 * MSEC)		/* per thread, even past a deadline */
#define WAIT_SLICE_NS (2 * MSEC)	/* sigtimedwait timeout */
#define DEAD_CHECK_NS (50 * MSEC)	/* how often to look for zombies */
#define PF_KTHREAD_FLAG 0x00200000ul
#define GUARD_MAX 16384

struct thr {
	unsigned char seized;	/* we are its tracer */
	unsigned char waiting;	/* interrupted; stop not collected yet */
	unsigned char gone;	/* exited or vanished: dropped at the end */
	int guard;		/* slot in the guard table, or -1 */
	uint64_t since;		/* when we started waiting for it */
};

/* tid -> index into pub.threads (ptstop_impl.tids). */
struct tslot {
	struct hashmap_entry ent;
	pid_t tid;
	unsigned int idx;
};

enum { ST_STOPPING, ST_STOPPED, ST_RESUMED };

struct ptstop_impl {
	struct ptstop pub;	/* first member: ptstop_free casts back */
	struct thr *thr;	/* parallel to pub.threads */
	size_t cap;
	struct hashmap tids;	/* struct tslot by tid */
	int state;
	pid_t tracer;		/* thread id that owns the tracees */
	sigset_t oldmask;
	int chld_blocked;
	int chld_seen;		/* consumed a SIGCHLD while waiting */
};

static const int guard_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
				     SIGPIPE };

/* The guard: everything the signal handler may touch. */
static pid_t guard_tid[GUARD_MAX];
static int guard_sig[GUARD_MAX];
static int guard_n;
static pid_t guard_tracer;
static pid_t guard_pid;		/* target of the active stop, 0 if none */
static volatile sig_atomic_t guard_fired;
static struct sigaction guard_old[ARRAY_SIZE(guard_signals)];
static int guard_installed[ARRAY_SIZE(guard_signals)];

static uint64_t now_ns(void);
static pid_t my_tid(void);
static void guard_handler(int sig);
static void guard_install(pid_t pid, pid_t tracer);
static void guard_uninstall(void);
static int guard_add(pid_t tid);
static void guard_set_sig(int slot, int sig);
static void mark_gone(struct ptstop_impl *si, size_t i);
static void chld_block(struct ptstop_impl *si);
static void chld_restore(struct ptstop_impl *si);
static int read_task_stat(pid_t pid, pid_t tid, char *state, int *ppid,
			  unsigned long *flags);
static int task_dead(pid_t pid, pid_t tid);
static long tracer_of(pid_t tid);
static int precheck(pid_t pid, struct err *e);
static int tslot_cmp(const void *cmpdata, const struct hashmap_entry *a,
		     const struct hashmap_entry *b, const void *keydata);
static void hash_put(struct ptstop_impl *si, pid_t tid, size_t idx);
static void hash_rebuild(struct ptstop_impl *si, size_t min_cap);
static long find_thread(struct ptstop_impl *si, pid_t tid);
static size_t add_thread(struct ptstop_impl *si, pid_t tid);
static int seize_tid(struct ptstop_impl *si, pid_t tid);
static int scan_tasks(struct ptstop_impl *si, unsigned int *nnew);
static int wait_tid(struct ptstop_impl *si, pid_t tid, int *status,
		    uint64_t deadline);
static void idle_wait(struct ptstop_impl *si);
static int read_regs(pid_t tid, struct ptstop_regs *r);
static void new_thread(struct ptstop_impl *si, pid_t tid, int interrupt);
static void release_foreign(struct ptstop_impl *si, pid_t tid);
static int on_stop_status(struct ptstop_impl *si, size_t i, int st);
static int check_due(uint64_t *t, uint64_t *next_check);
static int collect_all(struct ptstop_impl *si, uint64_t deadline);
static void release_all(struct ptstop_impl *si, size_t *nstuck,
			pid_t *stuck_tid, size_t *ngone);
static void compact(struct ptstop_impl *si);
static int stop_failed(struct ptstop_impl *si, struct err *e);
static void impl_free(struct ptstop_impl *si);

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
}

static pid_t my_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/*
 * Async-signal-safe: raw syscalls on static data only.  ptrace requests
 * must come from the tracer thread, so another thread forwards the signal
 * there.  The table may hold threads that already exited or were detached;
 * PTRACE_DETACH then fails with ESRCH, which is harmless.
 */
static void guard_handler(int sig)
{
	int saved = errno, i, n;
	size_t k;

	if ((pid_t)syscall(SYS_gettid) != guard_tracer) {
		syscall(SYS_tgkill, (long)getpid(), (long)guard_tracer,
			(long)sig);
		errno = saved;
		return;
	}
	n = __atomic_load_n(&guard_n, __ATOMIC_ACQUIRE);
	for (i = 0; i < n; i++)
		syscall(SYS_ptrace, (long)PTRACE_DETACH, (long)guard_tid[i],
			0L, (long)__atomic_load_n(&guard_sig[i],
						 __ATOMIC_RELAXED));
	guard_fired = sig;
	for (k = 0; k < ARRAY_SIZE(guard_signals); k++) {
		if (guard_signals[k] == sig && guard_installed[k]) {
			sigaction(sig, &guard_old[k], NULL);
			guard_installed[k] = 0;
		}
	}
	/* Still blocked here: delivered to the old disposition on return. */
	raise(sig);
	errno = saved;
}

static void guard_install(pid_t pid, pid_t tracer)
{
	struct sigaction sa, old;
	size_t k;

	__atomic_store_n(&guard_n, 0, __ATOMIC_RELEASE);
	guard_tracer = tracer;
	guard_pid = pid;
	guard_fired = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = guard_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (k = 0; k < ARRAY_SIZE(guard_signals); k++)
		sigaddset(&sa.sa_mask, guard_signals[k]);
	for (k = 0; k < ARRAY_SIZE(guard_signals); k++) {
		guard_installed[k] = 0;
		if (sigaction(guard_signals[k], NULL, &old) < 0 ||
		    old.sa_handler == SIG_IGN)
			continue;
		if (sigaction(guard_signals[k], &sa, &guard_old[k]) == 0)
			guard_installed[k] = 1;
	}
}

static void guard_uninstall(void)
{
	sigset_t set, old;
	size_t k;

	sigemptyset(&set);
	for (k = 0; k < ARRAY_SIZE(guard_signals); k++)
		sigaddset(&set, guard_signals[k]);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	for (k = 0; k < ARRAY_SIZE(guard_signals); k++) {
		if (guard_installed[k])
			sigaction(guard_signals[k], &guard_old[k], NULL);
		guard_installed[k] = 0;
	}
	__atomic_store_n(&guard_n, 0, __ATOMIC_RELEASE);
	guard_pid = 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/*
 * Appends tid; the entry is written before the count is published, so the
 * handler never reads a half-written slot.  Returns the slot or -1 when
 * the table is full (that thread is then released by the kernel if
 * goscope dies).
 */
static int guard_add(pid_t tid)
{
	int n = guard_n;

	if (n >= GUARD_MAX)
		return -1;
	guard_tid[n] = tid;
	__atomic_store_n(&guard_sig[n], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&guard_n, n + 1, __ATOMIC_RELEASE);
	return n;
}

static void guard_set_sig(int slot, int sig)
{
	if (slot >= 0)
		__atomic_store_n(&guard_sig[slot], sig, __ATOMIC_RELAXED);
}

/* Thread i exited or is no longer ours: forget it, also in the guard. */
static void mark_gone(struct ptstop_impl *si, size_t i)
{
	si->thr[i].seized = 0;
	si->thr[i].waiting = 0;
	si->thr[i].gone = 1;
	if (si->thr[i].guard >= 0)
		__atomic_store_n(&guard_tid[si->thr[i].guard], 0,
				 __ATOMIC_RELAXED);
}

/* Tracee stops raise SIGCHLD; blocked, it wakes sigtimedwait. */
static void chld_block(struct ptstop_impl *si)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	si->chld_seen = 0;
	si->chld_blocked =
		pthread_sigmask(SIG_BLOCK, &set, &si->oldmask) == 0;
}

/*
 * Restores the mask.  A SIGCHLD consumed while waiting may have been meant
 * for one of goscope's own children: re-raise it for a handler.
 */
static void chld_restore(struct ptstop_impl *si)
{
	struct sigaction sa;

	if (!si->chld_blocked)
		return;
	pthread_sigmask(SIG_SETMASK, &si->oldmask, NULL);
	si->chld_blocked = 0;
	if (si->chld_seen && sigaction(SIGCHLD, NULL, &sa) == 0 &&
	    sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN)
		raise(SIGCHLD);
	si->chld_seen = 0;
}

/* Reads state, ppid and flags of /proc/PID/task/TID/stat. */
static int read_task_stat(pid_t pid, pid_t tid, char *state, int *ppid,
			  unsigned long *flags)
{
	char path[64], buf[512], *p;
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid,
		 (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	p = ok ? strrchr(buf, ')') : NULL;
	if (!p || sscanf(p + 1, " %c %d %*d %*d %*d %*d %lu", state, ppid,
			 flags) != 3)
		return -EINVAL;
	return 0;
}

/* 1 when tid is gone or a zombie: it will never report a stop. */
static int task_dead(pid_t pid, pid_t tid)
{
	unsigned long flags;
	char state;
	int ppid;

	if (read_task_stat(pid, tid, &state, &ppid, &flags) == -ENOENT)
		return 1;
	return state == 'Z' || state == 'X' || state == 'x';
}

static long tracer_of(pid_t tid)
{
	char buf[32];

	if (proc_status_field(tid, "TracerPid", buf, sizeof(buf)) < 0)
		return -1;
	return strtol(buf, NULL, 10);
}

static int precheck(pid_t pid, struct err *e)
{
	char state, name[64];
	unsigned long flags;
	long tracer;
	int r, ppid;

	if (pid <= 0)
		return err_set(e, EINVAL, "invalid pid %d", (int)pid);
	if (pid == getpid())
		return err_set(e, EINVAL, "cannot stop goscope's own process "
			       "%d", (int)pid);
	r = proc_check(pid, e);
	if (r < 0)
		return r;
	/* proc_check saw it: gone now, it has exited. */
	if (read_task_stat(pid, pid, &state, &ppid, &flags) < 0)
		return proc_gone(pid, e);
	if (flags & PF_KTHREAD_FLAG)
		return err_set(e, EPERM, PROC_KTHREAD_MSG, (int)pid);
	if ((state == 'Z' || state == 'X') && proc_exited(pid))
		return proc_gone(pid, e);
	tracer = tracer_of(pid);
	if (tracer == getpid())
		return err_set(e, EBUSY,
			       "process %d is already traced by this goscope",
			       (int)pid);
	if (tracer > 0) {
		snprintf(name, sizeof(name), "?");
		proc_status_field((pid_t)tracer, "Name", name, sizeof(name));
		return err_set(e, EBUSY,
			       "process %d is already traced by pid %ld (%s); "
			       "only one tracer can attach at a time",
			       (int)pid, tracer, name);
	}
	return 0;
}

static int tslot_cmp(const void *cmpdata, const struct hashmap_entry *a,
		     const struct hashmap_entry *b, const void *keydata)
{
	(void)cmpdata;
	(void)keydata;
	return container_of(a, struct tslot, ent)->tid !=
	       container_of(b, struct tslot, ent)->tid;
}

static void hash_put(struct ptstop_impl *si, pid_t tid, size_t idx)
{
	struct tslot *t = xmalloc(sizeof(*t));

	hashmap_entry_init(&t->ent, hash_u64((uint64_t)tid));
	t->tid = tid;
	t->idx = (unsigned int)idx;
	free(hashmap_put(&si->tids, &t->ent));
}

static void hash_rebuild(struct ptstop_impl *si, size_t min_cap)
{
	size_t i;

	hashmap_release_free(&si->tids);
	hashmap_init(&si->tids, tslot_cmp, NULL, min_cap);
	for (i = 0; i < si->pub.nthreads; i++)
		hash_put(si, si->pub.threads[i].tid, i);
}

static long find_thread(struct ptstop_impl *si, pid_t tid)
{
	struct hashmap_entry *he;
	struct tslot probe;

	probe.tid = tid;
	hashmap_entry_init(&probe.ent, hash_u64((uint64_t)tid));
	he = hashmap_get(&si->tids, &probe.ent, NULL);
	return he ? (long)container_of(he, struct tslot, ent)->idx : -1;
}

/*
 * Returns the index of tid's entry, reusing the entry of a gone thread
 * whose tid was recycled.  The new entry is not seized.
 */
static size_t add_thread(struct ptstop_impl *si, pid_t tid)
{
	long found = find_thread(si, tid);
	size_t i;

	if (found >= 0) {
		i = (size_t)found;
	} else {
		if (si->pub.nthreads == si->cap) {
			si->cap = si->cap ? si->cap * 2 : 64;
			si->pub.threads =
				xreallocarray(si->pub.threads, si->cap,
					      sizeof(*si->pub.threads));
			si->thr = xreallocarray(si->thr, si->cap,
						sizeof(*si->thr));
		}
		i = si->pub.nthreads++;
	}
	memset(&si->pub.threads[i], 0, sizeof(si->pub.threads[i]));
	memset(&si->thr[i], 0, sizeof(si->thr[i]));
	si->pub.threads[i].tid = tid;
	si->thr[i].guard = -1;
	if (found < 0)
		hash_put(si, tid, i);
	return i;
}

/*
 * PTRACE_SEIZE with our options.  Returns 0 (seized), 1 (already ours: a
 * thread auto-attached at clone whose event we have not read yet),
 * -ESRCH (gone, or exiting), -EBUSY (another tracer) or another -errno.
 */
static int seize_tid(struct ptstop_impl *si, pid_t tid)
{
	long tracer;
	int err;

	if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)(uintptr_t)PTSTOP_OPTS) ==
	    0)
		return 0;
	err = errno;
	if (err == ESRCH)
		return -ESRCH;
	if (err != EPERM)
		return -err;
	tracer = tracer_of(tid);
	if (tracer == getpid())
		return 1;
	if (tracer > 0)
		return -EBUSY;
	if (task_dead(si->pub.pid, tid))
		return -ESRCH;
	return -EPERM;
}

/*
 * Seizes every tid of /proc/PID/task not seen before and sets *nnew to
 * how many there were.  Returns 0 or -ESRCH when the process is gone.
 */
static int scan_tasks(struct ptstop_impl *si, unsigned int *nnew)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	long found, v;
	size_t i;
	char *end;
	int r;

	*nnew = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)si->pub.pid);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((de = readdir(d)) != NULL) {
		v = strtol(de->d_name, &end, 10);
		if (*end || v <= 0 || v > INT32_MAX)
			continue;
		found = find_thread(si, (pid_t)v);
		if (found >= 0 && !si->thr[found].gone)
			continue;
		r = seize_tid(si, (pid_t)v);
		if (r == -ESRCH)
			continue;
		(*nnew)++;
		i = add_thread(si, (pid_t)v);
		if (r < 0) {
			si->pub.threads[i].error = -r;
			continue;
		}
		si->thr[i].seized = 1;
		si->thr[i].waiting = 1;
		si->thr[i].since = now_ns();
		si->thr[i].guard = guard_add((pid_t)v);
		si->pub.nauto += r == 1;
	}
	closedir(d);
	si->pub.nscans++;
	return 0;
}

/*
 * Waits for the next state change of tid alone (a foreign child).  Returns
 * 0 with *status, -ETIMEDOUT, -ESRCH (dead but not reported) or the errno
 * of waitpid.
 */
static int wait_tid(struct ptstop_impl *si, pid_t tid, int *status,
		    uint64_t deadline)
{
	uint64_t t, next_check = now_ns() + DEAD_CHECK_NS;
	pid_t r;

	for (;;) {
		r = waitpid(tid, status, __WALL | WNOHANG);
		if (r == tid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		t = now_ns();
		if (t >= deadline)
			return -ETIMEDOUT;
		if (t >= next_check) {
			if (task_dead(tid, tid))
				return -ESRCH;
			next_check = t + DEAD_CHECK_NS;
		}
		idle_wait(si);
	}
}

/* Sleeps until a tracee changes state (SIGCHLD) or for a short while. */
static void idle_wait(struct ptstop_impl *si)
{
	struct timespec ts = { 0, (long)WAIT_SLICE_NS };
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigtimedwait(&chld, NULL, &ts) == SIGCHLD)
		si->chld_seen = 1;
}

static int read_regs(pid_t tid, struct ptstop_regs *r)
{
#if defined(__x86_64__)
	struct user_regs_struct u;

	if (ptrace(PTRACE_GETREGS, tid, NULL, &u) < 0)
		return -errno;
	r->pc = u.rip;
	r->sp = u.rsp;
	r->bp = u.rbp;
	r->fs_base = u.fs_base;
	r->ax = u.rax;
	r->bx = u.rbx;
	r->cx = u.rcx;
	r->dx = u.rdx;
	r->si = u.rsi;
	r->di = u.rdi;
	r->r8 = u.r8;
	r->r9 = u.r9;
	r->r10 = u.r10;
	r->r11 = u.r11;
	r->r12 = u.r12;
	r->r13 = u.r13;
	r->r14 = u.r14;
	r->r15 = u.r15;
	r->orig_ax = u.orig_rax;
	return 0;
#else
	(void)tid;
	memset(r, 0, sizeof(*r));
	return -EOPNOTSUPP;
#endif
}

/*
 * Records a thread reported by a clone event.  It is already attached and
 * will report an EVENT_STOP of its own.  A clone that made a new process
 * (not CLONE_THREAD, exit signal other than SIGCHLD) is auto-attached too:
 * it is released at once.
 */
static void new_thread(struct ptstop_impl *si, pid_t tid, int interrupt)
{
	char path[64];
	long found;
	size_t i;

	if (tid <= 0)
		return;
	found = find_thread(si, tid);
	if (found >= 0 && !si->thr[found].gone)
		return;
	snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)si->pub.pid,
		 (int)tid);
	if (access(path, F_OK) < 0 && tracer_of(tid) == getpid()) {
		release_foreign(si, tid);
		return;
	}
	i = add_thread(si, tid);
	si->thr[i].seized = 1;
	si->thr[i].waiting = 1;
	si->thr[i].since = now_ns();
	si->thr[i].guard = guard_add(tid);
	si->pub.nauto++;
	if (interrupt)
		ptrace(PTRACE_INTERRUPT, tid, NULL, NULL);
}

static void release_foreign(struct ptstop_impl *si, pid_t tid)
{
	uint64_t deadline = now_ns() + LATE_TIMEOUT_NS;
	int st, sig;

	for (;;) {
		if (wait_tid(si, tid, &st, deadline) < 0 || !WIFSTOPPED(st))
			return;
		sig = ((unsigned int)st >> 16) == 0 ? WSTOPSIG(st) : 0;
		if (ptrace(PTRACE_DETACH, tid, NULL,
			   (void *)(uintptr_t)sig) == 0)
			return;
	}
}

/*
 * Handles a wait status of thread i while stopping (see the comment at the
 * top).  Returns 0 or -EAGAIN when the process called execve.
 */
static int on_stop_status(struct ptstop_impl *si, size_t i, int st)
{
	pid_t tid = si->pub.threads[i].tid;
	unsigned long msg;
	unsigned int ev;
	int r;

	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		mark_gone(si, i);
		return 0;
	}
	if (!WIFSTOPPED(st))
		return 0;
	ev = (unsigned int)st >> 16;
	if (ev == PTRACE_EVENT_CLONE &&
	    ptrace(PTRACE_GETEVENTMSG, tid, NULL, &msg) == 0)
		new_thread(si, (pid_t)msg, 1);
	if (ev != 0 && ev != PTRACE_EVENT_STOP && ev != PTRACE_EVENT_EXEC) {
		/* A clone (or other event) stop ate our interrupt: again. */
		ptrace(PTRACE_INTERRUPT, tid, NULL, NULL);
		ptrace(PTRACE_CONT, tid, NULL, NULL);
		return 0;
	}
	si->thr[i].waiting = 0;
	if (ev == 0) {
		si->pub.threads[i].pending_sig = WSTOPSIG(st);
		guard_set_sig(si->thr[i].guard, WSTOPSIG(st));
	}
	r = read_regs(tid, &si->pub.threads[i].regs);
	if (r < 0)
		si->pub.threads[i].error = -r;
	else
		si->pub.threads[i].stopped = 1;
	return ev == PTRACE_EVENT_EXEC ? -EAGAIN : 0;
}

/*
 * Sets *t to the time now; returns 1, and plans the next check, when it
 * is time to look for threads that died (every DEAD_CHECK_NS).
 */
static int check_due(uint64_t *t, uint64_t *next_check)
{
	*t = now_ns();
	if (*t < *next_check)
		return 0;
	*next_check = *t + DEAD_CHECK_NS;
	return 1;
}

/*
 * Collects the stop of every waiting thread, sweeping them all.  A thread
 * not stopped by the deadline (and waited for at least MIN_WAIT_NS) gets
 * ETIMEDOUT; a dead one that cannot be reaped yet (a group leader) gets
 * ESRCH.  Both stay seized for release_all.  Returns 0, or -EINTR/-EAGAIN
 * to abort the whole stop.
 */
static int collect_all(struct ptstop_impl *si, uint64_t deadline)
{
	uint64_t t, next_check = now_ns() + DEAD_CHECK_NS;
	size_t i, pending;
	int st, r, progress, check;
	pid_t tid, w;

	for (;;) {
		pending = 0;
		progress = 0;
		check = check_due(&t, &next_check);
		/* on_stop_status may append threads: re-read nthreads. */
		for (i = 0; i < si->pub.nthreads; i++) {
			if (!si->thr[i].waiting)
				continue;
			tid = si->pub.threads[i].tid;
			w = waitpid(tid, &st, __WALL | WNOHANG);
			if (w == tid) {
				progress = 1;
				r = on_stop_status(si, i, st);
				if (r < 0)
					return r;
				pending += si->thr[i].waiting;
			} else if (w < 0 && errno != EINTR) {
				mark_gone(si, i);
			} else if (t >= deadline &&
				   t - si->thr[i].since >= MIN_WAIT_NS) {
				si->thr[i].waiting = 0;
				si->pub.threads[i].error = ETIMEDOUT;
			} else if (check && task_dead(si->pub.pid, tid)) {
				si->thr[i].waiting = 0;
				si->pub.threads[i].error = ESRCH;
			} else {
				pending++;
			}
		}
		if (!pending)
			return 0;
		if (guard_fired)
			return -EINTR;
		if (!progress)
			idle_wait(si);
	}
}

/*
 * Detaches every seized thread: the stopped ones first, in one quick pass,
 * then, sweeping until the deadline, those that are not in a stop yet
 * (late, killed, or appearing at a clone event meanwhile).  Counts the
 * threads that could not be released and those found dead.
 */
static void release_all(struct ptstop_impl *si, size_t *nstuck,
			pid_t *stuck_tid, size_t *ngone)
{
	uint64_t t, deadline, next_check;
	size_t i, pending, ndead;
	int st, progress, check;
	struct ptstop_thread *th;
	unsigned long msg;
	unsigned int ev;
	pid_t w;

	*nstuck = 0;
	*ngone = 0;
	for (i = 0; i < si->pub.nthreads; i++) {
		th = &si->pub.threads[i];
		if (!si->thr[i].seized || !th->stopped)
			continue;
		if (ptrace(PTRACE_DETACH, th->tid, NULL,
			   (void *)(uintptr_t)th->pending_sig) == 0) {
			si->thr[i].seized = 0;
			th->stopped = 0;
		}
	}
	si->pub.t_resumed = now_ns();
	deadline = si->pub.t_resumed + LATE_TIMEOUT_NS;
	next_check = si->pub.t_resumed + DEAD_CHECK_NS;
	for (;;) {
		pending = 0;
		ndead = 0;
		progress = 0;
		check = check_due(&t, &next_check);
		for (i = 0; i < si->pub.nthreads; i++) {
			if (!si->thr[i].seized)
				continue;
			th = &si->pub.threads[i];
			if (ptrace(PTRACE_DETACH, th->tid, NULL,
				   (void *)(uintptr_t)th->pending_sig) == 0 ||
			    errno != ESRCH) {
				si->thr[i].seized = 0;
				th->stopped = 0;
				progress = 1;
				continue;
			}
			/* Not in a stop: running towards one, or dead. */
			w = waitpid(th->tid, &st, __WALL | WNOHANG);
			if (w == th->tid) {
				progress = 1;
				if (WIFEXITED(st) || WIFSIGNALED(st)) {
					mark_gone(si, i);
					(*ngone)++;
					continue;
				}
				ev = (unsigned int)st >> 16;
				th->pending_sig = ev == 0 ? WSTOPSIG(st) : 0;
				if (ev == PTRACE_EVENT_CLONE &&
				    ptrace(PTRACE_GETEVENTMSG, th->tid, NULL,
					   &msg) == 0)
					new_thread(si, (pid_t)msg, 0);
				pending++;
				continue;
			}
			if (w < 0 && errno != EINTR) {
				mark_gone(si, i);
				(*ngone)++;
				continue;
			}
			if (check && task_dead(si->pub.pid, th->tid))
				ndead++;
			pending++;
		}
		if (!pending)
			return;
		/*
		 * Only unreportable zombies left (a group leader that exited
		 * while other threads live): nothing of them runs or stops.
		 */
		if (check && !progress && ndead == pending) {
			for (i = 0; i < si->pub.nthreads; i++) {
				if (si->thr[i].seized) {
					mark_gone(si, i);
					(*ngone)++;
				}
			}
			return;
		}
		if (t >= deadline)
			break;
		if (!progress)
			idle_wait(si);
	}
	for (i = 0; i < si->pub.nthreads; i++) {
		if (!si->thr[i].seized)
			continue;
		if (!*nstuck)
			*stuck_tid = si->pub.threads[i].tid;
		(*nstuck)++;
	}
}

/* Drops the entries of threads that exited. */
static void compact(struct ptstop_impl *si)
{
	size_t i, j = 0;

	for (i = 0; i < si->pub.nthreads; i++) {
		if (si->thr[i].gone)
			continue;
		if (i != j) {
			si->pub.threads[j] = si->pub.threads[i];
			si->thr[j] = si->thr[i];
		}
		j++;
	}
	si->pub.nthreads = j;
	hash_rebuild(si, j);
}

/* Explains why no thread could be stopped. */
static int stop_failed(struct ptstop_impl *si, struct err *e)
{
	int have_busy = 0, have_perm = 0, have_time = 0, other = 0;
	pid_t pid = si->pub.pid, busy_tid = 0;
	char hint[384], name[64];
	long tracer;
	size_t i;

	for (i = 0; i < si->pub.nthreads; i++) {
		int code = si->pub.threads[i].error;

		if (si->thr[i].gone || !code || code == ESRCH)
			continue;
		if (code == EBUSY && !have_busy) {
			have_busy = 1;
			busy_tid = si->pub.threads[i].tid;
		} else if (code == EPERM || code == EACCES) {
			have_perm = 1;
		} else if (code == ETIMEDOUT) {
			have_time = 1;
		} else if (!other) {
			other = code;
		}
	}
	if (have_busy) {
		tracer = tracer_of(busy_tid);
		snprintf(name, sizeof(name), "?");
		if (tracer > 0)
			proc_status_field((pid_t)tracer, "Name", name,
					  sizeof(name));
		return err_set(e, EBUSY,
			       "process %d is already traced by pid %ld (%s); "
			       "only one tracer can attach at a time",
			       (int)pid, tracer, name);
	}
	if (have_perm) {
		proc_explain_eperm(pid, hint, sizeof(hint));
		return err_set(e, EPERM,
			       "cannot stop process %d: operation not "
			       "permitted%s%s", (int)pid, hint[0] ? "; " : "",
			       hint);
	}
	if (have_time)
		return err_set(e, ETIMEDOUT,
			       "no thread of process %d stopped within %llu ms",
			       (int)pid,
			       (unsigned long long)(STOP_TIMEOUT_NS / MSEC));
	if (other)
		return err_errno(e, other, "cannot stop process %d",
				 (int)pid);
	return proc_gone(pid, e);
}

static void impl_free(struct ptstop_impl *si)
{
	free(si->pub.threads);
	free(si->thr);
	hashmap_release_free(&si->tids);
	free(si);
}

int ptstop_stop(pid_t pid, struct ptstop **out, struct err *e)
{
	struct ptstop_impl *si;
	uint64_t deadline = 0;
	unsigned int nnew;
	size_t i, n0, nstopped = 0, nstuck, ngone;
	pid_t stuck_tid = 0;
	int r, abort_code = 0, scan_err = 0, late = 0, sig;

	*out = NULL;
	r = precheck(pid, e);
	if (r < 0)
		return r;
	if (guard_pid)
		return err_set(e, EBUSY,
			       "goscope is already stopping process %d; resume "
			       "it first", (int)guard_pid);
	si = xcalloc(1, sizeof(*si));
	hashmap_init(&si->tids, tslot_cmp, NULL, 0);
	si->pub.pid = pid;
	si->state = ST_STOPPING;
	si->tracer = my_tid();
	guard_install(pid, si->tracer);
	chld_block(si);
	for (;;) {
		n0 = si->pub.nthreads;
		r = scan_tasks(si, &nnew);
		if (r < 0) {
			scan_err = -r;
			break;
		}
		if (!deadline) {
			si->pub.t_stop_begin = now_ns();
			deadline = si->pub.t_stop_begin + STOP_TIMEOUT_NS;
		}
		for (i = n0; i < si->pub.nthreads; i++)
			if (si->thr[i].waiting)
				ptrace(PTRACE_INTERRUPT, si->pub.threads[i].tid,
				       NULL, NULL);
		abort_code = collect_all(si, deadline);
		/* Past the deadline, one more scan looks for newcomers. */
		if (abort_code || !nnew || (now_ns() >= deadline && late++))
			break;
	}
	si->pub.t_all_stopped = now_ns();
	if (!si->pub.t_stop_begin)
		si->pub.t_stop_begin = si->pub.t_all_stopped;
	for (i = 0; i < si->pub.nthreads; i++)
		nstopped += si->pub.threads[i].stopped;
	if (!abort_code && guard_fired)
		abort_code = -EINTR;
	if (abort_code || !nstopped) {
		sig = guard_fired;
		release_all(si, &nstuck, &stuck_tid, &ngone);
		guard_uninstall();
		chld_restore(si);
		if (abort_code == -EINTR)
			r = err_set(e, EINTR,
				    "stopping process %d was interrupted by "
				    "signal %d (%s)", (int)pid, sig,
				    strsignal(sig));
		else if (abort_code == -EAGAIN)
			r = err_set(e, EAGAIN,
				    "process %d executed a new program while "
				    "it was being stopped; try again",
				    (int)pid);
		else if (scan_err && scan_err != ESRCH && !si->pub.nthreads)
			r = err_errno(e, scan_err,
				      "cannot read '/proc/%d/task'", (int)pid);
		else
			r = stop_failed(si, e);
		impl_free(si);
		return r;
	}
	compact(si);
	chld_restore(si);
	si->state = ST_STOPPED;
	*out = &si->pub;
	return 0;
}

int ptstop_resume(struct ptstop *s, struct err *e)
{
	struct ptstop_impl *si = (struct ptstop_impl *)s;
	size_t nstuck, ngone, nalive = 0, i;
	pid_t stuck_tid = 0;
	int fired;

	if (!s || si->state != ST_STOPPED)
		return 0;
	if (my_tid() != si->tracer)
		return err_set(e, EINVAL,
			       "process %d must be resumed by the thread that "
			       "stopped it", (int)s->pid);
	fired = guard_fired;
	chld_block(si);
	release_all(si, &nstuck, &stuck_tid, &ngone);
	guard_uninstall();
	chld_restore(si);
	si->state = ST_RESUMED;
	for (i = 0; i < s->nthreads; i++)
		nalive += !si->thr[i].gone;
	if (fired)
		return err_set(e, EINTR,
			       "signal %d (%s) arrived while process %d was "
			       "stopped; its threads were released then",
			       fired, strsignal(fired), (int)s->pid);
	if (nstuck)
		return err_set(e, ETIMEDOUT,
			       "%zu thread(s) of process %d (first %d) did not "
			       "stop within %llu s to be released; they stay "
			       "attached until goscope exits",
			       nstuck, (int)s->pid, (int)stuck_tid,
			       (unsigned long long)(LATE_TIMEOUT_NS / NSEC));
	if (!nalive && s->nthreads)
		return proc_gone(s->pid, e);
	return 0;
}

size_t ptstop_unstopped(const struct ptstop *s, char *why, size_t size)
{
	const struct ptstop_thread *t, *first = NULL;
	char name[64];
	size_t i, n = 0;
	long tracer;

	if (size)
		why[0] = '\0';
	for (i = 0; s && i < s->nthreads; i++) {
		t = &s->threads[i];
		/* ESRCH: a thread that exited but is not reaped yet. */
		if (t->stopped || !t->error || t->error == ESRCH)
			continue;
		if (!n++)
			first = t;
	}
	if (!n || !size)
		return n;
	if (first->error == EBUSY && (tracer = tracer_of(first->tid)) > 0) {
		snprintf(name, sizeof(name), "?");
		proc_status_field((pid_t)tracer, "Name", name, sizeof(name));
		snprintf(why, size, "thread %d is traced by pid %ld (%s)",
			 (int)first->tid, tracer, name);
	} else if (first->error == ETIMEDOUT) {
		snprintf(why, size, "thread %d did not stop within %llu ms",
			 (int)first->tid,
			 (unsigned long long)(STOP_TIMEOUT_NS / MSEC));
	} else {
		snprintf(why, size, "thread %d: %s", (int)first->tid,
			 strerror(first->error));
	}
	return n;
}

void ptstop_free(struct ptstop *s)
{
	struct ptstop_impl *si = (struct ptstop_impl *)s;

	if (!s)
		return;
	if (si->state == ST_STOPPED)
		ptstop_resume(s, NULL);
	impl_free(si);
}
