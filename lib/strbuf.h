/* Growable NUL-terminated byte buffer. */
#ifndef GOSCOPE_LIB_STRBUF_H
#define GOSCOPE_LIB_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/compiler.h"

/*
 * buf is never NULL after strbuf_init() and always NUL-terminated;
 * len excludes the terminator.  Use strbuf_detach() to take ownership
 * of the bytes.
 */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};

void strbuf_init(struct strbuf *sb);
/* Frees the contents; sb must be re-initialised before reuse. */
void strbuf_release(struct strbuf *sb);
/* Returns the bytes (caller frees) and re-initialises sb. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_reset(struct strbuf *sb);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addc(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) ATTR_FORMAT(2, 3);
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	ATTR_FORMAT(2, 0);
/* Appends len bytes as lowercase hex. */
void strbuf_addhex(struct strbuf *sb, const unsigned char *data, size_t len);
/*
 * Append v in decimal ("%llu") and as "0x%llx", without the cost of a
 * format string: for output written once per frame of a million
 * goroutines.
 */
void strbuf_addu64(struct strbuf *sb, uint64_t v);
void strbuf_addx64(struct strbuf *sb, uint64_t v);

#endif
