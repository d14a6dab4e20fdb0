/* Copying registers and stack tops of stopped threads into reserved memory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/core.h"
#include "inspect/memsrc.h"
#include "inspect/stackcopy.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

/* Reserve per expected thread, and extra for the main thread. */
#define POOL_PER_THREAD (32u * 1024u)
#define POOL_EXTRA (1024u * 1024u)
#define POOL_MAX (64u * 1024u * 1024u)
/* Bytes read above sp when sp is in no mapping known before the stop. */
#define UNKNOWN_MAP_LEN (64u * 1024u)

struct stackcopy_priv {
	struct memsrc *mem;
	size_t max_stack;
	unsigned char *pool;
	size_t pool_size, pool_used;
	/* Copies that did not fit in the pool. */
	unsigned char **heap;
	size_t nheap, heap_cap;
	size_t threads_cap;
	struct memsrc_iov *iov;
	size_t *iov_thread;
	size_t iov_cap;
};

static void reset(struct stackcopy *sc);
static unsigned char *carve(struct stackcopy_priv *p, size_t len);
static void reserve_threads(struct stackcopy *sc, size_t n);
static void read_partial(struct stackcopy_priv *p,
			 struct stackcopy_thread *t);

int stackcopy_new(pid_t pid, size_t max_stack, size_t nthreads_hint,
		  struct stackcopy **out, struct err *e)
{
	struct stackcopy *sc = xcalloc(1, sizeof(*sc));
	struct stackcopy_priv *p = xcalloc(1, sizeof(*p));
	size_t pool;
	int r;

	sc->pid = pid;
	sc->priv = p;
	r = proc_maps_read(pid, &sc->maps, e);
	if (r < 0) {
		free(p);
		free(sc);
		return r;
	}
	p->max_stack = max_stack ? max_stack : STACKCOPY_DEFAULT_MAX;
	p->mem = memsrc_live_new(pid);
	pool = POOL_EXTRA + nthreads_hint * POOL_PER_THREAD;
	if (pool > POOL_MAX)
		pool = POOL_MAX;
	p->pool = xmalloc(pool);
	/* Touch every page now, not while the target is stopped. */
	memset(p->pool, 0, pool);
	p->pool_size = pool;
	reserve_threads(sc, nthreads_hint + 16);
	*out = sc;
	return 0;
}

int stackcopy_from_core(struct core *c, size_t max_stack,
			struct stackcopy **out)
{
	struct stackcopy *sc = xcalloc(1, sizeof(*sc));
	struct stackcopy_priv *p = xcalloc(1, sizeof(*p));
	struct ptstop stop;
	size_t i;

	sc->pid = c->pid;
	sc->priv = p;
	core_maps(c, &sc->maps);
	p->max_stack = max_stack ? max_stack : STACKCOPY_DEFAULT_MAX;
	p->mem = memsrc_core_new(c);
	memset(&stop, 0, sizeof(stop));
	stop.pid = c->pid;
	stop.nthreads = c->nthreads;
	stop.threads = xcalloc(c->nthreads + 1, sizeof(*stop.threads));
	for (i = 0; i < c->nthreads; i++) {
		stop.threads[i].tid = c->threads[i].tid;
		stop.threads[i].stopped = 1;
		stop.threads[i].regs = c->threads[i].regs;
		stop.threads[i].pending_sig = c->threads[i].signo;
	}
	stackcopy_take(sc, &stop);
	free(stop.threads);
	*out = sc;
	return 0;
}

static void reserve_threads(struct stackcopy *sc, size_t n)
{
	struct stackcopy_priv *p = sc->priv;

	if (n <= p->threads_cap)
		return;
	sc->threads = xreallocarray(sc->threads, n, sizeof(*sc->threads));
	p->iov = xreallocarray(p->iov, n, sizeof(*p->iov));
	p->iov_thread = xreallocarray(p->iov_thread, n,
				      sizeof(*p->iov_thread));
	memset(sc->threads, 0, n * sizeof(*sc->threads));
	memset(p->iov, 0, n * sizeof(*p->iov));
	memset(p->iov_thread, 0, n * sizeof(*p->iov_thread));
	p->threads_cap = n;
	p->iov_cap = n;
}

static void reset(struct stackcopy *sc)
{
	struct stackcopy_priv *p = sc->priv;
	size_t i;

	for (i = 0; i < p->nheap; i++)
		free(p->heap[i]);
	p->nheap = 0;
	p->pool_used = 0;
	sc->nthreads = 0;
	sc->bytes_copied = 0;
}

static unsigned char *carve(struct stackcopy_priv *p, size_t len)
{
	unsigned char *b;

	len = (len + 15) & ~(size_t)15;
	if (p->pool_size - p->pool_used >= len) {
		b = p->pool + p->pool_used;
		p->pool_used += len;
		return b;
	}
	if (p->nheap == p->heap_cap) {
		p->heap_cap = p->heap_cap ? p->heap_cap * 2 : 16;
		p->heap = xreallocarray(p->heap, p->heap_cap,
					sizeof(*p->heap));
	}
	b = xmalloc(len);
	p->heap[p->nheap++] = b;
	return b;
}

const struct proc_map *stackcopy_map_at(const struct stackcopy *sc,
					uint64_t addr)
{
	size_t lo = 0, hi = sc->maps.n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (addr < sc->maps.maps[mid].start)
			hi = mid;
		else if (addr >= sc->maps.maps[mid].end)
			lo = mid + 1;
		else
			return &sc->maps.maps[mid];
	}
	return NULL;
}

/* Reads as much of a range as is mapped, from its start. */
static void read_partial(struct stackcopy_priv *p, struct stackcopy_thread *t)
{
	unsigned char *dst = (unsigned char *)t->data;
	size_t done = 0;
	ssize_t n;

	while (done < t->len) {
		n = p->mem->ops->read(p->mem, t->base + done, dst + done,
				      t->len - done);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (done < t->len)
		t->truncated = 0;
	t->len = done;
}

void stackcopy_take(struct stackcopy *sc, const struct ptstop *stop)
{
	struct stackcopy_priv *p = sc->priv;
	const struct proc_map *m;
	size_t i, niov = 0, len;
	uint64_t sp, end;

	reset(sc);
	reserve_threads(sc, stop->nthreads);
	for (i = 0; i < stop->nthreads; i++) {
		const struct ptstop_thread *pt = &stop->threads[i];
		struct stackcopy_thread *t = &sc->threads[sc->nthreads++];

		memset(t, 0, sizeof(*t));
		t->tid = pt->tid;
		t->pending_sig = pt->pending_sig;
		if (!pt->stopped) {
			t->error = pt->error ? pt->error : ESRCH;
			continue;
		}
		t->regs = pt->regs;
		sp = pt->regs.sp;
		m = stackcopy_map_at(sc, sp);
		end = m ? m->end : sp + UNKNOWN_MAP_LEN;
		if (end < sp)
			continue;
		len = end - sp;
		if (len > p->max_stack) {
			len = p->max_stack;
			t->truncated = 1;
		}
		t->base = sp;
		t->len = len;
		t->data = carve(p, len);
		p->iov[niov].addr = sp;
		p->iov[niov].buf = (void *)t->data;
		p->iov[niov].len = len;
		p->iov_thread[niov] = sc->nthreads - 1;
		niov++;
	}
	if (niov)
		memsrc_readv(p->mem, p->iov, niov);
	for (i = 0; i < niov; i++) {
		struct stackcopy_thread *t = &sc->threads[p->iov_thread[i]];

		if (!p->iov[i].ok)
			read_partial(p, t);
		sc->bytes_copied += t->len;
	}
}

int stackcopy_read_static(const struct stackcopy *sc, uint64_t addr,
			  void *buf, size_t len)
{
	const struct proc_map *m = stackcopy_map_at(sc, addr);

	if (!m || m->perms[1] == 'w' || m->perms[0] != 'r' ||
	    len > m->end - addr)
		return -EFAULT;
	return memsrc_read_full(sc->priv->mem, addr, buf, len, NULL);
}

const struct stackcopy_thread *stackcopy_find(const struct stackcopy *sc,
					      pid_t tid)
{
	size_t i;

	for (i = 0; i < sc->nthreads; i++)
		if (sc->threads[i].tid == tid)
			return &sc->threads[i];
	return NULL;
}

void stackcopy_free(struct stackcopy *sc)
{
	struct stackcopy_priv *p;

	if (!sc)
		return;
	p = sc->priv;
	reset(sc);
	free(p->heap);
	free(p->pool);
	free(p->iov);
	free(p->iov_thread);
	memsrc_free(p->mem);
	free(p);
	free(sc->threads);
	proc_maps_release(&sc->maps);
	free(sc);
}
