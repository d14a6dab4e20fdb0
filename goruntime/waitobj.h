/* What each parked goroutine waits on: channels, semaphores, descriptors. */
#ifndef GOSCOPE_GORUNTIME_WAITOBJ_H
#define GOSCOPE_GORUNTIME_WAITOBJ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "goruntime/layout.h"
#include "goruntime/registry.h"
#include "inspect/epoll.h"
#include "inspect/memsrc.h"
#include "lib/err.h"

/* Bounds on what a hostile or corrupted target can make us read. */
#define GORT_MAX_SELECT_CASES 4096u	/* sudogs of one select */
#define GORT_MAX_SUDOGS (8u << 20)	/* sudogs read in one capture */
#define GORT_MAX_WALK_READS 65536u	/* dependent reads off the copy */
#define GORT_MAX_TYPE_NAME 1024u

enum gort_wait_kind {
	GORT_WAIT_NONE = 0,
	GORT_WAIT_CHAN,		/* channel op or select: addr = hchan */
	GORT_WAIT_NILCHAN,	/* operation on a nil channel */
	GORT_WAIT_SEMA,		/* semacquire: addr = the semaphore word */
	GORT_WAIT_COND,		/* sync.Cond.Wait: addr = &cond.notify */
	GORT_WAIT_FD,		/* netpoll: fd */
};

enum gort_wait_dir { GORT_DIR_NONE = 0, GORT_DIR_RECV, GORT_DIR_SEND };

/* One channel some goroutine waits on, as copied at the stop. */
struct gort_chan {
	uint64_t addr;
	uint64_t qcount, dataqsiz, elemtype;
	uint32_t closed;
	uint64_t recvq, sendq;		/* first sudog of each queue */
	long nrecv, nsend;		/* waiters; -1 when not walked */
	int partial;			/* a queue walk stopped at a bound */
	char *elem;			/* element type name, or NULL */
};

/* One (goroutine, object) pair; a select gives one per channel. */
struct gort_wait {
	size_t g;		/* index into the registry's gs */
	int kind;		/* enum gort_wait_kind */
	int dir;		/* enum gort_wait_dir */
	uint64_t addr;		/* 0 when not known */
	uint64_t sudog;
	int fd;			/* GORT_WAIT_FD: descriptor, else -1 */
	size_t chan;		/* index into chans, or SIZE_MAX */
};

/* What the copy found; the caller owns it (gort_waits_release). */
struct gort_waits {
	struct gort_wait *w;
	size_t nw;
	struct gort_chan *chans;
	size_t nchans;
	/* Private to waitobj.c: sudogs copied at the stop. */
	struct gort_sudog *sudogs;
	size_t nsudogs, asudogs;
	struct epoll_target *ep;	/* before the stop */
	size_t nep;
	uint64_t types;			/* runtime type name base (runtime) */
	const char *why_cond;		/* why Cond addresses are unknown */
	size_t reads;			/* dependent reads during the stop */
};

/*
 * Work before the stop: lists pid's epoll registrations (for IO waits)
 * and keeps types, the runtime address of runtime.types, for element
 * type names.  Returns 0 (failures only lose detail).
 */
int gort_waits_prepare(pid_t pid, uint64_t types, struct gort_waits *w);

/*
 * While the target is stopped, right after gort_registry_copy: for every
 * goroutine of r parked on a channel, semaphore, condition variable or
 * descriptor (by the wait reason names reasons[0..nreasons)), reads what
 * it waits on: the sudogs its g.waiting (as copied in r) points at,
 * each hchan once, the channel wait queues, runtime.semtable for
 * semaphore waits that g.waiting does not show (before Go 1.26), and the
 * pollDesc of each epoll registration.  Reads are batched, neighbours
 * merged (memsrc_readv_merged), and every count is bounded; what it
 * allocates is about 700 bytes per goroutine.  Returns 0 or a negative
 * errno (what was found until then is kept).
 */
int gort_waits_copy(struct memsrc *mem, const struct gort_layout *l,
		    uint64_t bias, const struct gort_registry *r,
		    char *const *reasons, size_t nreasons,
		    struct gort_waits *w);

/*
 * After the target was resumed: names each channel's element type from
 * its type descriptor (constant data, read through mem).
 */
void gort_waits_decode(struct memsrc *mem, const struct gort_layout *l,
		       struct gort_waits *w);

/*
 * The name of the type descriptor at typ (runtime address): the name
 * string at types + typ.str, without the '*' the linker adds when
 * tflag has TFlagExtraStar.  Returns a malloc'd string or NULL.
 */
char *gort_type_name(struct memsrc *mem, const struct gort_layout *l,
		     uint64_t types, uint64_t typ);

/* The first wait of goroutine g (by index), or NULL; waits are sorted. */
const struct gort_wait *gort_waits_of(const struct gort_waits *w, size_t g,
				      size_t *n);

void gort_waits_release(struct gort_waits *w);

#endif
