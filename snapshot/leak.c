/* The windowed leak rule and the per-group count history it judges. */
#include <stdlib.h>
#include <string.h>

#include "lib/hashmap.h"
#include "snapshot/leak.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

struct tgroup {
	struct hashmap_entry ent;
	uint64_t id;
	uint32_t *n;		/* count per point, ring of cap */
	size_t last_k;		/* last point with a nonzero count */
};

struct leak_track {
	struct leak_cfg cfg;
	int64_t *t;		/* time per point, ring of cap */
	size_t cap;
	size_t k0, k1;		/* absolute indexes: oldest, one past last */
	struct hashmap groups;	/* struct tgroup by id */
};

static size_t floor_of(const struct leak_point *p, size_t n);
static int tgroup_cmp(const void *data, const struct hashmap_entry *a,
		      const struct hashmap_entry *b, const void *key);
static struct tgroup *tgroup_find(const struct leak_track *t, uint64_t id);
static void drop_gone(struct leak_track *t);

void leak_cfg_init(struct leak_cfg *c)
{
	c->window_ns = LEAK_DEFAULT_WINDOW_NS;
	c->tolerance = LEAK_DEFAULT_TOLERANCE;
	c->noise = LEAK_DEFAULT_NOISE;
}

const char *leak_state_name(enum leak_state s)
{
	switch (s) {
	case LEAK_STABLE:
		return "stable";
	case LEAK_SUSPECT:
		return "leak suspected";
	case LEAK_UNDECIDED:
		break;
	}
	return "undecided";
}

static size_t floor_of(const struct leak_point *p, size_t n)
{
	size_t i, m = p[0].n;

	for (i = 1; i < n; i++)
		if (p[i].n < m)
			m = p[i].n;
	return m;
}

enum leak_state leak_judge(const struct leak_cfg *c,
			   const struct leak_point *p, size_t n,
			   struct leak_result *r)
{
	size_t f, m, k, nseg, fl[LEAK_SEGMENTS], peak = 0;
	int64_t from;

	memset(r, 0, sizeof(*r));
	r->state = LEAK_UNDECIDED;
	if (!n)
		return r->state;
	r->last = p[n - 1].n;
	from = p[n - 1].t_ns - c->window_ns;
	/* The last point at or before the window's start. */
	for (f = n; f > 0 && p[f - 1].t_ns > from; f--)
		;
	if (!f)
		return r->state;
	f--;
	m = n - f;
	r->first = f;
	r->npoints = m;
	r->span_ns = p[n - 1].t_ns - p[f].t_ns;
	if (m < LEAK_MIN_POINTS)
		return r->state;
	nseg = m < LEAK_SEGMENTS ? m : LEAK_SEGMENTS;
	for (k = 0; k < nseg; k++) {
		size_t lo = f + k * m / nseg, hi = f + (k + 1) * m / nseg;

		fl[k] = floor_of(p + lo, hi - lo);
		if (fl[k] > peak)
			peak = fl[k];
		if (peak - fl[k] > r->fall)
			r->fall = peak - fl[k];
	}
	r->start = fl[0];
	r->middle = fl[nseg - 3];
	r->recent = fl[nseg - 1];
	r->growth = (long long)r->recent - (long long)r->start;
	r->state = LEAK_STABLE;
	if (r->growth > (long long)c->tolerance && r->middle < r->recent &&
	    r->fall <= c->noise)
		r->state = LEAK_SUSPECT;
	return r->state;
}

static int tgroup_cmp(const void *data, const struct hashmap_entry *a,
		      const struct hashmap_entry *b, const void *key)
{
	const struct tgroup *x = container_of(a, const struct tgroup, ent);
	const struct tgroup *y = container_of(b, const struct tgroup, ent);

	(void)data;
	(void)key;
	return x->id != y->id;
}

static struct tgroup *tgroup_find(const struct leak_track *t, uint64_t id)
{
	struct tgroup probe;
	struct hashmap_entry *e;

	probe.id = id;
	hashmap_entry_init(&probe.ent, hash_u64(id));
	e = hashmap_get(&t->groups, &probe.ent, NULL);
	return e ? container_of(e, struct tgroup, ent) : NULL;
}

struct leak_track *leak_track_new(const struct leak_cfg *c)
{
	struct leak_track *t = xcalloc(1, sizeof(*t));

	if (c)
		t->cfg = *c;
	else
		leak_cfg_init(&t->cfg);
	if (t->cfg.window_ns < 1)
		t->cfg.window_ns = 1;
	t->cap = 2 * LEAK_RESOLUTION + 8;
	t->t = xcalloc(t->cap, sizeof(*t->t));
	hashmap_init(&t->groups, tgroup_cmp, NULL, 0);
	return t;
}

void leak_track_reset(struct leak_track *t)
{
	struct hashmap_iter it;
	struct hashmap_entry *e;

	hashmap_iter_init(&t->groups, &it);
	while ((e = hashmap_iter_next(&it)))
		free(container_of(e, struct tgroup, ent)->n);
	hashmap_release_free(&t->groups);
	hashmap_init(&t->groups, tgroup_cmp, NULL, 0);
	t->k0 = t->k1 = 0;
}

void leak_track_free(struct leak_track *t)
{
	if (!t)
		return;
	leak_track_reset(t);
	hashmap_release(&t->groups);
	free(t->t);
	free(t);
}

const struct leak_cfg *leak_track_cfg(const struct leak_track *t)
{
	return &t->cfg;
}

size_t leak_track_npoints(const struct leak_track *t)
{
	return t->k1 - t->k0;
}

/* Forgets groups that were absent at every point still kept. */
static void drop_gone(struct leak_track *t)
{
	struct hashmap_iter it;
	struct hashmap_entry *e;
	struct tgroup **gone = NULL;
	size_t n = 0, alloc = 0, i;

	hashmap_iter_init(&t->groups, &it);
	while ((e = hashmap_iter_next(&it))) {
		struct tgroup *g = container_of(e, struct tgroup, ent);

		if (g->last_k >= t->k0)
			continue;
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			gone = xreallocarray(gone, alloc, sizeof(*gone));
		}
		gone[n++] = g;
	}
	for (i = 0; i < n; i++) {
		hashmap_remove(&t->groups, &gone[i]->ent, NULL);
		free(gone[i]->n);
		free(gone[i]);
	}
	free(gone);
}

void leak_track_add(struct leak_track *t, int64_t t_ns,
		    const struct grouping *gr)
{
	int64_t gap = t->cfg.window_ns / LEAK_RESOLUTION;
	struct hashmap_iter it;
	struct hashmap_entry *e;
	size_t k, slot, i;

	if (t->k1 > t->k0 && t_ns < t->t[(t->k1 - 1) % t->cap])
		return;
	if (t->k1 - t->k0 >= 2 && t->t[(t->k1 - 1) % t->cap] -
					  t->t[(t->k1 - 2) % t->cap] < gap) {
		k = t->k1 - 1;
	} else {
		k = t->k1++;
		if (t->k1 - t->k0 > t->cap)
			t->k0++;
	}
	slot = k % t->cap;
	t->t[slot] = t_ns;
	hashmap_iter_init(&t->groups, &it);
	while ((e = hashmap_iter_next(&it)))
		container_of(e, struct tgroup, ent)->n[slot] = 0;
	for (i = 0; gr && i < gr->ngroups; i++) {
		const struct group *g = &gr->groups[i];
		struct tgroup *tg = tgroup_find(t, g->id);

		if (!tg) {
			tg = xcalloc(1, sizeof(*tg));
			tg->id = g->id;
			tg->n = xcalloc(t->cap, sizeof(*tg->n));
			hashmap_entry_init(&tg->ent, hash_u64(g->id));
			hashmap_add(&t->groups, &tg->ent);
		}
		tg->n[slot] = g->count > UINT32_MAX ? UINT32_MAX
						    : (uint32_t)g->count;
		if (g->count)
			tg->last_k = k;
	}
	/* Keep the last point at or before the window's start. */
	while (t->k1 - t->k0 >= 2 &&
	       t->t[(t->k0 + 1) % t->cap] <= t_ns - t->cfg.window_ns)
		t->k0++;
	drop_gone(t);
}

size_t leak_track_series(const struct leak_track *t, uint64_t id,
			 struct leak_point *out)
{
	const struct tgroup *g = tgroup_find(t, id);
	size_t k, i = 0;

	for (k = t->k0; k < t->k1; k++, i++) {
		out[i].t_ns = t->t[k % t->cap];
		out[i].n = g ? g->n[k % t->cap] : 0;
	}
	return i;
}

enum leak_state leak_track_judge(const struct leak_track *t, uint64_t id,
				 struct leak_result *r)
{
	struct leak_point *p = xcalloc(t->k1 - t->k0 + 1, sizeof(*p));
	size_t n = leak_track_series(t, id, p);

	leak_judge(&t->cfg, p, n, r);
	free(p);
	return r->state;
}

enum leak_state leak_track_coverage(const struct leak_track *t)
{
	struct leak_point *p = xcalloc(t->k1 - t->k0 + 1, sizeof(*p));
	struct leak_result r;
	size_t n = 0, k;

	for (k = t->k0; k < t->k1; k++, n++)
		p[n].t_ns = t->t[k % t->cap];
	leak_judge(&t->cfg, p, n, &r);
	free(p);
	return r.state;
}
