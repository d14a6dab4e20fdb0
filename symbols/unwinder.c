/* The unwinder front end: the backends built in, chosen by name. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/unwinder.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

extern const struct unwinder_ops unwinder_none;
#ifdef GOSCOPE_UNW_LIBDW
extern const struct unwinder_ops unwinder_libdw;
#endif
#ifdef GOSCOPE_UNW_LIBUNWIND
extern const struct unwinder_ops unwinder_libunwind;
#endif

#ifndef GOSCOPE_UNW_DEFAULT
#define GOSCOPE_UNW_DEFAULT "none"
#endif

static const struct unwinder_ops *const backends[] = {
#ifdef GOSCOPE_UNW_LIBDW
	&unwinder_libdw,
#endif
#ifdef GOSCOPE_UNW_LIBUNWIND
	&unwinder_libunwind,
#endif
	&unwinder_none,
};

#define NBACKENDS (sizeof(backends) / sizeof(backends[0]))

static const struct unwinder_ops *find(const char *name);
static int copy_has(const struct stackcopy_thread *t, uint64_t addr,
		    size_t len);

static const struct unwinder_ops *find(const char *name)
{
	size_t i;

	if (!name)
		name = GOSCOPE_UNW_DEFAULT;
	for (i = 0; i < NBACKENDS; i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}

int unwinder_open(struct dwproc *dw, const struct stackcopy *sc,
		  const char *name, struct unwinder **out, struct err *e)
{
	const struct unwinder_ops *ops = find(name);
	struct unwinder *u;
	int r;

	if (!ops)
		return err_set(e, ENOENT, "no unwinder '%s' in this build "
			       "(%s)", name, unwinder_names());
	u = xcalloc(1, sizeof(*u));
	u->ops = ops;
	u->dw = dw;
	u->sc = sc;
	r = u->ops->open ? u->ops->open(u, e) : 0;
	if (r < 0) {
		free(u);
		return r;
	}
	*out = u;
	return 0;
}

int unwinder_walk(struct unwinder *u, const struct stackcopy_thread *t,
		  struct unwind_frame *out, size_t max, size_t *n,
		  struct err *why)
{
	*n = 0;
	err_init(why);
	u->bad_read = 0;
	u->bad_addr = 0;
	if (t->error)
		return err_errno(why, t->error, "thread not stopped");
	if (max == 0)
		return 1;
	return u->ops->walk(u, t, out, max, n, why);
}

static int copy_has(const struct stackcopy_thread *t, uint64_t addr,
		    size_t len)
{
	return addr >= t->base && addr - t->base <= t->len &&
	       t->len - (addr - t->base) >= len;
}

int unwinder_read_copy(const struct unwinder *u,
		       const struct stackcopy_thread *t, uint64_t addr,
		       void *buf, size_t len)
{
	size_t i;

	if (t && copy_has(t, addr, len)) {
		memcpy(buf, t->data + (addr - t->base), len);
		return 0;
	}
	/* A pointer into another thread's stack (rare, but cheap). */
	for (i = 0; i < u->sc->nthreads; i++) {
		const struct stackcopy_thread *o = &u->sc->threads[i];

		if (o != t && copy_has(o, addr, len)) {
			memcpy(buf, o->data + (addr - o->base), len);
			return 0;
		}
	}
	return stackcopy_read_static(u->sc, addr, buf, len) == 0 ? 0
								 : -EFAULT;
}

int unwinder_read(struct unwinder *u, const struct stackcopy_thread *t,
		  uint64_t addr, void *buf, size_t len)
{
	if (unwinder_read_copy(u, t, addr, buf, len) == 0)
		return 0;
	unwinder_note_bad(u, addr);
	return -EFAULT;
}

void unwinder_note_bad(struct unwinder *u, uint64_t addr)
{
	if (u->bad_read)
		return;
	u->bad_read = 1;
	u->bad_addr = addr;
}

int unwinder_read_error(const struct unwinder *u,
			const struct stackcopy_thread *t, int any,
			struct err *why)
{
	if (!u->bad_read)
		return 0;
	if (t->len && u->bad_addr >= t->base + t->len && t->truncated)
		return err_set(why, EFBIG,
			       "stack deeper than the %zu bytes copied",
			       t->len);
	if (!t->len)
		return err_set(why, EFAULT, "stack at 0x%llx not readable",
			       (unsigned long long)t->regs.sp);
	if (!any)
		return 0;
	return err_set(why, EFAULT,
		       "cannot read 0x%llx (outside the stack copy and "
		       "read-only mappings)",
		       (unsigned long long)u->bad_addr);
}

void unwinder_first_frame(const struct stackcopy_thread *t,
			  struct unwind_frame *out, size_t *n)
{
	out[0].pc = t->regs.pc;
	out[0].activation = 1;
	*n = 1;
}

void unwinder_rebind(struct unwinder *u, const struct stackcopy *sc,
		     int changed)
{
	u->sc = sc;
	if (changed && u->ops->flush)
		u->ops->flush(u);
}

const char *unwinder_default(void)
{
	return GOSCOPE_UNW_DEFAULT;
}

const char *unwinder_names(void)
{
#if defined(GOSCOPE_UNW_LIBDW) && defined(GOSCOPE_UNW_LIBUNWIND)
	return "libdw|libunwind|none";
#elif defined(GOSCOPE_UNW_LIBDW)
	return "libdw|none";
#elif defined(GOSCOPE_UNW_LIBUNWIND)
	return "libunwind|none";
#else
	return "none";
#endif
}

int unwinder_exists(const char *name)
{
	return find(name) != NULL;
}

void unwinder_free(struct unwinder *u)
{
	if (!u)
		return;
	if (u->ops->close)
		u->ops->close(u);
	free(u);
}
