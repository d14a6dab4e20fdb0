/* Copy of allgs, the g structs, the m list and live stacks from a stopped target. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "goruntime/registry.h"
#include "lib/bigmem.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

/* Merge g reads whose gap is at most this many bytes. */
#define MERGE_GAP 512
#define MAX_WAITREASON_LEN 256

struct gref {
	uint64_t addr;
	size_t idx;
};

/*
 * The reads of one copy, planned before the stop (gort_registry_reserve)
 * from a racy read into the same buffers: allgs only grows and its
 * entries never change (runtime/proc.go: "allgs contains all Gs ever
 * created (including dead Gs), and thus never shrinks"), so the stop
 * reads only the entries added since, and the planned ranges.
 */
struct gort_plan {
	uint64_t arr;			/* the allgs array read */
	size_t n, cap;			/* entries planned; room for more */
	uint64_t *ptrs;			/* allgs[0..n), then the new ones */
	unsigned char **gp;		/* each entry's copy, or NULL */
	uint32_t *rng;			/* each entry's range in iov */
	struct memsrc_iov *iov;		/* merged g ranges, then new g's */
	size_t niov, iov_cap;
	unsigned char *gbuf;		/* the ranges' buffers, then room */
	size_t gbuf_used, gbuf_size;
	/* The m list as planned: allm, then each m (reads in miov). */
	uint64_t allm;
	uint64_t *maddr;
	size_t nm;
	unsigned char *mbuf;
	struct memsrc_iov *miov;
	struct gort_m *ms;		/* room for the decoded list */
};

static uint64_t rd64(const unsigned char *p, size_t size, long off);
static uint32_t rd32(const unsigned char *p, size_t size, long off);
static int cmp_gref(const void *a, const void *b);
static size_t merge_range(const struct gref *refs, size_t i, size_t n,
			  size_t gs, uint64_t *end);
/* A buffer that copy_gs reuses from call to call. */
struct gscratch {
	unsigned char *buf;
	size_t size;
	int heap;
};

static void copy_gs(struct memsrc *mem, const struct gort_layout *l,
		    const uint64_t *ptrs, size_t n, unsigned char **gptr,
		    struct gort_registry *r, struct gscratch *sc);
static void gscratch_release(struct gscratch *sc);
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
static void reread_gs(struct memsrc *mem, const struct gort_layout *l,
		      struct gort_registry *r, const size_t *idx, size_t n,
		      struct gort_g *fresh, struct gscratch *sc);
static int same_g(const struct gort_layout *l, const struct gort_g *a,
		  const struct gort_g *b);
static void drop_stack(struct gort_g *g);
static void *ralloc(struct gort_registry *r, size_t n, int *heap);
static void rfree(void *p, int heap);
static int in_pool(const unsigned char *pool, size_t size, uintptr_t lo,
		   uintptr_t hi);
static void pool_dead(struct gort_registry *r, const void *p, size_t n);
static int read_allgs(struct memsrc *mem, const struct gort_layout *l,
		      uint64_t bias, uint64_t hdr[3], size_t *n,
		      struct err *e);
static uint64_t mono_ns(void);
static void *rzalloc(struct gort_registry *r, size_t n, int *heap);
static void *ralloc_stack(struct gort_registry *r, size_t n, int *heap);
static int defer_status(const struct gort_layout *l, uint32_t status);
static int plan_build(struct memsrc *mem, const struct gort_layout *l,
		      uint64_t bias, struct gort_plan **out, struct err *e);
static void plan_ms(struct memsrc *mem, const struct gort_layout *l,
		    uint64_t bias, struct gort_plan *p);
static void plan_free(struct gort_plan *p);
static int plan_copy_gs(struct memsrc *mem, const struct gort_layout *l,
			uint64_t bias, struct gort_registry *r, size_t *n_out,
			struct err *e);
static int plan_copy_ms(struct memsrc *mem, const struct gort_layout *l,
			struct gort_registry *r);
static void decode_m(const struct gort_layout *l, const unsigned char *b,
		     uint64_t addr, struct gort_m *m);
static size_t stack_estimate(const struct gort_layout *l,
			     const struct gort_g *g);
static size_t plan_bytes(const struct gort_plan *p,
			 const struct gort_layout *l);

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

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
	/* Large blocks (the g copies read again after the resume) get
	 * mappings of their own, on huge pages. */
	if (n >= BIGMEM_MIN) {
		*heap = 2;
		return bigmem_alloc(n);
	}
	*heap = 1;
	return xmalloc(n ? n : 1);
}

/* ralloc for memory that must start zeroed (the pool always does). */
static void *rzalloc(struct gort_registry *r, size_t n, int *heap)
{
	void *p = ralloc(r, n, heap);

	if (*heap)
		memset(p, 0, n ? n : 1);
	return p;
}

/* A stack copy: from the late or the stop's stack pool, else as ralloc. */
static void *ralloc_stack(struct gort_registry *r, size_t n, int *heap)
{
	size_t need = (n + 15) & ~(size_t)15;

	if (r->late_pool && need <= r->late_pool_size - r->late_pool_used) {
		void *p = r->late_pool + r->late_pool_used;

		r->late_pool_used += need;
		*heap = 0;
		return p;
	}
	if (r->stack_pool &&
	    need <= r->stack_pool_size - r->stack_pool_used) {
		void *p = r->stack_pool + r->stack_pool_used;

		r->stack_pool_used += need;
		*heap = 0;
		return p;
	}
	return ralloc(r, n, heap);
}

static int in_pool(const unsigned char *pool, size_t size, uintptr_t lo,
		   uintptr_t hi)
{
	return pool && lo >= (uintptr_t)pool && hi <= (uintptr_t)pool + size;
}

/*
 * Notes that the n bytes at p, as ralloc or ralloc_stack handed them out
 * of a pool, are no longer needed; gort_registry_trim() releases them.
 */
static void pool_dead(struct gort_registry *r, const void *p, size_t n)
{
	uintptr_t lo = (uintptr_t)p, hi = lo + ((n + 15) & ~(size_t)15);

	if (lo == hi || (!in_pool(r->pool, r->pool_size, lo, hi) &&
			 !in_pool(r->stack_pool, r->stack_pool_size, lo, hi) &&
			 !in_pool(r->late_pool, r->late_pool_size, lo, hi)))
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

static void rfree(void *p, int heap)
{
	if (heap == 2)
		bigmem_free(p);
	else if (heap)
		free(p);
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

/*
 * The range that starts with refs[i] (sorted by address, gs bytes each):
 * its neighbours up to MERGE_GAP bytes apart, at most 1 MiB in all.
 * Returns the index after its last g and sets *end.
 */
static size_t merge_range(const struct gref *refs, size_t i, size_t n,
			  size_t gs, uint64_t *end)
{
	uint64_t start = refs[i].addr;
	size_t j;

	*end = start + gs;
	for (j = i + 1; j < n && refs[j].addr <= *end + MERGE_GAP &&
	     refs[j].addr + gs - start <= (1u << 20); j++)
		if (refs[j].addr + gs > *end)
			*end = refs[j].addr + gs;
	return j;
}

/*
 * Reads n g structs, merging neighbours into ranges, into the buffer of
 * sc (grown when too small): sets gptr[i] to the copy of the g at ptrs[i]
 * (NULL: unreadable), valid until sc is used again or released.
 */
static void copy_gs(struct memsrc *mem, const struct gort_layout *l,
		    const uint64_t *ptrs, size_t n, unsigned char **gptr,
		    struct gort_registry *r, struct gscratch *sc)
{
	int hr, hi, hf;
	struct gref *refs = ralloc(r, (n + 1) * sizeof(*refs), &hr);
	struct memsrc_iov *iov = ralloc(r, (n + 1) * sizeof(*iov), &hi);
	size_t *first = ralloc(r, (n + 1) * sizeof(*first), &hf);
	size_t i, j, niov = 0, gs = l->g_size, total = 0;
	unsigned char *buf;

	for (i = 0; i < n; i++) {
		refs[i].addr = ptrs[i];
		refs[i].idx = i;
	}
	qsort(refs, n, sizeof(*refs), cmp_gref);
	for (i = 0; i < n; i = j) {
		uint64_t start = refs[i].addr, end;

		j = merge_range(refs, i, n, gs, &end);
		first[niov] = i;
		iov[niov].addr = start;
		iov[niov].len = (size_t)(end - start);
		total += iov[niov].len;
		niov++;
	}
	if (total > sc->size || !sc->buf) {
		gscratch_release(sc);
		sc->buf = ralloc(r, total, &sc->heap);
		sc->size = total;
	}
	buf = sc->buf;
	for (i = 0, total = 0; i < niov; i++) {
		iov[i].buf = buf + total;
		total += iov[i].len;
	}
	memsrc_readv(mem, iov, niov);
	/* Each g is decoded in place from its range's part of buf. */
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
	rfree(iov, hi);
	rfree(refs, hr);
}

static void gscratch_release(struct gscratch *sc)
{
	rfree(sc->buf, sc->heap);
	memset(sc, 0, sizeof(*sc));
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
	g->waiting = rd64(b, l->g_size, l->g_waiting);
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

static void decode_m(const struct gort_layout *l, const unsigned char *b,
		     uint64_t addr, struct gort_m *m)
{
	m->addr = addr;
	m->id = (int64_t)rd64(b, l->m_size, l->m_id);
	m->procid = rd64(b, l->m_size, l->m_procid);
	m->curg = rd64(b, l->m_size, l->m_curg);
	m->g0 = rd64(b, l->m_size, l->m_g0);
	m->gsignal = rd64(b, l->m_size, l->m_gsignal);
	m->lockedg = rd64(b, l->m_size, l->m_lockedg);
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
		decode_m(l, b, mp, m);
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

/* The bytes g's stack copy takes when it has need_stack, rounded as the
 * pools hand them out. */
static size_t stack_need(const struct gort_g *g)
{
	if (!g->need_stack || g->sp < g->stack_lo || g->sp >= g->stack_hi ||
	    g->stack_hi - g->sp > GORT_MAX_STACK)
		return 0;
	return ((g->stack_hi - g->sp > GORT_MAX_STACK_COPY
			 ? GORT_MAX_STACK_COPY
			 : (size_t)(g->stack_hi - g->sp)) +
		15) & ~(size_t)15;
}

/*
 * Copies the stack of each g with need_stack among the n at the indexes
 * idx (idx NULL: among all of r->gs), within the budget.
 */
static int copy_stacks_of(struct memsrc *mem, struct gort_registry *r,
			  const size_t *idx, size_t n_idx, struct err *e)
{
	int hi, hw;
	struct memsrc_iov *iov;
	size_t *which;
	size_t i, k, n = 0, need = 0, count = idx ? n_idx : r->ngs;

	for (k = 0; k < count; k++)
		need += stack_need(&r->gs[idx ? idx[k] : k]);
	if (r->max_stack_bytes && need > r->max_stack_bytes - r->stack_bytes)
		return err_set(e, E2BIG, "the goroutine stacks need %zu MiB, "
			       "more than the memory budget of %zu MiB",
			       (r->stack_bytes + need) >> 20,
			       r->max_stack_bytes >> 20);
	iov = ralloc(r, (count + 1) * sizeof(*iov), &hi);
	which = ralloc(r, (count + 1) * sizeof(*which), &hw);
	for (k = 0; k < count; k++) {
		struct gort_g *g;

		i = idx ? idx[k] : k;
		g = &r->gs[i];
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
		g->stack = ralloc_stack(r, g->copy_len, &g->stack_heap);
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

/* Copies the stack of every g with need_stack, within the budget. */
static int copy_stacks(struct memsrc *mem, struct gort_registry *r,
		       struct err *e)
{
	return copy_stacks_of(mem, r, NULL, 0, e);
}

static int read_allgs(struct memsrc *mem, const struct gort_layout *l,
		      uint64_t bias, uint64_t hdr[3], size_t *n,
		      struct err *e)
{
	struct memsrc_iov iov[2];
	uint64_t allglen;
	int ret = 0;

	if (!l->allgs || !l->allglen || !l->g_size || l->g_size > 65536)
		return err_set(e, EINVAL, "runtime layout is incomplete");
	if (gort_layout_check(l, e) < 0)
		return -EINVAL;
	/* One batch; read one by one again only to tell what failed. */
	iov[0].addr = l->allglen + bias;
	iov[0].buf = &allglen;
	iov[0].len = sizeof(allglen);
	iov[1].addr = l->allgs + bias;
	iov[1].buf = hdr;
	iov[1].len = 3 * sizeof(uint64_t);
	if (memsrc_readv(mem, iov, 2) != 2) {
		ret = memsrc_read_full(mem, l->allglen + bias, &allglen,
				       sizeof(allglen), e);
		if (ret == 0)
			ret = memsrc_read_full(mem, l->allgs + bias, hdr,
					       3 * sizeof(uint64_t), e);
	}
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

/*
 * The live stack a copy of g will take, as far as a racy read tells: from
 * sched.sp (syscallsp in a system call), or all of it for a goroutine
 * that runs (its stack pointer is in a register).
 */
static size_t stack_estimate(const struct gort_layout *l,
			     const struct gort_g *g)
{
	uint32_t st = gort_status(l, g);
	uint64_t sp = g->sched_sp;
	size_t len;

	if ((int)st == l->st_syscall && g->syscallsp)
		sp = g->syscallsp;
	if ((int)st == l->st_running)
		sp = g->stack_lo;
	if (sp < g->stack_lo || sp >= g->stack_hi ||
	    g->stack_hi - sp > GORT_MAX_STACK)
		return 0;
	len = (size_t)(g->stack_hi - sp);
	return len > GORT_MAX_STACK_COPY ? GORT_MAX_STACK_COPY : len;
}

static void plan_free(struct gort_plan *p)
{
	if (!p)
		return;
	bigmem_free(p->ptrs);
	bigmem_free(p->gp);
	bigmem_free(p->rng);
	bigmem_free(p->iov);
	bigmem_free(p->gbuf);
	free(p->maddr);
	free(p->mbuf);
	free(p->miov);
	free(p->ms);
	free(p);
}

/* The memory a plan holds. */
static size_t plan_bytes(const struct gort_plan *p,
			 const struct gort_layout *l)
{
	return p->gbuf_size + p->cap * (sizeof(*p->ptrs) + sizeof(*p->gp) +
					sizeof(*p->rng)) +
	       p->iov_cap * sizeof(*p->iov) +
	       p->nm * (l->m_size + sizeof(*p->maddr) + sizeof(*p->miov) +
			sizeof(*p->ms));
}

/*
 * The m list as it is now: its addresses, and a read of all of them into
 * the buffers that the stop will read into again (plan_copy_ms).
 */
static void plan_ms(struct memsrc *mem, const struct gort_layout *l,
		    uint64_t bias, struct gort_plan *p)
{
	size_t j, alloc = 0, sz = l->m_size;
	uint64_t mp = 0;
	unsigned char *b;

	if (!l->allm || !sz || sz > 65536 || l->m_alllink == GORT_NONE ||
	    memsrc_read_full(mem, l->allm + bias, &mp, sizeof(mp), NULL) < 0)
		return;
	b = xmalloc(sz);
	while (mp && p->nm < GORT_MAX_MS) {
		if (memsrc_read_full(mem, mp, b, sz, NULL) < 0)
			break;
		if (p->nm == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			p->maddr = xreallocarray(p->maddr, alloc,
						 sizeof(*p->maddr));
		}
		p->maddr[p->nm++] = mp;
		mp = rd64(b, sz, l->m_alllink);
	}
	free(b);
	p->mbuf = xmalloc(p->nm * sz + 1);
	p->miov = xcalloc(p->nm + 1, sizeof(*p->miov));
	p->ms = xcalloc(p->nm + 1, sizeof(*p->ms));
	memset(p->ms, 0, (p->nm + 1) * sizeof(*p->ms));
	p->miov[0].addr = l->allm + bias;
	p->miov[0].buf = &p->allm;
	p->miov[0].len = sizeof(p->allm);
	for (j = 0; j < p->nm; j++) {
		p->miov[j + 1].addr = p->maddr[j];
		p->miov[j + 1].buf = p->mbuf + j * sz;
		p->miov[j + 1].len = sz;
	}
	memsrc_readv(mem, p->miov, p->nm + 1);
}

/*
 * Plans the stop's reads: allgs now (read twice around the array, which
 * counts only if allgs still points at it), each g struct sorted by
 * address and merged into ranges, with room for goroutines created
 * before the stop, and the m list; every g range is read once now, into
 * the buffers the stop will read into again.
 */
static int plan_build(struct memsrc *mem, const struct gort_layout *l,
		      uint64_t bias, struct gort_plan **out, struct err *e)
{
	size_t n, n2, i, j, k, niov = 0, total = 0, gs = l->g_size, extra;
	uint64_t hdr[3], again[3];
	struct gort_plan *p;
	struct gref *refs;
	int ret, tries;

	*out = NULL;
	for (tries = 0;; tries++) {
		ret = read_allgs(mem, l, bias, hdr, &n, e);
		if (ret < 0)
			return ret;
		p = xcalloc(1, sizeof(*p));
		p->n = n;
		p->cap = n + n / 8 + 256;
		if (p->cap > GORT_MAX_GS)
			p->cap = GORT_MAX_GS > n ? GORT_MAX_GS : n;
		/* The stop writes the new entries: touched both ways. */
		p->ptrs = bigmem_calloc(p->cap, sizeof(*p->ptrs));
		memsrc_prefault(p->ptrs, p->cap * sizeof(*p->ptrs),
				MEMSRC_TOUCH_USER | MEMSRC_TOUCH_KERNEL);
		p->arr = hdr[0];
		ret = memsrc_read_full(mem, hdr[0], p->ptrs,
				       n * sizeof(*p->ptrs), e);
		if (ret == 0 &&
		    read_allgs(mem, l, bias, again, &n2, NULL) == 0 &&
		    again[0] == hdr[0] && n2 >= n)
			break;
		plan_free(p);
		if (ret < 0)
			return err_prefix(e, "cannot read the allgs array");
		if (tries == 2)
			return err_set(e, EAGAIN, "runtime.allgs keeps "
				       "moving");
	}
	/* The plan's arrays (tens of MB at 100,000 goroutines) are on
	 * huge pages where possible: few page faults to take. */
	p->gp = bigmem_calloc(p->cap, sizeof(*p->gp));
	p->rng = bigmem_calloc(p->cap, sizeof(*p->rng));
	memset(p->gp, 0, p->cap * sizeof(*p->gp));
	memset(p->rng, 0, p->cap * sizeof(*p->rng));
	refs = xmalloc((n + 1) * sizeof(*refs));
	for (i = k = 0; i < n; i++) {
		if (!p->ptrs[i])
			continue;
		refs[k].addr = p->ptrs[i];
		refs[k++].idx = i;
	}
	qsort(refs, k, sizeof(*refs), cmp_gref);
	/* Merged as copy_gs does; first count, then fill. */
	for (i = 0; i < k; i = j) {
		uint64_t start = refs[i].addr, end;

		j = merge_range(refs, i, k, gs, &end);
		niov++;
		total += (size_t)(end - start);
	}
	extra = p->cap - n;
	p->iov_cap = niov + extra;
	p->iov = bigmem_calloc(p->iov_cap + 1, sizeof(*p->iov));
	memset(p->iov, 0, (p->iov_cap + 1) * sizeof(*p->iov));
	p->gbuf_size = total + extra * gs;
	p->gbuf = bigmem_alloc(p->gbuf_size + 1);
	for (i = 0; i < k; i = j) {
		uint64_t start = refs[i].addr, end;
		struct memsrc_iov *v = &p->iov[p->niov];

		j = merge_range(refs, i, k, gs, &end);
		v->addr = start;
		v->len = (size_t)(end - start);
		v->buf = p->gbuf + p->gbuf_used;
		for (; i < j; i++) {
			p->gp[refs[i].idx] = (unsigned char *)v->buf +
					     (refs[i].addr - start);
			p->rng[refs[i].idx] = (uint32_t)p->niov;
		}
		p->gbuf_used += v->len;
		p->niov++;
	}
	free(refs);
	/* Room for new goroutines: touched both ways; the planned ranges
	 * are, by this read and by the decoding that follows it. */
	memsrc_prefault(p->gbuf + p->gbuf_used, extra * gs,
			MEMSRC_TOUCH_USER | MEMSRC_TOUCH_KERNEL);
	memsrc_readv(mem, p->iov, p->niov);
	plan_ms(mem, l, bias, p);
	*out = p;
	return 0;
}

int gort_registry_reserve(struct memsrc *mem, const struct gort_layout *l,
			  uint64_t bias, size_t budget, unsigned int flags,
			  struct gort_registry *r, struct err *e)
{
	size_t i, cap, stacks = 0, all = 0, nstacks = 0, bytes, sbytes, need;
	size_t lists;
	struct gort_plan *p;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = plan_build(mem, l, bias, &p, e);
	if (ret < 0)
		return ret;
	/* The racy copy tells how big the stacks are. */
	for (i = 0; i < p->n; i++) {
		const unsigned char *b = p->gp[i];
		struct gort_g g;
		size_t len;
		uint32_t st;

		if (!b || !p->iov[p->rng[i]].ok)
			continue;
		decode_g(l, b, p->ptrs[i], &g);
		st = gort_status(l, &g);
		if ((int)st == l->st_dead || (int)st == l->st_deadextra)
			continue;
		len = stack_estimate(l, &g);
		all += len + 16;
		if ((flags & GORT_COPY_DEFER_PARKED) &&
		    defer_status(l, g.status))
			continue;
		stacks += len;
		nstacks++;
	}
	cap = p->cap + 1;
	/* The stacks the stop copies: those seen now, goroutines that
	 * wake meanwhile, and those created before the stop. */
	lists = nstacks + nstacks / 2 + (cap - p->n) + 1024;
	if (lists > cap)
		lists = cap;
	/* The g array, the list of the stacks to copy, and the lists of
	 * one stack copy (the pool is touched now: at a million
	 * goroutines, lists for all of them would be 80 MB). */
	bytes = cap * sizeof(struct gort_g) + cap * sizeof(size_t) +
		2 * lists * (sizeof(struct memsrc_iov) + sizeof(size_t)) +
		(64u << 10);
	sbytes = stacks + stacks / 8 + nstacks * 16 + (1u << 20);
	need = plan_bytes(p, l) + bytes + all + all / 8 + (1u << 20);
	if (budget && need > budget) {
		plan_free(p);
		return err_set(e, E2BIG, "a copy of its goroutines needs "
			       "about %zu MiB, more than the memory budget "
			       "of %zu MiB", (need + (1u << 20) - 1) >> 20,
			       budget >> 20);
	}
	/* goscope writes the pool, the kernel the stack copies. */
	r->pool = bigmem_alloc(bytes);
	memsrc_prefault(r->pool, bytes, MEMSRC_TOUCH_USER);
	r->pool_size = bytes;
	r->stack_pool = bigmem_alloc(sbytes);
	memsrc_prefault(r->stack_pool, sbytes, MEMSRC_TOUCH_KERNEL);
	r->stack_pool_size = sbytes;
	r->plan = p;
	r->nallg = p->n;
	return 0;
}

/*
 * The stop's read of allgs and the g structs along the plan: allglen and
 * the allgs header, the entries added since the plan, and every planned
 * range.  Returns 0 with *n_out entries in the plan's ptrs and gp (NULL:
 * unreadable), -EAGAIN when the plan does not fit (allgs shrank, or grew
 * past the plan's room), or another negative errno.
 */
static int plan_copy_gs(struct memsrc *mem, const struct gort_layout *l,
			uint64_t bias, struct gort_registry *r, size_t *n_out,
			struct err *e)
{
	struct gort_plan *p = r->plan;
	size_t n, i, niov = p->niov, gs = l->g_size, used = p->gbuf_used;
	uint64_t hdr[3];
	int ret;

	ret = read_allgs(mem, l, bias, hdr, &n, e);
	if (ret < 0)
		return ret;
	if (n < p->n || n > p->cap ||
	    (n - p->n) * gs > p->gbuf_size - used)
		return -EAGAIN;
	if (n > p->n &&
	    memsrc_read_full(mem, hdr[0] + p->n * sizeof(*p->ptrs),
			     p->ptrs + p->n, (n - p->n) * sizeof(*p->ptrs),
			     NULL) < 0)
		return -EAGAIN;
	r->nallg = n;
	r->bytes_copied += 32 + (n - p->n) * sizeof(*p->ptrs);
	r->t_allgs = mono_ns();
	/* Goroutines created since the plan: one range each. */
	for (i = p->n; i < n; i++) {
		struct memsrc_iov *v = &p->iov[niov];

		p->gp[i] = NULL;
		if (!p->ptrs[i])
			continue;
		v->addr = p->ptrs[i];
		v->len = gs;
		v->buf = p->gbuf + used;
		p->gp[i] = v->buf;
		p->rng[i] = (uint32_t)niov++;
		used += gs;
	}
	memsrc_readv(mem, p->iov, niov);
	for (i = 0; i < niov; i++)
		r->bytes_copied += p->iov[i].len;
	r->ranges_copied += niov;
	for (i = 0; i < n; i++)
		if (p->gp[i] && !p->iov[p->rng[i]].ok)
			p->gp[i] = NULL;
	*n_out = n;
	return 0;
}

/*
 * The m list along the plan, in one batch.  Returns 0, or -EAGAIN when
 * the links read do not make the planned list (an M was added or
 * removed): the list must then be walked.
 */
static int plan_copy_ms(struct memsrc *mem, const struct gort_layout *l,
			struct gort_registry *r)
{
	struct gort_plan *p = r->plan;
	size_t j, sz = l->m_size;

	if (!p || !p->miov)
		return -EAGAIN;
	memsrc_readv(mem, p->miov, p->nm + 1);
	if (!p->miov[0].ok || p->allm != (p->nm ? p->maddr[0] : 0))
		return -EAGAIN;
	for (j = 0; j < p->nm; j++)
		if (!p->miov[j + 1].ok ||
		    rd64(p->mbuf + j * sz, sz, l->m_alllink) !=
			    (j + 1 < p->nm ? p->maddr[j + 1] : 0))
			return -EAGAIN;
	for (j = 0; j < p->nm; j++)
		decode_m(l, p->mbuf + j * sz, p->maddr[j], &p->ms[j]);
	r->bytes_copied += p->nm * sz;
	r->ms = p->ms;
	r->nms = p->nm;
	p->ms = NULL;
	return 0;
}

static int copy_registry(struct memsrc *mem, const struct gort_layout *l,
			 uint64_t bias, const struct gort_thread *threads,
			 size_t nthreads, int with_stacks, unsigned int flags,
			 struct gort_registry *r, struct err *e)
{
	unsigned char *pool = r->pool, *spool = r->stack_pool, **gptr;
	size_t pool_size = r->pool_size, spool_size = r->stack_pool_size;
	size_t budget = r->max_stack_bytes, batch = r->finish_batch, n = 0, i;
	struct gort_plan *plan = r->plan;
	uint64_t hdr[3], *ptrs;
	int hp = 0, hg = 0, hw, ret, planned;
	struct gscratch gsc = { NULL, 0, 0 };
	size_t *want, nwant = 0;

	memset(r, 0, sizeof(*r));
	r->pool = pool;
	r->pool_size = pool_size;
	r->stack_pool = spool;
	r->stack_pool_size = spool_size;
	r->max_stack_bytes = budget;
	r->finish_batch = batch;
	r->plan = plan;
	ret = plan ? plan_copy_gs(mem, l, bias, r, &n, e) : -EAGAIN;
	planned = ret == 0;
	if (planned) {
		ptrs = plan->ptrs;
		gptr = plan->gp;
	} else if (ret != -EAGAIN) {
		return ret;
	} else {
		/* No plan: allgs whole, sorted while stopped. */
		ret = read_allgs(mem, l, bias, hdr, &n, e);
		if (ret < 0)
			return ret;
		r->nallg = n;
		ptrs = ralloc(r, (n + 1) * sizeof(*ptrs), &hp);
		ret = memsrc_read_full(mem, hdr[0], ptrs, n * sizeof(*ptrs),
				       e);
		if (ret < 0) {
			rfree(ptrs, hp);
			return err_prefix(e, "cannot read the allgs array");
		}
		r->bytes_copied += 32 + n * sizeof(*ptrs);
		r->t_allgs = mono_ns();
		gptr = ralloc(r, (n + 1) * sizeof(*gptr), &hg);
		copy_gs(mem, l, ptrs, n, gptr, r, &gsc);
	}
	r->t_gs = mono_ns();
	if (plan_copy_ms(mem, l, r) < 0)
		copy_ms(mem, l, bias, r);
	r->t_ms = mono_ns();
	r->gs = rzalloc(r, (n + 1) * sizeof(*r->gs), &r->gs_heap);
	/* The goroutines whose stacks this stop copies, so that the copy
	 * does not walk every g again (10 ms at a million). */
	want = ralloc(r, (n + 1) * sizeof(*want), &hw);
	for (i = 0; i < n; i++) {
		struct gort_g *g = &r->gs[r->ngs];
		const unsigned char *b = gptr[i];
		uint32_t status, st;

		if (!b || !ptrs[i])
			continue;
		status = rd32(b, l->g_size, l->g_atomicstatus);
		st = status & ~(uint32_t)l->st_scan;
		if ((int)st == l->st_dead || (int)st == l->st_deadextra)
			continue;
		r->ngs++;
		if (planned && (flags & GORT_COPY_DEFER_PARKED) &&
		    defer_status(l, status)) {
			/* Parked: decoded from its copy after the resume. */
			g->addr = ptrs[i];
			g->status = status;
			g->raw = b;
			g->deferred = 1;
			r->ndeferred++;
			r->nraw++;
			continue;
		}
		decode_g(l, b, ptrs[i], g);
		pick_start(l, r, g, threads, nthreads);
		g->need_stack = 1;
		if ((flags & GORT_COPY_DEFER_PARKED) &&
		    defer_status(l, g->status)) {
			g->need_stack = 0;
			g->deferred = 1;
			r->ndeferred++;
		} else {
			want[nwant++] = r->ngs - 1;
		}
	}
	r->t_decoded = mono_ns();
	if (!planned) {
		gscratch_release(&gsc);
		rfree(gptr, hg);
		rfree(ptrs, hp);
	}
	ret = with_stacks ? copy_stacks_of(mem, r, want, nwant, e) : 0;
	rfree(want, hw);
	if (ret < 0)
		return ret;
	r->nanotime = mono_ns();
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
	return r->pool_size + r->stack_pool_size +
	       (r->plan ? r->plan->gbuf_size : 0);
}

void gort_registry_decode(const struct gort_layout *l,
			  struct gort_registry *r)
{
	size_t i;

	for (i = 0; r->nraw && i < r->ngs; i++) {
		struct gort_g *g = &r->gs[i];
		const unsigned char *b = g->raw;

		if (!b)
			continue;
		decode_g(l, b, g->addr, g);
		pick_start(l, r, g, NULL, 0);
		g->deferred = 1;
	}
	r->nraw = 0;
	plan_free(r->plan);
	r->plan = NULL;
}

/*
 * A parked goroutine keeps its stack until it runs again, which the
 * second read of its g struct detects; the GC's scan bit means its stack
 * may be moving, and without trackingSeq a run cannot be detected.
 */
static int defer_status(const struct gort_layout *l, uint32_t status)
{
	uint32_t st = status & ~(uint32_t)l->st_scan;

	if (l->g_trackingseq == GORT_NONE ||
	    (size_t)l->g_trackingseq >= l->g_size)
		return 0;
	if (status & (uint32_t)l->st_scan)
		return 0;
	return (int)st == l->st_waiting || (int)st == l->st_leaked;
}

/*
 * Reads again the g structs of the n goroutines at the indexes idx of
 * r->gs, decoded into fresh[0..n) (addr 0 when unreadable), read into
 * the buffer of sc.
 */
static void reread_gs(struct memsrc *mem, const struct gort_layout *l,
		      struct gort_registry *r, const size_t *idx, size_t n,
		      struct gort_g *fresh, struct gscratch *sc)
{
	int hp, hg;
	uint64_t *ptrs = ralloc(r, (n + 1) * sizeof(*ptrs), &hp);
	unsigned char **gptr = ralloc(r, (n + 1) * sizeof(*gptr), &hg);
	size_t k;

	for (k = 0; k < n; k++)
		ptrs[k] = r->gs[idx[k]].addr;
	copy_gs(mem, l, ptrs, n, gptr, r, sc);
	for (k = 0; k < n; k++) {
		if (gptr[k])
			decode_g(l, gptr[k], ptrs[k], &fresh[k]);
		else
			memset(&fresh[k], 0, sizeof(fresh[k]));
	}
	rfree(gptr, hg);
	rfree(ptrs, hp);
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

/*
 * One block for all the stack copies that gort_registry_finish is about
 * to make, rather than one malloc each: at 100,000 goroutines that is
 * ~100 MB in a few huge pages instead of 25,000 page faults.
 */
static void late_pool(struct gort_registry *r)
{
	size_t i, need = 0;

	if (r->late_pool)
		return;
	for (i = 0; i < r->ngs; i++)
		need += stack_need(&r->gs[i]);
	if (need < BIGMEM_MIN)
		return;
	if (r->max_stack_bytes && need > r->max_stack_bytes - r->stack_bytes)
		return;		/* copy_stacks says it is too much */
	r->late_pool = bigmem_alloc(need);
	r->late_pool_size = need;
	r->late_pool_used = 0;
}

/*
 * The parked goroutines are copied GORT_FINISH_BATCH at a time, each
 * batch between two reads of its g structs: the reads' buffers stay
 * small (at a million goroutines the g structs are ~450 MB), and the
 * window between the two reads stays short.
 */
#define GORT_FINISH_BATCH 16384

long gort_registry_finish(struct memsrc *mem, const struct gort_layout *l,
			  struct gort_registry *r, struct err *e)
{
	struct gort_g *fresh, *before;
	struct gscratch gsc = { NULL, 0, 0 };
	size_t *idx, i, k, n = 0, next = 0, batch;
	long changed = 0;
	int ret = 0;

	gort_registry_decode(l, r);
	for (i = 0; i < r->ngs; i++)
		if (r->gs[i].deferred) {
			r->gs[i].need_stack = 1;
			n++;
		}
	if (n == 0)
		return 0;
	late_pool(r);
	batch = r->finish_batch ? r->finish_batch : GORT_FINISH_BATCH;
	idx = xcalloc(batch, sizeof(*idx));
	before = bigmem_calloc(batch, sizeof(*before));
	fresh = bigmem_calloc(batch, sizeof(*fresh));
	while (next < r->ngs) {
		for (n = 0; next < r->ngs && n < batch; next++)
			if (r->gs[next].deferred)
				idx[n++] = next;
		if (!n)
			break;
		/*
		 * Read right before and right after the stack copy:
		 * trackingSeq is 8 bits, so only a short window between two
		 * equal reads (not the whole time since the stop) makes 256
		 * runs in it impossible.
		 */
		reread_gs(mem, l, r, idx, n, before, &gsc);
		ret = copy_stacks_of(mem, r, idx, n, e);
		if (ret < 0)
			break;
		reread_gs(mem, l, r, idx, n, fresh, &gsc);
		for (k = 0; k < n; k++) {
			struct gort_g *g = &r->gs[idx[k]];

			if (g->stack && same_g(l, g, &before[k]) &&
			    same_g(l, g, &fresh[k]))
				continue;
			/* It ran (or its stack moved): never keep a torn
			 * copy. */
			drop_stack(g);
			g->stack_error = 0;
			g->changed = 1;
			changed++;
		}
	}
	gscratch_release(&gsc);
	bigmem_free(before);
	bigmem_free(fresh);
	free(idx);
	return ret < 0 ? ret : changed;
}

long gort_registry_recopy(struct memsrc *mem, const struct gort_layout *l,
			  uint64_t bias, const struct gort_thread *threads,
			  size_t nthreads, struct gort_registry *r,
			  struct err *e)
{
	struct gort_g *fresh;
	struct gort_m *ms;
	struct gscratch gsc = { NULL, 0, 0 };
	size_t *idx, i, k, n = 0, nms;
	long copied = 0;
	int ret;

	gort_registry_decode(l, r);
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
	idx = xcalloc(n, sizeof(*idx));
	fresh = bigmem_calloc(n, sizeof(*fresh));
	for (i = k = 0; i < r->ngs; i++)
		if (r->gs[i].changed)
			idx[k++] = i;
	reread_gs(mem, l, r, idx, n, fresh, &gsc);
	gscratch_release(&gsc);
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
	bigmem_free(fresh);
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
	bigmem_free(r->pool);
	bigmem_free(r->stack_pool);
	bigmem_free(r->late_pool);
	plan_free(r->plan);
	memset(r, 0, sizeof(*r));
}
