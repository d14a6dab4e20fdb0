/* Unit tests for lib/atomicfile.c: what a safe output file must refuse. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/atomicfile.h"
#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

static char dir[64];

static char *path_in(const char *name);
static char *slurp(const char *path);
static int count_entries(void);
static int setup(void **state);
static int teardown(void **state);
static void test_create_replace(void **state);
static void test_keeps_mode(void **state);
static void test_refuses(void **state);
static void test_devices(void **state);
static void test_write_error(void **state);
static void test_stream(void **state);

static char *path_in(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static char *slurp(const char *path)
{
	struct strbuf sb;
	char buf[256];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	strbuf_init(&sb);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(&sb, buf, (size_t)n);
	close(fd);
	return strbuf_detach(&sb, NULL);
}

/* Entries in the test directory: a leftover temporary shows up here. */
static int count_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/t_atomicfile.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	(void)state;
	(void)!system(cmd);
	free(cmd);
	return 0;
}

static void test_create_replace(void **state)
{
	char *p = path_in("out.txt");
	struct err e;
	char *s;

	(void)state;
	err_init(&e);
	assert_int_equal(atomicfile_write(p, "one\n", 4, 0, &e), 0);
	s = slurp(p);
	assert_string_equal(s, "one\n");
	free(s);
	assert_int_equal(atomicfile_write(p, "two", 3, 0, &e), 0);
	s = slurp(p);
	assert_string_equal(s, "two");
	free(s);
	assert_int_equal(count_entries(), 1);
	/* Without replacing: an existing file is left alone. */
	err_init(&e);
	assert_int_equal(atomicfile_write(p, "three", 5, ATOMICFILE_NOREPLACE,
					  &e), -EEXIST);
	s = slurp(p);
	assert_string_equal(s, "two");
	free(s);
	unlink(p);
	assert_int_equal(atomicfile_write(p, "four", 4, ATOMICFILE_NOREPLACE,
					  &e), 0);
	s = slurp(p);
	assert_string_equal(s, "four");
	free(s);
	assert_int_equal(count_entries(), 1);
	unlink(p);
	free(p);
}

static void test_keeps_mode(void **state)
{
	char *p = path_in("mode.txt");
	struct stat st;
	struct err e;
	int fd;

	(void)state;
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, 0640), 0);
	close(fd);
	assert_int_equal(atomicfile_write(p, "x", 1, 0, &e), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	unlink(p);
	free(p);
}

static void test_refuses(void **state)
{
	char *p = path_in("victim");
	char *l = path_in("link");
	char *d = path_in("sub");
	struct err e;
	char *s;
	int fd;

	(void)state;
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "keep", 4), 4);
	close(fd);
	/* A symbolic link to a regular file is neither followed nor
	 * replaced. */
	assert_int_equal(symlink(p, l), 0);
	err_init(&e);
	assert_true(atomicfile_write(l, "evil", 4, 0, &e) < 0);
	assert_non_null(strstr(e.msg, "symbolic link"));
	assert_null(strchr(e.msg, '\n'));
	s = slurp(p);
	assert_string_equal(s, "keep");
	free(s);
	/* A dangling link is not created through. */
	unlink(p);
	err_init(&e);
	assert_true(atomicfile_write(l, "evil", 4, 0, &e) < 0);
	assert_int_equal(access(p, F_OK), -1);
	/* A directory is not a file. */
	assert_int_equal(mkdir(d, 0700), 0);
	err_init(&e);
	assert_true(atomicfile_write(d, "x", 1, 0, &e) < 0);
	assert_non_null(strstr(e.msg, "not a regular file"));
	/* No temporary was left behind by any refusal. */
	assert_int_equal(count_entries(), 2);
	unlink(l);
	rmdir(d);
	free(p);
	free(l);
	free(d);
}

static void test_devices(void **state)
{
	char *f = path_in("fifo");
	struct stat st;
	struct err e;
	char buf[8];
	int rfd;

	(void)state;
	/* /dev/null is written in place, not replaced by a regular file. */
	err_init(&e);
	assert_int_equal(atomicfile_write("/dev/null", "x", 1, 0, &e), 0);
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	/* A full device is an error, not a silent success. */
	if (access("/dev/full", W_OK) == 0) {
		err_init(&e);
		assert_int_equal(atomicfile_write("/dev/full", "x", 1, 0, &e),
				 -ENOSPC);
		assert_non_null(strstr(e.msg, "/dev/full"));
	}
	/* A FIFO stays a FIFO and receives the bytes. */
	assert_int_equal(mkfifo(f, 0600), 0);
	rfd = open(f, O_RDONLY | O_NONBLOCK);
	assert_true(rfd >= 0);
	err_init(&e);
	assert_int_equal(atomicfile_write(f, "abc", 3, ATOMICFILE_BINARY, &e),
			 0);
	assert_int_equal(read(rfd, buf, sizeof(buf)), 3);
	close(rfd);
	assert_int_equal(lstat(f, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	unlink(f);
	free(f);
	/* Binary bytes are refused on a terminal; text is written. */
	rfd = posix_openpt(O_RDWR | O_NOCTTY);
	if (rfd >= 0 && grantpt(rfd) == 0 && unlockpt(rfd) == 0) {
		const char *pts = ptsname(rfd);

		assert_non_null(pts);
		err_init(&e);
		assert_true(atomicfile_write(pts, "\x1f\x8b", 2,
					     ATOMICFILE_BINARY, &e) < 0);
		assert_non_null(strstr(e.msg, "terminal"));
		assert_int_equal(atomicfile_write(pts, "ok\n", 3, 0, &e), 0);
	}
	if (rfd >= 0)
		close(rfd);
}

/* A write that fails half way (here: a file size limit) leaves the old
 * file untouched and no temporary behind. */
static void test_write_error(void **state)
{
	char *p = path_in("big");
	size_t len = 1 << 16;
	char *big = xcalloc(1, len);
	pid_t pid;
	int st;
	char *s;

	(void)state;
	assert_int_equal(atomicfile_write(p, "old", 3, 0, NULL), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 4096, 4096 };
		struct err e;
		int r;

		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		err_init(&e);
		r = atomicfile_write(p, big, len, 0, &e);
		_exit(r == -EFBIG && strstr(e.msg, p) ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	s = slurp(p);
	assert_string_equal(s, "old");
	free(s);
	assert_int_equal(count_entries(), 1);
	unlink(p);
	free(p);
	free(big);
}

/*
 * A streamed strbuf hands its chunks to the file as they come: the path
 * keeps its old contents until the commit, then has every byte; an abort
 * leaves the old file and no temporary.
 */
static void test_stream(void **state)
{
	char *p = path_in("stream");
	struct atomicfile *af;
	struct strbuf sb;
	struct err e;
	size_t i, want = 0, flushes = 0;
	char *s;

	(void)state;
	err_init(&e);
	assert_int_equal(atomicfile_write(p, "old", 3, 0, &e), 0);
	assert_int_equal(atomicfile_open(p, 0, &af, &e), 0);
	strbuf_init(&sb);
	strbuf_set_sink(&sb, atomicfile_sink, af);
	for (i = 0; i < 100000; i++) {
		strbuf_addu64(&sb, i);
		strbuf_addc(&sb, '\n');
		want += (size_t)snprintf(NULL, 0, "%zu\n", i);
		if (sb.len >= STRBUF_SINK_CHUNK)
			flushes++;
		strbuf_flush_point(&sb);
		/* Never more than a chunk and a record held. */
		assert_true(sb.len < STRBUF_SINK_CHUNK);
	}
	assert_true(flushes > 1);
	s = slurp(p);
	assert_string_equal(s, "old");
	free(s);
	strbuf_flush(&sb);
	assert_int_equal(sb.len, 0);
	assert_int_equal(atomicfile_commit(af, &e), 0);
	s = slurp(p);
	assert_int_equal(strlen(s), want);
	assert_memory_equal(s, "0\n1\n2\n", 6);
	assert_string_equal(s + want - 6, "99999\n");
	free(s);
	assert_int_equal(count_entries(), 1);

	assert_int_equal(atomicfile_open(p, 0, &af, &e), 0);
	atomicfile_add(af, "new", 3);
	atomicfile_abort(af);
	assert_int_equal(count_entries(), 1);
	s = slurp(p);
	assert_int_equal(strlen(s), want);
	free(s);
	/* The same refusals as a whole write. */
	assert_true(atomicfile_open(p, ATOMICFILE_NOREPLACE, &af, &e) < 0);
	assert_non_null(strstr(e.msg, "exists"));
	assert_true(atomicfile_open("", 0, &af, &e) < 0);
	strbuf_release(&sb);
	unlink(p);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_replace),
		cmocka_unit_test(test_keeps_mode),
		cmocka_unit_test(test_refuses),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_stream),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
