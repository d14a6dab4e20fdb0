/* Growable NUL-terminated byte buffer. */
#ifndef GOSCOPE_LIB_STRBUF_H
#define GOSCOPE_LIB_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/compiler.h"

/*
 * Where a streaming strbuf hands its bytes (see strbuf_set_sink()); it
 * keeps any error to itself (the writer reports it when it is closed).
 */
typedef void (*strbuf_sink_fn)(void *arg, const char *buf, size_t len);

/*
 * buf is never NULL after strbuf_init() and always NUL-terminated;
 * len excludes the terminator.  Use strbuf_detach() to take ownership
 * of the bytes.
 */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
	strbuf_sink_fn sink;	/* NULL: the bytes stay in buf */
	void *sink_arg;
};

/* Bytes a streaming strbuf gathers before strbuf_flush_point() hands
 * them on. */
#define STRBUF_SINK_CHUNK (64u << 10)

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

/*
 * Makes sb a stream: strbuf_flush_point() and strbuf_flush() hand what
 * it holds to fn(arg, ...) and empty it, so that a renderer writing a
 * million records keeps one chunk in memory, not the whole output.
 * Renderers call strbuf_flush_point() between records; a strbuf without
 * a sink ignores it and keeps everything.
 */
void strbuf_set_sink(struct strbuf *sb, strbuf_sink_fn fn, void *arg);
/* Hands everything sb holds to its sink (no-op without one). */
void strbuf_flush(struct strbuf *sb);
/* Hands sb's bytes to its sink once STRBUF_SINK_CHUNK have gathered. */
static inline void strbuf_flush_point(struct strbuf *sb)
{
	if (sb->sink && sb->len >= STRBUF_SINK_CHUNK)
		strbuf_flush(sb);
}

#endif
