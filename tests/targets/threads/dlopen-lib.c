/* The library tests/targets/threads/dlopen.c loads: one blocked thread. */
#define _GNU_SOURCE
#include <pthread.h>
#include <unistd.h>

void dlopen_target_started(void);
void *reuse_lib_thread(void *arg);

__attribute__((noinline)) static void reuse_lib_wait(int fd)
{
	char c;

	for (;;) {
		if (read(fd, &c, 1) <= 0)
			usleep(1000);
		__asm__ volatile("" ::: "memory");
	}
}

void *reuse_lib_thread(void *arg)
{
	pthread_setname_np(pthread_self(), "t-lib");
	dlopen_target_started();
	reuse_lib_wait(*(int *)arg);
	return NULL;
}
