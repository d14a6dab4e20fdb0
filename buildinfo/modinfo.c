/* Parsing and formatting of the Go module info text (runtime/debug format). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buildinfo/modinfo.h"
#include "lib/xmalloc.h"
#include "lib/utf8.h"
#include "lib/banned.h"

#define MAX_COLUMNS 4

static size_t split_tabs(const char *s, size_t len, const char **col,
			 size_t *clen, size_t max);
static int read_module(const char *s, size_t len, struct modinfo_module *m,
		       struct err *e, int lineno);
static void module_release(struct modinfo_module *m);
static int parse_build(const char *kv, size_t len, struct modinfo *mi,
		       struct err *e, int lineno);
static int quote_key(const char *k);
static int quote_value(const char *v);
static size_t quoted_prefix(const char *s, size_t len);
static void format_module(struct strbuf *sb, const char *word,
			  const struct modinfo_module *m);

static int fail(struct err *e, int lineno, const char *why)
{
	return err_set(e, EINVAL, "could not parse Go build info: line %d: %s",
		       lineno, why);
}

/* Splits on tabs; returns the number of columns (may exceed max). */
static size_t split_tabs(const char *s, size_t len, const char **col,
			 size_t *clen, size_t max)
{
	size_t n = 0, start = 0, i;

	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '\t') {
			if (n < max) {
				col[n] = s + start;
				clen[n] = i - start;
			}
			n++;
			start = i + 1;
		}
	}
	return n;
}

static int read_module(const char *s, size_t len, struct modinfo_module *m,
		       struct err *e, int lineno)
{
	const char *col[MAX_COLUMNS];
	size_t clen[MAX_COLUMNS], n;
	char why[64];

	n = split_tabs(s, len, col, clen, MAX_COLUMNS);
	if (n != 2 && n != 3) {
		snprintf(why, sizeof(why), "expected 2 or 3 columns; got %zu",
			 n);
		return fail(e, lineno, why);
	}
	module_release(m);
	m->path = xmemdupz(col[0], clen[0]);
	m->version = xmemdupz(col[1], clen[1]);
	m->sum = n == 3 ? xmemdupz(col[2], clen[2]) : xstrdup("");
	return 0;
}

static void module_release(struct modinfo_module *m)
{
	free(m->path);
	free(m->version);
	free(m->sum);
	if (m->replace) {
		module_release(m->replace);
		free(m->replace);
	}
	memset(m, 0, sizeof(*m));
}

static int quote_key(const char *k)
{
	return !*k || strpbrk(k, "= \t\r\n\"`") != NULL;
}

static int quote_value(const char *v)
{
	return strpbrk(v, " \t\r\n\"`") != NULL;
}

/* strconv.QuotedPrefix: length of the quoted string at s, or 0. */
static size_t quoted_prefix(const char *s, size_t len)
{
	char q;
	size_t i;

	if (len < 2 || (s[0] != '"' && s[0] != '`'))
		return 0;
	q = s[0];
	for (i = 1; i < len; i++) {
		if (s[i] == q) {
			char *u = go_unquote(s, i + 1);

			if (!u)
				return 0;
			free(u);
			return i + 1;
		}
		if (q == '"' && s[i] == '\\')
			i++;
		else if (q == '"' && s[i] == '\n')
			return 0;
	}
	return 0;
}

static int parse_build(const char *kv, size_t len, struct modinfo *mi,
		       struct err *e, int lineno)
{
	struct modinfo_setting *st;
	char *key = NULL, *rkey, *value, *rval;
	const char *rawv, *eq;
	size_t klen, rawvlen;

	if (len < 1)
		return fail(e, lineno, "build line missing '='");
	if (kv[0] == '=')
		return fail(e, lineno, "build line with missing key");
	if (kv[0] == '"' || kv[0] == '`') {
		klen = quoted_prefix(kv, len);
		if (!klen)
			return fail(e, lineno,
				    "invalid quoted key in build line");
		if (klen == len)
			return fail(e, lineno,
				    "build line missing '=' after quoted key");
		if (kv[klen] != '=')
			return fail(e, lineno,
				    "unexpected character after quoted key");
		key = go_unquote(kv, klen);
	} else {
		eq = memchr(kv, '=', len);
		if (!eq)
			return fail(e, lineno, "build line missing '=' after key");
		klen = (size_t)(eq - kv);
		key = xmemdupz(kv, klen);
		if (quote_key(key)) {
			free(key);
			return fail(e, lineno, "unquoted key must be quoted");
		}
	}
	rawv = kv + klen + 1;
	rawvlen = len - klen - 1;
	if (rawvlen > 0 && (rawv[0] == '"' || rawv[0] == '`')) {
		value = go_unquote(rawv, rawvlen);
		if (!value) {
			free(key);
			return fail(e, lineno,
				    "invalid quoted value in build line");
		}
	} else {
		value = xmemdupz(rawv, rawvlen);
		if (quote_value(value)) {
			free(key);
			free(value);
			return fail(e, lineno,
				    "unquoted value must be quoted");
		}
	}
	rkey = xmemdupz(kv, klen);
	rval = xmemdupz(rawv, rawvlen);
	mi->settings = xreallocarray(mi->settings, mi->nsettings + 1,
				     sizeof(*mi->settings));
	st = &mi->settings[mi->nsettings++];
	st->key = key;
	st->value = value;
	st->raw_key = rkey;
	st->raw_value = rval;
	return 0;
}

int modinfo_parse(const char *text, struct modinfo *mi, struct err *e)
{
	struct modinfo_module *last = NULL;
	const char *p = text, *nl;
	int lineno = 1, r;

	memset(mi, 0, sizeof(*mi));
	while (*p && (nl = strchr(p, '\n')) != NULL) {
		size_t len = (size_t)(nl - p);

#define HAS(prefix) (len >= sizeof(prefix) - 1 && \
		     !memcmp(p, prefix, sizeof(prefix) - 1))
#define REST(prefix) p + sizeof(prefix) - 1, len - (sizeof(prefix) - 1)
		r = 0;
		if (HAS("go\t")) {
			free(mi->go_version);
			mi->go_version = xmemdupz(REST("go\t"));
		} else if (HAS("path\t")) {
			free(mi->path);
			mi->path = xmemdupz(REST("path\t"));
		} else if (HAS("mod\t")) {
			last = &mi->main;
			mi->has_main = 1;
			r = read_module(REST("mod\t"), last, e, lineno);
		} else if (HAS("dep\t")) {
			mi->deps = xreallocarray(mi->deps, mi->ndeps + 1,
						 sizeof(*mi->deps));
			last = &mi->deps[mi->ndeps++];
			memset(last, 0, sizeof(*last));
			r = read_module(REST("dep\t"), last, e, lineno);
		} else if (HAS("=>\t")) {
			const char *col[MAX_COLUMNS];
			size_t clen[MAX_COLUMNS], ncol;
			char why[64];

			ncol = split_tabs(REST("=>\t"), col, clen,
					  MAX_COLUMNS);
			if (ncol != 3) {
				snprintf(why, sizeof(why),
					 "expected 3 columns for replacement;"
					 " got %zu", ncol);
				return fail(e, lineno, why);
			}
			if (!last)
				return fail(e, lineno,
					    "replacement with no module on "
					    "previous line");
			last->replace = xcalloc(1, sizeof(*last->replace));
			last->replace->path = xmemdupz(col[0], clen[0]);
			last->replace->version = xmemdupz(col[1], clen[1]);
			last->replace->sum = xmemdupz(col[2], clen[2]);
			last = NULL;
		} else if (HAS("build\t")) {
			r = parse_build(REST("build\t"), mi, e, lineno);
		}
#undef HAS
#undef REST
		if (r < 0)
			return r;
		lineno++;
		p = nl + 1;
	}
	return 0;
}

void modinfo_release(struct modinfo *mi)
{
	size_t i;

	free(mi->go_version);
	free(mi->path);
	module_release(&mi->main);
	for (i = 0; i < mi->ndeps; i++)
		module_release(&mi->deps[i]);
	free(mi->deps);
	for (i = 0; i < mi->nsettings; i++) {
		free(mi->settings[i].key);
		free(mi->settings[i].value);
		free(mi->settings[i].raw_key);
		free(mi->settings[i].raw_value);
	}
	free(mi->settings);
	memset(mi, 0, sizeof(*mi));
}

const char *modinfo_setting(const struct modinfo *mi, const char *key)
{
	size_t i;

	for (i = 0; i < mi->nsettings; i++)
		if (!strcmp(mi->settings[i].key, key))
			return mi->settings[i].value;
	return NULL;
}

static void format_module(struct strbuf *sb, const char *word,
			  const struct modinfo_module *m)
{
	strbuf_addf(sb, "%s\t%s\t%s", word, m->path, m->version);
	if (!m->replace) {
		strbuf_addf(sb, "\t%s", m->sum);
	} else {
		strbuf_addc(sb, '\n');
		format_module(sb, "=>", m->replace);
	}
	strbuf_addc(sb, '\n');
}

void modinfo_format(const struct modinfo *mi, struct strbuf *sb)
{
	size_t i;

	if (mi->go_version && *mi->go_version)
		strbuf_addf(sb, "go\t%s\n", mi->go_version);
	if (mi->path && *mi->path)
		strbuf_addf(sb, "path\t%s\n", mi->path);
	if (mi->has_main && (*mi->main.path || *mi->main.version ||
			     *mi->main.sum || mi->main.replace))
		format_module(sb, "mod", &mi->main);
	for (i = 0; i < mi->ndeps; i++)
		format_module(sb, "dep", &mi->deps[i]);
	for (i = 0; i < mi->nsettings; i++) {
		const struct modinfo_setting *s = &mi->settings[i];

		strbuf_adds(sb, "build\t");
		/* A stored "..." form came from strconv.Quote: keep it. */
		if (!quote_key(s->key))
			strbuf_adds(sb, s->key);
		else if (s->raw_key[0] == '"')
			strbuf_adds(sb, s->raw_key);
		else
			go_quote(sb, s->key);
		strbuf_addc(sb, '=');
		if (!quote_value(s->value))
			strbuf_adds(sb, s->value);
		else if (s->raw_value[0] == '"')
			strbuf_adds(sb, s->raw_value);
		else
			go_quote(sb, s->value);
		strbuf_addc(sb, '\n');
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *go_unquote(const char *s, size_t len)
{
	struct strbuf sb;
	size_t i;

	if (len < 2 || s[0] != s[len - 1])
		return NULL;
	if (s[0] == '`') {
		if (memchr(s + 1, '`', len - 2))
			return NULL;
		strbuf_init(&sb);
		for (i = 1; i < len - 1; i++)
			if (s[i] != '\r')
				strbuf_addc(&sb, s[i]);
		return strbuf_detach(&sb, NULL);
	}
	if (s[0] != '"')
		return NULL;
	strbuf_init(&sb);
	for (i = 1; i < len - 1; i++) {
		unsigned int v = 0;
		int nd = 0, k, d, is_rune = 1;

		if (s[i] == '"' || s[i] == '\n')
			goto bad;
		if (s[i] != '\\') {
			strbuf_addc(&sb, s[i]);
			continue;
		}
		if (++i >= len - 1)
			goto bad;
		switch (s[i]) {
		case 'a': strbuf_addc(&sb, '\a'); continue;
		case 'b': strbuf_addc(&sb, '\b'); continue;
		case 'f': strbuf_addc(&sb, '\f'); continue;
		case 'n': strbuf_addc(&sb, '\n'); continue;
		case 'r': strbuf_addc(&sb, '\r'); continue;
		case 't': strbuf_addc(&sb, '\t'); continue;
		case 'v': strbuf_addc(&sb, '\v'); continue;
		case '\\': strbuf_addc(&sb, '\\'); continue;
		case '"': strbuf_addc(&sb, '"'); continue;
		case 'x': nd = 2; is_rune = 0; break;
		case 'u': nd = 4; break;
		case 'U': nd = 8; break;
		default:
			if (s[i] >= '0' && s[i] <= '7') {
				if (i + 2 >= len - 1)
					goto bad;
				for (k = 0; k < 3; k++) {
					if (s[i + k] < '0' || s[i + k] > '7')
						goto bad;
					v = v * 8 + (unsigned int)(s[i + k] - '0');
				}
				if (v > 255)
					goto bad;
				strbuf_addc(&sb, (char)v);
				i += 2;
				continue;
			}
			goto bad;
		}
		if (i + (size_t)nd >= len)
			goto bad;
		for (k = 1; k <= nd; k++) {
			d = hexval(s[i + k]);
			if (d < 0)
				goto bad;
			v = v * 16 + (unsigned int)d;
		}
		i += (size_t)nd;
		if (!is_rune) {
			strbuf_addc(&sb, (char)v);
			continue;
		}
		if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			goto bad;
		utf8_put(&sb, v);
	}
	return strbuf_detach(&sb, NULL);
bad:
	strbuf_release(&sb);
	return NULL;
}

void go_quote(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0;

	strbuf_addc(sb, '"');
	while (i < len) {
		uint32_t r;
		size_t n = utf8_decode(p + i, len - i, &r);

		if (n == 0) {
			strbuf_addf(sb, "\\x%02x", p[i]);
			i++;
			continue;
		}
		i += n;
		switch (r) {
		case '\a': strbuf_adds(sb, "\\a"); continue;
		case '\b': strbuf_adds(sb, "\\b"); continue;
		case '\f': strbuf_adds(sb, "\\f"); continue;
		case '\n': strbuf_adds(sb, "\\n"); continue;
		case '\r': strbuf_adds(sb, "\\r"); continue;
		case '\t': strbuf_adds(sb, "\\t"); continue;
		case '\v': strbuf_adds(sb, "\\v"); continue;
		case '\\': strbuf_adds(sb, "\\\\"); continue;
		case '"': strbuf_adds(sb, "\\\""); continue;
		default:
			break;
		}
		if (r < 0x20 || r == 0x7f)
			strbuf_addf(sb, "\\x%02x", r);
		else if (r >= 0x80 && r <= 0xa0)
			strbuf_addf(sb, "\\u%04x", r);
		else if (r == 0xfeff)
			strbuf_adds(sb, "\\ufeff");
		else
			utf8_put(sb, r);
	}
	strbuf_addc(sb, '"');
}
