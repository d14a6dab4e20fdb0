/* Hash tables from PC to function, SP delta and inlined frames. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/pccache.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define MAX_INLINE 64

struct func_ent {
	uint64_t pc;
	int used;
	int found;
	int32_t delta;
	struct pcln_func fn;
};

struct frames_ent {
	uint64_t pc;
	int used;
	int n;
	struct pcln_frame *frames;
};

struct pccache {
	const struct pclntab *t;
	struct func_ent *funcs;
	size_t nfuncs, capfuncs;
	struct frames_ent *frames;
	size_t nframes, capframes;
};

static size_t slot(uint64_t pc, size_t cap)
{
	pc ^= pc >> 33;
	pc *= 0xff51afd7ed558ccdull;
	pc ^= pc >> 33;
	return (size_t)(pc & (cap - 1));
}

static void grow_funcs(struct pccache *c)
{
	struct func_ent *old = c->funcs;
	size_t oldcap = c->capfuncs, i, j;

	c->capfuncs = oldcap ? oldcap * 2 : 1024;
	c->funcs = xcalloc(c->capfuncs, sizeof(*c->funcs));
	for (i = 0; i < oldcap; i++) {
		if (!old[i].used)
			continue;
		j = slot(old[i].pc, c->capfuncs);
		while (c->funcs[j].used)
			j = (j + 1) & (c->capfuncs - 1);
		c->funcs[j] = old[i];
	}
	free(old);
}

static void grow_frames(struct pccache *c)
{
	struct frames_ent *old = c->frames;
	size_t oldcap = c->capframes, i, j;

	c->capframes = oldcap ? oldcap * 2 : 1024;
	c->frames = xcalloc(c->capframes, sizeof(*c->frames));
	for (i = 0; i < oldcap; i++) {
		if (!old[i].used)
			continue;
		j = slot(old[i].pc, c->capframes);
		while (c->frames[j].used)
			j = (j + 1) & (c->capframes - 1);
		c->frames[j] = old[i];
	}
	free(old);
}

struct pccache *pccache_new(const struct pclntab *t)
{
	struct pccache *c = xcalloc(1, sizeof(*c));

	c->t = t;
	grow_funcs(c);
	grow_frames(c);
	return c;
}

void pccache_free(struct pccache *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->capframes; i++)
		free(c->frames[i].frames);
	free(c->frames);
	free(c->funcs);
	free(c);
}

int pccache_func(struct pccache *c, uint64_t pc, const struct pcln_func **f,
		 int32_t *delta)
{
	struct func_ent *e;
	size_t j;

	if ((c->nfuncs + 1) * 2 > c->capfuncs)
		grow_funcs(c);
	j = slot(pc, c->capfuncs);
	while (c->funcs[j].used && c->funcs[j].pc != pc)
		j = (j + 1) & (c->capfuncs - 1);
	e = &c->funcs[j];
	if (!e->used) {
		e->used = 1;
		e->pc = pc;
		c->nfuncs++;
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
	struct frames_ent *e;
	size_t j;
	int n;

	if ((c->nframes + 1) * 2 > c->capframes)
		grow_frames(c);
	j = slot(pc, c->capframes);
	while (c->frames[j].used && c->frames[j].pc != pc)
		j = (j + 1) & (c->capframes - 1);
	e = &c->frames[j];
	if (!e->used) {
		e->used = 1;
		e->pc = pc;
		c->nframes++;
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
