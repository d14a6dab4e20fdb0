/* Large zeroed buffers in mappings of their own, on huge pages if allowed. */
#include <limits.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/bigmem.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define HUGE_PAGE ((size_t)2 << 20)
/* Each block starts with its header; the data follows, aligned to 16. */
#define HEADER 16

#if defined(__SANITIZE_ADDRESS__)
#define BIGMEM_MALLOC_ONLY 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BIGMEM_MALLOC_ONLY 1
#endif
#endif

struct bigmem_head {
	size_t map_len;		/* 0: the block came from malloc */
	void *map;		/* start of the mapping */
};

_Static_assert(sizeof(struct bigmem_head) <= HEADER, "header too big");

void *bigmem_alloc(size_t size)
{
	struct bigmem_head h = { 0, NULL };
	size_t len;
	unsigned char *base;

	if (size > SIZE_MAX - HEADER - 2 * HUGE_PAGE)
		xalloc_die(size);
	len = size + HEADER;
#ifndef BIGMEM_MALLOC_ONLY
	if (size >= BIGMEM_MIN) {
		size_t map_len;
		unsigned char *map;

		/* Room to start on a huge-page boundary: the kernel backs
		 * only aligned 2 MiB extents with a huge page. */
		len = (len + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
		map_len = len + HUGE_PAGE;
		map = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (map == MAP_FAILED)
			xalloc_die(size);
		base = (unsigned char *)(((uintptr_t)map + HUGE_PAGE - 1) &
					 ~(uintptr_t)(HUGE_PAGE - 1));
		/* The unaligned head and tail go back at once. */
		if (base > map)
			munmap(map, (size_t)(base - map));
		if (base + len < map + map_len)
			munmap(base + len, (size_t)(map + map_len - base - len));
		/* Advice only: without THP it fails, and the memory is
		 * ordinary anonymous memory. */
		(void)madvise(base, len, MADV_HUGEPAGE);
		h.map_len = len;
		h.map = base;
		memcpy(base, &h, sizeof(h));
		return base + HEADER;
	}
#endif
	base = xcalloc(1, len);
	memcpy(base, &h, sizeof(h));
	return base + HEADER;
}

void *bigmem_calloc(size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		xalloc_die(SIZE_MAX);
	return bigmem_alloc(nmemb * size);
}

void bigmem_free(void *p)
{
	struct bigmem_head h;
	unsigned char *base;

	if (!p)
		return;
	base = (unsigned char *)p - HEADER;
	memcpy(&h, base, sizeof(h));
	if (h.map_len)
		munmap(h.map, h.map_len);
	else
		free(base);
}

void bigmem_heap_reserve(size_t size)
{
#ifndef BIGMEM_MALLOC_ONLY
	size_t chunk = (size_t)16 << 20, n, k;
	uintptr_t lo = UINTPTR_MAX, hi = 0, a, b;
	void **blocks;

	/* malloc keeps what is freed until bigmem_heap_release() (a
	 * full stop's pre-touched heap depends on it, at every size). */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, INT_MAX);
	/* A small capture touches a few MB: whole huge pages would cost
	 * more to clear than the faults they save. */
	if (size < chunk)
		return;
	n = size / chunk + 1;
	blocks = xcalloc(n, sizeof(*blocks));
	for (k = 0; k < n; k++) {
		blocks[k] = xmalloc(chunk);
		if ((uintptr_t)blocks[k] < lo)
			lo = (uintptr_t)blocks[k];
		if ((uintptr_t)blocks[k] + chunk > hi)
			hi = (uintptr_t)blocks[k] + chunk;
	}
	/* The blocks are the heap's new top, one after the other: the
	 * whole span gets the advice (whole huge pages only). */
	a = (lo + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	b = hi & ~(uintptr_t)(HUGE_PAGE - 1);
	if (b > a && b - a <= 2 * n * chunk)
		(void)madvise((void *)a, b - a, MADV_HUGEPAGE);
	for (k = n; k > 0; k--)
		free(blocks[k - 1]);
	free(blocks);
#else
	(void)size;
#endif
}

void bigmem_heap_release(void)
{
#ifndef BIGMEM_MALLOC_ONLY
	mallopt(M_TRIM_THRESHOLD, 128 << 10);
	malloc_trim(0);
#endif
}
