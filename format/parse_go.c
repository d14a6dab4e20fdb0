/* Parser of the Go runtime's goroutine dump texts into a struct snap. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buildinfo/modinfo.h"
#include "goruntime/traceback.h"
#include "format/parse_go.h"
#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "lib/utf8.h"
#include "lib/banned.h"

#define MAX_FRAMES_PER_G (1u << 20)

struct line {
	const char *p;
	size_t n;
	size_t no;
};

struct parser {
	const char *cur, *end;
	size_t lineno;
	struct snap *s;
	size_t galloc;
	int in_g;		/* a goroutine is open: the last of s->gs */
	size_t falloc;		/* frames allocated for it */
	int pending;		/* 1: a frame, 2: a creator awaits its file */
	size_t pending_line;
	int stack_unavailable;
	size_t nwarn;
	struct err first;	/* the first problem */
	struct strbuf tmp;
	int old_elision;
	int in_goroutine;	/* "created by F in goroutine N" seen */
	int full;		/* PARSE_GO_MAX_GOROUTINES reached */
};

static int next_line(struct parser *p, struct line *l);
static int is_changed_line(const struct line *l);
static void warnf(struct parser *p, size_t line, const char *fmt, ...)
	ATTR_FORMAT(3, 4);
static const char *intern_n(struct parser *p, const char *s, size_t n);
static const char *copy_n(struct parser *p, const char *s, size_t n);
static void clean_n(struct parser *p, const char *s, size_t n);
static int starts(const struct line *l, const char *prefix);
static int parse_u64(const char *s, size_t n, uint64_t *out);
static struct snap_goroutine *cur_g(struct parser *p);
static struct snap_goroutine *new_g(struct parser *p);
static struct snap_frame *new_frame(struct parser *p);
static void finish_g(struct parser *p);
static void set_state(struct parser *p, struct snap_goroutine *g,
		      const char *st, size_t n);
static int parse_header(struct parser *p, const struct line *l);
static size_t func_name_len(const struct line *l);
static void func_frame(struct parser *p, const struct line *l, size_t nlen);
static void creator_line(struct parser *p, const struct line *l);
static void file_line(struct parser *p, const struct line *l);
static void parse_debug2(struct parser *p);
static int parse_labels(struct parser *p, const char *s, size_t n,
			struct snap_label **out, size_t *nout);
static size_t split_tabs(const struct line *l, const char **cells,
			 size_t *lens, size_t max);
static void parse_debug1(struct parser *p, const struct line *first);

/* "\tstack unavailable: changed during capture" (goscope's dumps). */
static int is_changed_line(const struct line *l)
{
	static const char m[] = "\tstack unavailable: "
				SNAP_CHANGED_DURING_CAPTURE;

	return l->n >= sizeof(m) - 1 && !memcmp(l->p, m, sizeof(m) - 1);
}

static int next_line(struct parser *p, struct line *l)
{
	const char *nl;

	if (p->cur >= p->end)
		return 0;
	nl = memchr(p->cur, '\n', (size_t)(p->end - p->cur));
	l->p = p->cur;
	l->n = nl ? (size_t)(nl - p->cur) : (size_t)(p->end - p->cur);
	p->cur = nl ? nl + 1 : p->end;
	l->no = ++p->lineno;
	if (l->n && l->p[l->n - 1] == '\r')
		l->n--;
	return 1;
}

static void warnf(struct parser *p, size_t line, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (p->nwarn++)
		return;
	p->first.code = EINVAL;
	n = (size_t)snprintf(p->first.msg, sizeof(p->first.msg), "line %zu: ",
			     line);
	if (n >= sizeof(p->first.msg))
		return;
	va_start(ap, fmt);
	vsnprintf(p->first.msg + n, sizeof(p->first.msg) - n, fmt, ap);
	va_end(ap);
}

/*
 * Interns s[0, n) as text: a NUL ends it, bytes that are not UTF-8
 * become U+FFFD (a snapshot's strings must survive JSON unchanged).
 */
static const char *intern_n(struct parser *p, const char *s, size_t n)
{
	clean_n(p, s, n);
	return snap_intern(p->s, p->tmp.buf);
}

/* The same as intern_n, but a copy of its own (arguments: not shared). */
static const char *copy_n(struct parser *p, const char *s, size_t n)
{
	clean_n(p, s, n);
	return snap_strdup(p->s, p->tmp.buf, p->tmp.len);
}

/* Leaves s[0, n) in p->tmp, cleaned as intern_n says. */
static void clean_n(struct parser *p, const char *s, size_t n)
{
	const char *nul = memchr(s, '\0', n);

	strbuf_reset(&p->tmp);
	utf8_clean(&p->tmp, s, nul ? (size_t)(nul - s) : n);
}

static int starts(const struct line *l, const char *prefix)
{
	size_t n = strlen(prefix);

	return l->n >= n && !memcmp(l->p, prefix, n);
}

static int parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 19)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static struct snap_goroutine *cur_g(struct parser *p)
{
	return p->in_g ? &p->s->gs[p->s->ngs - 1] : NULL;
}

static struct snap_goroutine *new_g(struct parser *p)
{
	struct snap_goroutine *g;

	if (p->s->ngs >= PARSE_GO_MAX_GOROUTINES) {
		p->full = 1;
		return NULL;
	}
	if (p->s->ngs == p->galloc) {
		p->galloc = p->galloc ? p->galloc * 2 : 64;
		p->s->gs = xreallocarray(p->s->gs, p->galloc,
					 sizeof(*p->s->gs));
	}
	g = &p->s->gs[p->s->ngs++];
	memset(g, 0, sizeof(*g));
	g->wait_ns = -1;
	p->in_g = 1;
	p->falloc = 0;
	p->pending = 0;
	p->stack_unavailable = 0;
	return g;
}

static struct snap_frame *new_frame(struct parser *p)
{
	struct snap_goroutine *g = cur_g(p);
	struct snap_frame *f;

	if (g->nframes >= MAX_FRAMES_PER_G)
		return NULL;
	if (g->nframes == p->falloc) {
		p->falloc = p->falloc ? p->falloc * 2 : 16;
		g->frames = xreallocarray(g->frames, p->falloc,
					  sizeof(*g->frames));
	}
	f = &g->frames[g->nframes++];
	memset(f, 0, sizeof(*f));
	return f;
}

/* Closes the open goroutine: physical frame numbers, flags, start. */
static void finish_g(struct parser *p)
{
	struct snap_goroutine *g = cur_g(p);
	unsigned int phys = 0;
	int runtime_frames = 0;
	size_t i;

	if (!g)
		return;
	if (p->pending) {
		warnf(p, p->pending_line, "truncated: no file line follows");
		g->unwind_error = snap_intern(p->s, "truncated dump");
		if (p->pending == 2)
			g->has_creator = 0;
	} else if (g->nframes == 0 && !p->stack_unavailable) {
		warnf(p, p->lineno, "truncated: goroutine %llu has no frames",
		      (unsigned long long)g->goid);
		g->unwind_error = snap_intern(p->s, "truncated dump");
	}
	for (i = 0; i < g->nframes; i++) {
		struct snap_frame *f = &g->frames[i];

		f->phys = phys;
		if (!f->inlined)
			phys++;
		if (gort_frame_hidden(f->func, 1)) {
			f->flags |= SNAP_FRAME_RUNTIME;
			runtime_frames = 1;
		}
		if (gort_text_frame_is_wrapper(f->func, f->file))
			f->flags |= SNAP_FRAME_WRAPPER;
		if (strcmp(f->func, "runtime.goexit"))
			g->start_func = f->func;
	}
	g->nphys = phys;
	g->system = runtime_frames &&
		    gort_is_system(g->start_func, g->status == SNAP_WAITING);
	p->in_g = 0;
	p->pending = 0;
}

/* The state text of a header: "chan receive", "running (scan)", ... */
static void set_state(struct parser *p, struct snap_goroutine *g,
		      const char *st, size_t n)
{
	uint32_t i;

	g->status = SNAP_WAITING;
	if (n >= 9 && !memcmp(st + n - 9, " (leaked)", 9)) {
		g->status = SNAP_LEAKED;
		n -= 9;
	}
	if (n >= 7 && !memcmp(st + n - 7, " (scan)", 7)) {
		g->scan = 1;
		n -= 7;
	}
	g->status_str = intern_n(p, st, n);
	if (g->status == SNAP_LEAKED) {
		g->waitreason = -1;
		return;
	}
	for (i = 0; i <= SNAP_LEAKED; i++)
		if (!strcmp(g->status_str, gort_status_name(i))) {
			g->status = i;
			return;
		}
	g->waitreason = -1;
}

/*
 * "goroutine 18 [chan receive, 5 minutes, locked to thread]:", with
 * GOTRACEBACK=system's "gp=0x... m=..." before the bracket.  Returns 1
 * for a header (a goroutine is then open), 0 otherwise.
 */
static int parse_header(struct parser *p, const struct line *l)
{
	struct snap_goroutine *g;
	const char *s = l->p + 10, *end = l->p + l->n, *br, *close, *item;
	uint64_t id;
	size_t n;

	if (!starts(l, "goroutine "))
		return 0;
	for (n = 0; s + n < end && s[n] >= '0' && s[n] <= '9'; n++)
		;
	if (l->n < 12 || n == 0 || s + n >= end || s[n] != ' ') {
		/* "goroutine -1 [running]:", "goroutine x [...]:": a header
		 * whose goroutine cannot be read is said, not dropped. */
		if (memchr(l->p, '[', l->n) && l->p[l->n - 1] == ':') {
			finish_g(p);
			warnf(p, l->no, "unreadable goroutine header '%.*s': "
			      "goroutine skipped",
			      (int)(l->n > 60 ? 60 : l->n), l->p);
			return 1;
		}
		return 0;
	}
	while (end > l->p && end[-1] == ' ')
		end--;
	br = memchr(s, '[', (size_t)(end - s));
	if (!br || end - br < 3 || end[-1] != ':' || end[-2] != ']') {
		/* "goroutine 7 [" that does not close: damaged. */
		if (br) {
			finish_g(p);
			warnf(p, l->no, "malformed goroutine header");
			return 1;
		}
		return 0;
	}
	finish_g(p);
	if (parse_u64(s, n, &id) < 0) {
		warnf(p, l->no, "goroutine id out of range");
		return 1;
	}
	g = new_g(p);
	if (!g)
		return 1;
	g->goid = id;
	close = end - 2;
	item = br + 1;
	/* The first item is the state; then "N minutes", "locked to
	 * thread" and anything newer, separated by ", ". */
	for (n = 0; item < close; n++) {
		const char *sep = item, *iend;

		while (sep + 1 < close && !(sep[0] == ',' && sep[1] == ' '))
			sep++;
		iend = sep + 1 < close ? sep : close;
		if (n == 0) {
			set_state(p, g, item, (size_t)(iend - item));
		} else if (iend - item > 8 &&
			   !memcmp(iend - 8, " minutes", 8)) {
			uint64_t m;

			if (parse_u64(item, (size_t)(iend - item - 8), &m) == 0 &&
			    m < 153722867ull) {
				g->wait_ns = (int64_t)m * 60000000000ll;
				g->waitsince = 1;
			}
		} else if ((size_t)(iend - item) == 16 &&
			   !memcmp(item, "locked to thread", 16)) {
			g->locked = 1;
		}
		item = iend + 2;
	}
	if (!g->status_str)
		set_state(p, g, "", 0);
	return 1;
}

/* Length of the name in "name(args)", or 0 when l is not a call line. */
static size_t func_name_len(const struct line *l)
{
	size_t i;
	int depth = 0;

	if (l->n < 3 || l->p[l->n - 1] != ')' || l->p[0] == ' ' ||
	    l->p[0] == '\t')
		return 0;
	for (i = l->n; i-- > 0;) {
		if (l->p[i] == ')')
			depth++;
		else if (l->p[i] == '(' && --depth == 0)
			break;
	}
	if (i == (size_t)-1 || i == 0 || depth != 0)
		return 0;
	if (memchr(l->p, ' ', i))
		return 0;
	return i;
}

static void func_frame(struct parser *p, const struct line *l, size_t nlen)
{
	struct snap_frame *f = new_frame(p);

	if (!f) {
		warnf(p, l->no, "too many frames");
		return;
	}
	if (nlen == 5 && !memcmp(l->p, "panic", 5))
		f->func = snap_intern(p->s, "runtime.gopanic");
	else
		f->func = intern_n(p, l->p, nlen);
	/* Arguments as printed; "(...)" (inlined, or unknown) is none. */
	if (l->n - nlen - 2 != 3 || memcmp(l->p + nlen + 1, "...", 3))
		f->args = copy_n(p, l->p + nlen + 1, l->n - nlen - 2);
	f->file = snap_intern(p->s, "?");
	/* Until a "+0x" offset says otherwise, the frame is inlined. */
	f->inlined = 1;
	p->pending = 1;
	p->pending_line = l->no;
}

/* "created by main.main in goroutine 1" (Go 1.21+) or without parent. */
static void creator_line(struct parser *p, const struct line *l)
{
	struct snap_goroutine *g = cur_g(p);
	const char *s = l->p + 11, *end = l->p + l->n, *in;
	uint64_t parent;

	in = NULL;
	for (const char *q = s; q + 14 <= end; q++)
		if (!memcmp(q, " in goroutine ", 14))
			in = q;
	if (in && parse_u64(in + 14, (size_t)(end - in - 14), &parent) == 0) {
		g->parent_goid = parent;
		p->in_goroutine = 1;
		end = in;
	}
	memset(&g->creator, 0, sizeof(g->creator));
	g->creator.func = (end - s == 5 && !memcmp(s, "panic", 5))
				  ? snap_intern(p->s, "runtime.gopanic")
				  : intern_n(p, s, (size_t)(end - s));
	g->creator.file = snap_intern(p->s, "?");
	g->has_creator = 1;
	p->pending = 2;
	p->pending_line = l->no;
}

/* "\t/path/file.go:123 +0x1d fp=0x... sp=0x... pc=0x..." */
static void file_line(struct parser *p, const struct line *l)
{
	struct snap_goroutine *g = cur_g(p);
	const char *s = l->p + 1, *end = l->p + l->n, *stop = end, *colon;
	struct snap_frame *f;
	uint64_t off = 0, line = 0;
	int has_off = 0;

	for (const char *q = s; q + 4 <= end; q++) {
		if (!memcmp(q, " +0x", 4) || !memcmp(q, " fp=", 4)) {
			stop = q;
			break;
		}
	}
	if (stop + 4 <= end && !memcmp(stop, " +0x", 4)) {
		const char *h = stop + 4;

		while (h < end && *h != ' ') {
			int d = (*h >= '0' && *h <= '9') ? *h - '0'
				: (*h >= 'a' && *h <= 'f') ? *h - 'a' + 10
				: -1;

			if (d < 0 || off >> 60)
				break;
			off = off * 16 + (uint64_t)d;
			h++;
		}
		has_off = 1;
	}
	colon = NULL;
	for (const char *q = s; q < stop; q++)
		if (*q == ':')
			colon = q;
	if (!colon || parse_u64(colon + 1, (size_t)(stop - colon - 1),
				&line) < 0 || line > INT32_MAX) {
		warnf(p, l->no, "expected 'file:line' after a function");
		colon = stop;
		line = 0;
	}
	f = p->pending == 2 ? &g->creator : &g->frames[g->nframes - 1];
	f->file = intern_n(p, s, (size_t)(colon - s));
	f->line = (int)line;
	if (has_off) {
		f->pc = off;
		f->inlined = 0;
	}
	p->pending = 0;
}

static void parse_debug2(struct parser *p)
{
	struct line l;
	size_t nlen;

	while (!p->full && next_line(p, &l)) {
		if (parse_header(p, &l))
			continue;
		if (!p->in_g)
			continue;
		if (l.n == 0) {
			finish_g(p);
			continue;
		}
		if (l.n > 33 && l.p[0] == '\t' &&
		    !memcmp(l.p + 1, "goroutine running on other thread", 33)) {
			p->stack_unavailable = 1;
			continue;
		}
		if (is_changed_line(&l)) {
			/* goscope's mark for a goroutine it could not copy. */
			struct snap_goroutine *g = cur_g(p);

			p->stack_unavailable = 1;
			if (g) {
				g->changed = 1;
				g->unwind_error = snap_intern(
					p->s, SNAP_CHANGED_DURING_CAPTURE);
			}
			continue;
		}
		if (l.p[0] == '\t') {
			if (p->pending)
				file_line(p, &l);
			else
				warnf(p, l.no, "file line without a function");
			continue;
		}
		if (p->pending) {
			warnf(p, p->pending_line, "no file line follows");
			if (p->pending == 2)
				cur_g(p)->has_creator = 0;
			p->pending = 0;
		}
		if (starts(&l, "created by ") && l.n > 11) {
			creator_line(p, &l);
		} else if (starts(&l, "...") && l.n > 6 &&
			   !memcmp(l.p + l.n - 3, "...", 3)) {
			if (starts(&l, "...additional frames elided"))
				p->old_elision = 1;
			if (cur_g(p))
				cur_g(p)->frames_elided = 1;
		} else if ((nlen = func_name_len(&l)) > 0) {
			func_frame(p, &l, nlen);
		} else {
			/* Text after the dump ("exit status 2", a log line). */
			finish_g(p);
		}
	}
	finish_g(p);
}

/*
 * "{\"k\":\"v\", \"k2\":\"v2\"}" with Go-quoted keys and values.
 * Returns 0, or -1 when malformed.
 */
static int parse_labels(struct parser *p, const char *s, size_t n,
			struct snap_label **out, size_t *nout)
{
	const char *end = s + n, *q;
	struct snap_label *lab = NULL;
	size_t nl = 0, alloc = 0;
	char *str[2];
	int k;

	*out = NULL;
	*nout = 0;
	if (n < 2 || s[0] != '{' || end[-1] != '}')
		return -1;
	s++;
	end--;
	while (s < end) {
		for (k = 0; k < 2; k++) {
			if (s >= end || *s != '"')
				goto bad;
			for (q = s + 1; q < end && *q != '"'; q++)
				if (*q == '\\')
					q++;
			if (q >= end)
				goto bad;
			str[k] = go_unquote(s, (size_t)(q + 1 - s));
			if (!str[k]) {
				if (k)
					free(str[0]);
				goto bad;
			}
			s = q + 1;
			if (k == 0) {
				if (s >= end || *s != ':') {
					free(str[0]);
					goto bad;
				}
				s++;
			}
		}
		if (nl == alloc) {
			alloc = alloc ? alloc * 2 : 4;
			lab = xreallocarray(lab, alloc, sizeof(*lab));
		}
		lab[nl].key = intern_n(p, str[0], strlen(str[0]));
		lab[nl].value = intern_n(p, str[1], strlen(str[1]));
		/* A key set twice keeps its last value, as in Go's map. */
		for (k = 0; k < (int)nl && lab[k].key != lab[nl].key; k++)
			;
		if (k < (int)nl)
			lab[k].value = lab[nl].value;
		else
			nl++;
		free(str[0]);
		free(str[1]);
		if (s < end) {
			if (end - s < 2 || s[0] != ',' || s[1] != ' ')
				goto bad;
			s += 2;
		}
	}
	*out = lab;
	*nout = nl;
	return 0;
bad:
	free(lab);
	return -1;
}

/* Splits at runs of tabs; returns the number of cells. */
static size_t split_tabs(const struct line *l, const char **cells,
			 size_t *lens, size_t max)
{
	const char *s = l->p, *end = l->p + l->n;
	size_t n = 0;

	while (s < end && n < max) {
		const char *t = memchr(s, '\t', (size_t)(end - s));

		if (!t)
			t = end;
		cells[n] = s;
		lens[n++] = (size_t)(t - s);
		s = t;
		while (s < end && *s == '\t')
			s++;
	}
	return n;
}

/*
 * The debug=1 text: "goroutine profile: total N", then per stack
 * "COUNT @ 0xpc ...", an optional "# labels: {...}", and one
 * "#\t0xpc\tfunc+0xoff\tfile:line" line per shown frame.
 */
static void parse_debug1(struct parser *p, const struct line *first)
{
	struct snap_goroutine proto;
	struct line l;
	uint64_t count = 0;
	size_t falloc = 0, rec_line = first->no, i;
	int in_rec = 0;

	memset(&proto, 0, sizeof(proto));
	for (;;) {
		int more = next_line(p, &l);

		if (!more || l.n == 0 || (l.n && l.p[0] != '#')) {
			/*
			 * End of a record: one goroutine standing for count
			 * identical ones, so a small file claiming millions
			 * costs one entry.
			 */
			if (in_rec) {
				struct snap_goroutine *g;

				if (proto.nframes == 0)
					warnf(p, rec_line, "record without frames");
				g = count && !p->full ? new_g(p) : NULL;
				if (g) {
					*g = proto;
					g->weight = count;
					g->frames = proto.frames
						? proto.frames
						: xcalloc(1, sizeof(*g->frames));
					p->falloc = proto.nframes;
					finish_g(p);
				} else {
					free(proto.frames);
					free(proto.labels);
				}
				memset(&proto, 0, sizeof(proto));
				in_rec = 0;
			}
			if (!more || p->full)
				break;
			if (l.n == 0)
				continue;
			/* "COUNT @ 0x... 0x..." */
			{
				const char *at = memchr(l.p, '@', l.n);

				if (!at || at == l.p || at[-1] != ' ' ||
				    parse_u64(l.p, (size_t)(at - 1 - l.p),
					      &count) < 0) {
					warnf(p, l.no, "expected 'COUNT @ PCs'");
					continue;
				}
				if (count > PARSE_GO_MAX_GOROUTINES) {
					warnf(p, l.no, "count out of range");
					continue;
				}
			}
			memset(&proto, 0, sizeof(proto));
			proto.status_str = snap_intern(p->s, "unknown");
			proto.status = UINT32_MAX;
			proto.wait_ns = -1;
			falloc = 0;
			rec_line = l.no;
			in_rec = 1;
			continue;
		}
		if (!in_rec)
			continue;
		if (starts(&l, "# labels: ")) {
			free(proto.labels);
			if (parse_labels(p, l.p + 10, l.n - 10, &proto.labels,
					 &proto.nlabels) < 0)
				warnf(p, l.no, "malformed labels");
			continue;
		}
		{
			const char *cells[4];
			size_t lens[4], n = split_tabs(&l, cells, lens, 4);
			struct snap_frame *f;
			uint64_t pc = 0, off = 0, line = 0;
			const char *plus, *colon;

			if (n < 2 || lens[0] != 1 || lens[1] < 3 ||
			    cells[1][0] != '0' || cells[1][1] != 'x') {
				warnf(p, l.no, "expected '#\\tPC\\tfunc'");
				continue;
			}
			for (i = 2; i < lens[1]; i++) {
				int d = cells[1][i];

				d = (d >= '0' && d <= '9') ? d - '0'
				    : (d >= 'a' && d <= 'f') ? d - 'a' + 10
				    : -1;
				if (d < 0 || pc >> 60)
					break;
				pc = pc * 16 + (uint64_t)d;
			}
			if (proto.nframes >= MAX_FRAMES_PER_G)
				continue;
			if (proto.nframes == falloc) {
				falloc = falloc ? falloc * 2 : 16;
				proto.frames = xreallocarray(
					proto.frames, falloc,
					sizeof(*proto.frames));
			}
			f = &proto.frames[proto.nframes++];
			memset(f, 0, sizeof(*f));
			f->lpc = pc;
			f->pc = pc + 1;
			if (n < 4) {
				f->func = snap_intern(p->s, "?");
				f->file = f->func;
				f->flags = SNAP_FRAME_UNKNOWN;
				continue;
			}
			plus = NULL;
			for (i = lens[2]; i-- > 0;)
				if (cells[2][i] == '+') {
					plus = cells[2] + i;
					break;
				}
			if (plus && cells[2] + lens[2] - plus > 3 &&
			    plus[1] == '0' && plus[2] == 'x') {
				for (const char *h = plus + 3;
				     h < cells[2] + lens[2]; h++) {
					int d = (*h >= '0' && *h <= '9')
						? *h - '0'
						: (*h >= 'a' && *h <= 'f')
						? *h - 'a' + 10 : -1;

					if (d < 0 || off >> 60)
						break;
					off = off * 16 + (uint64_t)d;
				}
				f->func = intern_n(p, cells[2],
						   (size_t)(plus - cells[2]));
				f->entry = pc >= off ? pc - off : 0;
			} else {
				f->func = intern_n(p, cells[2], lens[2]);
			}
			colon = NULL;
			for (i = 0; i < lens[3]; i++)
				if (cells[3][i] == ':')
					colon = cells[3] + i;
			if (!colon ||
			    parse_u64(colon + 1,
				      (size_t)(cells[3] + lens[3] - colon - 1),
				      &line) < 0 || line > INT32_MAX) {
				warnf(p, l.no, "expected 'file:line'");
				colon = cells[3] + lens[3];
				line = 0;
			}
			f->file = intern_n(p, cells[3],
					   (size_t)(colon - cells[3]));
			f->line = (int)line;
		}
	}
	free(proto.frames);
	free(proto.labels);
}

int parse_go_dump(const char *buf, size_t len, struct snap **out,
		  struct err *warn, struct err *e)
{
	struct parser p;
	struct line l;

	memset(&p, 0, sizeof(p));
	err_init(warn);
	p.cur = buf;
	p.end = buf + len;
	p.s = snap_new();
	strbuf_init(&p.tmp);
	/* The debug=1 text starts with its total line (after blank lines
	 * or '#' comments). */
	while (next_line(&p, &l)) {
		if (l.n == 0 || l.p[0] == '#')
			continue;
		if (starts(&l, "goroutine profile: total ")) {
			parse_debug1(&p, &l);
			goto done;
		}
		break;
	}
	p.cur = buf;
	p.lineno = 0;
	parse_debug2(&p);
done:
	strbuf_release(&p.tmp);
	if (p.full)
		warnf(&p, p.lineno, "more than %u goroutines; the rest is "
		      "ignored", PARSE_GO_MAX_GOROUTINES);
	if (p.s->ngs == 0) {
		snap_free(p.s);
		if (p.nwarn)
			return err_set(e, EINVAL, "%s", p.first.msg);
		return err_set(e, EINVAL, "line %zu: no goroutine found "
			       "(expected 'goroutine N [state]:' or "
			       "'goroutine profile: total N')",
			       p.lineno ? p.lineno : 1);
	}
	if (p.nwarn && warn) {
		size_t n;

		*warn = p.first;
		n = strlen(warn->msg);
		if (p.nwarn > 1)
			snprintf(warn->msg + n, sizeof(warn->msg) - n,
				 " (and %zu more problems)", p.nwarn - 1);
	}
	/* What the text tells of the Go version that printed it. */
	if (p.old_elision)
		p.s->go_minor = 20;
	else if (p.in_goroutine)
		p.s->go_minor = 21;
	*out = p.s;
	return 0;
}
