/* Snapshots and stacks the view saves: formats, paths and safe writes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/fmt_go.h"
#include "format/fmt_json.h"
#include "format/fmt_pprof.h"
#include "tui/export.h"
#include "lib/atomicfile.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

static int has_suffix(const char *s, const char *suffix);

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

int export_write(const char *path, const char *buf, size_t len,
		 int overwrite, struct err *e)
{
	if (!*path)
		return err_set(e, EINVAL, "no file name");
	return atomicfile_write(path, buf, len,
				overwrite ? 0 : ATOMICFILE_NOREPLACE, e);
}
