/* The interactive view (goscope PID, goscope top): entry points. */
#ifndef GOSCOPE_TUI_TUI_H
#define GOSCOPE_TUI_TUI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"
#include "tui/opts.h"

/*
 * Runs the view on the terminal until the user quits or a termination
 * signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT) arrives; the target is left
 * running and the terminal restored in every case.  Returns 0, or a
 * negative errno with e set when the process cannot be read at all
 * (then nothing was drawn) or the terminal cannot be used.  *sig is set
 * to the signal that ended the view, or 0.
 */
int tui_run(const struct tui_opts *o, int *sig, struct err *e);

#endif
