/* goscope top (and goscope PID): the interactive view of a process. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "snapshot/capture.h"
#include "snapshot/diff.h"
#include "snapshot/group.h"
#include "snapshot/snap.h"
#include "tui/tui.h"
#include "lib/report.h"
#include "lib/strbuf.h"
#include "lib/banned.h"

static int cmd_top_exec(int argc, char **argv);
static int parse_duration(const char *s, uint64_t *ns);
static int print_once(char **targets, size_t n, enum group_level level,
		      const struct capture_opts *co);

const struct cmd_entry cmd_top_entry = {
	.name = "top",
	.summary = "Watch a process live: growing goroutine groups, stacks, "
		   "threads.",
	.usage = "goscope top [--interval=DUR] [--once] [--baseline=FILE] "
		 "[--level=LEVEL] [--ascii] [--no-color] [--source-root=DIR] "
		 "PID|FILE...",
	.help =
	"  -i, --interval=DUR     auto-refresh interval (default 2s; 500ms,\n"
	"                         1m; 100ms to 1h)\n"
	"  -1, --once             one snapshot, no auto-refresh (r takes "
	"another)\n"
	"  -b, --baseline=FILE    compare with this snapshot file (a JSON\n"
	"                         snapshot or a Go goroutine dump)\n"
	"  -l, --level=LEVEL      stack similarity for groups: exact, lines\n"
	"                         (default) or functions\n"
	"  -a, --ascii            no UTF-8 drawing characters\n"
	"  -C, --no-color         no colors (also when NO_COLOR is set)\n"
	"  -s, --source-root=DIR  where to look for source files\n"
	CMD_CAPTURE_HELP
	"  -h, --help             show this help\n"
	"\n"
	"'goscope PID' is the same as 'goscope top PID'.  FILE...: snapshot\n"
	"files (JSON snapshots or Go goroutine dumps) browsed in order, each\n"
	"compared with the one before.  When standard output is not a\n"
	"terminal, the grouped view is printed once instead (for several\n"
	"files, the difference between consecutive ones).  Press ? in the\n"
	"view for its keys; q quits.  The process keeps running.\n",
	.exec = cmd_top_exec,
};

/* "1s", "500ms", "2m", "1.5s", "3" (seconds). */
static int parse_duration(const char *s, uint64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -1;
	if (!strcmp(end, "ms"))
		v *= 1e6;
	else if (!strcmp(end, "s") || !*end)
		v *= 1e9;
	else if (!strcmp(end, "m"))
		v *= 60e9;
	else
		return -1;
	if (v < 1e8 || v > 3600e9)
		return -1;
	*ns = (uint64_t)v;
	return 0;
}

/* Without a terminal: the grouped view, or consecutive diffs. */
static int print_once(char **targets, size_t n, enum group_level level,
		      const struct capture_opts *co)
{
	struct snap *prev = NULL, *s;
	struct grouping gr;
	struct strbuf out;
	struct diff d;
	size_t i;
	int status;

	strbuf_init(&out);
	for (i = 0; i < n; i++) {
		status = cmd_load_snapshot(targets[i], co, &s);
		if (status) {
			snap_free(prev);
			strbuf_release(&out);
			return status;
		}
		if (n == 1) {
			group_snap(s, level, 0, NULL, &gr);
			group_sort(&gr, GROUP_SORT_COUNT);
			group_fmt_text(&gr, &out);
			grouping_release(&gr);
		} else if (prev) {
			strbuf_addf(&out, "%s==> %s -> %s <==\n",
				    i > 1 ? "\n" : "", targets[i - 1],
				    targets[i]);
			diff_snaps(prev, s, level, 0, &d);
			diff_fmt_text(&d, &out);
			diff_release(&d);
		}
		fwrite(out.buf, 1, out.len, stdout);
		strbuf_reset(&out);
		snap_free(prev);
		prev = s;
	}
	snap_free(prev);
	strbuf_release(&out);
	return EXIT_OK;
}

static int cmd_top_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "once", no_argument, NULL, '1' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "level", required_argument, NULL, 'l' },
		{ "ascii", no_argument, NULL, 'a' },
		{ "no-color", no_argument, NULL, 'C' },
		{ "source-root", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		CMD_CAPTURE_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *cmd = &cmd_top_entry;
	struct tui_opts o;
	struct capture_opts co;
	struct err e;
	int c, sig, r;
	size_t i, n;
	pid_t pid;

	memset(&o, 0, sizeof(o));
	o.level = GROUP_LINES;
	o.interval_ns = TUI_DEFAULT_INTERVAL_NS;
	capture_opts_init(&co);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "i:1b:l:aCs:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'i':
			if (parse_duration(optarg, &o.interval_ns) < 0)
				return cmd_usage_error(cmd, "bad interval '%s' "
						       "(100ms to 1h)", optarg);
			break;
		case '1':
			o.once = 1;
			break;
		case 'b':
			o.baseline = optarg;
			break;
		case 'l':
			if (group_level_parse(optarg, &o.level) < 0)
				return cmd_usage_error(cmd, "unknown level "
						       "'%s'", optarg);
			break;
		case 'a':
			o.ascii = 1;
			break;
		case 'C':
			o.no_color = 1;
			break;
		case 's':
			o.source_root = optarg;
			break;
		case 'h':
			cmd_print_help(cmd);
			return EXIT_OK;
		default:
			c = cmd_capture_option(cmd, c, optarg, &co);
			if (c >= 0) {
				if (c)
					return c;
				break;
			}
			return cmd_usage_error(cmd, "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	n = (size_t)(argc - optind);
	if (!n)
		return cmd_usage_error(cmd, "expected a PID or snapshot files");
	for (i = 0; i < n; i++) {
		if (!cmd_parse_target(argv[optind + i], &pid))
			continue;
		if (n > 1)
			return cmd_usage_error(cmd, "expected one PID, or "
					       "snapshot files");
		o.pid = pid;
	}
	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
		return print_once(argv + optind, n, o.level, &co);
	if (!o.pid) {
		o.files = argv + optind;
		o.nfiles = n;
	}
	o.capture = &co;
	err_init(&e);
	r = tui_run(&o, &sig, &e);
	if (r < 0) {
		error_msg("%s", e.msg);
		return EXIT_RUNTIME;
	}
	/* Ended by a signal: the shell's convention. */
	return sig ? 128 + sig : EXIT_OK;
}
