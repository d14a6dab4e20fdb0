/* The bump arena and the string intern table built on lib/hashmap. */
#include <stdlib.h>
#include <string.h>

#include "lib/bigmem.h"
#include "lib/intern.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

/*
 * Chunks start at 16 KiB and double up to 32 MiB; from 1 MiB on they are
 * lib/bigmem mappings (huge pages: a snapshot of 100,000 goroutines puts
 * ~200 MB in its arena, ~50,000 page faults with 4 KiB pages).
 */
#define ARENA_FIRST_CHUNK (16u << 10)
#define ARENA_MAX_CHUNK (32u << 20)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	int big;			/* from bigmem_alloc */
	/* the data follows, aligned to 16 */
	char data[] __attribute__((aligned(16)));
};

struct intern_ent {
	struct hashmap_entry ent;
	size_t len;
	char str[];
};

struct intern_key {
	const char *p;
	size_t len;
};

static int intern_cmp(const void *cmpdata, const struct hashmap_entry *a,
		      const struct hashmap_entry *b, const void *keydata);
static const struct intern_ent *lookup(const struct intern *in,
				       const char *p, size_t len,
				       uint32_t hash);

void arena_init(struct arena *a)
{
	memset(a, 0, sizeof(*a));
}

void arena_release(struct arena *a)
{
	struct arena_chunk *c, *n;

	if (!a)
		return;
	for (c = a->chunks; c; c = n) {
		n = c->next;
		if (c->big)
			bigmem_free(c);
		else
			free(c);
	}
	memset(a, 0, sizeof(*a));
}

static struct arena_chunk *chunk_new(size_t size)
{
	struct arena_chunk *c;
	int big = size >= BIGMEM_MIN;

	if (size > SIZE_MAX - sizeof(*c))
		xalloc_die(size);
	c = big ? bigmem_alloc(sizeof(*c) + size) : xmalloc(sizeof(*c) + size);
	c->size = size;
	c->big = big;
	return c;
}

void *arena_alloc(struct arena *a, size_t size)
{
	struct arena_chunk *c;
	size_t want, csize;
	void *p;

	size = (size + 7) & ~(size_t)7;
	if (!size)
		size = 8;
	if (size > a->left) {
		csize = a->chunks ? a->chunks->size * 2 : ARENA_FIRST_CHUNK;
		if (csize > ARENA_MAX_CHUNK)
			csize = ARENA_MAX_CHUNK;
		want = size > csize / 4 ? size : csize;
		if (want == size) {
			/* a large block gets a chunk of its own, kept
			 * behind the current one so that its free space
			 * is not lost */
			c = chunk_new(size);
			a->reserved += size;
			a->used += size;
			if (a->chunks) {
				c->next = a->chunks->next;
				a->chunks->next = c;
			} else {
				c->next = NULL;
				a->chunks = c;
			}
			return c->data;
		}
		c = chunk_new(csize);
		c->next = a->chunks;
		a->chunks = c;
		a->cur = c->data;
		a->left = csize;
		a->reserved += csize;
	}
	p = a->cur;
	a->cur += size;
	a->left -= size;
	a->used += size;
	return p;
}

char *arena_memdupz(struct arena *a, const void *p, size_t len)
{
	char *s = arena_alloc(a, len + 1);

	if (len)
		memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_memdupz(a, s, strlen(s));
}

static int intern_cmp(const void *cmpdata, const struct hashmap_entry *a,
		      const struct hashmap_entry *b, const void *keydata)
{
	const struct intern_ent *ea = container_of(a, struct intern_ent, ent);
	const struct intern_key *k = keydata;

	(void)cmpdata;
	if (k)
		return ea->len != k->len || memcmp(ea->str, k->p, k->len);
	{
		const struct intern_ent *eb =
			container_of(b, struct intern_ent, ent);

		return ea->len != eb->len || memcmp(ea->str, eb->str, ea->len);
	}
}

void intern_init(struct intern *in)
{
	arena_init(&in->arena);
	hashmap_init(&in->map, intern_cmp, NULL, 0);
}

void intern_release(struct intern *in)
{
	if (!in)
		return;
	hashmap_release(&in->map);
	arena_release(&in->arena);
}

static const struct intern_ent *lookup(const struct intern *in,
				       const char *p, size_t len,
				       uint32_t hash)
{
	struct intern_key k = { p, len };
	struct hashmap_entry probe;
	struct hashmap_entry *e;

	hashmap_entry_init(&probe, hash);
	e = hashmap_get(&in->map, &probe, &k);
	return e ? container_of(e, struct intern_ent, ent) : NULL;
}

const char *intern_mem(struct intern *in, const void *p, size_t len)
{
	uint32_t hash = hash_mem(p, len);
	const struct intern_ent *found = lookup(in, p, len, hash);
	struct intern_ent *e;

	if (found)
		return found->str;
	e = arena_alloc(&in->arena, sizeof(*e) + len + 1);
	hashmap_entry_init(&e->ent, hash);
	e->len = len;
	if (len)
		memcpy(e->str, p, len);
	e->str[len] = '\0';
	hashmap_add(&in->map, &e->ent);
	return e->str;
}

const char *intern_str(struct intern *in, const char *str)
{
	return str ? intern_mem(in, str, strlen(str)) : NULL;
}

const char *intern_find(const struct intern *in, const char *str)
{
	size_t len;
	const struct intern_ent *e;

	if (!str)
		return NULL;
	len = strlen(str);
	e = lookup(in, str, len, hash_mem(str, len));
	return e ? e->str : NULL;
}
