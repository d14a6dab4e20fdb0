/* Copies of the registers and stack tops of stopped threads. */
#ifndef GOSCOPE_INSPECT_STACKCOPY_H
#define GOSCOPE_INSPECT_STACKCOPY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "inspect/proc.h"
#include "inspect/ptstop.h"
#include "lib/err.h"

/* Default bytes copied from a thread's stack pointer upwards. */
#define STACKCOPY_DEFAULT_MAX (256u * 1024u)

/* One thread as it was at the stop. */
struct stackcopy_thread {
	pid_t tid;
	/*
	 * 0, or the errno of why there are no registers (the thread could
	 * not be stopped: ETIMEDOUT, EPERM, ...).
	 */
	int error;
	int pending_sig;	/* signal held at the stop, or 0 */
	struct ptstop_regs regs;
	/*
	 * The copy of [base, base + len): from the stack pointer up to the
	 * end of its mapping, at most the maximum given to stackcopy_new.
	 * len is 0 when the stack could not be read.
	 */
	uint64_t base;
	size_t len;
	const unsigned char *data;
	int truncated;		/* the mapping goes on above the copy */
};

struct stackcopy {
	pid_t pid;
	struct stackcopy_thread *threads;	/* in ptstop order */
	size_t nthreads;
	size_t bytes_copied;
	/* The memory map read by stackcopy_new, sorted by address. */
	struct proc_maps maps;
	struct stackcopy_priv *priv;
};

/*
 * Prepares a copy of pid's threads, without stopping it: reads its memory
 * map and reserves (and touches) memory for about nthreads_hint stacks so
 * that stackcopy_take neither allocates nor page-faults in the common
 * case.  max_stack bounds each stack copy (0: the default).  Returns 0
 * and *out (free with stackcopy_free), or a negative errno with e set
 * (-ESRCH, -EACCES when the map cannot be read).
 */
int stackcopy_new(pid_t pid, size_t max_stack, size_t nthreads_hint,
		  struct stackcopy **out, struct err *e);

/*
 * The same copy made from a core file: the threads and registers the core
 * saved, each stack top read from its memory (at most max_stack bytes; 0:
 * the default), the memory map from its segments.  c must outlive the
 * copy.  Returns 0 and *out (free with stackcopy_free).
 */
struct core;
int stackcopy_from_core(struct core *c, size_t max_stack,
			struct stackcopy **out);

/*
 * Copies the registers of every thread of stop and the top of each
 * stopped thread's stack.  Call while the threads are stopped; it only
 * copies (batched process_vm_readv).  A thread whose stack cannot be read
 * gets len 0.  Replaces the result of an earlier call.
 */
void stackcopy_take(struct stackcopy *sc, const struct ptstop *stop);

/* Finds tid's copy, or returns NULL. */
const struct stackcopy_thread *stackcopy_find(const struct stackcopy *sc,
					      pid_t tid);

/*
 * Reads len bytes at addr when they lie in one mapping that is not
 * writable (code, read-only data, unwind tables), from the live process:
 * such memory does not change while it runs.  Returns 0, or -EFAULT
 * (writable or unmapped memory, or the read failed).
 */
int stackcopy_read_static(const struct stackcopy *sc, uint64_t addr,
			  void *buf, size_t len);

/* Finds the mapping that holds addr in sc->maps, or returns NULL. */
const struct proc_map *stackcopy_map_at(const struct stackcopy *sc,
					uint64_t addr);

void stackcopy_free(struct stackcopy *sc);

#endif
