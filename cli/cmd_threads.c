/* goscope threads: every thread of a process with its native stack. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/opt.h"
#include "format/fmt_json.h"
#include "format/fmt_threads.h"
#include "capture/threads.h"
#include "symbols/unwinder.h"
#include "lib/report.h"
#include "lib/strbuf.h"
#include "lib/banned.h"

static int cmd_threads_exec(int argc, char **argv);

const struct cmd_entry cmd_threads_entry = {
	.name = "threads",
	.summary = "Print every thread of a running process with its native "
		   "stack.",
	.usage = "goscope threads [--format=text|json] [--max-frames=N] "
		 "[--debug-dir=DIR] [--unwinder=NAME] [--stats] PID|CORE [EXE]",
	.help =
	"  -f, --format=FMT    text (default): one block per thread\n"
	"                      json: the snapshot (schema goscope.snapshot/2)\n"
	"                      with the threads and, for Go programs, every\n"
	"                      goroutine\n"
	"      --max-frames=N  at most N frames per thread (default 256)\n"
	"  -d, --debug-dir=DIR also look for debug files in DIR (by build-id\n"
	"                      under DIR/.build-id, and by .gnu_debuglink);\n"
	"                      a colon-separated list is accepted\n"
	"  -u, --unwinder=NAME libdw (the default: it also reads .debug_frame\n"
	"                      and separate debug files), libunwind (its\n"
	"                      remote API over .eh_frame_hdr, frame pointers\n"
	"                      elsewhere) or none (only the innermost frame)\n"
	"  -s, --stats         print capture statistics on standard error\n"
	"  -h, --help          show this help\n"
	"\n"
	"Works for any process.  Every thread is stopped only while its\n"
	"registers and the top of its stack are copied; unwinding and\n"
	"symbolizing happen after the process resumed.  For Go programs each\n"
	"thread is matched to its M and goroutine.\n"
	"CORE: a core file (kernel or gcore; also zstd, xz, gzip or lz4\n"
	"compressed): its threads, registers and stacks as saved; EXE is its\n"
	"executable, found from the core's notes when not given.\n",
	.exec = cmd_threads_exec,
};

static int cmd_threads_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		OPT_FORMAT_LONGOPT,
		{ "max-frames", required_argument, NULL, 'F' },
		{ "debug-dir", required_argument, NULL, 'd' },
		{ "unwinder", required_argument, NULL, 'u' },
		{ "stats", no_argument, NULL, 's' },
		OPT_END,
	};
	const struct cmd_entry *cmd = &cmd_threads_entry;
	struct threads_opts opts;
	struct snap *snap = NULL;
	const char *exe;
	struct opt_shared sh;
	struct strbuf out;
	static const char *const formats[] = { "text", "json", NULL };
	int c, r, stats = 0, json = 0;
	struct err e;
	pid_t pid;

	memset(&opts, 0, sizeof(opts));
	sh = (struct opt_shared){ .formats = formats, .format = &json };
	opt_begin();
	/* 'F' has no short form: --max-frames only. */
	while ((c = opt_next_shared(cmd, argc, argv, "f:d:u:sh", longopts,
				    &sh)) != -1) {
		switch (c) {
		case 'F':
			r = opt_count(cmd, "--max-frames", optarg, 1, 100000,
				      &opts.max_frames);
			if (r)
				return r;
			break;
		case 'd':
			opts.debug_dirs = optarg;
			break;
		case 'u':
			if (!unwinder_exists(optarg))
				return cmd_usage_error(
					cmd, "unknown unwinder '%s' (this "
					"build has %s)", optarg,
					unwinder_names());
			opts.unwinder = optarg;
			break;
		case 's':
			stats = 1;
			break;
		}
	}
	r = opt_target_exe(cmd, &sh, argc, argv, "PID", &exe);
	if (r != OPT_PARSED)
		return r;
	err_init(&e);
	if (!exe && cmd_parse_target(argv[optind], &pid))
		r = threads_capture(pid, &opts, &snap, &e);
	else
		r = threads_capture_core(argv[optind], exe, &opts, &snap, &e);
	if (r < 0) {
		error_msg("%s", e.msg);
		return EXIT_RUNTIME;
	}
	cmd_warn_problems(snap);
	strbuf_init(&out);
	if (json)
		fmt_json_snapshot(snap, &out);
	else
		fmt_threads_text(snap, &out);
	cmd_write_out(&out);
	if (stats)
		fprintf(stderr,
			"goscope: pid %d: %zu threads, %zu goroutines; "
			"stopped %.3f ms; copied %zu bytes; total %.3f ms; "
			"unwinder %s\n",
			(int)snap->pid, snap->nthreads, snap->ngs,
			(double)snap->pause_ns / 1e6, snap->bytes_copied,
			(double)snap->capture_ns / 1e6,
			opts.unwinder ? opts.unwinder : threads_unwinder());
	snap_free(snap);
	return EXIT_OK;
}
