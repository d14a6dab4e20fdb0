/* The build and help screens: scrollable text. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/draw.h"
#include "tui/screen.h"
#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

static void draw_text(struct app *a, const struct strbuf *sb, int y0, int h,
		      int w);
static void build_title(struct app *a, struct strbuf *sb);
static void help_title(struct app *a, struct strbuf *sb);
static void build_draw(struct app *a, int y0, int h, int w);
static void help_draw(struct app *a, int y0, int h, int w);
static void split_lines(struct app *a, const struct strbuf *sb);
static void build_rescan(struct app *a);
static void help_rescan(struct app *a);
static size_t text_len(struct app *a);
static void text_line(struct app *a, size_t i, struct strbuf *out);

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
		draw_put(a, y0 + (int)i, 0, w, line, A_NORMAL);
		free(line);
	}
}

static void build_title(struct app *a, struct strbuf *sb)
{
	(void)a;
	strbuf_adds(sb, " BUILD INFO");
}

static void help_title(struct app *a, struct strbuf *sb)
{
	(void)a;
	strbuf_adds(sb, " HELP");
}

static void build_draw(struct app *a, int y0, int h, int w)
{
	draw_text(a, &a->build, y0, h, w);
}

static void help_draw(struct app *a, int y0, int h, int w)
{
	draw_text(a, &a->help, y0, h, w);
}

/* The starts of the lines of sb, for scrolling. */
static void split_lines(struct app *a, const struct strbuf *sb)
{
	size_t i, n = 0;

	for (i = 0; i < sb->len; i++)
		if (sb->buf[i] == '\n')
			n++;
	if (a->alines < n + 2) {
		a->alines = n + 2;
		a->line_off = xreallocarray(a->line_off, a->alines,
					    sizeof(*a->line_off));
	}
	a->nlines = 0;
	for (i = 0; i < sb->len; i++)
		if (i == 0 || sb->buf[i - 1] == '\n')
			a->line_off[a->nlines++] = i;
}

static void build_rescan(struct app *a)
{
	if (a->offline)
		app_offline_facts(a);
	split_lines(a, &a->build);
}

static void help_rescan(struct app *a)
{
	split_lines(a, &a->help);
}

static size_t text_len(struct app *a)
{
	return a->nlines;
}

/* Line i of the text, for a search. */
static void text_line(struct app *a, size_t i, struct strbuf *out)
{
	const struct strbuf *sb = a->screen == SCR_BUILD ? &a->build
							 : &a->help;
	size_t off = a->line_off[i], end = off;

	while (end < sb->len && sb->buf[end] != '\n')
		end++;
	strbuf_add(out, sb->buf + off, end - off);
}

const struct screen_mode scr_build_mode = {
	.id = SCR_BUILD, .flags = SCREEN_TEXT, .title = build_title,
	.draw = build_draw, .rescan = build_rescan, .len = text_len,
	.row_text = text_line,
};

const struct screen_mode scr_help_mode = {
	.id = SCR_HELP, .flags = SCREEN_TEXT, .title = help_title,
	.draw = help_draw, .rescan = help_rescan, .len = text_len,
	.row_text = text_line,
};

const struct screen_mode *const screen_modes[SCR_COUNT] = {
	[SCR_GROUPS] = &scr_groups_mode,
	[SCR_GOROUTINES] = &scr_goroutines_mode,
	[SCR_STACK] = &scr_stack_mode,
	[SCR_THREADS] = &scr_threads_mode,
	[SCR_BUILD] = &scr_build_mode,
	[SCR_DIFF] = &scr_diff_mode,
	[SCR_LEAKS] = &scr_leaks_mode,
	[SCR_HELP] = &scr_help_mode,
};
