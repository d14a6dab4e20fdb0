/* The option checks every command shares (see cli/opt.h). */
#include <stdio.h>
#include <string.h>

#include "cli/opt.h"
#include "capture/capture.h"
#include "snapshot/leak.h"
#include "lib/parse.h"
#include "lib/strbuf.h"
#include "lib/banned.h"

static int opt_level(const struct cmd_entry *cmd, const char *arg,
		     enum group_level *out);
static int opt_leak(const struct cmd_entry *cmd, int c, const char *arg,
		    struct leak_cfg *lc);
static int opt_capture(const struct cmd_entry *cmd, int c, const char *arg,
		       struct capture_opts *co);
static int opt_take(const struct cmd_entry *cmd, int c, char **argv,
		    struct opt_shared *sh);

void opt_begin(void)
{
	/* 0, not 1: glibc then also forgets its permutation state. */
	optind = 0;
	opterr = 0;
}

int opt_next(int argc, char **argv, const char *shortopts,
	     const struct option *longopts)
{
	char spec[64];

	snprintf(spec, sizeof(spec), ":%s", shortopts);
	return getopt_long(argc, argv, spec, longopts, NULL);
}

int opt_other(const struct cmd_entry *cmd, int c, char **argv)
{
	const char *arg = argv[optind - 1];
	char shortname[3] = { '-', (char)optopt, 0 };

	if (c == 'h') {
		cmd_print_help(cmd);
		return EXIT_OK;
	}
	/* A short option inside a cluster ("-xf"): name just that one. */
	if (optopt && strncmp(arg, "--", 2))
		arg = shortname;
	if (c == ':')
		return cmd_usage_error(cmd, "option '%s' needs an argument",
				       arg);
	return cmd_usage_error(cmd, "unknown option '%s'", arg);
}

int opt_choice(const struct cmd_entry *cmd, const char *what,
	       const char *arg, const char *const *names, int *out)
{
	struct strbuf sb;
	size_t i;
	int r;

	for (i = 0; names[i]; i++) {
		if (!strcmp(arg, names[i])) {
			*out = (int)i;
			return 0;
		}
	}
	strbuf_init(&sb);
	for (i = 0; names[i]; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", names[i]);
	r = cmd_usage_error(cmd, "unknown %s '%s' (%s)", what, arg, sb.buf);
	strbuf_release(&sb);
	return r;
}

/* --level: exact, lines or functions. */
static int opt_level(const struct cmd_entry *cmd, const char *arg,
		     enum group_level *out)
{
	if (group_level_parse(arg, out) < 0)
		return cmd_usage_error(cmd, "unknown level '%s' (exact, lines, "
				       "functions)", arg);
	return 0;
}

int opt_duration(const struct cmd_entry *cmd, const char *what,
		 const char *arg, uint64_t *ns)
{
	struct err e;

	err_init(&e);
	if (parse_duration(arg, ns, &e) < 0)
		return cmd_usage_error(cmd, "bad %s %s", what, e.msg);
	return 0;
}

int opt_count(const struct cmd_entry *cmd, const char *what,
	      const char *arg, size_t min, size_t max, size_t *out)
{
	uint64_t v;

	if (parse_count(arg, max, &v, NULL) < 0 || v < min)
		return cmd_usage_error(cmd, "bad %s '%s' (%zu to %zu)", what,
				       arg, min, max);
	*out = (size_t)v;
	return 0;
}

int opt_pid(const struct cmd_entry *cmd, int argc, char **argv,
	    pid_t *pid)
{
	if (argc - optind != 1)
		return cmd_usage_error(cmd, "expected one PID");
	if (!cmd_parse_target(argv[optind], pid))
		return cmd_usage_error(cmd, "'%s' is not a process id",
				       argv[optind]);
	return 0;
}

int opt_target_exe(const struct cmd_entry *cmd, const struct opt_shared *sh,
		   int argc, char **argv, const char *what, const char **exe)
{
	if (sh->end != OPT_PARSED)
		return sh->end;
	if (argc - optind != 1 && argc - optind != 2)
		return cmd_usage_error(cmd, "expected one %s, or a CORE and "
				       "its EXE", what);
	*exe = argc - optind == 2 ? argv[optind + 1] : NULL;
	return OPT_PARSED;
}

int opt_no_args(const struct cmd_entry *cmd, int argc, char **argv)
{
	if (optind < argc)
		return cmd_usage_error(cmd, "unexpected argument '%s'",
				       argv[optind]);
	return 0;
}

/* Handles option c, one of -k, -t and --noise: fills lc. */
static int opt_leak(const struct cmd_entry *cmd, int c, const char *arg,
		    struct leak_cfg *lc)
{
	uint64_t ns;
	int r;

	switch (c) {
	case 'k':
		r = opt_duration(cmd, "window", arg, &ns);
		if (!r && ns < 1000000000ull)
			return cmd_usage_error(cmd, "bad window '%s': at "
					       "least 1s", arg);
		if (!r)
			lc->window_ns = (int64_t)ns;
		return r;
	case 't':
		return opt_count(cmd, "tolerance", arg, 0, 1000000000,
				 &lc->tolerance);
	case OPT_LEAK_NOISE:
		return opt_count(cmd, "noise margin", arg, 0, 1000000000,
				 &lc->noise);
	}
	return cmd_usage_error(cmd, "unknown option");
}

/* Handles option c, one of OPT_CAPTURE_LONGOPTS: fills co. */
static int opt_capture(const struct cmd_entry *cmd, int c, const char *arg,
		       struct capture_opts *co)
{
	struct err e;
	uint64_t v;

	if (c == OPT_CAPTURE_FULL_STOP) {
		co->full_stop = 1;
		return 0;
	}
	err_init(&e);
	if (parse_size(arg, 1u << 20, SIZE_MAX, &v, &e) < 0)
		return cmd_usage_error(cmd, "invalid --max-memory '%s' (a size "
				       "of at least 1M, e.g. 512M or 4G)", arg);
	co->max_memory = (size_t)v;
	return 0;
}

/* The option taken as opt_take() returns it: the command goes on. */
#define OPT_TAKEN (-2)
/* Not an option of struct opt_shared: the command's own. */
#define OPT_OWN (-3)

/*
 * Option c: OPT_TAKEN when sh had a place for it, OPT_OWN when it is the
 * command's, or the status that ends the parse (help, a usage error).
 */
static int opt_take(const struct cmd_entry *cmd, int c, char **argv,
		    struct opt_shared *sh)
{
	int r = 0;

	if (c == 'h' || c == '?' || c == ':')
		return opt_other(cmd, c, argv);
	if (sh->leak && (c == 'k' || c == 't' || c == 'r' ||
			 c == OPT_LEAK_NOISE))
		sh->leak_given = 1;
	if (sh->co && (c == OPT_CAPTURE_FULL_STOP ||
		       c == OPT_CAPTURE_MAX_MEMORY))
		r = opt_capture(cmd, c, optarg, sh->co);
	else if (sh->level && c == 'l')
		r = opt_level(cmd, optarg, sh->level);
	else if (sh->rules_path && c == 'r')
		*sh->rules_path = optarg;
	else if (sh->leak && (c == 'k' || c == 't' || c == OPT_LEAK_NOISE))
		r = opt_leak(cmd, c, optarg, sh->leak);
	else if (sh->formats && c == 'f')
		r = opt_choice(cmd, "format", optarg, sh->formats, sh->format);
	else if (sh->flags && c == 'a')
		*sh->flags |= sh->all_flag;
	else if (sh->interval_ns && c == 'i')
		r = opt_duration(cmd, "interval", optarg, sh->interval_ns);
	else
		return OPT_OWN;
	return r ? r : OPT_TAKEN;
}

int opt_next_shared(const struct cmd_entry *cmd, int argc, char **argv,
		    const char *shortopts, const struct option *longopts,
		    struct opt_shared *sh)
{
	int c, r;

	sh->end = OPT_PARSED;
	while ((c = opt_next(argc, argv, shortopts, longopts)) != -1) {
		r = opt_take(cmd, c, argv, sh);
		if (r == OPT_OWN)
			return c;
		if (r != OPT_TAKEN) {
			sh->end = r;
			return -1;
		}
	}
	return -1;
}
