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

static uint64_t rd64(const unsigned char *p, long off);
static uint32_t rd32(const unsigned char *p, long off);
static int cmp_gref(const void *a, const void *b);
static int copy_gs(struct memsrc *mem, const struct gort_layout *l,
		   const uint64_t *ptrs, size_t n, unsigned char *gbuf,
		   unsigned char *okv, struct gort_registry *r);
static void decode_g(const struct gort_layout *l, const unsigned char *b,
		     uint64_t addr, struct gort_g *g);
static int copy_ms(struct memsrc *mem, const struct gort_layout *l,
		   uint64_t bias, struct gort_registry *r);
static void pick_start(const struct gort_layout *l, struct gort_registry *r,
		       struct gort_g *g, const struct gort_thread *threads,
		       size_t nthreads);
static void copy_stacks(struct memsrc *mem, struct gort_registry *r);

static uint64_t rd64(const unsigned char *p, long off)
{
	uint64_t v;

	if (off == GORT_NONE)
		return 0;
	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint32_t rd32(const unsigned char *p, long off)
{
	uint32_t v;

	if (off == GORT_NONE)
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
		   const uint64_t *ptrs, size_t n, unsigned char *gbuf,
		   unsigned char *okv, struct gort_registry *r)
{
	struct gref *refs = xcalloc(n ? n : 1, sizeof(*refs));
	struct memsrc_iov *iov = xcalloc(n ? n : 1, sizeof(*iov));
	size_t *first = xcalloc(n ? n : 1, sizeof(*first));
	unsigned char **rbuf = xcalloc(n ? n : 1, sizeof(*rbuf));
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
		rbuf[niov] = xmalloc((size_t)(end - start));
		iov[niov].addr = start;
		iov[niov].len = (size_t)(end - start);
		iov[niov].buf = rbuf[niov];
		niov++;
	}
	memsrc_readv(mem, iov, niov);
	for (i = 0; i < niov; i++) {
		size_t stop = i + 1 < niov ? first[i + 1] : n;

		r->bytes_copied += iov[i].len;
		for (j = first[i]; j < stop; j++) {
			size_t idx = refs[j].idx;

			okv[idx] = (unsigned char)iov[i].ok;
			if (iov[i].ok)
				memcpy(gbuf + idx * gs,
				       rbuf[i] + (refs[j].addr - iov[i].addr),
				       gs);
		}
		free(rbuf[i]);
	}
	r->ranges_copied += niov;
	free(rbuf);
	free(first);
	free(iov);
	free(refs);
	return 0;
}

static void decode_g(const struct gort_layout *l, const unsigned char *b,
		     uint64_t addr, struct gort_g *g)
{
	memset(g, 0, sizeof(*g));
	g->addr = addr;
	g->goid = rd64(b, l->g_goid);
	g->status = rd32(b, l->g_atomicstatus);
	g->waitreason = l->g_waitreason == GORT_NONE ? 0 : b[l->g_waitreason];
	g->waitsince = (int64_t)rd64(b, l->g_waitsince);
	g->parent_goid = rd64(b, l->g_parentgoid);
	g->gopc = rd64(b, l->g_gopc);
	g->startpc = rd64(b, l->g_startpc);
	g->lockedm = rd64(b, l->g_lockedm);
	g->m = rd64(b, l->g_m);
	g->labels = rd64(b, l->g_labels);
	g->stack_lo = rd64(b, l->g_stack_lo);
	g->stack_hi = rd64(b, l->g_stack_hi);
	g->sched_sp = rd64(b, l->g_sched_sp);
	g->sched_pc = rd64(b, l->g_sched_pc);
	g->sched_bp = rd64(b, l->g_sched_bp);
	g->sched_lr = rd64(b, l->g_sched_lr);
	g->syscallsp = rd64(b, l->g_syscallsp);
	g->syscallpc = rd64(b, l->g_syscallpc);
	g->syscallbp = rd64(b, l->g_syscallbp);
}

static int copy_ms(struct memsrc *mem, const struct gort_layout *l,
		   uint64_t bias, struct gort_registry *r)
{
	unsigned char *b;
	uint64_t mp = 0;
	size_t alloc = 0;

	if (!l->allm || !l->m_size || l->m_size > 65536 ||
	    l->m_alllink == GORT_NONE)
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
		m->id = (int64_t)rd64(b, l->m_id);
		m->procid = rd64(b, l->m_procid);
		m->curg = rd64(b, l->m_curg);
		m->g0 = rd64(b, l->m_g0);
		m->gsignal = rd64(b, l->m_gsignal);
		m->lockedg = rd64(b, l->m_lockedg);
		r->bytes_copied += l->m_size;
		mp = rd64(b, l->m_alllink);
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
	struct memsrc_iov *iov = xcalloc(r->ngs ? r->ngs : 1, sizeof(*iov));
	size_t *which = xcalloc(r->ngs ? r->ngs : 1, sizeof(*which));
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
		g->stack = xmalloc(g->copy_len);
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
			free(g->stack);
			g->stack = NULL;
			g->copy_len = 0;
			g->stack_error = 1;
		}
	}
	r->ranges_copied += n;
	free(which);
	free(iov);
}

int gort_registry_copy(struct memsrc *mem, const struct gort_layout *l,
		       uint64_t bias, const struct gort_thread *threads,
		       size_t nthreads, struct gort_registry *r,
		       struct err *e)
{
	uint64_t allglen, hdr[3], *ptrs;
	unsigned char *gbuf, *okv;
	struct timespec ts;
	size_t n, i;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!l->allgs || !l->allglen || !l->g_size || l->g_size > 65536)
		return err_set(e, EINVAL, "runtime layout is incomplete");
	ret = memsrc_read_full(mem, l->allglen + bias, &allglen,
			       sizeof(allglen), e);
	if (ret == 0)
		ret = memsrc_read_full(mem, l->allgs + bias, hdr, sizeof(hdr),
				       e);
	if (ret < 0)
		return err_prefix(e, "cannot read runtime.allgs");
	n = allglen < hdr[1] ? (size_t)allglen : (size_t)hdr[1];
	if (allglen > GORT_MAX_GS || hdr[1] > hdr[2] || hdr[2] > GORT_MAX_GS)
		return err_set(e, EINVAL,
			       "runtime.allgs looks corrupted (len %llu, cap "
			       "%llu, allglen %llu)",
			       (unsigned long long)hdr[1],
			       (unsigned long long)hdr[2],
			       (unsigned long long)allglen);
	r->nallg = n;
	ptrs = xcalloc(n ? n : 1, sizeof(*ptrs));
	ret = memsrc_read_full(mem, hdr[0], ptrs, n * sizeof(*ptrs), e);
	if (ret < 0) {
		free(ptrs);
		return err_prefix(e, "cannot read the allgs array");
	}
	r->bytes_copied += 32 + n * sizeof(*ptrs);
	gbuf = xmalloc(n * l->g_size + 1);
	okv = xcalloc(n ? n : 1, 1);
	copy_gs(mem, l, ptrs, n, gbuf, okv, r);
	copy_ms(mem, l, bias, r);
	r->gs = xcalloc(n ? n : 1, sizeof(*r->gs));
	for (i = 0; i < n; i++) {
		struct gort_g *g = &r->gs[r->ngs];
		uint32_t st;

		if (!okv[i] || !ptrs[i])
			continue;
		decode_g(l, gbuf + i * l->g_size, ptrs[i], g);
		st = gort_status(l, g);
		if ((int)st == l->st_dead || (int)st == l->st_deadextra)
			continue;
		pick_start(l, r, g, threads, nthreads);
		r->ngs++;
	}
	copy_stacks(mem, r);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	r->nanotime = (uint64_t)ts.tv_sec * 1000000000ull +
		      (uint64_t)ts.tv_nsec;
	free(okv);
	free(gbuf);
	free(ptrs);
	return 0;
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
		free(r->gs[i].stack);
	free(r->gs);
	free(r->ms);
	for (i = 0; i < r->nwaitreasons; i++)
		free(r->waitreasons[i]);
	free(r->waitreasons);
	memset(r, 0, sizeof(*r));
}
