/* Runtime printing rules: status names, hidden frames and goroutines, names. */
#include <string.h>

#include "goruntime/traceback.h"
#include "lib/compiler.h"
#include "lib/banned.h"

static int is_exported_runtime(const char *name);

const char *gort_status_name(uint32_t status)
{
	static const char *const names[] = {
		"idle", "runnable", "running", "syscall", "waiting",
		"moribund", "dead", "enqueue", "copystack", "preempted",
		"leaked",
	};

	if (status < ARRAY_SIZE(names))
		return names[status];
	return "???";
}

/* runtime.isExportedRuntime */
static int is_exported_runtime(const char *name)
{
	const char *n, *dot;
	char c;

	if (strncmp(name, "runtime.", 8) || !name[8])
		return 0;
	n = name + 8;
	dot = strrchr(n, '.');
	if (dot) {
		const char *rcvr = n;
		size_t rl = (size_t)(dot - n);

		if (rl >= 3 && rcvr[0] == '(' && rcvr[1] == '*' &&
		    rcvr[rl - 1] == ')')
			rcvr += 2;
		n = dot + 1;
		if (!(rcvr[0] >= 'A' && rcvr[0] <= 'Z'))
			return 0;
	}
	c = n[0];
	return c >= 'A' && c <= 'Z';
}

int gort_frame_hidden(const char *name, int first)
{
	if (!strcmp(name, "runtime.gopanic") && !first)
		return 0;
	if (!strchr(name, '.'))
		return 1;
	return !strncmp(name, "runtime.", 8) && !is_exported_runtime(name);
}

int gort_funcid_is_wrapper(int minor, unsigned int funcid)
{
	if (minor >= 26)
		return funcid == 23;
	if (minor >= 22)
		return funcid == 22;
	return funcid == 21;
}

int gort_is_system(const char *start_func, int waiting)
{
	if (!start_func)
		return 0;
	if (!strcmp(start_func, "runtime.main") ||
	    !strcmp(start_func, "runtime.corostart") ||
	    !strcmp(start_func, "runtime.handleAsyncEvent"))
		return 0;
	if (!strcmp(start_func, "runtime.runfinq") ||
	    !strcmp(start_func, "runtime.runFinalizers") ||
	    !strcmp(start_func, "runtime.runCleanups"))
		return waiting;
	return !strncmp(start_func, "runtime.", 8);
}

void gort_print_func_name(struct strbuf *sb, const char *name)
{
	const char *i, *j;

	if (!strcmp(name, "runtime.gopanic")) {
		strbuf_adds(sb, "panic");
		return;
	}
	i = strchr(name, '[');
	j = strrchr(name, ']');
	if (!i || !j || j <= i) {
		strbuf_adds(sb, name);
		return;
	}
	strbuf_add(sb, name, (size_t)(i - name));
	strbuf_adds(sb, "[...]");
	strbuf_adds(sb, j + 1);
}

int gort_is_top_func(const char *name)
{
	static const char *const top[] = {
		"runtime.goexit", "runtime.mstart", "runtime.mcall",
		"runtime.morestack", "runtime.rt0_go",
	};
	size_t k;

	for (k = 0; k < ARRAY_SIZE(top); k++)
		if (!strcmp(name, top[k]))
			return 1;
	return 0;
}
