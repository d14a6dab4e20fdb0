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

/* How the bytes reach the path. */
enum af_kind {
	AF_STDOUT,	/* standard output, left open */
	AF_SPECIAL,	/* a FIFO, character device or socket */
	AF_REPLACE,	/* a temporary renamed over the path at the end */
};

struct atomicfile {
	int kind;		/* enum af_kind */
	int fd;
	unsigned int flags;
	int error;		/* first write error (positive errno), or 0 */
	char *path;		/* as given, for messages and the rename */
	char *tmp;		/* AF_REPLACE: the temporary */
	int has_old;		/* AF_REPLACE: path existed (old is set) */
	struct stat old;
};

static int write_all(int fd, const char *buf, size_t len);
static int is_stdout(const struct stat *st);
static int create_temp(const char *path, char **tmp, struct err *e);
static int rename_noreplace(const char *from, const char *to);
static int open_special(struct atomicfile *af, struct err *e);
static int refuse_tty(const struct atomicfile *af, struct err *e);
static void af_free(struct atomicfile *af);
static int finish_replace(struct atomicfile *af, struct err *e);

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

/* A binary stream must not go to a terminal. */
static int refuse_tty(const struct atomicfile *af, struct err *e)
{
	if ((af->flags & ATOMICFILE_BINARY) && isatty(af->fd))
		return err_set(e, EINVAL,
			       "refusing to write binary output to a terminal "
			       "('%s'); use -o FILE or a pipe", af->path);
	return 0;
}

/* path names a FIFO, a character device or a socket: open it. */
static int open_special(struct atomicfile *af, struct err *e)
{
	struct stat st;

	af->fd = open(af->path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (af->fd < 0)
		return err_errno(e, errno, "cannot open '%s'", af->path);
	/* Re-check what was opened: the name may have changed meanwhile. */
	if (fstat(af->fd, &st) < 0 || S_ISREG(st.st_mode) ||
	    S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode))
		return err_set(e, EINVAL, "'%s' changed while being opened",
			       af->path);
	return 0;
}

static void af_free(struct atomicfile *af)
{
	free(af->path);
	free(af->tmp);
	free(af);
}

int atomicfile_open(const char *path, unsigned int flags,
		    struct atomicfile **out, struct err *e)
{
	struct atomicfile *af;
	struct stat st;
	int r = 0;

	if (!*path)
		return err_set(e, EINVAL, "empty output file name");
	af = xcalloc(1, sizeof(*af));
	af->flags = flags;
	af->fd = -1;
	af->kind = AF_REPLACE;
	if (!strcmp(path, "-")) {
		af->path = xstrdup("standard output");
		af->kind = AF_STDOUT;
	} else {
		af->path = xstrdup(path);
		if (lstat(path, &af->old) == 0) {
			af->has_old = 1;
		} else if (errno != ENOENT) {
			r = err_errno(e, errno, "cannot write '%s'", path);
			goto fail;
		}
	}
	if (af->has_old) {
		if (flags & ATOMICFILE_NOREPLACE) {
			r = err_set(e, EEXIST, "'%s' exists", path);
			goto fail;
		}
		if (stat(path, &st) < 0) {
			/* A dangling symbolic link: do not create its
			 * target. */
			r = err_errno(e, errno, "cannot write '%s'", path);
			goto fail;
		}
		if (S_ISREG(st.st_mode) && is_stdout(&st)) {
			af->kind = AF_STDOUT;
		} else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) ||
			   S_ISSOCK(st.st_mode)) {
			af->kind = AF_SPECIAL;
		} else if (!S_ISREG(st.st_mode)) {
			r = err_set(e, EINVAL, "cannot write '%s': not a "
				    "regular file", path);
			goto fail;
		} else if (S_ISLNK(af->old.st_mode)) {
			r = err_set(e, EINVAL, "cannot write '%s': it is a "
				    "symbolic link; name the file it points "
				    "to", path);
			goto fail;
		}
	}
	if (af->kind == AF_STDOUT) {
		fflush(stdout);
		af->fd = STDOUT_FILENO;
	} else if (af->kind == AF_SPECIAL) {
		r = open_special(af, e);
	} else {
		af->fd = create_temp(path, &af->tmp, e);
		r = af->fd < 0 ? af->fd : 0;
	}
	if (r == 0)
		r = refuse_tty(af, e);
	if (r < 0)
		goto fail;
	*out = af;
	return 0;
fail:
	atomicfile_abort(af);
	return r;
}

void atomicfile_add(struct atomicfile *af, const void *buf, size_t len)
{
	if (!af->error)
		af->error = write_all(af->fd, buf, len);
}

void atomicfile_sink(void *arg, const char *buf, size_t len)
{
	atomicfile_add(arg, buf, len);
}

/* The temporary is complete: keep the old mode, sync, rename. */
static int finish_replace(struct atomicfile *af, struct err *e)
{
	const struct stat *old = af->has_old ? &af->old : NULL;
	int r = af->error;

	if (!r && old) {
		/* Keep the replaced file's owner (when allowed) and mode. */
		if (geteuid() == 0 &&
		    (old->st_uid != geteuid() || old->st_gid != getegid()))
			(void)!fchown(af->fd, old->st_uid, old->st_gid);
		if (fchmod(af->fd, old->st_mode & 07777) < 0)
			r = errno;
	}
	if (!r && fsync(af->fd) < 0 && errno != EINVAL)
		r = errno;
	if (close(af->fd) < 0 && !r && errno != EINTR)
		r = errno;
	af->fd = -1;
	if (!r && (af->flags & ATOMICFILE_NOREPLACE))
		r = rename_noreplace(af->tmp, af->path);
	else if (!r && rename(af->tmp, af->path) < 0)
		r = errno;
	if (r) {
		unlink(af->tmp);
		if (r == EEXIST && (af->flags & ATOMICFILE_NOREPLACE))
			return err_set(e, EEXIST, "'%s' exists", af->path);
		return err_errno(e, r, "cannot write '%s'", af->path);
	}
	return 0;
}

int atomicfile_commit(struct atomicfile *af, struct err *e)
{
	int r = 0;

	if (af->kind == AF_REPLACE) {
		r = finish_replace(af, e);
	} else {
		if (af->kind == AF_SPECIAL && close(af->fd) < 0 &&
		    !af->error && errno != EINTR)
			af->error = errno;
		if (af->error)
			r = err_errno(e, af->error, "cannot write '%s'",
				      af->path);
	}
	af_free(af);
	return r;
}

void atomicfile_abort(struct atomicfile *af)
{
	if (!af)
		return;
	if (af->kind != AF_STDOUT && af->fd >= 0)
		close(af->fd);
	if (af->tmp)
		unlink(af->tmp);
	af_free(af);
}

int atomicfile_write(const char *path, const void *buf, size_t len,
		     unsigned int flags, struct err *e)
{
	struct atomicfile *af;
	int r;

	r = atomicfile_open(path, flags, &af, e);
	if (r < 0)
		return r;
	atomicfile_add(af, buf, len);
	return atomicfile_commit(af, e);
}
