/* The subcommand table shared by main() and the help command. */
#ifndef GOSCOPE_CLI_CMD_H
#define GOSCOPE_CLI_CMD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Exit statuses of every command. */
#define EXIT_OK 0
#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

struct cmd_entry {
	const char *name;
	const char *summary;	/* one line for the command list */
	const char *usage;	/* "goscope NAME ..." synopsis */
	const char *help;	/* option descriptions, one per line */
	int (*exec)(int argc, char **argv);
};

extern const struct cmd_entry cmd_buildinfo_entry;
extern const struct cmd_entry cmd_dump_entry;
extern const struct cmd_entry cmd_groups_entry;
extern const struct cmd_entry cmd_diff_entry;
extern const struct cmd_entry cmd_watch_entry;
extern const struct cmd_entry cmd_threads_entry;
extern const struct cmd_entry cmd_top_entry;

/* goscope watch: a leak is suspected. */
#define EXIT_LEAK 3
/* goscope watch: too few snapshots to decide. */
#define EXIT_UNDECIDED 4

/* NULL-terminated table of every subcommand. */
extern const struct cmd_entry *const cmd_table[];

/* Finds a command by name, or NULL. */
const struct cmd_entry *cmd_find(const char *name);
/* Prints usage and help of a command to stdout. */
void cmd_print_help(const struct cmd_entry *cmd);
/* Prints "usage: ..." and a pointer to --help on stderr; returns 2. */
int cmd_usage_error(const struct cmd_entry *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Parses a target argument: a number is a PID, anything else a file.
 * Returns 1 for a pid (in *pid), 0 for a file.
 */
int cmd_parse_target(const char *arg, pid_t *pid);

struct snap;
/*
 * Gets the snapshot a target argument names: a PID is captured now, a
 * file (or "-") is read as a JSON snapshot or a Go goroutine dump.
 * Prints the error (or a damaged dump's warning) on stderr.  Returns 0
 * and *out (free with snap_free), or EXIT_RUNTIME.
 */
int cmd_load_snapshot(const char *arg, struct snap **out);

/*
 * Flushes and closes stdout, reporting write errors (EPIPE, ENOSPC).
 * Returns status, or EXIT_RUNTIME when stdout failed.
 */
int cmd_finish_stdout(int status);

/*
 * Parses a duration: "500ms", "2s", "1.5s", "3m", "1h", or a number of
 * seconds.  Returns 0 and *ns, or -1 when malformed or outside
 * [min_ns, max_ns].
 */
int cmd_parse_duration(const char *s, uint64_t min_ns, uint64_t max_ns,
		       uint64_t *ns);
/* Parses a decimal count up to 10^9; returns 0 and *out, or -1. */
int cmd_parse_count(const char *s, size_t *out);

/* The leak rule's options, shared by watch and top. */
#define CMD_LEAK_LONGOPTS                                                     \
	{ "window", required_argument, NULL, 'w' },                           \
	{ "tolerance", required_argument, NULL, 't' },                        \
	{ "noise", required_argument, NULL, 'N' },                            \
	{ "rules", required_argument, NULL, 'r' }
#define CMD_LEAK_SHORTOPTS "w:t:N:r:"
#define CMD_LEAK_HELP                                                         \
	"  -w, --window=DUR     the leak rule judges this much history\n"      \
	"                       (default 30s; 1s to 24h)\n"                    \
	"  -t, --tolerance=T    a group is suspected when it grew by more\n"   \
	"                       than T over the window (default 3) ...\n"      \
	"  -N, --noise=M        ... and never fell by more than M (default\n"  \
	"                       3); see LEAK RULE in goscope(1)\n"             \
	"  -r, --rules=FILE     ignore rules (top, any, created-by, label)\n"

struct leak_cfg;
/*
 * Handles option c (one of CMD_LEAK_SHORTOPTS) of cmd: fills lc, or
 * *rules_path for -r.  Returns 0, or EXIT_USAGE after printing why.
 */
int cmd_leak_option(const struct cmd_entry *cmd, int c, const char *arg,
		    struct leak_cfg *lc, const char **rules_path);

#endif
