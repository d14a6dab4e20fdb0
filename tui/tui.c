/* The interactive view's terminal, signal handling and main loop. */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "capture/capture.h"
#include "capture/load.h"
#include "tui/app.h"
#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/nav.h"
#include "tui/tui.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define TICK_BUSY_MS 100
#define TICK_IDLE_MS 1000

/* Everything the signal handlers touch. */
static volatile sig_atomic_t got_signal;	/* a termination signal */
static volatile sig_atomic_t got_tstp;		/* ^Z */
static int wake_fd[2] = { -1, -1 };
static volatile sig_atomic_t curses_on;
static struct termios saved_tio;
static int saved_tio_ok;
static char crash_seq[256];	/* leaves the alternate screen etc. */
static size_t crash_len;

static const int term_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
				     SIGABRT };
static struct sigaction old_term[4], old_tstp, old_crash[5];

static void wake(void);
static void on_term(int sig);
static void on_tstp(int sig);
static void on_crash(int sig);
static void restore_terminal(void);
static void at_exit(void);
static int install_handlers(struct err *e);
static void remove_handlers(void);
static void add_seq(const char *cap);
static int start_curses(struct app *a, struct err *e);
static void suspend(struct app *a);
static int read_keys(struct app *a);
static int poll_timeout(struct app *a);
static void loop(struct app *a);
static int check_files(const struct tui_opts *o, struct err *e);

static void wake(void)
{
	ssize_t n = 0;

	if (wake_fd[1] >= 0)
		n = write(wake_fd[1], "w", 1);
	(void)n;
}

static void on_term(int sig)
{
	int saved = errno;

	got_signal = sig;
	wake();
	errno = saved;
}

static void on_tstp(int sig)
{
	int saved = errno;

	(void)sig;
	got_tstp = 1;
	wake();
	errno = saved;
}

/* Async-signal-safe: puts the terminal back, then dies as before. */
static void restore_terminal(void)
{
	ssize_t n;

	if (!curses_on)
		return;
	n = write(STDOUT_FILENO, crash_seq, crash_len);
	(void)n;
	if (saved_tio_ok)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	curses_on = 0;
}

static void on_crash(int sig)
{
	size_t k;

	restore_terminal();
	for (k = 0; k < ARRAY_SIZE(crash_signals); k++)
		if (crash_signals[k] == sig)
			sigaction(sig, &old_crash[k], NULL);
	raise(sig);
}

static void at_exit(void)
{
	if (curses_on) {
		endwin();
		curses_on = 0;
	}
}

static int install_handlers(struct err *e)
{
	struct sigaction sa;
	size_t k;

	if (pipe2(wake_fd, O_CLOEXEC | O_NONBLOCK) < 0)
		return err_errno(e, errno, "cannot create a pipe");
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	for (k = 0; k < ARRAY_SIZE(term_signals); k++)
		sigaddset(&sa.sa_mask, term_signals[k]);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_term;
	for (k = 0; k < ARRAY_SIZE(term_signals); k++)
		sigaction(term_signals[k], &sa, &old_term[k]);
	sa.sa_handler = on_tstp;
	sigaction(SIGTSTP, &sa, &old_tstp);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_NODEFER;
	for (k = 0; k < ARRAY_SIZE(crash_signals); k++)
		sigaction(crash_signals[k], &sa, &old_crash[k]);
	return 0;
}

static void remove_handlers(void)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(term_signals); k++)
		sigaction(term_signals[k], &old_term[k], NULL);
	sigaction(SIGTSTP, &old_tstp, NULL);
	for (k = 0; k < ARRAY_SIZE(crash_signals); k++)
		sigaction(crash_signals[k], &old_crash[k], NULL);
	close(wake_fd[0]);
	close(wake_fd[1]);
	wake_fd[0] = wake_fd[1] = -1;
}

static void add_seq(const char *cap)
{
	char *s = tigetstr((char *)cap);
	size_t n;

	if (!s || s == (char *)-1)
		return;
	n = strlen(s);
	if (crash_len + n < sizeof(crash_seq)) {
		memcpy(crash_seq + crash_len, s, n);
		crash_len += n;
	}
}

static int start_curses(struct app *a, struct err *e)
{
	const char *nc = getenv("NO_COLOR");
	static int registered;
	SCREEN *scr;

	setlocale(LC_ALL, "");
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		a->ascii = 1;
	saved_tio_ok = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
	scr = newterm(NULL, stdout, stdin);
	if (!scr)
		return err_set(e, ENOTTY, "cannot use the terminal '%s'",
			       getenv("TERM") ? getenv("TERM") : "");
	set_term(scr);
	crash_len = 0;
	add_seq("sgr0");
	add_seq("cnorm");
	add_seq("rmkx");
	add_seq("rmcup");
	if (!registered) {
		atexit(at_exit);
		registered = 1;
	}
	curses_on = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED |
		  BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(250);
	a->color = !a->o->no_color && !(nc && *nc) && has_colors();
	draw_init(a);
	return 0;
}

/* ^Z: only between snapshots, so that the target is never held. */
static void suspend(struct app *a)
{
	struct sigaction sa, old;
	sigset_t set, oldset;

	if (feed_busy(a->feed, NULL))
		return;
	got_tstp = 0;
	endwin();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTSTP, &sa, &old);
	sigemptyset(&set);
	sigaddset(&set, SIGTSTP);
	pthread_sigmask(SIG_UNBLOCK, &set, &oldset);
	raise(SIGTSTP);
	/* Continued. */
	pthread_sigmask(SIG_SETMASK, &oldset, NULL);
	sigaction(SIGTSTP, &old, NULL);
	refresh();
	clearok(curscr, TRUE);
}

static int read_keys(struct app *a)
{
	int flags = 0, rc;
	wint_t wch;

	while ((rc = get_wch(&wch)) != ERR) {
		int key = (int)wch, wide = rc != KEY_CODE_YES;

		if (!wide && key == KEY_RESIZE) {
			flags |= KEYS_REDRAW;
			continue;
		}
		if (wide && key >= KEY_MIN)
			continue;
		if (a->prompt != PROMPT_NONE)
			flags |= keys_prompt(a, key, wide);
		else
			flags |= keys_dispatch(a, key);
		if (flags & KEYS_QUIT)
			break;
	}
	return flags;
}

/*
 * Until the next thing to show: the busy clock, a message expiring, an
 * auto-refresh that can start (not while a snapshot or the diff on the
 * screen is being made: their results wake the loop).
 */
static int poll_timeout(struct app *a)
{
	uint64_t now = feed_now_ns(), until = now + TICK_IDLE_MS * 1000000ull;
	int busy = a->feed && feed_busy(a->feed, NULL);

	if (busy)
		until = now + TICK_BUSY_MS * 1000000ull;
	if (a->msg[0] && a->msg_until > now && a->msg_until < until)
		until = a->msg_until;
	if (a->autorefresh && !a->gone && !busy && !a->diff_asked &&
	    !got_tstp && a->next_due < until)
		until = a->next_due > now ? a->next_due : now;
	return (int)((until - now + 999999) / 1000000);
}

/*
 * Draws only what the results of keys, snapshots and timers ask for:
 * KEYS_RESCAN rebuilds the current screen's rows first, KEYS_REDRAW
 * draws them again; a wake-up with nothing to do draws the clock.
 */
static void loop(struct app *a)
{
	struct pollfd pfd[2];
	struct feed_result r;
	char drain[64];
	int flags = KEYS_RESCAN, n;

	while (!got_signal && !a->quit) {
		while (feed_take(a->feed, &r))
			flags |= app_on_result(a, &r);
		if (got_tstp) {
			suspend(a);
			flags |= KEYS_REDRAW;
		} else {
			app_tick(a, feed_now_ns());
		}
		if (flags & KEYS_RESCAN)
			a->fresh &= ~SCR_BIT(a->screen);
		if (flags & (KEYS_RESCAN | KEYS_REDRAW)) {
			/* A screen just entered has stale rows too. */
			nav_rescan(a);
			nav_prepare(a);
			draw(a);
		}
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = wake_fd[0];
		pfd[1].events = POLLIN;
		n = poll(pfd, 2, poll_timeout(a));
		if (n > 0 && (pfd[1].revents & POLLIN))
			while (read(wake_fd[0], drain, sizeof(drain)) > 0)
				;
		/* A timeout: the clock, a message that expired. */
		flags = n == 0 ? KEYS_REDRAW : 0;
		flags |= read_keys(a);
		if (flags & KEYS_QUIT)
			break;
		if (pfd[0].revents & (POLLHUP | POLLERR))
			break;
	}
}

static int check_files(const struct tui_opts *o, struct err *e)
{
	size_t i;

	for (i = 0; i < o->nfiles; i++)
		if (access(o->files[i], R_OK) < 0)
			return err_errno(e, errno, "cannot open '%s'",
					 o->files[i]);
	if (o->baseline && access(o->baseline, R_OK) < 0)
		return err_errno(e, errno, "cannot open '%s'", o->baseline);
	return 0;
}

int tui_run(const struct tui_opts *o, int *sig, struct err *e)
{
	struct capture *cap = NULL;
	struct snap *base = NULL;
	sigset_t block, oldmask;
	char *mod = NULL;
	struct app a;
	size_t k;
	int r;

	*sig = 0;
	got_signal = got_tstp = 0;
	app_init(&a, o);
	if (o->pid) {
		/* Everything that can fail before the screen is taken. */
		r = capture_open(o->pid, &cap, e);
		if (r == -ENOEXEC || r == -ENODATA) {
			a.is_go = 0;
			a.not_go = xstrdup(e->msg);
			a.screen = SCR_THREADS;
			err_init(e);
			cap = NULL;
		} else if (r < 0) {
			app_release(&a);
			return r;
		}
		if (cap && o->capture)
			capture_set_opts(cap, o->capture);
		if (o->baseline && load_file(o->baseline, &base, NULL, e) < 0) {
			capture_close(cap);
			app_release(&a);
			return -e->code;
		}
		mod = load_main_module(o->pid);
		app_load_facts(&a);
		if (base)
			model_set_baseline(&a.m, base, o->baseline);
	} else if ((r = check_files(o, e)) < 0) {
		app_release(&a);
		return r;
	}
	r = install_handlers(e);
	if (r < 0) {
		capture_close(cap);
		free(mod);
		app_release(&a);
		return r;
	}
	/* Termination signals go to the feed: it owns the target's stop. */
	sigemptyset(&block);
	for (k = 0; k < ARRAY_SIZE(term_signals); k++)
		sigaddset(&block, term_signals[k]);
	sigaddset(&block, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &block, &oldmask);
	if (o->pid)
		r = feed_start_live(o->pid, cap, mod, wake_fd[1], &a.feed, e);
	else
		r = feed_start_files(o->files, o->nfiles, o->baseline, o->exe,
				     o->capture, o->level, wake_fd[1], &a.feed,
				     e);
	free(mod);
	if (r == 0) {
		model_set_dispose(&a.m, feed_dispose, a.feed);
		r = start_curses(&a, e);
	}
	if (r == 0) {
		if (o->pid)
			app_snapshot_now(&a);
		loop(&a);
	}
	if (curses_on) {
		endwin();
		curses_on = 0;
	}
	if (a.feed && feed_busy(a.feed, NULL))
		fprintf(stderr, "goscope: finishing the snapshot being "
			"taken\n");
	model_set_dispose(&a.m, NULL, NULL);
	feed_stop(a.feed);
	a.feed = NULL;
	/* Pending signals reach on_term, then the old handlers return. */
	pthread_sigmask(SIG_SETMASK, &oldmask, NULL);
	remove_handlers();
	*sig = got_signal;
	app_release(&a);
	return r;
}
