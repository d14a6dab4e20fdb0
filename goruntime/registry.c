/* Copy of allgs, the g structs, the m list and live stacks from a stopped target. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
			 size_t nthreads, int with_stacks,
			 struct gort_registry *r, struct err *e);
static void decode_g(const struct gort_layout *l, const unsigned char *b,
		     uint64_t addr, struct gort_g *g);
static int copy_ms(struct memsrc *mem, const struct gort_layout *l,
		   uint64_t bias, struct gort_registry *r);
static void pick_start(const struct gort_layout *l, struct gort_registry *r,
		       struct gort_g *g, const struct gort_thread *threads,
		       size_t nthreads);
static void copy_stacks(struct memsrc *mem, struct gort_registry *r);
static void *ralloc(struct gort_registry *r, size_t n, int *heap);
static void rfree(void *p, int heap);
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

static void copy_stacks(struct memsrc *mem, struct gort_registry *r)
{
	int hi, hw;
	struct memsrc_iov *iov = ralloc(r, (r->ngs + 1) * sizeof(*iov), &hi);
	size_t *which = ralloc(r, (r->ngs + 1) * sizeof(*which), &hw);
	size_t i, n = 0;

	for (i = 0; i < r->ngs; i++) {
		struct gort_g *g = &r->gs[i];

		if (!g->sp || g->sp < g->stack_lo || g->sp >= g->stack_hi ||
		    g->stack_hi - g->sp > GORT_MAX_STACK) {
			g->stack_error = g->sp != 0;
			continue;
		}
		g->copy_base = g->sp;
		g->copy_len = (size_t)(g->stack_hi - g->sp);
		g->stack = ralloc(r, g->copy_len, &g->stack_heap);
		iov[n].addr = g->copy_base;
		iov[n].len = g->copy_len;
		iov[n].buf = g->stack;
		which[n++] = i;
	}
	memsrc_readv(mem, iov, n);
	for (i = 0; i < n; i++) {
		struct gort_g *g = &r->gs[which[i]];

		r->bytes_copied += iov[i].len;
		if (!iov[i].ok) {
			rfree(g->stack, g->stack_heap);
			g->stack = NULL;
			g->copy_len = 0;
			g->stack_error = 1;
		}
	}
	r->ranges_copied += n;
	rfree(which, hw);
	rfree(iov, hi);
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
			  uint64_t bias, struct gort_registry *r,
			  struct err *e)
{
	struct gort_registry tmp;
	uint64_t hdr[3];
	size_t n, i, stacks = 0, bytes;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = read_allgs(mem, l, bias, hdr, &n, e);
	if (ret < 0)
		return ret;
	/* A racy look at the g structs tells how big the stacks are. */
	memset(&tmp, 0, sizeof(tmp));
	if (copy_registry(mem, l, bias, NULL, 0, 0, &tmp, NULL) == 0) {
		for (i = 0; i < tmp.ngs; i++) {
			const struct gort_g *g = &tmp.gs[i];

			if (g->sp >= g->stack_lo && g->sp < g->stack_hi &&
			    g->stack_hi - g->sp <= GORT_MAX_STACK)
				stacks += (size_t)(g->stack_hi - g->sp) + 16;
		}
		gort_registry_release(&tmp);
	}
	n += n / 8 + 256;
	bytes = n * (l->g_size + MERGE_GAP / 8 + sizeof(struct gref) +
		     2 * sizeof(struct memsrc_iov) + 4 * sizeof(size_t) +
		     sizeof(struct gort_g) + 16 * 6) +
		stacks + stacks / 8 + (4u << 20);
	r->pool = xmalloc(bytes);
	memset(r->pool, 0, bytes);
	r->pool_size = bytes;
	return 0;
}

static int copy_registry(struct memsrc *mem, const struct gort_layout *l,
			 uint64_t bias, const struct gort_thread *threads,
			 size_t nthreads, int with_stacks,
			 struct gort_registry *r, struct err *e)
{
	unsigned char *pool = r->pool, **gptr;
	size_t pool_size = r->pool_size, n, i, niov = 0;
	struct memsrc_iov *iov = NULL;
	uint64_t hdr[3], *ptrs;
	int hp, hg, hb, hi, *bheap, ret;
	struct timespec ts;

	memset(r, 0, sizeof(*r));
	r->pool = pool;
	r->pool_size = pool_size;
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
		r->ngs++;
	}
	for (i = 0; i < niov; i++)
		rfree(iov[i].buf, bheap[i]);
	rfree(iov, hi);
	rfree(bheap, hb);
	rfree(gptr, hg);
	rfree(ptrs, hp);
	if (with_stacks)
		copy_stacks(mem, r);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	r->nanotime = (uint64_t)ts.tv_sec * 1000000000ull +
		      (uint64_t)ts.tv_nsec;
	return 0;
}

int gort_registry_copy(struct memsrc *mem, const struct gort_layout *l,
		       uint64_t bias, const struct gort_thread *threads,
		       size_t nthreads, struct gort_registry *r,
		       struct err *e)
{
	return copy_registry(mem, l, bias, threads, nthreads, 1, r, e);
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
