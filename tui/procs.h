/* The Go processes of the host, for goscope ps and the process picker. */
#ifndef GOSCOPE_TUI_PROCS_H
#define GOSCOPE_TUI_PROCS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"
#include "lib/strbuf.h"

struct goproc {
	pid_t pid;
	char *name;		/* comm */
	char *go_version;	/* "go1.23.4", or NULL when not Go */
	long long goroutines;	/* runtime.allglen, -1 when unknown */
	uint64_t rss;		/* bytes */
	long long uptime;	/* seconds, -1 when unknown */
	int may_attach;
	char *why;		/* why not, or NULL */
};

/*
 * Lists the processes of the host that run Go programs (with all, every
 * process), ascending by pid, without stopping any: the Go version from
 * the executable's build information, the goroutine count from
 * runtime.allglen in the process's memory (it includes exited ones the
 * runtime keeps for reuse; -1 for stripped binaries), resident memory,
 * uptime, and whether goscope may attach.  unreadable counts processes
 * whose executable could not be read (other users').  Returns 0 and
 * out and n (free with goprocs_free), or a negative errno with e set.
 */
int goprocs_list(int all, struct goproc **out, size_t *n, size_t *unreadable,
		 struct err *e);
void goprocs_free(struct goproc *p, size_t n);

/* Appends "5m3s", "2h10m", "3d4h" for a number of seconds ("-" if < 0). */
void goprocs_fmt_age(struct strbuf *sb, long long s);
/* Appends a size: "812K", "35.2M", "1.4G". */
void goprocs_fmt_size(struct strbuf *sb, uint64_t bytes);

/* Appends the table goscope ps prints, with a header line. */
void goprocs_fmt_text(const struct goproc *p, size_t n, struct strbuf *out);

#endif
