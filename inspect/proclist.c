/* Listing the host's processes: pids, resident memory, attach rights. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inspect/proc.h"
#include "inspect/proclist.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

static int cmp_pid(const void *a, const void *b);

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

int proclist_pids(pid_t **out, size_t *n, struct err *e)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t alloc = 0;
	pid_t *v = NULL;
	char *end;
	long p;

	*out = NULL;
	*n = 0;
	if (!d)
		return err_errno(e, errno, "cannot open '/proc'");
	while ((de = readdir(d)) && *n < PROCLIST_MAX) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		errno = 0;
		p = strtol(de->d_name, &end, 10);
		if (errno || *end || p <= 0 || p > 0x3fffffff)
			continue;
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 256;
			v = xreallocarray(v, alloc, sizeof(*v));
		}
		v[(*n)++] = (pid_t)p;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_pid);
	*out = v;
	return 0;
}

uint64_t proclist_rss(pid_t pid)
{
	unsigned long long size = 0, res = 0;
	char path[64];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	ok = fscanf(f, "%llu %llu", &size, &res) == 2;
	fclose(f);
	return ok ? (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
}

int proclist_may_attach(pid_t pid, char *why, size_t size)
{
	char path[64], tracer[32];
	int fd;

	why[0] = '\0';
	if (proc_status_field(pid, "TracerPid", tracer, sizeof(tracer)) == 0 &&
	    strcmp(tracer, "0")) {
		snprintf(why, size, "traced by process %s", tracer);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	if (errno == EACCES || errno == EPERM)
		proc_explain_eperm(pid, why, size);
	if (!why[0])
		snprintf(why, size, "%s", strerror(errno));
	return 0;
}
