/* struct strbuf: a growable string that owns its bytes. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

static char strbuf_empty[1];

void strbuf_init(struct strbuf *sb)
{
	sb->buf = strbuf_empty;
	sb->len = 0;
	sb->alloc = 0;
	sb->sink = NULL;
	sb->sink_arg = NULL;
}

void strbuf_set_sink(struct strbuf *sb, strbuf_sink_fn fn, void *arg)
{
	sb->sink = fn;
	sb->sink_arg = arg;
}

void strbuf_flush(struct strbuf *sb)
{
	if (!sb->sink || !sb->len)
		return;
	sb->sink(sb->sink_arg, sb->buf, sb->len);
	strbuf_reset(sb);
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb);
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *p;

	if (!sb->alloc)
		strbuf_grow(sb, 0);
	p = sb->buf;
	if (len)
		*len = sb->len;
	strbuf_init(sb);
	return p;
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->alloc)
		sb->buf[0] = '\0';
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need;

	if (__builtin_add_overflow(sb->len, extra, &need) ||
	    __builtin_add_overflow(need, 1, &need))
		xalloc_die(SIZE_MAX);
	if (need <= sb->alloc)
		return;
	if (need < sb->alloc * 2)
		need = sb->alloc * 2;
	if (need < 64)
		need = 64;
	if (sb->alloc) {
		sb->buf = xrealloc(sb->buf, need);
	} else {
		sb->buf = xmalloc(need);
		sb->buf[0] = '\0';
	}
	sb->alloc = need;
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	strbuf_grow(sb, len);
	if (len)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_adds(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addc(struct strbuf *sb, char c)
{
	strbuf_add(sb, &c, 1);
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	strbuf_grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_addhex(struct strbuf *sb, const unsigned char *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	strbuf_grow(sb, len * 2);
	for (i = 0; i < len; i++) {
		sb->buf[sb->len++] = hex[data[i] >> 4];
		sb->buf[sb->len++] = hex[data[i] & 15];
	}
	sb->buf[sb->len] = '\0';
}

void strbuf_addu64(struct strbuf *sb, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	strbuf_grow(sb, n);
	while (n)
		sb->buf[sb->len++] = tmp[--n];
	sb->buf[sb->len] = '\0';
}

void strbuf_addx64(struct strbuf *sb, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[16];
	size_t n = 0;

	do {
		tmp[n++] = hex[v & 15];
		v >>= 4;
	} while (v);
	strbuf_grow(sb, n + 2);
	sb->buf[sb->len++] = '0';
	sb->buf[sb->len++] = 'x';
	while (n)
		sb->buf[sb->len++] = tmp[--n];
	sb->buf[sb->len] = '\0';
}
