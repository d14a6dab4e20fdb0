/* UTF-8 decoding, encoding and cleaning of bytes from untrusted sources. */
#ifndef GOSCOPE_LIB_UTF8_H
#define GOSCOPE_LIB_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "lib/strbuf.h"

/* U+FFFD, the replacement character, in UTF-8. */
#define UTF8_REPLACEMENT "\xef\xbf\xbd"

/*
 * Decodes the sequence at s[0, n) (n > 0).  Returns its length (1 to 4)
 * and stores the code point in *cp (when cp is not NULL), or returns 0
 * when the bytes are not valid UTF-8: a bad lead or continuation byte, a
 * truncated sequence, an overlong form, a surrogate or a value above
 * U+10FFFF.
 */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Appends code point cp (<= U+10FFFF, not a surrogate) as UTF-8. */
void utf8_put(struct strbuf *sb, uint32_t cp);

/*
 * Appends s[0, n) to sb with every byte that does not start a valid
 * sequence replaced by U+FFFD.  A NUL byte is kept as is.
 */
void utf8_clean(struct strbuf *sb, const char *s, size_t n);

/* Returns 1 when s[0, n) is valid UTF-8, else 0. */
int utf8_valid(const char *s, size_t n);

#endif
