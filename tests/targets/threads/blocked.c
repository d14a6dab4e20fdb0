/* A C target whose threads block in known places, for the threads tests. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/*
 * usage: blocked [-d DEPTH]
 *
 * One thread per blocking place, each named (pthread_setname_np) so the
 * tests can find it: t-read (read on a pipe), t-sleep (nanosleep, through
 * an always-inlined helper), t-mutex (pthread_mutex_lock on a mutex main
 * holds), t-cond (pthread_cond_wait), t-futex (a raw FUTEX_WAIT), t-epoll
 * (epoll_wait on an empty set), t-deep (DEPTH nested calls of deep(),
 * then nanosleep), t-busy (a busy loop).  Prints "ready PID" once every
 * thread has arrived, then answers "ping" with "pong" and exits at end of
 * input.  Each blocking call is marked with a LINE: comment that the
 * tests look up to know the expected line number.
 *
 * Every blocking call sits in a loop and every call is followed by more
 * work, so that no call is a tail call: the expected stacks are the same
 * at -O0 and at -O2.
 */

static int pipefd[2];
static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static uint32_t fw;		/* the futex word, never woken */
static int epfd;
static int depth = 40;
static volatile int arrived;
static volatile uint64_t sink;
static volatile int never;	/* never set: ends no loop */

static void arrive(void);
static void blocked_read(void);
static void nap_inline(void);
static void blocked_sleep(void);
static void blocked_mutex(void);
static void blocked_cond(void);
static void blocked_futex(void);
static void blocked_epoll(void);
static int deep(int n);
static void busy_loop(void);
static void *thread_read(void *arg);
static void *thread_sleep(void *arg);
static void *thread_mutex(void *arg);
static void *thread_cond(void *arg);
static void *thread_futex(void *arg);
static void *thread_epoll(void *arg);
static void *thread_deep(void *arg);
static void *thread_busy(void *arg);
static void start(const char *name, void *(*fn)(void *));

static void arrive(void)
{
	__atomic_add_fetch(&arrived, 1, __ATOMIC_SEQ_CST);
}

__attribute__((noinline)) static void blocked_read(void)
{
	char c;

	while (read(pipefd[0], &c, 1) != 0) /* LINE:read */
		sink++;
}

/* Always inlined, even at -O0: DWARF describes it as an inlined call. */
__attribute__((always_inline)) static inline void nap_inline(void)
{
	struct timespec ts = { 3600, 0 };

	nanosleep(&ts, NULL); /* LINE:nap */
}

__attribute__((noinline)) static void blocked_sleep(void)
{
	for (;;) {
		nap_inline(); /* LINE:sleep */
		sink++;
	}
}

__attribute__((noinline)) static void blocked_mutex(void)
{
	pthread_mutex_lock(&held); /* LINE:mutex */
	sink++;
	pthread_mutex_unlock(&held);
}

__attribute__((noinline)) static void blocked_cond(void)
{
	pthread_mutex_lock(&cmu);
	for (;;)
		pthread_cond_wait(&cv, &cmu); /* LINE:cond */
}

__attribute__((noinline)) static void blocked_futex(void)
{
	for (;;) {
		syscall(SYS_futex, &fw, FUTEX_WAIT, 0, NULL); /* LINE:futex */
		sink++;
	}
}

__attribute__((noinline)) static void blocked_epoll(void)
{
	struct epoll_event ev;

	for (;;) {
		epoll_wait(epfd, &ev, 1, -1); /* LINE:epoll */
		sink++;
	}
}

/* Keeps a real frame per level at any optimization level. */
__attribute__((noinline)) static int deep(int n)
{
	volatile char pad[32];
	struct timespec ts = { 3600, 0 };
	int r;

	pad[0] = (char)n;
	if (n <= 0) {
		while (!never)
			nanosleep(&ts, NULL); /* LINE:deep0 */
		return 0;
	}
	r = deep(n - 1); /* LINE:deep */
	pad[1] = (char)r;
	return r + pad[0] + pad[1];
}

__attribute__((noinline)) static void busy_loop(void)
{
	for (;;) /* LINE:busy */
		sink++;
}

static void *thread_read(void *arg)
{
	arrive();
	for (;;) {
		blocked_read();
		sink++;
	}
	return arg;
}

static void *thread_sleep(void *arg)
{
	arrive();
	for (;;) {
		blocked_sleep();
		sink++;
	}
	return arg;
}

static void *thread_mutex(void *arg)
{
	arrive();
	for (;;) {
		blocked_mutex();
		sink++;
	}
	return arg;
}

static void *thread_cond(void *arg)
{
	arrive();
	for (;;) {
		blocked_cond();
		sink++;
	}
	return arg;
}

static void *thread_futex(void *arg)
{
	arrive();
	for (;;) {
		blocked_futex();
		sink++;
	}
	return arg;
}

static void *thread_epoll(void *arg)
{
	arrive();
	for (;;) {
		blocked_epoll();
		sink++;
	}
	return arg;
}

static void *thread_deep(void *arg)
{
	arrive();
	for (;;)
		sink += (uint64_t)deep(depth);
	return arg;
}

static void *thread_busy(void *arg)
{
	arrive();
	for (;;) {
		busy_loop();
		sink++;
	}
	return arg;
}

static void start(const char *name, void *(*fn)(void *))
{
	pthread_t t;

	if (pthread_create(&t, NULL, fn, NULL)) {
		perror("pthread_create");
		exit(1);
	}
	pthread_setname_np(t, name);
	pthread_detach(t);
}

int main(int argc, char **argv)
{
	struct timespec ts = { 0, 1000 * 1000 };
	char line[64];
	int opt;

	/* Let goscope attach under Yama ptrace_scope=1 (not our parent). */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	while ((opt = getopt(argc, argv, "d:")) != -1) {
		if (opt == 'd') {
			depth = atoi(optarg);
		} else {
			fprintf(stderr, "usage: blocked [-d DEPTH]\n");
			return 2;
		}
	}
	if (pipe(pipefd) < 0 || (epfd = epoll_create1(0)) < 0) {
		perror("setup");
		return 1;
	}
	pthread_mutex_lock(&held);
	start("t-read", thread_read);
	start("t-sleep", thread_sleep);
	start("t-mutex", thread_mutex);
	start("t-cond", thread_cond);
	start("t-futex", thread_futex);
	start("t-epoll", thread_epoll);
	start("t-deep", thread_deep);
	start("t-busy", thread_busy);
	while (__atomic_load_n(&arrived, __ATOMIC_SEQ_CST) < 8)
		nanosleep(&ts, NULL);
	/* Give the threads time to reach their blocking calls. */
	ts.tv_nsec = 200 * 1000 * 1000;
	nanosleep(&ts, NULL);
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		if (!strncmp(line, "ping", 4))
			printf("pong\n");
		else
			printf("unknown command\n");
		fflush(stdout);
	}
	return 0;
}
