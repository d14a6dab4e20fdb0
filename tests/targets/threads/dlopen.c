/* A C target that loads a shared library while goscope watches it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/*
 * usage: dlopen
 *
 * Threads: t-read, blocked in read() on a pipe that is never written.
 * Prints "ready PID", then answers one line per command read from stdin
 * and exits at end of input:
 *
 *   load PATH  dlopen()s PATH and starts t-lib, a thread that blocks in
 *              read() inside the library's reuse_lib_thread(); replies
 *              "loaded" once that thread runs, or "error WHY"
 *   exec       execs this program again (the same pid, a new image
 *              mapped elsewhere), which prints "ready PID" again
 *   ping       "pong"
 *
 * Every thread blocks in read() for good, so two captures of the same
 * state show the same frames.
 */

static int pipefd[2];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int lib_started;

static void *thread_read(void *arg);
static void load(const char *path);

__attribute__((noinline)) static void *thread_read(void *arg)
{
	char c;

	(void)arg;
	pthread_setname_np(pthread_self(), "t-read");
	for (;;)
		if (read(pipefd[0], &c, 1) <= 0)
			usleep(1000);
	return NULL;
}

/* Called by the library's thread once it runs. */
void dlopen_target_started(void);
void dlopen_target_started(void)
{
	pthread_mutex_lock(&mu);
	lib_started = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static void load(const char *path)
{
	void *(*fn)(void *);
	pthread_t th;
	void *h;

	h = dlopen(path, RTLD_NOW);
	if (!h) {
		printf("error %s\n", dlerror());
		return;
	}
	*(void **)&fn = dlsym(h, "reuse_lib_thread");
	if (!fn || pthread_create(&th, NULL, fn, &pipefd[0])) {
		printf("error no reuse_lib_thread\n");
		return;
	}
	pthread_mutex_lock(&mu);
	while (!lib_started)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	/* It is in read() or about to be: give it a moment to get there. */
	usleep(100000);
	printf("loaded\n");
}

int main(void)
{
	char line[4200];
	pthread_t th;

	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(pipefd) < 0)
		return 1;
	pthread_create(&th, NULL, thread_read, NULL);
	printf("ready %d\n", (int)getpid());
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "load ", 5))
			load(line + 5);
		else if (!strcmp(line, "exec"))
			printf("error %s\n",
			       execl("/proc/self/exe", "dlopen", (char *)NULL)
				       ? strerror(errno) : "");
		else if (!strcmp(line, "ping"))
			printf("pong\n");
	}
	return 0;
}
