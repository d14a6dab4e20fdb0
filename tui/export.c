/* Snapshots and stacks the view saves: formats, paths and safe writes. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "snapshot/fmt_go.h"
#include "snapshot/fmt_json.h"
#include "snapshot/fmt_pprof.h"
#include "tui/export.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

static int has_suffix(const char *s, const char *suffix);
static int write_all(int fd, const char *buf, size_t len);
static int rename_noreplace(const char *from, const char *to);

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

enum export_format export_format_of(const char *path)
{
	if (has_suffix(path, ".txt") || has_suffix(path, ".dump"))
		return EXPORT_GO;
	if (has_suffix(path, ".pb.gz") || has_suffix(path, ".pprof") ||
	    has_suffix(path, ".pb"))
		return EXPORT_PPROF;
	return EXPORT_JSON;
}

const char *export_format_name(enum export_format f)
{
	switch (f) {
	case EXPORT_GO:
		return "go text";
	case EXPORT_PPROF:
		return "pprof";
	default:
		return "json";
	}
}

int export_render(const struct snap *s, enum export_format f,
		  struct strbuf *out, struct err *e)
{
	switch (f) {
	case EXPORT_GO:
		fmt_go_dump(s, 0, out);
		return 0;
	case EXPORT_PPROF:
		return fmt_pprof(s, out, e);
	default:
		fmt_json_snapshot(s, out);
		return 0;
	}
}

char *export_default_dir(void)
{
	const char *home = getenv("HOME");
	struct stat st;

	if (home && *home == '/' && stat(home, &st) == 0 &&
	    S_ISDIR(st.st_mode))
		return xstrdup(home);
	return xstrdup("/tmp");
}

char *export_expand(const char *path)
{
	const char *home = getenv("HOME");

	if (path[0] == '~' && (path[1] == '/' || !path[1]) && home && *home)
		return xasprintf("%s%s", home, path + 1);
	return xstrdup(path);
}

static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* rename(2) that fails with EEXIST instead of replacing to. */
static int rename_noreplace(const char *from, const char *to)
{
#ifdef SYS_renameat2
	if (syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to,
		    RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return -errno;
#endif
	/* Without renameat2: a hard link never replaces either. */
	if (link(from, to) < 0)
		return -errno;
	unlink(from);
	return 0;
}

int export_write(const char *path, const char *buf, size_t len,
		 int overwrite, struct err *e)
{
	const char *slash = strrchr(path, '/');
	char *tmp;
	int fd, r;

	if (!*path)
		return err_set(e, EINVAL, "no file name");
	if (!overwrite && access(path, F_OK) == 0)
		return err_set(e, EEXIST, "'%s' exists", path);
	if (slash)
		tmp = xasprintf("%.*s/.goscope-XXXXXX", (int)(slash - path),
				path);
	else
		tmp = xstrdup(".goscope-XXXXXX");
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = err_errno(e, errno, "cannot create a file next to '%s'",
			      path);
		free(tmp);
		return r;
	}
	r = write_all(fd, buf, len);
	if (r == 0 && fchmod(fd, 0644) < 0)
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		free(tmp);
		return err_errno(e, -r, "cannot write '%s'", path);
	}
	if (overwrite)
		r = rename(tmp, path) < 0 ? -errno : 0;
	else
		r = rename_noreplace(tmp, path);
	if (r < 0) {
		unlink(tmp);
		free(tmp);
		if (r == -EEXIST)
			return err_set(e, EEXIST, "'%s' exists", path);
		return err_errno(e, -r, "cannot write '%s'", path);
	}
	free(tmp);
	return 0;
}
