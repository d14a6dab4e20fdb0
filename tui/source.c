/* Locating and caching the source files that stack frames name. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/strbuf.h"
#include "tui/source.h"
#include "lib/xmalloc.h"
#include "lib/readfile.h"
#include "lib/banned.h"

static int try_path(struct source_cache *c, const char *path);

static int try_path(struct source_cache *c, const char *path)
{
	struct strbuf sb;
	size_t i, n = 1, k = 0;

	strbuf_init(&sb);
	if (readfile_path(path, SOURCE_MAX_FILE, READFILE_REGULAR, &sb,
			  NULL) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	for (i = 0; i < sb.len; i++)
		if (sb.buf[i] == '\n')
			n++;
	c->line_off = xcalloc(n + 1, sizeof(*c->line_off));
	c->line_off[k++] = 0;
	for (i = 0; i < sb.len; i++)
		if (sb.buf[i] == '\n' && i + 1 < sb.len)
			c->line_off[k++] = i + 1;
	c->nlines = k;
	c->text = strbuf_detach(&sb, NULL);
	c->path = xstrdup(path);
	return 0;
}

int source_load(struct source_cache *c, const char *root, const char *file)
{
	const char *p;
	char *cand;
	int r = -1;

	if (!file || !*file)
		return -1;
	if (c->want && !strcmp(c->want, file))
		return c->path ? 0 : -1;
	source_release(c);
	c->want = xstrdup(file);
	if (try_path(c, file) == 0)
		return 0;
	if (!root)
		return -1;
	for (p = file; p && *p && r < 0; p = strchr(p, '/')) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		cand = xasprintf("%s/%s", root, p);
		r = try_path(c, cand);
		free(cand);
	}
	return r;
}

const char *source_line(const struct source_cache *c, size_t n, size_t *len)
{
	size_t start, end;

	if (!c->path || n < 1 || n > c->nlines)
		return NULL;
	start = c->line_off[n - 1];
	end = n < c->nlines ? c->line_off[n] : strlen(c->text);
	while (end > start &&
	       (c->text[end - 1] == '\n' || c->text[end - 1] == '\r'))
		end--;
	*len = end - start;
	return c->text + start;
}

void source_release(struct source_cache *c)
{
	free(c->want);
	free(c->path);
	free(c->text);
	free(c->line_off);
	memset(c, 0, sizeof(*c));
}
