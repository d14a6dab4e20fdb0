/* Durations and counts from text, each with one documented range. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/parse.h"
#include "lib/banned.h"

int parse_duration(const char *s, uint64_t *ns, struct err *e)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0 || *s == '-' ||
	    *s == '+' || *s == ' ')
		goto bad;
	if (!strcmp(end, "ms"))
		v *= 1e6;
	else if (!strcmp(end, "s") || !*end)
		v *= 1e9;
	else if (!strcmp(end, "m"))
		v *= 60e9;
	else if (!strcmp(end, "h"))
		v *= 3600e9;
	else
		goto bad;
	if (v < (double)PARSE_DURATION_MIN_NS ||
	    v > (double)PARSE_DURATION_MAX_NS)
		return err_set(e, EINVAL, "'%s': duration out of range "
			       "(10ms to 24h)", s);
	*ns = (uint64_t)v;
	return 0;
bad:
	return err_set(e, EINVAL, "'%s': not a duration (e.g. 500ms, 2s, 1m, "
		       "1h)", s);
}

int parse_count(const char *s, uint64_t max, uint64_t *out, struct err *e)
{
	unsigned long long v;
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return err_set(e, EINVAL, "'%s': not a count", s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v > max)
		return err_set(e, ERANGE, "'%s': larger than %llu", s,
			       (unsigned long long)max);
	*out = v;
	return 0;
}

int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out,
	       struct err *e)
{
	static const char units[] = "kmgt";
	size_t digits = strspn(s, "0123456789");
	unsigned long long v;
	const char *u;
	unsigned int shift = 0;

	if (!digits || (s[digits] && s[digits + 1]))
		return err_set(e, EINVAL, "'%s': not a size", s);
	if (s[digits]) {
		u = strchr(units, tolower((unsigned char)s[digits]));
		if (!u)
			return err_set(e, EINVAL, "'%s': not a size", s);
		shift = 10 * (unsigned int)(u - units + 1);
	}
	errno = 0;
	v = strtoull(s, NULL, 10);
	if (errno || v > (max >> shift) || (v << shift) < min)
		return err_set(e, EINVAL, "'%s': not between %llu and %llu "
			       "bytes", s, (unsigned long long)min,
			       (unsigned long long)max);
	*out = (uint64_t)v << shift;
	return 0;
}
