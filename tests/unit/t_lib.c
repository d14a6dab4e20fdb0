/* Unit tests for lib/hashmap.c and lib/intern.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/bigmem.h"
#include "lib/hashmap.h"
#include "lib/intern.h"
#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

struct item {
	struct hashmap_entry ent;
	uint64_t key;
	int value;
};

static int item_cmp(const void *cmpdata, const struct hashmap_entry *a,
		    const struct hashmap_entry *b, const void *keydata);
static struct item *find(struct hashmap *m, uint64_t key);
static void test_hashmap_grow(void **state);
static void test_hashmap_dups_remove(void **state);
static void test_hashmap_collisions(void **state);
static void test_intern(void **state);
static void test_arena(void **state);
static void test_arena_big(void **state);
static void test_bigmem(void **state);
static void test_bigmem_heap(void **state);
static void test_strbuf_numbers(void **state);

static int item_cmp(const void *cmpdata, const struct hashmap_entry *a,
		    const struct hashmap_entry *b, const void *keydata)
{
	const struct item *ia = container_of(a, struct item, ent);
	const struct item *ib = container_of(b, struct item, ent);

	(void)cmpdata;
	if (keydata)
		return ia->key != *(const uint64_t *)keydata;
	return ia->key != ib->key;
}

static struct item *find(struct hashmap *m, uint64_t key)
{
	struct hashmap_entry probe, *e;

	hashmap_entry_init(&probe, hash_u64(key));
	e = hashmap_get(m, &probe, &key);
	return e ? container_of(e, struct item, ent) : NULL;
}

/* 200k entries: every one is found again, the table grew, and the
 * iterator visits each exactly once. */
static void test_hashmap_grow(void **state)
{
	enum { N = 200000 };
	struct hashmap m;
	struct hashmap_iter it;
	struct hashmap_entry *e;
	unsigned char *seen = xcalloc(N, 1);
	size_t i, visited = 0;

	(void)state;
	hashmap_init(&m, item_cmp, NULL, 0);
	assert_int_equal(m.tablesize, 64);
	for (i = 0; i < N; i++) {
		struct item *it2 = xmalloc(sizeof(*it2));

		it2->key = i * 7919 + 3;
		it2->value = (int)i;
		hashmap_entry_init(&it2->ent, hash_u64(it2->key));
		hashmap_add(&m, &it2->ent);
	}
	assert_int_equal(hashmap_count(&m), N);
	/* the load factor is kept at or below 80 % */
	assert_true(m.tablesize >= N + N / 4);
	for (i = 0; i < N; i++) {
		struct item *f = find(&m, i * 7919 + 3);

		assert_non_null(f);
		assert_int_equal(f->value, (int)i);
	}
	assert_null(find(&m, 5));
	hashmap_iter_init(&m, &it);
	while ((e = hashmap_iter_next(&it))) {
		struct item *f = container_of(e, struct item, ent);

		assert_int_equal(seen[f->value], 0);
		seen[f->value] = 1;
		visited++;
	}
	assert_int_equal(visited, N);
	free(seen);
	hashmap_release_free(&m);
	assert_null(m.table);
}

static void test_hashmap_dups_remove(void **state)
{
	struct hashmap m;
	struct item a = { .key = 1, .value = 10 }, b = { .key = 1, .value = 11 };
	struct item c = { .key = 2, .value = 20 }, d = { .key = 2, .value = 21 };
	struct hashmap_entry *e, *old;
	int sum = 0;

	(void)state;
	hashmap_init(&m, item_cmp, NULL, 1000);
	/* room for 1000 without growing */
	assert_true(m.tablesize - m.tablesize / 5 > 1000);
	hashmap_entry_init(&a.ent, hash_u64(1));
	hashmap_entry_init(&b.ent, hash_u64(1));
	hashmap_entry_init(&c.ent, hash_u64(2));
	hashmap_entry_init(&d.ent, hash_u64(2));
	hashmap_add(&m, &a.ent);
	hashmap_add(&m, &b.ent);
	for (e = hashmap_get(&m, &a.ent, NULL); e; e = hashmap_get_next(&m, e))
		sum += container_of(e, struct item, ent)->value;
	assert_int_equal(sum, 21);
	assert_null(hashmap_put(&m, &c.ent));
	old = hashmap_put(&m, &d.ent);
	assert_ptr_equal(old, &c.ent);
	assert_int_equal(hashmap_count(&m), 3);
	assert_int_equal(find(&m, 2)->value, 21);
	assert_non_null(hashmap_remove(&m, &a.ent, NULL));
	assert_non_null(hashmap_remove(&m, &a.ent, NULL));
	assert_null(hashmap_remove(&m, &a.ent, NULL));
	assert_null(find(&m, 1));
	assert_int_equal(hashmap_count(&m), 1);
	hashmap_release(&m);
}

/* Every entry in one bucket: still correct, only slower. */
static void test_hashmap_collisions(void **state)
{
	enum { N = 500 };
	struct hashmap m;
	struct item *items = xcalloc(N, sizeof(*items));
	size_t i;

	(void)state;
	hashmap_init(&m, item_cmp, NULL, 0);
	for (i = 0; i < N; i++) {
		items[i].key = i;
		items[i].value = (int)i * 2;
		hashmap_entry_init(&items[i].ent, 42);
		hashmap_add(&m, &items[i].ent);
	}
	for (i = 0; i < N; i++) {
		struct hashmap_entry probe, *e;
		uint64_t k = i;

		hashmap_entry_init(&probe, 42);
		e = hashmap_get(&m, &probe, &k);
		assert_non_null(e);
		assert_int_equal(container_of(e, struct item, ent)->value,
				 (int)i * 2);
	}
	hashmap_release(&m);
	free(items);
}

static void test_intern(void **state)
{
	struct intern in;
	char buf[32];
	const char *first[1000];
	const char *a, *b;
	size_t i;

	(void)state;
	intern_init(&in);
	assert_null(intern_str(&in, NULL));
	a = intern_str(&in, "main.main");
	b = intern_mem(&in, "main.mainX", 9);
	assert_ptr_equal(a, b);
	assert_string_equal(b, "main.main");
	/* embedded prefixes and the empty string are distinct */
	assert_ptr_not_equal(intern_str(&in, "main.mai"), a);
	assert_string_equal(intern_str(&in, ""), "");
	assert_ptr_equal(intern_find(&in, "main.main"), a);
	assert_null(intern_find(&in, "nothing"));
	for (i = 0; i < 1000; i++) {
		snprintf(buf, sizeof(buf), "func%zu", i);
		first[i] = intern_str(&in, buf);
	}
	for (i = 0; i < 1000; i++) {
		snprintf(buf, sizeof(buf), "func%zu", i);
		assert_ptr_equal(intern_str(&in, buf), first[i]);
		assert_string_equal(first[i], buf);
	}
	assert_int_equal(intern_count(&in), 1003);
	intern_release(&in);
}

/* The format-free number writers agree with printf. */
static void test_strbuf_numbers(void **state)
{
	static const uint64_t vals[] = {
		0, 1, 9, 10, 15, 16, 255, 4096, 0x7fffffff, 1234567890123ull,
		0xdeadbeefcafef00dull, UINT64_MAX,
	};
	struct strbuf a, b;
	size_t i;

	(void)state;
	strbuf_init(&a);
	strbuf_init(&b);
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		strbuf_addu64(&a, vals[i]);
		strbuf_addc(&a, ' ');
		strbuf_addx64(&a, vals[i]);
		strbuf_addc(&a, ';');
		strbuf_addf(&b, "%llu 0x%llx;", (unsigned long long)vals[i],
			    (unsigned long long)vals[i]);
	}
	assert_string_equal(a.buf, b.buf);
	assert_int_equal(a.len, strlen(a.buf));
	strbuf_release(&a);
	strbuf_release(&b);
}

static void test_arena(void **state)
{
	struct arena a;
	char *small, *big, *after;
	size_t i;

	(void)state;
	arena_init(&a);
	small = arena_strdup(&a, "abc");
	assert_string_equal(small, "abc");
	assert_int_equal((uintptr_t)small % 8, 0);
	/* a block larger than a quarter chunk gets a chunk of its own and
	 * does not waste the current one */
	big = arena_alloc(&a, 1u << 20);
	memset(big, 'x', 1u << 20);
	after = arena_memdupz(&a, "defg", 3);
	assert_string_equal(after, "def");
	assert_true(after > small && after < small + (16u << 10));
	for (i = 0; i < 100000; i++)
		assert_int_equal((uintptr_t)arena_alloc(&a, i % 37) % 8, 0);
	assert_true(a.used <= a.reserved);
	arena_release(&a);
	assert_null(a.chunks);
}

/* Arenas past 1 MiB take their chunks from bigmem: every byte handed
 * out stays as written, chunks keep doubling, and they are freed. */
static void test_arena_big(void **state)
{
	struct arena a;
	char *p[4096];
	size_t i, j;

	(void)state;
	arena_init(&a);
	for (i = 0; i < 4096; i++) {
		p[i] = arena_alloc(&a, 10000);
		memset(p[i], (int)(i % 251), 10000);
	}
	for (i = 0; i < 4096; i++)
		for (j = 0; j < 10000; j += 997)
			assert_int_equal((unsigned char)p[i][j], i % 251);
	assert_true(a.used >= 4096u * 10000);
	/* At most the last, 32 MiB, chunk is unused. */
	assert_true(a.reserved <= a.used + (32u << 20));
	arena_release(&a);
	assert_null(a.chunks);
}

/* Zeroed, aligned, writable to the last byte, at every size class. */
static void test_bigmem(void **state)
{
	static const size_t sizes[] = {
		0, 1, 4095, BIGMEM_MIN - 1, BIGMEM_MIN, (2u << 20) - 16,
		(2u << 20) + 1, 5u << 20,
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *b = bigmem_alloc(sizes[i]);

		assert_int_equal((uintptr_t)b % 16, 0);
		for (k = 0; k < sizes[i]; k += 4093)
			assert_int_equal(b[k], 0);
		if (sizes[i]) {
			assert_int_equal(b[sizes[i] - 1], 0);
			memset(b, 0xa5, sizes[i]);
		}
		bigmem_free(b);
	}
	{
		uint64_t *v = bigmem_calloc(300000, sizeof(*v));

		for (k = 0; k < 300000; k++)
			assert_int_equal(v[k], 0);
		v[299999] = 1;
		bigmem_free(v);
	}
	bigmem_free(NULL);
}

/* Resident memory of this process, in bytes (/proc/self/statm). */
static size_t rss_bytes(void)
{
	unsigned long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%lu %lu", &size, &res) != 2)
			res = 0;
		fclose(f);
	}
	return (size_t)res * 4096;
}

/*
 * Between bigmem_heap_reserve() and bigmem_heap_release() malloc keeps
 * what is freed; the release gives it back.  (Under AddressSanitizer
 * both are no-ops: its allocator is not glibc's.)
 */
static void test_bigmem_heap(void **state)
{
	enum { N = 16384, SZ = 4096 };
	static char *blocks[N];
	size_t i, kept, after;

	(void)state;
#if defined(__SANITIZE_ADDRESS__)
	skip();
#endif
	bigmem_heap_reserve((size_t)N * SZ);
	for (i = 0; i < N; i++) {
		blocks[i] = xmalloc(SZ);
		memset(blocks[i], 1, SZ);
	}
	for (i = 0; i < N; i++)
		free(blocks[i]);
	kept = rss_bytes();
	bigmem_heap_release();
	after = rss_bytes();
	/* 64 MiB were touched and freed: most of it leaves now. */
	assert_true(kept > after);
	assert_true(kept - after >= (size_t)N * SZ / 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hashmap_grow),
		cmocka_unit_test(test_hashmap_dups_remove),
		cmocka_unit_test(test_hashmap_collisions),
		cmocka_unit_test(test_intern),
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_arena_big),
		cmocka_unit_test(test_bigmem),
		cmocka_unit_test(test_bigmem_heap),
		cmocka_unit_test(test_strbuf_numbers),
	};

	return cmocka_run_group_tests_name("lib", tests, NULL, NULL);
}
