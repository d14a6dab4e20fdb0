/*
 * One generic hash map for the whole tree, on the model of git's hashmap.h:
 * entries are embedded in the caller's structs (struct hashmap_entry as a
 * member), chained per bucket, and the table doubles when it fills, so
 * lookups stay O(1) however many entries there are.
 *
 *	struct item { struct hashmap_entry ent; uint64_t key; ... };
 *
 *	static int item_cmp(const void *data, const struct hashmap_entry *a,
 *			    const struct hashmap_entry *b, const void *keydata)
 *	{ ... return 0 when equal ... }
 *
 *	hashmap_init(&map, item_cmp, NULL, 0);
 *	hashmap_entry_init(&it->ent, hash_u64(it->key));
 *	hashmap_add(&map, &it->ent);
 *	e = hashmap_get(&map, &probe.ent, NULL);
 *	it = e ? container_of(e, struct item, ent) : NULL;
 *
 * The map never owns entries: hashmap_release() frees only the table
 * (hashmap_release_free() also frees each entry, for entries that are the
 * first member of a heap block).
 */
#ifndef GOSCOPE_LIB_HASHMAP_H
#define GOSCOPE_LIB_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

#ifndef container_of
#define container_of(ptr, type, member)                                        \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))
#endif

struct hashmap_entry {
	struct hashmap_entry *next;
	uint32_t hash;
};

/*
 * Compares the entry a (in the map) with the lookup key b; keydata, when
 * not NULL, is the key passed to hashmap_get() and may be used instead
 * of b's fields.  Returns 0 when they are equal.
 */
typedef int (*hashmap_cmp_fn)(const void *cmpdata,
			      const struct hashmap_entry *a,
			      const struct hashmap_entry *b,
			      const void *keydata);

struct hashmap {
	struct hashmap_entry **table;
	hashmap_cmp_fn cmp;
	const void *cmpdata;
	size_t count;	   /* entries stored */
	size_t tablesize;  /* buckets, a power of two */
	size_t grow_at;	   /* count at which the table doubles */
};

struct hashmap_iter {
	const struct hashmap *map;
	struct hashmap_entry *next;
	size_t bucket;
};

/* FNV-1a (32 bit) of a NUL-terminated string or of len bytes. */
uint32_t hash_str(const char *s);
uint32_t hash_mem(const void *p, size_t len);
/* Mixes a 64-bit integer (pointers, ids) into 32 well-spread bits. */
uint32_t hash_u64(uint64_t v);
/* FNV-1a (64 bit), for callers that need a wide stable digest. */
uint64_t hash64_mem(uint64_t h, const void *p, size_t len);
#define HASH64_INIT 0xcbf29ce484222325ull

/*
 * Prepares an empty map; initial_size is a hint of the number of entries
 * (0: a small default).  cmp must not be NULL.
 */
void hashmap_init(struct hashmap *map, hashmap_cmp_fn cmp,
		  const void *cmpdata, size_t initial_size);
/* Frees the table only; the map must be initialised again before reuse. */
void hashmap_release(struct hashmap *map);
/* Frees the table and every entry with free() (the entry must be the
 * address of its heap block). */
void hashmap_release_free(struct hashmap *map);

static inline void hashmap_entry_init(struct hashmap_entry *e, uint32_t hash)
{
	e->next = NULL;
	e->hash = hash;
}

static inline size_t hashmap_count(const struct hashmap *map)
{
	return map->count;
}

/*
 * Returns the first entry equal to key (same hash, cmp returns 0), or
 * NULL.  keydata is passed to cmp.
 */
struct hashmap_entry *hashmap_get(const struct hashmap *map,
				  const struct hashmap_entry *key,
				  const void *keydata);
/* Returns the next entry equal to the one entry (for duplicate keys). */
struct hashmap_entry *hashmap_get_next(const struct hashmap *map,
				       const struct hashmap_entry *entry);
/* Adds entry (duplicates are allowed); the map grows as needed. */
void hashmap_add(struct hashmap *map, struct hashmap_entry *entry);
/* Adds entry, replacing an equal one; returns the replaced entry or NULL. */
struct hashmap_entry *hashmap_put(struct hashmap *map,
				  struct hashmap_entry *entry);
/* Removes and returns the first entry equal to key, or NULL. */
struct hashmap_entry *hashmap_remove(struct hashmap *map,
				     const struct hashmap_entry *key,
				     const void *keydata);

/* Iteration in no particular order; the map must not change meanwhile. */
void hashmap_iter_init(const struct hashmap *map, struct hashmap_iter *it);
struct hashmap_entry *hashmap_iter_next(struct hashmap_iter *it);

#endif
