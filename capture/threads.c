/* The threads view: stop, copy registers and stacks, resume, unwind, name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "inspect/core.h"
#include "inspect/proc.h"
#include "inspect/ptstop.h"
#include "inspect/stackcopy.h"
#include "inspect/sysnames.h"
#include "inspect/taskinfo.h"
#include "capture/capture.h"
#include "capture/threads.h"
#include "symbols/dwproc.h"
#include "symbols/unwinder.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

/* Kernel-internal return values of a system call that a stop interrupted. */
#define K_ERESTARTSYS 512
#define K_ERESTARTNOINTR 513
#define K_ERESTARTNOHAND 514
#define K_ERESTART_RESTARTBLOCK 516
#define MAX_FRAMES_LIMIT 100000u
/* abi.FuncFlag bits: Go's tracebacks stop at such functions. */
#define GO_FUNCFLAG_TOPFRAME 1u
#define GO_FUNCFLAG_SPWRITE 2u

/* How the file mappings of a process changed between two captures. */
enum maps_change {
	MAPS_SAME,
	MAPS_CHANGED,		/* mapped or unmapped: report them again */
	MAPS_REPLACED,		/* a file at the same place is another one,
				 * or the executable changed: start over */
};

struct threads_cache {
	/* What it is bound to (cache_bind). */
	pid_t pid;
	char *unwinder;
	char *debug_dirs;
	enum maps_change change;	/* of the capture under way */
	struct threads_cache_stats st;
	/* What is kept (cache_drop forgets it). */
	struct {
		/* The file mappings and executable of the last capture. */
		struct proc_maps mods;
		unsigned long long exe_ino;
		uint64_t exe_start;
		struct capture *c;	/* opened here (a Go program) */
		int go_error;		/* or what capture_open said */
		struct err go_err;
		struct dwproc *dw;
		struct unwinder *uw;
	} kept;
};

struct tcap {
	pid_t pid;
	struct core *core;		/* post-mortem: the core, else NULL */
	size_t max_frames;
	struct capture *c;		/* Go programs only */
	int borrowed;			/* c is the caller's: not closed */
	struct taskinfo *ti;		/* read before the stop */
	size_t nti;
	struct dwproc *dw;
	struct stackcopy *sc;
	struct unwinder *uw;
	int cached;			/* dw and uw are the cache's */
	struct unwind_frame *uf;	/* max_frames */
	size_t *gidx;			/* goroutine indexes by goid */
};

static uint64_t now_ns(clockid_t clk);
static void copy_hook(const struct ptstop *stop, void *arg);
static int explain_access(pid_t pid, int r, struct err *e);
static int same_str(const char *a, const char *b);
static void cache_drop(struct threads_cache *k);
static void cache_bind(struct threads_cache *k, pid_t pid,
		       const struct threads_opts *o);
static void file_maps(struct proc_maps *all, struct proc_maps *out);
static enum maps_change maps_compare(const struct proc_maps *a,
				     const struct proc_maps *b);
static int cache_sync(struct threads_cache *k, pid_t pid, struct err *e);
static int open_go(struct tcap *tc, const struct threads_opts *o,
		   struct err *ce);
static int open_native(struct tcap *tc, const struct threads_opts *o,
		       struct err *e);
static int prepare(struct tcap *tc, const struct threads_opts *o,
		   struct err *e);
static void tcap_release(struct tcap *tc);
static int take_plain(struct tcap *tc, struct snap **out, struct err *e);
static int blocked_syscall(const struct ptstop_regs *r);
static char state_at_stop(char before, const struct ptstop_regs *r);
static int cmp_goid(const void *a, const void *b, void *arg);
static long find_goroutine(const struct tcap *tc, const struct snap *s,
			   uint64_t goid);
static void index_goroutines(struct tcap *tc, const struct snap *s);
static int is_go_pc(const struct tcap *tc, uint64_t pc)
{
	const struct pcln_frame *f;
	unsigned int flag;

	return capture_go_frames(tc->c, pc, &f, &flag) > 0;
}

static int is_go_pc(const struct tcap *tc, uint64_t pc);
static void set_role(const struct tcap *tc, const struct snap *s,
		     const struct stackcopy_thread *ct,
		     struct snap_thread *t);
static void add_frame(struct snap *s, struct snap_thread *t, size_t *cap,
		      uint64_t pc, const struct dwproc_frame *f);
static void unwind_thread(struct tcap *tc, struct snap *s,
			  const struct stackcopy_thread *ct,
			  struct snap_thread *t);
static void join_goroutine(struct tcap *tc, struct snap *s,
			   struct snap_thread *t, size_t g);
static void core_times(const struct core *c, struct snap_thread *t);
static void build_threads(struct tcap *tc, struct snap *s);

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Runs inside capture_take while the Go program is stopped. */
static void copy_hook(const struct ptstop *stop, void *arg)
{
	struct tcap *tc = arg;

	stackcopy_take(tc->sc, stop);
}

/* Rewrites a refused access as "permission denied" with the reason. */
static int explain_access(pid_t pid, int r, struct err *e)
{
	char hint[400];

	if (r != -EACCES && r != -EPERM)
		return r;
	proc_explain_eperm(pid, hint, sizeof(hint));
	return err_set(e, -r, "cannot read process %d: permission denied%s%s",
		       (int)pid, hint[0] ? "; " : "", hint);
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Forgets everything but the binding. */
static void cache_drop(struct threads_cache *k)
{
	unwinder_free(k->kept.uw);
	dwproc_free(k->kept.dw);
	capture_close(k->kept.c);
	proc_maps_release(&k->kept.mods);
	memset(&k->kept, 0, sizeof(k->kept));
}

/* Starts over for another process or other options. */
static void cache_bind(struct threads_cache *k, pid_t pid,
		       const struct threads_opts *o)
{
	if (k->pid == pid && same_str(k->unwinder, o->unwinder) &&
	    same_str(k->debug_dirs, o->debug_dirs))
		return;
	cache_drop(k);
	free(k->unwinder);
	free(k->debug_dirs);
	k->pid = pid;
	k->unwinder = o->unwinder ? xstrdup(o->unwinder) : NULL;
	k->debug_dirs = o->debug_dirs ? xstrdup(o->debug_dirs) : NULL;
}

/* Moves the mappings of files (and the vDSO) from all to out. */
static void file_maps(struct proc_maps *all, struct proc_maps *out)
{
	size_t i;

	out->maps = xcalloc(all->n + 1, sizeof(*out->maps));
	out->n = 0;
	for (i = 0; i < all->n; i++) {
		struct proc_map *m = &all->maps[i];

		if (!m->path ||
		    (m->path[0] != '/' && strcmp(m->path, "[vdso]")))
			continue;
		out->maps[out->n++] = *m;
		m->path = NULL;
	}
}

/* Both sorted by address, as /proc/PID/maps is. */
static enum maps_change maps_compare(const struct proc_maps *a,
				     const struct proc_maps *b)
{
	size_t i = 0, j = 0;
	int changed = a->n != b->n;

	while (i < a->n && j < b->n) {
		const struct proc_map *x = &a->maps[i], *y = &b->maps[j];

		if (x->start != y->start) {
			changed = 1;
			if (x->start < y->start)
				i++;
			else
				j++;
			continue;
		}
		if (strcmp(x->path, y->path))
			changed = 1;
		else if (x->inode != y->inode || x->offset != y->offset ||
			 x->dev_major != y->dev_major ||
			 x->dev_minor != y->dev_minor)
			return MAPS_REPLACED;
		else if (x->end != y->end || strcmp(x->perms, y->perms))
			changed = 1;
		i++;
		j++;
	}
	return changed ? MAPS_CHANGED : MAPS_SAME;
}

/*
 * Compares the process's file mappings and executable with those of the
 * last capture (a read of /proc/PID/maps and a stat of the executable):
 * everything is dropped when a file was replaced or the executable
 * changed, and k->change says what the modules need.
 */
static int cache_sync(struct threads_cache *k, pid_t pid, struct err *e)
{
	struct proc_maps all, now;
	uint64_t exe_start = 0;
	char path[64];
	struct stat st;
	size_t i;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (stat(path, &st) < 0)
		memset(&st, 0, sizeof(st));
	r = proc_maps_read(pid, &all, e);
	if (r < 0)
		return r;
	file_maps(&all, &now);
	proc_maps_release(&all);
	for (i = 0; i < now.n; i++) {
		if (now.maps[i].inode == (unsigned long long)st.st_ino) {
			exe_start = now.maps[i].start;
			break;
		}
	}
	k->change = maps_compare(&k->kept.mods, &now);
	if (k->kept.exe_ino != (unsigned long long)st.st_ino ||
	    k->kept.exe_start != exe_start)
		k->change = MAPS_REPLACED;
	if (k->change == MAPS_REPLACED)
		cache_drop(k);
	proc_maps_release(&k->kept.mods);
	k->kept.mods = now;
	k->kept.exe_ino = (unsigned long long)st.st_ino;
	k->kept.exe_start = exe_start;
	return 0;
}

/*
 * The Go capture: the caller's, the cache's, or opened now (and kept by
 * the cache, as is its verdict that the process is not a Go program).
 */
static int open_go(struct tcap *tc, const struct threads_opts *o,
		   struct err *ce)
{
	struct threads_cache *k = o->cache;
	int r;

	if (o->reuse || (k && k->kept.c)) {
		tc->c = o->reuse ? o->reuse : k->kept.c;
		tc->borrowed = 1;
		return 0;
	}
	if (k && k->kept.go_error) {
		*ce = k->kept.go_err;
		return k->kept.go_error;
	}
	r = capture_open(tc->pid, &tc->c, ce);
	if (k && r == 0) {
		k->kept.c = tc->c;
		tc->borrowed = 1;
		k->st.go_opened++;
	} else if (k && (r == -ENOEXEC || r == -ENODATA)) {
		k->kept.go_error = r;
		k->kept.go_err = *ce;
	}
	return r;
}

/* The libdw session and the unwinder: the cache's, or opened now. */
static int open_native(struct tcap *tc, const struct threads_opts *o,
		       struct err *e)
{
	struct threads_cache *k = o->cache;
	int r;

	if (k && k->kept.dw) {
		r = dwproc_reload(k->kept.dw, k->change != MAPS_SAME, e);
		if (r < 0) {
			cache_drop(k);
			return r;
		}
		unwinder_rebind(k->kept.uw, tc->sc, k->change != MAPS_SAME);
		k->st.last = k->change == MAPS_SAME ? THREADS_REUSED
						    : THREADS_RELOADED;
		if (k->change != MAPS_SAME)
			k->st.reloaded++;
	} else {
		r = dwproc_open(tc->pid, o->debug_dirs, &tc->dw, e);
		if (r == 0)
			r = unwinder_open(tc->dw, tc->sc, o->unwinder,
					  &tc->uw, e);
		if (r < 0 || !k)
			return r;
		k->kept.dw = tc->dw;
		k->kept.uw = tc->uw;
		k->st.last = THREADS_OPENED;
		k->st.opened++;
	}
	tc->dw = k->kept.dw;
	tc->uw = k->kept.uw;
	tc->cached = 1;
	return 0;
}

/* Everything that can be done before stopping the process. */
static int prepare(struct tcap *tc, const struct threads_opts *o,
		   struct err *e)
{
	int r;

	r = taskinfo_list(tc->pid, &tc->ti, &tc->nti, e);
	if (r == 0)
		r = stackcopy_new(tc->pid, o->max_stack, tc->nti, &tc->sc, e);
	if (r == 0)
		r = open_native(tc, o, e);
	if (r < 0)
		return explain_access(tc->pid, r, e);
	tc->uf = xcalloc(tc->max_frames, sizeof(*tc->uf));
	return 0;
}

static void tcap_release(struct tcap *tc)
{
	if (tc->cached) {
		unwinder_rebind(tc->uw, NULL, 0);
	} else {
		unwinder_free(tc->uw);
		dwproc_free(tc->dw);
	}
	stackcopy_free(tc->sc);
	if (!tc->borrowed)
		capture_close(tc->c);
	free(tc->ti);
	free(tc->uf);
	free(tc->gidx);
	memset(tc, 0, sizeof(*tc));
}

/* A process that is not a Go program: only threads. */
static int take_plain(struct tcap *tc, struct snap **out, struct err *e)
{
	struct ptstop *stop = NULL;
	struct snap *s;
	size_t nunstopped;
	char *exe, why[160];
	int r, deleted;
	struct err re;

	r = ptstop_stop(tc->pid, &stop, e);
	if (r < 0)
		return r;
	stackcopy_take(tc->sc, stop);
	nunstopped = ptstop_unstopped(stop, why, sizeof(why));
	/* A process that exited meanwhile still has its copy to show. */
	err_init(&re);
	ptstop_resume(stop, &re);
	s = snap_new();
	s->nunstopped = nunstopped;
	if (nunstopped)
		s->unstopped = snap_intern(s, why);
	if (re.code)
		s->resume_error = snap_intern(s, re.msg);
	s->pid = tc->pid;
	if (proc_exe(tc->pid, &exe, &deleted, NULL) == 0)
		s->exe = exe;
	s->time_unix_ns = (int64_t)now_ns(CLOCK_REALTIME);
	s->pause_ns = stop->t_resumed - stop->t_stop_begin;
	ptstop_free(stop);
	*out = s;
	return 0;
}

/*
 * Whether the registers are those of a thread blocked in a system call
 * that the stop interrupted: orig_ax holds the call and ax the restart
 * code the kernel uses to resume it (or -EINTR for calls that never
 * restart, like epoll_wait).
 */
static int blocked_syscall(const struct ptstop_regs *r)
{
	int64_t ax = (int64_t)r->ax;

	if ((int64_t)r->orig_ax < 0)
		return 0;
	return ax == -K_ERESTARTSYS || ax == -K_ERESTARTNOINTR ||
	       ax == -K_ERESTARTNOHAND || ax == -K_ERESTART_RESTARTBLOCK ||
	       ax == -EINTR;
}

/*
 * The kernel state read just before the stop, corrected by what the
 * registers say about the moment of the stop: a thread interrupted in
 * user mode was running, one interrupted in a blocking system call was
 * asleep in it.
 */
static char state_at_stop(char before, const struct ptstop_regs *r)
{
	if ((int64_t)r->orig_ax < 0)
		return 'R';
	if (blocked_syscall(r) && before != 'S' && before != 'D')
		return 'S';
	return before;
}

static int cmp_goid(const void *a, const void *b, void *arg)
{
	const struct snap *s = arg;
	uint64_t x = s->gs[*(const size_t *)a].goid;
	uint64_t y = s->gs[*(const size_t *)b].goid;

	return x < y ? -1 : x > y;
}

static void index_goroutines(struct tcap *tc, const struct snap *s)
{
	size_t i;

	tc->gidx = xcalloc(s->ngs + 1, sizeof(*tc->gidx));
	for (i = 0; i < s->ngs; i++)
		tc->gidx[i] = i;
	qsort_r(tc->gidx, s->ngs, sizeof(*tc->gidx), cmp_goid, (void *)s);
}

static long find_goroutine(const struct tcap *tc, const struct snap *s,
			   uint64_t goid)
{
	size_t lo = 0, hi = s->ngs, mid;
	uint64_t v;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		v = s->gs[tc->gidx[mid]].goid;
		if (v == goid)
			return (long)tc->gidx[mid];
		if (v < goid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void set_role(const struct tcap *tc, const struct snap *s,
		     const struct stackcopy_thread *ct,
		     struct snap_thread *t)
{
	long g;

	if (!tc->c)
		t->go_role = SNAP_GO_NONE;
	else if (t->m_id < 0)
		t->go_role = SNAP_GO_NO_M;
	else if (!t->curg_goid)
		t->go_role = SNAP_GO_IDLE;
	else if ((g = find_goroutine(tc, s, t->curg_goid)) < 0)
		t->go_role = SNAP_GO_IDLE;
	else if (s->gs[g].status != SNAP_SYSCALL)
		t->go_role = SNAP_GO_RUNNING;
	else if (!ct->error && !is_go_pc(tc, ct->regs.pc))
		t->go_role = SNAP_GO_CGO;
	else
		t->go_role = SNAP_GO_SYSCALL;
}

static void add_frame(struct snap *s, struct snap_thread *t, size_t *cap,
		      uint64_t pc, const struct dwproc_frame *f)
{
	struct snap_nframe *nf;

	if (t->nnframes == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		t->nframes = xreallocarray(t->nframes, *cap,
					   sizeof(*t->nframes));
	}
	nf = &t->nframes[t->nnframes++];
	nf->pc = pc;
	nf->func = snap_intern(s, f->func);
	nf->offset = f->offset;
	nf->file = snap_intern(s, f->file);
	nf->line = f->line;
	nf->module = snap_intern(s, f->module);
	nf->inlined = f->inlined;
}

/*
 * Unwinds one copied thread and names its frames.  A thread that runs a
 * goroutine keeps its native frames only up to the first Go frame; the
 * goroutine's own frames (unwound by the capture with Go's tables) go on
 * from there.
 */
static void unwind_thread(struct tcap *tc, struct snap *s,
			  const struct stackcopy_thread *ct,
			  struct snap_thread *t)
{
	const struct pcln_frame *gf;
	const struct dwproc_frame *f;
	struct dwproc_frame d;
	unsigned int flag = 0;
	struct err why;
	size_t n = 0, i, k, nf, cap = 0;
	uint64_t lookup;
	long g = -1;
	int r;

	r = unwinder_walk(tc->uw, ct, tc->uf, tc->max_frames, &n, &why);
	if (t->go_role >= SNAP_GO_RUNNING)
		g = find_goroutine(tc, s, t->curg_goid);
	for (i = 0; i < n; i++) {
		const struct unwind_frame *u = &tc->uf[i];

		lookup = u->activation || !u->pc ? u->pc : u->pc - 1;
		nf = tc->c ? (size_t)capture_go_frames(tc->c, lookup, &gf,
						       &flag)
			   : 0;
		if (nf && g >= 0) {
			join_goroutine(tc, s, t, (size_t)g);
			return;
		}
		for (k = 0; k < nf; k++) {
			/* Go code on the system stack (g0), named by Go. */
			memset(&d, 0, sizeof(d));
			d.func = gf[k].func;
			d.file = gf[k].file;
			d.line = gf[k].line;
			d.inlined = gf[k].inlined;
			d.module = s->exe;
			if (!d.inlined)
				d.offset = u->pc - (gf[k].entry +
						    capture_bias(tc->c));
			if (t->nnframes >= tc->max_frames) {
				t->truncated = 1;
				return;
			}
			add_frame(s, t, &cap, u->pc, &d);
		}
		/* Where Go's own traceback ends: the top of a g0 stack. */
		if (nf && (flag & (GO_FUNCFLAG_TOPFRAME | GO_FUNCFLAG_SPWRITE)))
			return;
		if (nf)
			continue;
		nf = dwproc_symbolize(tc->dw, u->pc, u->activation, &f);
		for (k = 0; k < nf; k++) {
			if (t->nnframes >= tc->max_frames) {
				t->truncated = 1;
				return;
			}
			add_frame(s, t, &cap, u->pc, &f[k]);
		}
	}
	if (r == 1)
		t->truncated = 1;
	else if (r < 0)
		t->unwind_error = snap_intern(s, why.msg);
}

/*
 * The stack goes on with goroutine gs[g]'s frames, unwound by the capture
 * from the goroutine's own saved state.
 */
static void join_goroutine(struct tcap *tc, struct snap *s,
			   struct snap_thread *t, size_t g)
{
	const struct snap_goroutine *gr = &s->gs[g];

	t->go_g = g;
	t->go_nframes = gr->nframes;
	if (t->nnframes + t->go_nframes > tc->max_frames) {
		t->go_nframes = tc->max_frames - t->nnframes;
		t->truncated = 1;
	}
}

/* The CPU time a core saved for the thread. */
static void core_times(const struct core *c, struct snap_thread *t)
{
	size_t i;

	for (i = 0; i < c->nthreads; i++) {
		if (c->threads[i].tid == t->tid) {
			t->utime_ns = c->threads[i].utime_ns;
			t->stime_ns = c->threads[i].stime_ns;
			return;
		}
	}
}

static void build_threads(struct tcap *tc, struct snap *s)
{
	const struct stackcopy *sc = tc->sc;
	struct snap_thread *out;
	struct taskinfo now;
	const struct taskinfo *ti;
	size_t i, j;

	if (tc->c)
		index_goroutines(tc, s);
	out = xcalloc(sc->nthreads + 1, sizeof(*out));
	for (i = 0; i < sc->nthreads; i++) {
		const struct stackcopy_thread *ct = &sc->threads[i];
		struct snap_thread *t = &out[i];

		t->tid = ct->tid;
		t->stopped = !ct->error;
		t->error = ct->error;
		t->pc = ct->regs.pc;
		t->sp = ct->regs.sp;
		t->m_id = -1;
		for (j = 0; j < s->nthreads; j++) {
			if (s->threads[j].tid == ct->tid) {
				t->m_id = s->threads[j].m_id;
				t->curg_goid = s->threads[j].curg_goid;
				break;
			}
		}
		t->native = 1;
		t->syscall = -1;
		ti = taskinfo_find(tc->ti, tc->nti, ct->tid);
		if (!ti && !tc->core && taskinfo_read(tc->pid, ct->tid, &now) == 0)
			ti = &now;
		if (ti) {
			t->name = snap_intern(s, ti->name);
			t->state = ti->state;
			t->utime_ns = ti->utime_ns;
			t->stime_ns = ti->stime_ns;
		}
		if (tc->core)
			core_times(tc->core, t);
		if (!ct->error)
			t->state = state_at_stop(t->state, &ct->regs);
		/* A core has no kernel state: what the registers say. */
		if (tc->core && !ct->error && !t->state)
			t->state = (int64_t)ct->regs.orig_ax >= 0 ? 'S' : 'R';
		if (!ct->error && blocked_syscall(&ct->regs)) {
			t->syscall = (long)ct->regs.orig_ax;
			t->syscall_args[0] = ct->regs.di;
			t->syscall_args[1] = ct->regs.si;
			t->syscall_args[2] = ct->regs.dx;
			t->syscall_args[3] = ct->regs.r10;
			t->syscall_args[4] = ct->regs.r8;
			t->syscall_args[5] = ct->regs.r9;
		} else if (ct->error && !tc->core &&
			   taskinfo_syscall(tc->pid, ct->tid, &t->syscall,
					    t->syscall_args) != 1) {
			t->syscall = -1;
		}
		if (t->syscall >= 0)
			t->syscall_name =
				snap_intern(s, sysnames_name(t->syscall));
		set_role(tc, s, ct, t);
		if (ct->error) {
			char msg[128];

			snprintf(msg, sizeof(msg), "thread not stopped: %s",
				 strerror(ct->error));
			t->unwind_error = snap_intern(s, msg);
		} else {
			unwind_thread(tc, s, ct, t);
		}
	}
	for (i = 0; i < s->nthreads; i++)
		free(s->threads[i].nframes);
	free(s->threads);
	s->threads = out;
	s->nthreads = sc->nthreads;
}

int threads_capture(pid_t pid, const struct threads_opts *o,
		    struct snap **out, struct err *e)
{
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	unsigned long opens = 0;
	struct snap *s = NULL;
	struct tcap tc;
	struct err ce;
	int r, native = 1;

	memset(&tc, 0, sizeof(tc));
	tc.pid = pid;
	tc.max_frames = o->max_frames ? o->max_frames : THREADS_DEFAULT_FRAMES;
	if (tc.max_frames > MAX_FRAMES_LIMIT)
		tc.max_frames = MAX_FRAMES_LIMIT;
	r = proc_check(pid, e);
	if (r < 0)
		return r;
	if (o->cache) {
		cache_bind(o->cache, pid, o);
		r = cache_sync(o->cache, pid, e);
		if (r < 0)
			return proc_explain_exit(pid, explain_access(pid, r, e),
						 e);
		opens = dwproc_opens();
	}
	err_init(&ce);
	r = open_go(&tc, o, &ce);
	if (r < 0) {
		tc.c = NULL;
		/* Not Go, or Go without DWARF: the native view still works. */
		if ((o->flags & THREADS_GO_ONLY) ||
		    (r != -ENOEXEC && r != -ENODATA)) {
			if (e)
				*e = ce;
			return r;
		}
	}
	r = prepare(&tc, o, e);
	if (r < 0) {
		if (!tc.c || !(o->flags & THREADS_GO_ONLY))
			goto out;
		/* dump still works without the native view. */
		native = 0;
	}
	if (tc.c) {
		if (o->capture && o->capture != capture_get_opts(tc.c))
			capture_set_opts(tc.c, o->capture);
		if (native)
			capture_set_hook(tc.c, copy_hook, &tc);
		r = capture_take(tc.c, &s, e);
		capture_set_hook(tc.c, NULL, NULL);
	} else {
		r = take_plain(&tc, &s, e);
	}
	if (r < 0)
		goto out;
	if (native) {
		s->bytes_copied += tc.sc->bytes_copied;
		build_threads(&tc, s);
	}
	s->capture_ns = now_ns(CLOCK_MONOTONIC) - t0;
	*out = s;
	r = 0;
out:
	tcap_release(&tc);
	if (o->cache) {
		o->cache->st.captures++;
		o->cache->st.last_opens = dwproc_opens() - opens;
	}
	/* Whatever step failed, a target that died is said to have. */
	return proc_explain_exit(pid, r, e);
}

/* The core's process, as the threads view shows a live one. */
static int take_core(struct tcap *tc, const char *exe, struct snap **out)
{
	struct snap *s = snap_new();

	s->pid = tc->core->pid;
	s->exe = xstrdup(exe);
	s->time_unix_ns = tc->core->time_unix_ns;
	*out = s;
	return 0;
}

int threads_capture_core(const char *path, const char *exe,
			 const struct threads_opts *o, struct snap **out,
			 struct err *e)
{
	uint64_t t0 = now_ns(CLOCK_MONOTONIC), bias;
	struct core *core;
	struct snap *s = NULL;
	char *found = NULL;
	struct tcap tc;
	struct err ce;
	size_t i;
	int r;

	memset(&tc, 0, sizeof(tc));
	tc.max_frames = o->max_frames ? o->max_frames : THREADS_DEFAULT_FRAMES;
	if (tc.max_frames > MAX_FRAMES_LIMIT)
		tc.max_frames = MAX_FRAMES_LIMIT;
	r = core_open(path, o->capture ? o->capture->max_memory : 0, &tc.core,
		      e);
	if (r < 0)
		return r;
	tc.pid = tc.core->pid;
	r = core_resolve_exe(tc.core, exe, &found, &bias, e);
	if (r < 0)
		goto out;
	exe = found;
	err_init(&ce);
	r = capture_open_core(tc.core, exe, &tc.c, &ce);
	if (r < 0) {
		tc.c = NULL;
		if ((o->flags & THREADS_GO_ONLY) ||
		    (r != -ENOEXEC && r != -ENODATA)) {
			if (e)
				*e = ce;
			goto out;
		}
	}
	if (tc.c && o->capture)
		capture_set_opts(tc.c, o->capture);
	/* Read-only text the core left out comes from the files. */
	if (!tc.c)
		core_add_exe(tc.core, exe, bias, NULL);
	stackcopy_from_core(tc.core, o->max_stack, &tc.sc);
	r = dwproc_open_core(path, core_fd(tc.core), exe, tc.pid,
			     o->debug_dirs, &tc.dw, e);
	if (r == 0)
		r = unwinder_open(tc.dw, tc.sc, o->unwinder, &tc.uw, e);
	if (r < 0)
		goto out;
	tc.uf = xcalloc(tc.max_frames, sizeof(*tc.uf));
	r = tc.c ? capture_take(tc.c, &s, e) : take_core(&tc, exe, &s);
	if (r < 0)
		goto out;
	s->bytes_copied += tc.sc->bytes_copied;
	build_threads(&tc, s);
	/* The command name for the thread the process is named after. */
	for (i = 0; i < s->nthreads; i++)
		if (s->threads[i].tid == tc.core->pid && !s->threads[i].name)
			s->threads[i].name = snap_intern(s, tc.core->fname);
	s->capture_ns = now_ns(CLOCK_MONOTONIC) - t0;
	*out = s;
	r = 0;
out:
	core = tc.core;
	tcap_release(&tc);
	core_free(core);
	free(found);
	return r;
}

struct threads_cache *threads_cache_new(void)
{
	return xcalloc(1, sizeof(struct threads_cache));
}

void threads_cache_stats(const struct threads_cache *k,
			 struct threads_cache_stats *st)
{
	*st = k->st;
}

void threads_cache_free(struct threads_cache *k)
{
	if (!k)
		return;
	cache_drop(k);
	free(k->unwinder);
	free(k->debug_dirs);
	free(k);
}

const char *threads_unwinder(void)
{
	return unwinder_default();
}

int capture_pid(pid_t pid, const struct capture_opts *co, struct snap **out,
		struct err *e)
{
	struct threads_opts o;
	struct capture *c;
	int r;

	if (co && co->native) {
		/* Also every thread's native stack. */
		memset(&o, 0, sizeof(o));
		o.flags = THREADS_GO_ONLY;
		o.capture = co;
		return threads_capture(pid, &o, out, e);
	}
	r = capture_open(pid, &c, e);
	if (r < 0)
		return r;
	if (co)
		capture_set_opts(c, co);
	r = capture_take(c, out, e);
	capture_close(c);
	return r;
}
