/* Source files for the stack screen's source pane, found and cached. */
#ifndef GOSCOPE_TUI_SOURCE_H
#define GOSCOPE_TUI_SOURCE_H

#include <stddef.h>

/* Files larger than this are not shown. */
#define SOURCE_MAX_FILE (16u << 20)

struct source_cache {
	char *want;		/* the file name asked for last */
	char *path;		/* where it was found, or NULL */
	char *text;		/* its contents */
	size_t *line_off;	/* offsets of the lines' starts */
	size_t nlines;
};

/*
 * Finds the file a frame names: the name itself, then root/NAME and
 * root/SUFFIX for every shorter suffix of NAME after a '/' (root NULL:
 * only NAME itself), so module paths of -trimpath builds
 * ("example.com/app/main.go") are found in a checkout.  Returns 0 with
 * the file in c, or -1 when it is not found or unreadable (c->path
 * NULL).  The last file is cached.
 */
int source_load(struct source_cache *c, const char *root, const char *file);

/* Line n (1-based) of the cached file and its length; NULL if absent. */
const char *source_line(const struct source_cache *c, size_t n, size_t *len);

void source_release(struct source_cache *c);

#endif
