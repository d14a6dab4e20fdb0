/* Safe output files: temporaries, checked writes, atomic rename. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/atomicfile.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

static int write_all(int fd, const char *buf, size_t len);
static int write_fd(int fd, const char *path, const void *buf, size_t len,
		    unsigned int flags, struct err *e);
static int is_stdout(const struct stat *st);
static int create_temp(const char *path, char **tmp, struct err *e);
static int replace_file(const char *path, const struct stat *old,
			const void *buf, size_t len, unsigned int flags,
			struct err *e);
static int rename_noreplace(const char *from, const char *to);
static int write_special(const char *path, const void *buf, size_t len,
			 unsigned int flags, struct err *e);

/* Returns 0 or a positive errno. */
static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (n == 0)
			return EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes to an already open, non-regular fd (terminal check included). */
static int write_fd(int fd, const char *path, const void *buf, size_t len,
		    unsigned int flags, struct err *e)
{
	int r;

	if ((flags & ATOMICFILE_BINARY) && isatty(fd))
		return err_set(e, EINVAL,
			       "refusing to write binary output to a terminal "
			       "('%s'); use -o FILE or a pipe", path);
	r = write_all(fd, buf, len);
	if (r)
		return err_errno(e, r, "cannot write '%s'", path);
	return 0;
}

static int is_stdout(const struct stat *st)
{
	struct stat out;

	if (fstat(STDOUT_FILENO, &out) < 0)
		return 0;
	return out.st_dev == st->st_dev && out.st_ino == st->st_ino;
}

/*
 * Creates ".NAME.XXXXXX.tmp" beside path with O_EXCL|O_NOFOLLOW, so that
 * nothing planted at a predictable name can redirect the write.
 * Returns the fd, or a negative errno.
 */
static int create_temp(const char *path, char **tmp, struct err *e)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path + 1) : 0;
	const char *base = slash ? slash + 1 : path;
	static unsigned int seq;
	struct timespec ts;
	int fd, i;

	for (i = 0; i < 100; i++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		*tmp = xasprintf("%.*s.%s.%d.%lx%x.tmp", dirlen, path, base,
				 (int)getpid(), (unsigned long)ts.tv_nsec,
				 seq++);
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				       O_CLOEXEC | O_NOCTTY, 0666);
		if (fd >= 0)
			return fd;
		free(*tmp);
		*tmp = NULL;
		if (errno != EEXIST)
			return err_errno(e, errno,
					 "cannot create a temporary file "
					 "beside '%s'", path);
	}
	return err_set(e, EEXIST,
		       "cannot create a temporary file beside '%s'", path);
}

/* rename(2) that fails with EEXIST instead of replacing to; 0 or errno. */
static int rename_noreplace(const char *from, const char *to)
{
#ifdef SYS_renameat2
	if (syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to,
		    RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return errno;
#endif
	/* Without renameat2: a hard link never replaces either. */
	if (link(from, to) < 0)
		return errno;
	unlink(from);
	return 0;
}

static int replace_file(const char *path, const struct stat *old,
			const void *buf, size_t len, unsigned int flags,
			struct err *e)
{
	char *tmp = NULL;
	int fd, r;

	fd = create_temp(path, &tmp, e);
	if (fd < 0)
		return fd;
	r = write_all(fd, buf, len);
	if (!r && old) {
		/* Keep the replaced file's owner (when allowed) and mode. */
		if (geteuid() == 0 &&
		    (old->st_uid != geteuid() || old->st_gid != getegid()))
			(void)!fchown(fd, old->st_uid, old->st_gid);
		if (fchmod(fd, old->st_mode & 07777) < 0)
			r = errno;
	}
	if (!r && fsync(fd) < 0 && errno != EINVAL)
		r = errno;
	if (close(fd) < 0 && !r && errno != EINTR)
		r = errno;
	if (!r && (flags & ATOMICFILE_NOREPLACE))
		r = rename_noreplace(tmp, path);
	else if (!r && rename(tmp, path) < 0)
		r = errno;
	if (r) {
		unlink(tmp);
		free(tmp);
		if (r == EEXIST && (flags & ATOMICFILE_NOREPLACE))
			return err_set(e, EEXIST, "'%s' exists", path);
		return err_errno(e, r, "cannot write '%s'", path);
	}
	free(tmp);
	return 0;
}

/* path names a FIFO, a character device or a socket: write to it. */
static int write_special(const char *path, const void *buf, size_t len,
			 unsigned int flags, struct err *e)
{
	struct stat st;
	int fd, r;

	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return err_errno(e, errno, "cannot open '%s'", path);
	/* Re-check what was opened: the name may have changed meanwhile. */
	if (fstat(fd, &st) < 0 || S_ISREG(st.st_mode) ||
	    S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode)) {
		close(fd);
		return err_set(e, EINVAL, "'%s' changed while being opened",
			       path);
	}
	r = write_fd(fd, path, buf, len, flags, e);
	if (close(fd) < 0 && !r && errno != EINTR)
		r = err_errno(e, errno, "cannot write '%s'", path);
	return r;
}

int atomicfile_write(const char *path, const void *buf, size_t len,
		     unsigned int flags, struct err *e)
{
	struct stat lst, st;

	if (!strcmp(path, "-") || !*path) {
		if (!*path)
			return err_set(e, EINVAL, "empty output file name");
		fflush(stdout);
		return write_fd(STDOUT_FILENO, "standard output", buf, len,
				flags, e);
	}
	if (lstat(path, &lst) < 0) {
		if (errno != ENOENT)
			return err_errno(e, errno, "cannot write '%s'", path);
		return replace_file(path, NULL, buf, len, flags, e);
	}
	if (flags & ATOMICFILE_NOREPLACE)
		return err_set(e, EEXIST, "'%s' exists", path);
	if (stat(path, &st) < 0) {
		/* A dangling symbolic link: do not create its target. */
		return err_errno(e, errno, "cannot write '%s'", path);
	}
	if (S_ISREG(st.st_mode) && is_stdout(&st)) {
		fflush(stdout);
		return write_fd(STDOUT_FILENO, path, buf, len, flags, e);
	}
	if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) ||
	    S_ISSOCK(st.st_mode))
		return write_special(path, buf, len, flags, e);
	if (!S_ISREG(st.st_mode))
		return err_set(e, EINVAL, "cannot write '%s': not a regular "
			       "file", path);
	if (S_ISLNK(lst.st_mode))
		return err_set(e, EINVAL, "cannot write '%s': it is a symbolic "
			       "link; name the file it points to", path);
	return replace_file(path, &lst, buf, len, flags, e);
}
