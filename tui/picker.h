/* The process picker: goscope without arguments. */
#ifndef GOSCOPE_TUI_PICKER_H
#define GOSCOPE_TUI_PICKER_H

#include <sys/types.h>

#include "lib/err.h"
#include "tui/procs.h"

/*
 * Lists p on the terminal (curses); returns the pid chosen with enter,
 * or 0 when the user quit.  Returns -1 with e set when the terminal
 * cannot be used.
 */
pid_t picker_run(const struct goproc *p, size_t n, struct err *e);

#endif
