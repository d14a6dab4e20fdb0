/* Rendering of the header, every screen and the footer with curses. */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "snapshot/fmt_threads.h"
#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/procs.h"
#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define HEADER_LINES 4
#define TREND_MAX MODEL_SERIES

enum role {
	R_NORMAL, R_TITLE, R_COLHDR, R_GROW, R_LEAK, R_NEW, R_DIM, R_ERR,
	R_OK, R_BOLD,
};

static attr_t attr_of(const struct app *a, enum role r);
static int put(const struct app *a, int y, int x, int w, const char *s,
	       attr_t at);
static int put_tail(const struct app *a, int y, int x, int w,
		    const char *s, attr_t at);
static void putf(const struct app *a, int y, int x, int w, attr_t at,
		 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void fill(int y, int x, int w, attr_t at);
static size_t list_window(struct list_state *l, size_t n, int h, int y);
static void fmt_delta(char *buf, size_t size, long long d);
static void fmt_dur(char *buf, size_t size, int64_t ns);
static void fmt_wait_age(const struct app *a, char *buf, size_t size,
			 int64_t wait_ns, int64_t first_seen);
static void fmt_age(char *buf, size_t size, long long s);
static const char *base_name(const char *path);
static const char *str(const char *s);
static void frame_where(char *buf, size_t size, const struct snap_frame *f,
			int full);
static void spark(const struct app *a, const long long *v, size_t n,
		  struct strbuf *out);
static const char *main_mod(const struct app *a);
static const char *hskip(const char *s, int cols);
static void group_func(const struct app *a, const struct model_row *r,
		       int w, char *buf, size_t size);
static void draw_detail(struct app *a, const struct model_row *r, int y,
			int w);
static const char *sort_mark(const struct app *a, enum model_sort key);
static void labels_str(const struct snap_label *l, size_t n,
		       struct strbuf *out);
static void draw_header(struct app *a, int w);
static void draw_title(struct app *a, int y, int w);
static void draw_groups(struct app *a, int y0, int h, int w, int leaks);
static void draw_goroutines(struct app *a, int y0, int h, int w);
static void draw_frames(struct app *a, const struct snap_goroutine *g,
			int y0, int h, int w);
static void draw_stack(struct app *a, int y0, int h, int w);
static char *detab(const char *text, size_t len);
static void draw_source(struct app *a, const char *file, int line, int y0,
			int h, int w);
static void draw_threads(struct app *a, int y0, int h, int w);
static void draw_text(struct app *a, const struct strbuf *sb, int y0, int h,
		      int w);
static void draw_diff(struct app *a, int y0, int h, int w);
static void draw_footer(struct app *a, int y, int w);
static const char *prompt_label(const struct app *a);

void draw_init(struct app *a)
{
	short bg = -1;

	if (!a->color)
		return;
	start_color();
	if (use_default_colors() == ERR)
		bg = COLOR_BLACK;
	init_pair(1, COLOR_BLACK, COLOR_CYAN);
	init_pair(2, COLOR_CYAN, bg);
	init_pair(3, COLOR_YELLOW, bg);
	init_pair(4, COLOR_RED, bg);
	init_pair(5, COLOR_GREEN, bg);
}

static attr_t attr_of(const struct app *a, enum role r)
{
	if (!a->color) {
		switch (r) {
		case R_TITLE:
			return A_REVERSE;
		case R_COLHDR:
		case R_GROW:
		case R_ERR:
		case R_BOLD:
			return A_BOLD;
		case R_LEAK:
			return A_BOLD | A_UNDERLINE;
		case R_DIM:
			return A_DIM;
		default:
			return A_NORMAL;
		}
	}
	switch (r) {
	case R_TITLE:
		return COLOR_PAIR(1);
	case R_COLHDR:
		return COLOR_PAIR(2) | A_BOLD;
	case R_GROW:
		return COLOR_PAIR(3) | A_BOLD;
	case R_LEAK:
	case R_ERR:
		return COLOR_PAIR(4) | A_BOLD;
	case R_NEW:
	case R_OK:
		return COLOR_PAIR(5);
	case R_DIM:
		return A_DIM;
	case R_BOLD:
		return A_BOLD;
	default:
		return A_NORMAL;
	}
}

/*
 * Draws the UTF-8 text s at (y, x) in at most w columns, cut with an
 * ellipsis when longer; returns the columns used.
 */
static int put(const struct app *a, int y, int x, int w, const char *s,
	       attr_t at)
{
	wchar_t buf[300];
	size_t len, k, n = 0;
	int cols = 0, cw, cut = 0;
	mbstate_t st;
	wchar_t wc;

	if (w <= 0 || !s)
		return 0;
	len = strlen(s);
	memset(&st, 0, sizeof(st));
	while (len) {
		k = mbrtowc(&wc, s, len, &st);
		if (k == 0)
			break;
		if (k == (size_t)-1 || k == (size_t)-2) {
			wc = '?';
			k = 1;
			memset(&st, 0, sizeof(st));
		}
		if (wc == '\t')
			wc = ' ';
		if (wc < 32 || wc == 127 || (a->ascii && wc >= 128))
			wc = '?';
		cw = wcwidth(wc);
		if (cw < 0) {
			wc = '?';
			cw = 1;
		}
		if (cols + cw > w || n + 2 >= sizeof(buf) / sizeof(buf[0])) {
			cut = 1;
			break;
		}
		buf[n++] = wc;
		cols += cw;
		s += k;
		len -= k;
	}
	if (cut) {
		while (n > 0 && cols + 1 > w) {
			cw = wcwidth(buf[--n]);
			cols -= cw > 0 ? cw : 0;
		}
		buf[n++] = a->ascii ? L'~' : L'\x2026';
		cols++;
	}
	attrset(at);
	mvaddnwstr(y, x, buf, (int)n);
	attrset(A_NORMAL);
	return cols;
}

/* Like put, but a long text keeps its end ("...dir/file.go:12"). */
static int put_tail(const struct app *a, int y, int x, int w,
		    const char *s, attr_t at)
{
	size_t len = strlen(s), skip;
	char buf[600];

	if (w <= 1 || len <= (size_t)w)
		return put(a, y, x, w, s, at);
	skip = len - (size_t)(w - 1);
	while (skip < len && ((unsigned char)s[skip] & 0xc0) == 0x80)
		skip++;
	snprintf(buf, sizeof(buf), "%s%s", a->ascii ? "~" : "\xe2\x80\xa6",
		 s + skip);
	return put(a, y, x, w, buf, at);
}

static void putf(const struct app *a, int y, int x, int w, attr_t at,
		 const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put(a, y, x, w, buf, at);
}

static void fill(int y, int x, int w, attr_t at)
{
	if (w <= 0)
		return;
	attrset(at);
	mvhline(y, x, ' ' | at, w);
	attrset(A_NORMAL);
}

/*
 * Scrolls l so that its selection is visible in h rows drawn from line y
 * on (for the mouse); returns top.
 */
static size_t list_window(struct list_state *l, size_t n, int h, int y)
{
	size_t rows = h > 0 ? (size_t)h : 1;

	l->row_y = y;
	l->page = (int)rows;
	if (l->sel >= n)
		l->sel = n ? n - 1 : 0;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + rows)
		l->top = l->sel - rows + 1;
	if (l->top + rows > n)
		l->top = n > rows ? n - rows : 0;
	return l->top;
}

static void fmt_delta(char *buf, size_t size, long long d)
{
	if (d > 0)
		snprintf(buf, size, "+%lld", d);
	else
		snprintf(buf, size, "%lld", d);
}

/*
 * The WAIT column: "~2m27s" from the runtime's waitsince (stamped at a
 * GC, so approximate), else ">=30s" (UTF-8: "\u2265") since goscope first
 * saw the goroutine, else "-".
 */
static void fmt_wait_age(const struct app *a, char *buf, size_t size,
			 int64_t wait_ns, int64_t first_seen)
{
	int64_t now = a->m.cur ? a->m.cur->snap->time_unix_ns : 0;
	char d[32];

	if (wait_ns >= 0) {
		fmt_dur(d, sizeof(d), wait_ns);
		snprintf(buf, size, "~%s", d);
	} else if (first_seen && now > first_seen) {
		fmt_dur(d, sizeof(d), now - first_seen);
		snprintf(buf, size, "%s%s", a->ascii ? ">=" : "\xe2\x89\xa5",
			 d);
	} else {
		snprintf(buf, size, "-");
	}
}

static void fmt_dur(char *buf, size_t size, int64_t ns)
{
	struct strbuf sb;

	strbuf_init(&sb);
	group_fmt_duration(&sb, ns);
	snprintf(buf, size, "%s", sb.buf);
	strbuf_release(&sb);
}

static void fmt_age(char *buf, size_t size, long long s)
{
	struct strbuf sb;

	strbuf_init(&sb);
	goprocs_fmt_age(&sb, s < 0 ? 0 : s);
	snprintf(buf, size, "%s", sb.buf);
	strbuf_release(&sb);
}

/* s, or "?" for a string a snapshot did not have. */
static const char *str(const char *s)
{
	return s ? s : "?";
}

static const char *base_name(const char *path)
{
	const char *p = path ? strrchr(path, '/') : NULL;

	return p ? p + 1 : path ? path : "?";
}

static void frame_where(char *buf, size_t size, const struct snap_frame *f,
			int full)
{
	snprintf(buf, size, "%s:%d", full ? (f->file ? f->file : "?")
					  : base_name(f->file), f->line);
}

/*
 * Block characters for the counts v on a zero baseline (the tallest is
 * the largest count): a group with no goroutines in a snapshot is a dot,
 * a snapshot before the series began (or before the view started) is
 * blank.
 */
static void spark(const struct app *a, const long long *v, size_t n,
		  struct strbuf *out)
{
	static const char ascii[] = "_-~=+*#@";
	long long hi = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] > hi)
			hi = v[i];
	for (i = 0; i < n; i++) {
		int lv;

		if (v[i] < 0) {
			strbuf_addc(out, ' ');
			continue;
		}
		if (v[i] == 0) {
			if (a->ascii)
				strbuf_addc(out, '.');
			else	/* U+00B7 */
				strbuf_adds(out, "\xc2\xb7");
			continue;
		}
		/* 1..hi onto 0..7: any goroutine shows at least a bar. */
		lv = hi > 1 ? (int)((v[i] - 1) * 7 / (hi - 1)) : 7;
		if (hi > 1 && v[i] == hi)
			lv = 7;
		if (a->ascii) {
			strbuf_addc(out, ascii[lv]);
		} else {
			/* U+2581 .. U+2588 */
			strbuf_addc(out, (char)0xe2);
			strbuf_addc(out, (char)0x96);
			strbuf_addc(out, (char)(0x81 + lv));
		}
	}
}

/* s without its first cols characters (horizontal scrolling). */
static const char *hskip(const char *s, int cols)
{
	while (cols > 0 && *s) {
		s++;
		while (((unsigned char)*s & 0xc0) == 0x80)
			s++;
		cols--;
	}
	return s;
}

/* The main module's path of the current snapshot, or NULL. */
static const char *main_mod(const struct app *a)
{
	return a->m.cur ? a->m.cur->snap->main_module : NULL;
}

/*
 * The FUNCTION cell of a group in w columns: the name shortened from the
 * left, then as room allows its file:line, what tells it from a
 * look-alike group, and its caller.
 */
static void group_func(const struct app *a, const struct model_row *r,
		       int w, char *buf, size_t size)
{
	const struct snap_frame *f = r->name;
	char name[256], where[128], caller[256];
	struct strbuf tw;
	size_t used;

	strbuf_init(&tw);
	if (r->twin)
		model_twin_diff(r->g, r->twin, &tw);
	if (!f) {
		model_short_func(model_start_name(r->g), main_mod(a), w,
				 a->ascii, name, sizeof(name));
		snprintf(buf, size, "%s%s%s%s", name, tw.len ? " [" : "",
			 tw.buf, tw.len ? "]" : "");
		strbuf_release(&tw);
		return;
	}
	/* The name first; its twin's difference before anything else. */
	model_short_func(f->func, main_mod(a),
			 w - (tw.len ? (int)tw.len + 3 : 0), a->ascii, name,
			 sizeof(name));
	snprintf(buf, size, "%s", name);
	if (tw.len) {
		used = strlen(buf);
		snprintf(buf + used, size - used, " [%s]", tw.buf);
	}
	strbuf_release(&tw);
	snprintf(where, sizeof(where), " %s:%d", base_name(f->file), f->line);
	used = strlen(buf);
	if ((int)(used + strlen(where)) <= w)
		snprintf(buf + used, size - used, "%s", where);
	if (r->caller) {
		const char *c = str(r->caller->func), *p = str(f->func);
		size_t n = strcspn(p, "[(");
		const char *sl = memrchr(p, '/', n);
		const char *dot = strchr(sl ? sl : p, '.');

		/* Without the package it shares with the name. */
		n = dot ? (size_t)(dot - p) + 1 : 0;
		if (n && !strncmp(c, p, n))
			snprintf(caller, sizeof(caller), "%s", c + n);
		else
			model_short_func(c, main_mod(a), 0, a->ascii, caller,
					 sizeof(caller));
		used = strlen(buf);
		if ((int)(used + 3 + strlen(caller)) <= w)
			snprintf(buf + used, size - used, " < %s", caller);
	}
}

static void labels_str(const struct snap_label *l, size_t n,
		       struct strbuf *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		strbuf_addf(out, "%s%s=%s", i ? " " : "", l[i].key,
			    l[i].value);
}

static void draw_header(struct app *a, int w)
{
	const struct model_snap *cur = a->m.cur, *prev = a->m.prev;
	char buf[64], d[32];
	struct strbuf sb;
	uint64_t since;
	int x, st, y1x = 0;

	strbuf_init(&sb);
	if (a->offline) {
		strbuf_addf(&sb, "file %zu/%zu %s", a->file_cur + 1,
			    a->o->nfiles,
			    cur && cur->name ? base_name(cur->name) : "-");
		if (cur && cur->snap->pid)
			strbuf_addf(&sb, "  pid %d", (int)cur->snap->pid);
	} else {
		strbuf_addf(&sb, "pid %d %s", (int)a->pid,
			    a->exe ? base_name(a->exe) : "?");
		if (a->start_time > 0) {
			fmt_age(buf, sizeof(buf),
				(long long)time(NULL) - a->start_time);
			strbuf_addf(&sb, "  up %s", buf);
		}
	}
	if (a->go_version)
		strbuf_addf(&sb, "  %s", a->go_version);
	if (a->module)
		strbuf_addf(&sb, "  %s", a->module);
	if (a->vcs)
		strbuf_addf(&sb, "  vcs %s", a->vcs);
	x = put(a, 0, 0, w, "goscope ", attr_of(a, R_BOLD));
	x += put(a, 0, x, w - x, sb.buf, A_NORMAL);
	if (a->gone)
		put(a, 0, x, w - x, "  EXITED", attr_of(a, R_ERR));
	strbuf_reset(&sb);

	if (cur && (cur->snap->ngs || a->is_go)) {
		int sx;

		/* "-": the snapshots do not cover the leak window yet. */
		if (leak_track_coverage(a->m.track) == LEAK_UNDECIDED)
			snprintf(buf, sizeof(buf), "suspects -  ");
		else
			snprintf(buf, sizeof(buf), "suspects %zu  ",
				 a->nsuspects);
		sx = put(a, 1, 0, w, buf, a->nsuspects
			 ? attr_of(a, R_LEAK) : A_NORMAL);
		y1x = sx;
		strbuf_addf(&sb, "goroutines %zu", cur->total);
		if (prev && cur->total != prev->total)
			strbuf_addf(&sb, " (%+lld)",
				    (long long)cur->total -
				    (long long)prev->total);
		for (st = 0; st < MSTATE_COUNT; st++) {
			if (st == MSTATE_OTHER && !cur->by_state[st])
				continue;
			strbuf_addf(&sb, "%s %s %zu", st ? "," : ":",
				    model_state_name(st), cur->by_state[st]);
			if (prev && cur->by_state[st] != prev->by_state[st])
				strbuf_addf(&sb, " (%+lld)",
					    (long long)cur->by_state[st] -
					    (long long)prev->by_state[st]);
		}
		strbuf_addf(&sb, "  threads %zu", cur->snap->nthreads);
	} else if (cur) {
		strbuf_addf(&sb, "threads %zu  (%s)", cur->snap->nthreads,
			    a->not_go ? "not a Go program" : "no goroutines");
	} else {
		strbuf_adds(&sb, a->error ? a->error : "no snapshot yet");
	}
	put(a, 1, y1x, w - y1x, sb.buf, cur || !a->error ? A_NORMAL
						  : attr_of(a, R_ERR));
	strbuf_reset(&sb);

	if (cur) {
		if (a->offline)
			strbuf_adds(&sb, "captured");
		else
			strbuf_addf(&sb, "snapshot #%zu", cur->seq);
		if (cur->snap->time_unix_ns > 0) {
			struct tm tm;
			time_t t = (time_t)(cur->snap->time_unix_ns /
					    1000000000);

			localtime_r(&t, &tm);
			strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
			strbuf_addf(&sb, " %s", buf);
		}
		if (cur->snap->pause_ns)
			strbuf_addf(&sb, "  pause %.1fms",
				    (double)cur->snap->pause_ns / 1e6);
		if (!a->offline && a->took_ns)
			strbuf_addf(&sb, "  took %.0fms",
				    (double)a->took_ns / 1e6);
	}
	if (!a->offline) {
		fmt_dur(d, sizeof(d), (int64_t)a->interval_ns);
		strbuf_addf(&sb, "%sauto %s", sb.len ? "  " : "",
			    a->autorefresh ? d : "off");
	}
	if (a->m.base && a->m.base->seq)
		strbuf_addf(&sb, "  baseline #%zu", a->m.base->seq);
	else if (a->m.base)
		strbuf_addf(&sb, "  baseline %s", base_name(a->m.base->name));
	x = put(a, 2, 0, w, sb.buf, A_NORMAL);
	if (a->feed && feed_busy(a->feed, &since)) {
		int bw;

		/* "..." is one column in UTF-8. */
		snprintf(buf, sizeof(buf), "%s%s %.1fs",
			 a->offline ? "loading" : "capturing",
			 a->ascii ? "..." : "\xe2\x80\xa6",
			 (double)(feed_now_ns() - since) / 1e9);
		bw = (int)strlen(buf) - (a->ascii ? 0 : 2);
		if (w - x > 2 + bw)
			put(a, 2, w - bw, bw, buf, attr_of(a, R_GROW));
		else
			put(a, 2, x + 2, w - x - 2, buf, attr_of(a, R_GROW));
	}
	strbuf_release(&sb);
}

static void draw_title(struct app *a, int y, int w)
{
	const struct model_snap *cur = a->m.cur;
	struct strbuf sb;

	strbuf_init(&sb);
	switch (a->screen) {
	case SCR_GROUPS:
		strbuf_addf(&sb, " GROUPS  %zu of %zu", a->nrows,
			    cur ? cur->gr.ngroups : 0);
		if (a->nsuspects)
			strbuf_addf(&sb, "  %zu suspect%s (l)", a->nsuspects,
				    a->nsuspects == 1 ? "" : "s");
		strbuf_addf(&sb, "  sort %s%s  level %s",
			    model_sort_name(a->sort),
			    a->reverse ? " reversed" : "",
			    group_level_name(a->m.level));
		if (a->hide)
			strbuf_addf(&sb, "  hiding %s%s%s: %zu",
				    a->hide & MHIDE_BUSY ? "running" : "",
				    a->hide == (MHIDE_BUSY | MHIDE_SINGLE)
				    ? ", " : "",
				    a->hide & MHIDE_SINGLE ? "single" : "",
				    a->nhidden);
		if (a->filter.text)
			strbuf_addf(&sb, "  filter '%s'", a->filter.text);
		break;
	case SCR_LEAKS:
		strbuf_addf(&sb, " LEAKS  %zu groups grew over the last ",
			    a->nleaks);
		group_fmt_duration(&sb, leak_track_cfg(a->m.track)->window_ns);
		if (a->filter.text)
			strbuf_addf(&sb, "  filter '%s'", a->filter.text);
		break;
	case SCR_GOROUTINES:
		strbuf_addf(&sb, " GOROUTINES of group %016llx",
			    (unsigned long long)a->group_id);
		break;
	case SCR_STACK:
		strbuf_addf(&sb, " STACK of goroutine %llu",
			    (unsigned long long)a->goid);
		break;
	case SCR_THREADS:
		strbuf_addf(&sb, " THREADS  %zu",
			    cur ? cur->snap->nthreads : 0);
		break;
	case SCR_BUILD:
		strbuf_adds(&sb, " BUILD INFO");
		break;
	case SCR_DIFF:
		strbuf_addf(&sb, " DIFF  level %s",
			    group_level_name(a->m.level));
		break;
	case SCR_HELP:
		strbuf_adds(&sb, " HELP");
		break;
	default:
		break;
	}
	fill(y, 0, w, attr_of(a, R_TITLE));
	put(a, y, 0, w, sb.buf, attr_of(a, R_TITLE));
	strbuf_release(&sb);
}

/* The groups screen, and with leaks the leaks screen. */
static void draw_groups(struct app *a, int y0, int h, int w, int leaks)
{
	struct list_state *l = &a->lists[a->screen];
	const struct model_row *rows = leaks ? a->leaks : a->rows;
	size_t n = leaks ? a->nleaks : a->nrows, top, i;
	int trend = w >= 140 ? 16 : w >= 100 ? 12 : 8;
	int ws = w >= 100 ? 14 : 12;
	int xc = 2, xp = 9, xb = 16, xt = 23, xs, xw, xf, wf, xcr = 0, wcr = 0;
	int detail = 0, xl = 0, wl = 0;
	long long pts[TREND_MAX];
	char buf[512];
	struct strbuf sb;

	if (!a->is_go) {
		putf(a, y0, 1, w - 1, A_NORMAL, "%s (t: threads)",
		     a->not_go ? a->not_go : "not a Go program");
		return;
	}
	if (!a->m.cur) {
		put(a, y0, 1, w - 1, a->error ? a->error
			: "taking the first snapshot", a->error
			? attr_of(a, R_ERR) : A_NORMAL);
		return;
	}
	/* Narrow screens have no room for an empty baseline column. */
	if (!leaks && !a->m.base && w < 100)
		xt = xb;
	xs = xt + trend + 1;
	xw = xs + ws + 1;
	xf = xw + 8;
	wf = w - xf;
	/* FUNCTION first: CREATED BY only gets what it leaves. */
	if (wf >= 72) {
		wcr = wf - 48 < 48 ? wf - 48 : 48;
		wf -= wcr + 1;
		xcr = xf + wf + 1;
	}
	/* Wide screens: the labels of the groups get a column. */
	if (wcr >= 48 && w >= 150) {
		wl = 22;
		wcr -= wl + 1;
		xl = xcr + wcr + 1;
	}
	fill(y0, 0, w, attr_of(a, R_COLHDR));
	putf(a, y0, xc, 6, attr_of(a, R_COLHDR), "%s%s",
	     *sort_mark(a, MSORT_COUNT) ? sort_mark(a, MSORT_COUNT) : " ",
	     "COUNT");
	if (leaks) {
		snprintf(buf, sizeof(buf), "%sGROWTH",
			 sort_mark(a, MSORT_GROWTH));
		put(a, y0, xp, 7, buf, attr_of(a, R_COLHDR));
		put(a, y0, xb, 6, "LAST", attr_of(a, R_COLHDR));
	} else {
		snprintf(buf, sizeof(buf), "%s%s", sort_mark(a, MSORT_DELTA),
			 a->ascii ? "dPREV" : "\xce\x94PREV");
		put(a, y0, xp + (*sort_mark(a, MSORT_DELTA) ? 0 : 1), 6,
		    buf, attr_of(a, R_COLHDR));
		if (xt > xb)
			put(a, y0, xb, 6, a->ascii ? " dBASE"
						   : " \xce\x94" "BASE",
			    attr_of(a, R_COLHDR));
	}
	put(a, y0, xt, trend, "TREND", attr_of(a, R_COLHDR));
	snprintf(buf, sizeof(buf), "STATE%s", sort_mark(a, MSORT_STATE));
	put(a, y0, xs, ws, buf, attr_of(a, R_COLHDR));
	snprintf(buf, sizeof(buf), "%s   WAIT", sort_mark(a, MSORT_WAIT));
	put_tail(a, y0, xw, 7, buf, attr_of(a, R_COLHDR));
	snprintf(buf, sizeof(buf), "FUNCTION%s", sort_mark(a, MSORT_NAME));
	put(a, y0, xf, wf, buf, attr_of(a, R_COLHDR));
	if (wcr)
		put(a, y0, xcr, wcr, "CREATED BY", attr_of(a, R_COLHDR));
	if (wl)
		put(a, y0, xl, wl, "LABELS", attr_of(a, R_COLHDR));
	if (h >= 10 && n) {
		detail = 1;
		h -= 2;
	}
	if (!n) {
		if (leaks && leak_track_coverage(a->m.track) ==
				     LEAK_UNDECIDED)
			putf(a, y0 + 1, 1, w - 1, A_NORMAL,
			     "%zu snapshots so far; the leak rule needs %d "
			     "covering its %llds window", a->m.seq,
			     LEAK_MIN_POINTS, (long long)(leak_track_cfg(
				     a->m.track)->window_ns / 1000000000));
		else if (a->filter.text)
			putf(a, y0 + 1, 1, w - 1, A_NORMAL,
			     "no group matches '%s' (/ changes the filter)",
			     a->filter.text);
		else
			put(a, y0 + 1, 1, w - 1, leaks
			    ? "no group grew over the leak window"
			    : "no goroutines", A_NORMAL);
		return;
	}
	top = list_window(l, n, h - 1, y0 + 1);
	strbuf_init(&sb);
	for (i = 0; top + i < n && (int)i < h - 1; i++) {
		const struct model_row *r = &rows[top + i];
		const struct group *g = r->g;
		int y = y0 + 1 + (int)i;
		attr_t at = A_NORMAL;

		if (r->flags & MROW_LEAK)
			at = attr_of(a, R_LEAK);
		else if (r->flags & MROW_GROWING)
			at = attr_of(a, R_GROW);
		if (top + i == l->sel)
			at |= A_REVERSE;
		fill(y, 0, w, at);
		put(a, y, 0, 1, r->flags & MROW_LEAK ? "!"
				: r->flags & MROW_GROWING ? "+" : " ", at);
		snprintf(buf, sizeof(buf), "%6zu", g->count);
		put(a, y, xc, 6, buf, at);
		if (leaks) {
			fmt_delta(buf, sizeof(buf), r->growth);
			putf(a, y, xp, 6, at, "%6s", buf);
			putf(a, y, xb, 6, at, "%6s", "");
			if (a->m.prev) {
				fmt_delta(buf, sizeof(buf), r->dprev);
				putf(a, y, xb, 6, at, "%6s", buf);
			}
		} else {
			if (a->m.prev) {
				fmt_delta(buf, sizeof(buf), r->dprev);
				putf(a, y, xp, 6, at, "%6s", buf);
			}
			if (a->m.base) {
				fmt_delta(buf, sizeof(buf), r->dbase);
				putf(a, y, xb, 6, at, "%6s", buf);
			}
		}
		strbuf_reset(&sb);
		model_series_points(&a->m, r->ser, pts, (size_t)trend);
		spark(a, pts, (size_t)trend, &sb);
		put(a, y, xt, trend, sb.buf, at);
		put(a, y, xs, ws, str(g->rep->status_str), at);
		fmt_wait_age(a, buf, sizeof(buf), g->wait_max,
			     g->first_seen_min);
		putf(a, y, xw, 7, at, "%*s",
		     7 + (buf[0] == '\xe2' ? 2 : 0), buf);
		group_func(a, r, wf, buf, sizeof(buf));
		put(a, y, xf, wf, buf, at);
		if (wcr && g->creator) {
			char name[256];

			model_short_func(g->creator->func, main_mod(a),
					 wcr, a->ascii, name, sizeof(name));
			snprintf(buf, sizeof(buf), "%s %s:%d", name,
				 base_name(g->creator->file),
				 g->creator->line);
			put(a, y, xcr, wcr, buf, at);
		}
		if (wl && g->nlabels) {
			strbuf_reset(&sb);
			labels_str(g->labels, g->nlabels, &sb);
			if (g->more_labels)
				strbuf_adds(&sb, " ...");
			put(a, y, xl, wl, sb.buf, at);
		}
	}
	strbuf_release(&sb);
	if (detail && l->sel < n)
		draw_detail(a, &rows[l->sel], y0 + h, w);
}

/*
 * Two lines on the selected group: its whole name and where it is, what
 * sets it apart, its creator and labels, wrapped onto the second line
 * when the name is long.
 */
static void draw_detail(struct app *a, const struct model_row *r, int y,
			int w)
{
	const struct group *g = r->g;
	const struct snap_frame *f = r->name;
	struct strbuf sb;
	size_t cut = 0, cols = 0;
	int x;

	strbuf_init(&sb);
	fill(y, 0, w, A_NORMAL);
	fill(y + 1, 0, w, A_NORMAL);
	if (f)
		strbuf_addf(&sb, "%s  %s:%d", str(f->func), str(f->file),
			    f->line);
	else
		strbuf_addf(&sb, "%s  (not started yet)", model_start_name(g));
	if (r->twin) {
		strbuf_adds(&sb, "  differs: ");
		model_twin_diff(g, r->twin, &sb);
	}
	if (g->creator)
		strbuf_addf(&sb, "  created by %s  %s:%d",
			    str(g->creator->func), str(g->creator->file),
			    g->creator->line);
	if (g->nlabels) {
		strbuf_adds(&sb, "  labels ");
		labels_str(g->labels, g->nlabels, &sb);
	}
	x = put(a, y, 0, w, "> ", attr_of(a, R_BOLD));
	/* The first line takes what fits, the second the rest. */
	while (cut < sb.len && cols < (size_t)(w - x)) {
		cut++;
		while (cut < sb.len && ((unsigned char)sb.buf[cut] & 0xc0) ==
		       0x80)
			cut++;
		cols++;
	}
	if (cut < sb.len) {
		char *first = xmemdupz(sb.buf, cut);

		put(a, y, x, w - x, first, A_NORMAL);
		free(first);
		put(a, y + 1, x, w - x, sb.buf + cut, attr_of(a, R_DIM));
	} else {
		put(a, y, x, w - x, sb.buf, A_NORMAL);
	}
	strbuf_release(&sb);
}

/* The marker of the sort column: the key and its direction. */
static const char *sort_mark(const struct app *a, enum model_sort key)
{
	if (a->sort != key)
		return "";
	if (a->ascii)
		return a->reverse ? "^" : "v";
	return a->reverse ? "\xe2\x96\xb2" : "\xe2\x96\xbc";
}

/* The shown frames of g and its creation site, from y0 on. */
static void draw_frames(struct app *a, const struct snap_goroutine *g,
			int y0, int h, int w)
{
	size_t *idx = xcalloc(g->nframes + 1, sizeof(*idx)), n, i;
	int y = y0, wf = w * 55 / 100;
	char buf[600];

	n = group_shown_frames(g, idx);
	for (i = 0; i < n && y < y0 + h; i++, y++) {
		const struct snap_frame *f = &g->frames[idx[i]];

		putf(a, y, 2, wf - 2, A_NORMAL, "%s%s", str(f->func),
		     f->inlined ? " [inlined]" : "");
		frame_where(buf, sizeof(buf), f, 1);
		put_tail(a, y, wf + 1, w - wf - 1, buf, A_NORMAL);
	}
	if (g->has_creator && y < y0 + h) {
		putf(a, y, 2, wf - 2, attr_of(a, R_DIM), "created by %s",
		     str(g->creator.func));
		frame_where(buf, sizeof(buf), &g->creator, 1);
		put_tail(a, y, wf + 1, w - wf - 1, buf, attr_of(a, R_DIM));
	}
	free(idx);
}

static void draw_goroutines(struct app *a, int y0, int h, int w)
{
	struct list_state *l = &a->lists[SCR_GOROUTINES];
	const struct model_snap *cur = a->m.cur;
	const struct group *g;
	char b1[32], b2[32], b3[32];
	size_t gi, top, i;
	int listh;
	struct strbuf sb;

	gi = model_group_index(cur, a->group_id);
	if (gi == GROUP_NONE || !a->nmembers) {
		put(a, y0, 1, w - 1, "this group has no goroutines in the "
		    "current snapshot (esc: back)", A_NORMAL);
		return;
	}
	g = &cur->gr.groups[gi];
	fmt_dur(b1, sizeof(b1), g->wait_min);
	fmt_dur(b2, sizeof(b2), g->wait_median);
	fmt_dur(b3, sizeof(b3), g->wait_max);
	putf(a, y0, 1, w - 1, A_NORMAL, "%zu goroutine%s [%s]  wait min %s, "
	     "median %s, max %s", g->count, g->count == 1 ? "" : "s",
	     str(g->rep->status_str), b1, b2, b3);
	listh = (h - 3) / 2;
	if (listh < 3)
		listh = 3;
	if ((size_t)listh > a->nmembers)
		listh = (int)a->nmembers;
	fill(y0 + 1, 0, w, attr_of(a, R_COLHDR));
	putf(a, y0 + 1, 0, w, attr_of(a, R_COLHDR), "%10s  %-9s %-8s %s",
	     "GOID", "WAIT", "THREAD", "LABELS");
	top = list_window(l, a->nmembers, listh, y0 + 2);
	strbuf_init(&sb);
	for (i = 0; (int)i < listh && top + i < a->nmembers; i++) {
		const struct snap_goroutine *gr =
			&cur->snap->gs[a->members[top + i]];
		attr_t at = top + i == l->sel ? A_REVERSE : A_NORMAL;
		int y = y0 + 2 + (int)i;

		fill(y, 0, w, at);
		fmt_wait_age(a, b1, sizeof(b1), gr->wait_ns,
			     gr->first_seen_ns);
		if (gr->tid)
			snprintf(b2, sizeof(b2), "%d", gr->tid);
		else
			snprintf(b2, sizeof(b2), "-");
		strbuf_reset(&sb);
		labels_str(gr->labels, gr->nlabels, &sb);
		putf(a, y, 0, w, at, "%10llu  %-*s %-8s %s",
		     (unsigned long long)gr->goid,
		     9 + (b1[0] == '\xe2' ? 2 : 0), b1, b2, sb.buf);
	}
	strbuf_release(&sb);
	if (h - 3 - listh <= 0)
		return;
	{
		const struct snap_goroutine *sel =
			&cur->snap->gs[a->members[l->sel]];
		int y = y0 + 2 + listh;

		fill(y, 0, w, attr_of(a, R_COLHDR));
		putf(a, y, 0, w, attr_of(a, R_COLHDR),
		     "stack of goroutine %llu (enter: every frame, source)",
		     (unsigned long long)sel->goid);
		draw_frames(a, sel, y + 1, h - 3 - listh, w);
	}
}

/* A copy of a source line with tabs expanded to 4 columns. */
static char *detab(const char *text, size_t len)
{
	struct strbuf sb;
	size_t i, col = 0;

	strbuf_init(&sb);
	for (i = 0; i < len; i++) {
		if (text[i] == '\t') {
			do
				strbuf_addc(&sb, ' ');
			while (++col % 4);
			continue;
		}
		strbuf_addc(&sb, text[i]);
		if (((unsigned char)text[i] & 0xc0) != 0x80)
			col++;
	}
	return strbuf_detach(&sb, NULL);
}

static void draw_source(struct app *a, const char *file, int line, int y0,
			int h, int w)
{
	const char *text;
	size_t len;
	int first, i;
	char buf[64];

	if (h <= 0)
		return;
	fill(y0, 0, w, attr_of(a, R_COLHDR));
	putf(a, y0, 0, w, attr_of(a, R_COLHDR), "source %s:%d",
	     a->src.path, line);
	first = line - (h - 1) / 2;
	if (first < 1)
		first = 1;
	for (i = 0; i < h - 1; i++) {
		int n = first + i, y = y0 + 1 + i;
		attr_t at = n == line ? attr_of(a, R_BOLD) : A_NORMAL;
		char *copy;

		text = source_line(&a->src, (size_t)n, &len);
		if (!text)
			break;
		snprintf(buf, sizeof(buf), "%c%5d  ", n == line ? '>' : ' ',
			 n);
		put(a, y, 0, 8, buf, at);
		copy = detab(text, len);
		put(a, y, 8, w - 8, copy, at);
		free(copy);
	}
	(void)file;
}

static void draw_stack(struct app *a, int y0, int h, int w)
{
	struct list_state *l = &a->lists[SCR_STACK];
	const struct snap_goroutine *g;
	const struct snap_frame *f;
	size_t top, i;
	int listh, src = 0, wf = w * 55 / 100;
	char buf[600], b1[32];
	struct strbuf sb;

	if (a->gidx < 0) {
		putf(a, y0, 1, w - 1, A_NORMAL, "goroutine %llu is not in the "
		     "current snapshot: it has exited (esc: back)",
		     (unsigned long long)a->goid);
		return;
	}
	g = &a->m.cur->snap->gs[a->gidx];
	strbuf_init(&sb);
	fmt_wait_age(a, b1, sizeof(b1), g->wait_ns, 0);
	strbuf_addf(&sb, "goroutine %llu [%s%s%s]",
		    (unsigned long long)g->goid, str(g->status_str),
		    g->wait_ns >= 0 ? ", " : "", g->wait_ns >= 0 ? b1 : "");
	fmt_wait_age(a, b1, sizeof(b1), -1, g->first_seen_ns);
	if (b1[0] != '-')
		strbuf_addf(&sb, "  age %s", b1);
	if (g->tid)
		strbuf_addf(&sb, "  thread %d", g->tid);
	if (g->locked)
		strbuf_adds(&sb, "  locked to thread");
	if (g->nlabels) {
		strbuf_adds(&sb, "  labels ");
		labels_str(g->labels, g->nlabels, &sb);
	}
	put(a, y0, 1, w - 1, sb.buf, A_NORMAL);
	strbuf_release(&sb);
	f = l->sel < g->nframes ? &g->frames[l->sel]
				 : g->has_creator ? &g->creator : NULL;
	if (f && f->file && f->line > 0 &&
	    source_load(&a->src, a->o->source_root, f->file) == 0)
		src = 1;
	listh = src ? (h - 3) / 2 : h - 3;
	if (listh < 3)
		listh = 3;
	if ((size_t)listh > a->nframes)
		listh = (int)a->nframes;
	fill(y0 + 1, 0, w, attr_of(a, R_COLHDR));
	putf(a, y0 + 1, 0, wf, attr_of(a, R_COLHDR), "%3s  %s", "#",
	     "FUNCTION");
	put(a, y0 + 1, wf + 1, w - wf - 1, "FILE:LINE", attr_of(a, R_COLHDR));
	top = list_window(l, a->nframes, listh, y0 + 2);
	for (i = 0; (int)i < listh && top + i < a->nframes; i++) {
		size_t k = top + i;
		int y = y0 + 2 + (int)i;
		attr_t at = A_NORMAL;

		if (k < g->nframes) {
			const struct snap_frame *fr = &g->frames[k];

			if (fr->flags & (SNAP_FRAME_RUNTIME |
					 SNAP_FRAME_WRAPPER))
				at = attr_of(a, R_DIM);
			if (k == l->sel)
				at = A_REVERSE;
			fill(y, 0, w, at);
			putf(a, y, 0, wf, at, "%3zu  %s%s", k,
			     hskip(str(fr->func), a->hscroll),
			     fr->inlined ? " [inlined]" : "");
			frame_where(buf, sizeof(buf), fr, 1);
		} else {
			int alive = g->parent_goid &&
				    model_find_goroutine(&a->m,
							 g->parent_goid) >= 0;

			at = k == l->sel ? A_REVERSE : attr_of(a, R_DIM);
			fill(y, 0, w, at);
			if (g->parent_goid)
				putf(a, y, 0, wf, at,
				     "     created by %s in goroutine %llu%s",
				     str(g->creator.func),
				     (unsigned long long)g->parent_goid,
				     alive ? " (p: open)" : " (exited)");
			else
				putf(a, y, 0, wf, at, "     created by %s",
				     str(g->creator.func));
			frame_where(buf, sizeof(buf), &g->creator, 1);
		}
		put_tail(a, y, wf + 1, w - wf - 1, buf, at);
	}
	if (g->unwind_error && y0 + 2 + listh < y0 + h)
		putf(a, y0 + 2 + listh, 1, w - 1, attr_of(a, R_ERR),
		     "stack incomplete: %s", g->unwind_error);
	else if (f && y0 + 2 + listh < y0 + h)
		/* The selected frame's whole name (< > scroll it). */
		putf(a, y0 + 2 + listh, 0, w, attr_of(a, R_BOLD), "> %s%s",
		     hskip(str(f->func), a->hscroll),
		     l->sel < g->nframes ? "" : "  (creator)");
	if (src)
		draw_source(a, f->file, f->line, y0 + 3 + listh,
			    h - 3 - listh, w);
	else if (f && h - 3 - listh > 0)
		putf(a, y0 + 3 + listh, 1, w - 1, attr_of(a, R_DIM),
		     "source of %s not found%s", base_name(f->file),
		     a->o->source_root ? " under --source-root"
				       : " (--source-root DIR)");
}

static void draw_threads(struct app *a, int y0, int h, int w)
{
	struct list_state *l = &a->lists[SCR_THREADS];
	const struct snap *s = a->m.cur ? a->m.cur->snap : NULL;
	const struct snap_thread *t;
	char role[128], st[4];
	size_t n, top, i;
	int listh, y;

	if (!s) {
		put(a, y0, 1, w - 1, a->error ? a->error
			: "taking the first snapshot", a->error
			? attr_of(a, R_ERR) : A_NORMAL);
		return;
	}
	n = s->nthreads;
	listh = (h - 2) / 2;
	if (listh < 3)
		listh = 3;
	if ((size_t)listh > n)
		listh = (int)n;
	fill(y0, 0, w, attr_of(a, R_COLHDR));
	putf(a, y0, 0, w, attr_of(a, R_COLHDR), "%8s  %-16s %-2s %-16s %s",
	     "TID", "NAME", "S", "SYSCALL", "ROLE");
	top = list_window(l, n, listh, y0 + 1);
	for (i = 0; (int)i < listh && top + i < n; i++) {
		attr_t at = top + i == l->sel ? A_REVERSE : A_NORMAL;

		t = &s->threads[top + i];
		y = y0 + 1 + (int)i;
		fill(y, 0, w, at);
		role[0] = '\0';
		if (t->native)
			fmt_threads_role(t, role, sizeof(role));
		if (!role[0] && t->m_id >= 0 && t->curg_goid)
			snprintf(role, sizeof(role), "M%lld running "
				 "goroutine %llu", (long long)t->m_id,
				 (unsigned long long)t->curg_goid);
		else if (!role[0] && t->m_id >= 0)
			snprintf(role, sizeof(role), "M%lld",
				 (long long)t->m_id);
		st[0] = t->state ? t->state : '-';
		st[1] = '\0';
		putf(a, y, 0, w, at, "%8d  %-16.16s %-2s %-16.16s %s", t->tid,
		     t->name ? t->name : "-", st,
		     t->syscall_name ? t->syscall_name
				     : t->syscall >= 0 && t->native ? "?" : "-",
		     role);
	}
	y = y0 + 1 + listh;
	if (y >= y0 + h || !n)
		return;
	t = &s->threads[l->sel];
	fill(y, 0, w, attr_of(a, R_COLHDR));
	putf(a, y, 0, w, attr_of(a, R_COLHDR), "stack of thread %d", t->tid);
	y++;
	if (!t->native) {
		uint64_t since;

		put(a, y, 1, w - 1, a->feed && feed_busy(a->feed, &since)
			? "taking a snapshot with native stacks"
			: "native stacks were not taken (r: take them now)",
		    attr_of(a, R_DIM));
		return;
	}
	for (i = 0; i < t->nnframes && y < y0 + h; i++, y++) {
		const struct snap_nframe *f = &t->nframes[i];
		char buf[600];

		if (f->func)
			snprintf(buf, sizeof(buf), "%s+0x%llx", f->func,
				 (unsigned long long)f->offset);
		else
			snprintf(buf, sizeof(buf), "0x%llx",
				 (unsigned long long)f->pc);
		putf(a, y, 2, w * 55 / 100 - 2, A_NORMAL, "%s%s", buf,
		     f->inlined ? " [inlined]" : "");
		if (f->file)
			snprintf(buf, sizeof(buf), "%s:%d", f->file, f->line);
		else
			snprintf(buf, sizeof(buf), "%s",
				 f->module ? f->module : "?");
		put_tail(a, y, w * 55 / 100 + 1, w - w * 55 / 100 - 1, buf,
			 attr_of(a, R_DIM));
	}
	if (t->go_nframes && t->go_g < s->ngs) {
		const struct snap_goroutine *g = &s->gs[t->go_g];

		for (i = 0; i < t->go_nframes && i < g->nframes &&
			    y < y0 + h; i++, y++) {
			char buf[600];

			putf(a, y, 2, w * 55 / 100 - 2, A_NORMAL, "%s",
			     str(g->frames[i].func));
			frame_where(buf, sizeof(buf), &g->frames[i], 1);
			put_tail(a, y, w * 55 / 100 + 1,
				 w - w * 55 / 100 - 1, buf, attr_of(a, R_DIM));
		}
	}
	if (t->unwind_error && y < y0 + h)
		putf(a, y, 2, w - 2, attr_of(a, R_DIM), "(%s)",
		     t->unwind_error);
}

/* A scrollable text: the build and help screens. */
static void draw_text(struct app *a, const struct strbuf *sb, int y0, int h,
		      int w)
{
	struct list_state *l = &a->lists[a->screen];
	size_t i;

	l->page = h;
	for (i = 0; (int)i < h && l->top + i < a->nlines; i++) {
		size_t off = a->line_off[l->top + i], end = off;
		char *line;

		while (end < sb->len && sb->buf[end] != '\n')
			end++;
		line = xmemdupz(sb->buf + off, end - off);
		put(a, y0 + (int)i, 0, w, line, A_NORMAL);
		free(line);
	}
}

static void draw_diff(struct app *a, int y0, int h, int w)
{
	struct list_state *l = &a->lists[SCR_DIFF];
	const struct model_snap *old;
	const struct diff *d = model_diff(&a->m, &old);
	size_t top, i;
	char buf[512], b1[64];
	int y = y0, xf = 57;

	if (!d && old) {
		put(a, y0, 1, w - 1, "comparing the snapshots", A_NORMAL);
		return;
	}
	if (!d) {
		put(a, y0, 1, w - 1, "nothing to compare yet: b marks the "
		    "current snapshot as the baseline", A_NORMAL);
		return;
	}
	if (old == a->m.base && old->seq)
		snprintf(b1, sizeof(b1), "the baseline #%zu", old->seq);
	else if (old == a->m.base)
		snprintf(b1, sizeof(b1), "the baseline file");
	else
		snprintf(b1, sizeof(b1), "the previous snapshot #%zu",
			 old->seq);
	putf(a, y++, 1, w - 1, A_NORMAL, "against %s: %zu -> %zu goroutines "
	     "(%+lld)", b1, d->a.ngrouped, d->b.ngrouped,
	     (long long)d->b.ngrouped - (long long)d->a.ngrouped);
	if (d->ids_known)
		putf(a, y++, 1, w - 1, A_NORMAL, "goroutines: %zu new, %zu "
		     "exited, %zu persisted (same id and group), %zu moved",
		     d->n_new, d->n_exited, d->n_persisted, d->n_moved);
	putf(a, y++, 1, w - 1, A_NORMAL, "groups: %zu grown, %zu new, %zu "
	     "shrunk, %zu gone, %zu unchanged", d->count[DIFF_GROWN],
	     d->count[DIFF_NEW], d->count[DIFF_SHRUNK], d->count[DIFF_GONE],
	     d->count[DIFF_SAME]);
	fill(y, 0, w, attr_of(a, R_COLHDR));
	putf(a, y, 0, w, attr_of(a, R_COLHDR), "%-7s %7s %7s %7s %8s  %-14s "
	     "%s", "CHANGE", "BEFORE", "AFTER", a->ascii ? "DELTA" : "\xce\x94",
	     "PERSIST", "STATE", "FUNCTION");
	y++;
	if (!a->ndrows) {
		put(a, y, 1, w - 1, "no group changed", A_NORMAL);
		return;
	}
	top = list_window(l, a->ndrows, y0 + h - y, y);
	for (i = 0; y < y0 + h && top + i < a->ndrows; i++, y++) {
		const struct diff_group *dg = &d->groups[a->drows[top + i]];
		const struct group *g = dg->new ? dg->new : dg->old;
		const struct snap_frame *f = model_name_frame(g);
		char name[256];
		attr_t at = A_NORMAL;

		if (dg->change == DIFF_GROWN || dg->change == DIFF_NEW)
			at = attr_of(a, R_GROW);
		else if (dg->change == DIFF_GONE)
			at = attr_of(a, R_DIM);
		if (top + i == l->sel)
			at |= A_REVERSE;
		fill(y, 0, w, at);
		fmt_delta(b1, sizeof(b1),
			  (long long)dg->after - (long long)dg->before);
		putf(a, y, 0, xf, at, "%-7s %7zu %7zu %7s %8zu  %-14.14s",
		     diff_change_name(dg->change), dg->before, dg->after, b1,
		     dg->persisted, str(g->rep->status_str));
		model_short_func(f ? f->func : model_start_name(g),
				 main_mod(a), w - xf, a->ascii, name,
				 sizeof(name));
		if (f)
			snprintf(buf, sizeof(buf), "%s %s:%d", name,
				 base_name(f->file), f->line);
		else
			snprintf(buf, sizeof(buf), "%s", name);
		put(a, y, xf, w - xf, buf, at);
	}
}

static const char *prompt_label(const struct app *a)
{
	switch (a->prompt) {
	case PROMPT_FILTER:
		return "filter (~ for a regex): ";
	case PROMPT_EXPORT:
		return "export (.json .txt .pb.gz) to: ";
	case PROMPT_OVERWRITE:
		return "the file exists; replace it? (y/n) ";
	case PROMPT_GOTO:
		return "goroutine id: ";
	case PROMPT_SAVE_STACK:
		return "save the stack to: ";
	case PROMPT_SEARCH:
		return "search: ";
	default:
		return "";
	}
}

static void draw_footer(struct app *a, int y, int w)
{
	struct strbuf sb;
	int x;

	fill(y, 0, w, A_NORMAL);
	if (a->prompt != PROMPT_NONE) {
		x = put(a, y, 0, w, prompt_label(a), attr_of(a, R_BOLD));
		x += put_tail(a, y, x, w - x - 1, a->input.buf, A_NORMAL);
		move(y, x);
		curs_set(1);
		return;
	}
	curs_set(0);
	if (a->msg[0] && feed_now_ns() < a->msg_until) {
		put(a, y, 0, w, a->msg,
		    attr_of(a, a->msg_error ? R_ERR : R_OK));
		return;
	}
	strbuf_init(&sb);
	keys_footer(a, &sb);
	put(a, y, 0, w, sb.buf, attr_of(a, R_DIM));
	strbuf_release(&sb);
}

void draw(struct app *a)
{
	int h = LINES, w = COLS, body;

	erase();
	if (h < 8 || w < 30) {
		putf(a, 0, 0, w, A_NORMAL, "goscope: the terminal is too "
		     "small (%dx%d)", w, h);
		refresh();
		return;
	}
	draw_header(a, w);
	draw_title(a, HEADER_LINES - 1, w);
	body = h - HEADER_LINES - 1;
	switch (a->screen) {
	case SCR_GROUPS:
		draw_groups(a, HEADER_LINES, body, w, 0);
		break;
	case SCR_LEAKS:
		draw_groups(a, HEADER_LINES, body, w, 1);
		break;
	case SCR_GOROUTINES:
		draw_goroutines(a, HEADER_LINES, body, w);
		break;
	case SCR_STACK:
		draw_stack(a, HEADER_LINES, body, w);
		break;
	case SCR_THREADS:
		draw_threads(a, HEADER_LINES, body, w);
		break;
	case SCR_BUILD:
		draw_text(a, &a->build, HEADER_LINES, body, w);
		break;
	case SCR_HELP:
		draw_text(a, &a->help, HEADER_LINES, body, w);
		break;
	case SCR_DIFF:
		draw_diff(a, HEADER_LINES, body, w);
		break;
	default:
		break;
	}
	draw_footer(a, h - 1, w);
	refresh();
}
