/* Parsing and matching of goroutine ignore rules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goruntime/traceback.h"
#include "snapshot/frames.h"
#include "snapshot/rules.h"
#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "lib/readfile.h"
#include "lib/banned.h"

#define MAX_RULE_FILE (1u << 20)

static int is_space(char c);
static int match(const struct rule *r, const char *pattern, const char *s);
static int func_match(const struct rule *r, const char *func);

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int rules_parse(const char *text, size_t len, const char *name,
		struct rules **out, struct err *e)
{
	static const struct {
		const char *word;
		enum rule_kind kind;
	} words[] = {
		{ "top", RULE_TOP },
		{ "any", RULE_ANY },
		{ "created-by", RULE_CREATED_BY },
		{ "label", RULE_LABEL },
	};
	struct rules *rs = xcalloc(1, sizeof(*rs));
	const char *p = text, *end = text + len;
	size_t lineno = 0, alloc = 0, i;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *w, *we, *a, *ae, *hash;
		struct rule r;

		lineno++;
		memset(&r, 0, sizeof(r));
		/* A comment starts at '#' at the start or after a blank. */
		for (hash = p; hash < le; hash++)
			if (*hash == '#' && (hash == p || is_space(hash[-1])))
				break;
		w = p;
		while (w < hash && is_space(*w))
			w++;
		ae = hash;
		while (ae > w && is_space(ae[-1]))
			ae--;
		p = nl ? nl + 1 : end;
		if (w == ae)
			continue;
		if (memchr(w, '\0', (size_t)(ae - w)))
			goto bad_char;
		for (we = w; we < ae && !is_space(*we); we++)
			;
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if ((size_t)(we - w) == strlen(words[i].word) &&
			    !memcmp(w, words[i].word, (size_t)(we - w)))
				break;
		if (i == sizeof(words) / sizeof(words[0])) {
			err_set(e, EINVAL, "%s:%zu: unknown rule '%.*s' "
				"(expected top, any, created-by or label)",
				name, lineno, (int)(we - w), w);
			goto fail;
		}
		r.kind = words[i].kind;
		r.line = lineno;
		a = we;
		while (a < ae && is_space(*a))
			a++;
		if (a == ae || memchr(a, ' ', (size_t)(ae - a)) ||
		    memchr(a, '\t', (size_t)(ae - a))) {
			err_set(e, EINVAL, "%s:%zu: '%.*s' takes one argument",
				name, lineno, (int)(we - w), w);
			goto fail;
		}
		if (r.kind == RULE_LABEL) {
			const char *eq = memchr(a, '=', (size_t)(ae - a));

			if (!eq || eq == a) {
				err_set(e, EINVAL, "%s:%zu: expected "
					"'label KEY=VALUE'", name, lineno);
				goto fail;
			}
			r.pattern = xmemdupz(a, (size_t)(eq - a));
			r.value = xmemdupz(eq + 1, (size_t)(ae - eq - 1));
			r.prefix = ae > eq + 1 && ae[-1] == '*';
			if (r.prefix)
				r.value[strlen(r.value) - 1] = '\0';
		} else {
			r.prefix = ae[-1] == '*';
			r.pattern = xmemdupz(a, (size_t)(ae - a) - r.prefix);
		}
		if (rs->n == alloc) {
			alloc = alloc ? alloc * 2 : 8;
			rs->v = xreallocarray(rs->v, alloc, sizeof(*rs->v));
		}
		rs->v[rs->n++] = r;
	}
	*out = rs;
	return 0;
bad_char:
	err_set(e, EINVAL, "%s:%zu: NUL byte in a rule", name, lineno);
fail:
	rules_free(rs);
	return -EINVAL;
}

int rules_load(const char *path, struct rules **out, struct err *e)
{
	struct strbuf sb;
	int r;

	strbuf_init(&sb);
	r = readfile_path(path, MAX_RULE_FILE, 0, &sb, e);
	if (r == 0)
		r = rules_parse(sb.buf, sb.len, path, out, e);
	strbuf_release(&sb);
	return r;
}

void rules_free(struct rules *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->v[i].pattern);
		free(r->v[i].value);
	}
	free(r->v);
	free(r);
}

static int match(const struct rule *r, const char *pattern, const char *s)
{
	if (!s)
		return 0;
	if (r->prefix)
		return !strncmp(s, pattern, strlen(pattern));
	return !strcmp(s, pattern);
}

/* Matches the name as the runtime prints it ("[...]" for generics). */
static int func_match(const struct rule *r, const char *func)
{
	struct strbuf sb;
	int m;

	if (!func)
		return 0;
	if (!strchr(func, '['))
		return match(r, r->pattern, func);
	strbuf_init(&sb);
	gort_print_func_name(&sb, func);
	m = match(r, r->pattern, sb.buf) || match(r, r->pattern, func);
	strbuf_release(&sb);
	return m;
}

int rules_ignore(const struct rules *r, const struct snap_goroutine *g)
{
	size_t i, j, n = 0, stack[64];
	size_t *idx = NULL;
	int hit = 0;

	for (i = 0; i < r->n && !hit; i++) {
		const struct rule *ru = &r->v[i];

		switch (ru->kind) {
		case RULE_LABEL:
			for (j = 0; j < g->nlabels && !hit; j++)
				hit = !strcmp(g->labels[j].key, ru->pattern) &&
				      match(ru, ru->value, g->labels[j].value);
			break;
		case RULE_CREATED_BY:
			hit = g->has_creator && func_match(ru, g->creator.func);
			break;
		case RULE_TOP:
		case RULE_ANY:
			if (!idx) {
				idx = g->nframes > ARRAY_SIZE(stack)
					      ? xcalloc(g->nframes,
							sizeof(*idx))
					      : stack;
				n = frames_shown(g, 0, 0, idx);
			}
			if (ru->kind == RULE_TOP) {
				hit = n > 0 &&
				      func_match(ru, g->frames[idx[0]].func);
				break;
			}
			for (j = 0; j < n && !hit; j++)
				hit = func_match(ru, g->frames[idx[j]].func);
			break;
		}
	}
	if (idx != stack)
		free(idx);
	return hit;
}
