/* The key table, its handlers, the footer hints and the line editor. */
#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/export.h"
#include "tui/keys.h"
#include "tui/nav.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define K_ESC 27
#define K_CTRL_L 12

static int h_quit(struct app *a, int key);
static int h_help(struct app *a, int key);
static int h_back(struct app *a, int key);
static int h_open(struct app *a, int key);
static int h_filter(struct app *a, int key);
static int h_sort(struct app *a, int key);
static int h_level(struct app *a, int key);
static int h_merge(struct app *a, int key);
static int h_snap(struct app *a, int key);
static int h_auto(struct app *a, int key);
static int h_interval(struct app *a, int key);
static int h_baseline(struct app *a, int key);
static int h_unbaseline(struct app *a, int key);
static int h_export(struct app *a, int key);
static int h_parent(struct app *a, int key);
static int h_screen(struct app *a, int key);
static int h_file(struct app *a, int key);
static int h_move(struct app *a, int key);
static int h_redraw(struct app *a, int key);
static int h_reverse(struct app *a, int key);
static int h_hide(struct app *a, int key);
static int h_hscroll(struct app *a, int key);
static int h_goto(struct app *a, int key);
static int h_search(struct app *a, int key);
static int h_next(struct app *a, int key);
static int h_mouse(struct app *a, int key);
static int h_copy(struct app *a, int key);
static int h_save_stack(struct app *a, int key);
static void base64(const unsigned char *p, size_t n, struct strbuf *out);
static void fmt_duration(char *buf, size_t size, uint64_t ns);
static void prompt_close(struct app *a);
static int prompt_commit(struct app *a);
static int filter_apply(struct app *a, const char *text, int quiet);

#define S(x) SCR_BIT(SCR_##x)
#define LISTS (SCR_LISTS | S(BUILD) | S(HELP))
#define NOT_HELP (SCR_ALL & ~S(HELP))
#define OPENABLE (S(GROUPS) | S(GOROUTINES) | S(DIFF) | S(LEAKS) | \
		  S(STACK) | S(THREADS))

/* In order of importance: the footer shows as many as fit. */
const struct key_binding keys_table[] = {
	{ 'q', "q", "quit: the process keeps running (also F10)", SCR_ALL,
	  h_quit },
	{ KEY_F(10), NULL, NULL, SCR_ALL, h_quit },
	{ '?', "?", "help: this list of keys (also F1)", NOT_HELP, h_help },
	{ KEY_F(1), NULL, NULL, NOT_HELP, h_help },
	{ 'l', "l", "leaks: the leak suspects, groups the leak rule finds "
	  "growing over its window", SCR_ALL & ~S(LEAKS), h_screen },
	{ '\n', "enter", "open: the selected group, goroutine, parent, or "
	  "the goroutine a thread runs", OPENABLE, h_open },
	{ '\r', NULL, NULL, OPENABLE, h_open },
	{ KEY_ENTER, NULL, NULL, OPENABLE, h_open },
	{ KEY_RIGHT, NULL, NULL, OPENABLE, h_open },
	{ K_ESC, "esc", "back: to the previous screen", SCR_ALL & ~S(GROUPS),
	  h_back },
	{ KEY_LEFT, NULL, NULL, SCR_ALL & ~S(GROUPS), h_back },
	{ KEY_BACKSPACE, NULL, NULL, SCR_ALL & ~S(GROUPS), h_back },
	{ 127, NULL, NULL, SCR_ALL & ~S(GROUPS), h_back },
	{ '?', NULL, NULL, S(HELP), h_back },
	{ '/', "/", "filter: groups whose functions, files, wait reason, "
	  "creator or labels contain the text (~REGEX: a regular "
	  "expression; empty: all); on other screens, search: the next "
	  "row with the text", S(GROUPS) | S(LEAKS), h_filter },
	{ '/', NULL, NULL, LISTS & ~(S(GROUPS) | S(LEAKS)), h_search },
	{ 'n', "n/N", "next: the next or previous row the search (or, on "
	  "groups, the filter) finds", LISTS, h_next },
	{ 'N', NULL, NULL, LISTS, h_next },
	{ 's', "s", "sort: by count, change since the previous snapshot, "
	  "longest wait, name, state or growth over the leak window "
	  "(suspects stay first)", S(GROUPS) | S(LEAKS), h_sort },
	{ 'S', "S", "reverse: the sort order", S(GROUPS) | S(LEAKS),
	  h_reverse },
	{ 'H', "H", "hide busy: running and runnable groups on or off",
	  S(GROUPS), h_hide },
	{ '1', "1", "hide singles: groups of one goroutine on or off",
	  S(GROUPS), h_hide },
	{ 'v', "v", "level: how alike stacks must be to share a group "
	  "(lines, functions, exact)", S(GROUPS) | S(LEAKS) | S(DIFF),
	  h_level },
	{ 'm', "m", "merge: one row per stack whatever the states of its "
	  "goroutines (STATE lists them: chan receive 840, select 10); m "
	  "again: a row per state and stack", S(GROUPS) | S(LEAKS) | S(DIFF),
	  h_merge },
	{ 'p', "p", "parent: the goroutine that created this one",
	  S(STACK), h_parent },
	{ 'G', "G", "goto: the stack of a goroutine by its id", NOT_HELP,
	  h_goto },
	{ 'c', "c", "copy: the stack to the clipboard (OSC 52: the terminal "
	  "must allow it)", S(STACK), h_copy },
	{ 'w', "w", "write: the stack to a text file", S(STACK),
	  h_save_stack },
	{ 'r', "r", "snapshot: take one now", NOT_HELP | KEYS_LIVE, h_snap },
	{ 'a', "a", "auto: auto-refresh on or off", NOT_HELP | KEYS_LIVE,
	  h_auto },
	{ '+', "+/-", "interval: longer or shorter auto-refresh interval",
	  NOT_HELP | KEYS_LIVE, h_interval },
	{ '-', NULL, NULL, NOT_HELP | KEYS_LIVE, h_interval },
	{ 'b', "b", "baseline: mark the current snapshot (diff, "
	  "delta-baseline column)", NOT_HELP, h_baseline },
	{ 'B', "B", "unmark: forget the baseline", NOT_HELP, h_unbaseline },
	{ 'e', "e", "export: write the current snapshot (.json, .txt: the "
	  "Go dump, .pb.gz: pprof); an existing file is replaced only "
	  "after y", NOT_HELP, h_export },
	{ '[', "[ ]", "file: previous or next snapshot file",
	  NOT_HELP | KEYS_FILES, h_file },
	{ ']', NULL, NULL, NOT_HELP | KEYS_FILES, h_file },
	{ 'g', "g", "groups: goroutines grouped by state and stack",
	  SCR_ALL & ~S(GROUPS), h_screen },
	{ 'd', "d", "diff: the current snapshot against the baseline",
	  SCR_ALL & ~S(DIFF), h_screen },
	{ 't', "t", "threads: native threads, their Ms and goroutines (from "
	  "a stack: its thread)", SCR_ALL & ~S(THREADS), h_screen },
	{ 'i', "i", "build: the build information of the program",
	  SCR_ALL & ~S(BUILD), h_screen },
	{ KEY_UP, "up/down", "move: the selection (also k, j)", LISTS,
	  h_move },
	{ KEY_DOWN, NULL, NULL, LISTS, h_move },
	{ 'k', NULL, NULL, LISTS, h_move },
	{ 'j', NULL, NULL, LISTS, h_move },
	{ KEY_PPAGE, "pgup/pgdn", "page: up or down a page", LISTS, h_move },
	{ KEY_NPAGE, NULL, NULL, LISTS, h_move },
	{ KEY_HOME, "home/end", "ends: first or last row", LISTS, h_move },
	{ KEY_END, NULL, NULL, LISTS, h_move },
	{ '>', "< >", "scroll: the stack's names left or right", S(STACK),
	  h_hscroll },
	{ '<', NULL, NULL, S(STACK), h_hscroll },
	{ KEY_SRIGHT, NULL, NULL, S(STACK), h_hscroll },
	{ KEY_SLEFT, NULL, NULL, S(STACK), h_hscroll },
	{ KEY_MOUSE, "mouse", "mouse: the wheel scrolls, a click selects, a "
	  "double click opens", SCR_ALL, h_mouse },
	{ K_CTRL_L, "^L", "redraw: the whole screen", SCR_ALL, h_redraw },
};

const size_t keys_count = sizeof(keys_table) / sizeof(keys_table[0]);

static const uint64_t intervals[] = {
	250000000ull, 500000000ull, 1000000000ull, 2000000000ull,
	5000000000ull, 10000000000ull, 30000000000ull, 60000000000ull,
};

static void fmt_duration(char *buf, size_t size, uint64_t ns)
{
	if (ns < 1000000000ull)
		snprintf(buf, size, "%llums",
			 (unsigned long long)(ns / 1000000));
	else if (ns % 1000000000ull == 0)
		snprintf(buf, size, "%llus",
			 (unsigned long long)(ns / 1000000000ull));
	else
		snprintf(buf, size, "%.1fs", (double)ns / 1e9);
}

int keys_applies(const struct app *a, const struct key_binding *k)
{
	if (!(k->screens & SCR_BIT(a->screen)))
		return 0;
	if ((k->screens & KEYS_LIVE) && a->offline)
		return 0;
	if ((k->screens & KEYS_FILES) && !a->offline)
		return 0;
	return 1;
}

int keys_dispatch(struct app *a, int key)
{
	size_t i;

	for (i = 0; i < keys_count; i++)
		if (keys_table[i].key == key &&
		    keys_applies(a, &keys_table[i]))
			return keys_table[i].handler(a, key) | KEYS_HANDLED;
	return 0;
}

void keys_footer(const struct app *a, struct strbuf *out)
{
	size_t i;
	int n;

	for (i = 0; i < keys_count; i++) {
		const struct key_binding *k = &keys_table[i];
		const char *colon;

		if (!k->name || !keys_applies(a, k))
			continue;
		colon = strchr(k->help, ':');
		n = colon ? (int)(colon - k->help) : (int)strlen(k->help);
		if (out->len)
			strbuf_adds(out, "  ");
		strbuf_addf(out, "%s %.*s", k->name, n, k->help);
	}
}

void keys_help(const struct app *a, struct strbuf *out)
{
	size_t i;

	(void)a;
	strbuf_adds(out, "Keys\n");
	for (i = 0; i < keys_count; i++) {
		const struct key_binding *k = &keys_table[i];
		struct strbuf where;
		int s, n = 0;

		if (!k->name)
			continue;
		strbuf_init(&where);
		if ((k->screens & SCR_ALL) == SCR_ALL ||
		    (k->screens & SCR_ALL) == (SCR_ALL & ~S(HELP)))
			strbuf_adds(&where, "every screen");
		else
			for (s = 0; s < SCR_COUNT; s++)
				if (k->screens & SCR_BIT(s))
					strbuf_addf(&where, "%s%s",
						    n++ ? ", " : "",
						    app_screen_name(s));
		if (k->screens & KEYS_LIVE)
			strbuf_adds(&where, "; live processes");
		if (k->screens & KEYS_FILES)
			strbuf_adds(&where, "; snapshot files");
		strbuf_addf(out, "  %-10s %s\n  %-10s   (%s)\n", k->name,
			    k->help, "", where.buf);
		strbuf_release(&where);
	}
	strbuf_adds(out,
		"\n"
		"Groups screen\n"
		"  COUNT      goroutines in the group\n"
		"  PREV       change since the previous snapshot\n"
		"  BASE       change since the baseline (b marks one)\n"
		"  TREND      the count over the last snapshots, every row "
		"on one scale\n"
		"             from zero: the header says its top (TREND<=840: "
		"a full block\n"
		"             is 840 goroutines), the largest count of the "
		"rows shown;\n"
		"             the lowest block: at least one goroutine; a "
		"dot: none in\n"
		"             that snapshot; a cross (x): no sample, the "
		"process could\n"
		"             not be captured then; blank: before the view "
		"started (or\n"
		"             a level or merge change restarted the trends)\n"
		"  STATE      the state or wait reason; with m (states "
		"merged), every\n"
		"             state of the stack's goroutines with its count, "
		"largest first\n"
		"             (chan receive 840, select 10)\n"
		"  WAIT       ~2m: the longest wait of its goroutines by the "
		"runtime's\n"
		"             waitsince, which its GC stamps (approximate); "
		"else >=30s:\n"
		"             goscope first saw its oldest goroutine that "
		"long ago\n"
		"  FUNCTION   the first frame of the program (else the first "
		"outside\n"
		"             the runtime), without the main module's path; "
		"[...] tells\n"
		"             it from a look-alike group; the line below the "
		"list has\n"
		"             the whole names\n"
		"  +          the group grew since the previous snapshot\n"
		"  !          it grew over the leak window and did not fall "
		"back: a\n"
		"             leak suspect (--window, --tolerance, --noise);\n"
		"             suspects stay at the top whatever the sort\n"
		"  ^          it grew in each of the last 3 snapshots while "
		"the leak\n"
		"             rule has no verdict yet (its window is not "
		"covered):\n"
		"             next below the suspects\n"
		"  v ^        the sort column and its direction (S reverses)\n"
		"\n"
		"Rows keep their places while counts change a little; the "
		"selection\n"
		"follows its group.\n"
		"\n"
		"Goroutines are grouped when they are in the same state with "
		"the same\n"
		"stack (functions and lines) and creation site; v changes "
		"how alike\n"
		"stacks must be, m merges the states of one stack into one "
		"row.\n"
		"The process is stopped only while a snapshot is copied; "
		"quitting,\n"
		"Ctrl-C and SIGTERM leave it running.\n");
}

static int h_quit(struct app *a, int key)
{
	(void)key;
	a->quit = 1;
	return KEYS_QUIT;
}

static int h_help(struct app *a, int key)
{
	(void)key;
	strbuf_reset(&a->help);
	keys_help(a, &a->help);
	/* From the top, whatever an earlier visit scrolled to. */
	memset(&a->lists[SCR_HELP], 0, sizeof(a->lists[SCR_HELP]));
	nav_goto(a, SCR_HELP);
	return KEYS_RESCAN;
}

static int h_back(struct app *a, int key)
{
	(void)key;
	nav_back(a);
	return KEYS_RESCAN;
}

/* Through the screen's mode; what it did decides the redraw. */
static int h_open(struct app *a, int key)
{
	(void)key;
	return nav_open(a) | KEYS_REDRAW;
}

static int h_filter(struct app *a, int key)
{
	(void)key;
	app_prompt_open(a, PROMPT_FILTER, a->filter.text);
	return KEYS_REDRAW;
}

static int h_sort(struct app *a, int key)
{
	(void)key;
	a->sort = (a->sort + 1) % MSORT_COUNT_KEYS;
	model_order_release(&a->order);
	app_invalidate(a);
	app_message(a, 0, "sorted by %s", model_sort_name(a->sort));
	return KEYS_RESCAN;
}

static int h_reverse(struct app *a, int key)
{
	(void)key;
	a->reverse = !a->reverse;
	model_order_release(&a->order);
	app_invalidate(a);
	app_message(a, 0, "sorted by %s%s", model_sort_name(a->sort),
		    a->reverse ? ", reversed" : "");
	return KEYS_RESCAN;
}

static int h_hide(struct app *a, int key)
{
	unsigned int bit = key == 'H' ? MHIDE_BUSY : MHIDE_SINGLE;

	a->hide ^= bit;
	app_invalidate(a);
	app_message(a, 0, "%s %s", a->hide & bit ? "hiding" : "showing",
		    bit == MHIDE_BUSY ? "running and runnable groups"
				      : "groups of one goroutine");
	return KEYS_RESCAN;
}

static int h_hscroll(struct app *a, int key)
{
	if (key == '>' || key == KEY_SRIGHT)
		a->hscroll += 8;
	else
		a->hscroll = a->hscroll > 8 ? a->hscroll - 8 : 0;
	if (a->hscroll > 400)
		a->hscroll = 400;
	return KEYS_REDRAW;
}

static int h_mouse(struct app *a, int key)
{
	struct list_state *l = &a->lists[a->screen];
	MEVENT ev;
	long row;

	(void)key;
	if (getmouse(&ev) != OK)
		return 0;
	if (ev.bstate & BUTTON4_PRESSED) {
		nav_move(a, -3);
		return KEYS_REDRAW;
	}
	if (ev.bstate & BUTTON5_PRESSED) {
		nav_move(a, 3);
		return KEYS_REDRAW;
	}
	if (!(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED |
			   BUTTON1_DOUBLE_CLICKED)) ||
	    !(SCR_LISTS & SCR_BIT(a->screen)) || ev.y < l->row_y ||
	    ev.y >= l->row_y + l->page)
		return KEYS_REDRAW;
	row = (long)l->top + (ev.y - l->row_y);
	if ((size_t)row >= nav_len(a, a->screen))
		return KEYS_REDRAW;
	nav_select(a, (size_t)row);
	if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
		return nav_open(a) | KEYS_REDRAW;
	return KEYS_REDRAW;
}

static int h_search(struct app *a, int key)
{
	(void)key;
	app_prompt_open(a, PROMPT_SEARCH, NULL);
	return KEYS_REDRAW;
}

static int h_next(struct app *a, int key)
{
	if (!a->search && a->filter.text && !a->filter.regex &&
	    (a->screen == SCR_GROUPS || a->screen == SCR_LEAKS)) {
		free(a->search);
		a->search = xstrdup(a->filter.text);
	}
	if (!a->search) {
		app_message(a, 1, "nothing to find: / first");
		return KEYS_REDRAW;
	}
	nav_search(a, key == 'n' ? 1 : -1, 0);
	return KEYS_REDRAW;
}

static int h_goto(struct app *a, int key)
{
	(void)key;
	app_prompt_open(a, PROMPT_GOTO, NULL);
	return KEYS_REDRAW;
}

static void base64(const unsigned char *p, size_t n, struct strbuf *out)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		strbuf_addc(out, t[p[i] >> 2]);
		strbuf_addc(out, t[((p[i] & 3) << 4) | (p[i + 1] >> 4)]);
		strbuf_addc(out, t[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)]);
		strbuf_addc(out, t[p[i + 2] & 63]);
	}
	if (n - i == 1) {
		strbuf_addc(out, t[p[i] >> 2]);
		strbuf_addc(out, t[(p[i] & 3) << 4]);
		strbuf_adds(out, "==");
	} else if (n - i == 2) {
		strbuf_addc(out, t[p[i] >> 2]);
		strbuf_addc(out, t[((p[i] & 3) << 4) | (p[i + 1] >> 4)]);
		strbuf_addc(out, t[(p[i + 1] & 15) << 2]);
		strbuf_addc(out, '=');
	}
}

/* OSC 52: the terminal puts the text on the clipboard. */
static int h_copy(struct app *a, int key)
{
	struct strbuf text, seq;

	(void)key;
	strbuf_init(&text);
	strbuf_init(&seq);
	if (app_stack_text(a, &text) < 0) {
		app_message(a, 1, "goroutine %llu has exited",
			    (unsigned long long)a->goid);
	} else {
		strbuf_adds(&seq, "\033]52;c;");
		base64((const unsigned char *)text.buf, text.len, &seq);
		strbuf_adds(&seq, "\a");
		fwrite(seq.buf, 1, seq.len, stdout);
		fflush(stdout);
		app_message(a, 0, "copied the stack of goroutine %llu (%zu "
			    "bytes)", (unsigned long long)a->goid, text.len);
	}
	strbuf_release(&text);
	strbuf_release(&seq);
	return KEYS_REDRAW;
}

static int h_save_stack(struct app *a, int key)
{
	char *dir = export_default_dir(), *name;
	const char *home = getenv("HOME");

	(void)key;
	name = xasprintf("%s/goscope-stack-%llu.txt",
			 home && !strcmp(home, dir) ? "~" : dir,
			 (unsigned long long)a->goid);
	app_prompt_open(a, PROMPT_SAVE_STACK, name);
	free(name);
	free(dir);
	return KEYS_REDRAW;
}

static int h_level(struct app *a, int key)
{
	enum group_level next;

	(void)key;
	switch (a->m.level) {
	case GROUP_LINES:
		next = GROUP_FUNCTIONS;
		break;
	case GROUP_FUNCTIONS:
		next = GROUP_EXACT;
		break;
	default:
		next = GROUP_LINES;
		break;
	}
	model_set_level(&a->m, next);
	app_invalidate(a);
	app_message(a, 0, "grouping level %s (trends restart)",
		    group_level_name(next));
	return KEYS_RESCAN;
}

static int h_merge(struct app *a, int key)
{
	(void)key;
	model_set_merge(&a->m, !model_merged(&a->m));
	model_order_release(&a->order);
	app_invalidate(a);
	app_message(a, 0, "%s (trends restart)", model_merged(&a->m)
		    ? "states merged: a row per stack"
		    : "states apart: a row per state and stack");
	return KEYS_RESCAN;
}

static int h_snap(struct app *a, int key)
{
	(void)key;
	app_snapshot_now(a);
	return KEYS_REDRAW;
}

static int h_auto(struct app *a, int key)
{
	char d[32];

	(void)key;
	a->autorefresh = !a->autorefresh;
	fmt_duration(d, sizeof(d), a->interval_ns);
	if (a->autorefresh) {
		a->next_due = feed_now_ns();
		app_message(a, 0, "auto-refresh every %s", d);
	} else {
		app_message(a, 0, "auto-refresh off");
	}
	return KEYS_REDRAW;
}

static int h_interval(struct app *a, int key)
{
	size_t i, n = sizeof(intervals) / sizeof(intervals[0]);
	uint64_t v = a->interval_ns;
	char d[32];

	if (key == '+') {
		for (i = 0; i < n && intervals[i] <= v; i++)
			;
		v = i < n ? intervals[i] : intervals[n - 1];
	} else {
		for (i = n; i > 0 && intervals[i - 1] >= v; i--)
			;
		v = i > 0 ? intervals[i - 1] : intervals[0];
	}
	if (a->autorefresh && v < a->interval_ns)
		a->next_due -= a->interval_ns - v;
	else if (a->autorefresh)
		a->next_due += v - a->interval_ns;
	a->interval_ns = v;
	fmt_duration(d, sizeof(d), v);
	app_message(a, 0, "auto-refresh interval %s%s", d,
		    a->autorefresh ? "" : " (auto-refresh is off: a)");
	return KEYS_REDRAW;
}

static int h_baseline(struct app *a, int key)
{
	(void)key;
	if (!a->m.cur) {
		app_message(a, 1, "no snapshot yet");
		return KEYS_REDRAW;
	}
	model_mark_baseline(&a->m);
	app_invalidate(a);
	app_message(a, 0, "baseline: snapshot #%zu", a->m.cur->seq);
	return KEYS_RESCAN;
}

static int h_unbaseline(struct app *a, int key)
{
	(void)key;
	model_clear_baseline(&a->m);
	app_invalidate(a);
	app_message(a, 0, "no baseline");
	return KEYS_RESCAN;
}

static int h_export(struct app *a, int key)
{
	char *name;

	(void)key;
	if (!a->m.cur) {
		app_message(a, 1, "no snapshot yet");
		return KEYS_REDRAW;
	}
	name = app_export_name(a);
	app_prompt_open(a, PROMPT_EXPORT, name);
	free(name);
	return KEYS_REDRAW;
}

static int h_parent(struct app *a, int key)
{
	const struct snap_goroutine *g;

	(void)key;
	if (a->gidx < 0) {
		app_message(a, 1, "goroutine %llu is gone",
			    (unsigned long long)a->goid);
		return KEYS_REDRAW;
	}
	g = &a->m.cur->snap->gs[a->gidx];
	if (!g->parent_goid) {
		app_message(a, 1, "the parent of goroutine %llu is not known",
			    (unsigned long long)g->goid);
		return KEYS_REDRAW;
	}
	if (!nav_open_goroutine(a, g->parent_goid))
		app_message(a, 1, "goroutine %llu (the parent) has exited",
			    (unsigned long long)g->parent_goid);
	return KEYS_RESCAN;
}

static int h_screen(struct app *a, int key)
{
	switch (key) {
	case 'g':
		a->nback = 0;
		a->screen = SCR_GROUPS;
		break;
	case 'l':
		nav_goto(a, SCR_LEAKS);
		break;
	case 'd':
		nav_goto(a, SCR_DIFF);
		break;
	case 't':
		if (a->screen == SCR_STACK && a->gidx >= 0 &&
		    a->m.cur->snap->gs[a->gidx].tid) {
			/* The thread running this goroutine. */
			a->lists[SCR_THREADS].tag =
				(uint64_t)a->m.cur->snap->gs[a->gidx].tid;
			a->lists[SCR_THREADS].tagged = 1;
		}
		nav_goto(a, SCR_THREADS);
		break;
	case 'i':
		nav_goto(a, SCR_BUILD);
		break;
	default:
		break;
	}
	return KEYS_RESCAN;
}

static int h_file(struct app *a, int key)
{
	if (key == '[' && a->file_cur > 0)
		app_show_file(a, a->file_cur - 1);
	else if (key == ']' && a->file_cur + 1 < a->nloaded)
		app_show_file(a, a->file_cur + 1);
	else
		app_message(a, 1, "no %s file",
			    key == '[' ? "previous" : "next");
	return KEYS_RESCAN;
}

static int h_move(struct app *a, int key)
{
	struct list_state *l = &a->lists[a->screen];
	long page = l->page > 1 ? l->page - 1 : 1;

	switch (key) {
	case KEY_UP:
	case 'k':
		nav_move(a, -1);
		break;
	case KEY_DOWN:
	case 'j':
		nav_move(a, 1);
		break;
	case KEY_PPAGE:
		nav_move(a, -page);
		break;
	case KEY_NPAGE:
		nav_move(a, page);
		break;
	case KEY_HOME:
		nav_select(a, 0);
		break;
	case KEY_END:
		nav_select(a, (size_t)-1);
		break;
	default:
		break;
	}
	return KEYS_REDRAW;
}

static int h_redraw(struct app *a, int key)
{
	(void)a;
	(void)key;
	clearok(curscr, TRUE);
	return KEYS_REDRAW;
}

static void prompt_close(struct app *a)
{
	a->prompt = PROMPT_NONE;
	strbuf_reset(&a->input);
	free(a->prompt_saved);
	a->prompt_saved = NULL;
}

/* Applies a filter text; quiet: while typing (errors not shown). */
static int filter_apply(struct app *a, const char *text, int quiet)
{
	struct err e;

	err_init(&e);
	if (model_filter_set(&a->filter, text, &e) < 0) {
		if (!quiet)
			app_message(a, 1, "%s", e.msg);
		return -1;
	}
	app_invalidate(a);
	return 0;
}

static int prompt_commit(struct app *a)
{
	char *text = strbuf_detach(&a->input, NULL);
	int r = KEYS_REDRAW;

	strbuf_init(&a->input);
	if (a->prompt == PROMPT_FILTER) {
		if (filter_apply(a, text, 0) == 0) {
			nav_rescan(a);
			if (*text)
				app_message(a, 0, "filter '%s': %zu groups",
					    text, a->nrows);
			else
				app_message(a, 0, "no filter");
		}
		r = KEYS_RESCAN;
	} else if (a->prompt == PROMPT_EXPORT ||
		   a->prompt == PROMPT_SAVE_STACK) {
		enum prompt_kind kind = a->prompt;

		/* A question about an existing file may follow. */
		prompt_close(a);
		if (*text && kind == PROMPT_EXPORT)
			app_export(a, text);
		else if (*text)
			app_save_stack(a, text);
		free(text);
		return KEYS_RESCAN;
	} else if (a->prompt == PROMPT_SEARCH) {
		if (*text) {
			free(a->search);
			a->search = xstrdup(text);
			nav_search(a, 1, 1);
		}
		r = KEYS_REDRAW;
	} else if (a->prompt == PROMPT_GOTO) {
		char *end;
		unsigned long long id;

		errno = 0;
		id = strtoull(text, &end, 10);
		if (errno || end == text || *end)
			app_message(a, 1, "not a goroutine id: '%s'", text);
		else if (!nav_open_goroutine(a, id))
			app_message(a, 1, "no goroutine %llu in the current "
				    "snapshot", id);
		r = KEYS_RESCAN;
	}
	prompt_close(a);
	free(text);
	return r;
}

int keys_prompt(struct app *a, int key, int wide)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	size_t n;

	if (a->prompt == PROMPT_OVERWRITE) {
		prompt_close(a);
		app_overwrite(a, wide && (key == 'y' || key == 'Y'));
		return KEYS_REDRAW;
	}
	if (!wide) {
		switch (key) {
		case KEY_ENTER:
			return prompt_commit(a);
		case KEY_BACKSPACE:
			key = 127;
			break;
		default:
			return KEYS_REDRAW;
		}
	}
	if (key == '\n' || key == '\r')
		return prompt_commit(a);
	if (key == K_ESC || key == 7 /* ^G */) {
		if (a->prompt == PROMPT_FILTER)
			filter_apply(a, a->prompt_saved, 1);
		prompt_close(a);
		return KEYS_RESCAN;
	}
	if (key == 127 || key == 8) {
		while (a->input.len &&
		       ((unsigned char)a->input.buf[a->input.len - 1] &
			0xc0) == 0x80)
			a->input.len--;
		if (a->input.len)
			a->input.len--;
		a->input.buf[a->input.len] = '\0';
	} else if (key == 21 /* ^U */) {
		strbuf_reset(&a->input);
	} else if (key >= 32 && a->input.len < 400) {
		memset(&st, 0, sizeof(st));
		n = wcrtomb(mb, (wchar_t)key, &st);
		if (n == (size_t)-1)
			return KEYS_REDRAW;
		strbuf_add(&a->input, mb, n);
	} else {
		return KEYS_REDRAW;
	}
	if (a->prompt == PROMPT_FILTER && filter_apply(a, a->input.buf, 1) == 0)
		return KEYS_RESCAN;
	return KEYS_REDRAW;
}
