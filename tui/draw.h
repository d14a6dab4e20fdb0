/* Drawing the interactive view's screens with curses. */
#ifndef GOSCOPE_TUI_DRAW_H
#define GOSCOPE_TUI_DRAW_H

#include "tui/app.h"

/* Sets up the color pairs (when a->color) after the screen started. */
void draw_init(struct app *a);

/*
 * Draws the header, the current screen's body and the footer into the
 * curses screen (rows must be current: app_rescan) and refreshes it.
 */
void draw(struct app *a);

#endif
