/* Command table, help printing and argument helpers shared by commands. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cmd.h"
#include "capture/capture.h"
#include "capture/load.h"
#include "snapshot/rules.h"
#include "snapshot/snap.h"
#include "lib/report.h"
#include "lib/strbuf.h"
#include "lib/banned.h"

const struct cmd_entry *const cmd_table[] = {
	&cmd_buildinfo_entry,
	&cmd_dump_entry,
	&cmd_groups_entry,
	&cmd_diff_entry,
	&cmd_watch_entry,
	&cmd_threads_entry,
	&cmd_top_entry,
	&cmd_ps_entry,
	NULL,
};

const struct cmd_entry *cmd_find(const char *name)
{
	size_t i;

	for (i = 0; cmd_table[i]; i++)
		if (!strcmp(cmd_table[i]->name, name))
			return cmd_table[i];
	return NULL;
}

void cmd_print_help(const struct cmd_entry *cmd)
{
	printf("usage: %s\n\n%s\n", cmd->usage, cmd->summary);
	if (cmd->help && *cmd->help)
		printf("\n%s", cmd->help);
}

int cmd_usage_error(const struct cmd_entry *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	error_msg("%s", msg);
	fprintf(stderr, "usage: %s\n", cmd->usage);
	fprintf(stderr, "Try 'goscope help %s' for more information.\n",
		cmd->name);
	return EXIT_USAGE;
}

int cmd_parse_target(const char *arg, pid_t *pid)
{
	char *end;
	long v;

	if (!*arg || strspn(arg, "0123456789") != strlen(arg))
		return 0;
	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || v <= 0 || v > 0x3fffffff)
		return 0;
	*pid = (pid_t)v;
	return 1;
}

int cmd_load_snapshot(const char *arg, const struct capture_opts *co,
		      struct snap **out)
{
	return cmd_load_snapshot_exe(arg, NULL, co, out);
}

int cmd_load_snapshot_exe(const char *arg, const char *exe,
			  const struct capture_opts *co, struct snap **out)
{
	struct load_info info;
	struct err e;
	pid_t pid;

	err_init(&e);
	if (cmd_parse_target(arg, &pid) && !exe) {
		if (load_pid(pid, co, out, &e) < 0) {
			error_msg("%s", e.msg);
			return EXIT_RUNTIME;
		}
		cmd_warn_problems(*out);
		return 0;
	}
	if (load_file_exe(arg, exe, co, out, &info, &e) < 0) {
		error_msg("%s", e.msg);
		return EXIT_RUNTIME;
	}
	if (info.warn.code)
		warning_msg("'%s': %s; using the %zu goroutines read", arg,
			    info.warn.msg, (*out)->ngs);
	return 0;
}

size_t cmd_warn_problems(const struct snap *s)
{
	struct strbuf sb;
	char *line, *nl;
	size_t n;

	strbuf_init(&sb);
	n = snap_problems(s, &sb);
	for (line = sb.buf; n && (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		warning_msg("%s", line);
	}
	strbuf_release(&sb);
	return n;
}

int cmd_load_rules(const char *path, struct rules **out)
{
	struct err e;

	*out = NULL;
	if (!path)
		return 0;
	err_init(&e);
	if (rules_load(path, out, &e) < 0) {
		error_msg("%s", e.msg);
		return EXIT_RUNTIME;
	}
	return 0;
}

void cmd_write_out(struct strbuf *out)
{
	fwrite(out->buf, 1, out->len, stdout);
	strbuf_release(out);
}

int cmd_finish_stdout(int status)
{
	int bad = 0;

	if (fflush(stdout) != 0 || ferror(stdout))
		bad = errno ? errno : EIO;
	if (fclose(stdout) != 0 && !bad)
		bad = errno ? errno : EIO;
	if (bad && bad != EPIPE) {
		errno = bad;
		perror_msg("write error on standard output");
		return EXIT_RUNTIME;
	}
	if (bad == EPIPE)
		return status ? status : EXIT_RUNTIME;
	return status;
}

volatile sig_atomic_t cmd_interrupted;
static struct sigaction old_int, old_term;

static void on_interrupt(int sig)
{
	(void)sig;
	cmd_interrupted = 1;
}

void cmd_catch_interrupts(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
}

void cmd_release_interrupts(void)
{
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
}

void cmd_sleep_ns(uint64_t ns)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ns / 1000000000);
	ts.tv_nsec = (long)(ns % 1000000000);
	/* A signal ends the sleep; the loop then checks the flag. */
	while (!cmd_interrupted && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}
