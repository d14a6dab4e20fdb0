/* The options of the interactive view (goscope PID, goscope top). */
#ifndef GOSCOPE_TUI_OPTS_H
#define GOSCOPE_TUI_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "snapshot/group.h"
#include "snapshot/leak.h"
#include "snapshot/rules.h"

struct capture_opts;

struct tui_opts {
	pid_t pid;		/* a live process, or 0 for files */
	char *const *files;	/* snapshot files, browsed in order */
	size_t nfiles;
	const char *exe;	/* the executable of the core files, or NULL */
	const char *baseline;	/* snapshot file to compare with, or NULL */
	uint64_t interval_ns;	/* auto-refresh interval */
	int once;		/* one snapshot, no auto-refresh */
	enum group_level level;
	int ascii;		/* no UTF-8 drawing characters */
	int no_color;
	const char *source_root;	/* where source files are, or NULL */
	struct leak_cfg leak;	/* the leak rule (leak_cfg_init) */
	const struct rules *rules;	/* ignore rules, or NULL */
	/* How a live process is captured (NULL: the defaults). */
	const struct capture_opts *capture;
};

/* The default auto-refresh interval. */
#define TUI_DEFAULT_INTERVAL_NS 2000000000ull

#endif
