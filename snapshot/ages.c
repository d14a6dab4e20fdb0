/* First-seen times of goroutine ids across snapshots of one process. */
#include <stdlib.h>
#include <string.h>

#include "lib/hashmap.h"
#include "snapshot/ages.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

struct seen {
	struct hashmap_entry ent;
	uint64_t goid;
	int64_t first, born_after;
	size_t seq;		/* the last update that had it */
};

struct ages {
	struct hashmap ids;	/* struct seen by goid */
	size_t seq;		/* updates so far */
	int64_t last;		/* time of the last update */
};

static int seen_cmp(const void *data, const struct hashmap_entry *a,
		    const struct hashmap_entry *b, const void *key);

static int seen_cmp(const void *data, const struct hashmap_entry *a,
		    const struct hashmap_entry *b, const void *key)
{
	(void)data;
	(void)key;
	return container_of(a, const struct seen, ent)->goid !=
	       container_of(b, const struct seen, ent)->goid;
}

struct ages *ages_new(void)
{
	struct ages *a = xcalloc(1, sizeof(*a));

	hashmap_init(&a->ids, seen_cmp, NULL, 0);
	return a;
}

void ages_reset(struct ages *a)
{
	hashmap_release_free(&a->ids);
	hashmap_init(&a->ids, seen_cmp, NULL, 0);
	a->seq = 0;
	a->last = 0;
}

void ages_free(struct ages *a)
{
	if (!a)
		return;
	hashmap_release_free(&a->ids);
	free(a);
}

size_t ages_update(struct ages *a, struct snap *s)
{
	struct hashmap_iter it;
	struct hashmap_entry *e;
	struct seen **gone = NULL;
	size_t i, ngone = 0, agone = 0, dropped = 0;

	a->seq++;
	for (i = 0; i < s->ngs; i++) {
		struct snap_goroutine *g = &s->gs[i];
		struct seen probe, *sn;

		probe.goid = g->goid;
		hashmap_entry_init(&probe.ent, hash_u64(g->goid));
		e = hashmap_get(&a->ids, &probe.ent, NULL);
		if (e) {
			sn = container_of(e, struct seen, ent);
		} else {
			sn = xcalloc(1, sizeof(*sn));
			sn->goid = g->goid;
			sn->first = s->time_unix_ns;
			sn->born_after = a->seq > 1 ? a->last : 0;
			hashmap_entry_init(&sn->ent, probe.ent.hash);
			hashmap_add(&a->ids, &sn->ent);
		}
		/* A saved snapshot may remember an earlier sighting. */
		if (g->first_seen_ns > 0 && g->first_seen_ns < sn->first) {
			sn->first = g->first_seen_ns;
			sn->born_after = 0;
		}
		/* Of two bounds on its birth, the later is the closer. */
		if (g->first_seen_ns == sn->first &&
		    g->born_after_ns > sn->born_after &&
		    g->born_after_ns < sn->first)
			sn->born_after = g->born_after_ns;
		sn->seq = a->seq;
		g->first_seen_ns = sn->first;
		g->born_after_ns = sn->born_after;
		if (sn->born_after && g->wait_ns >= 0 &&
		    g->wait_ns > s->time_unix_ns - sn->born_after) {
			g->wait_ns = -1;
			dropped++;
		}
	}
	hashmap_iter_init(&a->ids, &it);
	while ((e = hashmap_iter_next(&it))) {
		struct seen *sn = container_of(e, struct seen, ent);

		if (sn->seq == a->seq)
			continue;
		if (ngone == agone) {
			agone = agone ? 2 * agone : 64;
			gone = xreallocarray(gone, agone, sizeof(*gone));
		}
		gone[ngone++] = sn;
	}
	for (i = 0; i < ngone; i++) {
		hashmap_remove(&a->ids, &gone[i]->ent, NULL);
		free(gone[i]);
	}
	free(gone);
	a->last = s->time_unix_ns;
	return dropped;
}
