/* The key table: one entry per key drives dispatch, help and footer. */
#ifndef GOSCOPE_TUI_KEYS_H
#define GOSCOPE_TUI_KEYS_H

#include <stddef.h>

#include "lib/strbuf.h"
#include "tui/app.h"

/* Extra bits of screens: the entry applies only live, or only to files. */
#define KEYS_LIVE (1u << 30)
#define KEYS_FILES (1u << 29)

struct key_binding {
	int key;		/* a character or a curses KEY_ code */
	const char *name;	/* as shown; NULL for an alias */
	/* "label: details"; the footer shows the label. */
	const char *help;
	unsigned int screens;	/* SCR_BIT set, maybe KEYS_LIVE/FILES */
	int (*handler)(struct app *a, int key);
};

extern const struct key_binding keys_table[];
extern const size_t keys_count;

/* Runs the handler bound to key on the current screen; 0 if none. */
int keys_dispatch(struct app *a, int key);

/* 1 when entry k applies to the current screen and mode. */
int keys_applies(const struct app *a, const struct key_binding *k);

/* Appends the footer's "KEY label" hints for the current screen. */
void keys_footer(const struct app *a, struct strbuf *out);

/* Appends the help screen's lines (newline-separated). */
void keys_help(const struct app *a, struct strbuf *out);

/*
 * Feeds a key to the footer's line editor (a->prompt active): editing,
 * Enter to commit, Esc to cancel.  wide is a character (1) or a curses
 * KEY_ code (0).  Returns KEYS_* flags.
 */
int keys_prompt(struct app *a, int key, int wide);


#endif
