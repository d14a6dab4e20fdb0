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
static void print_stats(const struct snap *snap, const char *unwinder,
			const struct threads_cache *cache);
static int repeat(pid_t pid, struct threads_opts *opts, int json,
		  int stats, size_t count, uint64_t interval);

const struct cmd_entry cmd_threads_entry = {
	.name = "threads",
	.summary = "Print every thread of a running process with its native "
		   "stack.",
	.usage = "goscope threads [--format=text|json] [--max-frames=N] "
		 "[--debug-dir=DIR] [--unwinder=NAME] [--stats] "
		 "[--interval=DUR] [--count=N] PID|CORE [EXE]",
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
	"  -i, --interval=DUR  capture again every DUR (10ms to 24h) until\n"
	"                      Ctrl-C or --count captures; each is printed\n"
	"                      whole (text: after a \"capture N\" line; json:\n"
	"                      one document each).  The modules and their\n"
	"                      symbols and unwind tables are read once and\n"
	"                      again only when the process's mappings change\n"
	"  -n, --count=N       stop after N captures (default 1, or no limit\n"
	"                      with --interval)\n"
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

static void print_stats(const struct snap *snap, const char *unwinder,
			const struct threads_cache *cache)
{
	static const char *const reuse[] = {
		[THREADS_OPENED] = "opened",
		[THREADS_RELOADED] = "reloaded",
		[THREADS_REUSED] = "reused",
	};
	struct threads_cache_stats st;

	fprintf(stderr,
		"goscope: pid %d: %zu threads, %zu goroutines; "
		"stopped %.3f ms; copied %zu bytes; total %.3f ms; "
		"unwinder %s",
		(int)snap->pid, snap->nthreads, snap->ngs,
		(double)snap->pause_ns / 1e6, snap->bytes_copied,
		(double)snap->capture_ns / 1e6,
		unwinder ? unwinder : threads_unwinder());
	if (cache) {
		threads_cache_stats(cache, &st);
		fprintf(stderr, "; capture %lu; modules %s, %lu files "
			"looked up", st.captures, reuse[st.last],
			st.last_opens);
	}
	fputc('\n', stderr);
}

/* count captures of pid (0: until Ctrl-C), interval apart. */
static int repeat(pid_t pid, struct threads_opts *opts, int json,
		  int stats, size_t count, uint64_t interval)
{
	struct snap *snap;
	struct strbuf out;
	size_t n;
	int r = EXIT_OK;
	struct err e;

	opts->cache = threads_cache_new();
	cmd_catch_interrupts();
	strbuf_init(&out);
	for (n = 0; !cmd_interrupted && (!count || n < count); n++) {
		if (n)
			cmd_sleep_ns(interval);
		if (cmd_interrupted)
			break;
		err_init(&e);
		if (threads_capture(pid, opts, &snap, &e) < 0) {
			if (!cmd_interrupted)
				error_msg("%s", e.msg);
			r = EXIT_RUNTIME;
			break;
		}
		cmd_warn_problems(snap);
		strbuf_reset(&out);
		if (json) {
			fmt_json_snapshot(snap, &out);
		} else {
			strbuf_addf(&out, "capture %zu\n\n", n + 1);
			fmt_threads_text(snap, &out);
		}
		fwrite(out.buf, 1, out.len, stdout);
		fflush(stdout);
		if (stats)
			print_stats(snap, opts->unwinder, opts->cache);
		snap_free(snap);
	}
	cmd_release_interrupts();
	strbuf_release(&out);
	threads_cache_free(opts->cache);
	opts->cache = NULL;
	return r;
}

static int cmd_threads_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		OPT_FORMAT_LONGOPT,
		{ "max-frames", required_argument, NULL, 'F' },
		{ "debug-dir", required_argument, NULL, 'd' },
		{ "unwinder", required_argument, NULL, 'u' },
		{ "stats", no_argument, NULL, 's' },
		OPT_INTERVAL_LONGOPT,
		{ "count", required_argument, NULL, 'n' },
		OPT_END,
	};
	const struct cmd_entry *cmd = &cmd_threads_entry;
	struct threads_opts opts;
	struct snap *snap = NULL;
	const char *exe;
	struct opt_shared sh;
	struct strbuf out;
	static const char *const formats[] = { "text", "json", NULL };
	int c, r, stats = 0, json = 0, count_set = 0;
	uint64_t interval = 0;
	size_t count = 1;
	struct err e;
	pid_t pid;

	memset(&opts, 0, sizeof(opts));
	sh = (struct opt_shared){ .formats = formats, .format = &json,
				  .interval_ns = &interval };
	opt_begin();
	/* 'F' has no short form: --max-frames only. */
	while ((c = opt_next_shared(cmd, argc, argv, "f:d:u:si:n:h", longopts,
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
		case 'n':
			r = opt_count(cmd, "count", optarg, 1, 1000000000,
				      &count);
			if (r)
				return r;
			count_set = 1;
			break;
		}
	}
	r = opt_target_exe(cmd, &sh, argc, argv, "PID", &exe);
	if (r != OPT_PARSED)
		return r;
	/* --interval alone: until Ctrl-C. */
	if (interval && !count_set)
		count = 0;
	err_init(&e);
	if (!exe && cmd_parse_target(argv[optind], &pid)) {
		if (count != 1)
			return repeat(pid, &opts, json, stats, count,
				      interval);
		r = threads_capture(pid, &opts, &snap, &e);
	} else if (count != 1) {
		return cmd_usage_error(cmd, "--interval and --count need a "
				       "PID, not a core file");
	} else {
		r = threads_capture_core(argv[optind], exe, &opts, &snap, &e);
	}
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
		print_stats(snap, opts.unwinder, NULL);
	snap_free(snap);
	return EXIT_OK;
}
