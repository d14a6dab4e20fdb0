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
	/* The first address the walk under way could not read. */
	int bad_read;
	uint64_t bad_addr;
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

/*
 * For backends: unwinder_read_copy, and a failure noted as the walk's
 * first unreadable address (unwinder_note_bad).  Returns 0 or -EFAULT.
 */
int unwinder_read(struct unwinder *u, const struct stackcopy_thread *t,
		  uint64_t addr, void *buf, size_t len);

/* For backends: notes addr as unreadable, unless an earlier one was. */
void unwinder_note_bad(struct unwinder *u, uint64_t addr);

/*
 * For backends: the reason a walk of t stopped at an unreadable address
 * (see unwinder_note_bad): the stack deeper than its copy (-EFBIG), a
 * stack that could not be read (-EFAULT), or, when any is not 0, an
 * address outside the copy (-EFAULT), set in why.  Returns that negative
 * errno, or 0 when no read failed or none of these applies.
 */
int unwinder_read_error(const struct unwinder *u,
			const struct stackcopy_thread *t, int any,
			struct err *why);

/*
 * For backends: the innermost frame only, from t's registers, when a walk
 * found none.
 */
void unwinder_first_frame(const struct stackcopy_thread *t,
			  struct unwind_frame *out, size_t *n);

void unwinder_free(struct unwinder *u);

#endif
