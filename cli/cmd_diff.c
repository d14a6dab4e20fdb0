/* goscope diff: what changed between snapshots, and the leak verdict. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/opt.h"
#include "capture/capture.h"
#include "snapshot/diff.h"
#include "snapshot/snap.h"
#include "format/fmt_watch.h"
#include "snapshot/watch.h"
#include "lib/report.h"
#include "lib/strbuf.h"
#include "lib/banned.h"

/* The leak rule over a series of snapshots (three or more inputs). */
struct series {
	struct watch_cfg cfg;
	const char *rules_path;
	int leak_opts;		/* a leak option was given */
};

static int cmd_diff_exec(int argc, char **argv);
static int series_check(const char *prev_arg, const struct snap *prev,
			const char *arg, const struct snap *s);
static int judge_series(int nin, char **in, const struct capture_opts *co,
			struct series *se, int json, struct strbuf *out);
static void render(const struct diff *d, int json, struct strbuf *out);

const struct cmd_entry cmd_diff_entry = {
	.name = "diff",
	.summary = "Compare snapshots; over a series, the leak verdict.",
	.usage = "goscope diff [--level=exact|lines|functions] "
		 "[--format=text|json] [--all] [--window=30s] "
		 "[--tolerance=3] [--noise=3] [--rules=FILE] OLD [MID...] NEW",
	.help =
	"  -l, --level=LEVEL    stack similarity for groups (default lines)\n"
	"  -f, --format=FMT     text (default) or json (goscope.diff/1)\n"
	"  -a, --all            include the runtime's system goroutines\n"
	OPT_LEAK_HELP
	OPT_CAPTURE_HELP
	"  -h, --help           show this help\n"
	"\n"
	"OLD and NEW are each a PID (captured now), a JSON snapshot or a Go\n"
	"goroutine dump.  Groups are listed largest growth of blocked\n"
	"goroutines first; goroutines with the same id and group in both\n"
	"are 'persisted': stuck for at least the time between the two.\n"
	"\n"
	"Three or more JSON snapshots of one process, oldest first, are a\n"
	"series: the leak rule of watch judges it by the capture times, each\n"
	"group is marked suspect, stable or undecided, and goroutine ages\n"
	"count from the first snapshot that had them.  Exit status of a\n"
	"series: 0 stable, 3 leak suspected, 4 not enough snapshots to\n"
	"decide (fewer than 5 covering the window); 1 error, 2 usage.\n",
	.exec = cmd_diff_exec,
};

/* prev and s (loaded from prev_arg and arg) may follow in a series. */
static int series_check(const char *prev_arg, const struct snap *prev,
			const char *arg, const struct snap *s)
{
	if (!s->time_unix_ns) {
		error_msg("'%s' has no capture time: a series needs JSON "
			  "snapshots (goscope dump --format=json)", arg);
		return EXIT_RUNTIME;
	}
	if (!prev)
		return 0;
	if (prev->pid != s->pid ||
	    (prev->start_time && s->start_time &&
	     prev->start_time != s->start_time)) {
		error_msg("'%s' and '%s' are snapshots of different processes "
			  "(pid %d and %d%s): a series is of one process",
			  prev_arg, arg, (int)prev->pid, (int)s->pid,
			  prev->pid == s->pid ? ", another start time" : "");
		return EXIT_RUNTIME;
	}
	if (s->time_unix_ns < prev->time_unix_ns) {
		error_msg("'%s' was captured before '%s': give the series "
			  "oldest first", arg, prev_arg);
		return EXIT_RUNTIME;
	}
	return 0;
}

/* The diff d in text, or in JSON, appended to out. */
static void render(const struct diff *d, int json, struct strbuf *out)
{
	if (json)
		diff_fmt_json(d, out);
	else
		diff_fmt_text(d, out);
}

/*
 * Feeds the snapshots in[0..nin) one by one to the leak watch (only the
 * first and the last are kept), then writes the diff of those two with
 * the verdict of the series to out.  Returns the exit status.
 */
static int judge_series(int nin, char **in, const struct capture_opts *co,
			struct series *se, int json, struct strbuf *out)
{
	struct snap *first = NULL, *last = NULL, *s;
	struct watch *w = watch_new(&se->cfg);
	struct watch_sample sample;
	struct watch_verdict v;
	struct strbuf vt, vj;
	struct diff d;
	size_t i;
	int k, status = 0;

	for (k = 0; k < nin && !status; k++) {
		status = cmd_load_snapshot(in[k], co, &s);
		if (status)
			break;
		status = series_check(k ? in[k - 1] : NULL, last ? last : first,
				      in[k], s);
		if (status) {
			snap_free(s);
			break;
		}
		watch_add(w, s, &sample, NULL);
		if (!first) {
			first = s;
			continue;
		}
		snap_free(last);
		last = s;
	}
	if (status) {
		snap_free(first);
		snap_free(last);
		watch_free(w);
		return status;
	}
	watch_verdict(w, &v);
	strbuf_init(&vt);
	strbuf_init(&vj);
	fmt_watch_verdict(&v, watch_config(w), WATCH_TEXT, &vt);
	fmt_watch_verdict(&v, watch_config(w), WATCH_JSON, &vj);
	diff_snaps(first, last, se->cfg.level, se->cfg.flags, &d);
	d.nseries = (size_t)nin;
	d.verdict_text = vt.buf;
	d.verdict_json = vj.buf;
	for (i = 0; i < d.ngroups; i++)
		d.groups[i].leak = watch_group_state(w, d.groups[i].id);
	render(&d, json, out);
	status = v.state == LEAK_SUSPECT ? EXIT_LEAK
		 : v.state == LEAK_UNDECIDED ? EXIT_UNDECIDED : EXIT_OK;
	diff_release(&d);
	watch_verdict_release(&v);
	strbuf_release(&vt);
	strbuf_release(&vj);
	snap_free(first);
	snap_free(last);
	watch_free(w);
	return status;
}

static int cmd_diff_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		OPT_LEVEL_LONGOPT,
		OPT_FORMAT_LONGOPT,
		OPT_ALL_LONGOPT,
		OPT_LEAK_LONGOPTS,
		OPT_CAPTURE_LONGOPTS,
		OPT_END,
	};
	const struct cmd_entry *cmd = &cmd_diff_entry;
	struct capture_opts co;
	enum group_level level = GROUP_LINES;
	struct snap *a = NULL, *b = NULL;
	unsigned int flags = 0;
	static const char *const formats[] = { "text", "json", NULL };
	int json = 0, status, nin, k;
	struct rules *rules = NULL;
	struct opt_shared sh;
	struct series se;
	struct strbuf out;
	struct diff d;

	memset(&se, 0, sizeof(se));
	leak_cfg_init(&se.cfg.leak);
	capture_opts_init(&co);
	sh = (struct opt_shared){ .co = &co, .level = &level,
				  .leak = &se.cfg.leak,
				  .rules_path = &se.rules_path,
				  .formats = formats, .format = &json,
				  .flags = &flags, .all_flag = GROUP_SYSTEM };
	opt_begin();
	/* Every option of diff is a shared one. */
	while (opt_next_shared(cmd, argc, argv, "l:f:a" OPT_LEAK_SHORTOPTS "h",
			       longopts, &sh) != -1)
		;
	if (sh.end != OPT_PARSED)
		return sh.end;
	se.leak_opts = sh.leak_given;
	nin = argc - optind;
	if (nin < 2)
		return cmd_usage_error(cmd, "expected OLD and NEW");
	for (k = 0; k < nin && nin > 2; k++)
		if (!strcmp(argv[optind + k], "-"))
			return cmd_usage_error(cmd, "'-' cannot be part of "
					       "a series");
	if (nin == 2 && se.leak_opts)
		return cmd_usage_error(cmd, "the leak rule needs a series of "
				       "three or more snapshots");
	strbuf_init(&out);
	if (nin > 2) {
		status = cmd_load_rules(se.rules_path, &rules);
		if (status)
			return status;
		se.cfg.level = level;
		se.cfg.flags = flags;
		se.cfg.rules = rules;
		status = judge_series(nin, argv + optind, &co, &se, json,
				      &out);
		cmd_write_out(&out);
		rules_free(rules);
		return status;
	}
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
	render(&d, json, &out);
	cmd_write_out(&out);
	diff_release(&d);
	snap_free(a);
	snap_free(b);
	return EXIT_OK;
}
