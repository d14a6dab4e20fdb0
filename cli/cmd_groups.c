/* goscope groups: goroutines grouped by state, stack and creation site. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/opt.h"
#include "capture/capture.h"
#include "snapshot/blocked.h"
#include "snapshot/group.h"
#include "snapshot/rules.h"
#include "snapshot/snap.h"
#include "lib/report.h"
#include "lib/strbuf.h"
#include "lib/banned.h"

/* --by has no short form: -b is --baseline (top). */
#define OPT_GROUPS_BY 0x120

static int cmd_groups_exec(int argc, char **argv);

const struct cmd_entry cmd_groups_entry = {
	.name = "groups",
	.summary = "Group goroutines by state, stack and creation site.",
	.usage = "goscope groups [--level=exact|lines|functions] "
		 "[--sort=count|wait] [--by=stack|object] "
		 "[--format=text|json] [--all] "
		 "[--rules=FILE] PID|FILE|CORE [EXE]",
	.help =
	"  -l, --level=LEVEL  how alike stacks must be: exact (same PC\n"
	"                     offsets), lines (same function and file:line;\n"
	"                     default) or functions (same names)\n"
	"  -S, --sort=KEY     count (default) or wait (longest wait first);\n"
	"                     standard-library-only groups come last\n"
	"      --by=KEY       stack (default): groups of alike goroutines;\n"
	"                     object: one line per object goroutines wait\n"
	"                     on (channel, mutex/semaphore, Cond, fd) with\n"
	"                     count, kind, type, address, len/cap, waiters\n"
	"  -f, --format=FMT   text (default) or json (goscope.groups/1;\n"
	"                     goscope.objects/1 with --by=object)\n"
	"  -a, --all          include the runtime's system goroutines\n"
	"  -r, --rules=FILE   leave out goroutines that FILE's ignore rules\n"
	"                     match (see goscope(1), RULES)\n"
	OPT_CAPTURE_HELP
	"  -h, --help         show this help\n"
	"\n"
	"PID|FILE: a live process (captured now), a JSON snapshot or a Go\n"
	"goroutine dump (debug=2 or debug=1 text, a panic or SIGQUIT\n"
	"output); '-' reads standard input; or a core file of a Go program\n"
	"(EXE: its executable, found from the core when not given).\n",
	.exec = cmd_groups_exec,
};

static int cmd_groups_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		OPT_LEVEL_LONGOPT,
		{ "sort", required_argument, NULL, 'S' },
		OPT_FORMAT_LONGOPT,
		{ "by", required_argument, NULL, OPT_GROUPS_BY },
		OPT_ALL_LONGOPT,
		OPT_RULES_LONGOPT,
		OPT_CAPTURE_LONGOPTS,
		OPT_END,
	};
	const struct cmd_entry *cmd = &cmd_groups_entry;
	struct capture_opts co;
	enum group_level level = GROUP_LINES;
	enum group_sort sort = GROUP_SORT_COUNT;
	const char *rules_path = NULL, *exe;
	struct rules *rules;
	unsigned int flags = 0;
	static const char *const formats[] = { "text", "json", NULL };
	static const char *const sorts[] = { "count", "wait", NULL };
	static const char *const bys[] = { "stack", "object", NULL };
	int c, r, json = 0, sort_key = 0, status, by_object = 0;
	struct opt_shared sh;
	struct grouping gr;
	struct snap *snap;
	struct strbuf out;

	capture_opts_init(&co);
	sh = (struct opt_shared){ .co = &co, .level = &level,
				  .rules_path = &rules_path,
				  .formats = formats, .format = &json,
				  .flags = &flags, .all_flag = GROUP_SYSTEM };
	opt_begin();
	while ((c = opt_next_shared(cmd, argc, argv, "l:S:f:ar:h", longopts,
				    &sh)) != -1) {
		switch (c) {
		case 'S':
			r = opt_choice(cmd, "sort key", optarg, sorts,
				       &sort_key);
			if (r)
				return r;
			sort = sort_key ? GROUP_SORT_WAIT : GROUP_SORT_COUNT;
			break;
		case OPT_GROUPS_BY:
			r = opt_choice(cmd, "grouping", optarg, bys, &by_object);
			if (r)
				return r;
			break;
		}
	}
	r = opt_target_exe(cmd, &sh, argc, argv, "PID or FILE", &exe);
	if (r != OPT_PARSED)
		return r;
	status = cmd_load_rules(rules_path, &rules);
	if (status)
		return status;
	status = cmd_load_snapshot_exe(argv[optind], exe, &co, &snap);
	if (status) {
		rules_free(rules);
		return status;
	}
	strbuf_init(&out);
	if (by_object) {
		blocked_fmt_objects(snap, (flags & GROUP_SYSTEM) != 0, json,
				    &out);
	} else {
		group_snap(snap, level, flags, rules, &gr);
		group_sort(&gr, sort);
		if (json)
			group_fmt_json(&gr, &out);
		else
			group_fmt_text(&gr, &out);
		grouping_release(&gr);
	}
	cmd_write_out(&out);
	snap_free(snap);
	rules_free(rules);
	return EXIT_OK;
}
