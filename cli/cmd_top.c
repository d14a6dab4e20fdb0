/* goscope top (and goscope PID): the interactive view of a process. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "cli/opt.h"
#include "capture/capture.h"
#include "snapshot/diff.h"
#include "snapshot/group.h"
#include "capture/load.h"
#include "snapshot/snap.h"
#include "tui/tui.h"
#include "lib/report.h"
#include "lib/strbuf.h"
#include "lib/banned.h"

static int cmd_top_exec(int argc, char **argv);
static int print_once(char **targets, size_t n, const char *exe,
		      enum group_level level, const struct capture_opts *co,
		      const struct rules *rules);

const struct cmd_entry cmd_top_entry = {
	.name = "top",
	.summary = "Watch a process live: growing goroutine groups, stacks, "
		   "threads.",
	.usage = "goscope top [--interval=DUR] [--once] [--baseline=FILE] "
		 "[--level=LEVEL] [--window=30s] [--tolerance=3] [--noise=3] "
		 "[--rules=FILE] [--ascii] [--no-color] [--source-root=DIR] "
		 "PID|FILE...|CORE [EXE]",
	.help =
	"  -i, --interval=DUR     auto-refresh interval (default 2s; 500ms,\n"
	"                         1m; 10ms to 24h)\n"
	"  -1, --once             one snapshot, no auto-refresh (r takes "
	"another)\n"
	"  -b, --baseline=FILE    compare with this snapshot file (a JSON\n"
	"                         snapshot or a Go goroutine dump)\n"
	"  -l, --level=LEVEL      stack similarity for groups: exact, lines\n"
	"                         (default) or functions\n"
	"  -k, --window=DUR       the history the leak rule judges (default\n"
	"                         30s; 1s to 24h)\n"
	"  -t, --tolerance=T      a group is a leak suspect when it grew by\n"
	"                         more than T over the window (default 3)\n"
	"      --noise=M          ... and never fell by more than M (default\n"
	"                         3); see LEAK RULE in goscope(1)\n"
	"  -r, --rules=FILE       leave out what these ignore rules match\n"
	"      --ascii            no UTF-8 drawing characters\n"
	"  -C, --no-color         no colors (also when NO_COLOR is set)\n"
	"      --source-root=DIR  where to look for source files\n"
	OPT_CAPTURE_HELP
	"  -h, --help             show this help\n"
	"\n"
	"'goscope PID' is the same as 'goscope top PID'.  FILE...: snapshot\n"
	"files (JSON snapshots or Go goroutine dumps) browsed in order, each\n"
	"compared with the one before; CORE [EXE]: a core file (also\n"
	"compressed), its executable found from the core when not given.\n"
	"When standard output is not a\n"
	"terminal, the grouped view is printed once instead (for several\n"
	"files, the difference between consecutive ones).  Press ? in the\n"
	"view for its keys; q quits.  The process keeps running.\n",
	.exec = cmd_top_exec,
};

/* Whether the file at path starts like an ELF file. */
static int is_elf(const char *path)
{
	unsigned char head[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, head, sizeof(head));
	close(fd);
	return n == 4 && !memcmp(head, "\177ELF", 4);
}

/* Without a terminal: the grouped view, or consecutive diffs. */
static int print_once(char **targets, size_t n, const char *exe,
		      enum group_level level, const struct capture_opts *co,
		      const struct rules *rules)
{
	struct snap *prev = NULL, *s;
	struct grouping gr;
	struct strbuf out;
	struct diff d;
	size_t i;
	int status;

	strbuf_init(&out);
	for (i = 0; i < n; i++) {
		status = cmd_load_snapshot_exe(targets[i], exe, co, &s);
		if (status) {
			snap_free(prev);
			strbuf_release(&out);
			return status;
		}
		if (n == 1) {
			group_snap(s, level, 0, rules, &gr);
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
		OPT_INTERVAL_LONGOPT,
		{ "once", no_argument, NULL, '1' },
		{ "baseline", required_argument, NULL, 'b' },
		OPT_LEVEL_LONGOPT,
		{ "ascii", no_argument, NULL, 'A' },
		{ "no-color", no_argument, NULL, 'C' },
		{ "source-root", required_argument, NULL, 'R' },
		OPT_LEAK_LONGOPTS,
		OPT_CAPTURE_LONGOPTS,
		OPT_END,
	};
	const struct cmd_entry *cmd = &cmd_top_entry;
	struct capture_opts co;
	struct tui_opts o;
	struct opt_shared sh;
	const char *rules_path = NULL;
	struct rules *rules;
	struct err e;
	int c, sig, r;
	size_t i, n;
	pid_t pid;

	memset(&o, 0, sizeof(o));
	o.level = GROUP_LINES;
	o.interval_ns = TUI_DEFAULT_INTERVAL_NS;
	leak_cfg_init(&o.leak);
	capture_opts_init(&co);
	sh = (struct opt_shared){ .co = &co, .level = &o.level,
				  .leak = &o.leak, .rules_path = &rules_path,
				  .interval_ns = &o.interval_ns };
	opt_begin();
	/* 'A' and 'R' have no short form: --ascii, --source-root. */
	while ((c = opt_next_shared(cmd, argc, argv,
				    "i:1b:l:Ch" OPT_LEAK_SHORTOPTS, longopts,
				    &sh)) != -1) {
		switch (c) {
		case '1':
			o.once = 1;
			break;
		case 'b':
			o.baseline = optarg;
			break;
		case 'A':
			o.ascii = 1;
			break;
		case 'C':
			o.no_color = 1;
			break;
		case 'R':
			o.source_root = optarg;
			break;
		}
	}
	if (sh.end != OPT_PARSED)
		return sh.end;
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
	/* CORE EXE: a core file and the executable it was made from. */
	if (n == 2 && !o.pid && load_is_core(argv[optind]) &&
	    !load_is_core(argv[optind + 1]) &&
	    is_elf(argv[optind + 1])) {
		o.exe = argv[optind + 1];
		n = 1;
	}
	r = cmd_load_rules(rules_path, &rules);
	if (r)
		return r;
	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		r = print_once(argv + optind, n, o.exe, o.level, &co, rules);
		rules_free(rules);
		return r;
	}
	if (!o.pid) {
		o.files = argv + optind;
		o.nfiles = n;
	}
	o.rules = rules;
	o.capture = &co;
	err_init(&e);
	r = tui_run(&o, &sig, &e);
	rules_free(rules);
	if (r < 0) {
		error_msg("%s", e.msg);
		return EXIT_RUNTIME;
	}
	/* Ended by a signal: the shell's convention. */
	return sig ? 128 + sig : EXIT_OK;
}
