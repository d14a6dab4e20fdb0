/* A second tracer for the tests: holds one thread of another process. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <unistd.h>

/*
 * usage: tracer TID
 *
 * Attaches to thread TID with PTRACE_SEIZE (the thread keeps running, but
 * no other tracer can attach to it), prints "ready PID" and waits for the
 * end of its standard input; its exit detaches the thread.  Like a
 * debugger or strace -p TID left attached to one thread of a service.
 */
int main(int argc, char **argv)
{
	char buf[64];
	long tid;

	if (argc != 2 || (tid = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: tracer TID\n");
		return 2;
	}
	if (ptrace(PTRACE_SEIZE, (pid_t)tid, NULL, NULL) < 0) {
		fprintf(stderr, "tracer: cannot seize %ld: %s\n", tid,
			strerror(errno));
		return 1;
	}
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	while (fgets(buf, sizeof(buf), stdin))
		;
	return 0;
}
