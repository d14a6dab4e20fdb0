/* Snapshot lifetime and string interning. */
#include <stdlib.h>
#include <string.h>

#include "snapshot/snap.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define INTERN_BUCKETS 4096

struct intern_ent {
	struct intern_ent *next;
	char str[];
};

struct snap_arena {
	struct intern_ent *buckets[INTERN_BUCKETS];
};

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

const char *snap_intern(struct snap *s, const char *str)
{
	struct intern_ent **b, *e;
	size_t len;

	if (!str)
		return NULL;
	b = &s->arena->buckets[hash_str(str) % INTERN_BUCKETS];
	for (e = *b; e; e = e->next)
		if (!strcmp(e->str, str))
			return e->str;
	len = strlen(str);
	e = xmalloc(sizeof(*e) + len + 1);
	memcpy(e->str, str, len + 1);
	e->next = *b;
	*b = e;
	return e->str;
}

struct snap *snap_new(void)
{
	struct snap *s = xcalloc(1, sizeof(*s));

	s->arena = xcalloc(1, sizeof(*s->arena));
	return s;
}

void snap_free(struct snap *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->ngs; i++) {
		free(s->gs[i].frames);
		free(s->gs[i].labels);
	}
	free(s->gs);
	for (i = 0; i < s->nthreads; i++)
		free(s->threads[i].nframes);
	free(s->threads);
	for (i = 0; i < INTERN_BUCKETS; i++) {
		struct intern_ent *e = s->arena->buckets[i], *n;

		for (; e; e = n) {
			n = e->next;
			free(e);
		}
	}
	free(s->arena);
	free(s->exe);
	free(s->go_version);
	free(s->layout_source);
	free(s);
}
