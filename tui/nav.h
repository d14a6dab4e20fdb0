/*
 * Navigation over the screens of the interactive view: rows rebuilt,
 * the selection kept by a tag across snapshots, screens opened and left,
 * search; every screen-specific step goes through its struct
 * screen_mode (tui/screen.h).
 */
#ifndef GOSCOPE_TUI_NAV_H
#define GOSCOPE_TUI_NAV_H

#include <stddef.h>
#include <stdint.h>

#include "tui/app.h"

/* Rebuilds the rows of the current screen if they are stale. */
void nav_rescan(struct app *a);
/*
 * Loads what the current screen's next draw shows besides rows (its
 * screen_mode's prepare).
 */
void nav_prepare(struct app *a);

/* The number of selectable rows of screen s. */
size_t nav_len(struct app *a, enum tui_screen s);
/* Moves the selection of the current screen by delta (clamped). */
void nav_move(struct app *a, long delta);
/* Moves the selection to row idx of the current screen. */
void nav_select(struct app *a, size_t idx);

/* Switches to screen s, remembering where to go back to. */
void nav_goto(struct app *a, enum tui_screen s);
/* Goes back to the previous screen; returns 0 when there is none. */
int nav_back(struct app *a);
/*
 * Opens the selected row (group -> goroutines -> stack); returns KEYS_*
 * flags, 0 when nothing opened.
 */
int nav_open(struct app *a);
/* Opens the goroutines screen of group id. */
void nav_open_group(struct app *a, uint64_t id);
/* Opens the stack of goroutine goid; returns 0 when it is not alive. */
int nav_open_goroutine(struct app *a, uint64_t goid);

/*
 * Moves the selection of the current screen to the next (dir 1) or
 * previous (dir -1) row whose text contains a->search (any case),
 * wrapping around, from the row after (before) the selection; with
 * from_here, the selected row itself counts.  Returns 1 when found.
 */
int nav_search(struct app *a, int dir, int from_here);

#endif
