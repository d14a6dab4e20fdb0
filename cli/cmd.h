/* The subcommand table shared by main() and the help command. */
#ifndef GOSCOPE_CLI_CMD_H
#define GOSCOPE_CLI_CMD_H

#include <signal.h>
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
extern const struct cmd_entry cmd_ps_entry;

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
struct capture_opts;
/*
 * Gets the snapshot a target argument names: a PID is captured now (with
 * options co; NULL: the defaults), a file (or "-") is read as a JSON
 * snapshot or a Go goroutine dump.  Prints the error (or a damaged
 * dump's warning, or a capture's problems) on stderr.  Returns 0 and *out (free with snap_free),
 * or EXIT_RUNTIME.
 */
int cmd_load_snapshot(const char *arg, const struct capture_opts *co,
		      struct snap **out);
/* The same, where arg may be a core file made from the executable exe. */
int cmd_load_snapshot_exe(const char *arg, const char *exe,
			  const struct capture_opts *co, struct snap **out);

struct snap;
/*
 * Prints what went wrong in a live capture that still gave the snapshot
 * s (snap_problems: a partial capture, a failed resume) as warnings on
 * stderr; returns how many lines it printed.
 */
size_t cmd_warn_problems(const struct snap *s);

struct rules;
/*
 * Loads the ignore rules of the file path into *out (NULL when path is
 * NULL; free with rules_free).  Prints the error on stderr.  Returns 0
 * or EXIT_RUNTIME.
 */
int cmd_load_rules(const char *path, struct rules **out);

struct strbuf;
/* Writes what out holds to stdout and releases out. */
void cmd_write_out(struct strbuf *out);

/*
 * For commands that capture again and again: set by SIGINT and SIGTERM
 * between cmd_catch_interrupts and cmd_release_interrupts.
 */
extern volatile sig_atomic_t cmd_interrupted;

/* Makes SIGINT and SIGTERM set cmd_interrupted instead of ending. */
void cmd_catch_interrupts(void);

/* Gives SIGINT and SIGTERM back their handlers of before. */
void cmd_release_interrupts(void);

/* Sleeps ns nanoseconds, or until a caught signal interrupts. */
void cmd_sleep_ns(uint64_t ns);

/*
 * Flushes and closes stdout, reporting write errors (EPIPE, ENOSPC).
 * Returns status, or EXIT_RUNTIME when stdout failed.
 */
int cmd_finish_stdout(int status);

#endif
