/* /proc readers: existence, exe link, memory maps, status and EPERM hints. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "inspect/proc.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define DELETED_SUFFIX " (deleted)"
#define CAP_SYS_PTRACE_BIT 19

static int parse_map_line(char *line, struct proc_map *m);
static int read_int_file(const char *path, long *val);
static int have_cap_sys_ptrace(void);
static int is_kthread(const char *s);

int proc_check(pid_t pid, struct err *e)
{
	char path[64];
	struct stat st;
	FILE *f;

	if (pid <= 0)
		return err_set(e, EINVAL, "invalid pid %d", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return err_set(e, ESRCH, "no process with pid %d",
				       (int)pid);
		return err_errno(e, errno, "cannot stat '%s'", path);
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (f) {
		char buf[512], *p = NULL;

		if (fgets(buf, sizeof(buf), f))
			p = strrchr(buf, ')');
		fclose(f);
		if (p && (p[2] == 'Z' || p[2] == 'X') && proc_exited(pid))
			return proc_gone(pid, e);
		if (p && is_kthread(p + 1))
			return err_set(e, EPERM, PROC_KTHREAD_MSG, (int)pid);
	}
	return 0;
}

int proc_gone(pid_t pid, struct err *e)
{
	return err_set(e, ESRCH, PROC_EXITED_MSG, (int)pid);
}

int proc_exited(pid_t pid)
{
	char path[64], buf[512], *p = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT || errno == ESRCH;
	if (fgets(buf, sizeof(buf), f))
		p = strrchr(buf, ')');
	fclose(f);
	if (!p || (p[2] != 'Z' && p[2] != 'X'))
		return 0;
	/* A group leader that exited while other threads live is a zombie
	 * too: the process lives on while they do. */
	if (proc_status_field(pid, "Threads", buf, sizeof(buf)) == 0 &&
	    strtol(buf, NULL, 10) > 1)
		return 0;
	return 1;
}

int proc_explain_exit(pid_t pid, int r, struct err *e)
{
	if (r >= 0 || r == -EINTR || !proc_exited(pid))
		return r;
	return proc_gone(pid, e);
}

/* s: the /proc/PID/stat text after the ')'; its 7th field is flags. */
static int is_kthread(const char *s)
{
	unsigned long flags;
	int i;

	for (i = 0; i < 7 && s; i++) {
		while (*s == ' ')
			s++;
		if (i < 6)
			s = strchr(s, ' ');
	}
	if (!s || sscanf(s, "%lu", &flags) != 1)
		return 0;
	return (flags & 0x00200000ul) != 0;	/* PF_KTHREAD */
}

int proc_exe(pid_t pid, char **path, int *deleted, struct err *e)
{
	char link[64], buf[PATH_MAX + sizeof(DELETED_SUFFIX)];
	size_t sl = strlen(DELETED_SUFFIX);
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n < 0) {
		int err = errno, r;

		/* A kernel thread or a process gone: say which. */
		if (err == ENOENT && (r = proc_check(pid, e)) < 0)
			return r;
		if (err == ENOENT)
			return err_set(e, ENOENT,
				       "process %d has no executable", (int)pid);
		errno = err;
		return err_errno(e, errno, "cannot read '%s'", link);
	}
	buf[n] = '\0';
	*deleted = 0;
	if ((size_t)n > sl && !strcmp(buf + n - sl, DELETED_SUFFIX)) {
		buf[n - sl] = '\0';
		*deleted = 1;
	}
	*path = xstrdup(buf);
	return 0;
}

static int parse_map_line(char *line, struct proc_map *m)
{
	unsigned long long start, end, off, inode;
	unsigned int maj, min;
	char perms[8];
	int pos = 0;
	char *p;

	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end,
		   perms, &off, &maj, &min, &inode, &pos) < 7)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->start = start;
	m->end = end;
	m->offset = off;
	m->dev_major = maj;
	m->dev_minor = min;
	m->inode = inode;
	memcpy(m->perms, perms, sizeof(m->perms) - 1);
	m->perms[sizeof(m->perms) - 1] = '\0';
	p = line + pos;
	p[strcspn(p, "\n")] = '\0';
	if (*p)
		m->path = xstrdup(p);
	return 0;
}

int proc_maps_read(pid_t pid, struct proc_maps *maps, struct err *e)
{
	char path[64], *line = NULL;
	size_t cap = 0, alloc = 0;
	FILE *f;

	maps->maps = NULL;
	maps->n = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return err_errno(e, errno, "cannot open '%s'", path);
	while (getline(&line, &cap, f) > 0) {
		if (maps->n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			maps->maps = xreallocarray(maps->maps, alloc,
						   sizeof(*maps->maps));
		}
		if (parse_map_line(line, &maps->maps[maps->n]) == 0)
			maps->n++;
	}
	free(line);
	if (ferror(f)) {
		int saved = errno;

		fclose(f);
		proc_maps_release(maps);
		return err_errno(e, saved, "cannot read '%s'", path);
	}
	fclose(f);
	return 0;
}

void proc_maps_release(struct proc_maps *maps)
{
	size_t i;

	for (i = 0; i < maps->n; i++)
		free(maps->maps[i].path);
	free(maps->maps);
	maps->maps = NULL;
	maps->n = 0;
}

int proc_status_field(pid_t pid, const char *key, char *buf, size_t size)
{
	char path[64], *line = NULL;
	size_t cap = 0, klen = strlen(key);
	int ret = -ENOENT;
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char *v;

		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		v = line + klen + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		v[strcspn(v, "\n")] = '\0';
		snprintf(buf, size, "%s", v);
		ret = 0;
		break;
	}
	free(line);
	fclose(f);
	return ret;
}

static int read_int_file(const char *path, long *val)
{
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%ld", val) == 1;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

static int have_cap_sys_ptrace(void)
{
	char buf[64];
	unsigned long long caps;

	if (proc_status_field(0, "CapEff", buf, sizeof(buf)) < 0)
		return 0;
	caps = strtoull(buf, NULL, 16);
	return (caps >> CAP_SYS_PTRACE_BIT) & 1;
}

void proc_explain_eperm(pid_t pid, char *buf, size_t size)
{
	char tracer[32], uids[128], name[64];
	long scope = -1, tpid;
	int cap = have_cap_sys_ptrace();
	unsigned long ruid = 0;

	buf[0] = '\0';
	if (proc_status_field(pid, "TracerPid", tracer, sizeof(tracer)) == 0) {
		tpid = strtol(tracer, NULL, 10);
		if (tpid != 0 && tpid != getpid()) {
			snprintf(name, sizeof(name), "?");
			proc_status_field((pid_t)tpid, "Name", name,
					  sizeof(name));
			snprintf(buf, size,
				 "process %d is already traced by pid %ld "
				 "(%s); only one tracer can attach at a time",
				 (int)pid, tpid, name);
			return;
		}
	}
	if (proc_status_field(pid, "Uid", uids, sizeof(uids)) == 0)
		ruid = strtoul(uids, NULL, 10);
	if (!cap && geteuid() != 0 && ruid != (unsigned long)getuid()) {
		snprintf(buf, size,
			 "process %d belongs to uid %lu; run goscope as that "
			 "user, or as root, or grant CAP_SYS_PTRACE "
			 "(setcap cap_sys_ptrace+ep goscope)",
			 (int)pid, ruid);
		return;
	}
	read_int_file("/proc/sys/kernel/yama/ptrace_scope", &scope);
	if (scope == 3) {
		snprintf(buf, size,
			 "kernel.yama.ptrace_scope = 3 forbids ptrace for "
			 "everyone until reboot");
	} else if (scope == 2 && !cap) {
		snprintf(buf, size,
			 "kernel.yama.ptrace_scope = 2 allows only processes "
			 "with CAP_SYS_PTRACE to read other processes; run "
			 "goscope as root or grant CAP_SYS_PTRACE");
	} else if (scope == 1 && !cap) {
		snprintf(buf, size,
			 "kernel.yama.ptrace_scope = 1 allows reading only "
			 "descendant processes; run goscope as root, grant "
			 "CAP_SYS_PTRACE, or set 'sysctl kernel.yama."
			 "ptrace_scope=0'");
	} else if (!cap) {
		snprintf(buf, size,
			 "the target may be non-dumpable (setuid, or "
			 "prctl(PR_SET_DUMPABLE, 0)); run goscope as root or "
			 "with CAP_SYS_PTRACE");
	} else {
		snprintf(buf, size,
			 "a seccomp filter or security module (container "
			 "runtime, AppArmor, SELinux) may forbid ptrace; in "
			 "containers add --cap-add SYS_PTRACE");
	}
}

int proc_exe_base(pid_t pid, uint64_t *base, struct err *e)
{
	char link[64], *exe = NULL;
	struct proc_maps maps;
	uint64_t best = UINT64_MAX;
	struct stat st;
	int have_st, deleted, r;
	size_t i, elen;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	have_st = stat(link, &st) == 0;
	r = proc_exe(pid, &exe, &deleted, e);
	if (r < 0)
		return r;
	r = proc_maps_read(pid, &maps, e);
	if (r < 0) {
		free(exe);
		return r;
	}
	elen = strlen(exe);
	for (i = 0; i < maps.n; i++) {
		const struct proc_map *m = &maps.maps[i];
		int match = 0;

		if (m->offset != 0 || !m->path)
			continue;
		if (have_st && m->inode == (unsigned long long)st.st_ino &&
		    m->dev_major == major(st.st_dev) &&
		    m->dev_minor == minor(st.st_dev))
			match = 1;
		if (!strncmp(m->path, exe, elen) &&
		    (m->path[elen] == '\0' ||
		     !strcmp(m->path + elen, DELETED_SUFFIX)))
			match = 1;
		if (match && m->start < best)
			best = m->start;
	}
	proc_maps_release(&maps);
	free(exe);
	if (best == UINT64_MAX)
		return err_set(e, ENOENT,
			       "no mapping of the executable in process %d",
			       (int)pid);
	*base = best;
	return 0;
}

long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start_ticks;
	long hz = sysconf(_SC_CLK_TCK), btime = 0;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return 0;
	}
	fclose(f);
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* Field 22 is starttime; p points at the end of field 2. */
	for (i = 2; i < 22 && p; i++) {
		p = strchr(p + 1, ' ');
	}
	if (!p)
		return 0;
	start_ticks = strtoull(p + 1, NULL, 10);
	f = fopen("/proc/stat", "re");
	if (!f)
		return 0;
	while (fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "btime %ld", &btime) == 1)
			break;
	fclose(f);
	if (hz <= 0 || btime <= 0)
		return 0;
	return (long long)btime + (long long)(start_ticks / (unsigned long long)hz);
}

uint64_t proc_mem_available(void)
{
	unsigned long long kb = 0;
	char line[256];
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb > (UINT64_MAX >> 10) ? 0 : (uint64_t)kb << 10;
}
