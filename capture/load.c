/* Loading snapshots from live processes, JSON files and Go dump texts. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buildinfo/elfinfo.h"
#include "buildinfo/modinfo.h"
#include "inspect/core.h"
#include "capture/capture.h"
#include "capture/threads.h"
#include "capture/load.h"
#include "format/parse_go.h"
#include "format/parse_json.h"
#include "capture/threads.h"
#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "lib/readfile.h"
#include "lib/banned.h"

static char *main_module(const char *link);
static int is_core(int fd);

char *load_main_module(pid_t pid)
{
	char link[64];

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	return main_module(link);
}

static char *main_module(const char *link)
{
	struct elfinfo info;
	struct modinfo mi;
	struct elfgo go;
	char *mod = NULL;

	if (elfinfo_read_file(link, &info, &go, NULL) < 0)
		return NULL;
	elfinfo_release(&info);
	if (go.found && go.go.modinfo &&
	    modinfo_parse(go.go.modinfo, &mi, NULL) == 0 && mi.has_main &&
	    mi.main.path && mi.main.path[0])
		mod = xstrdup(mi.main.path);
	if (go.found && go.go.modinfo)
		modinfo_release(&mi);
	elfgo_release(&go);
	return mod;
}

int load_pid(pid_t pid, const struct capture_opts *o, struct snap **out,
	     struct err *e)
{
	char *mod;
	int r;

	r = capture_pid(pid, o, out, e);
	if (r < 0)
		return r;
	mod = load_main_module(pid);
	(*out)->main_module = snap_intern(*out, mod);
	free(mod);
	return 0;
}

int load_buffer(const char *name, const char *buf, size_t len,
		struct snap **out, struct load_info *info, struct err *e)
{
	struct load_info dummy;
	size_t i = 0;
	int r;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' ||
			   buf[i] == '\r'))
		i++;
	if (len >= 2 && (unsigned char)buf[0] == 0x1f &&
	    (unsigned char)buf[1] == 0x8b)
		return err_set(e, EINVAL, "'%s': gzip data (a pprof profile?); "
			       "goscope reads its JSON snapshots and Go's "
			       "goroutine dumps", name);
	if (i < len && buf[i] == '{') {
		info->kind = LOAD_JSON;
		r = parse_json_snapshot(buf, len, out, e);
	} else {
		info->kind = LOAD_GO_TEXT;
		r = parse_go_dump(buf, len, out, &info->warn, e);
	}
	if (r < 0)
		return err_prefix(e, "'%s'", name);
	return 0;
}

int load_core(const char *path, const char *exe,
	      const struct capture_opts *co, struct snap **out, struct err *e)
{
	struct threads_opts o;
	char *mod;
	int r;

	memset(&o, 0, sizeof(o));
	o.flags = THREADS_GO_ONLY;
	o.capture = co;
	r = threads_capture_core(path, exe, &o, out, e);
	if (r < 0)
		return r;
	mod = main_module((*out)->exe);
	(*out)->main_module = snap_intern(*out, mod);
	free(mod);
	return 0;
}

int load_core_exe(const char *path, const char *exe, char **out,
		  struct err *e)
{
	struct core *c = NULL;
	uint64_t bias;
	int fd, core, r;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return exe ? err_errno(e, errno, "cannot open '%s'", path) : 0;
	core = is_core(fd);
	close(fd);
	if (!core)
		return exe ? err_set(e, EINVAL, "'%s' is not a core file: an "
				     "executable goes only with a core",
				     path) : 0;
	r = core_open(path, 0, &c, e);
	if (r == 0)
		r = core_resolve_exe(c, exe, out, &bias, e);
	core_free(c);
	return r;
}

/*
 * Whether the file open as fd is an ELF core or a compressed stream, taken
 * as a compressed core (the offset is kept at 0).
 */
static int is_core(int fd)
{
	unsigned char head[64];
	ssize_t n = pread(fd, head, sizeof(head), 0);

	return n > 0 && core_looks_like(head, (size_t)n);
}

int load_is_core(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), core;

	if (fd < 0)
		return 0;
	core = is_core(fd);
	close(fd);
	return core;
}

int load_file(const char *path, struct snap **out, struct load_info *info,
	      struct err *e)
{
	return load_file_exe(path, NULL, NULL, out, info, e);
}

int load_file_exe(const char *path, const char *exe,
		  const struct capture_opts *co, struct snap **out,
		  struct load_info *info, struct err *e)
{
	struct strbuf sb;
	int r;

	if (strcmp(path, "-") != 0) {
		if (load_is_core(path)) {
			if (info) {
				memset(info, 0, sizeof(*info));
				info->kind = LOAD_CORE;
			}
			return load_core(path, exe, co, out, e);
		}
	}
	if (exe)
		return err_set(e, EINVAL, "'%s' is not a core file: an "
			       "executable goes only with a core", path);
	strbuf_init(&sb);
	if (!strcmp(path, "-")) {
		path = "(standard input)";
		r = readfile_fd(0, path, LOAD_MAX_FILE, &sb, e);
	} else {
		r = readfile_path(path, LOAD_MAX_FILE, 0, &sb, e);
	}
	if (r == 0)
		r = load_buffer(path, sb.buf, sb.len, out, info, e);
	strbuf_release(&sb);
	return r;
}
