/* Test driver for inspect/ptstop: stops a process, reports, resumes. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "inspect/ptstop.h"
#include "lib/banned.h"

/*
 * usage: ptstopq [-s MS] [-W] [-k SIG] [-n COUNT] [-q] PID
 *
 * Stops PID, prints "threads N stopped M scans S auto A", one line per
 * thread ("tid T pc 0x... sp 0x..." plus " sig N" for a held signal, or
 * "tid T error NAME"), "stop_us U" (first interrupt to all stopped) and
 * "stopped"; then sleeps MS milliseconds (-s), waits for a line or the
 * end of standard input (-W), sends SIG to PID (-k),
 * resumes and prints "resumed pause_us U" (first interrupt to resumed).
 * -n repeats COUNT times; -q prints only a summary line
 * "cycles N stop_us AVG MAX pause_us AVG MAX held_sigs N auto N
 * timeouts N".
 * Errors: one line on stderr ending with the errno name, exit status 1.
 */

static const char *errname(int code);
static void sleep_ms(long ms);
static int fail(const char *what, const struct err *e);

static const char *errname(int code)
{
	const char *n = strerrorname_np(code);

	return n ? n : "E?";
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int fail(const char *what, const struct err *e)
{
	fprintf(stderr, "ptstopq: %s%s (%s)\n", what, e->msg,
		errname(e->code));
	return 1;
}

int main(int argc, char **argv)
{
	unsigned long long max_stop = 0, max_pause = 0, held = 0, nauto = 0;
	unsigned long long sum_stop = 0, sum_pause = 0, timeouts = 0;
	unsigned long long stop_us, pause_us;
	long sleep = 0, count = 1, c;
	int sig = 0, quiet = 0, hold = 0, opt, r;
	char line[64];
	struct ptstop *s;
	struct err e;
	size_t i;
	pid_t pid;

	while ((opt = getopt(argc, argv, "s:Wk:n:q")) != -1) {
		switch (opt) {
		case 's':
			sleep = atol(optarg);
			break;
		case 'W':
			hold = 1;
			break;
		case 'k':
			sig = atoi(optarg);
			break;
		case 'n':
			count = atol(optarg);
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			fprintf(stderr, "usage: ptstopq [-s MS] [-W] [-k SIG] "
				"[-n COUNT] [-q] PID\n");
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: ptstopq [-s MS] [-W] [-k SIG] "
			"[-n COUNT] [-q] PID\n");
		return 2;
	}
	pid = (pid_t)atoi(argv[optind]);
	for (c = 0; c < count; c++) {
		err_init(&e);
		r = ptstop_stop(pid, &s, &e);
		if (r < 0)
			return fail("", &e);
		stop_us = (s->t_all_stopped - s->t_stop_begin) / 1000;
		if (!quiet) {
			size_t n = 0;

			for (i = 0; i < s->nthreads; i++)
				n += s->threads[i].stopped;
			printf("threads %zu stopped %zu scans %u auto %u\n",
			       s->nthreads, n, s->nscans, s->nauto);
		}
		for (i = 0; i < s->nthreads; i++) {
			const struct ptstop_thread *t = &s->threads[i];

			held += t->pending_sig != 0;
			timeouts += t->error == ETIMEDOUT;
			if (quiet)
				continue;
			if (!t->stopped) {
				printf("tid %d error %s\n", (int)t->tid,
				       errname(t->error));
				continue;
			}
			printf("tid %d pc 0x%" PRIx64 " sp 0x%" PRIx64,
			       (int)t->tid, t->regs.pc, t->regs.sp);
			if (t->pending_sig)
				printf(" sig %d", t->pending_sig);
			printf("\n");
		}
		nauto += s->nauto;
		if (!quiet) {
			printf("stop_us %llu\nstopped\n", stop_us);
			fflush(stdout);
		}
		if (sleep)
			sleep_ms(sleep);
		if (hold && !fgets(line, sizeof(line), stdin))
			hold = 0;
		if (sig && kill(pid, sig) < 0)
			fprintf(stderr, "ptstopq: kill %d: %s\n", (int)pid,
				strerror(errno));
		err_init(&e);
		r = ptstop_resume(s, &e);
		pause_us = (s->t_resumed - s->t_stop_begin) / 1000;
		ptstop_free(s);
		if (r < 0)
			return fail("resume: ", &e);
		if (!quiet) {
			printf("resumed pause_us %llu\n", pause_us);
			fflush(stdout);
		}
		sum_stop += stop_us;
		sum_pause += pause_us;
		if (stop_us > max_stop)
			max_stop = stop_us;
		if (pause_us > max_pause)
			max_pause = pause_us;
	}
	if (quiet && count > 0)
		printf("cycles %ld stop_us %llu %llu pause_us %llu %llu "
		       "held_sigs %llu auto %llu timeouts %llu\n",
		       count, sum_stop / (unsigned long long)count, max_stop,
		       sum_pause / (unsigned long long)count, max_pause, held,
		       nauto, timeouts);
	return 0;
}
