/* goscope watch: repeated snapshots of a process and a goroutine leak verdict. */
#include <errno.h>
#include <sys/stat.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "cli/opt.h"
#include "inspect/proc.h"
#include "capture/capture.h"
#include "capture/load.h"
#include "format/fmt_watch.h"
#include "snapshot/watch.h"
#include "lib/atomicfile.h"
#include "lib/report.h"
#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"


static int cmd_watch_exec(int argc, char **argv);
static int take_retrying(struct capture *cap, struct snap **s,
			 struct err *e);
static int write_file(const char *path, const struct strbuf *sb);
static int write_textfile(const char *dir, pid_t pid, struct watch *w,
			  const struct strbuf *sample, const char *process);

const struct cmd_entry cmd_watch_entry = {
	.name = "watch",
	.summary = "Snapshot a process repeatedly and say whether goroutines "
		   "leak.",
	.usage = "goscope watch [--interval=1s] [--count=N] [--window=30s] "
		 "[--tolerance=3] [--noise=3] [--rules=FILE] [--level=LEVEL] "
		 "[--format=text|json|openmetrics] [-o FILE] [--textfile=DIR] "
		 "PID",
	.help =
	"  -i, --interval=DUR   time between snapshots (default 1s; 10ms\n"
	"                       to 24h)\n"
	"  -n, --count=N        stop after N snapshots (default: at Ctrl-C)\n"
	OPT_LEAK_HELP
	"  -l, --level=LEVEL    stack similarity for groups (default lines)\n"
	"  -f, --format=FMT     text (default), json (one object per line) or\n"
	"                       openmetrics (one exposition per snapshot)\n"
	"  -o, --output=FILE    openmetrics: replace FILE after each snapshot\n"
	"      --textfile=DIR   also replace DIR/goscope-PID.prom after each\n"
	"                       snapshot, for node_exporter's textfile\n"
	"                       collector; a failed snapshot is counted there\n"
	"                       and the watch goes on while the process lives\n"
	OPT_CAPTURE_HELP
	"  -h, --help           show this help\n"
	"\n"
	"The process is stopped only while each snapshot is copied; the pause\n"
	"is reported per snapshot.  A group is a suspect when its count grew\n"
	"over the window and did not fall back (see LEAK RULE in goscope(1));\n"
	"goroutines that Go 1.26+'s leak profile marked leaked always are.\n"
	"Exit status: 0 stable, 3 leak suspected, 4 not enough snapshots to\n"
	"decide (fewer than 5 covering the window), 1 error, 2 usage.\n",
	.exec = cmd_watch_exec,
};

/* Attempts at a snapshot while another tracer holds the process. */
#define BUSY_TRIES 6
#define BUSY_FIRST_WAIT_NS 50000000ull	/* then doubled: 1.55 s in all */

/*
 * capture_take, retried with backoff while the process is traced by
 * someone else (a debugger or another goscope that will let go soon).
 */
static int take_retrying(struct capture *cap, struct snap **s,
			 struct err *e)
{
	uint64_t wait = BUSY_FIRST_WAIT_NS;
	int r, tries;

	for (tries = 1;; tries++) {
		r = capture_take(cap, s, e);
		if (r != -EBUSY || cmd_interrupted)
			return r;
		if (tries == BUSY_TRIES)
			return err_prefix(e, "snapshot skipped after %d "
					  "attempts in %.1f s", tries,
					  (double)(wait - BUSY_FIRST_WAIT_NS) /
						  1e9);
		cmd_sleep_ns(wait);
		wait *= 2;
	}
}

/* Writes sb to path whole, or reports why not. */
static int write_file(const char *path, const struct strbuf *sb)
{
	struct err e;

	err_init(&e);
	if (atomicfile_write(path, sb->buf, sb->len, 0, &e) < 0) {
		error_msg("%s", e.msg);
		return -1;
	}
	return 0;
}

/* DIR/goscope-PID.prom: the sample's metrics, the verdict's, labelled. */
static int write_textfile(const char *dir, pid_t pid, struct watch *w,
			  const struct strbuf *sample, const char *process)
{
	struct watch_verdict v;
	struct strbuf raw, out, path;
	char spid[24];
	int r;

	strbuf_init(&raw);
	strbuf_init(&out);
	strbuf_init(&path);
	strbuf_add(&raw, sample->buf, sample->len);
	watch_verdict(w, &v);
	fmt_watch_verdict(&v, watch_config(w), WATCH_OPENMETRICS, &raw);
	watch_verdict_release(&v);
	snprintf(spid, sizeof(spid), "%d", (int)pid);
	fmt_watch_label_exposition(raw.buf, "pid", spid, "process", process,
				   &out);
	strbuf_addf(&path, "%s/goscope-%d.prom", dir, (int)pid);
	r = write_file(path.buf, &out);
	strbuf_release(&raw);
	strbuf_release(&out);
	strbuf_release(&path);
	return r;
}

static int cmd_watch_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		OPT_INTERVAL_LONGOPT,
		{ "count", required_argument, NULL, 'n' },
		OPT_LEAK_LONGOPTS,
		{ "textfile", required_argument, NULL, 'T' },
		OPT_LEVEL_LONGOPT,
		OPT_FORMAT_LONGOPT,
		{ "output", required_argument, NULL, 'o' },
		OPT_CAPTURE_LONGOPTS,
		OPT_END,
	};
	const struct cmd_entry *cmd = &cmd_watch_entry;
	struct capture_opts co;
	enum watch_format fmt;
	struct watch_cfg cfg;
	struct opt_shared sh;
	const char *rules_path = NULL, *output = NULL, *textfile = NULL;
	char *process = NULL;
	struct rules *rules;
	struct capture *cap = NULL;
	struct watch *w = NULL;
	struct watch_verdict v;
	uint64_t interval = 1000000000ull;
	size_t count = 0, n;
	static const char *const formats[] = {
		"text", "json", "openmetrics", NULL,
	};
	static const enum watch_format format_of[] = {
		WATCH_TEXT, WATCH_JSON, WATCH_OPENMETRICS,
	};
	int c, r, k = 0, status = EXIT_OK;
	struct strbuf out, metrics;
	struct err e;
	char *mod;
	pid_t pid;

	memset(&cfg, 0, sizeof(cfg));
	cfg.level = GROUP_LINES;
	leak_cfg_init(&cfg.leak);
	capture_opts_init(&co);
	sh = (struct opt_shared){ .co = &co, .level = &cfg.level,
				  .leak = &cfg.leak, .rules_path = &rules_path,
				  .formats = formats, .format = &k,
				  .interval_ns = &interval };
	opt_begin();
	while ((c = opt_next_shared(cmd, argc, argv,
				    "i:n:" OPT_LEAK_SHORTOPTS "l:f:o:h",
				    longopts, &sh)) != -1) {
		r = 0;
		switch (c) {
		case 'n':
			r = opt_count(cmd, "count", optarg, 1, 1000000000,
				      &count);
			break;
		case 'T':
			textfile = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		}
		if (r)
			return r;
	}
	if (sh.end != OPT_PARSED)
		return sh.end;
	fmt = format_of[k];
	r = opt_pid(cmd, argc, argv, &pid);
	if (r)
		return r;
	if (output && fmt != WATCH_OPENMETRICS)
		return cmd_usage_error(cmd, "--output needs "
				       "--format=openmetrics");
	if (textfile) {
		struct stat st;

		if (stat(textfile, &st) < 0 || !S_ISDIR(st.st_mode)) {
			error_msg("cannot use '%s' for --textfile: not a "
				  "directory", textfile);
			return EXIT_RUNTIME;
		}
	}
	r = cmd_load_rules(rules_path, &rules);
	if (r)
		return r;
	cfg.rules = rules;
	err_init(&e);
	if (capture_open(pid, &cap, &e) < 0) {
		error_msg("%s", e.msg);
		rules_free(rules);
		return EXIT_RUNTIME;
	}
	capture_set_opts(cap, &co);
	if (count && (double)(count - 1) * (double)interval <
			     (double)cfg.leak.window_ns)
		error_msg("note: %zu snapshots cover less than the leak "
			  "window: the verdict can only be 'not enough "
			  "snapshots' (exit 4) unless the runtime proves a "
			  "leak; see --window", count);
	mod = load_main_module(pid);
	w = watch_new(&cfg);
	cmd_catch_interrupts();
	strbuf_init(&out);
	strbuf_init(&metrics);
	for (n = 0; !cmd_interrupted && (!count || n < count); n++) {
		struct watch_sample sample;
		struct snap *s;

		if (n)
			cmd_sleep_ns(interval);
		if (cmd_interrupted)
			break;
		strbuf_reset(&metrics);
		r = take_retrying(cap, &s, &e);
		if (r < 0) {
			if (cmd_interrupted)	/* Ctrl-C during the copy */
				break;
			error_msg("%s", e.msg);
			watch_capture_failed(w);
			if (textfile &&
			    write_textfile(textfile, pid, w, &metrics,
					   process ? process : "") < 0) {
				status = EXIT_RUNTIME;
				break;
			}
			/* Another tracer: the watch goes on at the next
			 * interval; the verdict counts the failure.  With a
			 * textfile any failure but the end of the process
			 * is only counted. */
			if (proc_exited(pid) || (r != -EBUSY && !textfile)) {
				status = EXIT_RUNTIME;
				break;
			}
			continue;
		}
		s->main_module = snap_intern(s, mod);
		cmd_warn_problems(s);
		if (s->exe && !process) {
			const char *base = strrchr(s->exe, '/');

			process = xstrdup(base ? base + 1 : s->exe);
		}
		if (fmt == WATCH_OPENMETRICS || textfile) {
			struct grouping gr;

			watch_add(w, s, &sample, &gr);
			fmt_watch_metrics(s, &gr, &metrics);
			grouping_release(&gr);
		} else {
			watch_add(w, s, &sample, NULL);
		}
		snap_free(s);
		if (textfile && write_textfile(textfile, pid, w, &metrics,
					       process ? process : "") < 0) {
			status = EXIT_RUNTIME;
			break;
		}
		strbuf_reset(&out);
		if (fmt == WATCH_OPENMETRICS) {
			/* Each exposition carries the verdict so far. */
			watch_verdict(w, &v);
			fmt_watch_verdict(&v, watch_config(w), fmt, &metrics);
			watch_verdict_release(&v);
			if (output) {
				if (write_file(output, &metrics) < 0) {
					status = EXIT_RUNTIME;
					break;
				}
				fmt_watch_sample(&sample, WATCH_TEXT, &out);
				fputs(out.buf, stderr);
			} else {
				fwrite(metrics.buf, 1, metrics.len, stdout);
			}
		} else {
			fmt_watch_sample(&sample, fmt, &out);
			fwrite(out.buf, 1, out.len, stdout);
		}
		fflush(stdout);
	}
	if (status == EXIT_OK || n > 0) {
		watch_verdict(w, &v);
		strbuf_reset(&out);
		fmt_watch_verdict(&v, watch_config(w),
				  fmt == WATCH_OPENMETRICS ? WATCH_TEXT : fmt,
				  &out);
		fwrite(out.buf, 1, out.len,
		       fmt == WATCH_OPENMETRICS ? stderr : stdout);
		/* Not one snapshot could be taken: an error, not a verdict. */
		if (status == EXIT_OK && !v.nsamples && v.failures)
			status = EXIT_RUNTIME;
		if (status == EXIT_OK)
			status = v.state == LEAK_SUSPECT ? EXIT_LEAK
				 : v.state == LEAK_UNDECIDED ? EXIT_UNDECIDED
							     : EXIT_OK;
		watch_verdict_release(&v);
	}
	cmd_release_interrupts();
	strbuf_release(&out);
	strbuf_release(&metrics);
	watch_free(w);
	capture_close(cap);
	free(mod);
	free(process);
	rules_free(rules);
	return status;
}
