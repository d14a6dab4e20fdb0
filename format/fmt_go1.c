/* The runtime's debug=1 goroutine profile, rebuilt from a snapshot. */
#include <stdlib.h>
#include <string.h>

#include "buildinfo/modinfo.h"
#include "goruntime/traceback.h"
#include "format/fmt_go1.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

/*
 * A port of Go's text/tabwriter for NewWriter(w, 1, 8, 1, '\t', 0):
 * cells end at '\t', a line without tabs flushes, padding is done with
 * tabs to the column width rounded up to 8.
 */
struct tw_cell {
	size_t size;		/* bytes */
	size_t width;		/* runes */
	int htab;
};

struct tw_line {
	struct tw_cell *cells;
	size_t n, alloc;
};

struct tw {
	struct strbuf text;	/* bytes of all cells, in order */
	struct tw_line *lines;
	size_t nlines, alines;
	size_t widths[64];
	size_t nwidths;
	struct tw_cell cell;	/* the cell being built */
	struct strbuf *out;
};

struct rec {
	char *key;
	size_t count;
	const struct snap_goroutine *g;
	size_t *fidx;		/* frames in the PC list */
	size_t n;
};

static void tw_init(struct tw *t, struct strbuf *out);
static void tw_release(struct tw *t);
static void tw_add_line(struct tw *t);
static size_t tw_terminate(struct tw *t, int htab);
static void tw_padding(struct tw *t, size_t textw, size_t cellw);
static size_t tw_write_lines(struct tw *t, size_t pos, size_t l0,
			     size_t l1);
static size_t tw_format(struct tw *t, size_t pos, size_t l0, size_t l1);
static void tw_flush(struct tw *t);
static void tw_write(struct tw *t, const char *s, size_t n);
static size_t runes(const char *s, size_t n);
static void func_name(const struct snap *s, const char *name,
		      struct strbuf *out);
static int cmp_rec(const void *a, const void *b);
static void print_record(const struct snap *s, const struct rec *r,
			 struct tw *t, struct strbuf *tmp);

static void tw_init(struct tw *t, struct strbuf *out)
{
	memset(t, 0, sizeof(*t));
	strbuf_init(&t->text);
	t->out = out;
	tw_add_line(t);
}

static void tw_release(struct tw *t)
{
	size_t i;

	for (i = 0; i < t->alines; i++)
		free(t->lines[i].cells);
	free(t->lines);
	strbuf_release(&t->text);
}

static void tw_add_line(struct tw *t)
{
	if (t->nlines == t->alines) {
		t->alines = t->alines ? t->alines * 2 : 16;
		t->lines = xreallocarray(t->lines, t->alines,
					 sizeof(*t->lines));
		memset(t->lines + t->nlines, 0,
		       (t->alines - t->nlines) * sizeof(*t->lines));
	}
	t->lines[t->nlines++].n = 0;
}

static size_t tw_terminate(struct tw *t, int htab)
{
	struct tw_line *l = &t->lines[t->nlines - 1];

	t->cell.htab = htab;
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 8;
		l->cells = xreallocarray(l->cells, l->alloc,
					 sizeof(*l->cells));
	}
	l->cells[l->n++] = t->cell;
	memset(&t->cell, 0, sizeof(t->cell));
	return l->n;
}

static void tw_padding(struct tw *t, size_t textw, size_t cellw)
{
	size_t n;

	cellw = (cellw + 7) / 8 * 8;
	n = cellw - textw;
	for (n = (n + 7) / 8; n > 0; n--)
		strbuf_addc(t->out, '\t');
}

static size_t tw_write_lines(struct tw *t, size_t pos, size_t l0,
			     size_t l1)
{
	size_t i, j;

	for (i = l0; i < l1; i++) {
		const struct tw_line *l = &t->lines[i];

		for (j = 0; j < l->n; j++) {
			const struct tw_cell *c = &l->cells[j];

			if (c->size) {
				strbuf_add(t->out, t->text.buf + pos, c->size);
				pos += c->size;
			}
			if (j < t->nwidths)
				tw_padding(t, c->width, t->widths[j]);
		}
		if (i + 1 == t->nlines) {
			strbuf_add(t->out, t->text.buf + pos, t->cell.size);
			pos += t->cell.size;
		} else {
			strbuf_addc(t->out, '\n');
		}
	}
	return pos;
}

static size_t tw_format(struct tw *t, size_t pos, size_t l0, size_t l1)
{
	size_t column = t->nwidths, this;

	for (this = l0; this < l1; this++) {
		size_t width = 1;

		if (column + 1 >= t->lines[this].n)
			continue;
		pos = tw_write_lines(t, pos, l0, this);
		l0 = this;
		for (; this < l1; this++) {
			const struct tw_line *l = &t->lines[this];

			if (column + 1 >= l->n)
				break;
			if (l->cells[column].width + 1 > width)
				width = l->cells[column].width + 1;
		}
		if (t->nwidths < sizeof(t->widths) / sizeof(t->widths[0])) {
			t->widths[t->nwidths++] = width;
			pos = tw_format(t, pos, l0, this);
			t->nwidths--;
		} else {
			pos = tw_write_lines(t, pos, l0, this);
		}
		l0 = this;
		/* the loop's increment must not skip line "this" */
		this--;
	}
	return tw_write_lines(t, pos, l0, l1);
}

static void tw_flush(struct tw *t)
{
	if (t->cell.size > 0)
		tw_terminate(t, 0);
	tw_format(t, 0, 0, t->nlines);
	strbuf_reset(&t->text);
	t->nlines = 0;
	t->nwidths = 0;
	memset(&t->cell, 0, sizeof(t->cell));
	tw_add_line(t);
}

static size_t runes(const char *s, size_t n)
{
	size_t i, r = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			r++;
	return r;
}

static void tw_write(struct tw *t, const char *s, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		if (s[i] != '\t' && s[i] != '\n')
			continue;
		strbuf_add(&t->text, s + start, i - start);
		t->cell.size += i - start;
		t->cell.width += runes(s + start, i - start);
		start = i + 1;
		if (tw_terminate(t, s[i] == '\t') == 1 && s[i] == '\n') {
			tw_add_line(t);
			tw_flush(t);
		} else if (s[i] == '\n') {
			tw_add_line(t);
		}
	}
	strbuf_add(&t->text, s + start, n - start);
	t->cell.size += n - start;
	t->cell.width += runes(s + start, n - start);
}

/* runtime.Frame.Function: funcNameForPrint since Go 1.21. */
static void func_name(const struct snap *s, const char *name,
		      struct strbuf *out)
{
	if ((s->go_minor >= 21 || s->go_minor == 0) && strchr(name, '[') &&
	    strcmp(name, "runtime.gopanic"))
		gort_print_func_name(out, name);
	else
		strbuf_adds(out, name);
}

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* printStackRecord(w, stk, false) */
static void print_record(const struct snap *s, const struct rec *r,
			 struct tw *t, struct strbuf *tmp)
{
	int show = 0, all;
	size_t i;

	for (all = 0; all < 2; all++) {
		show = all;
		for (i = 0; i < r->n; i++) {
			const struct snap_frame *f = &r->g->frames[r->fidx[i]];
			uint64_t stored = f->lpc ? f->lpc + 1 : f->pc;
			uint64_t pc = stored > f->entry ? stored - 1 : stored;

			if (f->flags & SNAP_FRAME_UNKNOWN)
				continue;
			strbuf_reset(tmp);
			func_name(s, f->func, tmp);
			if (!strcmp(tmp->buf, "runtime.goexit"))
				continue;
			if (!show && (!strncmp(tmp->buf, "runtime.", 8) ||
				      (s->go_minor >= 24 &&
				       !strncmp(tmp->buf,
						"internal/runtime/", 17))))
				continue;
			show = 1;
			strbuf_reset(tmp);
			strbuf_addf(tmp, "#\t0x%llx\t", (unsigned long long)pc);
			func_name(s, f->func, tmp);
			strbuf_addf(tmp, "+0x%llx\t%s:%d\n",
				    (unsigned long long)(pc - f->entry),
				    f->file, f->line);
			tw_write(t, tmp->buf, tmp->len);
		}
		if (show)
			break;
	}
	tw_write(t, "\n", 1);
}

void fmt_go1_dump(const struct snap *s, struct strbuf *out)
{
	size_t depth = (s->go_minor >= 23 || s->go_minor == 0) ? 128 : 32;
	struct rec *recs = NULL;
	size_t nrecs = 0, arecs = 0, total = 0, i, j, nslots;
	size_t *slots, *fidx = xcalloc(depth, sizeof(*fidx));
	struct strbuf key, tmp;
	struct tw t;

	nslots = s->ngs * 2 + 17;
	slots = xcalloc(nslots, sizeof(*slots));
	strbuf_init(&key);
	strbuf_init(&tmp);
	for (i = 0; i < s->ngs; i++) {
		const struct snap_goroutine *g = &s->gs[i];
		size_t n = 0, slot;
		uint64_t h = 1469598103934665603ull;
		int callee_ok = 1;

		if (g->system)
			continue;
		total += snap_g_weight(g);
		strbuf_reset(&key);
		strbuf_addc(&key, '@');
		for (j = 0; j < g->nframes; j++) {
			const struct snap_frame *f = &g->frames[j];
			int skip = (f->flags & SNAP_FRAME_WRAPPER) && callee_ok;

			callee_ok = strcmp(f->func, "runtime.gopanic") &&
				    strcmp(f->func, "runtime.sigpanic") &&
				    strcmp(f->func, "runtime.panicwrap");
			if (skip || n == depth)
				continue;
			fidx[n++] = j;
			strbuf_addf(&key, " 0x%llx", (unsigned long long)
				    (f->lpc ? f->lpc + 1 : f->pc));
		}
		if (g->nlabels) {
			/* labelMap.String(): "k":"v" pairs sorted. */
			char **kv = xcalloc(g->nlabels, sizeof(*kv));

			for (j = 0; j < g->nlabels; j++) {
				strbuf_reset(&tmp);
				go_quote(&tmp, g->labels[j].key);
				strbuf_addc(&tmp, ':');
				go_quote(&tmp, g->labels[j].value);
				kv[j] = strbuf_detach(&tmp, NULL);
			}
			for (j = 1; j < g->nlabels; j++)
				for (size_t k = j; k > 0 &&
				     strcmp(kv[k - 1], kv[k]) > 0; k--) {
					char *x = kv[k];

					kv[k] = kv[k - 1];
					kv[k - 1] = x;
				}
			strbuf_adds(&key, "\n# labels: {");
			for (j = 0; j < g->nlabels; j++) {
				strbuf_adds(&key, j ? ", " : "");
				strbuf_adds(&key, kv[j]);
				free(kv[j]);
			}
			strbuf_addc(&key, '}');
			free(kv);
		}
		for (j = 0; j < key.len; j++)
			h = (h ^ (unsigned char)key.buf[j]) * 1099511628211ull;
		for (slot = (size_t)(h % nslots); slots[slot];
		     slot = (slot + 1) % nslots)
			if (!strcmp(recs[slots[slot] - 1].key, key.buf))
				break;
		if (slots[slot]) {
			recs[slots[slot] - 1].count += snap_g_weight(g);
			continue;
		}
		if (nrecs == arecs) {
			arecs = arecs ? arecs * 2 : 64;
			recs = xreallocarray(recs, arecs, sizeof(*recs));
		}
		recs[nrecs].key = xmemdupz(key.buf, key.len);
		recs[nrecs].count = snap_g_weight(g);
		recs[nrecs].g = g;
		recs[nrecs].n = n;
		recs[nrecs].fidx = xcalloc(n + 1, sizeof(*fidx));
		memcpy(recs[nrecs].fidx, fidx, n * sizeof(*fidx));
		slots[slot] = ++nrecs;
	}
	free(slots);
	free(fidx);
	if (nrecs)
		qsort(recs, nrecs, sizeof(*recs), cmp_rec);
	tw_init(&t, out);
	strbuf_reset(&tmp);
	strbuf_addf(&tmp, "goroutine profile: total %zu\n", total);
	tw_write(&t, tmp.buf, tmp.len);
	for (i = 0; i < nrecs; i++) {
		strbuf_reset(&tmp);
		strbuf_addf(&tmp, "%zu %s\n", recs[i].count, recs[i].key);
		tw_write(&t, tmp.buf, tmp.len);
		print_record(s, &recs[i], &t, &tmp);
		free(recs[i].key);
		free(recs[i].fidx);
	}
	tw_flush(&t);
	tw_release(&t);
	free(recs);
	strbuf_release(&key);
	strbuf_release(&tmp);
}
