/* The generic chained hash map that doubles its table as it fills. */
#include <stdlib.h>
#include <string.h>

#include "lib/hashmap.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define HASHMAP_MIN_SIZE 64
/* The table doubles when count reaches 80 % of its buckets. */

static void alloc_table(struct hashmap *map, size_t size);
static void rehash(struct hashmap *map, size_t newsize);
static struct hashmap_entry **find_slot(const struct hashmap *map,
					const struct hashmap_entry *key,
					const void *keydata);

uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

uint32_t hash_mem(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ *b++) * 16777619u;
	return h;
}

uint32_t hash_u64(uint64_t v)
{
	/* splitmix64's finaliser */
	v ^= v >> 30;
	v *= 0xbf58476d1ce4e5b9ull;
	v ^= v >> 27;
	v *= 0x94d049bb133111ebull;
	v ^= v >> 31;
	return (uint32_t)(v ^ (v >> 32));
}

uint64_t hash64_mem(uint64_t h, const void *p, size_t len)
{
	const unsigned char *b = p;

	while (len--)
		h = (h ^ *b++) * 0x100000001b3ull;
	return h;
}

static void alloc_table(struct hashmap *map, size_t size)
{
	map->tablesize = size;
	map->table = xcalloc(size, sizeof(*map->table));
	map->grow_at = size - size / 5;	/* 80 % load */
}

void hashmap_init(struct hashmap *map, hashmap_cmp_fn cmp,
		  const void *cmpdata, size_t initial_size)
{
	size_t size = HASHMAP_MIN_SIZE;

	memset(map, 0, sizeof(*map));
	map->cmp = cmp;
	map->cmpdata = cmpdata;
	/* room for initial_size entries without growing */
	while (size - size / 5 <= initial_size &&
	       size < ((size_t)1 << (sizeof(size_t) * 8 - 2)))
		size <<= 1;
	alloc_table(map, size);
}

void hashmap_release(struct hashmap *map)
{
	if (!map)
		return;
	free(map->table);
	memset(map, 0, sizeof(*map));
}

void hashmap_release_free(struct hashmap *map)
{
	size_t i;

	if (!map || !map->table)
		return;
	for (i = 0; i < map->tablesize; i++) {
		struct hashmap_entry *e = map->table[i], *n;

		for (; e; e = n) {
			n = e->next;
			free(e);
		}
	}
	hashmap_release(map);
}

static void rehash(struct hashmap *map, size_t newsize)
{
	struct hashmap_entry **old = map->table;
	size_t oldsize = map->tablesize, i;

	alloc_table(map, newsize);
	for (i = 0; i < oldsize; i++) {
		struct hashmap_entry *e = old[i], *n;

		for (; e; e = n) {
			size_t b = e->hash & (newsize - 1);

			n = e->next;
			e->next = map->table[b];
			map->table[b] = e;
		}
	}
	free(old);
}

static struct hashmap_entry **find_slot(const struct hashmap *map,
					const struct hashmap_entry *key,
					const void *keydata)
{
	struct hashmap_entry **e = &map->table[key->hash & (map->tablesize - 1)];

	while (*e && ((*e)->hash != key->hash ||
		      map->cmp(map->cmpdata, *e, key, keydata)))
		e = &(*e)->next;
	return e;
}

struct hashmap_entry *hashmap_get(const struct hashmap *map,
				  const struct hashmap_entry *key,
				  const void *keydata)
{
	return *find_slot(map, key, keydata);
}

struct hashmap_entry *hashmap_get_next(const struct hashmap *map,
				       const struct hashmap_entry *entry)
{
	struct hashmap_entry *e = entry->next;

	for (; e; e = e->next)
		if (e->hash == entry->hash &&
		    !map->cmp(map->cmpdata, e, entry, NULL))
			return e;
	return NULL;
}

void hashmap_add(struct hashmap *map, struct hashmap_entry *entry)
{
	size_t b = entry->hash & (map->tablesize - 1);

	entry->next = map->table[b];
	map->table[b] = entry;
	if (++map->count >= map->grow_at &&
	    map->tablesize < ((size_t)1 << (sizeof(size_t) * 8 - 2)))
		rehash(map, map->tablesize << 1);
}

struct hashmap_entry *hashmap_put(struct hashmap *map,
				  struct hashmap_entry *entry)
{
	struct hashmap_entry *old = hashmap_remove(map, entry, NULL);

	hashmap_add(map, entry);
	return old;
}

struct hashmap_entry *hashmap_remove(struct hashmap *map,
				     const struct hashmap_entry *key,
				     const void *keydata)
{
	struct hashmap_entry **e = find_slot(map, key, keydata), *old = *e;

	if (!old)
		return NULL;
	*e = old->next;
	old->next = NULL;
	map->count--;
	return old;
}

void hashmap_iter_init(const struct hashmap *map, struct hashmap_iter *it)
{
	it->map = map;
	it->next = NULL;
	it->bucket = 0;
}

struct hashmap_entry *hashmap_iter_next(struct hashmap_iter *it)
{
	struct hashmap_entry *e = it->next;

	while (!e) {
		if (it->bucket >= it->map->tablesize)
			return NULL;
		e = it->map->table[it->bucket++];
	}
	it->next = e->next;
	return e;
}
