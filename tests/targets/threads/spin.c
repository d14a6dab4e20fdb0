/* A many-threaded C target for the ptrace stop tests, driven by stdin. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * usage: spin [-r READERS] [-s SLEEPERS] [-S SIGNAL_US] [-C]
 *
 * Threads: READERS blocked in read() on a pipe, SLEEPERS in nanosleep,
 * one busy loop, one that keeps creating and joining short-lived threads
 * (unless -C), a 1 ms heartbeat that records the largest gap between its
 * ticks, and with -S a thread that sends SIGRTMIN+1 to the busy thread
 * every SIGNAL_US microseconds.  Prints "ready PID", then answers one
 * line per command read from stdin and exits at end of input:
 *
 *   gap        "gap US ticks N": largest tick gap since the last "gap"
 *   usr2       "usr2 N": SIGUSR2 signals handled so far
 *   rt         "rt sent N recv M" once the signal thread paused and the
 *              busy thread caught up (or after 2 s)
 *   churn      "churn N": short-lived threads created so far
 *   vfork MS   "vfork ok": a thread vforks a child that sleeps MS ms
 *   ping       "pong"
 */

static int pipefd[2];
static volatile sig_atomic_t usr2_count;
static uint64_t rt_sent, rt_recv, churn_count, ticks, max_gap;
static int rt_paused, signal_us;
static pid_t busy_tid;

static uint64_t now_ns(void);
static void on_usr2(int sig);
static void on_rt(int sig);
static void *reader(void *arg);
static void *sleeper(void *arg);
static void *busy(void *arg);
static void *short_lived(void *arg);
static void *churn(void *arg);
static void *heartbeat(void *arg);
static void *signaler(void *arg);
static void *vforker(void *arg);
static void start(void *(*fn)(void *), void *arg);

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void on_usr2(int sig)
{
	(void)sig;
	usr2_count++;
}

static void on_rt(int sig)
{
	(void)sig;
	__atomic_add_fetch(&rt_recv, 1, __ATOMIC_SEQ_CST);
}

static void *reader(void *arg)
{
	char c;

	(void)arg;
	while (read(pipefd[0], &c, 1) != 0)
		;
	return NULL;
}

static void *sleeper(void *arg)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	(void)arg;
	for (;;)
		nanosleep(&ts, NULL);
	return NULL;
}

static void *busy(void *arg)
{
	volatile uint64_t n = 0;

	(void)arg;
	__atomic_store_n(&busy_tid, (pid_t)syscall(SYS_gettid),
			 __ATOMIC_SEQ_CST);
	for (;;)
		n++;
	return NULL;
}

static void *short_lived(void *arg)
{
	volatile int i, x = 0;

	for (i = 0; i < 1000; i++)
		x += i;
	return arg;
}

static void *churn(void *arg)
{
	pthread_t t[2];
	int i;

	(void)arg;
	for (;;) {
		for (i = 0; i < 2; i++)
			if (pthread_create(&t[i], NULL, short_lived, NULL))
				t[i] = 0;
		for (i = 0; i < 2; i++)
			if (t[i])
				pthread_join(t[i], NULL);
		__atomic_add_fetch(&churn_count, 2, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *heartbeat(void *arg)
{
	struct timespec ts = { 0, 1000 * 1000 };
	uint64_t last = now_ns(), t, gap, old;

	(void)arg;
	for (;;) {
		nanosleep(&ts, NULL);
		t = now_ns();
		gap = t - last;
		last = t;
		old = __atomic_load_n(&max_gap, __ATOMIC_RELAXED);
		while (gap > old &&
		       !__atomic_compare_exchange_n(&max_gap, &old, gap, 0,
						    __ATOMIC_RELAXED,
						    __ATOMIC_RELAXED))
			;
		__atomic_add_fetch(&ticks, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *signaler(void *arg)
{
	struct timespec ts = { 0, 0 };
	pid_t tid;

	(void)arg;
	ts.tv_nsec = (long)signal_us * 1000;
	while (!(tid = __atomic_load_n(&busy_tid, __ATOMIC_SEQ_CST)))
		nanosleep(&ts, NULL);
	for (;;) {
		nanosleep(&ts, NULL);
		if (__atomic_load_n(&rt_paused, __ATOMIC_SEQ_CST))
			continue;
		if (syscall(SYS_tgkill, (long)getpid(), (long)tid,
			    (long)(SIGRTMIN + 1)) == 0)
			__atomic_add_fetch(&rt_sent, 1, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static void *vforker(void *arg)
{
	struct timespec ts;
	long ms = (long)(intptr_t)arg;
	pid_t child;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	child = vfork();
	if (child == 0) {
		syscall(SYS_nanosleep, &ts, NULL);
		_exit(0);
	}
	if (child > 0)
		waitpid(child, NULL, 0);
	return NULL;
}

static void start(void *(*fn)(void *), void *arg)
{
	pthread_t t;

	if (pthread_create(&t, NULL, fn, arg)) {
		perror("pthread_create");
		exit(1);
	}
	pthread_detach(t);
}

int main(int argc, char **argv)
{
	int readers = 2, sleepers = 2, do_churn = 1, i, opt;
	struct sigaction sa;
	char line[128];
	uint64_t t0;
	long ms;

	/* Let goscope attach under Yama ptrace_scope=1 (not our parent). */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	while ((opt = getopt(argc, argv, "r:s:S:C")) != -1) {
		switch (opt) {
		case 'r':
			readers = atoi(optarg);
			break;
		case 's':
			sleepers = atoi(optarg);
			break;
		case 'S':
			signal_us = atoi(optarg);
			break;
		case 'C':
			do_churn = 0;
			break;
		default:
			fprintf(stderr, "usage: spin [-r N] [-s N] [-S US] "
				"[-C]\n");
			return 2;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr2;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR2, &sa, NULL);
	sa.sa_handler = on_rt;
	sigaction(SIGRTMIN + 1, &sa, NULL);
	if (pipe(pipefd) < 0) {
		perror("pipe");
		return 1;
	}
	for (i = 0; i < readers; i++)
		start(reader, NULL);
	for (i = 0; i < sleepers; i++)
		start(sleeper, NULL);
	start(busy, NULL);
	start(heartbeat, NULL);
	if (do_churn)
		start(churn, NULL);
	if (signal_us > 0)
		start(signaler, NULL);
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		if (!strncmp(line, "gap", 3)) {
			uint64_t g = __atomic_exchange_n(&max_gap, 0,
							 __ATOMIC_RELAXED);

			printf("gap %llu ticks %llu\n",
			       (unsigned long long)(g / 1000),
			       (unsigned long long)__atomic_load_n(
				       &ticks, __ATOMIC_RELAXED));
		} else if (!strncmp(line, "usr2", 4)) {
			printf("usr2 %d\n", (int)usr2_count);
		} else if (!strncmp(line, "rt", 2)) {
			__atomic_store_n(&rt_paused, 1, __ATOMIC_SEQ_CST);
			t0 = now_ns();
			usleep(2000);
			while (__atomic_load_n(&rt_recv, __ATOMIC_SEQ_CST) !=
				       __atomic_load_n(&rt_sent,
						       __ATOMIC_SEQ_CST) &&
			       now_ns() - t0 < 2000000000ull)
				usleep(1000);
			printf("rt sent %llu recv %llu\n",
			       (unsigned long long)rt_sent,
			       (unsigned long long)rt_recv);
			__atomic_store_n(&rt_paused, 0, __ATOMIC_SEQ_CST);
		} else if (!strncmp(line, "churn", 5)) {
			printf("churn %llu\n", (unsigned long long)
			       __atomic_load_n(&churn_count,
					       __ATOMIC_RELAXED));
		} else if (sscanf(line, "vfork %ld", &ms) == 1) {
			start(vforker, (void *)(intptr_t)ms);
			printf("vfork ok\n");
		} else if (!strncmp(line, "ping", 4)) {
			printf("pong\n");
		} else {
			printf("unknown command\n");
		}
		fflush(stdout);
	}
	return 0;
}
