/* goscope dump: every goroutine of a live Go process, as the runtime prints it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "snapshot/capture.h"
#include "snapshot/fmt_go.h"
#include "snapshot/fmt_json.h"
#include "lib/report.h"
#include "lib/strbuf.h"
#include "lib/banned.h"

static int cmd_dump_exec(int argc, char **argv);

const struct cmd_entry cmd_dump_entry = {
	.name = "dump",
	.summary = "Print every goroutine of a running Go program.",
	.usage = "goscope dump [--format=go|json] [--all] [--stats] [-o FILE] "
		 "PID",
	.help =
	"  -f, --format=FMT  go (default): the runtime's own goroutine dump\n"
	"                    (pprof debug=2, runtime.Stack, SIGQUIT)\n"
	"                    json: the snapshot with everything goscope\n"
	"                    knows (schema goscope.snapshot/1)\n"
	"  -a, --all         also show system goroutines and runtime frames\n"
	"  -o, --output=FILE write to FILE instead of standard output\n"
	"  -s, --stats       print capture statistics (pause, sizes) on\n"
	"                    standard error\n"
	"  -h, --help        show this help\n"
	"\n"
	"The process is stopped only while its goroutine registry and stacks\n"
	"are copied; unwinding and symbolizing happen after it resumed.\n",
	.exec = cmd_dump_exec,
};

static int cmd_dump_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "all", no_argument, NULL, 'a' },
		{ "output", required_argument, NULL, 'o' },
		{ "stats", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *cmd = &cmd_dump_entry;
	const char *output = NULL;
	unsigned int flags = 0;
	int c, stats = 0, json = 0, status = EXIT_OK;
	struct snap *snap = NULL;
	struct strbuf out;
	struct err e;
	FILE *f = stdout;
	pid_t pid;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+f:ao:sh", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "json"))
				json = 1;
			else if (!strcmp(optarg, "go"))
				json = 0;
			else
				return cmd_usage_error(cmd,
						       "unknown format '%s'",
						       optarg);
			break;
		case 'a':
			flags |= FMT_GO_ALL;
			break;
		case 'o':
			output = optarg;
			break;
		case 's':
			stats = 1;
			break;
		case 'h':
			cmd_print_help(cmd);
			return EXIT_OK;
		default:
			return cmd_usage_error(cmd, "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cmd_usage_error(cmd, "expected one PID");
	if (!cmd_parse_target(argv[optind], &pid))
		return cmd_usage_error(cmd, "'%s' is not a process id",
				       argv[optind]);
	err_init(&e);
	if (capture_pid(pid, &snap, &e) < 0) {
		error_msg("%s", e.msg);
		return EXIT_RUNTIME;
	}
	strbuf_init(&out);
	if (json)
		fmt_json_snapshot(snap, &out);
	else
		fmt_go_dump(snap, flags, &out);
	if (output) {
		f = fopen(output, "we");
		if (!f) {
			perror_msg("cannot open '%s'", output);
			status = EXIT_RUNTIME;
		}
	}
	if (f) {
		fwrite(out.buf, 1, out.len, f);
		if (f != stdout && fclose(f) != 0) {
			perror_msg("cannot write '%s'", output);
			status = EXIT_RUNTIME;
		}
	}
	if (stats)
		fprintf(stderr,
			"goscope: pid %d: %zu goroutines (%zu in allgs), "
			"%zu threads; stopped %.3f ms; copied %zu bytes; "
			"total %.3f ms\n",
			(int)snap->pid, snap->ngs, snap->nallg,
			snap->nthreads, (double)snap->pause_ns / 1e6,
			snap->bytes_copied, (double)snap->capture_ns / 1e6);
	strbuf_release(&out);
	snap_free(snap);
	return status;
}
