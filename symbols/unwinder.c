/* The unwinder front end: one backend, chosen at build time. */
#include <errno.h>
#include <stdlib.h>

#include "symbols/unwinder.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

int unwinder_open(struct dwproc *dw, const struct stackcopy *sc,
		  struct unwinder **out, struct err *e)
{
	struct unwinder *u = xcalloc(1, sizeof(*u));
	int r;

	u->ops = &unwinder_backend;
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
	if (t->error)
		return err_errno(why, t->error, "thread not stopped");
	if (max == 0)
		return 1;
	return u->ops->walk(u, t, out, max, n, why);
}

const char *unwinder_name(void)
{
	return unwinder_backend.name;
}

void unwinder_free(struct unwinder *u)
{
	if (!u)
		return;
	if (u->ops->close)
		u->ops->close(u);
	free(u);
}
