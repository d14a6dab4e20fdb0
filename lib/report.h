/* Diagnostics to stderr; used only by cli/ and tui/. */
#ifndef GOSCOPE_LIB_REPORT_H
#define GOSCOPE_LIB_REPORT_H

#include "lib/compiler.h"

/* Sets the program name printed before every message. */
void report_init(const char *progname);
/* Enables debug_msg() output. */
void report_set_debug(int on);
void error_msg(const char *fmt, ...) ATTR_FORMAT(1, 2);
void warning_msg(const char *fmt, ...) ATTR_FORMAT(1, 2);
void hint_msg(const char *fmt, ...) ATTR_FORMAT(1, 2);
void debug_msg(const char *fmt, ...) ATTR_FORMAT(1, 2);
/* Prints "error: msg: strerror(errno)". */
void perror_msg(const char *fmt, ...) ATTR_FORMAT(1, 2);
void error_msg_and_die(int status, const char *fmt, ...)
	ATTR_FORMAT(2, 3) ATTR_NORETURN;

#endif
