/* The interactive view's model: snapshots, group series, rows, filters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/model.h"
#include "snapshot/ages.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

/* Filter results memoized per interned string of one snapshot. */
/* Filter results by interned string (pointer), for one snapshot. */
struct memo {
	struct hashmap map;	/* struct memo_ent by key */
};

struct memo_ent {
	struct hashmap_entry ent;
	const char *key;
	int match;
};

static enum model_state state_class(uint32_t status);
static struct model_snap *msnap_new(const struct model *m, struct snap *s,
				    struct grouping *gr, int owned,
				    const char *name);
static void msnap_index(struct model_snap *ms);
static void msnap_count(struct model_snap *ms, unsigned int flags);
static void msnap_states(struct model_snap *ms);
static int state_cmp(const void *data, const struct hashmap_entry *a,
		     const struct hashmap_entry *b, const void *key);
static int cmp_state_n(const void *a, const void *b);
static int row_busy(const struct model_row *r);
static int states_match(const struct model_filter *f, struct memo *mm,
			const struct model_row *r);
static const char *row_state(const struct model_row *r);
static void msnap_unref(const struct model *m, struct model_snap *ms);
static int cmp_count_id(const void *a, const void *b);
static void series_advance(struct model *m);
static void series_reset(struct model *m);
static void diff_invalidate(struct model *m);
static long long series_at(const struct model *m,
			   const struct model_series *ser, size_t seq);
static unsigned int leak_flags(const struct model *m, uint64_t id,
			       int leaked, long long *growth);
static void regroup(struct model *m, struct model_snap *ms);
static int rising(const struct model *m, const struct model_series *ser);
static void memo_init(struct memo *mm);
static void memo_release(struct memo *mm);
static int memo_cmp(const void *data, const struct hashmap_entry *a,
		    const struct hashmap_entry *b, const void *key);
static int str_match(const struct model_filter *f, struct memo *mm,
		     const char *s);
static int group_match(const struct model_filter *f, struct memo *mm,
		       const struct group *g);
static const char *frame_func(const struct snap_frame *f);
static const char *row_name(const struct model_row *r);
static int cmp_rows(const void *a, const void *b, void *arg);
static int cmp_goid(const void *a, const void *b, void *arg);
static unsigned int count_bucket(size_t c);
static int row_hidden(const struct model_row *r, unsigned int hide);
static int name_shown(const char *func);
static int cmp_look(const void *a, const void *b, void *arg);
static void find_twins(struct model_row *rows, size_t n);
static int rank_cmp(const void *data, const struct hashmap_entry *a,
		    const struct hashmap_entry *b, const void *key);
static size_t order_rank(const struct model_order *o, uint64_t id);
static void order_save(struct model_order *o, const struct model_row *rows,
		       size_t n);

/* A group's count in one state, while msnap_states tallies them. */
struct state_ent {
	struct hashmap_entry ent;
	size_t group;
	struct model_state_n sn;
};

/* A group's place in the last rows (struct model_order). */
struct model_rank {
	struct hashmap_entry ent;
	uint64_t id;
	size_t rank;
};

/* What the sort compares rows by. */
struct sort_ctx {
	enum model_sort key;
	int reverse, pin;
};

static enum model_state state_class(uint32_t status)
{
	switch (status) {
	case SNAP_RUNNING:
		return MSTATE_RUNNING;
	case SNAP_RUNNABLE:
	case SNAP_PREEMPTED:
		return MSTATE_RUNNABLE;
	case SNAP_WAITING:
	case SNAP_LEAKED:
		return MSTATE_WAITING;
	case SNAP_SYSCALL:
		return MSTATE_SYSCALL;
	default:
		return MSTATE_OTHER;
	}
}

const char *model_state_name(enum model_state st)
{
	static const char *const names[MSTATE_COUNT] = {
		"running", "runnable", "waiting", "syscall", "other",
	};

	return st < MSTATE_COUNT ? names[st] : "?";
}

const char *model_sort_name(enum model_sort key)
{
	static const char *const names[MSORT_COUNT_KEYS] = {
		"count", "delta", "wait", "name", "state", "growth",
	};

	return key < MSORT_COUNT_KEYS ? names[key] : "?";
}

static int cmp_count_id(const void *a, const void *b)
{
	const struct model_count *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static void msnap_index(struct model_snap *ms)
{
	size_t i;

	free(ms->counts);
	ms->ncounts = ms->gr.ngroups;
	ms->counts = xcalloc(ms->ncounts + 1, sizeof(*ms->counts));
	for (i = 0; i < ms->ncounts; i++) {
		ms->counts[i].id = ms->gr.groups[i].id;
		ms->counts[i].count = ms->gr.groups[i].count;
		ms->counts[i].index = i;
	}
	qsort(ms->counts, ms->ncounts, sizeof(*ms->counts), cmp_count_id);
}

static void msnap_count(struct model_snap *ms, unsigned int flags)
{
	size_t i;

	memset(ms->by_state, 0, sizeof(ms->by_state));
	ms->total = 0;
	for (i = 0; i < ms->snap->ngs; i++) {
		const struct snap_goroutine *g = &ms->snap->gs[i];

		if (g->system && !(flags & GROUP_SYSTEM))
			continue;
		ms->total++;
		ms->by_state[state_class(g->status)]++;
	}
}

static int state_cmp(const void *data, const struct hashmap_entry *a,
		     const struct hashmap_entry *b, const void *key)
{
	const struct state_ent *x = container_of(a, struct state_ent, ent);
	const struct state_ent *y = container_of(b, struct state_ent, ent);

	(void)data;
	(void)key;
	return x->group != y->group || x->sn.state != y->sn.state ||
	       x->sn.status != y->sn.status;
}

/* Largest first, then by name. */
static int cmp_state_n(const void *a, const void *b)
{
	const struct model_state_n *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->state ? x->state : "", y->state ? y->state : "");
}

/*
 * With states merged, the states of each group's goroutines: a tally
 * by group, state text (interned per snapshot) and status.
 */
static void msnap_states(struct model_snap *ms)
{
	const struct grouping *gr = &ms->gr;
	struct hashmap map;
	struct hashmap_iter it;
	struct hashmap_entry *he;
	struct state_ent probe, *se;
	size_t i, n = 0, *fill;

	free(ms->states);
	free(ms->soff);
	ms->states = NULL;
	ms->soff = NULL;
	if (!(gr->flags & GROUP_ANY_STATE))
		return;
	hashmap_init(&map, state_cmp, NULL, gr->ngroups + 16);
	for (i = 0; i < ms->snap->ngs; i++) {
		const struct snap_goroutine *g = &ms->snap->gs[i];

		if (gr->of[i] == GROUP_NONE)
			continue;
		probe.group = gr->of[i];
		probe.sn.state = g->status_str;
		probe.sn.status = g->status;
		hashmap_entry_init(&probe.ent,
				   hash_u64(probe.group * 1000003u ^
					    (uintptr_t)g->status_str ^
					    (uint64_t)g->status << 56));
		he = hashmap_get(&map, &probe.ent, NULL);
		if (he) {
			container_of(he, struct state_ent, ent)->sn.n +=
				snap_g_weight(g);
			continue;
		}
		se = xmalloc(sizeof(*se));
		*se = probe;
		se->sn.n = snap_g_weight(g);
		hashmap_add(&map, &se->ent);
		n++;
	}
	ms->soff = xcalloc(gr->ngroups + 1, sizeof(*ms->soff));
	ms->states = xcalloc(n + 1, sizeof(*ms->states));
	hashmap_iter_init(&map, &it);
	while ((he = hashmap_iter_next(&it)))
		ms->soff[container_of(he, struct state_ent, ent)->group + 1]++;
	for (i = 0; i < gr->ngroups; i++)
		ms->soff[i + 1] += ms->soff[i];
	fill = xcalloc(gr->ngroups + 1, sizeof(*fill));
	hashmap_iter_init(&map, &it);
	while ((he = hashmap_iter_next(&it))) {
		se = container_of(he, struct state_ent, ent);
		ms->states[ms->soff[se->group] + fill[se->group]++] = se->sn;
	}
	free(fill);
	for (i = 0; i < gr->ngroups; i++)
		qsort(ms->states + ms->soff[i], ms->soff[i + 1] - ms->soff[i],
		      sizeof(*ms->states), cmp_state_n);
	hashmap_release_free(&map);
}

void model_fmt_states(const struct model_state_n *st, size_t n,
		      struct strbuf *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		strbuf_addf(out, "%s%s %zu", i ? ", " : "",
			    st[i].state ? st[i].state : "?", st[i].n);
}

static struct model_snap *msnap_new(const struct model *m, struct snap *s,
				    struct grouping *gr, int owned,
				    const char *name)
{
	struct model_snap *ms = xcalloc(1, sizeof(*ms));

	ms->snap = s;
	ms->owned = owned;
	ms->refs = 1;
	ms->name = name ? xstrdup(name) : NULL;
	if (gr && gr->snap == s && gr->level == m->level &&
	    gr->flags == m->flags && !m->rules) {
		ms->gr = *gr;
		memset(gr, 0, sizeof(*gr));
	} else {
		if (gr && gr->snap)
			grouping_release(gr);
		group_snap(s, m->level, m->flags, m->rules, &ms->gr);
	}
	msnap_index(ms);
	msnap_states(ms);
	msnap_count(ms, m->flags);
	return ms;
}

static void msnap_unref(const struct model *m, struct model_snap *ms)
{
	if (!ms || --ms->refs)
		return;
	grouping_release(&ms->gr);
	free(ms->counts);
	free(ms->states);
	free(ms->soff);
	free(ms->name);
	if (ms->owned && m->dispose)
		m->dispose(ms->snap, m->dispose_arg);
	else if (ms->owned)
		snap_free(ms->snap);
	free(ms);
}

void model_set_dispose(struct model *m, model_dispose_fn fn, void *arg)
{
	m->dispose = fn;
	m->dispose_arg = arg;
}

void model_init(struct model *m, enum group_level level)
{
	memset(m, 0, sizeof(*m));
	m->level = level;
	m->track = leak_track_new(NULL);
	m->ages = ages_new();
}

void model_set_leak(struct model *m, const struct leak_cfg *c,
		    const struct rules *rules)
{
	leak_track_free(m->track);
	m->track = leak_track_new(c);
	m->rules = rules;
}

static void diff_invalidate(struct model *m)
{
	if (m->diff_valid)
		diff_release(&m->diff);
	m->diff_valid = 0;
}

void model_release(struct model *m)
{
	diff_invalidate(m);
	msnap_unref(m, m->cur);
	msnap_unref(m, m->prev);
	msnap_unref(m, m->base);
	free(m->series);
	leak_track_free(m->track);
	ages_free(m->ages);
	memset(m, 0, sizeof(*m));
}

/* Moves the series one snapshot on, adding the current counts. */
static void series_advance(struct model *m)
{
	const struct model_snap *ms = m->cur;
	struct model_series *out;
	size_t slot = m->tick % MODEL_SERIES, i = 0, j = 0, n = 0, k;

	m->gap[slot] = 0;
	out = xcalloc(m->nseries + ms->ncounts + 1, sizeof(*out));
	while (i < m->nseries || j < ms->ncounts) {
		struct model_series *s = &out[n];
		int keep = 0;

		if (j >= ms->ncounts ||
		    (i < m->nseries && m->series[i].id < ms->counts[j].id)) {
			*s = m->series[i++];
			s->n[slot] = 0;
		} else if (i >= m->nseries ||
			   ms->counts[j].id < m->series[i].id) {
			memset(s, 0, sizeof(*s));
			s->id = ms->counts[j].id;
			s->n[slot] = (uint32_t)ms->counts[j++].count;
		} else {
			*s = m->series[i++];
			s->n[slot] = (uint32_t)ms->counts[j++].count;
		}
		for (k = 0; k < MODEL_SERIES && !keep; k++)
			keep = s->n[k] != 0;
		if (keep)
			n++;
	}
	free(m->series);
	m->series = out;
	m->nseries = n;
}

static void series_reset(struct model *m)
{
	free(m->series);
	m->series = NULL;
	m->nseries = 0;
	m->series_start = m->tick;
	leak_track_reset(m->track);
	if (m->cur) {
		series_advance(m);
		leak_track_add(m->track, m->cur->snap->time_unix_ns,
			       &m->cur->gr);
	}
}

void model_push(struct model *m, struct snap *s, struct grouping *gr,
		int owned, const char *name)
{
	struct model_snap *ms;

	/* Honest ages, over snapshots of one process. */
	if (m->cur && m->cur->snap->pid != s->pid)
		ages_reset(m->ages);
	if (s->pid && ages_update(m->ages, s) && gr && gr->snap == s) {
		/* Waits were dropped: the group statistics change. */
		grouping_release(gr);
		memset(gr, 0, sizeof(*gr));
	}
	if (gr && gr->snap == s)
		group_set_ages(gr);
	ms = msnap_new(m, s, gr, owned, name);

	diff_invalidate(m);
	ms->seq = ++m->seq;
	m->tick++;
	msnap_unref(m, m->prev);
	m->prev = m->cur;
	m->cur = ms;
	if (!m->series_start)
		m->series_start = m->tick;
	series_advance(m);
	leak_track_add(m->track, s->time_unix_ns, &ms->gr);
}

void model_reset(struct model *m)
{
	diff_invalidate(m);
	msnap_unref(m, m->cur);
	msnap_unref(m, m->prev);
	m->cur = m->prev = NULL;
	free(m->series);
	m->series = NULL;
	m->nseries = 0;
	m->series_start = 0;
	leak_track_reset(m->track);
	ages_reset(m->ages);
}

static void regroup(struct model *m, struct model_snap *ms)
{
	if (!ms || (ms->gr.level == m->level && ms->gr.flags == m->flags))
		return;
	grouping_release(&ms->gr);
	group_snap(ms->snap, m->level, m->flags, m->rules, &ms->gr);
	msnap_index(ms);
	msnap_states(ms);
}

void model_set_level(struct model *m, enum group_level level)
{
	if (level == m->level)
		return;
	diff_invalidate(m);
	m->level = level;
	regroup(m, m->cur);
	regroup(m, m->prev);
	regroup(m, m->base);
	series_reset(m);
}

void model_set_merge(struct model *m, int merge)
{
	unsigned int flags = merge ? m->flags | GROUP_ANY_STATE
				   : m->flags & ~GROUP_ANY_STATE;

	if (flags == m->flags)
		return;
	diff_invalidate(m);
	m->flags = flags;
	regroup(m, m->cur);
	regroup(m, m->prev);
	regroup(m, m->base);
	series_reset(m);
}

int model_merged(const struct model *m)
{
	return !!(m->flags & GROUP_ANY_STATE);
}

void model_mark_baseline(struct model *m)
{
	diff_invalidate(m);
	msnap_unref(m, m->base);
	m->base = m->cur;
	if (m->base)
		m->base->refs++;
}

void model_set_baseline(struct model *m, struct snap *s, const char *name)
{
	diff_invalidate(m);
	msnap_unref(m, m->base);
	m->base = msnap_new(m, s, NULL, 1, name);
}

void model_clear_baseline(struct model *m)
{
	diff_invalidate(m);
	msnap_unref(m, m->base);
	m->base = NULL;
}

size_t model_group_index(const struct model_snap *ms, uint64_t id)
{
	size_t lo = 0, hi;

	if (!ms)
		return GROUP_NONE;
	hi = ms->ncounts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ms->counts[mid].id == id)
			return ms->counts[mid].index;
		if (ms->counts[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return GROUP_NONE;
}

size_t model_count_of(const struct model_snap *ms, uint64_t id)
{
	size_t i = model_group_index(ms, id);

	return i == GROUP_NONE ? 0 : ms->gr.groups[i].count;
}

const struct model_series *model_series_of(const struct model *m,
					   uint64_t id)
{
	size_t lo = 0, hi = m->nseries;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->series[mid].id == id)
			return &m->series[mid];
		if (m->series[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * The count at tick t, MODEL_NO_SAMPLE outside the series, MODEL_GAP
 * where the capture failed.
 */
static long long series_at(const struct model *m,
			   const struct model_series *ser, size_t t)
{
	if (!t || t < m->series_start || t > m->tick ||
	    m->tick - t >= MODEL_SERIES)
		return MODEL_NO_SAMPLE;
	if (m->gap[t % MODEL_SERIES])
		return MODEL_GAP;
	return ser ? ser->n[t % MODEL_SERIES] : 0;
}

void model_push_gap(struct model *m)
{
	size_t slot, i;

	if (!m->cur)	/* no series yet */
		return;
	slot = ++m->tick % MODEL_SERIES;
	for (i = 0; i < m->nseries; i++)
		m->series[i].n[slot] = 0;
	m->gap[slot] = 1;
}

size_t model_series_points(const struct model *m,
			   const struct model_series *ser, long long *out,
			   size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t back = n - 1 - i;

		out[i] = back >= m->tick ? MODEL_NO_SAMPLE
					 : series_at(m, ser, m->tick - back);
	}
	return n;
}

/* MROW_LEAK when the shared leak rule suspects the group. */
static unsigned int leak_flags(const struct model *m, uint64_t id,
			       int leaked, long long *growth)
{
	struct leak_result r;

	*growth = 0;
	if (leaked)	/* proven by the runtime's leak profile */
		return MROW_LEAK;
	if (leak_track_judge(m->track, id, &r) != LEAK_SUSPECT)
		return 0;
	*growth = r.growth;
	return MROW_LEAK;
}

/* 1 when ser grew in each of the last MODEL_RISE_RUN snapshots. */
static int rising(const struct model *m, const struct model_series *ser)
{
	long long v, w;
	size_t i;

	if (m->tick < MODEL_RISE_RUN + 1)
		return 0;
	for (i = 0; i < MODEL_RISE_RUN; i++) {
		v = series_at(m, ser, m->tick - i);
		w = series_at(m, ser, m->tick - i - 1);
		if (v < 0 || w < 0 || v <= w)
			return 0;
	}
	return 1;
}

static void memo_init(struct memo *mm)
{
	hashmap_init(&mm->map, memo_cmp, NULL, 1024);
}

static void memo_release(struct memo *mm)
{
	hashmap_release_free(&mm->map);
}

static int memo_cmp(const void *data, const struct hashmap_entry *a,
		    const struct hashmap_entry *b, const void *key)
{
	(void)data;
	(void)key;
	return container_of(a, struct memo_ent, ent)->key !=
	       container_of(b, struct memo_ent, ent)->key;
}

/* Matches an interned string of the current snapshot (memoized). */
static int str_match(const struct model_filter *f, struct memo *mm,
		     const char *s)
{
	struct hashmap_entry *he;
	struct memo_ent probe, *me;
	int r;

	if (!s)
		return 0;
	if (mm) {
		probe.key = s;
		hashmap_entry_init(&probe.ent, hash_u64((uintptr_t)s));
		he = hashmap_get(&mm->map, &probe.ent, NULL);
		if (he)
			return container_of(he, struct memo_ent, ent)->match;
	}
	if (f->regex)
		r = regexec(&f->re, s, 0, NULL, 0) == 0;
	else
		r = strcasestr(s, f->text) != NULL;
	if (mm) {
		me = xmalloc(sizeof(*me));
		hashmap_entry_init(&me->ent, probe.ent.hash);
		me->key = s;
		me->match = r;
		hashmap_add(&mm->map, &me->ent);
	}
	return r;
}

/* Functions, files, the wait reason, the creation site and labels. */
static int group_match(const struct model_filter *f, struct memo *mm,
		       const struct group *g)
{
	const struct snap_goroutine *rep = g->rep;
	char kv[512];
	size_t i;

	if (f->label_key) {
		for (i = 0; i < g->nlabels; i++)
			if (!strcmp(g->labels[i].key, f->label_key) &&
			    !strcmp(g->labels[i].value, f->label_value))
				return 1;
		return 0;
	}
	if (str_match(f, mm, rep->status_str))
		return 1;
	for (i = 0; i < rep->nframes; i++)
		if (str_match(f, mm, rep->frames[i].func) ||
		    str_match(f, mm, rep->frames[i].file))
			return 1;
	if (g->creator && (str_match(f, mm, g->creator->func) ||
			   str_match(f, mm, g->creator->file)))
		return 1;
	for (i = 0; i < g->nlabels; i++) {
		snprintf(kv, sizeof(kv), "%s=%s", g->labels[i].key,
			 g->labels[i].value);
		if (str_match(f, NULL, kv))
			return 1;
	}
	return 0;
}

/* States merged: the state of any of the row's goroutines. */
static int states_match(const struct model_filter *f, struct memo *mm,
			const struct model_row *r)
{
	size_t i;

	if (f->label_key)
		return 0;
	for (i = 0; i < r->nstates; i++)
		if (str_match(f, mm, r->states[i].state))
			return 1;
	return 0;
}

int model_filter_set(struct model_filter *f, const char *text,
		     struct err *e)
{
	struct model_filter nf;
	char msg[200];
	int r;

	memset(&nf, 0, sizeof(nf));
	if (text && *text) {
		if (text[0] == '~') {
			r = regcomp(&nf.re, text + 1,
				    REG_EXTENDED | REG_ICASE | REG_NOSUB);
			if (r) {
				regerror(r, &nf.re, msg, sizeof(msg));
				regfree(&nf.re);
				return err_set(e, EINVAL, "bad regular "
					       "expression '%s': %s",
					       text + 1, msg);
			}
			nf.regex = 1;
		}
		nf.text = xstrdup(text);
		if (!strncmp(nf.text, "label:", 6)) {
			char *eq = strchr(nf.text + 6, '=');

			if (!eq || eq == nf.text + 6) {
				free(nf.text);
				return err_set(e, EINVAL, "a label filter is "
					       "label:KEY=VALUE");
			}
			nf.label_key = xmemdupz(nf.text + 6,
						(size_t)(eq - nf.text - 6));
			nf.label_value = xstrdup(eq + 1);
		}
	}
	model_filter_release(f);
	*f = nf;
	return 0;
}

void model_filter_release(struct model_filter *f)
{
	if (f->regex)
		regfree(&f->re);
	free(f->label_key);
	free(f->label_value);
	free(f->text);
	memset(f, 0, sizeof(*f));
}

static const char *frame_func(const struct snap_frame *f)
{
	return f && f->func ? f->func : "";
}

static const char *row_name(const struct model_row *r)
{
	return r->name ? frame_func(r->name) : model_start_name(r->g);
}

/*
 * Counts in quarter-octave steps (exact below 8): rows whose count moved
 * a little keep their places, ordered by their last rank.
 */
static unsigned int count_bucket(size_t c)
{
	unsigned int msb;

	if (c < 8)
		return (unsigned int)c;
	msb = 63u - (unsigned int)__builtin_clzll((unsigned long long)c);
	return msb * 4 + (unsigned int)((c >> (msb - 2)) & 3);
}

static int cmp_rows(const void *a, const void *b, void *arg)
{
	const struct model_row *x = a, *y = b;
	const struct sort_ctx *ctx = arg;
	int c = 0, lx = !!(x->flags & MROW_LEAK), ly = !!(y->flags & MROW_LEAK);
	unsigned int bx, by;

	if (ctx->pin && lx != ly)
		return ly - lx;
	if (ctx->pin && lx && x->growth != y->growth)
		return x->growth > y->growth ? -1 : 1;
	lx = !!(x->flags & MROW_RISING);
	ly = !!(y->flags & MROW_RISING);
	if (ctx->pin && lx != ly)
		return ly - lx;
	if (ctx->pin && lx && x->dprev != y->dprev)
		return x->dprev > y->dprev ? -1 : 1;
	switch (ctx->key) {
	case MSORT_DELTA:
		if (x->dprev != y->dprev)
			c = x->dprev > y->dprev ? -1 : 1;
		break;
	case MSORT_GROWTH:
		if (x->growth != y->growth)
			c = x->growth > y->growth ? -1 : 1;
		break;
	case MSORT_WAIT:
		if (x->g->wait_max != y->g->wait_max)
			c = x->g->wait_max > y->g->wait_max ? -1 : 1;
		break;
	case MSORT_NAME:
		c = strcmp(row_name(x), row_name(y));
		if (!c)
			c = strcmp(frame_func(x->caller), frame_func(y->caller));
		break;
	case MSORT_STATE:
		c = strcmp(row_state(x), row_state(y));
		break;
	default:
		bx = count_bucket(x->g->count);
		by = count_bucket(y->g->count);
		if (bx != by)
			c = bx > by ? -1 : 1;
		else if (x->rank != y->rank)
			/* Unranked (new) rows after the ranked ones. */
			return x->rank < y->rank ? -1 : 1;
		break;
	}
	if (c)
		return ctx->reverse ? -c : c;
	if (x->g->count != y->g->count)
		return x->g->count > y->g->count ? -1 : 1;
	c = strcmp(row_name(x), row_name(y));
	if (c)
		return c;
	c = strcmp(frame_func(x->caller), frame_func(y->caller));
	if (c)
		return c;
	return x->g->id < y->g->id ? -1 : x->g->id > y->g->id;
}

static int rank_cmp(const void *data, const struct hashmap_entry *a,
		    const struct hashmap_entry *b, const void *key)
{
	const struct model_rank *x = container_of(a, struct model_rank, ent);
	const struct model_rank *y = container_of(b, struct model_rank, ent);

	(void)data;
	(void)key;
	return x->id != y->id;
}

static size_t order_rank(const struct model_order *o, uint64_t id)
{
	struct model_rank probe;
	struct hashmap_entry *e;

	if (!o || !o->init)
		return SIZE_MAX;
	probe.id = id;
	hashmap_entry_init(&probe.ent, hash_u64(id));
	e = hashmap_get(&o->map, &probe.ent, NULL);
	return e ? container_of(e, struct model_rank, ent)->rank : SIZE_MAX;
}

static void order_save(struct model_order *o, const struct model_row *rows,
		       size_t n)
{
	size_t i;

	model_order_release(o);
	hashmap_init(&o->map, rank_cmp, NULL, n);
	o->init = 1;
	o->ranks = xcalloc(n + 1, sizeof(*o->ranks));
	o->nranks = n;
	for (i = 0; i < n; i++) {
		o->ranks[i].id = rows[i].g->id;
		o->ranks[i].rank = i;
		hashmap_entry_init(&o->ranks[i].ent, hash_u64(rows[i].g->id));
		hashmap_add(&o->map, &o->ranks[i].ent);
	}
}

void model_order_release(struct model_order *o)
{
	if (o->init)
		hashmap_release(&o->map);
	free(o->ranks);
	memset(o, 0, sizeof(*o));
}

/* 1 when every goroutine of the row is running or runnable. */
/* The state of most of the row's goroutines. */
static const char *row_state(const struct model_row *r)
{
	const char *st = r->nstates ? r->states[0].state
				    : r->g->rep->status_str;

	return st ? st : "";
}

static int row_busy(const struct model_row *r)
{
	enum model_state st = state_class(r->g->rep->status);
	size_t i;

	for (i = 0; i < r->nstates; i++) {
		st = state_class(r->states[i].status);
		if (st != MSTATE_RUNNING && st != MSTATE_RUNNABLE)
			return 0;
	}
	return st == MSTATE_RUNNING || st == MSTATE_RUNNABLE;
}

static int row_hidden(const struct model_row *r, unsigned int hide)
{
	if (r->flags & (MROW_LEAK | MROW_RISING))
		return 0;
	if ((hide & MHIDE_BUSY) && row_busy(r))
		return 1;
	return (hide & MHIDE_SINGLE) && r->g->count == 1;
}

/* 0 for the runtime's own functions and its hooks in other packages. */
static int name_shown(const char *func)
{
	if (!func || !strcmp(func, "?"))
		return 0;
	if (!strncmp(func, "runtime.", 8))
		return 0;
	return !strstr(func, ".runtime_") && !strstr(func, ".poll_runtime_");
}

const struct snap_frame *model_name_frame(const struct group *g)
{
	const struct snap_goroutine *rep = g->rep;
	size_t i;

	if (g->user)
		return g->user;
	for (i = 0; i < rep->nframes; i++) {
		const struct snap_frame *f = &rep->frames[i];

		if (!(f->flags & (SNAP_FRAME_RUNTIME | SNAP_FRAME_WRAPPER |
				  SNAP_FRAME_UNKNOWN)) && name_shown(f->func))
			return f;
	}
	return NULL;
}

const char *model_start_name(const struct group *g)
{
	const struct snap_goroutine *rep = g->rep;
	size_t i;

	if (rep->start_func && strcmp(rep->start_func, "runtime.goexit"))
		return rep->start_func;
	for (i = rep->nframes; i > 0; i--)
		if (rep->frames[i - 1].func &&
		    strcmp(rep->frames[i - 1].func, "runtime.goexit"))
			return rep->frames[i - 1].func;
	return "?";
}

static int cmp_look(const void *a, const void *b, void *arg)
{
	const struct model_row *rows = arg;
	const struct model_row *x = &rows[*(const size_t *)a];
	const struct model_row *y = &rows[*(const size_t *)b];
	const struct group *gx = x->g, *gy = y->g;
	int c;

	c = strcmp(row_name(x), row_name(y));
	if (!c && x->name && y->name)
		c = x->name->line - y->name->line;
	if (!c)
		c = strcmp(gx->creator ? frame_func(gx->creator) : "",
			   gy->creator ? frame_func(gy->creator) : "");
	if (!c)
		c = *(const size_t *)a < *(const size_t *)b ? -1 : 1;
	return c;
}

/* Rows that would read the same (name, line, creator) get a twin. */
static void find_twins(struct model_row *rows, size_t n)
{
	size_t *idx = xcalloc(n + 1, sizeof(*idx)), i, j;

	for (i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), cmp_look, rows);
	for (i = 0; i < n; i = j) {
		struct model_row *x = &rows[idx[i]];

		for (j = i + 1; j < n; j++) {
			struct model_row *y = &rows[idx[j]];

			if (strcmp(row_name(x), row_name(y)) ||
			    (x->name && y->name &&
			     x->name->line != y->name->line) ||
			    strcmp(x->g->creator ? frame_func(x->g->creator)
						 : "",
				   y->g->creator ? frame_func(y->g->creator)
						 : ""))
				break;
			y->twin = x->g;
			if (!x->twin)
				x->twin = y->g;
		}
	}
	free(idx);
}

void model_twin_diff(const struct group *g, const struct group *twin,
		     struct strbuf *out)
{
	const struct snap_goroutine *a = g->rep, *b = twin->rep;
	size_t i, n = a->nframes < b->nframes ? a->nframes : b->nframes;

	if (a->status_str && b->status_str &&
	    strcmp(a->status_str, b->status_str)) {
		strbuf_addf(out, "%s", a->status_str);
		return;
	}
	if (a->nframes != b->nframes) {
		strbuf_addf(out, "depth %zu", a->nframes);
		return;
	}
	for (i = 0; i < g->nlabels || i < twin->nlabels; i++) {
		if (i < g->nlabels && i < twin->nlabels &&
		    !strcmp(g->labels[i].key, twin->labels[i].key) &&
		    !strcmp(g->labels[i].value, twin->labels[i].value))
			continue;
		if (i < g->nlabels)
			strbuf_addf(out, "%s=%s", g->labels[i].key,
				    g->labels[i].value);
		else
			strbuf_adds(out, "no labels");
		return;
	}
	/* From the outermost frame: recursion shows as depth. */
	for (i = 0; i < n; i++) {
		const struct snap_frame *x = &a->frames[a->nframes - 1 - i];
		const struct snap_frame *y = &b->frames[b->nframes - 1 - i];

		if (strcmp(frame_func(x), frame_func(y)) ||
		    x->line != y->line)
			break;
	}
	if (i < n) {
		const struct snap_frame *x = &a->frames[a->nframes - 1 - i];

		strbuf_addf(out, "via %s:%d", frame_func(x), x->line);
		return;
	}
	if (g->creator && twin->creator &&
	    g->creator->line != twin->creator->line) {
		strbuf_addf(out, "created at line %d", g->creator->line);
		return;
	}
	strbuf_adds(out, "other PC offsets");
}

void model_short_func(const char *func, const char *main_module, int w,
		      int ascii, char *buf, size_t size)
{
	const char *s = func ? func : "?", *slash, *last, *ell;
	size_t m = main_module ? strlen(main_module) : 0, len;
	int cut = 0;

	if (m && !strncmp(s, main_module, m) && s[m] == '/') {
		s += m + 1;
	} else if (m && !strncmp(s, main_module, m) && s[m] == '.') {
		slash = memrchr(main_module, '/', m);
		if (slash)
			s += slash - main_module + 1;
	}
	ell = ascii ? "..." : "\xe2\x80\xa6";
	/* Whole leading path elements of the package give way first. */
	for (;;) {
		len = strlen(s) + (cut ? (ascii ? 4 : 2) : 0);
		if (w <= 0 || len <= (size_t)w)
			break;
		/* The package ends at the last '/' before any type. */
		last = memrchr(s, '/', strcspn(s, "[("));
		slash = strchr(s, '/');
		if (!last || !slash)
			break;
		s = slash + 1;
		cut = 1;
	}
	snprintf(buf, size, "%s%s%s", cut ? ell : "", cut ? "/" : "", s);
}

size_t model_rows(const struct model *m, const struct model_filter *f,
		  enum model_sort key, int leaks_only, struct model_row **rows,
		  size_t *alloc)
{
	struct model_query q;

	memset(&q, 0, sizeof(q));
	q.filter = f;
	q.key = key;
	q.leaks_only = leaks_only;
	return model_query_rows(m, &q, rows, alloc);
}

size_t model_query_rows(const struct model *m, struct model_query *q,
			struct model_row **rows, size_t *alloc)
{
	const struct model_snap *cur = m->cur;
	const struct model_filter *f = q->filter;
	size_t i, n = 0, maxf = 1, *idx;
	struct sort_ctx ctx;
	struct memo mm;
	int undecided;

	q->nhidden = q->nsuspects = 0;
	if (!cur)
		return 0;
	undecided = leak_track_coverage(m->track) == LEAK_UNDECIDED;
	if (f && !f->text)
		f = NULL;
	if (*alloc < cur->gr.ngroups + 1) {
		*alloc = cur->gr.ngroups + 1;
		*rows = xreallocarray(*rows, *alloc, sizeof(**rows));
	}
	for (i = 0; i < cur->gr.ngroups; i++)
		if (cur->gr.groups[i].rep->nframes > maxf)
			maxf = cur->gr.groups[i].rep->nframes;
	idx = xcalloc(maxf, sizeof(*idx));
	if (f)
		memo_init(&mm);
	for (i = 0; i < cur->gr.ngroups; i++) {
		const struct group *g = &cur->gr.groups[i];
		struct model_row *r = &(*rows)[n];
		size_t before, nshown, k;

		memset(r, 0, sizeof(*r));
		r->g = g;
		if (cur->soff) {
			r->states = cur->states + cur->soff[i];
			r->nstates = cur->soff[i + 1] - cur->soff[i];
		}
		r->ser = model_series_of(m, g->id);
		r->flags = leak_flags(m, g->id,
				      g->rep->status == SNAP_LEAKED,
				      &r->growth);
		if (r->flags & MROW_LEAK)
			q->nsuspects++;
		else if (undecided && rising(m, r->ser))
			r->flags |= MROW_RISING;
		if (q->leaks_only && !(r->flags & MROW_LEAK))
			continue;
		if (row_hidden(r, q->hide)) {
			q->nhidden++;
			continue;
		}
		if (f && !group_match(f, &mm, g) && !states_match(f, &mm, r))
			continue;
		nshown = group_shown_frames(g->rep, idx);
		if (nshown) {
			r->top = &g->rep->frames[idx[0]];
			r->start = &g->rep->frames[idx[nshown - 1]];
		}
		r->name = model_name_frame(g);
		for (k = 0; r->name && k + 1 < nshown; k++)
			if (&g->rep->frames[idx[k]] == r->name)
				r->caller = &g->rep->frames[idx[k + 1]];
		if (m->prev) {
			before = model_count_of(m->prev, g->id);
			r->dprev = (long long)g->count - (long long)before;
			if (r->dprev > 0)
				r->flags |= MROW_GROWING;
			if (!before)
				r->flags |= MROW_NEW;
		}
		if (m->base)
			r->dbase = (long long)g->count -
				   (long long)model_count_of(m->base, g->id);
		r->rank = order_rank(q->order, g->id);
		n++;
	}
	free(idx);
	if (f)
		memo_release(&mm);
	find_twins(*rows, n);
	ctx.key = q->key;
	ctx.reverse = q->reverse;
	ctx.pin = q->pin_suspects;
	if (q->leaks_only && q->key == MSORT_COUNT)
		/* Largest growth over the window first. */
		ctx.key = MSORT_GROWTH;
	qsort_r(*rows, n, sizeof(**rows), cmp_rows, &ctx);
	if (q->order)
		order_save(q->order, *rows, n);
	return n;
}

static int cmp_goid(const void *a, const void *b, void *arg)
{
	const struct snap *s = arg;
	uint64_t x = s->gs[*(const size_t *)a].goid;
	uint64_t y = s->gs[*(const size_t *)b].goid;

	return x < y ? -1 : x > y;
}

size_t model_members(const struct model *m, uint64_t id, size_t **out,
		     size_t *alloc)
{
	const struct model_snap *cur = m->cur;
	size_t gi, i, n = 0;

	gi = model_group_index(cur, id);
	if (gi == GROUP_NONE)
		return 0;
	if (*alloc < cur->gr.groups[gi].count + 1) {
		*alloc = cur->gr.groups[gi].count + 1;
		*out = xreallocarray(*out, *alloc, sizeof(**out));
	}
	for (i = 0; i < cur->snap->ngs && n < cur->gr.groups[gi].count; i++)
		if (cur->gr.of[i] == gi)
			(*out)[n++] = i;
	qsort_r(*out, n, sizeof(**out), cmp_goid, cur->snap);
	return n;
}

long model_find_goroutine(const struct model *m, uint64_t goid)
{
	size_t i;

	if (!m->cur)
		return -1;
	for (i = 0; i < m->cur->snap->ngs; i++)
		if (m->cur->snap->gs[i].goid == goid)
			return (long)i;
	return -1;
}

const struct diff *model_diff(const struct model *m,
			      const struct model_snap **old)
{
	const struct model_snap *o = m->base ? m->base : m->prev;

	if (old)
		*old = o && m->cur ? o : NULL;
	if (!o || !m->cur || !m->diff_valid || m->diff_a != o->snap ||
	    m->diff_b != m->cur->snap)
		return NULL;
	return &m->diff;
}

int model_diff_wanted(const struct model *m, const struct snap **a,
		      const struct snap **b)
{
	const struct model_snap *o;

	if (model_diff(m, &o) || !o)
		return 0;
	*a = o->snap;
	*b = m->cur->snap;
	return 1;
}

int model_diff_install(struct model *m, const struct snap *a,
		       const struct snap *b, enum group_level level,
		       struct diff *d)
{
	const struct snap *wa, *wb;

	if (level != m->level || !model_diff_wanted(m, &wa, &wb) ||
	    wa != a || wb != b)
		return -1;
	diff_invalidate(m);
	m->diff = *d;
	memset(d, 0, sizeof(*d));
	m->diff_valid = 1;
	m->diff_a = a;
	m->diff_b = b;
	return 0;
}

const struct diff *model_diff_now(struct model *m,
				  const struct model_snap **old)
{
	const struct snap *a, *b;
	struct diff d;

	if (model_diff_wanted(m, &a, &b)) {
		diff_snaps(a, b, m->level, m->flags, &d);
		model_diff_install(m, a, b, m->level, &d);
	}
	return model_diff(m, old);
}
