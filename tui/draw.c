/* The header, the title bar and the footer, and the drawing primitives. */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "format/fmt_threads.h"
#include "tui/draw.h"
#include "tui/screen.h"
#include "tui/keys.h"
#include "tui/procs.h"
#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define HEADER_LINES 4


static void fmt_age(char *buf, size_t size, long long s);
static void draw_header(struct app *a, int w);
static void draw_title(struct app *a, int y, int w);
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

attr_t draw_attr(const struct app *a, enum draw_role r)
{
	if (!a->color) {
		switch (r) {
		case ROLE_TITLE:
			return A_REVERSE;
		case ROLE_COLHDR:
		case ROLE_GROW:
		case ROLE_ERR:
		case ROLE_BOLD:
			return A_BOLD;
		case ROLE_LEAK:
			return A_BOLD | A_UNDERLINE;
		case ROLE_DIM:
			return A_DIM;
		default:
			return A_NORMAL;
		}
	}
	switch (r) {
	case ROLE_TITLE:
		return COLOR_PAIR(1);
	case ROLE_COLHDR:
		return COLOR_PAIR(2) | A_BOLD;
	case ROLE_GROW:
		return COLOR_PAIR(3) | A_BOLD;
	case ROLE_LEAK:
	case ROLE_ERR:
		return COLOR_PAIR(4) | A_BOLD;
	case ROLE_NEW:
	case ROLE_OK:
		return COLOR_PAIR(5);
	case ROLE_DIM:
		return A_DIM;
	case ROLE_BOLD:
		return A_BOLD;
	default:
		return A_NORMAL;
	}
}

/*
 * Draws the UTF-8 text s at (y, x) in at most w columns, cut with an
 * ellipsis when longer; returns the columns used.
 */
int draw_put(const struct app *a, int y, int x, int w, const char *s,
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
int draw_put_tail(const struct app *a, int y, int x, int w,
		    const char *s, attr_t at)
{
	size_t len = strlen(s), skip;
	char buf[600];

	if (w <= 1 || len <= (size_t)w)
		return draw_put(a, y, x, w, s, at);
	skip = len - (size_t)(w - 1);
	while (skip < len && ((unsigned char)s[skip] & 0xc0) == 0x80)
		skip++;
	snprintf(buf, sizeof(buf), "%s%s", a->ascii ? "~" : "\xe2\x80\xa6",
		 s + skip);
	return draw_put(a, y, x, w, buf, at);
}

void draw_putf(const struct app *a, int y, int x, int w, attr_t at,
		 const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	draw_put(a, y, x, w, buf, at);
}

void draw_fill(int y, int x, int w, attr_t at)
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
size_t draw_list_window(struct list_state *l, size_t n, int h, int y)
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

void draw_fmt_delta(char *buf, size_t size, long long d)
{
	if (d > 0)
		snprintf(buf, size, "+%lld", d);
	else
		snprintf(buf, size, "%lld", d);
}

void draw_fmt_wait_age(const struct app *a, char *buf, size_t size,
		       int64_t wait_ns, int64_t first_seen)
{
	int64_t now = a->m.cur ? a->m.cur->snap->time_unix_ns : 0;
	char d[32];

	if (wait_ns >= 0) {
		draw_fmt_dur(d, sizeof(d), wait_ns);
		snprintf(buf, size, "~%s", d);
	} else if (first_seen && now > first_seen) {
		draw_fmt_dur(d, sizeof(d), now - first_seen);
		snprintf(buf, size, "%s%s", a->ascii ? ">=" : "\xe2\x89\xa5",
			 d);
	} else {
		snprintf(buf, size, "-");
	}
}

void draw_fmt_dur(char *buf, size_t size, int64_t ns)
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
const char *draw_str(const char *s)
{
	return s ? s : "?";
}

const char *draw_base_name(const char *path)
{
	const char *p = path ? strrchr(path, '/') : NULL;

	return p ? p + 1 : path ? path : "?";
}

void draw_frame_where(char *buf, size_t size, const struct snap_frame *f,
			int full)
{
	snprintf(buf, size, "%s:%d", full ? (f->file ? f->file : "?")
					  : draw_base_name(f->file), f->line);
}

/* s without its first cols characters (horizontal scrolling). */
const char *draw_hskip(const char *s, int cols)
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
const char *draw_main_mod(const struct app *a)
{
	return a->m.cur ? a->m.cur->snap->main_module : NULL;
}

void draw_labels(const struct snap_label *l, size_t n,
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
			    cur && cur->name ? draw_base_name(cur->name) : "-");
		if (cur && cur->snap->pid)
			strbuf_addf(&sb, "  pid %d", (int)cur->snap->pid);
	} else {
		strbuf_addf(&sb, "pid %d %s", (int)a->pid,
			    a->exe ? draw_base_name(a->exe) : "?");
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
	x = draw_put(a, 0, 0, w, "goscope ", draw_attr(a, ROLE_BOLD));
	x += draw_put(a, 0, x, w - x, sb.buf, A_NORMAL);
	if (a->gone)
		draw_put(a, 0, x, w - x, "  EXITED", draw_attr(a, ROLE_ERR));
	strbuf_reset(&sb);

	if (cur && (cur->snap->ngs || a->is_go)) {
		int sx;

		/* "-": the snapshots do not cover the leak window yet. */
		if (leak_track_coverage(a->m.track) == LEAK_UNDECIDED)
			snprintf(buf, sizeof(buf), "suspects -  ");
		else
			snprintf(buf, sizeof(buf), "suspects %zu  ",
				 a->nsuspects);
		sx = draw_put(a, 1, 0, w, buf, a->nsuspects
			 ? draw_attr(a, ROLE_LEAK) : A_NORMAL);
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
	draw_put(a, 1, y1x, w - y1x, sb.buf, cur || !a->error ? A_NORMAL
						  : draw_attr(a, ROLE_ERR));
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
		draw_fmt_dur(d, sizeof(d), (int64_t)a->interval_ns);
		strbuf_addf(&sb, "%sauto %s", sb.len ? "  " : "",
			    a->autorefresh ? d : "off");
	}
	if (a->m.base && a->m.base->seq)
		strbuf_addf(&sb, "  baseline #%zu", a->m.base->seq);
	else if (a->m.base)
		strbuf_addf(&sb, "  baseline %s", draw_base_name(a->m.base->name));
	x = draw_put(a, 2, 0, w, sb.buf, A_NORMAL);
	if (a->feed && feed_busy(a->feed, &since)) {
		int bw;

		/* "..." is one column in UTF-8. */
		snprintf(buf, sizeof(buf), "%s%s %.1fs",
			 a->offline ? "loading" : "capturing",
			 a->ascii ? "..." : "\xe2\x80\xa6",
			 (double)(feed_now_ns() - since) / 1e9);
		bw = (int)strlen(buf) - (a->ascii ? 0 : 2);
		if (w - x > 2 + bw)
			draw_put(a, 2, w - bw, bw, buf, draw_attr(a, ROLE_GROW));
		else
			draw_put(a, 2, x + 2, w - x - 2, buf, draw_attr(a, ROLE_GROW));
	}
	strbuf_release(&sb);
}

static void draw_title(struct app *a, int y, int w)
{
	struct strbuf sb;

	strbuf_init(&sb);
	screen_modes[a->screen]->title(a, &sb);
	draw_fill(y, 0, w, draw_attr(a, ROLE_TITLE));
	draw_put(a, y, 0, w, sb.buf, draw_attr(a, ROLE_TITLE));
	strbuf_release(&sb);
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

	draw_fill(y, 0, w, A_NORMAL);
	if (a->prompt != PROMPT_NONE) {
		x = draw_put(a, y, 0, w, prompt_label(a), draw_attr(a, ROLE_BOLD));
		x += draw_put_tail(a, y, x, w - x - 1, a->input.buf, A_NORMAL);
		move(y, x);
		curs_set(1);
		return;
	}
	curs_set(0);
	if (a->msg[0] && feed_now_ns() < a->msg_until) {
		draw_put(a, y, 0, w, a->msg,
		    draw_attr(a, a->msg_error ? ROLE_ERR : ROLE_OK));
		return;
	}
	strbuf_init(&sb);
	keys_footer(a, &sb);
	draw_put(a, y, 0, w, sb.buf, draw_attr(a, ROLE_DIM));
	strbuf_release(&sb);
}

void draw(struct app *a)
{
	int h = LINES, w = COLS, body;

	erase();
	if (h < 8 || w < 30) {
		draw_putf(a, 0, 0, w, A_NORMAL, "goscope: the terminal is too "
		     "small (%dx%d)", w, h);
		refresh();
		return;
	}
	draw_header(a, w);
	draw_title(a, HEADER_LINES - 1, w);
	body = h - HEADER_LINES - 1;
	screen_modes[a->screen]->draw(a, HEADER_LINES, body, w);
	draw_footer(a, h - 1, w);
	refresh();
}

/* The process picker (tui/picker.c): the list of goscope ps. */
void draw_picker(const struct goproc *p, size_t n, size_t sel, size_t *top)
{
	struct strbuf sb;
	size_t rows = LINES > 4 ? (size_t)LINES - 4 : 1, i;
	const char *nl;
	int y;

	erase();
	attron(A_BOLD);
	mvprintw(0, 0, "goscope: choose a Go process (%zu found)", n);
	attroff(A_BOLD);
	strbuf_init(&sb);
	goprocs_fmt_text(p, n, &sb);
	if (sel < *top)
		*top = sel;
	if (sel >= *top + rows)
		*top = sel - rows + 1;
	nl = strchr(sb.buf, '\n');
	attron(A_REVERSE);
	mvhline(1, 0, ' ', COLS);
	mvaddnstr(1, 0, sb.buf, nl ? (int)(nl - sb.buf) : 0);
	attroff(A_REVERSE);
	for (i = 0, y = 2; nl && i < n; i++) {
		const char *line = nl + 1;

		nl = strchr(line, '\n');
		if (i < *top || i >= *top + rows)
			continue;
		if (i == sel)
			attron(A_REVERSE | A_BOLD);
		mvhline(y, 0, ' ', COLS);
		mvaddnstr(y++, 0, line, nl ? (int)(nl - line) : -1);
		attroff(A_REVERSE | A_BOLD);
	}
	if (!n)
		mvaddstr(2, 1, "no Go process found (goscope ps --all lists "
			 "every process)");
	attron(A_DIM);
	mvaddstr(LINES - 1, 0, "enter open  up/down move  q quit");
	attroff(A_DIM);
	strbuf_release(&sb);
	refresh();
}
