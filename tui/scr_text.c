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

const struct screen_mode scr_build_mode = {
	.id = SCR_BUILD, .title = build_title, .draw = build_draw,
};

const struct screen_mode scr_help_mode = {
	.id = SCR_HELP, .title = help_title, .draw = help_draw,
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
