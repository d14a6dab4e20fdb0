/* goscope dump: every goroutine of a live Go process, as the runtime prints it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/opt.h"
#include "snapshot/ages.h"
#include "capture/capture.h"
#include "format/fmt_go.h"
#include "format/fmt_json.h"
#include "format/fmt_go1.h"
#include "format/fmt_metrics.h"
#include "format/fmt_pprof.h"
#include "snapshot/group.h"
#include "lib/atomicfile.h"
#include "lib/report.h"
#include "lib/strbuf.h"
#include "lib/banned.h"

static int cmd_dump_exec(int argc, char **argv);
/* --previous has no short form (-p means nothing yet). */
#define OPT_DUMP_PREVIOUS 0x200
static void print_stats(const struct snap *s);
static int carry_ages(const char *prev_path, struct snap *s,
		      const struct capture_opts *co);

const struct cmd_entry cmd_dump_entry = {
	.name = "dump",
	.summary = "Print every goroutine of a running Go program.",
	.usage = "goscope dump [--format=go|json|go1|pprof|openmetrics] [--all] "
		 "[--stats] [--previous=FILE] [--full-stop] "
		 "[--max-memory=SIZE] [-o FILE] "
		 "PID|FILE|CORE [EXE]",
	.help =
	"  -f, --format=FMT  go (default): the runtime's own goroutine dump\n"
	"                    (pprof debug=2, runtime.Stack, SIGQUIT)\n"
	"                    json: the snapshot with everything goscope\n"
	"                    knows (schema goscope.snapshot/2)\n"
	"                    go1: the runtime's debug=1 profile text\n"
	"                    pprof: gzipped profile.proto for go tool pprof\n"
	"                    openmetrics: counts by state and by group\n"
	"  -a, --all         also show system goroutines and runtime frames\n"
	"  -o, --output=FILE write to FILE instead of standard output; a\n"
	"                    regular FILE is replaced whole or not at all\n"
	"  -s, --stats       print capture statistics (pause, sizes) on\n"
	"                    standard error\n"
	"      --previous=FILE  a JSON snapshot of the same process saved\n"
	"                    earlier: goroutines it had keep the time goscope\n"
	"                    first saw them (their age, in the json format)\n"
	OPT_CAPTURE_HELP
	"  -h, --help        show this help\n"
	"\n"
	"The process is stopped only while its goroutine registry and the\n"
	"stacks of goroutines that are not parked are copied; parked ones'\n"
	"stacks are copied after it resumed and kept only if their goroutine\n"
	"did not run meanwhile (else copied again in a second short stop).\n"
	"Unwinding and symbolizing happen after it resumed.\n"
	"FILE: a JSON snapshot or a Go goroutine dump ('-': standard input).\n"
	"CORE: a core file (kernel or gcore; also zstd, xz, gzip or lz4\n"
	"compressed) of a Go program, read like a live process; EXE is its\n"
	"executable, found from the core's notes when not given.\n",
	.exec = cmd_dump_exec,
};

/* --stats: the capture's figures, each stop on two lines of its own. */
static void print_stats(const struct snap *s)
{
	size_t i;

	fprintf(stderr,
		"goscope: pid %d: %zu goroutines (%zu in allgs), %zu threads; "
		"stopped %.3f ms; copied %zu bytes; total %.3f ms\n",
		(int)s->pid, s->ngs, s->nallg, s->nthreads,
		(double)s->pause_ns / 1e6, s->bytes_copied,
		(double)s->capture_ns / 1e6);
	if (!s->nstops)
		return;
	fprintf(stderr, "goscope: mode %s\n",
		s->two_phase ? "two-phase" : "full-stop");
	for (i = 0; i < s->nstops; i++) {
		const struct snap_stop *st = &s->stops[i];

		fprintf(stderr,
			"goscope: stop %zu: %.3f ms (stopping threads %.3f, "
			"registry and stacks %.3f, other copies %.3f), %zu "
			"goroutines, %zu stacks, %zu bytes\n", i + 1,
			(double)st->pause_ns / 1e6,
			(double)st->threads_ns / 1e6,
			(double)st->registry_ns / 1e6,
			(double)st->other_ns / 1e6, st->goroutines,
			st->stacks, st->bytes);
		fprintf(stderr,
			"goscope: stop %zu parts: allgs %.3f, g structs %.3f, "
			"m list %.3f, decoding %.3f, stacks %.3f, waits %.3f, "
			"hook %.3f, resuming %.3f ms; cost: CPU %.3f ms, %llu "
			"page faults, %llu ranges in %llu read calls\n",
			i + 1, (double)st->allgs_ns / 1e6,
			(double)st->gs_ns / 1e6, (double)st->ms_ns / 1e6,
			(double)st->decode_ns / 1e6,
			(double)st->stacks_ns / 1e6,
			(double)st->waits_ns / 1e6, (double)st->hook_ns / 1e6,
			(double)st->resume_ns / 1e6, (double)st->cpu_ns / 1e6,
			(unsigned long long)st->faults,
			(unsigned long long)st->ranges,
			(unsigned long long)st->read_calls);
	}
	for (i = 0; i < s->nphases; i++)
		fprintf(stderr,
			"%s%s %.3f ms (CPU %.3f ms, %llu page faults, peak "
			"RSS %llu MB)%s",
			i ? "" : "goscope: capture steps: ",
			s->phases[i].name, (double)s->phases[i].wall_ns / 1e6,
			(double)s->phases[i].cpu_ns / 1e6,
			(unsigned long long)s->phases[i].faults,
			(unsigned long long)s->phases[i].maxrss_kb >> 10,
			i + 1 < s->nphases ? "; " : "\n");
	if (s->two_phase)
		fprintf(stderr,
			"goscope: after resume: %zu stacks copied; %zu ran "
			"meanwhile and were copied again; %zu marked changed "
			"during capture\n",
			s->stacks_after, s->nretried, s->nchanged);
}

/*
 * --previous: s (a new snapshot) takes the first-seen times of the
 * goroutines of the snapshot saved in prev_path, which must be of the
 * same process and older.  Returns 0 or an exit status.
 */
static int carry_ages(const char *prev_path, struct snap *s,
		      const struct capture_opts *co)
{
	struct snap *prev = NULL;
	struct ages *ages;
	int status = cmd_load_snapshot(prev_path, co, &prev);

	if (status)
		return status;
	if (prev->pid != s->pid || !prev->time_unix_ns ||
	    (prev->start_time && s->start_time &&
	     prev->start_time != s->start_time) ||
	    prev->time_unix_ns > s->time_unix_ns) {
		error_msg("'%s' is not an earlier snapshot of process %d "
			  "(pid %d%s)", prev_path, (int)s->pid,
			  (int)prev->pid,
			  !prev->time_unix_ns ? ", no capture time"
			  : prev->pid != s->pid ? ""
			  : prev->time_unix_ns > s->time_unix_ns
				  ? ", captured later"
				  : ", another start time");
		snap_free(prev);
		return EXIT_RUNTIME;
	}
	ages = ages_new();
	ages_update(ages, prev);
	ages_update(ages, s);
	ages_free(ages);
	snap_free(prev);
	return 0;
}

static int cmd_dump_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		OPT_FORMAT_LONGOPT,
		OPT_ALL_LONGOPT,
		{ "output", required_argument, NULL, 'o' },
		{ "stats", no_argument, NULL, 's' },
		{ "previous", required_argument, NULL, OPT_DUMP_PREVIOUS },
		OPT_CAPTURE_LONGOPTS,
		OPT_END,
	};
	const struct cmd_entry *cmd = &cmd_dump_entry;
	struct capture_opts co;
	const char *output = NULL, *previous = NULL, *exe;
	unsigned int flags = 0;
	static const char *const formats[] = {
		"go", "json", "go1", "pprof", "openmetrics", NULL,
	};
	enum { GO, JSON, GO1, PPROF, OPENMETRICS };
	int c, r, stats = 0, format = GO, status = EXIT_OK;
	struct snap *snap = NULL;
	struct opt_shared sh;
	struct atomicfile *af;
	struct strbuf out;
	struct err e;

	capture_opts_init(&co);
	sh = (struct opt_shared){ .co = &co, .formats = formats,
				  .format = &format, .flags = &flags,
				  .all_flag = FMT_GO_ALL };
	opt_begin();
	while ((c = opt_next_shared(cmd, argc, argv, "f:ao:sh", longopts,
				    &sh)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 's':
			stats = 1;
			break;
		case OPT_DUMP_PREVIOUS:
			previous = optarg;
			break;
		}
	}
	r = opt_target_exe(cmd, &sh, argc, argv, "PID or FILE", &exe);
	if (r != OPT_PARSED)
		return r;
	err_init(&e);
	/* Only JSON shows the native threads view: the other formats do
	 * not pay for it. */
	co.native = format == JSON;
	if (cmd_load_snapshot_exe(argv[optind], exe, &co, &snap))
		return EXIT_RUNTIME;
	if (previous) {
		status = carry_ages(previous, snap, &co);
		if (status) {
			snap_free(snap);
			return status;
		}
	}
	/* Streamed: the output goes to the file as it is rendered, never
	 * held whole in memory (a million goroutines are gigabytes). */
	if (atomicfile_open(output ? output : "-",
			    format == PPROF ? ATOMICFILE_BINARY : 0, &af,
			    &e) < 0) {
		error_msg("%s", e.msg);
		snap_free(snap);
		return EXIT_RUNTIME;
	}
	strbuf_init(&out);
	strbuf_set_sink(&out, atomicfile_sink, af);
	if (format == GO1) {
		fmt_go1_dump(snap, &out);
	} else if (format == PPROF) {
		if (fmt_pprof(snap, &out, &e) < 0) {
			error_msg("%s", e.msg);
			status = EXIT_RUNTIME;
		}
	} else if (format == OPENMETRICS) {
		struct grouping gr;

		group_snap(snap, GROUP_LINES, 0, NULL, &gr);
		fmt_metrics(snap, &gr, &out);
		grouping_release(&gr);
	} else if (format == JSON) {
		fmt_json_snapshot(snap, &out);
	} else {
		fmt_go_dump(snap, flags, &out);
	}
	if (status == EXIT_OK) {
		strbuf_flush(&out);
		if (atomicfile_commit(af, &e) < 0) {
			error_msg("%s", e.msg);
			status = EXIT_RUNTIME;
		}
	} else {
		atomicfile_abort(af);
	}
	if (stats)
		print_stats(snap);
	strbuf_release(&out);
	snap_free(snap);
	return status;
}
