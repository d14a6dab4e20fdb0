/* The interactive view's state and the operations its keys perform. */
#ifndef GOSCOPE_TUI_APP_H
#define GOSCOPE_TUI_APP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/strbuf.h"
#include "tui/feed.h"
#include "tui/model.h"
#include "tui/source.h"
#include "tui/opts.h"

enum tui_screen {
	SCR_GROUPS, SCR_GOROUTINES, SCR_STACK, SCR_THREADS, SCR_BUILD,
	SCR_DIFF, SCR_LEAKS, SCR_HELP, SCR_COUNT,
};

/*
 * What a key handler or a result did; the main loop acts on these (the
 * key table, tui/keys.h, returns them too).
 */
enum keys_result {
	KEYS_HANDLED = 1 << 0,
	KEYS_REDRAW = 1 << 1,	/* draw again */
	KEYS_RESCAN = 1 << 2,	/* rebuild rows from the snapshot, draw */
	KEYS_QUIT = 1 << 3,
};

#define SCR_BIT(s) (1u << (s))
#define SCR_ALL ((1u << SCR_COUNT) - 1)
/* Screens with a selectable list. */
#define SCR_LISTS (SCR_BIT(SCR_GROUPS) | SCR_BIT(SCR_GOROUTINES) | \
		   SCR_BIT(SCR_STACK) | SCR_BIT(SCR_THREADS) | \
		   SCR_BIT(SCR_DIFF) | SCR_BIT(SCR_LEAKS))
/* Screens that show native stacks: their snapshots include them. */
#define SCR_NATIVE SCR_BIT(SCR_THREADS)

/* A list's selection, kept by a stable tag across rebuilds. */
struct list_state {
	size_t sel, top;
	uint64_t tag;
	int tagged;
	int page;		/* rows visible at the last draw */
	int row_y;		/* the screen line of row top, at that draw */
};

enum prompt_kind {
	PROMPT_NONE, PROMPT_FILTER, PROMPT_EXPORT,
	PROMPT_OVERWRITE,	/* y: replace pending_path */
	PROMPT_GOTO,		/* a goroutine id */
	PROMPT_SAVE_STACK,	/* where to save the stack as text */
	PROMPT_SEARCH,		/* a text to find in the rows */
};

#define APP_MAX_BACK 16

struct app {
	const struct tui_opts *o;
	pid_t pid;
	int offline;		/* browsing files */
	/* Facts about the process for the header and the build screen. */
	char *exe;
	char *go_version;
	char *module;		/* main module@version */
	char *vcs;		/* revision, "+dirty" */
	long long start_time;	/* seconds since the epoch, 0 unknown */
	int is_go;
	char *not_go;		/* why goroutines are not shown */
	struct strbuf build;	/* the build screen's text */

	struct model m;
	struct feed *feed;

	/* Offline: every file's snapshot, in order (owned). */
	struct snap **files;
	char **names;
	size_t nloaded, file_cur;

	/* Refreshing. */
	int autorefresh;
	uint64_t interval_ns;
	uint64_t next_due;	/* monotonic ns of the next auto snapshot */
	int gone;		/* the process exited */
	int native;		/* the current snapshot has native stacks */
	char *error;		/* the last capture error, or NULL */
	uint64_t took_ns;	/* wall time of the last capture */
	size_t nsnaps;		/* snapshots received */

	/* Navigation. */
	enum tui_screen screen;
	enum tui_screen back[APP_MAX_BACK];
	size_t nback;
	struct list_state lists[SCR_COUNT];
	uint64_t group_id;	/* the goroutines screen's group */
	uint64_t goid;		/* the stack screen's goroutine */
	struct model_filter filter;
	enum model_sort sort;
	int reverse;		/* the sort key's order turned round */
	unsigned int hide;	/* enum model_hide: noise left out */
	struct model_order order;	/* the groups screen's last order */
	size_t nsuspects;	/* leak suspects in the current snapshot */
	size_t nhidden;		/* groups the groups screen leaves out */
	int hscroll;		/* the stack screen's first column */

	/* Rows of the list screens, rebuilt from the current snapshot. */
	unsigned int fresh;	/* SCR_BIT of screens whose rows are current */
	struct model_row *rows, *leaks;
	size_t nrows, arows, nleaks, aleaks;
	size_t *members;
	size_t nmembers, amembers;
	long gidx;		/* the stack screen's goroutine, or -1 */
	size_t nframes;		/* the stack screen's rows */
	size_t *drows;		/* the diff screen's rows: diff groups */
	size_t ndrows, adrows;
	/* The diff the feed is computing, until its result arrives. */
	const struct snap *diff_asked_a, *diff_asked_b;
	int diff_asked;
	struct strbuf help;	/* the help screen's text */
	size_t *line_off;	/* line starts of the build or help text */
	size_t nlines, alines;

	/* The line editor of the footer. */
	enum prompt_kind prompt;
	struct strbuf input;
	char *prompt_saved;	/* the filter before editing began */
	char *pending_path;	/* PROMPT_OVERWRITE: the file to replace */
	char *search;		/* the last search text, or NULL */
	struct strbuf pending;	/* and what to write into it */
	char msg[256];
	int msg_error;
	uint64_t msg_until;

	/* Display. */
	int ascii, color;
	struct source_cache src;
	int src_ok;		/* src holds the stack screen's frame's file */
	int quit;
};

/* "groups", "goroutines", ... */
const char *app_screen_name(enum tui_screen s);

/* Sets up a with the options (nothing is drawn or started). */
void app_init(struct app *a, const struct tui_opts *o);
/*
 * Reads what the header and the build screen show about the live
 * process (its build information, from its memory).
 */
void app_load_facts(struct app *a);
void app_release(struct app *a);

/* Handles one result of the feed; returns KEYS_* flags. */
int app_on_result(struct app *a, struct feed_result *r);
/* Asks the feed for a snapshot now, if it is idle. */
void app_snapshot_now(struct app *a);
/* Called on every turn of the loop: starts due auto-refreshes. */
void app_tick(struct app *a, uint64_t now);

/* Opens the footer's line editor for kind with text (may be NULL). */
void app_prompt_open(struct app *a, enum prompt_kind kind, const char *text);

/* Marks every screen's rows stale. */
void app_invalidate(struct app *a);

/* Shows a message in the footer for a few seconds. */
void app_message(struct app *a, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Writes the current snapshot to path ("~" expanded), in the format its
 * suffix names (.json, .txt: the Go dump, .pb.gz/.pprof), never over an
 * existing file: then it asks (PROMPT_OVERWRITE).  Returns 0 or -errno.
 */
int app_export(struct app *a, const char *path);
/*
 * Writes the text of the stack screen's goroutine to path the same way.
 */
int app_save_stack(struct app *a, const char *path);
/* Appends the stack screen's goroutine as the runtime prints it. */
int app_stack_text(struct app *a, struct strbuf *out);
/* Answers PROMPT_OVERWRITE: yes writes the pending file. */
void app_overwrite(struct app *a, int yes);
/* A default file name for app_export, under $HOME (caller frees). */
char *app_export_name(const struct app *a);

/* Offline: the header's facts and the build text of the current file. */
void app_offline_facts(struct app *a);

/* Offline: shows file idx (0-based). */
void app_show_file(struct app *a, size_t idx);

#endif
