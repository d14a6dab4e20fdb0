/* Caches from PC to function, SP delta and inlined frames (lib/hashmap). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/pccache.h"
#include "lib/hashmap.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define MAX_INLINE 64

/* One PC's function and SP delta, looked up once. */
struct func_ent {
	struct hashmap_entry ent;
	uint64_t pc;
	int found;
	int32_t delta;
	struct pcln_func fn;
};

/* One PC's inlined frames, looked up once. */
struct frames_ent {
	struct hashmap_entry ent;
	uint64_t pc;
	int n;
	struct pcln_frame *frames;
};

struct pccache {
	const struct pclntab *t;
	struct hashmap funcs;	/* struct func_ent by pc */
	struct hashmap frames;	/* struct frames_ent by pc */
};

static int func_cmp(const void *cmpdata, const struct hashmap_entry *a,
		    const struct hashmap_entry *b, const void *keydata);
static int frames_cmp(const void *cmpdata, const struct hashmap_entry *a,
		      const struct hashmap_entry *b, const void *keydata);

static int func_cmp(const void *cmpdata, const struct hashmap_entry *a,
		    const struct hashmap_entry *b, const void *keydata)
{
	(void)cmpdata;
	return container_of(a, struct func_ent, ent)->pc !=
	       (keydata ? *(const uint64_t *)keydata
			: container_of(b, struct func_ent, ent)->pc);
}

static int frames_cmp(const void *cmpdata, const struct hashmap_entry *a,
		      const struct hashmap_entry *b, const void *keydata)
{
	(void)cmpdata;
	return container_of(a, struct frames_ent, ent)->pc !=
	       (keydata ? *(const uint64_t *)keydata
			: container_of(b, struct frames_ent, ent)->pc);
}

struct pccache *pccache_new(const struct pclntab *t)
{
	struct pccache *c = xcalloc(1, sizeof(*c));

	c->t = t;
	hashmap_init(&c->funcs, func_cmp, NULL, 1024);
	hashmap_init(&c->frames, frames_cmp, NULL, 1024);
	return c;
}

void pccache_free(struct pccache *c)
{
	struct hashmap_iter it;
	struct hashmap_entry *he;

	if (!c)
		return;
	hashmap_iter_init(&c->frames, &it);
	while ((he = hashmap_iter_next(&it)) != NULL)
		free(container_of(he, struct frames_ent, ent)->frames);
	hashmap_release_free(&c->frames);
	hashmap_release_free(&c->funcs);
	free(c);
}

int pccache_func(struct pccache *c, uint64_t pc, const struct pcln_func **f,
		 int32_t *delta)
{
	struct hashmap_entry key, *he;
	struct func_ent *e;

	hashmap_entry_init(&key, hash_u64(pc));
	he = hashmap_get(&c->funcs, &key, &pc);
	if (he) {
		e = container_of(he, struct func_ent, ent);
	} else {
		e = xcalloc(1, sizeof(*e));
		hashmap_entry_init(&e->ent, key.hash);
		e->pc = pc;
		hashmap_add(&c->funcs, &e->ent);
		e->found = pclntab_find(c->t, pc, &e->fn) == 0;
		if (!e->found ||
		    pclntab_spdelta(c->t, &e->fn, pc, &e->delta) < 0)
			e->delta = -1;
	}
	if (!e->found)
		return -ENOENT;
	*f = &e->fn;
	if (delta)
		*delta = e->delta;
	return 0;
}

int pccache_frames(struct pccache *c, const struct pcln_func *f, uint64_t pc,
		   const struct pcln_frame **frames)
{
	struct pcln_frame tmp[MAX_INLINE];
	struct hashmap_entry key, *he;
	struct frames_ent *e;
	int n;

	hashmap_entry_init(&key, hash_u64(pc));
	he = hashmap_get(&c->frames, &key, &pc);
	if (he) {
		e = container_of(he, struct frames_ent, ent);
	} else {
		e = xcalloc(1, sizeof(*e));
		hashmap_entry_init(&e->ent, key.hash);
		e->pc = pc;
		hashmap_add(&c->frames, &e->ent);
		n = pclntab_frames(c->t, f, pc, tmp, MAX_INLINE);
		e->n = n;
		if (n > 0) {
			e->frames = xcalloc((size_t)n, sizeof(*e->frames));
			memcpy(e->frames, tmp, (size_t)n * sizeof(*tmp));
		}
	}
	*frames = e->frames;
	return e->n;
}
