/* Leak watch state: per-group count series and the stable/leak verdict. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/hashmap.h"
#include "snapshot/ages.h"
#include "snapshot/watch.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

/* What the verdict needs to know of a group after its snapshot is gone. */
struct ginfo {
	struct hashmap_entry ent;
	uint64_t id;
	const char *state, *ufunc, *ufile, *cfunc, *cfile;
	int uline, cline;
	int64_t oldest;
	int64_t first_seen;	/* of its oldest member, 0 unknown */
	size_t count;		/* in the last snapshot */
	size_t seen;		/* the sample it was last in */
	int leaked;		/* the runtime marked it leaked */
};

struct watch {
	struct watch_cfg cfg;
	struct snap *strs;	/* owns the strings of ginfo */
	struct hashmap info;	/* struct ginfo by id */
	struct leak_track *track;
	struct leak_track *totals;	/* the total as group 0 */
	size_t nsamples;
	size_t total;		/* of the last sample */
	int64_t last_time;	/* of the last sample */
	struct ages *ages;
	size_t failures;
	size_t problems;	/* snapshots taken with snap_problems */
	int last_failed;
};

static int ginfo_cmp(const void *data, const struct hashmap_entry *a,
		     const struct hashmap_entry *b, const void *key);
static struct ginfo *ginfo_find(const struct watch *w, uint64_t id);
static struct ginfo *ginfo_get(struct watch *w, const struct group *g);
static void add_suspect(const struct watch *w, struct watch_verdict *v,
			size_t *alloc, const struct ginfo *gi,
			const struct leak_result *r, const struct leak_track *t);
static int cmp_suspect(const void *a, const void *b);

struct watch *watch_new(const struct watch_cfg *cfg)
{
	struct watch *w = xcalloc(1, sizeof(*w));

	w->cfg = *cfg;
	if (!w->cfg.leak.window_ns) {
		struct leak_cfg d;

		leak_cfg_init(&d);
		w->cfg.leak.window_ns = d.window_ns;
	}
	w->strs = snap_new();
	hashmap_init(&w->info, ginfo_cmp, NULL, 0);
	w->track = leak_track_new(&w->cfg.leak);
	w->totals = leak_track_new(&w->cfg.leak);
	w->ages = ages_new();
	return w;
}

void watch_free(struct watch *w)
{
	if (!w)
		return;
	hashmap_release_free(&w->info);
	leak_track_free(w->track);
	leak_track_free(w->totals);
	ages_free(w->ages);
	snap_free(w->strs);
	free(w);
}

const struct watch_cfg *watch_config(const struct watch *w)
{
	return &w->cfg;
}

static int ginfo_cmp(const void *data, const struct hashmap_entry *a,
		     const struct hashmap_entry *b, const void *key)
{
	(void)data;
	(void)key;
	return container_of(a, const struct ginfo, ent)->id !=
	       container_of(b, const struct ginfo, ent)->id;
}

static struct ginfo *ginfo_find(const struct watch *w, uint64_t id)
{
	struct ginfo probe;
	struct hashmap_entry *e;

	probe.id = id;
	hashmap_entry_init(&probe.ent, hash_u64(id));
	e = hashmap_get(&w->info, &probe.ent, NULL);
	return e ? container_of(e, struct ginfo, ent) : NULL;
}

/* The info of g's id, created from g the first time. */
static struct ginfo *ginfo_get(struct watch *w, const struct group *g)
{
	struct ginfo *gi = ginfo_find(w, g->id);

	if (gi)
		return gi;
	gi = xcalloc(1, sizeof(*gi));
	gi->id = g->id;
	gi->state = snap_intern(w->strs, g->rep->status_str);
	gi->leaked = g->rep->status == SNAP_LEAKED;
	if (g->user) {
		gi->ufunc = snap_intern(w->strs, g->user->func);
		gi->ufile = snap_intern(w->strs, g->user->file);
		gi->uline = g->user->line;
	}
	if (g->creator) {
		gi->cfunc = snap_intern(w->strs, g->creator->func);
		gi->cfile = snap_intern(w->strs, g->creator->file);
		gi->cline = g->creator->line;
	}
	hashmap_entry_init(&gi->ent, hash_u64(g->id));
	hashmap_add(&w->info, &gi->ent);
	return gi;
}

void watch_add(struct watch *w, struct snap *s,
	       struct watch_sample *out, struct grouping *grouped)
{
	struct grouping gr;
	struct group all;
	struct grouping one;
	size_t i;

	ages_update(w->ages, s);
	w->last_time = s->time_unix_ns;
	group_snap(s, w->cfg.level, w->cfg.flags, w->cfg.rules, &gr);
	memset(out, 0, sizeof(*out));
	out->seq = ++w->nsamples;
	out->time_unix_ns = s->time_unix_ns;
	out->pause_ns = s->pause_ns;
	out->total = gr.ngrouped;
	out->delta = w->nsamples > 1 ? (long long)gr.ngrouped -
					       (long long)w->total : 0;
	out->ignored = gr.nignored;
	out->ngroups = gr.ngroups;
	w->total = gr.ngrouped;
	for (i = 0; i < gr.ngroups; i++) {
		const struct group *g = &gr.groups[i];
		uint32_t st = g->rep->status;
		struct ginfo *gi = ginfo_get(w, g);

		out->by_status[st < WATCH_NSTATUS - 1 ? st
						      : WATCH_NSTATUS - 1] +=
			g->count;
		gi->oldest = g->wait_max;
		gi->first_seen = g->first_seen_min;
		gi->count = g->count;
		gi->seen = w->nsamples;
	}
	leak_track_add(w->track, s->time_unix_ns, &gr);
	memset(&all, 0, sizeof(all));
	memset(&one, 0, sizeof(one));
	all.count = gr.ngrouped;
	one.groups = &all;
	one.ngroups = 1;
	leak_track_add(w->totals, s->time_unix_ns, &one);
	w->last_failed = 0;
	w->problems += s->nunstopped || s->resume_error;
	if (grouped)
		*grouped = gr;
	else
		grouping_release(&gr);
}

static void add_suspect(const struct watch *w, struct watch_verdict *v,
			size_t *alloc, const struct ginfo *gi,
			const struct leak_result *r, const struct leak_track *t)
{
	struct watch_suspect *su;
	struct leak_point *p;
	size_t n;

	if (v->nsuspects == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 4;
		v->suspects = xreallocarray(v->suspects, *alloc,
					    sizeof(*v->suspects));
	}
	su = &v->suspects[v->nsuspects++];
	memset(su, 0, sizeof(*su));
	su->id = gi->id;
	su->state = gi->state;
	su->user_func = gi->ufunc;
	su->user_file = gi->ufile;
	su->user_line = gi->uline;
	su->created_func = gi->cfunc;
	su->created_file = gi->cfile;
	su->created_line = gi->cline;
	su->oldest_wait_ns = gi->oldest;
	su->age_min_ns = gi->first_seen ? w->last_time - gi->first_seen : -1;
	su->proven = !r;
	su->count = gi->count;
	if (!r)
		return;
	su->res = *r;
	p = xcalloc(leak_track_npoints(t) + 1, sizeof(*p));
	n = leak_track_series(t, gi->id, p);
	su->nseries = n - r->first;
	su->series = xcalloc(su->nseries + 1, sizeof(*su->series));
	memcpy(su->series, p + r->first, su->nseries * sizeof(*p));
	free(p);
}

/* Proven leaks first, then the largest growth. */
static int cmp_suspect(const void *a, const void *b)
{
	const struct watch_suspect *x = a, *y = b;

	if (x->proven != y->proven)
		return y->proven - x->proven;
	if (x->res.growth != y->res.growth)
		return x->res.growth > y->res.growth ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

void watch_capture_failed(struct watch *w)
{
	w->failures++;
	w->last_failed = 1;
}

void watch_verdict(struct watch *w, struct watch_verdict *v)
{
	struct hashmap_iter it;
	struct hashmap_entry *e;
	struct leak_result r;
	size_t alloc = 0;

	memset(v, 0, sizeof(*v));
	v->nsamples = w->nsamples;
	v->failures = w->failures;
	v->problems = w->problems;
	v->last_failed = w->last_failed;
	if (!w->nsamples)
		return;
	leak_track_judge(w->totals, 0, &r);
	v->state = r.state;
	v->decided = r.state != LEAK_UNDECIDED;
	v->npoints = r.npoints;
	v->span_ns = r.span_ns;
	if (r.npoints) {
		struct leak_point *p = xcalloc(leak_track_npoints(w->totals) +
						       1, sizeof(*p));
		size_t n = leak_track_series(w->totals, 0, p);

		v->total_first = p[r.first].n;
		v->total_last = p[n - 1].n;
		free(p);
	}
	if (v->state == LEAK_SUSPECT)	/* a rising total alone names none */
		v->state = LEAK_STABLE;
	hashmap_iter_init(&w->info, &it);
	while ((e = hashmap_iter_next(&it))) {
		struct ginfo *gi = container_of(e, struct ginfo, ent);

		if (gi->seen != w->nsamples)
			continue;
		if (gi->leaked) {
			v->nleaked += gi->count;
			add_suspect(w, v, &alloc, gi, NULL, NULL);
			continue;
		}
		if (v->state == LEAK_UNDECIDED ||
		    leak_track_judge(w->track, gi->id, &r) != LEAK_SUSPECT)
			continue;
		add_suspect(w, v, &alloc, gi, &r, w->track);
	}
	if (!v->nsuspects)
		return;
	v->state = LEAK_SUSPECT;
	qsort(v->suspects, v->nsuspects, sizeof(*v->suspects), cmp_suspect);
}

enum leak_state watch_group_state(const struct watch *w, uint64_t id)
{
	const struct ginfo *gi = ginfo_find(w, id);
	struct leak_result r;

	if (!w->nsamples)
		return LEAK_UNDECIDED;
	if (gi && gi->seen == w->nsamples && gi->leaked)
		return LEAK_SUSPECT;
	if (leak_track_judge(w->totals, 0, &r) == LEAK_UNDECIDED)
		return LEAK_UNDECIDED;
	if (!gi || gi->seen != w->nsamples)
		return LEAK_STABLE;
	return leak_track_judge(w->track, id, &r) == LEAK_SUSPECT
		       ? LEAK_SUSPECT : LEAK_STABLE;
}

void watch_verdict_release(struct watch_verdict *v)
{
	size_t i;

	for (i = 0; i < v->nsuspects; i++)
		free(v->suspects[i].series);
	free(v->suspects);
	memset(v, 0, sizeof(*v));
}
