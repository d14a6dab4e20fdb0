/* The module text of a Go binary (runtime/debug.BuildInfo), parsed. */
#ifndef GOSCOPE_BUILDINFO_MODINFO_H
#define GOSCOPE_BUILDINFO_MODINFO_H

#include <stddef.h>

#include "lib/err.h"
#include "lib/strbuf.h"

struct modinfo_module {
	char *path;
	char *version;
	char *sum;
	struct modinfo_module *replace;	/* "=>" line, or NULL */
};

struct modinfo_setting {
	char *key;		/* unquoted */
	char *value;		/* unquoted */
	char *raw_key;		/* as stored (quoted when it needed quoting) */
	char *raw_value;
};

struct modinfo {
	char *go_version;	/* "go\t" line (rare; debug.BuildInfo.GoVersion) */
	char *path;		/* main package path */
	int has_main;
	struct modinfo_module main;
	struct modinfo_module *deps;
	size_t ndeps;
	struct modinfo_setting *settings;
	size_t nsettings;
};

/*
 * Parses text exactly as runtime/debug.ParseBuildInfo does (unknown lines
 * are ignored; a final line without '\n' is ignored).  Returns 0, or
 * -EINVAL with "could not parse Go build info: line N: why" in e.
 * Release mi with modinfo_release even after a failure.
 */
int modinfo_parse(const char *text, struct modinfo *mi, struct err *e);
void modinfo_release(struct modinfo *mi);

/* Returns the value of build setting key, or NULL. */
const char *modinfo_setting(const struct modinfo *mi, const char *key);

/*
 * Appends what debug.BuildInfo.String() returns (without a go line unless
 * mi->go_version is set): "path\t...\nmod\t...\n...build\tk=v\n".
 */
void modinfo_format(const struct modinfo *mi, struct strbuf *sb);

/*
 * Go's strconv.Unquote for "..." and `...` strings.  Returns a new string
 * or NULL if s is not a valid quoted string of length len.
 */
char *go_unquote(const char *s, size_t len);
/* Appends s quoted as strconv.Quote does (for ASCII; other valid UTF-8
 * is kept as is, invalid bytes become \xNN). */
void go_quote(struct strbuf *sb, const char *s);

#endif
