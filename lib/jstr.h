/* JSON strings from C strings that may hold any bytes (jansson values). */
#ifndef GOSCOPE_LIB_JSTR_H
#define GOSCOPE_LIB_JSTR_H

#include <jansson.h>

/*
 * Returns a new JSON string holding s, or JSON null when s is NULL.  Bytes
 * that are not valid UTF-8 (names and labels read from a target) are
 * replaced by U+FFFD, since JSON text must be UTF-8.  The caller owns the
 * reference (usually handed to json_object_set_new()).
 */
json_t *jstr(const char *s);

/*
 * Sets obj[key] = value (stealing the reference) with key cleaned as
 * jstr() cleans values.  Returns 0, or -1 when obj is not an object.
 */
int jstr_set(json_t *obj, const char *key, json_t *value);

#endif
