/*
 * A bump arena and a string intern table on top of it.
 *
 * struct arena hands out memory from large chunks that are freed together
 * (one free per chunk, not per string); struct intern keeps one copy of
 * each distinct string in an arena and finds it again through a growing
 * lib/hashmap, so interning n strings costs O(n) whatever their number.
 *
 * Text that is unique per item (argument words, label values of one
 * request) belongs in an arena with arena_memdupz(), not in the intern
 * table: interning it only grows the table without sharing anything.
 */
#ifndef GOSCOPE_LIB_INTERN_H
#define GOSCOPE_LIB_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "lib/hashmap.h"

struct arena_chunk;

struct arena {
	struct arena_chunk *chunks;
	char *cur;	  /* next free byte of the newest chunk */
	size_t left;	  /* bytes left there */
	size_t used;	  /* bytes handed out (statistics) */
	size_t reserved;  /* bytes of all chunks (statistics) */
};

void arena_init(struct arena *a);
/* Frees every chunk; a must be initialised again before reuse. */
void arena_release(struct arena *a);
/* Returns size bytes aligned to 8, owned by the arena (never NULL). */
void *arena_alloc(struct arena *a, size_t size);
/* Returns a NUL-terminated copy of len bytes of p, owned by the arena. */
char *arena_memdupz(struct arena *a, const void *p, size_t len);
char *arena_strdup(struct arena *a, const char *s);

struct intern {
	struct arena arena;
	struct hashmap map;
};

void intern_init(struct intern *in);
void intern_release(struct intern *in);
/*
 * Returns the one copy of str (or of len bytes of p, NUL-terminated) that
 * the table holds, adding it when new; owned by the table.  NULL gives
 * NULL.  The same bytes always give the same pointer, so interned strings
 * compare by pointer.
 */
const char *intern_str(struct intern *in, const char *str);
const char *intern_mem(struct intern *in, const void *p, size_t len);
/* Returns the interned copy of str, or NULL when str was never added. */
const char *intern_find(const struct intern *in, const char *str);
static inline size_t intern_count(const struct intern *in)
{
	return hashmap_count(&in->map);
}

#endif
