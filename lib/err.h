/* Error details passed up from library code to the command layer. */
#ifndef GOSCOPE_LIB_ERR_H
#define GOSCOPE_LIB_ERR_H

#include "lib/compiler.h"

/*
 * Library functions return 0 on success or a negative errno value on
 * failure, and may describe the failure in a caller-supplied struct err.
 * code is the positive errno (0 when unset); msg is one line, lowercase,
 * without a trailing period, e.g. "cannot open '/x': no such file".
 */
struct err {
	int code;
	char msg[512];
};

/* Clears e (may be NULL). */
void err_init(struct err *e);
/* Sets e (may be NULL) and returns -code, so callers can write
 * "return err_set(e, EINVAL, ...);". code must be positive. */
int err_set(struct err *e, int code, const char *fmt, ...) ATTR_FORMAT(3, 4);
/* Like err_set, appending ": strerror(code)". */
int err_errno(struct err *e, int code, const char *fmt, ...) ATTR_FORMAT(3, 4);
/* Prefixes the existing message with "prefix: " and returns -e->code. */
int err_prefix(struct err *e, const char *fmt, ...) ATTR_FORMAT(2, 3);

#endif
