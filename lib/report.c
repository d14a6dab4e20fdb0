/* The one module that writes diagnostics to stderr. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/report.h"
#include "lib/banned.h"

static void vreport(const char *kind, const char *fmt, va_list ap,
		    int errnum) ATTR_FORMAT(2, 0);

static const char *report_prog = "goscope";
static int report_debug;

static void vreport(const char *kind, const char *fmt, va_list ap, int errnum)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", report_prog);
	if (kind)
		fprintf(stderr, "%s: ", kind);
	vfprintf(stderr, fmt, ap);
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
}

void report_init(const char *progname)
{
	report_prog = progname;
}

void report_set_debug(int on)
{
	report_debug = on;
}

void error_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(NULL, fmt, ap, 0);
	va_end(ap);
}

void warning_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning", fmt, ap, 0);
	va_end(ap);
}

void hint_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("hint", fmt, ap, 0);
	va_end(ap);
}

void debug_msg(const char *fmt, ...)
{
	va_list ap;

	if (!report_debug)
		return;
	va_start(ap, fmt);
	vreport("debug", fmt, ap, 0);
	va_end(ap);
}

void perror_msg(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vreport(NULL, fmt, ap, saved);
	va_end(ap);
}

void error_msg_and_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(NULL, fmt, ap, 0);
	va_end(ap);
	exit(status);
}
