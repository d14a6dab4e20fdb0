/*
 * Large buffers (the copies of a target's g structs and stacks, the
 * snapshot's arena) in mappings of their own, backed by transparent huge
 * pages where the kernel offers them on request (the "madvise" mode of
 * /sys/kernel/mm/transparent_hugepage/enabled, Debian's default).
 *
 * Why: a dump of 100,000 goroutines touches ~300 MB, and with 4 KiB pages
 * that is ~90,000 page faults; under a hypervisor each costs ~10 µs, half
 * of the dump's wall time.  A 2 MiB page takes one fault for 512 of them.
 * Where huge pages are off, this is plain anonymous memory, no worse than
 * malloc's own mappings of large blocks.
 *
 * Under AddressSanitizer the buffers come from malloc, so that the
 * sanitizer still checks every access to them.
 */
#ifndef GOSCOPE_LIB_BIGMEM_H
#define GOSCOPE_LIB_BIGMEM_H

#include <stddef.h>

#include "lib/compiler.h"

/* Below this size bigmem_alloc() is malloc: a mapping would waste pages. */
#define BIGMEM_MIN ((size_t)1 << 20)

/* size zeroed bytes aligned to 16; never NULL (aborts like xmalloc). */
ATTR_MALLOC ATTR_RETNONNULL ATTR_ALLOC_SIZE1(1) void *bigmem_alloc(size_t size);
/* Zeroed room for nmemb * size bytes; aborts on overflow. */
ATTR_MALLOC ATTR_RETNONNULL ATTR_ALLOC_SIZE2(1, 2)
void *bigmem_calloc(size_t nmemb, size_t size);
/* Frees what bigmem_alloc() returned; NULL is ignored. */
void bigmem_free(void *p);

/*
 * Grows malloc's heap by about size bytes, marked for huge pages but not
 * touched, so that the many small allocations that follow (a capture's
 * waits, labels and tables: ~1 KiB per goroutine) take one page fault per
 * 2 MiB.  Untouched room costs no memory.  malloc keeps its heap from
 * then on (M_TRIM_THRESHOLD) and serves blocks up to 32 MiB from it.
 * Below 16 MiB (~8,000 goroutines) it only sets malloc to keep its heap.
 */
void bigmem_heap_reserve(size_t size);
/*
 * Ends what bigmem_heap_reserve() began: malloc trims its heap again
 * (the default threshold) and gives back the free part now, so that a
 * process that captures now and then (watch, the TUI) does not keep its
 * largest capture's memory in between.
 */
void bigmem_heap_release(void);

#endif
