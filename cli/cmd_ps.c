/* goscope ps: the Go processes of the host, read without stopping them. */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/opt.h"
#include "tui/procs.h"
#include "lib/report.h"
#include "lib/strbuf.h"
#include "lib/banned.h"

static int cmd_ps_exec(int argc, char **argv);

const struct cmd_entry cmd_ps_entry = {
	.name = "ps",
	.summary = "List the Go processes of the host (version, goroutines, "
		   "memory).",
	.usage = "goscope ps [--all]",
	.help =
	"  -a, --all    every process, not only Go programs\n"
	"  -h, --help   show this help\n"
	"\n"
	"Columns: PID, NAME, GO (the Go version the program was built with),\n"
	"GOROUTINES (runtime.allglen read from the process's memory without\n"
	"stopping it: every goroutine the runtime has, also those exited and\n"
	"kept for reuse; - for a stripped binary), RSS, UPTIME, and ATTACH\n"
	"(yes when goscope may read and stop the process; otherwise why not).\n"
	"Processes whose executable cannot be read (other users') are\n"
	"counted at the end.  'goscope' without arguments on a terminal\n"
	"lists the same processes and opens the view on the one chosen.\n",
	.exec = cmd_ps_exec,
};

static int cmd_ps_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		OPT_ALL_LONGOPT,
		OPT_END,
	};
	const struct cmd_entry *cmd = &cmd_ps_entry;
	struct goproc *p;
	size_t n, unreadable;
	struct strbuf out;
	struct err e;
	int c, r, all = 0;

	opt_begin();
	while ((c = opt_next(argc, argv, "ah", longopts)) != -1) {
		switch (c) {
		case 'a':
			all = 1;
			break;
		default:
			return opt_other(cmd, c, argv);
		}
	}
	if ((r = opt_no_args(cmd, argc, argv)))
		return r;
	err_init(&e);
	if (goprocs_list(all, &p, &n, &unreadable, &e) < 0) {
		error_msg("%s", e.msg);
		return EXIT_RUNTIME;
	}
	strbuf_init(&out);
	goprocs_fmt_text(p, n, &out);
	if (unreadable)
		strbuf_addf(&out, "(%zu process%s could not be read: run as "
			    "their owner or as root)\n", unreadable,
			    unreadable == 1 ? "" : "es");
	cmd_write_out(&out);
	goprocs_free(p, n);
	return EXIT_OK;
}
