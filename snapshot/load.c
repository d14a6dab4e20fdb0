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
#include "snapshot/threads.h"
#include "snapshot/load.h"
#include "snapshot/parse_go.h"
#include "snapshot/parse_json.h"
#include "lib/strbuf.h"
#include "lib/xmalloc.h"
#include "lib/readfile.h"
#include "lib/banned.h"


char *load_main_module(pid_t pid)
{
	struct elfinfo info;
	struct modinfo mi;
	struct elfgo go;
	char link[64], *mod = NULL;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
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

int load_file(const char *path, struct snap **out, struct load_info *info,
	      struct err *e)
{
	struct strbuf sb;
	int r;

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
