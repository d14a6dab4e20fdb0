/*
 * Option parsing shared by the commands: getopt_long with GNU argument
 * permutation (options may come before or after the PID or files), and
 * the checks of named choices, levels, durations and counts.  Each
 * check returns 0, or prints a usage error and returns EXIT_USAGE, so
 * that a command writes "if ((r = opt_...)) return r;".  The options
 * several commands share are parsed by opt_next_shared() (below), which
 * hands a command only its own.
 *
 * Short options mean one thing in every command:
 *   -a --all  -b --baseline  -C --no-color  -d --debug-dir  -f --format
 *   -h --help  -i --interval  -k --window  -l --level
 *   -n --count  -o --output  -r --rules  -s --stats  -S --sort
 *   -t --tolerance  -v --verbose  -1 --once
 * Options without a short form: --ascii, --max-frames, --source-root,
 * --from-memory, --noise, --textfile, --full-stop, --max-memory, --by,
 * --previous.
 */
#ifndef GOSCOPE_CLI_OPT_H
#define GOSCOPE_CLI_OPT_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cli/cmd.h"
#include "snapshot/group.h"

/* Starts parsing a new argument vector (also after an earlier parse). */
void opt_begin(void);

/*
 * The next option as getopt_long() returns it (shortopts without a
 * leading ':'), or -1 after the last; 'h' (every command's -h, --help),
 * '?' and ':' go to opt_other().  Arguments that are not options are
 * moved after the options.
 */
int opt_next(int argc, char **argv, const char *shortopts,
	     const struct option *longopts);

/*
 * The end of every command's table of long options: --help, then the
 * terminating entry.
 */
#define OPT_END                                                               \
	{ "help", no_argument, NULL, 'h' },                                   \
	{ NULL, 0, NULL, 0 }

/*
 * The options a command does not handle itself (the default case of its
 * switch): for 'h' prints the command's help and returns EXIT_OK;
 * otherwise reports the unknown option or missing argument that
 * opt_next() met and returns EXIT_USAGE.
 */
int opt_other(const struct cmd_entry *cmd, int c, char **argv);

/* A command that takes no argument after its options: 0 or EXIT_USAGE. */
int opt_no_args(const struct cmd_entry *cmd, int argc, char **argv);

/*
 * Finds arg in the NULL-terminated names and stores its index in *out;
 * what names the option in the message ("format").
 */
int opt_choice(const struct cmd_entry *cmd, const char *what,
	       const char *arg, const char *const *names, int *out);

/* A duration (lib/parse.h: 10ms to 24h) in nanoseconds. */
int opt_duration(const struct cmd_entry *cmd, const char *what,
		 const char *arg, uint64_t *ns);

/* A count from min to max. */
int opt_count(const struct cmd_entry *cmd, const char *what,
	      const char *arg, size_t min, size_t max, size_t *out);

/*
 * The one remaining argument of a command that reads a live process:
 * checks that exactly one argument is left after the options and that
 * it is a process id.
 */
int opt_pid(const struct cmd_entry *cmd, int argc, char **argv,
	    pid_t *pid);

/*
 * The long names of the options of struct opt_shared, for the tables of
 * the commands that take them (a short option means one thing in every
 * command).
 */
#define OPT_FORMAT_LONGOPT { "format", required_argument, NULL, 'f' }
#define OPT_ALL_LONGOPT { "all", no_argument, NULL, 'a' }
#define OPT_LEVEL_LONGOPT { "level", required_argument, NULL, 'l' }
#define OPT_INTERVAL_LONGOPT { "interval", required_argument, NULL, 'i' }
#define OPT_RULES_LONGOPT { "rules", required_argument, NULL, 'r' }

/* The leak rule's options, shared by watch, top and diff (short: k t r). */
#define OPT_LEAK_NOISE 0x100	/* --noise has no short form */
#define OPT_LEAK_LONGOPTS                                                     \
	{ "window", required_argument, NULL, 'k' },                           \
	{ "tolerance", required_argument, NULL, 't' },                        \
	{ "noise", required_argument, NULL, OPT_LEAK_NOISE },                 \
	OPT_RULES_LONGOPT
#define OPT_LEAK_SHORTOPTS "k:t:r:"
#define OPT_LEAK_HELP                                                         \
	"  -k, --window=DUR     the history the leak rule judges (default\n"   \
	"                       30s; 1s to 24h)\n"                             \
	"  -t, --tolerance=T    a group is suspected when it grew by more\n"   \
	"                       than T over the window (default 3) ...\n"      \
	"      --noise=M        ... and never fell by more than M (default\n"  \
	"                       3); see LEAK RULE in goscope(1)\n"             \
	"  -r, --rules=FILE     ignore rules (top, any, created-by, label)\n"

/* How a PID is captured, shared by dump, groups, diff, watch and top. */
#define OPT_CAPTURE_FULL_STOP 0x110	/* no short forms */
#define OPT_CAPTURE_MAX_MEMORY 0x111
#define OPT_CAPTURE_LONGOPTS                                                  \
	{ "full-stop", no_argument, NULL, OPT_CAPTURE_FULL_STOP },            \
	{ "max-memory", required_argument, NULL, OPT_CAPTURE_MAX_MEMORY }
#define OPT_CAPTURE_HELP                                                      \
	"      --full-stop   copy everything while the target is stopped\n"    \
	"                    (one longer pause; default: two phases)\n"        \
	"      --max-memory=SIZE  memory a capture may take (bytes, or\n"     \
	"                    with K, M, G; default: half of MemAvailable)\n"

struct capture_opts;
struct leak_cfg;
/*
 * Where the options that several commands share go; a command starts
 * from all zeros.  A NULL member: the command does not take that option
 * (it is not in its tables).
 */
struct opt_shared {
	struct capture_opts *co;	/* OPT_CAPTURE_LONGOPTS */
	enum group_level *level;	/* -l, --level: exact, lines, functions */
	struct leak_cfg *leak;		/* -k, -t, --noise (OPT_LEAK_LONGOPTS) */
	const char **rules_path;	/* -r, --rules: the file's name */
	const char *const *formats;	/* -f, --format: the NULL-terminated
					 * names, and the index of the one
					 * given in *format */
	int *format;
	unsigned int *flags;		/* -a, --all: all_flag set in *flags */
	unsigned int all_flag;
	uint64_t *interval_ns;		/* -i, --interval: a duration */
	int leak_given;			/* out: any of -k, -t, -r, --noise */
	int end;			/* out: see opt_next_shared() */
};

/* opt_next_shared() parsed every option: the command goes on. */
#define OPT_PARSED (-1)

/*
 * opt_next() for a command with options of struct opt_shared: takes
 * those that sh has a place for and returns the next option the command
 * handles itself, or -1.  At -1, sh->end is OPT_PARSED after the last
 * option; after -h (help printed: EXIT_OK), an unknown option or a bad
 * argument (EXIT_USAGE, reported) it is the status the command returns.
 */
int opt_next_shared(const struct cmd_entry *cmd, int argc, char **argv,
		    const char *shortopts, const struct option *longopts,
		    struct opt_shared *sh);

/*
 * After opt_next_shared() returned -1: when the options ended the parse
 * (help, a usage error), returns sh->end.  Else checks the arguments
 * left of a command that reads a PID, a file or a core: one, or a CORE
 * and its EXE.  Stores EXE (or NULL) in *exe and returns OPT_PARSED, or
 * reports "expected one WHAT, or a CORE and its EXE" and returns
 * EXIT_USAGE.  The target is argv[optind]; the command returns any
 * value but OPT_PARSED.
 */
int opt_target_exe(const struct cmd_entry *cmd, const struct opt_shared *sh,
		   int argc, char **argv, const char *what, const char **exe);

#endif
