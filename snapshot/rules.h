/* Ignore rules for goroutines, in the spirit of go.uber.org/goleak. */
#ifndef GOSCOPE_SNAPSHOT_RULES_H
#define GOSCOPE_SNAPSHOT_RULES_H

#include <stddef.h>

#include "lib/err.h"
#include "snapshot/snap.h"

enum rule_kind {
	RULE_TOP,		/* "top FUNC": the innermost shown frame */
	RULE_ANY,		/* "any FUNC": any shown frame */
	RULE_CREATED_BY,	/* "created-by FUNC": the creation site */
	RULE_LABEL,		/* "label KEY=VALUE": a pprof label */
};

struct rule {
	enum rule_kind kind;
	char *pattern;		/* function name, or label key */
	char *value;		/* label value (RULE_LABEL) */
	int prefix;		/* pattern (or value) ended in '*' */
	size_t line;
};

struct rules {
	struct rule *v;
	size_t n;
};

/*
 * Parses rules, one per line; '#' starts a comment, blank lines are
 * skipped.  A rule is "top FUNC", "any FUNC", "created-by FUNC" or
 * "label KEY=VALUE"; FUNC is written as the runtime prints it
 * ("pkg.(*T).M", generics as "F[...]"); a trailing '*' matches any rest.
 * Returns 0 and *out (free with rules_free), or -EINVAL with
 * "NAME:LINE: why" in e.
 */
int rules_parse(const char *text, size_t len, const char *name,
		struct rules **out, struct err *e);
/* rules_parse on the contents of file path. */
int rules_load(const char *path, struct rules **out, struct err *e);
void rules_free(struct rules *r);

/* 1 when some rule ignores g. */
int rules_ignore(const struct rules *r, const struct snap_goroutine *g);

#endif
