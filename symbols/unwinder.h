/* Unwinding native stacks from copies of registers and stack memory. */
#ifndef GOSCOPE_SYMBOLS_UNWINDER_H
#define GOSCOPE_SYMBOLS_UNWINDER_H

#include <stddef.h>
#include <stdint.h>

#include "inspect/stackcopy.h"
#include "lib/err.h"
#include "symbols/dwproc.h"

/* One physical frame. */
struct unwind_frame {
	uint64_t pc;
	/*
	 * 1 when pc is the interrupted instruction (the innermost frame, a
	 * signal frame), 0 when it is a return address.
	 */
	int activation;
};

struct unwinder;

/* A backend; those built in are chosen by name at run time. */
struct unwinder_ops {
	const char *name;
	int (*open)(struct unwinder *u, struct err *e);
	/* See unwinder_walk. */
	int (*walk)(struct unwinder *u, const struct stackcopy_thread *t,
		    struct unwind_frame *out, size_t max, size_t *n,
		    struct err *why);
	void (*close)(struct unwinder *u);
	/* Forgets what it read of the modules (NULL: nothing kept). */
	void (*flush)(struct unwinder *u);
};

struct unwinder {
	const struct unwinder_ops *ops;
	struct dwproc *dw;		/* modules and their unwind tables */
	const struct stackcopy *sc;	/* the copies walked */
	void *priv;
};

/*
 * Opens the unwinder called name ("libdw", "libunwind", "none"; NULL:
 * the default, see unwinder_default) over the copies in sc, finding
 * modules and unwind tables (.eh_frame, .debug_frame, also in separate
 * debug files) through dw.  Both must outlive the unwinder.  Returns 0
 * and *out (free with unwinder_free) or a negative errno with e set
 * (-ENOENT: no unwinder of that name in this build).
 */
int unwinder_open(struct dwproc *dw, const struct stackcopy *sc,
		  const char *name, struct unwinder **out, struct err *e);

/*
 * Walks the stack of t (one of sc's threads), innermost frame first,
 * writing at most max frames to out and their number to *n.  Reads only
 * the copy of the stack, and read-only mappings of the process for
 * anything else.  Returns 0 when the walk reached the outermost frame,
 * 1 when it stopped at max frames, or a negative errno with why set to
 * the reason the walk stopped early (the frames found so far are kept).
 */
int unwinder_walk(struct unwinder *u, const struct stackcopy_thread *t,
		  struct unwind_frame *out, size_t max, size_t *n,
		  struct err *why);

/*
 * Points the unwinder at sc, a new copy of the same process, so that it
 * can walk again without being opened again: what it learnt of the
 * modules (unwind tables, cached procedure information) is kept, unless
 * changed is not 0 (the mappings changed since the last copy; call
 * dwproc_reload on its dwproc too).  sc must outlive the walks.
 */
void unwinder_rebind(struct unwinder *u, const struct stackcopy *sc,
		     int changed);

/* The name of the default unwinder of this build. */
const char *unwinder_default(void);

/* The names of the unwinders built in, separated by '|' ("libdw|none"). */
const char *unwinder_names(void);

/* Returns 1 when this build has the unwinder called name. */
int unwinder_exists(const char *name);

/*
 * For backends: reads len bytes at addr from the copy, as an unwinder
 * may: t's stack copy, another thread's, or a read-only mapping of the
 * process.  Returns 0 or -EFAULT.
 */
int unwinder_read_copy(const struct unwinder *u,
		       const struct stackcopy_thread *t, uint64_t addr,
		       void *buf, size_t len);

void unwinder_free(struct unwinder *u);

#endif
