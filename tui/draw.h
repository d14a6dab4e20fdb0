/*
 * Drawing the interactive view with curses: the frame around the screens
 * (header, title bar, footer) and the primitives every screen draws with.
 */
#ifndef GOSCOPE_TUI_DRAW_H
#define GOSCOPE_TUI_DRAW_H

#include <curses.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/app.h"
#include "tui/procs.h"

/* Lines above a screen's body: three of header, the title bar. */
#define HEADER_LINES 4

/* What a piece of text is; draw_attr gives its look. */
enum draw_role {
	ROLE_NORMAL, ROLE_TITLE, ROLE_COLHDR, ROLE_GROW, ROLE_LEAK, ROLE_NEW, ROLE_DIM, ROLE_ERR,
	ROLE_OK, ROLE_BOLD,
};

/* Sets up the color pairs (when a->color) after the screen started. */
void draw_init(struct app *a);

/*
 * Draws the header, the current screen's body (through its struct
 * screen_mode) and the footer into the curses screen (rows must be
 * current: nav_rescan, nav_prepare) and refreshes it.
 */
void draw(struct app *a);

/* The attributes of role r, with or without colors. */
attr_t draw_attr(const struct app *a, enum draw_role r);
/*
 * Draws the UTF-8 text s at (y, x) in at most w columns, cut with an
 * ellipsis when longer; returns the columns used.
 */
int draw_put(const struct app *a, int y, int x, int w, const char *s,
	     attr_t at);
/* Like draw_put, but a long text keeps its end ("...dir/file.go:12"). */
int draw_put_tail(const struct app *a, int y, int x, int w, const char *s,
		  attr_t at);
/* draw_put of a formatted text. */
void draw_putf(const struct app *a, int y, int x, int w, attr_t at,
	       const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Blanks w columns from (y, x) with at. */
void draw_fill(int y, int x, int w, attr_t at);
/*
 * Scrolls l so that its selection is visible in h rows drawn from line y
 * on (for the mouse); returns the first row shown.
 */
size_t draw_list_window(struct list_state *l, size_t n, int h, int y);
/* "+3", "0", "-2". */
void draw_fmt_delta(char *buf, size_t size, long long d);
/* A duration as group_fmt_duration writes it. */
void draw_fmt_dur(char *buf, size_t size, int64_t ns);
/*
 * The WAIT column: "~2m27s" from the runtime's waitsince (stamped at a
 * GC, so approximate), else ">=30s" (UTF-8: a greater-or-equal sign)
 * since goscope first saw the goroutine, else "-".
 */
void draw_fmt_wait_age(const struct app *a, char *buf, size_t size,
		       int64_t wait_ns, int64_t first_seen);
/* s, or "?" for a string a snapshot did not have. */
const char *draw_str(const char *s);
/* The last element of a path. */
const char *draw_base_name(const char *path);
/* "file:line" of f, the whole path with full. */
void draw_frame_where(char *buf, size_t size, const struct snap_frame *f,
		      int full);
/* s without its first cols characters (horizontal scrolling). */
const char *draw_hskip(const char *s, int cols);
/* The main module's path of the current snapshot, or NULL. */
const char *draw_main_mod(const struct app *a);
/* Appends "k=v k2=v2". */
void draw_labels(const struct snap_label *l, size_t n, struct strbuf *out);

/*
 * Draws the process picker: p as goscope ps lists it, row sel selected,
 * scrolled from *top (moved to keep sel visible), and refreshes.
 */
void draw_picker(const struct goproc *p, size_t n, size_t sel, size_t *top);

#endif
