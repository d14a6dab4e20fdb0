/* The process picker's terminal loop; tui/draw.c draws it. */
#include <curses.h>
#include <errno.h>
#include <locale.h>

#include "tui/draw.h"
#include "tui/picker.h"
#include "lib/banned.h"

pid_t picker_run(const struct goproc *p, size_t n, struct err *e)
{
	size_t sel = 0, top = 0;
	pid_t chosen = 0;
	SCREEN *scr;
	MEVENT ev;
	int k;

	setlocale(LC_ALL, "");
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		err_set(e, ENOTTY, "cannot use the terminal");
		return -1;
	}
	set_term(scr);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED |
		  BUTTON5_PRESSED, NULL);
	for (;;) {
		draw_picker(p, n, sel, &top);
		k = getch();
		if (k == 'q' || k == 27 || k == KEY_F(10) || k == ERR)
			break;
		if ((k == KEY_UP || k == 'k') && sel > 0)
			sel--;
		else if ((k == KEY_DOWN || k == 'j') && sel + 1 < n)
			sel++;
		else if (k == KEY_HOME)
			sel = 0;
		else if (k == KEY_END && n)
			sel = n - 1;
		else if (k == KEY_MOUSE && getmouse(&ev) == OK) {
			if ((ev.bstate & BUTTON4_PRESSED) && sel > 0)
				sel--;
			else if ((ev.bstate & BUTTON5_PRESSED) && sel + 1 < n)
				sel++;
			else if (ev.y >= 2 && top + (size_t)(ev.y - 2) < n)
				sel = top + (size_t)(ev.y - 2);
			if ((ev.bstate & BUTTON1_DOUBLE_CLICKED) && n) {
				chosen = p[sel].pid;
				break;
			}
		} else if ((k == '\n' || k == '\r' || k == KEY_ENTER) && n) {
			chosen = p[sel].pid;
			break;
		}
	}
	endwin();
	delscreen(scr);
	return chosen;
}
