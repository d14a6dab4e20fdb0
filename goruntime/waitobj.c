/* Reading what parked goroutines wait on: sudogs, hchans, semtable, pollDescs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "goruntime/waitobj.h"
#include "lib/compiler.h"
#include "lib/hashmap.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define MAX_STRUCT 512		/* bytes of one sudog, hchan or pollDesc */
#define MERGE_GAP 512		/* read objects this close as one range */
#define SEMTAB_SIZE 251		/* runtime.semTabSize, 1.19-1.27 */
#define TFLAG_EXTRA_STAR 2	/* abi.TFlagExtraStar */
/*
 * Where no runtime structure links a parked goroutine to what it waits
 * on (a Cond before Go 1.26; a semaphore when runtime.semtable is not
 * known), its stack does: semacquire1 keeps its sudog and address, and
 * sync.(*Cond).Wait its *Cond, live across the park, so they sit in the
 * frames right above g.sched.sp.  A word found there counts only when
 * the runtime's own structures confirm it (see stack_sema, stack_cond).
 */
#define SCAN_BYTES 1024		/* of stack above g.sched.sp */
#define SCAN_MAX_G 4096		/* goroutines searched per kind and capture */
#define SCAN_CHUNK 256		/* goroutines per batch of reads */
#define SCAN_MAX_WALK 4096	/* sudogs read one by one on notify lists */
#define NL_HEAD 16		/* runtime.notifyList: wait, notify, lock, */
#define NL_TAIL 24		/* head, tail (Go 1.19-1.27) */
#define NL_SIZE 32
#define COND_NOTIFY 16		/* sync.Cond: noCopy, L, notify, checker */
/*
 * How epoll data may hold a pollDesc: the pointer itself (Go <= 1.20),
 * or a taggedPointer (int64(data) >> tagBits << alignBits, tagBits = 64 -
 * addrBits + alignBits) whose addrBits (48, 49) and alignBits (3, 9)
 * changed between releases.  The candidate whose pd.fd is the
 * registered descriptor is the one.
 */
#define PD_CANDS 5
static const unsigned char pd_shift[PD_CANDS][2] = {
	{ 0, 0 }, { 19, 3 }, { 18, 3 }, { 25, 9 }, { 24, 9 },
};

struct gort_sudog {
	uint64_t addr, g, next, elem, waitlink, c;
	size_t wait;		/* index of the wait it gave, or SIZE_MAX */
};

/* A u64 key in a hash map, with the index it maps to. */
struct key_ent {
	struct hashmap_entry ent;
	uint64_t key;
	size_t idx;
};

/* What a wait reason name means here. */
struct reason_class {
	const char *name;
	int kind, dir;
};

/* One sudog to read: from g.waiting, a select's waitlink, or semtable. */
struct pending {
	size_t g;		/* SIZE_MAX for semtable nodes */
	int kind, dir;
	uint64_t addr;
	unsigned int depth;
};

static const struct reason_class reason_classes[] = {
	{ "chan receive", GORT_WAIT_CHAN, GORT_DIR_RECV },
	{ "chan send", GORT_WAIT_CHAN, GORT_DIR_SEND },
	{ "select", GORT_WAIT_CHAN, GORT_DIR_NONE },
	{ "chan receive (durable)", GORT_WAIT_CHAN, GORT_DIR_RECV },
	{ "chan send (durable)", GORT_WAIT_CHAN, GORT_DIR_SEND },
	{ "select (durable)", GORT_WAIT_CHAN, GORT_DIR_NONE },
	{ "chan receive (nil chan)", GORT_WAIT_NILCHAN, GORT_DIR_RECV },
	{ "chan send (nil chan)", GORT_WAIT_NILCHAN, GORT_DIR_SEND },
	{ "semacquire", GORT_WAIT_SEMA, GORT_DIR_NONE },
	{ "sync.Mutex.Lock", GORT_WAIT_SEMA, GORT_DIR_NONE },
	{ "sync.RWMutex.RLock", GORT_WAIT_SEMA, GORT_DIR_NONE },
	{ "sync.RWMutex.Lock", GORT_WAIT_SEMA, GORT_DIR_NONE },
	{ "sync.WaitGroup.Wait", GORT_WAIT_SEMA, GORT_DIR_NONE },
	{ "sync.WaitGroup.Wait (durable)", GORT_WAIT_SEMA, GORT_DIR_NONE },
	{ "sync.Cond.Wait", GORT_WAIT_COND, GORT_DIR_NONE },
	{ "IO wait", GORT_WAIT_FD, GORT_DIR_NONE },
};

static int key_cmp(const void *data, const struct hashmap_entry *a,
		   const struct hashmap_entry *b, const void *keydata);
static struct key_ent *key_find(const struct hashmap *m, uint64_t key);
static void key_add(struct hashmap *m, struct key_ent *e, uint64_t key,
		    size_t idx);
static uint64_t rd(const unsigned char *b, long off, size_t size);
static size_t add_wait(struct gort_waits *w, size_t g, int kind, int dir,
		       uint64_t addr, uint64_t sudog, int fd);
static size_t read_batch(struct memsrc *mem, struct memsrc_iov *iov,
			 size_t n);
static void read_sudogs(struct memsrc *mem, const struct gort_layout *l,
			const struct gort_registry *r, struct pending *p,
			size_t np, size_t cap, struct gort_waits *w,
			uint64_t *sema_g, uint64_t *sema_elem, size_t *nsema);
static void semtable_walk(struct memsrc *mem, const struct gort_layout *l,
			  uint64_t bias, const struct gort_registry *r,
			  struct gort_waits *w, const size_t *gs, size_t ngs);
static void read_chans(struct memsrc *mem, const struct gort_layout *l,
		       struct gort_waits *w);
static long walk_queue(struct memsrc *mem, const struct gort_layout *l,
		       const struct hashmap *sudogs, struct gort_waits *w,
		       uint64_t first, int dir, int *partial);
static void read_fds(struct memsrc *mem, const struct gort_layout *l,
		     const struct gort_registry *r, struct gort_waits *w,
		     const size_t *gs, size_t ngs);
static size_t stack_windows(struct memsrc *mem,
			    const struct gort_registry *r, const size_t *gs,
			    size_t n, unsigned char *buf);
static size_t stack_words(const struct gort_g *g, const unsigned char *win,
			  uint64_t *out);
static void stack_sema(struct memsrc *mem, const struct gort_layout *l,
		       const struct gort_registry *r, struct gort_waits *w,
		       const size_t *gs, size_t ngs);
static int cond_list(struct memsrc *mem, const struct gort_layout *l,
		     const struct hashmap *gm, uint64_t nl, size_t *budget,
		     uint64_t *found, uint64_t *sudog);
static void stack_cond(struct memsrc *mem, const struct gort_layout *l,
		       const struct gort_registry *r, struct gort_waits *w,
		       const size_t *gs, size_t ngs);
static int wait_cmp(const void *a, const void *b);
static struct pending *grow_pending(struct pending *v, size_t *alloc,
				    size_t n);

/* Room for entry n of v. */
static struct pending *grow_pending(struct pending *v, size_t *alloc,
				    size_t n)
{
	if (n < *alloc)
		return v;
	*alloc = *alloc ? *alloc * 2 : 64;
	return xreallocarray(v, *alloc, sizeof(*v));
}

static int key_cmp(const void *data, const struct hashmap_entry *a,
		   const struct hashmap_entry *b, const void *keydata)
{
	(void)data;
	(void)keydata;
	return container_of(a, struct key_ent, ent)->key !=
	       container_of(b, struct key_ent, ent)->key;
}

static struct key_ent *key_find(const struct hashmap *m, uint64_t key)
{
	struct key_ent probe;
	struct hashmap_entry *e;

	probe.key = key;
	hashmap_entry_init(&probe.ent, hash_u64(key));
	e = hashmap_get(m, &probe.ent, NULL);
	return e ? container_of(e, struct key_ent, ent) : NULL;
}

static void key_add(struct hashmap *m, struct key_ent *e, uint64_t key,
		    size_t idx)
{
	e->key = key;
	e->idx = idx;
	hashmap_entry_init(&e->ent, hash_u64(key));
	hashmap_add(m, &e->ent);
}

/* A little-endian field of size bytes at off; 0 when the field is absent. */
static uint64_t rd(const unsigned char *b, long off, size_t size)
{
	uint64_t v = 0;

	if (off < 0 || off + (long)size > MAX_STRUCT)
		return 0;
	memcpy(&v, b + off, size);
	return v;
}

static size_t add_wait(struct gort_waits *w, size_t g, int kind, int dir,
		       uint64_t addr, uint64_t sudog, int fd)
{
	struct gort_wait *x;

	if (!(w->nw & (w->nw - 1)) || !w->nw)
		w->w = xreallocarray(w->w, w->nw ? w->nw * 2 : 16,
				     sizeof(*w->w));
	x = &w->w[w->nw];
	x->g = g;
	x->kind = kind;
	x->dir = dir;
	x->addr = addr;
	x->sudog = sudog;
	x->fd = fd;
	x->chan = SIZE_MAX;
	return w->nw++;
}

/* One batch, neighbours merged: sudogs and channels sit close by. */
static size_t read_batch(struct memsrc *mem, struct memsrc_iov *iov,
			 size_t n)
{
	return memsrc_readv_merged(mem, iov, n, MERGE_GAP);
}

int gort_waits_prepare(pid_t pid, uint64_t types, struct gort_waits *w)
{
	memset(w, 0, sizeof(*w));
	w->types = types;
	return epoll_targets(pid, &w->ep, &w->nep, NULL) < 0 ? 0 : 0;
}

/*
 * Reads the sudogs in p, round after round (a select's cases follow
 * waitlink).  A sudog counts only when its g is the goroutine that
 * pointed at it.  Semaphore waits whose g.waiting is empty (before Go
 * 1.26) are left for the semtable walk.
 */
static void read_sudogs(struct memsrc *mem, const struct gort_layout *l,
			const struct gort_registry *r, struct pending *p,
			size_t np, size_t cap, struct gort_waits *w,
			uint64_t *sema_g, uint64_t *sema_elem, size_t *nsema)
{
	size_t sz = (size_t)l->sudog_size, i, nn, budget = cap, have = 0;
	size_t nalloc = 0;
	unsigned char *buf = NULL;
	struct memsrc_iov *iov = NULL;
	struct pending *next = NULL;

	/*
	 * Buffers grow with the round's size, not the bound: page faults
	 * are what a stopped capture pays for most.
	 */
	while (np) {
		if (np > have) {
			have = np;
			buf = xrealloc(buf, have * sz + MAX_STRUCT);
			iov = xreallocarray(iov, have, sizeof(*iov));
		}
		for (i = 0; i < np; i++) {
			iov[i].addr = p[i].addr;
			iov[i].buf = buf + i * sz;
			iov[i].len = sz;
		}
		read_batch(mem, iov, np);
		nn = 0;
		for (i = 0; i < np; i++) {
			const unsigned char *b = buf + i * sz;
			struct gort_sudog *s;
			uint64_t g, c, elem, kids[3];
			size_t wi;
			int k;

			if (!iov[i].ok || w->nsudogs >= GORT_MAX_SUDOGS)
				continue;
			g = rd(b, l->sudog_g, 8);
			elem = rd(b, l->sudog_elem, 8);
			c = rd(b, l->sudog_c, 8);
			if (p[i].g == SIZE_MAX) {
				/* A semtable node: its g waits on elem; then
				 * the treap children and the other waiters on
				 * the same address.  budget bounds a cycle. */
				if (g && elem && *nsema < cap) {
					sema_g[*nsema] = g;
					sema_elem[*nsema] = elem;
					(*nsema)++;
				}
				kids[0] = rd(b, l->sudog_prev, 8);
				kids[1] = rd(b, l->sudog_next, 8);
				kids[2] = rd(b, l->sudog_waitlink, 8);
				for (k = 0; k < 3; k++)
					if (kids[k] && nn < cap && budget) {
						budget--;
						next = grow_pending(next, &nalloc,
								    nn);
						next[nn] = p[i];
						next[nn++].addr = kids[k];
					}
				continue;
			}
			if (g != r->gs[p[i].g].addr)
				continue;
			if (w->nsudogs == w->asudogs) {
				w->asudogs = w->asudogs ? w->asudogs * 2 : 64;
				w->sudogs = xreallocarray(w->sudogs, w->asudogs,
							  sizeof(*w->sudogs));
			}
			s = &w->sudogs[w->nsudogs++];
			s->addr = p[i].addr;
			s->g = g;
			s->next = rd(b, l->sudog_next, 8);
			s->elem = elem;
			s->waitlink = rd(b, l->sudog_waitlink, 8);
			s->c = c;
			s->wait = SIZE_MAX;
			if (p[i].kind == GORT_WAIT_CHAN) {
				if (!c)
					continue;
				wi = add_wait(w, p[i].g, GORT_WAIT_CHAN,
					      p[i].dir, c, p[i].addr, -1);
				s->wait = wi;
				/* A select's next case. */
				if (s->waitlink && nn < cap &&
				    p[i].depth + 1 < GORT_MAX_SELECT_CASES) {
					next = grow_pending(next, &nalloc, nn);
					next[nn] = p[i];
					next[nn].addr = s->waitlink;
					next[nn++].depth++;
				}
			} else if (elem) {
				wi = add_wait(w, p[i].g, p[i].kind, p[i].dir,
					      elem, p[i].addr, -1);
				s->wait = wi;
			}
		}
		if (nn)
			memcpy(p, next, nn * sizeof(*p));
		np = nn;
	}
	free(buf);
	free(iov);
	free(next);
}

/*
 * Semaphore waits that g.waiting does not show: every sudog in
 * runtime.semtable's treaps (and the waitlink lists of each address)
 * names its g and the address (elem).  Bounded by the goroutine count.
 */
static void semtable_walk(struct memsrc *mem, const struct gort_layout *l,
			  uint64_t bias, const struct gort_registry *r,
			  struct gort_waits *w, const size_t *gs, size_t ngs)
{
	size_t stride = (size_t)l->semtab_size, i, np = 0, nsema = 0;
	size_t *left, nleft = 0;
	size_t max = r->ngs + 64;
	uint64_t *sg, *se;
	unsigned char *tab;
	struct pending *p;
	struct hashmap m;
	struct key_ent *ents;

	if (!ngs)
		return;
	tab = xmalloc(stride * SEMTAB_SIZE + 1);
	if (!l->semtable || l->semtab_size <= 0 || l->semtab_treap < 0 ||
	    stride > 4096 || (size_t)l->semtab_treap + 8 > stride ||
	    memsrc_read_full(mem, l->semtable + bias, tab,
			     stride * SEMTAB_SIZE, NULL) < 0) {
		/* No semtable (a stripped binary): from the stacks. */
		stack_sema(mem, l, r, w, gs, ngs);
		free(tab);
		return;
	}
	/* Untouched pages of these bounds cost nothing (xmalloc). */
	p = xreallocarray(NULL, max + SEMTAB_SIZE, sizeof(*p));
	for (i = 0; i < SEMTAB_SIZE; i++) {
		uint64_t t;

		memcpy(&t, tab + i * stride + l->semtab_treap, 8);
		if (!t)
			continue;
		p[np].g = SIZE_MAX;
		p[np].kind = p[np].dir = 0;
		p[np].addr = t;
		p[np++].depth = 0;
	}
	free(tab);
	sg = xreallocarray(NULL, max + SEMTAB_SIZE, sizeof(*sg));
	se = xreallocarray(NULL, max + SEMTAB_SIZE, sizeof(*se));
	read_sudogs(mem, l, r, p, np, max + SEMTAB_SIZE, w, sg, se, &nsema);
	free(p);
	ents = xcalloc(ngs + 1, sizeof(*ents));
	hashmap_init(&m, key_cmp, NULL, ngs);
	for (i = 0; i < ngs; i++)
		key_add(&m, &ents[i], r->gs[gs[i]].addr, gs[i]);
	for (i = 0; i < nsema; i++) {
		struct key_ent *k = key_find(&m, sg[i]);
		size_t g;

		if (!k || k->idx == SIZE_MAX)
			continue;
		g = k->idx;
		k->idx = SIZE_MAX;	/* one wait per goroutine */
		add_wait(w, g, GORT_WAIT_SEMA, GORT_DIR_NONE, se[i], 0, -1);
	}
	/* Not found in the treaps: still a semaphore wait; its stack may
	 * say which. */
	left = xcalloc(ngs + 1, sizeof(*left));
	for (i = 0; i < ngs; i++)
		if (ents[i].idx != SIZE_MAX)
			left[nleft++] = gs[i];
	stack_sema(mem, l, r, w, left, nleft);
	free(left);
	hashmap_release(&m);
	free(ents);
	free(sg);
	free(se);
}

/* Each hchan once, then the length of its wait queues. */
static void read_chans(struct memsrc *mem, const struct gort_layout *l,
		       struct gort_waits *w)
{
	struct hashmap cm, sm;
	struct key_ent *cents, *sents;
	struct memsrc_iov *iov;
	unsigned char *buf;
	size_t i, n = 0, sz = (size_t)l->hchan_size;

	cents = xcalloc(w->nw + 1, sizeof(*cents));
	hashmap_init(&cm, key_cmp, NULL, w->nw);
	for (i = 0; i < w->nw; i++) {
		struct key_ent *k;

		if (w->w[i].kind != GORT_WAIT_CHAN)
			continue;
		k = key_find(&cm, w->w[i].addr);
		if (k) {
			w->w[i].chan = k->idx;
			continue;
		}
		key_add(&cm, &cents[n], w->w[i].addr, n);
		w->w[i].chan = n++;
	}
	w->chans = xcalloc(n + 1, sizeof(*w->chans));
	w->nchans = n;
	buf = xmalloc(n * sz + MAX_STRUCT);
	iov = xcalloc(n + 1, sizeof(*iov));
	for (i = 0; i < w->nw; i++)
		if (w->w[i].chan != SIZE_MAX)
			w->chans[w->w[i].chan].addr = w->w[i].addr;
	for (i = 0; i < n; i++) {
		iov[i].addr = w->chans[i].addr;
		iov[i].buf = buf + i * sz;
		iov[i].len = sz;
	}
	read_batch(mem, iov, n);
	sents = xcalloc(w->nsudogs + 1, sizeof(*sents));
	hashmap_init(&sm, key_cmp, NULL, w->nsudogs);
	for (i = 0; i < w->nsudogs; i++)
		if (w->sudogs[i].wait != SIZE_MAX)
			key_add(&sm, &sents[i], w->sudogs[i].addr, i);
	for (i = 0; i < n; i++) {
		struct gort_chan *c = &w->chans[i];
		const unsigned char *b = buf + i * sz;

		c->nrecv = c->nsend = -1;
		if (!iov[i].ok)
			continue;
		c->qcount = rd(b, l->hchan_qcount, 8);
		c->dataqsiz = rd(b, l->hchan_dataqsiz, 8);
		c->closed = (uint32_t)rd(b, l->hchan_closed, 4);
		c->elemtype = rd(b, l->hchan_elemtype, 8);
		c->recvq = rd(b, l->hchan_recvq, 8);
		c->sendq = rd(b, l->hchan_sendq, 8);
		c->nrecv = walk_queue(mem, l, &sm, w, c->recvq, GORT_DIR_RECV,
				      &c->partial);
		c->nsend = walk_queue(mem, l, &sm, w, c->sendq, GORT_DIR_SEND,
				      &c->partial);
	}
	hashmap_release(&sm);
	hashmap_release(&cm);
	free(sents);
	free(cents);
	free(buf);
	free(iov);
}

/*
 * Counts the sudogs of one wait queue, following next through the
 * copied sudogs (and reading those not copied, within a global bound),
 * and gives each waiter found its direction.
 */
static long walk_queue(struct memsrc *mem, const struct gort_layout *l,
		       const struct hashmap *sudogs, struct gort_waits *w,
		       uint64_t first, int dir, int *partial)
{
	uint64_t p = first, max = w->nsudogs + GORT_MAX_WALK_READS;
	long n = 0;

	while (p) {
		struct key_ent *k = key_find(sudogs, p);

		if ((uint64_t)n >= max) {
			*partial = 1;
			break;
		}
		n++;
		if (k) {
			struct gort_sudog *s = &w->sudogs[k->idx];

			w->w[s->wait].dir = dir;
			p = s->next;
			continue;
		}
		if (w->reads >= GORT_MAX_WALK_READS ||
		    memsrc_read_full(mem, p + (uint64_t)l->sudog_next, &p, 8,
				     NULL) < 0) {
			*partial = 1;
			break;
		}
		w->reads++;
	}
	return n;
}

/*
 * IO waits: each epoll registration's data is its pollDesc (a tagged
 * pointer since Go 1.21); the one whose fd matches the registration is
 * it, and its rg/wg hold the goroutine parked on reading/writing.
 */
static void read_fds(struct memsrc *mem, const struct gort_layout *l,
		     const struct gort_registry *r, struct gort_waits *w,
		     const size_t *gs, size_t ngs)
{
	struct memsrc_iov *iov;
	unsigned char *buf;
	struct hashmap m;
	struct key_ent *ents;
	size_t i, n = w->nep * PD_CANDS;
	long sz = l->polldesc_fd;

	if (l->polldesc_rg > sz)
		sz = l->polldesc_rg;
	if (l->polldesc_wg > sz)
		sz = l->polldesc_wg;
	sz += 8;
	ents = xcalloc(ngs + 1, sizeof(*ents));
	hashmap_init(&m, key_cmp, NULL, ngs);
	for (i = 0; i < ngs; i++)
		key_add(&m, &ents[i], r->gs[gs[i]].addr, gs[i]);
	buf = xmalloc(n * MAX_STRUCT + 1);
	iov = xcalloc(n + 1, sizeof(*iov));
	if (l->polldesc_fd >= 0 && l->polldesc_rg >= 0 &&
	    l->polldesc_wg >= 0 && sz <= MAX_STRUCT) {
		for (i = 0; i < n; i++) {
			int64_t d = (int64_t)w->ep[i / PD_CANDS].data;
			const unsigned char *sh = pd_shift[i % PD_CANDS];

			iov[i].addr = (uint64_t)(d >> sh[0]) << sh[1];
			iov[i].buf = buf + i * MAX_STRUCT;
			iov[i].len = (size_t)sz;
		}
		read_batch(mem, iov, n);
	}
	for (i = 0; i < n && sz <= MAX_STRUCT; i++) {
		const unsigned char *b = iov[i].buf;
		int tfd = w->ep[i / PD_CANDS].tfd;
		struct key_ent *k;
		uint64_t rg, wg;

		if (!iov[i].ok || !iov[i].addr ||
		    rd(b, l->polldesc_fd, 8) != (uint64_t)tfd)
			continue;
		rg = rd(b, l->polldesc_rg, 8);
		wg = rd(b, l->polldesc_wg, 8);
		if (rg > 2 && (k = key_find(&m, rg)) && k->idx != SIZE_MAX) {
			add_wait(w, k->idx, GORT_WAIT_FD, GORT_DIR_RECV, 0, 0,
				 tfd);
			k->idx = SIZE_MAX;
		}
		if (wg > 2 && (k = key_find(&m, wg)) && k->idx != SIZE_MAX) {
			add_wait(w, k->idx, GORT_WAIT_FD, GORT_DIR_SEND, 0, 0,
				 tfd);
			k->idx = SIZE_MAX;
		}
		i += PD_CANDS - 1 - i % PD_CANDS;	/* next registration */
	}
	hashmap_release(&m);
	free(ents);
	free(buf);
	free(iov);
}

int gort_waits_copy(struct memsrc *mem, const struct gort_layout *l,
		    uint64_t bias, const struct gort_registry *r,
		    char *const *reasons, size_t nreasons,
		    struct gort_waits *w)
{
	int *cls = NULL;
	size_t i, j, np = 0, nsema = 0, nfd = 0, ncond = 0;
	size_t *sema_gs, *fd_gs, *cond_gs;
	struct pending *p;

	if (!r->ngs || l->g_waiting < 0 || l->sudog_size <= 0 ||
	    l->sudog_size > MAX_STRUCT || l->hchan_size <= 0 ||
	    l->hchan_size > MAX_STRUCT || nreasons > 1024)
		return 0;
	cls = xcalloc(nreasons + 1, sizeof(*cls));
	for (i = 0; i < nreasons; i++)
		for (j = 0; reasons && reasons[i] &&
			    j < ARRAY_SIZE(reason_classes); j++)
			if (!strcmp(reasons[i], reason_classes[j].name))
				cls[i] = (int)j + 1;
	p = xreallocarray(NULL, r->ngs + 1, sizeof(*p));
	sema_gs = xreallocarray(NULL, r->ngs + 1, sizeof(*sema_gs));
	cond_gs = xreallocarray(NULL, r->ngs + 1, sizeof(*cond_gs));
	fd_gs = xreallocarray(NULL, r->ngs + 1, sizeof(*fd_gs));
	for (i = 0; i < r->ngs; i++) {
		const struct gort_g *g = &r->gs[i];
		uint32_t st = gort_status(l, g);
		const struct reason_class *c;

		if (((int)st != l->st_waiting && (int)st != l->st_leaked) ||
		    g->waitreason >= nreasons || !cls[g->waitreason])
			continue;
		c = &reason_classes[cls[g->waitreason] - 1];
		if (c->kind == GORT_WAIT_NILCHAN)
			add_wait(w, i, c->kind, c->dir, 0, 0, -1);
		else if (c->kind == GORT_WAIT_FD)
			fd_gs[nfd++] = i;
		else {
			p[np].g = i;
			p[np].kind = c->kind;
			p[np].dir = c->dir;
			p[np].depth = 0;
			/* g.waiting, from the copy of its g struct. */
			p[np++].addr = g->waiting;
		}
	}
	for (i = j = 0; i < np; i++) {
		if (p[i].addr) {
			p[j++] = p[i];
		} else if (p[i].kind == GORT_WAIT_SEMA) {
			sema_gs[nsema++] = p[i].g;
		} else if (p[i].kind == GORT_WAIT_COND) {
			cond_gs[ncond++] = p[i].g;
		}
	}
	read_sudogs(mem, l, r, p, j, j, w, NULL, NULL, NULL);
	semtable_walk(mem, l, bias, r, w, sema_gs, nsema);
	stack_cond(mem, l, r, w, cond_gs, ncond);
	read_fds(mem, l, r, w, fd_gs, nfd);
	read_chans(mem, l, w);
	if (w->nw)
		qsort(w->w, w->nw, sizeof(*w->w), wait_cmp);
	free(p);
	free(sema_gs);
	free(cond_gs);
	free(fd_gs);
	free(cls);
	return 0;
}

/*
 * Reads SCAN_BYTES of the stack above g.sched.sp of each goroutine
 * gs[0..n) into buf (n windows; what is past the stack's top or could
 * not be read is zero).  Returns the number of windows read.
 */
static size_t stack_windows(struct memsrc *mem,
			    const struct gort_registry *r, const size_t *gs,
			    size_t n, unsigned char *buf)
{
	struct memsrc_iov *iov = xcalloc(n + 1, sizeof(*iov));
	size_t i, ok;

	memset(buf, 0, n * SCAN_BYTES);
	for (i = 0; i < n; i++) {
		const struct gort_g *g = &r->gs[gs[i]];
		uint64_t sp = g->sched_sp, len = 0;

		if (sp && sp < g->stack_hi && sp >= g->stack_lo)
			len = g->stack_hi - sp;
		iov[i].addr = sp;
		iov[i].buf = buf + i * SCAN_BYTES;
		iov[i].len = len < SCAN_BYTES ? (size_t)len : SCAN_BYTES;
	}
	ok = read_batch(mem, iov, n);
	for (i = 0; i < n; i++)
		if (!iov[i].ok)
			memset(buf + i * SCAN_BYTES, 0, SCAN_BYTES);
	free(iov);
	return ok;
}

/*
 * The distinct words of g's window that may point at a heap or data
 * object (8-aligned, not into its own stack), in order, into out (room
 * for SCAN_BYTES / 8).  Returns their number.
 */
static size_t stack_words(const struct gort_g *g, const unsigned char *win,
			  uint64_t *out)
{
	size_t i, j, n = 0;

	for (i = 0; i < SCAN_BYTES / 8; i++) {
		uint64_t v;

		memcpy(&v, win + i * 8, 8);
		if (v < 4096 || (v & 7) || v >= (1ull << 48) ||
		    (v >= g->stack_lo && v < g->stack_hi))
			continue;
		for (j = 0; j < n && out[j] != v; j++)
			;
		if (j == n)
			out[n++] = v;
	}
	return n;
}

/*
 * Semaphore waits whose address no semtable gave: a word of the stack
 * that points at a sudog whose g is this goroutine, with an address
 * (elem) and no channel, is the sudog semacquire1 queued (a released
 * sudog has no g and no elem; a goroutine parked on a semaphore holds
 * no other).  Its elem is the semaphore.  Goroutines past SCAN_MAX_G,
 * or without such a word, keep address 0 (unknown).
 */
static void stack_sema(struct memsrc *mem, const struct gort_layout *l,
		       const struct gort_registry *r, struct gort_waits *w,
		       const size_t *gs, size_t ngs)
{
	size_t sz = (size_t)l->sudog_size, per = SCAN_BYTES / 8, c, i, k;
	size_t most = SCAN_CHUNK * per;
	unsigned char *win = xmalloc(SCAN_CHUNK * SCAN_BYTES);
	uint64_t *words = xcalloc(most, sizeof(*words));
	size_t *nwords = xcalloc(SCAN_CHUNK, sizeof(*nwords));
	size_t *slot = xcalloc(most, sizeof(*slot));
	unsigned char *sud = xmalloc(most * sz + MAX_STRUCT);
	struct memsrc_iov *iov = xcalloc(most, sizeof(*iov));
	struct key_ent *ents = xcalloc(most, sizeof(*ents));
	struct hashmap uniq;

	for (c = 0; c < ngs; c += SCAN_CHUNK) {
		size_t n = ngs - c < SCAN_CHUNK ? ngs - c : SCAN_CHUNK, nu = 0;

		if (c >= SCAN_MAX_G) {
			for (i = 0; i < n; i++)
				add_wait(w, gs[c + i], GORT_WAIT_SEMA,
					 GORT_DIR_NONE, 0, 0, -1);
			continue;
		}
		stack_windows(mem, r, gs + c, n, win);
		/* Each distinct word once: return addresses and the like
		 * are the same in every stack parked alike. */
		hashmap_init(&uniq, key_cmp, NULL, 0);
		for (i = 0; i < n; i++) {
			nwords[i] = stack_words(&r->gs[gs[c + i]],
						win + i * SCAN_BYTES,
						words + i * per);
			for (k = 0; k < nwords[i]; k++) {
				uint64_t v = words[i * per + k];
				struct key_ent *e = key_find(&uniq, v);

				if (e) {
					slot[i * per + k] = e->idx;
					continue;
				}
				key_add(&uniq, &ents[nu], v, nu);
				iov[nu].addr = v;
				iov[nu].buf = sud + nu * sz;
				iov[nu].len = sz;
				slot[i * per + k] = nu++;
			}
		}
		hashmap_release(&uniq);
		read_batch(mem, iov, nu);
		w->reads += nu;
		for (i = 0; i < n; i++) {
			uint64_t addr = 0, at = 0;

			for (k = 0; k < nwords[i] && !addr; k++) {
				size_t j = slot[i * per + k];
				const unsigned char *b = sud + j * sz;

				if (!iov[j].ok ||
				    rd(b, l->sudog_g, 8) != r->gs[gs[c + i]].addr ||
				    !rd(b, l->sudog_elem, 8) ||
				    rd(b, l->sudog_c, 8))
					continue;
				addr = rd(b, l->sudog_elem, 8);
				at = iov[j].addr;
			}
			add_wait(w, gs[c + i], GORT_WAIT_SEMA, GORT_DIR_NONE,
				 addr, at, -1);
		}
	}
	free(win);
	free(words);
	free(nwords);
	free(slot);
	free(sud);
	free(iov);
	free(ents);
}

/*
 * Walks the notifyList at nl when it is one: its sudogs, from head by
 * next, must each belong to a goroutine of gm (Cond waiters whose
 * address is still unknown), the last must be its tail, and there are
 * no more of them than tickets given out and not notified (wait -
 * notify).  Then found[idx] of each of those goroutines (by gm's index)
 * becomes nl and sudog[idx] its sudog.  *budget bounds the sudogs read
 * one by one over all walks (the pause): when it runs out, the sudogs
 * walked so far count and the others stay unknown.  Returns 1 when nl
 * was such a list.
 */
static int cond_list(struct memsrc *mem, const struct gort_layout *l,
		     const struct hashmap *gm, uint64_t nl, size_t *budget,
		     uint64_t *found, uint64_t *sudog)
{
	unsigned char hdr[NL_SIZE], b[MAX_STRUCT];
	size_t sz = (size_t)l->sudog_size, n = 0, i;
	uint64_t at, last = 0, tail;
	uint32_t waits, notified;
	struct { size_t idx; uint64_t at; } *mem_of = NULL;
	size_t alloc = 0;

	if (memsrc_read_full(mem, nl, hdr, sizeof(hdr), NULL) < 0)
		return 0;
	memcpy(&waits, hdr, 4);
	memcpy(&notified, hdr + 4, 4);
	memcpy(&at, hdr + NL_HEAD, 8);
	memcpy(&tail, hdr + NL_TAIL, 8);
	if (!at || !tail)
		return 0;
	while (at && *budget) {
		struct key_ent *k;

		(*budget)--;
		if (memsrc_read_full(mem, at, b, sz, NULL) < 0)
			break;
		k = key_find(gm, rd(b, l->sudog_g, 8));
		if (!k)
			break;
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			mem_of = xreallocarray(mem_of, alloc,
					       sizeof(*mem_of));
		}
		mem_of[n].idx = k->idx;
		mem_of[n++].at = at;
		last = at;
		at = rd(b, l->sudog_next, 8);
	}
	/* At the budget's end the sudogs walked so far still count. */
	if ((at && *budget) || !n || (!at && last != tail) ||
	    n > (uint32_t)(waits - notified)) {
		free(mem_of);
		return 0;
	}
	for (i = 0; i < n; i++)
		if (!found[mem_of[i].idx]) {
			found[mem_of[i].idx] = nl;
			sudog[mem_of[i].idx] = mem_of[i].at;
		}
	free(mem_of);
	return 1;
}

/*
 * Cond waits that g.waiting does not show (before Go 1.26): Cond.Wait
 * keeps c (and may keep &c.notify) on the stack across the park; a word
 * W there for which W + 16 (or W) is a notifyList holding this
 * goroutine's sudog (cond_list) is its Cond.  Each candidate list is
 * walked once.  Goroutines past SCAN_MAX_G, or not found, keep address
 * 0 (unknown), with why_cond saying so.
 */
static void stack_cond(struct memsrc *mem, const struct gort_layout *l,
		       const struct gort_registry *r, struct gort_waits *w,
		       const size_t *gs, size_t ngs)
{
	size_t n = ngs < SCAN_MAX_G ? ngs : SCAN_MAX_G;
	size_t budget = SCAN_MAX_WALK, c, i, k, j, unknown = 0;
	unsigned char *win;
	uint64_t *found, *sud, words[SCAN_BYTES / 8];
	struct key_ent *ents;
	struct hashmap gm, seen;

	if (!ngs)
		return;
	found = xcalloc(ngs, sizeof(*found));
	sud = xcalloc(ngs, sizeof(*sud));
	ents = xcalloc(ngs, sizeof(*ents));
	hashmap_init(&gm, key_cmp, NULL, ngs);
	hashmap_init(&seen, key_cmp, NULL, 0);
	for (i = 0; i < ngs; i++)
		if (!key_find(&gm, r->gs[gs[i]].addr))
			key_add(&gm, &ents[i], r->gs[gs[i]].addr, i);
	win = xmalloc(SCAN_CHUNK * SCAN_BYTES);
	for (c = 0; c < n; c += SCAN_CHUNK) {
		size_t m = n - c < SCAN_CHUNK ? n - c : SCAN_CHUNK;

		stack_windows(mem, r, gs + c, m, win);
		for (i = 0; i < m; i++) {
			size_t nw;

			if (found[c + i])
				continue;
			nw = stack_words(&r->gs[gs[c + i]],
					 win + i * SCAN_BYTES, words);
			for (k = 0; k < nw && !found[c + i]; k++) {
				for (j = 0; j < 2 && !found[c + i]; j++) {
					uint64_t nl = words[k] +
						      (j ? 0 : COND_NOTIFY);
					struct key_ent *e;

					if (key_find(&seen, nl))
						continue;
					e = xcalloc(1, sizeof(*e));
					key_add(&seen, e, nl, 0);
					w->reads++;
					cond_list(mem, l, &gm, nl, &budget,
						  found, sud);
				}
			}
		}
	}
	for (i = 0; i < ngs; i++) {
		add_wait(w, gs[i], GORT_WAIT_COND, GORT_DIR_NONE, found[i],
			 sud[i], -1);
		unknown += !found[i];
	}
	if (unknown)
		w->why_cond = "the stack of a sync.Cond waiter did not lead "
			      "to its Cond (before go1.26 no runtime "
			      "structure does)";
	hashmap_release_free(&seen);
	hashmap_release(&gm);
	free(win);
	free(ents);
	free(found);
	free(sud);
}

static int wait_cmp(const void *a, const void *b)
{
	const struct gort_wait *x = a, *y = b;

	if (x->g != y->g)
		return x->g < y->g ? -1 : 1;
	return (x->addr > y->addr) - (x->addr < y->addr);
}

const struct gort_wait *gort_waits_of(const struct gort_waits *w, size_t g,
				      size_t *n)
{
	size_t lo = 0, hi = w->nw, k;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->w[mid].g < g)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = lo; k < w->nw && w->w[k].g == g; k++)
		;
	*n = k - lo;
	return *n ? &w->w[lo] : NULL;
}

char *gort_type_name(struct memsrc *mem, const struct gort_layout *l,
		     uint64_t types, uint64_t typ)
{
	unsigned char t[64], h[4];
	uint64_t len = 0, addr;
	int32_t off;
	uint8_t tflag;
	unsigned int shift = 0;
	size_t i, k;
	char *s;

	if (!typ || !types || l->type_str < 0 || l->type_tflag < 0 ||
	    l->type_str + 4 > (long)sizeof(t) ||
	    l->type_tflag >= (long)sizeof(t) ||
	    memsrc_read_full(mem, typ, t, sizeof(t), NULL) < 0)
		return NULL;
	memcpy(&off, t + l->type_str, 4);
	tflag = t[l->type_tflag];
	if (off <= 0)
		return NULL;
	addr = types + (uint64_t)off;
	/* abi.Name: a flags byte, a uvarint length, the bytes. */
	if (memsrc_read_full(mem, addr, h, sizeof(h), NULL) < 0)
		return NULL;
	/* Names are at most GORT_MAX_TYPE_NAME: two varint bytes. */
	for (i = 1; i < 3; i++) {
		len |= (uint64_t)(h[i] & 0x7f) << shift;
		shift += 7;
		if (!(h[i] & 0x80))
			break;
	}
	if (i == 3 || !len || len > GORT_MAX_TYPE_NAME)
		return NULL;
	s = xmalloc((size_t)len + 1);
	if (memsrc_read_full(mem, addr + i + 1, s, (size_t)len, NULL) < 0) {
		free(s);
		return NULL;
	}
	s[len] = '\0';
	for (k = 0; k < len; k++)
		if ((unsigned char)s[k] < 0x20 || s[k] == 0x7f) {
			free(s);
			return NULL;
		}
	if ((tflag & TFLAG_EXTRA_STAR) && s[0] == '*')
		memmove(s, s + 1, (size_t)len);
	return s;
}

void gort_waits_decode(struct memsrc *mem, const struct gort_layout *l,
		       struct gort_waits *w)
{
	struct hashmap m;
	struct key_ent *ents = xcalloc(w->nchans + 1, sizeof(*ents));
	size_t i;

	hashmap_init(&m, key_cmp, NULL, w->nchans);
	for (i = 0; i < w->nchans; i++) {
		struct gort_chan *c = &w->chans[i];
		struct key_ent *k = key_find(&m, c->elemtype);

		if (!c->elemtype)
			continue;
		if (k) {
			c->elem = w->chans[k->idx].elem
					  ? xstrdup(w->chans[k->idx].elem)
					  : NULL;
			continue;
		}
		c->elem = gort_type_name(mem, l, w->types, c->elemtype);
		key_add(&m, &ents[i], c->elemtype, i);
	}
	hashmap_release(&m);
	free(ents);
}

void gort_waits_release(struct gort_waits *w)
{
	size_t i;

	for (i = 0; i < w->nchans; i++)
		free(w->chans[i].elem);
	free(w->chans);
	free(w->w);
	free(w->sudogs);
	free(w->ep);
	memset(w, 0, sizeof(*w));
}
