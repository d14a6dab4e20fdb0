/* Reading the epoll registrations of a process from /proc/PID/fdinfo. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inspect/epoll.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define FDINFO_MAX (64u << 20)	/* bytes of one fdinfo file */

static const char *field(const char *p, const char *end, const char *name);
static int parse_num(const char *p, const char *end, int base,
		     uint64_t *v);
static char *read_file(const char *path, size_t *len);

/* The text after "name:" and blanks on the line [p, end), or NULL. */
static const char *field(const char *p, const char *end, const char *name)
{
	size_t nl = strlen(name);

	for (; p + nl <= end; p++) {
		if (memcmp(p, name, nl))
			continue;
		p += nl;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		return p;
	}
	return NULL;
}

static int parse_num(const char *p, const char *end, int base, uint64_t *v)
{
	uint64_t x = 0;
	int digits = 0, d;

	for (; p < end; p++, digits++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (digits >= (base == 16 ? 16 : 10))
			return -1;
		x = x * (uint64_t)base + (uint64_t)d;
	}
	if (!digits)
		return -1;
	*v = x;
	return 0;
}

size_t epoll_fdinfo_parse(const char *buf, size_t len, int epfd,
			  struct epoll_target **out, size_t *n,
			  size_t *alloc)
{
	const char *p = buf, *end = buf + len, *eol, *f;
	uint64_t tfd, ev, data;
	size_t added = 0;

	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if ((size_t)(eol - p) < 4 || memcmp(p, "tfd:", 4))
			continue;
		f = field(p, eol, "tfd:");
		if (!f || parse_num(f, eol, 10, &tfd) < 0 || tfd > 0x7fffffff)
			continue;
		f = field(p, eol, "events:");
		if (!f || parse_num(f, eol, 16, &ev) < 0 || ev > 0xffffffffu)
			continue;
		f = field(p, eol, "data:");
		if (!f || parse_num(f, eol, 16, &data) < 0)
			continue;
		if (*n >= EPOLL_MAX_TARGETS)
			break;
		if (*n == *alloc) {
			*alloc = *alloc ? *alloc * 2 : 16;
			*out = xreallocarray(*out, *alloc, sizeof(**out));
		}
		(*out)[*n].epfd = epfd;
		(*out)[*n].tfd = (int)tfd;
		(*out)[*n].events = (uint32_t)ev;
		(*out)[*n].data = data;
		(*n)++;
		added++;
	}
	return added;
}

/* The whole file at path (NUL-terminated), or NULL. */
static char *read_file(const char *path, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	buf = xmalloc(cap + 1);
	for (;;) {
		if (n == cap) {
			if (cap >= FDINFO_MAX)
				break;
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

int epoll_targets(pid_t pid, struct epoll_target **out, size_t *n,
		  struct err *e)
{
	char path[96], link[64];
	struct dirent *d;
	size_t alloc = 0, len, instances = 0;
	DIR *dir;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (!dir)
		return err_errno(e, errno, "cannot list '%s'", path);
	while ((d = readdir(dir)) != NULL &&
	       instances < EPOLL_MAX_INSTANCES) {
		char *text, *endp;
		long fd = strtol(d->d_name, &endp, 10);
		ssize_t ll;

		if (d->d_name[0] < '0' || d->d_name[0] > '9' || *endp ||
		    fd < 0 || fd > 0x7fffffff)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%ld", (int)pid, fd);
		ll = readlink(path, link, sizeof(link) - 1);
		if (ll <= 0)
			continue;
		link[ll] = '\0';
		if (strcmp(link, "anon_inode:[eventpoll]"))
			continue;
		instances++;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%ld", (int)pid,
			 fd);
		text = read_file(path, &len);
		if (!text)
			continue;
		epoll_fdinfo_parse(text, len, (int)fd, out, n, &alloc);
		free(text);
	}
	closedir(dir);
	return 0;
}
