/* Reading a whole file into a strbuf, bounded by a caller's cap. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/readfile.h"
#include "lib/banned.h"

int readfile_fd(int fd, const char *name, size_t max, struct strbuf *sb,
		struct err *e)
{
	size_t start = sb->len;

	for (;;) {
		size_t room;
		ssize_t n;

		strbuf_grow(sb, 1 << 16);
		room = sb->alloc - sb->len - 1;
		/* One byte past the cap tells "exactly max" from "more". */
		if (room > max - (sb->len - start) + 1)
			room = max - (sb->len - start) + 1;
		n = read(fd, sb->buf + sb->len, room);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_errno(e, errno, "cannot read '%s'", name);
		}
		if (n == 0)
			break;
		sb->len += (size_t)n;
		sb->buf[sb->len] = '\0';
		if (sb->len - start > max)
			return err_set(e, EFBIG, "'%s': larger than %zu bytes",
				       name, max);
	}
	return 0;
}

int readfile_path(const char *path, size_t max, unsigned int flags,
		  struct strbuf *sb, struct err *e)
{
	int oflags = O_RDONLY | O_CLOEXEC;
	struct stat st;
	int fd, r;

	if (flags & READFILE_REGULAR)
		oflags |= O_NONBLOCK;
	fd = open(path, oflags);
	if (fd < 0)
		return err_errno(e, errno, "cannot open '%s'", path);
	if (fstat(fd, &st) < 0) {
		r = err_errno(e, errno, "cannot stat '%s'", path);
		close(fd);
		return r;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return err_set(e, EISDIR, "'%s' is a directory", path);
	}
	if ((flags & READFILE_REGULAR) && !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, EINVAL, "'%s' is not a regular file", path);
	}
	if ((flags & READFILE_REGULAR) && (unsigned long long)st.st_size > max) {
		close(fd);
		return err_set(e, EFBIG, "'%s': larger than %zu bytes", path,
			       max);
	}
	r = readfile_fd(fd, path, max, sb, e);
	close(fd);
	return r;
}
