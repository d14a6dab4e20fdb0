/* Grouping of a snapshot's goroutines by signature hash, in linear time. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "goruntime/traceback.h"
#include "snapshot/frames.h"
#include "snapshot/group.h"
#include "snapshot/rules.h"
#include "lib/xmalloc.h"
#include "lib/jstr.h"
#include "lib/banned.h"

#define SEED 0x676f73636f706531ull	/* "goscope1" */
/* Mixed into the state key of goroutines Go 1.26+ marked leaked. */
#define LEAKED_KEY 0x6c65616b6564ull	/* "leaked" */
#define ANY_STATE_KEY 0x616e79737461ull	/* "anysta": states merged */

/* Pointer-keyed memo of string hashes (strings are interned per snap). */
struct memo {
	const char **key;
	uint64_t *val;
	size_t nslots, n;
	int funcs;		/* normalize as function names */
};

struct ctx {
	enum group_level level;
	unsigned int flags;	/* enum group_flags */
	struct memo funcs, files;
	struct strbuf tmp;
};

struct table {
	size_t *slots;		/* group index + 1; 0 empty */
	uint64_t *sigs;
	size_t nslots;
};

/*
 * Goroutines with identical frames (same interned strings, PCs, lines)
 * share a signature: it is computed once per distinct stack, found
 * again by a cheap hash of the raw frames.
 */
struct seen {
	const struct snap_goroutine *rep;
	uint64_t raw;		/* raw_hash of rep */
	size_t group;		/* its group */
};

struct seen_tab {
	struct seen *v;
	size_t nslots, n;
};

static uint64_t mix(uint64_t h, uint64_t v);
static uint64_t fin(uint64_t h);
static uint64_t str_hash(const char *s, size_t n);
static void memo_init(struct memo *m, int funcs);
static void memo_release(struct memo *m);
static uint64_t memo_get(struct ctx *c, struct memo *m, const char *s);
static uint64_t frame_key(struct ctx *c, const struct snap_frame *f);
static size_t signature(struct ctx *c, const struct snap_goroutine *g,
			size_t *idx, uint64_t *keys, uint64_t *sig);
static uint64_t raw_hash(const struct snap_goroutine *g);
static int raw_equal(const struct snap_goroutine *a,
		     const struct snap_goroutine *b);
static void select_nth(int64_t *v, size_t n, size_t k);
static size_t pkg_len(const char *func);
static void group_stats(struct grouping *gr, const struct snap *s);
static void group_facts(struct grouping *gr, const struct snap *s);
static int cmp_count(const void *a, const void *b);
static int cmp_wait(const void *a, const void *b);
static void fmt_frame_text(const struct snap_frame *f, enum group_level lv,
			   struct strbuf *out);
static json_t *frame_obj(const struct snap_frame *f);

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

/* splitmix64's finalizer. */
static uint64_t fin(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

static uint64_t str_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return fin(h ^ n);
}

static void memo_init(struct memo *m, int funcs)
{
	memset(m, 0, sizeof(*m));
	m->nslots = 256;
	m->key = xcalloc(m->nslots, sizeof(*m->key));
	m->val = xcalloc(m->nslots, sizeof(*m->val));
	m->funcs = funcs;
}

static void memo_release(struct memo *m)
{
	free(m->key);
	free(m->val);
}

/* The content hash of s, function names as the runtime prints them. */
static uint64_t memo_get(struct ctx *c, struct memo *m, const char *s)
{
	size_t i;
	uint64_t h;

	if (!s)
		return 0x6e756c6cull;
	i = (size_t)(fin((uintptr_t)s) % m->nslots);
	while (m->key[i]) {
		if (m->key[i] == s)
			return m->val[i];
		i = (i + 1) % m->nslots;
	}
	if (m->funcs && strcmp(s, "runtime.gopanic")) {
		strbuf_reset(&c->tmp);
		gort_print_func_name(&c->tmp, s);
		h = str_hash(c->tmp.buf, c->tmp.len);
	} else {
		h = str_hash(s, strlen(s));
	}
	if ((m->n + 1) * 2 > m->nslots) {
		struct memo big;
		size_t k;

		big.nslots = m->nslots * 2;
		big.key = xcalloc(big.nslots, sizeof(*big.key));
		big.val = xcalloc(big.nslots, sizeof(*big.val));
		for (k = 0; k < m->nslots; k++) {
			size_t j;

			if (!m->key[k])
				continue;
			j = (size_t)(fin((uintptr_t)m->key[k]) % big.nslots);
			while (big.key[j])
				j = (j + 1) % big.nslots;
			big.key[j] = m->key[k];
			big.val[j] = m->val[k];
		}
		memo_release(m);
		m->key = big.key;
		m->val = big.val;
		m->nslots = big.nslots;
		i = (size_t)(fin((uintptr_t)s) % m->nslots);
		while (m->key[i])
			i = (i + 1) % m->nslots;
	}
	m->key[i] = s;
	m->val[i] = h;
	m->n++;
	return h;
}

static uint64_t frame_key(struct ctx *c, const struct snap_frame *f)
{
	uint64_t k = memo_get(c, &c->funcs, f->func);

	if (c->level == GROUP_FUNCTIONS)
		return k;
	k = mix(k, memo_get(c, &c->files, f->file));
	k = mix(k, (uint64_t)(int64_t)f->line);
	/* Offsets only for physical frames: a text dump prints none for
	 * inlined ones, and the offset of a PIE does not move. */
	if (c->level == GROUP_EXACT && !f->inlined)
		k = mix(k, f->pc - f->entry);
	return k;
}

size_t group_shown_frames(const struct snap_goroutine *g, size_t *idx)
{
	size_t n = frames_shown(g, 0, 0, idx);

	if (n > 2 * GROUP_EDGE_FRAMES ||
	    (g->frames_elided && n > GROUP_EDGE_FRAMES)) {
		size_t half = GROUP_EDGE_FRAMES;

		if (n < 2 * half)
			half = n / 2;
		memmove(idx + half, idx + n - half, half * sizeof(*idx));
		n = 2 * half;
	}
	return n;
}

int group_creator_shown(const struct snap_goroutine *g)
{
	return g->has_creator && g->goid != 1 && g->creator.func &&
	       !gort_frame_hidden(g->creator.func, 0);
}

/*
 * Fills keys with the per-frame keys of g (state first, creator last)
 * and *sig with their hash; returns the number of keys.
 */
static size_t signature(struct ctx *c, const struct snap_goroutine *g,
			size_t *idx, uint64_t *keys, uint64_t *sig)
{
	size_t n = group_shown_frames(g, idx), i, k = 0;
	uint64_t h = mix(SEED, (uint64_t)c->level);

	if (c->flags & GROUP_ANY_STATE)
		keys[k++] = ANY_STATE_KEY;
	else
		keys[k++] = (g->status_str ? str_hash(g->status_str,
						      strlen(g->status_str))
					   : 0) ^
			    (g->status == SNAP_LEAKED ? LEAKED_KEY : 0);
	for (i = 0; i < n; i++)
		keys[k++] = frame_key(c, &g->frames[idx[i]]);
	keys[k++] = group_creator_shown(g) ? frame_key(c, &g->creator)
					   : 0x6e6f6e65ull;
	for (i = 0; i < k; i++)
		h = mix(h, keys[i]);
	*sig = fin(mix(h, k));
	return k;
}

static uint64_t raw_hash(const struct snap_goroutine *g)
{
	uint64_t h = mix(SEED, g->nframes);
	size_t i;

	h = mix(h, (uintptr_t)g->status_str);
	h = mix(h, (uint64_t)(g->goid == 1) | (uint64_t)g->has_creator << 1 |
		   (uint64_t)(g->status == SNAP_LEAKED) << 2);
	if (g->has_creator) {
		h = mix(h, (uintptr_t)g->creator.func);
		h = mix(h, g->creator.pc);
	}
	for (i = 0; i < g->nframes; i++) {
		h = mix(h, (uintptr_t)g->frames[i].func);
		h = mix(h, g->frames[i].pc ^ (uint64_t)g->frames[i].line << 40);
	}
	return h;
}

static int raw_equal(const struct snap_goroutine *a,
		     const struct snap_goroutine *b)
{
	size_t i;

	if (a->nframes != b->nframes || a->status_str != b->status_str ||
	    (a->status == SNAP_LEAKED) != (b->status == SNAP_LEAKED) ||
	    (a->goid == 1) != (b->goid == 1) ||
	    a->has_creator != b->has_creator)
		return 0;
	if (a->has_creator &&
	    (a->creator.func != b->creator.func ||
	     a->creator.file != b->creator.file ||
	     a->creator.line != b->creator.line ||
	     a->creator.pc != b->creator.pc ||
	     a->creator.entry != b->creator.entry))
		return 0;
	for (i = 0; i < a->nframes; i++) {
		const struct snap_frame *x = &a->frames[i], *y = &b->frames[i];

		if (x->func != y->func || x->file != y->file ||
		    x->line != y->line || x->pc != y->pc ||
		    x->entry != y->entry || x->inlined != y->inlined ||
		    x->flags != y->flags)
			return 0;
	}
	return 1;
}

/* Partial sort: v[k] becomes what it would be in sorted order. */
static void select_nth(int64_t *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2, i, store;
		int64_t pivot, t;

		/* median of three as the pivot, moved to the end */
		if (v[mid] < v[lo]) {
			t = v[mid]; v[mid] = v[lo]; v[lo] = t;
		}
		if (v[hi - 1] < v[lo]) {
			t = v[hi - 1]; v[hi - 1] = v[lo]; v[lo] = t;
		}
		if (v[mid] < v[hi - 1]) {
			t = v[mid]; v[mid] = v[hi - 1]; v[hi - 1] = t;
		}
		pivot = v[hi - 1];
		/* three-way partition: < pivot, == pivot, > pivot */
		store = lo;
		for (i = lo; i < hi - 1; i++)
			if (v[i] < pivot) {
				t = v[i]; v[i] = v[store]; v[store] = t;
				store++;
			}
		{
			size_t eq = store;

			for (i = store; i < hi; i++)
				if (v[i] == pivot) {
					t = v[i]; v[i] = v[eq]; v[eq] = t;
					eq++;
				}
			if (k < store)
				hi = store;
			else if (k < eq)
				return;
			else
				lo = eq;
		}
	}
}

/* Length of the package path of a function symbol name. */
static size_t pkg_len(const char *func)
{
	size_t n = strcspn(func, "["), i, slash = 0;

	for (i = 0; i < n; i++)
		if (func[i] == '/')
			slash = i + 1;
	for (i = slash; i < n; i++)
		if (func[i] == '.')
			return i;
	return n;
}

int group_func_is_stdlib(const char *func)
{
	size_t n, first;

	if (!func || !strcmp(func, "?"))
		return 0;
	n = pkg_len(func);
	if (n == 4 && !memcmp(func, "main", 4))
		return 0;
	first = strcspn(func, "/");
	if (first > n)
		first = n;
	return memchr(func, '.', first) == NULL;
}

int group_func_is_user(const char *func, const char *main_module)
{
	size_t n, m;

	if (!func || !strcmp(func, "?"))
		return 0;
	n = pkg_len(func);
	if (n == 4 && !memcmp(func, "main", 4))
		return 1;
	if (!main_module)
		return !group_func_is_stdlib(func);
	m = strlen(main_module);
	return n >= m && !memcmp(func, main_module, m) &&
	       (n == m || func[m] == '/');
}

static void group_stats(struct grouping *gr, const struct snap *s)
{
	size_t *off = xcalloc(gr->ngroups + 1, sizeof(*off)), i, total = 0;
	size_t *fill = xcalloc(gr->ngroups + 1, sizeof(*fill));
	int64_t *w;

	for (i = 0; i < s->ngs; i++)
		if (gr->of[i] != GROUP_NONE && s->gs[i].wait_ns >= 0)
			gr->groups[gr->of[i]].nwait++;
	for (i = 0; i < gr->ngroups; i++) {
		off[i] = total;
		total += gr->groups[i].nwait;
	}
	w = xcalloc(total + 1, sizeof(*w));
	for (i = 0; i < s->ngs; i++) {
		const struct snap_goroutine *g = &s->gs[i];
		struct group *grp;
		size_t j, k;

		if (gr->of[i] == GROUP_NONE)
			continue;
		grp = &gr->groups[gr->of[i]];
		if (g->wait_ns >= 0)
			w[off[gr->of[i]] + fill[gr->of[i]]++] = g->wait_ns;
		if (g->first_seen_ns && (!grp->first_seen_min ||
					 g->first_seen_ns < grp->first_seen_min))
			grp->first_seen_min = g->first_seen_ns;
		/* the smallest ids, kept sorted */
		if (grp->ngoids < GROUP_MAX_GOIDS ||
		    g->goid < grp->goids[GROUP_MAX_GOIDS - 1]) {
			k = grp->ngoids < GROUP_MAX_GOIDS ? grp->ngoids++
							  : GROUP_MAX_GOIDS - 1;
			while (k > 0 && grp->goids[k - 1] > g->goid) {
				grp->goids[k] = grp->goids[k - 1];
				k--;
			}
			grp->goids[k] = g->goid;
		}
		for (j = 0; j < g->nlabels; j++) {
			for (k = 0; k < grp->nlabels; k++)
				if (grp->labels[k].key == g->labels[j].key &&
				    grp->labels[k].value == g->labels[j].value)
					break;
			if (k < grp->nlabels)
				continue;
			if (grp->nlabels == GROUP_MAX_LABELS)
				grp->more_labels = 1;
			else
				grp->labels[grp->nlabels++] = g->labels[j];
		}
	}
	for (i = 0; i < gr->ngroups; i++) {
		struct group *grp = &gr->groups[i];
		int64_t *v = w + off[i];
		size_t j;

		grp->wait_min = grp->wait_median = grp->wait_max = -1;
		if (!grp->nwait)
			continue;
		grp->wait_min = grp->wait_max = v[0];
		for (j = 1; j < grp->nwait; j++) {
			if (v[j] < grp->wait_min)
				grp->wait_min = v[j];
			if (v[j] > grp->wait_max)
				grp->wait_max = v[j];
		}
		select_nth(v, grp->nwait, (grp->nwait - 1) / 2);
		grp->wait_median = v[(grp->nwait - 1) / 2];
	}
	free(w);
	free(fill);
	free(off);
}

void group_set_ages(struct grouping *gr)
{
	size_t i;

	for (i = 0; i < gr->ngroups; i++)
		gr->groups[i].first_seen_min = 0;
	for (i = 0; gr->of && i < gr->snap->ngs; i++) {
		const struct snap_goroutine *g = &gr->snap->gs[i];
		struct group *grp;

		if (gr->of[i] == GROUP_NONE || !g->first_seen_ns)
			continue;
		grp = &gr->groups[gr->of[i]];
		if (!grp->first_seen_min ||
		    g->first_seen_ns < grp->first_seen_min)
			grp->first_seen_min = g->first_seen_ns;
	}
}

static void group_facts(struct grouping *gr, const struct snap *s)
{
	size_t maxf = 1, i, j, *idx;

	for (i = 0; i < gr->ngroups; i++)
		if (gr->groups[i].rep->nframes > maxf)
			maxf = gr->groups[i].rep->nframes;
	idx = xcalloc(maxf, sizeof(*idx));
	for (i = 0; i < gr->ngroups; i++) {
		struct group *grp = &gr->groups[i];
		const struct snap_goroutine *g = grp->rep;
		size_t n = group_shown_frames(g, idx);
		uint32_t st = g->status;

		grp->creator = group_creator_shown(g) ? &g->creator : NULL;
		grp->stdlib_only = 1;
		for (j = 0; j < n; j++) {
			const struct snap_frame *f = &g->frames[idx[j]];

			if (!grp->user &&
			    group_func_is_user(f->func, s->main_module))
				grp->user = f;
			if (!group_func_is_stdlib(f->func))
				grp->stdlib_only = 0;
		}
		if (grp->creator && !group_func_is_stdlib(grp->creator->func))
			grp->stdlib_only = 0;
		grp->blocked = st == SNAP_WAITING || st == SNAP_SYSCALL ||
			       st == SNAP_LEAKED;
	}
	free(idx);
}

void group_snap(const struct snap *s, enum group_level level,
		unsigned int flags, const struct rules *rules,
		struct grouping *out)
{
	struct ctx c;
	struct table t;
	struct seen_tab seen;
	size_t maxf = 0, i, alloc = 0, *idx;
	uint64_t *keys;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	out->snap = s;
	out->level = level;
	out->flags = flags;
	out->of = xcalloc(s->ngs + 1, sizeof(*out->of));
	c.level = level;
	c.flags = flags;
	memo_init(&c.funcs, 1);
	memo_init(&c.files, 0);
	strbuf_init(&c.tmp);
	for (i = 0; i < s->ngs; i++)
		if (s->gs[i].nframes > maxf)
			maxf = s->gs[i].nframes;
	idx = xcalloc(maxf + 1, sizeof(*idx));
	keys = xcalloc(GROUP_MAX_FRAMES + 3, sizeof(*keys));
	t.nslots = s->ngs * 2 + 17;
	t.slots = xcalloc(t.nslots, sizeof(*t.slots));
	t.sigs = xcalloc(t.nslots, sizeof(*t.sigs));
	seen.nslots = s->ngs * 2 + 17;
	seen.n = 0;
	seen.v = xcalloc(seen.nslots, sizeof(*seen.v));
	for (i = 0; i < s->ngs; i++) {
		const struct snap_goroutine *g = &s->gs[i];
		struct group *grp;
		uint64_t sig, raw;
		size_t nk, slot, si;

		out->of[i] = GROUP_NONE;
		if (g->system && !(flags & GROUP_SYSTEM))
			continue;
		if (rules && rules_ignore(rules, g)) {
			out->nignored++;
			continue;
		}
		raw = raw_hash(g);
		for (si = (size_t)(raw % seen.nslots); seen.v[si].rep;
		     si = (si + 1) % seen.nslots)
			if (seen.v[si].raw == raw &&
			    raw_equal(seen.v[si].rep, g))
				break;
		if (seen.v[si].rep) {
			out->of[i] = seen.v[si].group;
			out->groups[out->of[i]].count += snap_g_weight(g);
			out->ngrouped += snap_g_weight(g);
			continue;
		}
		nk = signature(&c, g, idx, keys, &sig);
		slot = (size_t)(sig % t.nslots);
		for (; t.slots[slot]; slot = (slot + 1) % t.nslots) {
			grp = &out->groups[t.slots[slot] - 1];
			if (t.sigs[slot] == sig && grp->nkeys == nk &&
			    !memcmp(grp->keys, keys, nk * sizeof(*keys)))
				break;
		}
		if (!t.slots[slot]) {
			if (out->ngroups == alloc) {
				alloc = alloc ? alloc * 2 : 64;
				out->groups = xreallocarray(out->groups, alloc,
							    sizeof(*grp));
			}
			grp = &out->groups[out->ngroups];
			memset(grp, 0, sizeof(*grp));
			grp->id = sig;
			grp->rep = g;
			grp->keys = xcalloc(nk, sizeof(*keys));
			memcpy(grp->keys, keys, nk * sizeof(*keys));
			grp->nkeys = nk;
			t.slots[slot] = ++out->ngroups;
			t.sigs[slot] = sig;
		}
		out->of[i] = t.slots[slot] - 1;
		out->groups[out->of[i]].count += snap_g_weight(g);
		out->ngrouped += snap_g_weight(g);
		seen.v[si].rep = g;
		seen.v[si].raw = raw;
		seen.v[si].group = out->of[i];
	}
	free(seen.v);
	free(t.slots);
	free(t.sigs);
	free(idx);
	free(keys);
	memo_release(&c.funcs);
	memo_release(&c.files);
	strbuf_release(&c.tmp);
	group_stats(out, s);
	group_facts(out, s);
}

void grouping_release(struct grouping *gr)
{
	size_t i;

	for (i = 0; i < gr->ngroups; i++)
		free(gr->groups[i].keys);
	free(gr->groups);
	free(gr->of);
	memset(gr, 0, sizeof(*gr));
}

static int cmp_count(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->stdlib_only != y->stdlib_only)
		return x->stdlib_only - y->stdlib_only;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->wait_max != y->wait_max)
		return x->wait_max > y->wait_max ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_wait(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->stdlib_only != y->stdlib_only)
		return x->stdlib_only - y->stdlib_only;
	if (x->wait_max != y->wait_max)
		return x->wait_max > y->wait_max ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

void group_sort(struct grouping *gr, enum group_sort by)
{
	const struct snap_goroutine **old_rep;
	size_t *by_rep, i;

	/* Groups are told apart by their representative goroutine. */
	old_rep = xcalloc(gr->ngroups + 1, sizeof(*old_rep));
	by_rep = xcalloc(gr->snap->ngs + 1, sizeof(*by_rep));
	for (i = 0; i < gr->ngroups; i++)
		old_rep[i] = gr->groups[i].rep;
	if (gr->ngroups)
		qsort(gr->groups, gr->ngroups, sizeof(*gr->groups),
		      by == GROUP_SORT_WAIT ? cmp_wait : cmp_count);
	for (i = 0; i < gr->ngroups; i++)
		by_rep[gr->groups[i].rep - gr->snap->gs] = i;
	for (i = 0; i < gr->snap->ngs; i++)
		if (gr->of[i] != GROUP_NONE)
			gr->of[i] = by_rep[old_rep[gr->of[i]] - gr->snap->gs];
	free(by_rep);
	free(old_rep);
}

int group_level_parse(const char *name, enum group_level *out)
{
	if (!strcmp(name, "exact"))
		*out = GROUP_EXACT;
	else if (!strcmp(name, "lines"))
		*out = GROUP_LINES;
	else if (!strcmp(name, "functions"))
		*out = GROUP_FUNCTIONS;
	else
		return -1;
	return 0;
}

const char *group_level_name(enum group_level level)
{
	return level == GROUP_EXACT ? "exact"
	       : level == GROUP_FUNCTIONS ? "functions" : "lines";
}

void group_fmt_duration(struct strbuf *sb, int64_t ns)
{
	int64_t s = ns / 1000000000;

	if (ns < 0)
		strbuf_adds(sb, "-");
	else if (ns < 1000000)
		strbuf_addf(sb, "%lldus", (long long)(ns / 1000));
	else if (ns < 1000000000)
		strbuf_addf(sb, "%lldms", (long long)(ns / 1000000));
	else if (s < 60)
		strbuf_addf(sb, "%llds", (long long)s);
	else if (s < 3600)
		strbuf_addf(sb, "%lldm%llds", (long long)(s / 60),
			    (long long)(s % 60));
	else
		strbuf_addf(sb, "%lldh%lldm", (long long)(s / 3600),
			    (long long)(s / 60 % 60));
}

void group_fmt_id(struct strbuf *sb, uint64_t id)
{
	strbuf_addf(sb, "%016llx", (unsigned long long)id);
}

static void fmt_frame_text(const struct snap_frame *f, enum group_level lv,
			   struct strbuf *out)
{
	strbuf_adds(out, "    ");
	if (strcmp(f->func, "runtime.gopanic"))
		gort_print_func_name(out, f->func);
	else
		strbuf_adds(out, f->func);
	if (lv == GROUP_FUNCTIONS) {
		strbuf_addc(out, '\n');
		return;
	}
	strbuf_addf(out, "(...)\n        %s:%d", f->file, f->line);
	if (lv == GROUP_EXACT && !f->inlined && f->pc > f->entry)
		strbuf_addf(out, " +0x%llx",
			    (unsigned long long)(f->pc - f->entry));
	strbuf_addc(out, '\n');
}

void group_fmt_text(const struct grouping *gr, struct strbuf *out)
{
	const struct snap *s = gr->snap;
	size_t i, j, maxf = 1, *idx;

	strbuf_addf(out, "%zu goroutines in %zu groups (level %s", gr->ngrouped,
		    gr->ngroups, group_level_name(gr->level));
	if (s->pid)
		strbuf_addf(out, "; pid %d", (int)s->pid);
	if (s->go_version)
		strbuf_addf(out, ", %s", s->go_version);
	if (gr->nignored)
		strbuf_addf(out, "; %zu ignored by rules", gr->nignored);
	strbuf_adds(out, ")\n");
	for (i = 0; i < gr->ngroups; i++)
		if (gr->groups[i].rep->nframes > maxf)
			maxf = gr->groups[i].rep->nframes;
	idx = xcalloc(maxf, sizeof(*idx));
	for (i = 0; i < gr->ngroups; i++) {
		const struct group *g = &gr->groups[i];
		size_t n;

		strbuf_addf(out, "\n%zu [%s%s]", g->count, g->rep->status_str,
			    g->rep->status == SNAP_LEAKED ? " (leaked)" : "");
		if (g->nwait) {
			struct strbuf lo, hi;

			strbuf_init(&lo);
			strbuf_init(&hi);
			group_fmt_duration(&lo, g->wait_min);
			group_fmt_duration(&hi, g->wait_max);
			strbuf_addf(out, " wait %s", lo.buf);
			if (strcmp(lo.buf, hi.buf)) {
				strbuf_addf(out, "..%s median ", hi.buf);
				group_fmt_duration(out, g->wait_median);
			}
			strbuf_release(&lo);
			strbuf_release(&hi);
		}
		strbuf_adds(out, "  group ");
		group_fmt_id(out, g->id);
		if (g->stdlib_only)
			strbuf_adds(out, " (standard library only)");
		strbuf_addc(out, '\n');
		if (g->user)
			strbuf_addf(out, "  user frame  %s at %s:%d\n",
				    g->user->func, g->user->file,
				    g->user->line);
		if (g->creator)
			strbuf_addf(out, "  created by  %s at %s:%d\n",
				    g->creator->func, g->creator->file,
				    g->creator->line);
		if (g->nlabels) {
			strbuf_adds(out, "  labels     ");
			for (j = 0; j < g->nlabels; j++)
				strbuf_addf(out, " %s=%s", g->labels[j].key,
					    g->labels[j].value);
			if (g->more_labels)
				strbuf_adds(out, " ...");
			strbuf_addc(out, '\n');
		}
		strbuf_adds(out, "  goroutines ");
		for (j = 0; j < g->ngoids; j++)
			strbuf_addf(out, " %llu",
				    (unsigned long long)g->goids[j]);
		if (g->count > g->ngoids)
			strbuf_adds(out, " ...");
		strbuf_addc(out, '\n');
		n = group_shown_frames(g->rep, idx);
		for (j = 0; j < n; j++)
			fmt_frame_text(&g->rep->frames[idx[j]], gr->level, out);
	}
	free(idx);
}

static json_t *frame_obj(const struct snap_frame *f)
{
	json_t *o = json_object();
	struct strbuf sb;

	strbuf_init(&sb);
	if (strcmp(f->func, "runtime.gopanic"))
		gort_print_func_name(&sb, f->func);
	else
		strbuf_adds(&sb, f->func);
	json_object_set_new(o, "func", jstr(sb.buf));
	json_object_set_new(o, "file", jstr(f->file));
	json_object_set_new(o, "line", json_integer(f->line));
	strbuf_release(&sb);
	return o;
}

void group_fmt_json(const struct grouping *gr, struct strbuf *out)
{
	const struct snap *s = gr->snap;
	json_t *root = json_object(), *src = json_object(), *arr;
	size_t i, j, maxf = 1, *idx;
	char *text;

	json_object_set_new(root, "schema", json_string("goscope.groups/1"));
	json_object_set_new(src, "pid", s->pid ? json_integer(s->pid)
					       : json_null());
	json_object_set_new(src, "go_version", jstr(s->go_version));
	json_object_set_new(src, "main_module", jstr(s->main_module));
	json_object_set_new(src, "time_unix_ns", s->time_unix_ns
			    ? json_integer(s->time_unix_ns) : json_null());
	json_object_set_new(root, "source", src);
	json_object_set_new(root, "level",
			    json_string(group_level_name(gr->level)));
	json_object_set_new(root, "goroutines",
			    json_integer((json_int_t)gr->ngrouped));
	json_object_set_new(root, "ignored",
			    json_integer((json_int_t)gr->nignored));
	for (i = 0; i < gr->ngroups; i++)
		if (gr->groups[i].rep->nframes > maxf)
			maxf = gr->groups[i].rep->nframes;
	idx = xcalloc(maxf, sizeof(*idx));
	arr = json_array();
	for (i = 0; i < gr->ngroups; i++) {
		const struct group *g = &gr->groups[i];
		json_t *o = json_object(), *a;
		struct strbuf id;
		size_t n;

		strbuf_init(&id);
		group_fmt_id(&id, g->id);
		json_object_set_new(o, "id", json_string(id.buf));
		strbuf_release(&id);
		json_object_set_new(o, "count", json_integer((json_int_t)g->count));
		json_object_set_new(o, "state", jstr(g->rep->status_str));
		json_object_set_new(o, "blocked", json_boolean(g->blocked));
		/* Go 1.26+'s leak profile proved them unreachable. */
		json_object_set_new(o, "leaked", json_boolean(
			g->rep->status == SNAP_LEAKED));
		json_object_set_new(o, "stdlib_only",
				    json_boolean(g->stdlib_only));
		if (g->nwait) {
			json_t *w = json_object();

			json_object_set_new(w, "min", json_integer(g->wait_min));
			json_object_set_new(w, "median",
					    json_integer(g->wait_median));
			json_object_set_new(w, "max", json_integer(g->wait_max));
			json_object_set_new(w, "known",
					    json_integer((json_int_t)g->nwait));
			json_object_set_new(o, "wait_ns", w);
		} else {
			json_object_set_new(o, "wait_ns", json_null());
		}
		a = json_array();
		for (j = 0; j < g->ngoids; j++)
			json_array_append_new(a, json_integer(
				(json_int_t)g->goids[j]));
		json_object_set_new(o, "goroutine_ids", a);
		a = json_array();
		for (j = 0; j < g->nlabels; j++) {
			json_t *l = json_object();

			json_object_set_new(l, "key", jstr(g->labels[j].key));
			json_object_set_new(l, "value",
					    jstr(g->labels[j].value));
			json_array_append_new(a, l);
		}
		json_object_set_new(o, "labels", a);
		json_object_set_new(o, "labels_truncated",
				    json_boolean(g->more_labels));
		json_object_set_new(o, "user_frame",
				    g->user ? frame_obj(g->user) : json_null());
		json_object_set_new(o, "created_by", g->creator
				    ? frame_obj(g->creator) : json_null());
		a = json_array();
		n = group_shown_frames(g->rep, idx);
		for (j = 0; j < n; j++)
			json_array_append_new(a,
				frame_obj(&g->rep->frames[idx[j]]));
		json_object_set_new(o, "stack", a);
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "groups", arr);
	free(idx);
	text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text) {
		strbuf_adds(out, text);
		strbuf_addc(out, '\n');
		free(text);
	}
	json_decref(root);
}
