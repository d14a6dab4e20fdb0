/* goscope diff: what changed between two snapshots of a program. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/opt.h"
#include "snapshot/capture.h"
#include "snapshot/diff.h"
#include "snapshot/snap.h"
#include "lib/report.h"
#include "lib/strbuf.h"
#include "lib/banned.h"

static int cmd_diff_exec(int argc, char **argv);

const struct cmd_entry cmd_diff_entry = {
	.name = "diff",
	.summary = "Compare two snapshots: groups grown, new, gone; stuck "
		   "goroutines.",
	.usage = "goscope diff [--level=exact|lines|functions] "
		 "[--format=text|json] [--all] OLD NEW",
	.help =
	"  -l, --level=LEVEL  stack similarity for groups (default lines)\n"
	"  -f, --format=FMT   text (default) or json (goscope.diff/1)\n"
	"  -a, --all          include the runtime's system goroutines\n"
	OPT_CAPTURE_HELP
	"  -h, --help         show this help\n"
	"\n"
	"OLD and NEW are each a PID (captured now), a JSON snapshot or a Go\n"
	"goroutine dump.  Groups are listed largest growth of blocked\n"
	"goroutines first; goroutines with the same id and group in both\n"
	"are 'persisted': stuck for at least the time between the two.\n",
	.exec = cmd_diff_exec,
};

static int cmd_diff_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "level", required_argument, NULL, 'l' },
		{ "format", required_argument, NULL, 'f' },
		{ "all", no_argument, NULL, 'a' },
		OPT_CAPTURE_LONGOPTS,
		OPT_END,
	};
	const struct cmd_entry *cmd = &cmd_diff_entry;
	struct capture_opts co;
	enum group_level level = GROUP_LINES;
	struct snap *a = NULL, *b = NULL;
	unsigned int flags = 0;
	static const char *const formats[] = { "text", "json", NULL };
	int c, r, json = 0, status;
	struct strbuf out;
	struct diff d;

	capture_opts_init(&co);
	opt_begin();
	while ((c = opt_next(argc, argv, "l:f:ah", longopts)) != -1) {
		switch (c) {
		case 'l':
			r = opt_level(cmd, optarg, &level);
			if (r)
				return r;
			break;
		case 'f':
			r = opt_choice(cmd, "format", optarg, formats, &json);
			if (r)
				return r;
			break;
		case 'a':
			flags |= GROUP_SYSTEM;
			break;
		case OPT_CAPTURE_FULL_STOP:
		case OPT_CAPTURE_MAX_MEMORY:
			r = opt_capture(cmd, c, optarg, &co);
			if (r)
				return r;
			break;
		default:
			return opt_other(cmd, c, argv);
		}
	}
	if (argc - optind != 2)
		return cmd_usage_error(cmd, "expected OLD and NEW");
	if (!strcmp(argv[optind], "-") && !strcmp(argv[optind + 1], "-"))
		return cmd_usage_error(cmd, "only one side can be '-'");
	status = cmd_load_snapshot(argv[optind], &co, &a);
	if (status)
		return status;
	status = cmd_load_snapshot(argv[optind + 1], &co, &b);
	if (status) {
		snap_free(a);
		return status;
	}
	diff_snaps(a, b, level, flags, &d);
	strbuf_init(&out);
	if (json)
		diff_fmt_json(&d, &out);
	else
		diff_fmt_text(&d, &out);
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
	diff_release(&d);
	snap_free(a);
	snap_free(b);
	return EXIT_OK;
}
