/* Copying the goroutine registry (allgs, g structs, stacks, m list). */
#ifndef GOSCOPE_GORUNTIME_REGISTRY_H
#define GOSCOPE_GORUNTIME_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "goruntime/layout.h"
#include "inspect/memsrc.h"
#include "lib/err.h"

/* Bounds on what we accept from a hostile or corrupted target. */
#define GORT_MAX_GS (4u << 20)		/* goroutines */
#define GORT_MAX_MS 100000u		/* Ms on the allm list */
#define GORT_MAX_STACK (1u << 30)	/* bytes of one live stack */
/* At most this much of one stack is copied, from its innermost frame. */
#define GORT_MAX_STACK_COPY (64u << 20)

/* Flags of gort_registry_copy. */
enum gort_copy_flags {
	/*
	 * Leave the stacks of parked goroutines (waiting, without the GC's
	 * scan bit) for gort_registry_finish, after the target resumed.
	 * Ignored when the layout has no g.trackingSeq.
	 */
	GORT_COPY_DEFER_PARKED = 1 << 0,
};

/* A thread of the target as seen at the stop: tid and registers. */
struct gort_thread {
	int tid;
	uint64_t pc, sp, bp, fs_base;
};

/* One g, decoded from its copied struct. */
struct gort_g {
	uint64_t addr;
	uint64_t goid;
	uint32_t status;	/* atomicstatus, scan bit included */
	uint8_t waitreason;
	int64_t waitsince;
	uint64_t parent_goid;
	uint64_t gopc, startpc;
	uint64_t lockedm;
	uint64_t m;		/* *m when running or in a syscall */
	uint64_t labels;
	uint64_t waiting;	/* g.waiting: its first sudog, or 0 */
	uint64_t stack_lo, stack_hi;
	uint64_t sched_sp, sched_pc, sched_bp, sched_lr;
	uint64_t syscallsp, syscallpc, syscallbp;
	uint8_t trackingseq;	/* g.trackingSeq: +1 each time it stops running */
	/* Where unwinding starts and how it was chosen. */
	uint64_t pc, sp, bp;
	int from_regs;		/* pc/sp came from a thread's registers */
	int tid;		/* thread running it, or 0 */
	/* Copy of the live stack [copy_base, copy_base + copy_len). */
	unsigned char *stack;
	uint64_t copy_base;
	size_t copy_len;
	int stack_error;	/* the stack could not be read */
	int stack_heap;		/* stack was malloc'd, not in the pool */
	int need_stack;		/* the stack is still to be copied */
	int deferred;		/* its stack was copied after the resume */
	/*
	 * It ran while its stack was copied after the resume: the copy was
	 * dropped (stack NULL) until gort_registry_recopy copies it again.
	 */
	int changed;
	int recopied;		/* copied again by gort_registry_recopy */
	/*
	 * Its g struct as copied at the stop, left to gort_registry_decode
	 * (only addr, status and deferred are set until then), or NULL.
	 */
	const unsigned char *raw;
};

struct gort_m {
	uint64_t addr;
	int64_t id;
	uint64_t procid;
	uint64_t curg, g0, gsignal, lockedg;
};

struct gort_registry {
	struct gort_g *gs;
	int gs_heap;
	size_t ngs;		/* every non-dead g */
	size_t nallg;		/* allglen at the stop (reserve: before) */
	struct gort_m *ms;
	size_t nms;
	char **waitreasons;	/* runtime.waitReasonStrings, when read */
	size_t nwaitreasons;
	uint64_t nanotime;	/* CLOCK_MONOTONIC at the copy */
	/*
	 * CLOCK_MONOTONIC ns at which gort_registry_copy had read allgs, the
	 * g structs and the m list, and decoded the g structs (nanotime:
	 * the stacks too).
	 */
	uint64_t t_allgs, t_gs, t_ms, t_decoded;
	size_t bytes_copied;
	size_t ranges_copied;
	/*
	 * Bytes the stack copies may take in all (0: no limit); a copy that
	 * would need more fails with -E2BIG.  Set after reserve, before copy.
	 */
	size_t max_stack_bytes;
	/* Parked goroutines copied per batch by gort_registry_finish
	 * (0: GORT_FINISH_BATCH; set by the caller, for tests). */
	size_t finish_batch;
	size_t stack_bytes;	/* taken by the stack copies */
	size_t stacks_copied;	/* stacks copied, all passes */
	size_t ndeferred;	/* stacks left for gort_registry_finish */
	/* Pre-faulted memory for the copy, so no page faults or malloc
	 * calls happen while the target is stopped: pool for what goscope
	 * writes (zeroed), stack_pool for the stack copies. */
	unsigned char *pool;
	size_t pool_size, pool_used;
	unsigned char *stack_pool;
	size_t stack_pool_size, stack_pool_used;
	/* The stack copies made after the resume (gort_registry_finish),
	 * sized for all of them at once. */
	unsigned char *late_pool;
	size_t late_pool_size, late_pool_used;
	size_t nraw;		/* g structs left to gort_registry_decode */
	/* The reads planned by gort_registry_reserve (private). */
	struct gort_plan *plan;
	/* Stack copies in the pools no longer needed, not yet given back
	 * (see gort_registry_trim); adjacent parts are joined. */
	struct { uintptr_t lo, hi; } dead[16];
	size_t ndead;
	size_t dead_bytes;	/* added since the last trim */
};

/*
 * Prepares a copy without stopping the target: a racy read of allgs and
 * of every g struct plans the reads of the stop (the g structs sorted by
 * address and merged into ranges, the m list) into buffers that this
 * read already touched, and tells how much memory the copy needs; that
 * much plus slack is reserved and touched in r.  flags are those the copy
 * will get (with GORT_COPY_DEFER_PARKED the reserve holds only the stacks
 * copied while stopped).  Call before stopping; gort_registry_copy then
 * works from the plan and the reserve.  budget (bytes, 0: none) bounds
 * it: a target that needs more gets -E2BIG and nothing is reserved.
 * Returns 0 or a negative errno (the copy still works without a reserve,
 * only slower).
 */
int gort_registry_reserve(struct memsrc *mem, const struct gort_layout *l,
			  uint64_t bias, size_t budget, unsigned int flags,
			  struct gort_registry *r, struct err *e);

/*
 * Lets go of g's stack copy once it was unwound (nothing reads it after):
 * a copy of its own is freed, one in a pool goes back at the next
 * gort_registry_trim().
 */
void gort_registry_drop_stack(struct gort_registry *r, struct gort_g *g);

/*
 * Gives the pages of the pools that only held dropped stack copies back
 * to the system, so that a capture does not keep every stack copy while
 * its snapshot is built.  Call only while the target runs (it costs
 * system calls).  Returns the bytes released.
 */
size_t gort_registry_trim(struct gort_registry *r);
/* Bytes dropped since the last trim (to decide when to trim). */
static inline size_t gort_registry_dead(const struct gort_registry *r)
{
	return r->dead_bytes;
}

/*
 * The memory, in bytes, that the reserve made by gort_registry_reserve
 * holds (an estimate of what the copy needs).
 */
size_t gort_registry_reserved(const struct gort_registry *r);

/*
 * Copies the registry through mem while the target is stopped (keeping a
 * reserve made by gort_registry_reserve, if any): allglen
 * and allgs, every g struct (reads merged by address and batched), the m
 * list, and the live part of every goroutine stack (with
 * GORT_COPY_DEFER_PARKED in flags, only of the goroutines that are not
 * parked).  bias is the load bias of the executable (added to the
 * layout's link-time addresses); threads are the stopped threads'
 * registers, used for running goroutines.  Only copies: decoding of
 * stacks happens later.  Returns 0 or a negative errno (-E2BIG: the
 * stacks exceed r->max_stack_bytes).
 */
int gort_registry_copy(struct memsrc *mem, const struct gort_layout *l,
		       uint64_t bias, const struct gort_thread *threads,
		       size_t nthreads, unsigned int flags,
		       struct gort_registry *r, struct err *e);

/*
 * Decodes the g structs that gort_registry_copy only looked at while the
 * target was stopped (those of parked goroutines: their raw copy), after
 * the resume; every other function here does it first when needed.
 */
void gort_registry_decode(const struct gort_layout *l,
			  struct gort_registry *r);

/*
 * The second phase of a copy made with GORT_COPY_DEFER_PARKED, while the
 * target runs: reads their g structs again right before and right after
 * copying the deferred stacks (batched, merged by address) and keeps a
 * stack copy only when both reads show that its goroutine did not run
 * since the stop: same goid, status (scan bit aside),
 * wait reason, sched.sp/pc/bp, syscallsp, stack.lo/hi and trackingSeq,
 * which the runtime's casgstatus increments on every transition out of
 * _Grunning (Go 1.19-1.27).  A goroutine that changed, or whose stack
 * could not be read, loses its copy and gets changed set.  Returns the
 * number of such goroutines, or a negative errno.
 */
long gort_registry_finish(struct memsrc *mem, const struct gort_layout *l,
			  struct gort_registry *r, struct err *e);

/*
 * Copies again, while the target is stopped (threads: the registers of
 * this stop), the goroutines that gort_registry_finish found changed:
 * the m list, their g structs and their stacks (recopied set, changed
 * cleared).  Goroutines that exited meanwhile stay marked changed, so
 * that indexes into r->gs stay valid.  Returns the number of goroutines
 * copied again, or a negative errno.
 */
long gort_registry_recopy(struct memsrc *mem, const struct gort_layout *l,
			  uint64_t bias, const struct gort_thread *threads,
			  size_t nthreads, struct gort_registry *r,
			  struct err *e);

/*
 * Reads runtime.waitReasonStrings (needs no stop; the table is constant).
 * Returns 0 or a negative errno.
 */
int gort_registry_waitreasons(struct memsrc *mem, const struct gort_layout *l,
			      uint64_t bias, struct gort_registry *r,
			      struct err *e);

void gort_registry_release(struct gort_registry *r);

/* Status without the scan bit. */
static inline uint32_t gort_status(const struct gort_layout *l,
				   const struct gort_g *g)
{
	return g->status & ~(uint32_t)l->st_scan;
}

#endif
