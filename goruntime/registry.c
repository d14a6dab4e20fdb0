/* Copy of allgs, the g structs, the m list and live stacks from a stopped target. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "goruntime/registry.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

/* Merge g reads whose gap is at most this many bytes. */
#define MERGE_GAP 512
#define MAX_WAITREASON_LEN 256

struct gref {
	uint64_t addr;
	size_t idx;
};

static uint64_t rd64(const unsigned char *p, size_t size, long off);
static uint32_t rd32(const unsigned char *p, size_t size, long off);
static int cmp_gref(const void *a, const void *b);
static int copy_gs(struct memsrc *mem, const struct gort_layout *l,
		   const uint64_t *ptrs, size_t n, unsigned char **gptr,
		   struct gort_registry *r, int *bheap_out, size_t *niov_out,
		   struct memsrc_iov **iov_out);
static int copy_registry(struct memsrc *mem, const struct gort_layout *l,
			 uint64_t bias, const struct gort_thread *threads,
			 size_t nthreads, int with_stacks, unsigned int flags,
			 struct gort_registry *r, struct err *e);
static void decode_g(const struct gort_layout *l, const unsigned char *b,
		     uint64_t addr, struct gort_g *g);
static int copy_ms(struct memsrc *mem, const struct gort_layout *l,
		   uint64_t bias, struct gort_registry *r);
static void pick_start(const struct gort_layout *l, struct gort_registry *r,
		       struct gort_g *g, const struct gort_thread *threads,
		       size_t nthreads);
static int copy_stacks(struct memsrc *mem, struct gort_registry *r,
		       struct err *e);
static int defer_stack(const struct gort_layout *l, const struct gort_g *g);
static size_t reread_gs(struct memsrc *mem, const struct gort_layout *l,
			struct gort_registry *r, int changed, size_t **idx_out,
			struct gort_g **fresh_out);
static int same_g(const struct gort_layout *l, const struct gort_g *a,
		  const struct gort_g *b);
static void drop_stack(struct gort_g *g);
static void *ralloc(struct gort_registry *r, size_t n, int *heap);
static void rfree(void *p, int heap);
static void pool_dead(struct gort_registry *r, const void *p, size_t n);
static int read_allgs(struct memsrc *mem, const struct gort_layout *l,
		      uint64_t bias, uint64_t hdr[3], size_t *n,
		      struct err *e);

/* Allocates from the pre-faulted pool, else from the heap. */
static void *ralloc(struct gort_registry *r, size_t n, int *heap)
{
	size_t need = (n + 15) & ~(size_t)15;

	if (r->pool && need <= r->pool_size - r->pool_used) {
		void *p = r->pool + r->pool_used;

		r->pool_used += need;
		*heap = 0;
		return p;
	}
	*heap = 1;
	return xmalloc(n ? n : 1);
}

static void rfree(void *p, int heap)
{
	if (heap)
		free(p);
}

/*
 * Notes that the n bytes of the pool at p (as ralloc handed them out) are
 * no longer needed; gort_registry_trim() releases them.  Only recorded:
 * this runs while the target may be stopped.
 */
static void pool_dead(struct gort_registry *r, const void *p, size_t n)
{
	uintptr_t lo = (uintptr_t)p, hi = lo + ((n + 15) & ~(size_t)15);

	if (!r->pool || lo < (uintptr_t)r->pool ||
	    hi > (uintptr_t)r->pool + r->pool_size || lo == hi)
		return;
	r->dead_bytes += hi - lo;
	if (r->ndead && r->dead[r->ndead - 1].hi == lo) {
		r->dead[r->ndead - 1].hi = hi;
		return;
	}
	if (r->ndead == sizeof(r->dead) / sizeof(r->dead[0]))
		return;		/* kept until the release: only memory */
	r->dead[r->ndead].lo = lo;
	r->dead[r->ndead].hi = hi;
	r->ndead++;
}

size_t gort_registry_trim(struct gort_registry *r)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), lo, hi, tail;
	size_t i, freed = 0;

	if (!r->ndead)
		return 0;
	tail = r->dead[r->ndead - 1].hi;
	for (i = 0; i < r->ndead; i++) {
		lo = (r->dead[i].lo + page - 1) & ~(page - 1);
		hi = r->dead[i].hi & ~(page - 1);
		if (hi > lo && madvise((void *)lo, hi - lo, MADV_DONTNEED) == 0)
			freed += hi - lo;
		if (i == r->ndead - 1 && hi > r->dead[i].lo)
			r->dead[i].lo = hi;
	}
	/* The last part's partial page stays, to grow with the next. */
	r->dead[0].lo = r->dead[r->ndead - 1].lo;
	r->dead[0].hi = tail;
	r->ndead = 1;
	r->dead_bytes = 0;
	return freed;
}

void gort_registry_drop_stack(struct gort_registry *r, struct gort_g *g)
{
	if (g->stack && !g->stack_heap)
		pool_dead(r, g->stack, g->copy_len);
	drop_stack(g);
}

/* The field at off of a size-byte struct p; 0 when absent or outside
 * (gort_layout_check keeps layouts from getting there). */
static uint64_t rd64(const unsigned char *p, size_t size, long off)
{
	uint64_t v;

	if (off < 0 || (size_t)off > size || size - (size_t)off < sizeof(v))
		return 0;
	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint32_t rd32(const unsigned char *p, size_t size, long off)
{
	uint32_t v;

	if (off < 0 || (size_t)off > size || size - (size_t)off < sizeof(v))
		return 0;
	memcpy(&v, p + off, sizeof(v));
	return v;
}

static int cmp_gref(const void *a, const void *b)
{
	const struct gref *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Reads n g structs into gbuf (g_size each), merging neighbours. */
static int copy_gs(struct memsrc *mem, const struct gort_layout *l,
		   const uint64_t *ptrs, size_t n, unsigned char **gptr,
		   struct gort_registry *r, int *bheap, size_t *niov_out,
		   struct memsrc_iov **iov_out)
{
	int hr, hi, hf;
	struct gref *refs = ralloc(r, (n + 1) * sizeof(*refs), &hr);
	struct memsrc_iov *iov = ralloc(r, (n + 1) * sizeof(*iov), &hi);
	size_t *first = ralloc(r, (n + 1) * sizeof(*first), &hf);
	size_t i, j, niov = 0, gs = l->g_size;

	for (i = 0; i < n; i++) {
		refs[i].addr = ptrs[i];
		refs[i].idx = i;
	}
	qsort(refs, n, sizeof(*refs), cmp_gref);
	for (i = 0; i < n; i = j) {
		uint64_t start = refs[i].addr, end = start + gs;

		for (j = i + 1; j < n && refs[j].addr <= end + MERGE_GAP &&
		     refs[j].addr + gs - start <= (1u << 20); j++)
			if (refs[j].addr + gs > end)
				end = refs[j].addr + gs;
		first[niov] = i;
		iov[niov].addr = start;
		iov[niov].len = (size_t)(end - start);
		iov[niov].buf = ralloc(r, iov[niov].len, &bheap[niov]);
		niov++;
	}
	memsrc_readv(mem, iov, niov);
	/* Each g is decoded in place from its range buffer. */
	for (i = 0; i < niov; i++) {
		size_t stop = i + 1 < niov ? first[i + 1] : n;

		r->bytes_copied += iov[i].len;
		for (j = first[i]; j < stop; j++)
			gptr[refs[j].idx] = iov[i].ok
				? (unsigned char *)iov[i].buf +
					  (refs[j].addr - iov[i].addr)
				: NULL;
	}
	r->ranges_copied += niov;
	rfree(first, hf);
	rfree(refs, hr);
	*niov_out = niov;
	*iov_out = iov;
	return hi;
}

static void decode_g(const struct gort_layout *l, const unsigned char *b,
		     uint64_t addr, struct gort_g *g)
{
	memset(g, 0, sizeof(*g));
	g->addr = addr;
	g->goid = rd64(b, l->g_size, l->g_goid);
	g->status = rd32(b, l->g_size, l->g_atomicstatus);
	g->waitreason = l->g_waitreason < 0 ||
			(size_t)l->g_waitreason >= l->g_size
			? 0 : b[l->g_waitreason];
	g->waitsince = (int64_t)rd64(b, l->g_size, l->g_waitsince);
	g->parent_goid = rd64(b, l->g_size, l->g_parentgoid);
	g->gopc = rd64(b, l->g_size, l->g_gopc);
	g->startpc = rd64(b, l->g_size, l->g_startpc);
	g->lockedm = rd64(b, l->g_size, l->g_lockedm);
	g->m = rd64(b, l->g_size, l->g_m);
	g->labels = rd64(b, l->g_size, l->g_labels);
	g->stack_lo = rd64(b, l->g_size, l->g_stack_lo);
	g->stack_hi = rd64(b, l->g_size, l->g_stack_hi);
	g->sched_sp = rd64(b, l->g_size, l->g_sched_sp);
	g->sched_pc = rd64(b, l->g_size, l->g_sched_pc);
	g->sched_bp = rd64(b, l->g_size, l->g_sched_bp);
	g->sched_lr = rd64(b, l->g_size, l->g_sched_lr);
	g->syscallsp = rd64(b, l->g_size, l->g_syscallsp);
	g->syscallpc = rd64(b, l->g_size, l->g_syscallpc);
	g->syscallbp = rd64(b, l->g_size, l->g_syscallbp);
	g->trackingseq = l->g_trackingseq < 0 ||
				 (size_t)l->g_trackingseq >= l->g_size
			 ? 0 : b[l->g_trackingseq];
}

static int copy_ms(struct memsrc *mem, const struct gort_layout *l,
		   uint64_t bias, struct gort_registry *r)
{
	unsigned char *b;
	uint64_t mp = 0;
	size_t alloc = 0;

	if (!l->allm || !l->m_size || l->m_size > 65536 ||
	    l->m_alllink == GORT_NONE || gort_layout_check(l, NULL) < 0)
		return 0;
	if (memsrc_read_full(mem, l->allm + bias, &mp, sizeof(mp), NULL) < 0)
		return -EFAULT;
	b = xmalloc(l->m_size);
	while (mp && r->nms < GORT_MAX_MS) {
		struct gort_m *m;

		if (memsrc_read_full(mem, mp, b, l->m_size, NULL) < 0)
			break;
		if (r->nms == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			r->ms = xreallocarray(r->ms, alloc, sizeof(*r->ms));
		}
		m = &r->ms[r->nms++];
		m->addr = mp;
		m->id = (int64_t)rd64(b, l->m_size, l->m_id);
		m->procid = rd64(b, l->m_size, l->m_procid);
		m->curg = rd64(b, l->m_size, l->m_curg);
		m->g0 = rd64(b, l->m_size, l->m_g0);
		m->gsignal = rd64(b, l->m_size, l->m_gsignal);
		m->lockedg = rd64(b, l->m_size, l->m_lockedg);
		r->bytes_copied += l->m_size;
		mp = rd64(b, l->m_size, l->m_alllink);
	}
	free(b);
	return 0;
}

static void pick_start(const struct gort_layout *l, struct gort_registry *r,
		       struct gort_g *g, const struct gort_thread *threads,
		       size_t nthreads)
{
	uint32_t st = gort_status(l, g);
	size_t i, k;

	g->pc = g->sched_pc;
	g->sp = g->sched_sp;
	g->bp = g->sched_bp;
	if ((int)st == l->st_syscall && g->syscallsp) {
		g->pc = g->syscallpc;
		g->sp = g->syscallsp;
		g->bp = g->syscallbp;
	}
	if ((int)st != l->st_running && (int)st != l->st_syscall)
		return;
	for (i = 0; i < r->nms; i++) {
		if (r->ms[i].curg != g->addr)
			continue;
		for (k = 0; k < nthreads; k++) {
			if ((uint64_t)threads[k].tid != r->ms[i].procid)
				continue;
			g->tid = threads[k].tid;
			/* On the user stack: the registers are the truth. */
			if ((int)st == l->st_running &&
			    threads[k].sp >= g->stack_lo &&
			    threads[k].sp < g->stack_hi) {
				g->pc = threads[k].pc;
				g->sp = threads[k].sp;
				g->bp = threads[k].bp;
				g->from_regs = 1;
			}
		}
	}
}

static void drop_stack(struct gort_g *g)
{
	rfree(g->stack, g->stack_heap);
	g->stack = NULL;
	g->stack_heap = 0;
	g->copy_len = 0;
}

/* Copies the stack of every g with need_stack, within the budget. */
static int copy_stacks(struct memsrc *mem, struct gort_registry *r,
		       struct err *e)
{
	int hi, hw;
	struct memsrc_iov *iov;
	size_t *which;
	size_t i, n = 0, need = 0;

	for (i = 0; i < r->ngs; i++) {
		struct gort_g *g = &r->gs[i];

		if (g->need_stack && g->sp >= g->stack_lo &&
		    g->sp < g->stack_hi && g->stack_hi - g->sp <= GORT_MAX_STACK)
			need += g->stack_hi - g->sp > GORT_MAX_STACK_COPY
					? GORT_MAX_STACK_COPY
					: (size_t)(g->stack_hi - g->sp);
	}
	if (r->max_stack_bytes && need > r->max_stack_bytes - r->stack_bytes)
		return err_set(e, E2BIG, "the goroutine stacks need %zu MiB, "
			       "more than the memory budget of %zu MiB",
			       (r->stack_bytes + need) >> 20,
			       r->max_stack_bytes >> 20);
	iov = ralloc(r, (r->ngs + 1) * sizeof(*iov), &hi);
	which = ralloc(r, (r->ngs + 1) * sizeof(*which), &hw);
	for (i = 0; i < r->ngs; i++) {
		struct gort_g *g = &r->gs[i];

		if (!g->need_stack)
			continue;
		g->need_stack = 0;
		if (!g->sp || g->sp < g->stack_lo || g->sp >= g->stack_hi ||
		    g->stack_hi - g->sp > GORT_MAX_STACK) {
			g->stack_error = g->sp != 0;
			continue;
		}
		/* The innermost part of a huge stack: unwinding stops at
		 * its end with "frame outside the copied stack". */
		g->copy_base = g->sp;
		g->copy_len = (size_t)(g->stack_hi - g->sp);
		if (g->copy_len > GORT_MAX_STACK_COPY)
			g->copy_len = GORT_MAX_STACK_COPY;
		g->stack = ralloc(r, g->copy_len, &g->stack_heap);
		g->stack_error = 0;
		iov[n].addr = g->copy_base;
		iov[n].len = g->copy_len;
		iov[n].buf = g->stack;
		which[n++] = i;
	}
	memsrc_readv(mem, iov, n);
	for (i = 0; i < n; i++) {
		struct gort_g *g = &r->gs[which[i]];

		r->bytes_copied += iov[i].len;
		r->stack_bytes += iov[i].len;
		if (!iov[i].ok) {
			drop_stack(g);
			g->stack_error = 1;
		}
	}
	r->ranges_copied += n;
	r->stacks_copied += n;
	rfree(which, hw);
	rfree(iov, hi);
	return 0;
}

static int read_allgs(struct memsrc *mem, const struct gort_layout *l,
		      uint64_t bias, uint64_t hdr[3], size_t *n,
		      struct err *e)
{
	uint64_t allglen;
	int ret;

	if (!l->allgs || !l->allglen || !l->g_size || l->g_size > 65536)
		return err_set(e, EINVAL, "runtime layout is incomplete");
	if (gort_layout_check(l, e) < 0)
		return -EINVAL;
	ret = memsrc_read_full(mem, l->allglen + bias, &allglen,
			       sizeof(allglen), e);
	if (ret == 0)
		ret = memsrc_read_full(mem, l->allgs + bias, hdr,
				       3 * sizeof(uint64_t), e);
	if (ret < 0)
		return err_prefix(e, "cannot read runtime.allgs");
	if (allglen > GORT_MAX_GS || hdr[1] > hdr[2] || hdr[2] > GORT_MAX_GS)
		return err_set(e, EINVAL,
			       "runtime.allgs looks corrupted (len %llu, cap "
			       "%llu, allglen %llu)",
			       (unsigned long long)hdr[1],
			       (unsigned long long)hdr[2],
			       (unsigned long long)allglen);
	*n = allglen < hdr[1] ? (size_t)allglen : (size_t)hdr[1];
	return 0;
}

int gort_registry_reserve(struct memsrc *mem, const struct gort_layout *l,
			  uint64_t bias, size_t budget, unsigned int flags,
			  struct gort_registry *r, struct err *e)
{
	struct gort_registry tmp;
	uint64_t hdr[3];
	size_t n, i, stacks = 0, later = 0, bytes;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = read_allgs(mem, l, bias, hdr, &n, e);
	if (ret < 0)
		return ret;
	/* A racy look at the g structs tells how big the stacks are. */
	memset(&tmp, 0, sizeof(tmp));
	if (copy_registry(mem, l, bias, NULL, 0, 0, 0, &tmp, NULL) == 0) {
		for (i = 0; i < tmp.ngs; i++) {
			const struct gort_g *g = &tmp.gs[i];
			size_t len = (size_t)(g->stack_hi - g->sp);

			if (g->sp < g->stack_lo || g->sp >= g->stack_hi ||
			    g->stack_hi - g->sp > GORT_MAX_STACK)
				continue;
			if (len > GORT_MAX_STACK_COPY)
				len = GORT_MAX_STACK_COPY;
			stacks += len + 16;
			if ((flags & GORT_COPY_DEFER_PARKED) &&
			    defer_stack(l, g))
				later += len + 16;
		}
		gort_registry_release(&tmp);
	}
	n += n / 8 + 256;
	bytes = n * (l->g_size + MERGE_GAP / 8 + sizeof(struct gref) +
		     2 * sizeof(struct memsrc_iov) + 4 * sizeof(size_t) +
		     sizeof(struct gort_g) + 16 * 6) +
		stacks + stacks / 8 + (4u << 20);
	if (budget && bytes > budget)
		return err_set(e, E2BIG, "a copy of its goroutines needs "
			       "about %zu MiB, more than the memory budget "
			       "of %zu MiB", (bytes + (1u << 20) - 1) >> 20,
			       budget >> 20);
	r->pool = xmalloc(bytes);
	/*
	 * Touch what the stop will use; the stacks of parked goroutines,
	 * copied after the resume and last in the pool, fault in then
	 * (and only as far as they are used).
	 */
	memset(r->pool, 0, bytes - later);
	r->pool_size = bytes;
	return 0;
}

static int copy_registry(struct memsrc *mem, const struct gort_layout *l,
			 uint64_t bias, const struct gort_thread *threads,
			 size_t nthreads, int with_stacks, unsigned int flags,
			 struct gort_registry *r, struct err *e)
{
	unsigned char *pool = r->pool, **gptr;
	size_t pool_size = r->pool_size, n, i, niov = 0;
	size_t budget = r->max_stack_bytes;
	struct memsrc_iov *iov = NULL;
	uint64_t hdr[3], *ptrs;
	int hp, hg, hb, hi, *bheap, ret;
	struct timespec ts;

	memset(r, 0, sizeof(*r));
	r->pool = pool;
	r->pool_size = pool_size;
	r->max_stack_bytes = budget;
	ret = read_allgs(mem, l, bias, hdr, &n, e);
	if (ret < 0)
		return ret;
	r->nallg = n;
	ptrs = ralloc(r, (n + 1) * sizeof(*ptrs), &hp);
	ret = memsrc_read_full(mem, hdr[0], ptrs, n * sizeof(*ptrs), e);
	if (ret < 0) {
		rfree(ptrs, hp);
		return err_prefix(e, "cannot read the allgs array");
	}
	r->bytes_copied += 32 + n * sizeof(*ptrs);
	gptr = ralloc(r, (n + 1) * sizeof(*gptr), &hg);
	bheap = ralloc(r, (n + 1) * sizeof(*bheap), &hb);
	hi = copy_gs(mem, l, ptrs, n, gptr, r, bheap, &niov, &iov);
	copy_ms(mem, l, bias, r);
	r->gs = ralloc(r, (n + 1) * sizeof(*r->gs), &r->gs_heap);
	for (i = 0; i < n; i++) {
		struct gort_g *g = &r->gs[r->ngs];
		uint32_t st;

		if (!gptr[i] || !ptrs[i])
			continue;
		decode_g(l, gptr[i], ptrs[i], g);
		st = gort_status(l, g);
		if ((int)st == l->st_dead || (int)st == l->st_deadextra)
			continue;
		pick_start(l, r, g, threads, nthreads);
		g->need_stack = 1;
		if ((flags & GORT_COPY_DEFER_PARKED) && defer_stack(l, g)) {
			g->need_stack = 0;
			g->deferred = 1;
			r->ndeferred++;
		}
		r->ngs++;
	}
	for (i = 0; i < niov; i++) {
		if (!bheap[i])
			pool_dead(r, iov[i].buf, iov[i].len);
		rfree(iov[i].buf, bheap[i]);
	}
	rfree(iov, hi);
	rfree(bheap, hb);
	rfree(gptr, hg);
	rfree(ptrs, hp);
	if (with_stacks) {
		ret = copy_stacks(mem, r, e);
		if (ret < 0)
			return ret;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	r->nanotime = (uint64_t)ts.tv_sec * 1000000000ull +
		      (uint64_t)ts.tv_nsec;
	return 0;
}

int gort_registry_copy(struct memsrc *mem, const struct gort_layout *l,
		       uint64_t bias, const struct gort_thread *threads,
		       size_t nthreads, unsigned int flags,
		       struct gort_registry *r, struct err *e)
{
	return copy_registry(mem, l, bias, threads, nthreads, 1, flags, r,
			     e);
}

size_t gort_registry_reserved(const struct gort_registry *r)
{
	return r->pool_size;
}

/*
 * A parked goroutine keeps its stack until it runs again, which the
 * second read of its g struct detects; the GC's scan bit means its stack
 * may be moving, and without trackingSeq a run cannot be detected.
 */
static int defer_stack(const struct gort_layout *l, const struct gort_g *g)
{
	uint32_t st = gort_status(l, g);

	if (l->g_trackingseq == GORT_NONE ||
	    (size_t)l->g_trackingseq >= l->g_size)
		return 0;
	if (g->status & (uint32_t)l->st_scan)
		return 0;
	return (int)st == l->st_waiting || (int)st == l->st_leaked;
}

/*
 * Reads again the g structs of the goroutines marked deferred (changed:
 * marked changed): sets *idx_out to their indexes in r->gs and
 * *fresh_out to the decoded structs (addr 0 when unreadable), both
 * malloc'd, and returns their number.
 */
static size_t reread_gs(struct memsrc *mem, const struct gort_layout *l,
			struct gort_registry *r, int changed, size_t **idx_out,
			struct gort_g **fresh_out)
{
	int hp, hg, hb, hi;
	size_t *idx = xcalloc(r->ngs + 1, sizeof(*idx));
	struct gort_g *fresh;
	uint64_t *ptrs;
	unsigned char **gptr;
	int *bheap;
	struct memsrc_iov *iov = NULL;
	size_t i, k, n = 0, niov = 0;

	for (i = 0; i < r->ngs; i++)
		if (changed ? r->gs[i].changed : r->gs[i].deferred)
			idx[n++] = i;
	fresh = xcalloc(n + 1, sizeof(*fresh));
	ptrs = ralloc(r, (n + 1) * sizeof(*ptrs), &hp);
	gptr = ralloc(r, (n + 1) * sizeof(*gptr), &hg);
	bheap = ralloc(r, (n + 1) * sizeof(*bheap), &hb);
	for (k = 0; k < n; k++)
		ptrs[k] = r->gs[idx[k]].addr;
	hi = copy_gs(mem, l, ptrs, n, gptr, r, bheap, &niov, &iov);
	for (k = 0; k < n; k++) {
		if (gptr[k])
			decode_g(l, gptr[k], ptrs[k], &fresh[k]);
		else
			memset(&fresh[k], 0, sizeof(fresh[k]));
	}
	for (k = 0; k < niov; k++) {
		if (!bheap[k])
			pool_dead(r, iov[k].buf, iov[k].len);
		rfree(iov[k].buf, bheap[k]);
	}
	rfree(iov, hi);
	rfree(bheap, hb);
	rfree(gptr, hg);
	rfree(ptrs, hp);
	*idx_out = idx;
	*fresh_out = fresh;
	return n;
}

/* Whether b (read later) shows that a's goroutine has not run since. */
static int same_g(const struct gort_layout *l, const struct gort_g *a,
		  const struct gort_g *b)
{
	return b->addr == a->addr && b->goid == a->goid &&
	       gort_status(l, b) == gort_status(l, a) &&
	       b->waitreason == a->waitreason &&
	       b->sched_sp == a->sched_sp && b->sched_pc == a->sched_pc &&
	       b->sched_bp == a->sched_bp && b->syscallsp == a->syscallsp &&
	       b->stack_lo == a->stack_lo && b->stack_hi == a->stack_hi &&
	       b->trackingseq == a->trackingseq;
}

long gort_registry_finish(struct memsrc *mem, const struct gort_layout *l,
			  struct gort_registry *r, struct err *e)
{
	struct gort_g *fresh, *before;
	size_t *idx, *idx0, i, n = 0;
	long changed = 0;
	int ret;

	for (i = 0; i < r->ngs; i++)
		if (r->gs[i].deferred) {
			r->gs[i].need_stack = 1;
			n++;
		}
	if (n == 0)
		return 0;
	/*
	 * Read right before and right after the stack copy: trackingSeq is
	 * 8 bits, so only a short window between two equal reads (not the
	 * whole time since the stop) makes 256 runs in it impossible.
	 */
	n = reread_gs(mem, l, r, 0, &idx0, &before);
	ret = copy_stacks(mem, r, e);
	if (ret < 0) {
		free(before);
		free(idx0);
		return ret;
	}
	n = reread_gs(mem, l, r, 0, &idx, &fresh);
	for (i = 0; i < n; i++) {
		struct gort_g *g = &r->gs[idx[i]];

		if (g->stack && same_g(l, g, &before[i]) &&
		    same_g(l, g, &fresh[i]))
			continue;
		/* It ran (or its stack moved): never keep a torn copy. */
		drop_stack(g);
		g->stack_error = 0;
		g->changed = 1;
		changed++;
	}
	free(before);
	free(idx0);
	free(fresh);
	free(idx);
	return changed;
}

long gort_registry_recopy(struct memsrc *mem, const struct gort_layout *l,
			  uint64_t bias, const struct gort_thread *threads,
			  size_t nthreads, struct gort_registry *r,
			  struct err *e)
{
	struct gort_g *fresh;
	struct gort_m *ms;
	size_t *idx, i, k, n = 0, nms;
	long copied = 0;
	int ret;

	for (i = 0; i < r->ngs; i++)
		n += (size_t)(r->gs[i].changed != 0);
	if (n == 0)
		return 0;
	/* The Ms may run other goroutines now: their list of this stop
	 * serves pick_start, the first stop's stays in r. */
	ms = r->ms;
	nms = r->nms;
	r->ms = NULL;
	r->nms = 0;
	copy_ms(mem, l, bias, r);
	n = reread_gs(mem, l, r, 1, &idx, &fresh);
	for (k = 0; k < n; k++) {
		struct gort_g *g = &r->gs[idx[k]];
		uint32_t st = gort_status(l, &fresh[k]);

		/* Exited (or unreadable): it stays marked changed. */
		if (!fresh[k].addr || (int)st == l->st_dead ||
		    (int)st == l->st_deadextra)
			continue;
		*g = fresh[k];
		pick_start(l, r, g, threads, nthreads);
		g->need_stack = 1;
		g->deferred = 1;
		g->recopied = 1;
		copied++;
	}
	free(fresh);
	free(idx);
	free(r->ms);
	r->ms = ms;
	r->nms = nms;
	ret = copy_stacks(mem, r, e);
	return ret < 0 ? ret : (long)copied;
}

int gort_registry_waitreasons(struct memsrc *mem, const struct gort_layout *l,
			      uint64_t bias, struct gort_registry *r,
			      struct err *e)
{
	uint64_t (*hdr)[2];
	size_t i, n = l->nwaitreasons;

	if (!l->waitreason_strings || n == 0 || n > 255)
		return err_set(e, ENOENT, "no runtime.waitReasonStrings");
	hdr = xcalloc(n, sizeof(*hdr));
	if (memsrc_read_full(mem, l->waitreason_strings + bias, hdr,
			     n * sizeof(*hdr), e) < 0) {
		free(hdr);
		return -EFAULT;
	}
	r->waitreasons = xcalloc(n, sizeof(char *));
	r->nwaitreasons = n;
	for (i = 0; i < n; i++) {
		size_t len = (size_t)hdr[i][1];
		char *s;

		if (len > MAX_WAITREASON_LEN)
			len = 0;
		s = xcalloc(1, len + 1);
		if (len && memsrc_read_full(mem, hdr[i][0], s, len, NULL) < 0)
			s[0] = '\0';
		r->waitreasons[i] = s;
	}
	free(hdr);
	return 0;
}

void gort_registry_release(struct gort_registry *r)
{
	size_t i;

	for (i = 0; i < r->ngs; i++)
		rfree(r->gs[i].stack, r->gs[i].stack_heap);
	if (r->gs)
		rfree(r->gs, r->gs_heap);
	free(r->ms);
	for (i = 0; i < r->nwaitreasons; i++)
		free(r->waitreasons[i]);
	free(r->waitreasons);
	free(r->pool);
	memset(r, 0, sizeof(*r));
}
