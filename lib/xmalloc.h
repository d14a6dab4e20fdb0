/* Allocators that never return NULL: they abort on out-of-memory. */
#ifndef GOSCOPE_LIB_XMALLOC_H
#define GOSCOPE_LIB_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

#include "lib/compiler.h"

/*
 * Says on stderr that size bytes could not be allocated and aborts: the
 * one place below the front ends that prints or ends the process.
 */
ATTR_NORETURN void xalloc_die(size_t size);

ATTR_MALLOC ATTR_RETNONNULL ATTR_ALLOC_SIZE1(1) void *xmalloc(size_t size);
ATTR_MALLOC ATTR_RETNONNULL ATTR_ALLOC_SIZE2(1, 2)
void *xcalloc(size_t nmemb, size_t size);
ATTR_RETNONNULL void *xrealloc(void *ptr, size_t size);
/* Reallocates ptr to nmemb * size bytes; aborts on overflow. */
ATTR_RETNONNULL void *xreallocarray(void *ptr, size_t nmemb, size_t size);
ATTR_MALLOC ATTR_RETNONNULL char *xstrdup(const char *s);
/* Copies at most n bytes of s and NUL-terminates the copy. */
ATTR_MALLOC ATTR_RETNONNULL char *xstrndup(const char *s, size_t n);
/* Copies len bytes of mem; the result is NUL-terminated. */
ATTR_MALLOC ATTR_RETNONNULL char *xmemdupz(const void *mem, size_t len);
ATTR_MALLOC ATTR_RETNONNULL ATTR_FORMAT(1, 2)
char *xasprintf(const char *fmt, ...);
ATTR_MALLOC ATTR_RETNONNULL ATTR_FORMAT(1, 0)
char *xvasprintf(const char *fmt, va_list ap);

#endif
