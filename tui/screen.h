/*
 * One file per screen of the interactive view (tui/scr_*.c), each
 * exporting a small table of functions, as tmux's struct window_mode:
 * the frame (tui/draw.c) and the navigation (tui/nav.c) call them and
 * know no screen.
 */
#ifndef GOSCOPE_TUI_SCREEN_H
#define GOSCOPE_TUI_SCREEN_H

#include <stddef.h>
#include <stdint.h>

#include "lib/strbuf.h"
#include "tui/app.h"

enum screen_flags {
	SCREEN_TEXT = 1 << 0,	/* scrolled text: the selection is the top */
};

struct screen_mode {
	enum tui_screen id;
	unsigned int flags;	/* enum screen_flags */
	/* Appends the title bar's text (" GROUPS  3 of 9 ..."). */
	void (*title)(struct app *a, struct strbuf *out);
	/* Draws the body in h lines of w columns from line y0. */
	void (*draw)(struct app *a, int y0, int h, int w);
	/* Rebuilds the rows from the current snapshot (NULL: none). */
	void (*rescan)(struct app *a);
	/* The number of selectable rows. */
	size_t (*len)(struct app *a);
	/*
	 * A tag of row i that stays the same across snapshots, so that the
	 * selection follows it (NULL: the selection stays on its index).
	 */
	uint64_t (*tag)(struct app *a, size_t i);
	/*
	 * Opens row i (a group's goroutines, a goroutine's stack, ...);
	 * returns KEYS_* flags, 0 when nothing opened (NULL: nothing to
	 * open).
	 */
	int (*open)(struct app *a, size_t i);
	/* Appends the text of row i that a search looks in. */
	void (*row_text)(struct app *a, size_t i, struct strbuf *out);
	/*
	 * Loads what the next draw shows besides rows (a source file), so
	 * that drawing reads no file (NULL: nothing).
	 */
	void (*prepare)(struct app *a);
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
