/*
 * One file per screen of the interactive view (tui/scr_*.c), each
 * exporting a small table of functions, as tmux's struct window_mode:
 * the frame (tui/draw.c) calls them and knows no screen.
 */
#ifndef GOSCOPE_TUI_SCREEN_H
#define GOSCOPE_TUI_SCREEN_H

#include "lib/strbuf.h"
#include "tui/app.h"

struct screen_mode {
	enum tui_screen id;
	/* Appends the title bar's text (" GROUPS  3 of 9 ..."). */
	void (*title)(struct app *a, struct strbuf *out);
	/* Draws the body in h lines of w columns from line y0. */
	void (*draw)(struct app *a, int y0, int h, int w);
};

extern const struct screen_mode scr_groups_mode;
extern const struct screen_mode scr_leaks_mode;
extern const struct screen_mode scr_goroutines_mode;
extern const struct screen_mode scr_stack_mode;
extern const struct screen_mode scr_threads_mode;
extern const struct screen_mode scr_build_mode;
extern const struct screen_mode scr_help_mode;
extern const struct screen_mode scr_diff_mode;

/* Every screen's mode, indexed by enum tui_screen. */
extern const struct screen_mode *const screen_modes[SCR_COUNT];

#endif
