/* Parsing of durations and counts given on the command line or in files. */
#ifndef GOSCOPE_LIB_PARSE_H
#define GOSCOPE_LIB_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* The one range of durations: 10 ms to 24 hours. */
#define PARSE_DURATION_MIN_NS 10000000ull
#define PARSE_DURATION_MAX_NS (86400ull * 1000000000ull)

/*
 * Parses a duration: a non-negative decimal number with an optional unit
 * "ms", "s", "m" or "h" (no unit: seconds), e.g. "500ms", "1.5s", "2m",
 * "3".  Stores nanoseconds in *ns and returns 0, or returns -EINVAL with e
 * set (naming the value) when s is not a duration or lies outside
 * [PARSE_DURATION_MIN_NS, PARSE_DURATION_MAX_NS].
 */
int parse_duration(const char *s, uint64_t *ns, struct err *e);

/*
 * Parses a count: decimal digits only (no sign, no spaces), at most max.
 * Stores it in *out and returns 0, or returns -EINVAL (-ERANGE above max)
 * with e set.
 */
int parse_count(const char *s, uint64_t max, uint64_t *out, struct err *e);

/*
 * Parses a size: decimal digits with an optional K, M, G or T (binary
 * multiples, either case), e.g. "512M".  Stores bytes in *out and
 * returns 0, or returns -EINVAL with e set when s is not a size or lies
 * outside [min, max].
 */
int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out,
	       struct err *e);

#endif
