/* The libdw unwinder: dwfl_getthread_frames over copied registers, stacks. */
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/unwinder.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

/*
 * libdw finds each module's CFI (.eh_frame, or .debug_frame, also in a
 * separate debug file), reads the vDSO's from memory, and falls back to
 * the frame-pointer chain on x86-64 where no CFI covers a PC.  Its
 * thread callbacks are served from the copy: registers from the stop,
 * stack words from the copied stack top, anything else only from
 * read-only mappings.
 */

/* DWARF register numbers of x86-64: rax rdx rcx rbx rsi rdi rbp rsp
 * r8-r15, then the return address column (rip). */
#define NREGS 17

struct ldw {
	Dwfl *dwfl;
	int attached;
	const struct stackcopy_thread *cur;
	struct unwind_frame *out;
	size_t max, n;
	int hit_max;
};

static int ldw_open(struct unwinder *u, struct err *e);
static int ldw_walk(struct unwinder *u, const struct stackcopy_thread *t,
		    struct unwind_frame *out, size_t max, size_t *n,
		    struct err *why);
static void ldw_close(struct unwinder *u);
static pid_t cb_next_thread(Dwfl *dwfl, void *arg, void **thread_argp);
static bool cb_get_thread(Dwfl *dwfl, pid_t tid, void *arg,
			  void **thread_argp);
static bool cb_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result,
			   void *arg);
static bool cb_set_initial_registers(Dwfl_Thread *thread, void *thread_arg);
static int frame_cb(Dwfl_Frame *state, void *arg);

static const Dwfl_Thread_Callbacks callbacks = {
	.next_thread = cb_next_thread,
	.get_thread = cb_get_thread,
	.memory_read = cb_memory_read,
	.set_initial_registers = cb_set_initial_registers,
};

/* Threads are walked one at a time through get_thread: none to list. */
static pid_t cb_next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	(void)dwfl;
	(void)arg;
	(void)thread_argp;
	return 0;
}

static bool cb_get_thread(Dwfl *dwfl, pid_t tid, void *arg,
			  void **thread_argp)
{
	struct unwinder *u = arg;
	struct ldw *p = u->priv;

	(void)dwfl;
	if (!p->cur || p->cur->tid != tid)
		return false;
	*thread_argp = u;
	return true;
}

static bool cb_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result,
			   void *arg)
{
	struct unwinder *u = arg;
	struct ldw *p = u->priv;

	(void)dwfl;
	return unwinder_read(u, p->cur, addr, result, sizeof(*result)) == 0;
}

static bool cb_set_initial_registers(Dwfl_Thread *thread, void *thread_arg)
{
	struct unwinder *u = thread_arg;
	const struct ptstop_regs *r = &((struct ldw *)u->priv)->cur->regs;
	Dwarf_Word regs[NREGS] = {
		r->ax, r->dx, r->cx, r->bx, r->si, r->di, r->bp, r->sp,
		r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15,
		r->pc,
	};

	return dwfl_thread_state_registers(thread, 0, NREGS, regs);
}

static int frame_cb(Dwfl_Frame *state, void *arg)
{
	struct ldw *p = arg;
	Dwarf_Addr pc;
	bool act = false;

	if (!dwfl_frame_pc(state, &pc, &act))
		return DWARF_CB_ABORT;
	p->out[p->n].pc = pc;
	p->out[p->n].activation = act;
	p->n++;
	if (p->n >= p->max) {
		p->hit_max = 1;
		return DWARF_CB_ABORT;
	}
	return DWARF_CB_OK;
}

static int ldw_open(struct unwinder *u, struct err *e)
{
	struct ldw *p = xcalloc(1, sizeof(*p));

	p->dwfl = dwproc_dwfl(u->dw);
	u->priv = p;
	if (!dwfl_attach_state(p->dwfl, NULL, dwproc_pid(u->dw), &callbacks,
			       u)) {
		free(p);
		u->priv = NULL;
		return err_set(e, EINVAL, "cannot set up the libdw unwinder: "
			       "%s", dwfl_errmsg(-1));
	}
	p->attached = 1;
	return 0;
}

static int ldw_walk(struct unwinder *u, const struct stackcopy_thread *t,
		    struct unwind_frame *out, size_t max, size_t *n,
		    struct err *why)
{
	struct ldw *p = u->priv;
	int r;

	p->cur = t;
	p->out = out;
	p->max = max;
	p->n = 0;
	p->hit_max = 0;
	dwproc_refresh(u->dw, t->regs.pc);
	r = dwfl_getthread_frames(p->dwfl, t->tid, frame_cb, p);
	*n = p->n;
	p->cur = NULL;
	if (p->hit_max)
		return 1;
	if (r == 0)
		return 0;
	/* Not even the registers: report what libdw says. */
	if (p->n == 0)
		unwinder_first_frame(t, out, n);
	r = unwinder_read_error(u, t, 1, why);
	if (r < 0)
		return r;
	return err_set(why, EINVAL, "%s", dwfl_errmsg(-1));
}

static void ldw_close(struct unwinder *u)
{
	/* The Dwfl belongs to the dwproc; dwfl_end detaches the state. */
	free(u->priv);
	u->priv = NULL;
}

const struct unwinder_ops unwinder_libdw = {
	.name = "libdw",
	.open = ldw_open,
	.walk = ldw_walk,
	.close = ldw_close,
};
