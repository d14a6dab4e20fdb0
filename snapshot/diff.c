/* Snapshot diffs: matched groups, goroutines by id, totals by state. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot/diff.h"
#include "lib/hashmap.h"
#include "lib/intern.h"
#include "lib/xmalloc.h"
#include "lib/jstr.h"
#include "lib/banned.h"

/* Goroutine or group id -> index + 1, on lib/hashmap. */
struct idmap {
	struct hashmap map;
	struct arena ents;	/* struct ident */
};

struct ident {
	struct hashmap_entry ent;
	uint64_t key;
	size_t val;		/* index + 1 */
};

static int ident_cmp(const void *data, const struct hashmap_entry *a,
		     const struct hashmap_entry *b, const void *key);
static void idmap_init(struct idmap *m, size_t n);
static void idmap_release(struct idmap *m);
static size_t *idmap_slot(struct idmap *m, uint64_t key, int insert);
static void count_states(struct diff *d, const struct grouping *gr,
			 int after);
static void by_id(struct diff *d, size_t *dg_of_b);
static int rank(const struct diff_group *g);
static int cmp_group(const void *x, const void *y);
static const char *leak_word(int state);
static void fmt_delta(struct strbuf *out, size_t before, size_t after);
static json_t *frame_obj(const struct snap_frame *f);

static int ident_cmp(const void *data, const struct hashmap_entry *a,
		     const struct hashmap_entry *b, const void *key)
{
	(void)data;
	(void)key;
	return container_of(a, struct ident, ent)->key !=
	       container_of(b, struct ident, ent)->key;
}

static void idmap_init(struct idmap *m, size_t n)
{
	hashmap_init(&m->map, ident_cmp, NULL, n);
	arena_init(&m->ents);
}

static void idmap_release(struct idmap *m)
{
	hashmap_release(&m->map);
	arena_release(&m->ents);
}

/* The value of key (its first occurrence); with insert, a new entry's
 * (0) when key is absent.  NULL when absent and !insert. */
static size_t *idmap_slot(struct idmap *m, uint64_t key, int insert)
{
	struct ident probe, *e;
	struct hashmap_entry *he;

	probe.key = key;
	hashmap_entry_init(&probe.ent, hash_u64(key));
	he = hashmap_get(&m->map, &probe.ent, NULL);
	if (he)
		return &container_of(he, struct ident, ent)->val;
	if (!insert)
		return NULL;
	e = arena_alloc(&m->ents, sizeof(*e));
	hashmap_entry_init(&e->ent, probe.ent.hash);
	e->key = key;
	e->val = 0;
	hashmap_add(&m->map, &e->ent);
	return &e->val;
}

static void count_states(struct diff *d, const struct grouping *gr,
			 int after)
{
	size_t i, k, alloc = d->nstates;

	for (i = 0; i < gr->ngroups; i++) {
		const char *st = gr->groups[i].rep->status_str;

		if (!st)
			st = "?";
		for (k = 0; k < d->nstates; k++)
			if (!strcmp(d->states[k].state, st))
				break;
		if (k == d->nstates) {
			if (d->nstates == alloc) {
				alloc = alloc ? alloc * 2 : 16;
				d->states = xreallocarray(d->states, alloc,
							  sizeof(*d->states));
			}
			memset(&d->states[k], 0, sizeof(d->states[k]));
			d->states[k].state = st;
			d->nstates++;
		}
		if (after)
			d->states[k].after += gr->groups[i].count;
		else
			d->states[k].before += gr->groups[i].count;
	}
}

/* Goroutines by id: new, exited, persisted (same group), moved. */
static void by_id(struct diff *d, size_t *dg_of_b)
{
	const struct snap *a = d->a.snap, *b = d->b.snap;
	struct idmap m;
	char *seen;
	size_t i, *slot;

	for (i = 0; i < a->ngs && !d->ids_known; i++)
		d->ids_known = d->a.of[i] != GROUP_NONE && a->gs[i].goid;
	if (d->ids_known) {
		d->ids_known = 0;
		for (i = 0; i < b->ngs && !d->ids_known; i++)
			d->ids_known = d->b.of[i] != GROUP_NONE &&
				       b->gs[i].goid;
	}
	if (!d->ids_known)
		return;
	idmap_init(&m, a->ngs);
	seen = xcalloc(a->ngs + 1, 1);
	for (i = 0; i < a->ngs; i++) {
		if (d->a.of[i] == GROUP_NONE)
			continue;
		slot = idmap_slot(&m, a->gs[i].goid, 1);
		if (!*slot)
			*slot = i + 1;
	}
	for (i = 0; i < b->ngs; i++) {
		const struct snap_goroutine *g = &b->gs[i];
		size_t ai;

		if (d->b.of[i] == GROUP_NONE)
			continue;
		slot = idmap_slot(&m, g->goid, 0);
		if (!slot || seen[*slot - 1]) {
			d->n_new++;
			continue;
		}
		ai = *slot - 1;
		seen[ai] = 1;
		if (d->a.groups[d->a.of[ai]].id !=
		    d->b.groups[d->b.of[i]].id) {
			d->n_moved++;
			continue;
		}
		d->n_persisted++;
		d->groups[dg_of_b[d->b.of[i]]].persisted++;
		if (d->npersisted_ids < DIFF_MAX_IDS ||
		    g->goid < d->persisted_ids[DIFF_MAX_IDS - 1]) {
			size_t k = d->npersisted_ids < DIFF_MAX_IDS
					   ? d->npersisted_ids++
					   : DIFF_MAX_IDS - 1;

			while (k > 0 && d->persisted_ids[k - 1] > g->goid) {
				d->persisted_ids[k] = d->persisted_ids[k - 1];
				k--;
			}
			d->persisted_ids[k] = g->goid;
		}
	}
	for (i = 0; i < a->ngs; i++)
		if (d->a.of[i] != GROUP_NONE && !seen[i])
			d->n_exited++;
	free(seen);
	idmap_release(&m);
}

static int rank(const struct diff_group *g)
{
	const struct group *any = g->new ? g->new : g->old;

	if (g->after > g->before)
		return any->blocked ? 0 : 1;
	if (g->after < g->before)
		return 2;
	return 3;
}

static int cmp_group(const void *x, const void *y)
{
	const struct diff_group *a = x, *b = y;
	size_t da, db;
	int ra = rank(a), rb = rank(b);

	if (ra != rb)
		return ra - rb;
	da = a->after > a->before ? a->after - a->before
				  : a->before - a->after;
	db = b->after > b->before ? b->after - b->before
				  : b->before - b->after;
	if (da != db)
		return da > db ? -1 : 1;
	if (a->after != b->after)
		return a->after > b->after ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

void diff_snaps(const struct snap *a, const struct snap *b,
		enum group_level level, unsigned int flags, struct diff *out)
{
	struct idmap m;
	size_t i, *slot, *dg_of_b, n = 0;
	char *matched;

	memset(out, 0, sizeof(*out));
	group_snap(a, level, flags, NULL, &out->a);
	group_snap(b, level, flags, NULL, &out->b);
	out->dt_ns = a->time_unix_ns && b->time_unix_ns
			     ? b->time_unix_ns - a->time_unix_ns : -1;
	out->groups = xcalloc(out->a.ngroups + out->b.ngroups + 1,
			      sizeof(*out->groups));
	dg_of_b = xcalloc(out->b.ngroups + 1, sizeof(*dg_of_b));
	matched = xcalloc(out->b.ngroups + 1, 1);
	idmap_init(&m, out->b.ngroups);
	for (i = 0; i < out->b.ngroups; i++) {
		slot = idmap_slot(&m, out->b.groups[i].id, 1);
		if (!*slot)
			*slot = i + 1;
	}
	for (i = 0; i < out->a.ngroups; i++) {
		struct diff_group *dg = &out->groups[n++];
		const struct group *og = &out->a.groups[i];

		dg->id = og->id;
		dg->old = og;
		dg->before = og->count;
		slot = idmap_slot(&m, og->id, 0);
		if (slot && !matched[*slot - 1]) {
			matched[*slot - 1] = 1;
			dg->new = &out->b.groups[*slot - 1];
			dg->after = dg->new->count;
			dg_of_b[*slot - 1] = n - 1;
		}
	}
	for (i = 0; i < out->b.ngroups; i++) {
		struct diff_group *dg;

		if (matched[i])
			continue;
		dg = &out->groups[n++];
		dg->id = out->b.groups[i].id;
		dg->new = &out->b.groups[i];
		dg->after = dg->new->count;
		dg_of_b[i] = n - 1;
	}
	out->ngroups = n;
	for (i = 0; i < n; i++) {
		struct diff_group *dg = &out->groups[i];

		dg->change = !dg->old ? DIFF_NEW : !dg->new ? DIFF_GONE
			     : dg->after > dg->before ? DIFF_GROWN
			     : dg->after < dg->before ? DIFF_SHRUNK
			     : DIFF_SAME;
	}
	by_id(out, dg_of_b);
	for (i = 0; i < n; i++)
		out->count[out->groups[i].change]++;
	qsort(out->groups, n, sizeof(*out->groups), cmp_group);
	count_states(out, &out->a, 0);
	count_states(out, &out->b, 1);
	idmap_release(&m);
	free(matched);
	free(dg_of_b);
}

void diff_release(struct diff *d)
{
	grouping_release(&d->a);
	grouping_release(&d->b);
	free(d->groups);
	free(d->states);
	memset(d, 0, sizeof(*d));
}

const char *diff_change_name(enum diff_change c)
{
	static const char *const names[] = {
		"new", "grown", "shrunk", "gone", "same",
	};

	return names[c];
}

/* A group's verdict in one word: "suspect", "stable", "undecided". */
static const char *leak_word(int state)
{
	return state == LEAK_SUSPECT ? "suspect"
	       : state == LEAK_STABLE ? "stable" : "undecided";
}

static void fmt_delta(struct strbuf *out, size_t before, size_t after)
{
	strbuf_addf(out, "%zu -> %zu (%s%lld)", before, after,
		    after >= before ? "+" : "-",
		    (long long)(after >= before ? after - before
						: before - after));
}

void diff_fmt_text(const struct diff *d, struct strbuf *out)
{
	size_t i;

	strbuf_adds(out, "goroutines ");
	fmt_delta(out, d->a.ngrouped, d->b.ngrouped);
	if (d->dt_ns >= 0)
		strbuf_addf(out, " in %.1fs", (double)d->dt_ns / 1e9);
	strbuf_addc(out, '\n');
	if (d->ids_known) {
		strbuf_addf(out, "by id: %zu new, %zu exited, %zu persisted",
			    d->n_new, d->n_exited, d->n_persisted);
		if (d->dt_ns >= 0 && d->n_persisted)
			strbuf_addf(out, " (stuck at least %.1fs)",
				    (double)d->dt_ns / 1e9);
		strbuf_addf(out, ", %zu moved to another group\n",
			    d->n_moved);
		if (d->npersisted_ids) {
			strbuf_adds(out, "persisted ids:");
			for (i = 0; i < d->npersisted_ids; i++)
				strbuf_addf(out, " %llu", (unsigned long long)
					    d->persisted_ids[i]);
			if (d->n_persisted > d->npersisted_ids)
				strbuf_adds(out, " ...");
			strbuf_addc(out, '\n');
		}
	} else {
		strbuf_adds(out, "by id: not available (a side has no "
				 "goroutine ids)\n");
	}
	strbuf_adds(out, "by state:\n");
	for (i = 0; i < d->nstates; i++) {
		strbuf_addf(out, "  %-28s ", d->states[i].state);
		fmt_delta(out, d->states[i].before, d->states[i].after);
		strbuf_addc(out, '\n');
	}
	strbuf_addf(out, "groups (level %s): %zu new, %zu grown, %zu shrunk, "
		    "%zu gone, %zu same\n", group_level_name(d->a.level),
		    d->count[DIFF_NEW], d->count[DIFF_GROWN],
		    d->count[DIFF_SHRUNK], d->count[DIFF_GONE],
		    d->count[DIFF_SAME]);
	for (i = 0; i < d->ngroups; i++) {
		const struct diff_group *g = &d->groups[i];
		const struct group *any = g->new ? g->new : g->old;

		if (g->change == DIFF_SAME &&
		    !(d->nseries && g->leak == LEAK_SUSPECT))
			continue;
		strbuf_addf(out, "  %s%zu  %zu -> %zu  %-6s [%s]  group ",
			    g->after >= g->before ? "+" : "-",
			    g->after >= g->before ? g->after - g->before
						  : g->before - g->after,
			    g->before, g->after, diff_change_name(g->change),
			    any->rep->status_str);
		group_fmt_id(out, g->id);
		if (g->persisted)
			strbuf_addf(out, ", %zu persisted", g->persisted);
		if (d->nseries)
			strbuf_addf(out, "  [%s]", leak_word(g->leak));
		strbuf_addc(out, '\n');
		if (any->user)
			strbuf_addf(out, "      user frame  %s at %s:%d\n",
				    any->user->func, any->user->file,
				    any->user->line);
		if (any->creator)
			strbuf_addf(out, "      created by  %s at %s:%d\n",
				    any->creator->func, any->creator->file,
				    any->creator->line);
	}
	if (d->nseries && d->verdict_text)
		strbuf_adds(out, d->verdict_text);
}

static json_t *frame_obj(const struct snap_frame *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "func", jstr(f->func));
	json_object_set_new(o, "file", jstr(f->file));
	json_object_set_new(o, "line", json_integer(f->line));
	return o;
}

void diff_fmt_json(const struct diff *d, struct strbuf *out)
{
	json_t *root = json_object(), *o, *arr;
	size_t i;
	char *text;

	json_object_set_new(root, "schema", json_string("goscope.diff/1"));
	json_object_set_new(root, "level",
			    json_string(group_level_name(d->a.level)));
	json_object_set_new(root, "dt_ns", d->dt_ns >= 0
			    ? json_integer(d->dt_ns) : json_null());
	if (d->nseries)
		json_object_set_new(root, "snapshots",
				    json_integer((json_int_t)d->nseries));
	o = json_object();
	json_object_set_new(o, "before", json_integer((json_int_t)
						      d->a.ngrouped));
	json_object_set_new(o, "after", json_integer((json_int_t)
						     d->b.ngrouped));
	json_object_set_new(root, "goroutines", o);
	if (d->ids_known) {
		o = json_object();
		json_object_set_new(o, "new", json_integer((json_int_t)
							   d->n_new));
		json_object_set_new(o, "exited", json_integer((json_int_t)
							      d->n_exited));
		json_object_set_new(o, "persisted", json_integer((json_int_t)
							d->n_persisted));
		json_object_set_new(o, "moved", json_integer((json_int_t)
							     d->n_moved));
		arr = json_array();
		for (i = 0; i < d->npersisted_ids; i++)
			json_array_append_new(arr, json_integer(
				(json_int_t)d->persisted_ids[i]));
		json_object_set_new(o, "persisted_ids", arr);
		json_object_set_new(root, "by_id", o);
	} else {
		json_object_set_new(root, "by_id", json_null());
	}
	arr = json_array();
	for (i = 0; i < d->nstates; i++) {
		o = json_object();
		json_object_set_new(o, "state", jstr(d->states[i].state));
		json_object_set_new(o, "before", json_integer((json_int_t)
					    d->states[i].before));
		json_object_set_new(o, "after", json_integer((json_int_t)
					    d->states[i].after));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "states", arr);
	arr = json_array();
	for (i = 0; i < d->ngroups; i++) {
		const struct diff_group *g = &d->groups[i];
		const struct group *any = g->new ? g->new : g->old;
		struct strbuf id;

		o = json_object();
		strbuf_init(&id);
		group_fmt_id(&id, g->id);
		json_object_set_new(o, "id", json_string(id.buf));
		strbuf_release(&id);
		json_object_set_new(o, "change",
				    json_string(diff_change_name(g->change)));
		json_object_set_new(o, "before", json_integer((json_int_t)
							      g->before));
		json_object_set_new(o, "after", json_integer((json_int_t)
							     g->after));
		json_object_set_new(o, "persisted", json_integer((json_int_t)
							g->persisted));
		json_object_set_new(o, "state", jstr(any->rep->status_str));
		json_object_set_new(o, "blocked", json_boolean(any->blocked));
		json_object_set_new(o, "user_frame", any->user
				    ? frame_obj(any->user) : json_null());
		json_object_set_new(o, "created_by", any->creator
				    ? frame_obj(any->creator) : json_null());
		if (d->nseries)
			json_object_set_new(o, "leak",
					    json_string(leak_word(g->leak)));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "groups", arr);
	if (d->nseries) {
		json_t *v = d->verdict_json
				    ? json_loads(d->verdict_json, 0, NULL)
				    : NULL;

		json_object_set_new(root, "verdict", v ? v : json_null());
	}
	text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text) {
		strbuf_adds(out, text);
		strbuf_addc(out, '\n');
		free(text);
	}
	json_decref(root);
}
