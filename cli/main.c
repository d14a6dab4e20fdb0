/* goscope entry point: global options and dispatch to subcommands. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "tui/picker.h"
#include "lib/report.h"
#include "lib/banned.h"

#ifndef GOSCOPE_VERSION
#define GOSCOPE_VERSION "0.0.0-dev"
#endif

static void print_main_help(FILE *f);
static int cmd_help(int argc, char **argv);
static int pick_and_top(void);

/* "goscope" on a terminal: choose a Go process, then watch it. */
static int pick_and_top(void)
{
	char arg0[] = "goscope", arg1[32];
	char *args[] = { arg0, arg1, NULL };
	struct goproc *p;
	size_t n, unreadable;
	struct err e;
	pid_t pid;

	err_init(&e);
	if (goprocs_list(0, &p, &n, &unreadable, &e) < 0) {
		error_msg("%s", e.msg);
		return EXIT_RUNTIME;
	}
	pid = picker_run(p, n, &e);
	goprocs_free(p, n);
	if (pid < 0) {
		error_msg("%s", e.msg);
		return EXIT_RUNTIME;
	}
	if (!pid)
		return EXIT_OK;
	snprintf(arg1, sizeof(arg1), "%d", (int)pid);
	return cmd_top_entry.exec(2, args);
}

static void print_main_help(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: goscope [--version] [--help] COMMAND [ARGS...]\n"
		"       goscope [TOP OPTIONS] PID   (the same as 'goscope top "
		"PID')\n"
		"\n"
		"Look inside a running Go process from the outside.\n"
		"\n"
		"Commands:\n");
	for (i = 0; cmd_table[i]; i++)
		fprintf(f, "  %-12s %s\n", cmd_table[i]->name,
			cmd_table[i]->summary);
	fprintf(f, "  %-12s %s\n", "help", "Show help for a command.");
	fprintf(f,
		"\n"
		"Run 'goscope help COMMAND' for the options of a command, and\n"
		"see goscope(1) for the full manual.\n");
}

static int cmd_help(int argc, char **argv)
{
	const struct cmd_entry *cmd;

	if (argc < 2) {
		print_main_help(stdout);
		return EXIT_OK;
	}
	if (argc > 2) {
		error_msg("help takes one COMMAND");
		fprintf(stderr, "usage: goscope help [COMMAND]\n");
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		printf("usage: goscope help [COMMAND]\n\n"
		       "Show the options of COMMAND, or the list of commands."
		       "\n");
		return EXIT_OK;
	}
	cmd = cmd_find(argv[1]);
	if (!cmd) {
		error_msg("unknown command '%s'", argv[1]);
		return EXIT_USAGE;
	}
	cmd_print_help(cmd);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct cmd_entry *cmd;
	int status;
	pid_t pid;

	report_init("goscope");
	if (argc < 2 && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
		return cmd_finish_stdout(pick_and_top());
	if (argc < 2) {
		print_main_help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_main_help(stdout);
		return cmd_finish_stdout(EXIT_OK);
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("goscope %s\n", GOSCOPE_VERSION);
		return cmd_finish_stdout(EXIT_OK);
	}
	if (!strcmp(argv[1], "help"))
		return cmd_finish_stdout(cmd_help(argc - 1, argv + 1));
	cmd = cmd_find(argv[1]);
	/* "goscope [top options] PID": the interactive view. */
	if (!cmd && (argv[1][0] == '-' || cmd_parse_target(argv[1], &pid)))
		return cmd_finish_stdout(cmd_top_entry.exec(argc, argv));
	if (!cmd) {
		error_msg("unknown command '%s'", argv[1]);
		fprintf(stderr, "Run 'goscope --help' for the list of "
				"commands.\n");
		return EXIT_USAGE;
	}
	status = cmd->exec(argc - 1, argv + 1);
	return cmd_finish_stdout(status);
}
