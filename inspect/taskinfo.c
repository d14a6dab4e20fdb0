/* Per-thread facts from /proc/PID/task: name, state, CPU time, syscall. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inspect/proc.h"
#include "inspect/taskinfo.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

static ssize_t read_small(const char *path, char *buf, size_t size);
static ssize_t read_task(pid_t pid, pid_t tid, const char *name, char *buf,
			 size_t size);
static int parse_stat(char *buf, struct taskinfo *ti);

/* Reads at most size - 1 bytes of path and NUL-terminates them. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/*
 * "TID (COMM) S PPID ..." with utime and stime in fields 14 and 15 and
 * the CPU in field 39.  COMM may hold spaces and parentheses: it ends at
 * the last ')'.  It is the same name /proc/PID/task/TID/comm shows.
 */
static int parse_stat(char *buf, struct taskinfo *ti)
{
	char *open = strchr(buf, '('), *close = strrchr(buf, ')'), *p;
	unsigned long long ut = 0, st = 0;
	long ticks = sysconf(_SC_CLK_TCK);
	size_t len;
	int field, cpu = -1;

	if (!open || !close || close < open || close[1] != ' ')
		return -EINVAL;
	len = (size_t)(close - open - 1);
	if (len >= sizeof(ti->name))
		len = sizeof(ti->name) - 1;
	memcpy(ti->name, open + 1, len);
	ti->name[len] = '\0';
	ti->state = close[2];
	/* close[2] is field 3; walk the space-separated fields after it. */
	p = close + 2;
	for (field = 3; *p && field <= 39; field++) {
		if (field == 14)
			ut = strtoull(p, NULL, 10);
		else if (field == 15)
			st = strtoull(p, NULL, 10);
		else if (field == 39)
			cpu = (int)strtol(p, NULL, 10);
		p = strchr(p, ' ');
		if (!p)
			break;
		p++;
	}
	if (ticks <= 0)
		ticks = 100;
	ti->utime_ns = ut * (1000000000ull / (unsigned long long)ticks);
	ti->stime_ns = st * (1000000000ull / (unsigned long long)ticks);
	ti->cpu = cpu;
	return 0;
}

/* Reads /proc/PID/task/TID/name as read_small; -ESRCH: no such thread. */
static ssize_t read_task(pid_t pid, pid_t tid, const char *name, char *buf,
			 size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", (int)pid,
		 (int)tid, name);
	n = read_small(path, buf, size);
	return n == -ENOENT ? -ESRCH : n;
}

int taskinfo_read(pid_t pid, pid_t tid, struct taskinfo *ti)
{
	char buf[1024];
	ssize_t n;

	memset(ti, 0, sizeof(*ti));
	ti->tid = tid;
	ti->cpu = -1;
	n = read_task(pid, tid, "stat", buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return parse_stat(buf, ti);
}

int taskinfo_list(pid_t pid, struct taskinfo **out, size_t *n,
		  struct err *e)
{
	struct taskinfo *list = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	char path[64], *end;
	DIR *d;
	long v;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d) {
		/* Read after the process was found: it has exited. */
		if (errno == ENOENT)
			return proc_gone(pid, e);
		return err_errno(e, errno, "cannot read '%s'", path);
	}
	while ((de = readdir(d)) != NULL) {
		v = strtol(de->d_name, &end, 10);
		if (*end || v <= 0 || v > INT32_MAX)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 32;
			list = xreallocarray(list, cap, sizeof(*list));
		}
		if (taskinfo_read(pid, (pid_t)v, &list[cnt]) == 0)
			cnt++;
	}
	closedir(d);
	*out = list;
	*n = cnt;
	return 0;
}

const struct taskinfo *taskinfo_find(const struct taskinfo *list, size_t n,
				     pid_t tid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i].tid == tid)
			return &list[i];
	return NULL;
}

int taskinfo_syscall(pid_t pid, pid_t tid, long *nr, uint64_t args[6])
{
	char buf[512], *p, *end;
	ssize_t n;
	int i;

	n = read_task(pid, tid, "syscall", buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	if (!strncmp(buf, "running", 7))
		return 0;
	*nr = strtol(buf, &end, 10);
	if (end == buf || *nr < 0)
		return 0;
	p = end;
	for (i = 0; i < 6; i++) {
		args[i] = strtoull(p, &end, 16);
		if (end == p)
			return -EINVAL;
		p = end;
	}
	return 1;
}

const char *taskinfo_state_name(char state)
{
	switch (state) {
	case 'R':
		return "running";
	case 'S':
		return "sleeping";
	case 'D':
		return "disk sleep";
	case 'T':
		return "stopped";
	case 't':
		return "tracing stop";
	case 'Z':
		return "zombie";
	case 'X':
		return "dead";
	case 'I':
		return "idle";
	case 'P':
		return "parked";
	case 'W':
		return "waking";
	default:
		return "unknown";
	}
}
