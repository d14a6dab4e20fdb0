/* The background thread that takes or reads snapshots for the view. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/load.h"
#include "capture/threads.h"
#include "tui/feed.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

struct feed {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	int notify_fd;
	int stop;
	/* The snapshot asked for, and the one being taken. */
	int pending;
	unsigned int what;
	enum group_level level;
	int busy;
	uint64_t since;
	/* The diff asked for. */
	int diff_pending;
	const struct snap *diff_a, *diff_b;
	enum group_level diff_level;
	/* Results not taken yet, oldest first. */
	struct feed_result *q;
	size_t nq, aq;
	/* Snapshots to free. */
	struct snap **trash;
	size_t ntrash, atrash;
	/* A live process. */
	pid_t pid;
	struct capture *cap;
	struct threads_cache *native;	/* the threads view's modules */
	char *main_module;
	/* Files: the baseline first, then the paths in order. */
	char *const *paths;
	size_t npaths, next;
	const char *baseline;
	int baseline_done;
	const char *exe;	/* of the core files, or NULL */
	const struct capture_opts *co;
};

static void thread_signals(void);
static void post(struct feed *f, struct feed_result *r);
static int has_native(const struct snap *s);
static void take_live(struct feed *f, unsigned int what,
		      enum group_level level, struct feed_result *r);
static void read_file(struct feed *f, const char *path, enum feed_event ev,
		      size_t idx, struct feed_result *r);
static int has_work(const struct feed *f);
static void empty_trash(struct feed *f);
static void *feed_main(void *arg);
static struct feed *feed_alloc(int notify_fd);
static int feed_launch(struct feed *f, struct err *e);

uint64_t feed_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Termination signals are handled here, by the thread that stops the
 * target (ptstop's guard must run on it); the view's thread gets the
 * window and job-control signals.
 */
static void thread_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGTSTP);
	sigaddset(&set, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* Queues r (moved) and wakes the view; called with f->mu held. */
static void post(struct feed *f, struct feed_result *r)
{
	ssize_t n;

	if (f->nq == f->aq) {
		f->aq = f->aq ? f->aq * 2 : 4;
		f->q = xreallocarray(f->q, f->aq, sizeof(*f->q));
	}
	f->q[f->nq++] = *r;
	memset(r, 0, sizeof(*r));
	do
		n = write(f->notify_fd, "s", 1);
	while (n < 0 && errno == EINTR);
}

static int has_native(const struct snap *s)
{
	size_t i;

	for (i = 0; i < s->nthreads; i++)
		if (s->threads[i].native)
			return 1;
	return 0;
}

static void take_live(struct feed *f, unsigned int what,
		      enum group_level level, struct feed_result *r)
{
	uint64_t t0 = feed_now_ns();
	struct threads_opts o;
	struct snap *s = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	err_init(&r->e);
	if (f->cap && !(what & FEED_NATIVE)) {
		rc = capture_take(f->cap, &s, &r->e);
	} else {
		memset(&o, 0, sizeof(o));
		/* The feed's capture and native modules: the executable and
		 * libraries are read once, not on every refresh of the
		 * threads view. */
		o.reuse = f->cap;
		o.cache = f->native;
		rc = threads_capture(f->pid, &o, &s, &r->e);
	}
	r->took_ns = feed_now_ns() - t0;
	r->file = (size_t)-1;
	if (rc < 0) {
		r->ev = FEED_ERROR;
		r->error = rc;
		return;
	}
	if (f->main_module && !s->main_module)
		s->main_module = snap_intern(s, f->main_module);
	r->ev = FEED_SNAPSHOT;
	r->snap = s;
	r->native = has_native(s);
	group_snap(s, level, 0, NULL, &r->gr);
}

static void read_file(struct feed *f, const char *path, enum feed_event ev,
		      size_t idx, struct feed_result *r)
{
	uint64_t t0 = feed_now_ns();
	struct load_info info;
	int rc;

	memset(r, 0, sizeof(*r));
	err_init(&r->e);
	r->file = idx;
	rc = load_file_exe(path, ev == FEED_BASELINE ? NULL : f->exe, f->co,
			   &r->snap, &info, &r->e);
	r->took_ns = feed_now_ns() - t0;
	if (rc < 0) {
		r->ev = FEED_ERROR;
		r->error = rc;
		r->snap = NULL;
		return;
	}
	if (info.warn.code)
		r->e = info.warn;
	r->ev = ev;
	r->native = has_native(r->snap);
	if (ev == FEED_SNAPSHOT)
		group_snap(r->snap, f->level, 0, NULL, &r->gr);
}

/* Called with f->mu held. */
static int has_work(const struct feed *f)
{
	return f->stop || f->pending || f->diff_pending || f->ntrash ||
	       (f->baseline && !f->baseline_done) || f->next < f->npaths;
}

/* Frees the snapshots handed back; called with f->mu held. */
static void empty_trash(struct feed *f)
{
	while (f->ntrash && !f->diff_pending) {
		struct snap *s = f->trash[--f->ntrash];

		pthread_mutex_unlock(&f->mu);
		snap_free(s);
		pthread_mutex_lock(&f->mu);
	}
}

/*
 * One job at a time: a diff (the view waits for it), then the files in
 * order, then the snapshot asked for, then freeing.  A snapshot handed
 * back is freed only after the jobs before it, so a diff never reads a
 * freed snapshot.
 */
static void *feed_main(void *arg)
{
	struct feed *f = arg;
	struct feed_result r;
	enum group_level level;
	unsigned int what;
	size_t idx;

	thread_signals();
	pthread_mutex_lock(&f->mu);
	for (;;) {
		while (!has_work(f))
			pthread_cond_wait(&f->cv, &f->mu);
		if (f->stop)
			break;
		if (f->diff_pending) {
			memset(&r, 0, sizeof(r));
			r.ev = FEED_DIFF;
			r.diff_a = f->diff_a;
			r.diff_b = f->diff_b;
			r.diff_level = f->diff_level;
			pthread_mutex_unlock(&f->mu);
			diff_snaps(r.diff_a, r.diff_b, r.diff_level, 0,
				   &r.diff);
			pthread_mutex_lock(&f->mu);
			/* Asked again meanwhile: this one is stale. */
			if (f->diff_a != r.diff_a || f->diff_b != r.diff_b ||
			    f->diff_level != r.diff_level) {
				diff_release(&r.diff);
			} else {
				f->diff_pending = 0;
				post(f, &r);
			}
			continue;
		}
		if (f->baseline && !f->baseline_done) {
			f->baseline_done = 1;
			pthread_mutex_unlock(&f->mu);
			read_file(f, f->baseline, FEED_BASELINE, (size_t)-1,
				  &r);
			pthread_mutex_lock(&f->mu);
			post(f, &r);
			continue;
		}
		if (f->next < f->npaths) {
			idx = f->next++;
			f->busy = 1;
			f->since = feed_now_ns();
			pthread_mutex_unlock(&f->mu);
			read_file(f, f->paths[idx], FEED_SNAPSHOT, idx, &r);
			pthread_mutex_lock(&f->mu);
			f->busy = 0;
			post(f, &r);
			continue;
		}
		if (f->pending) {
			what = f->what;
			level = f->level;
			f->pending = 0;
			pthread_mutex_unlock(&f->mu);
			take_live(f, what, level, &r);
			pthread_mutex_lock(&f->mu);
			f->busy = 0;
			post(f, &r);
			continue;
		}
		empty_trash(f);
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

static struct feed *feed_alloc(int notify_fd)
{
	struct feed *f = xcalloc(1, sizeof(*f));

	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	f->notify_fd = notify_fd;
	return f;
}

static int feed_launch(struct feed *f, struct err *e)
{
	int r = pthread_create(&f->th, NULL, feed_main, f);

	if (r) {
		pthread_mutex_destroy(&f->mu);
		pthread_cond_destroy(&f->cv);
		return err_errno(e, r, "cannot start the capture thread");
	}
	return 0;
}

int feed_start_live(pid_t pid, struct capture *cap, const char *main_module,
		    int notify_fd, struct feed **out, struct err *e)
{
	struct feed *f = feed_alloc(notify_fd);
	int r;

	f->pid = pid;
	f->cap = cap;
	f->native = threads_cache_new();
	f->main_module = main_module ? xstrdup(main_module) : NULL;
	r = feed_launch(f, e);
	if (r < 0) {
		capture_close(cap);
		threads_cache_free(f->native);
		free(f->main_module);
		free(f);
		return r;
	}
	*out = f;
	return 0;
}

int feed_start_files(char *const *paths, size_t n, const char *baseline,
		     const char *exe, const struct capture_opts *co,
		     enum group_level level, int notify_fd,
		     struct feed **out, struct err *e)
{
	struct feed *f = feed_alloc(notify_fd);
	int r;

	f->exe = exe;
	f->co = co;
	f->paths = paths;
	f->npaths = n;
	f->baseline = baseline;
	f->level = level;
	r = feed_launch(f, e);
	if (r < 0) {
		free(f);
		return r;
	}
	*out = f;
	return 0;
}

int feed_request(struct feed *f, unsigned int what, enum group_level level)
{
	int r = 0;

	pthread_mutex_lock(&f->mu);
	if (f->paths) {
		r = -EOPNOTSUPP;
	} else if (f->busy || f->pending) {
		r = -EBUSY;
	} else {
		f->pending = 1;
		f->what = what;
		f->level = level;
		/* Shown as busy from now on, not from when it starts. */
		f->busy = 1;
		f->since = feed_now_ns();
		pthread_cond_broadcast(&f->cv);
	}
	pthread_mutex_unlock(&f->mu);
	return r;
}

void feed_request_diff(struct feed *f, const struct snap *a,
		       const struct snap *b, enum group_level level)
{
	pthread_mutex_lock(&f->mu);
	f->diff_pending = 1;
	f->diff_a = a;
	f->diff_b = b;
	f->diff_level = level;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

void feed_dispose(struct snap *s, void *arg)
{
	struct feed *f = arg;

	pthread_mutex_lock(&f->mu);
	if (f->ntrash == f->atrash) {
		f->atrash = f->atrash ? f->atrash * 2 : 4;
		f->trash = xreallocarray(f->trash, f->atrash,
					 sizeof(*f->trash));
	}
	f->trash[f->ntrash++] = s;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

int feed_busy(struct feed *f, uint64_t *since_ns)
{
	int busy;

	pthread_mutex_lock(&f->mu);
	busy = f->busy || f->pending;
	if (since_ns)
		*since_ns = f->since;
	pthread_mutex_unlock(&f->mu);
	return busy;
}

int feed_take(struct feed *f, struct feed_result *out)
{
	int got = 0;

	pthread_mutex_lock(&f->mu);
	if (f->nq) {
		*out = f->q[0];
		memmove(f->q, f->q + 1, (f->nq - 1) * sizeof(*f->q));
		f->nq--;
		got = 1;
	}
	pthread_mutex_unlock(&f->mu);
	return got;
}

void feed_result_release(struct feed_result *r)
{
	if (r->gr.snap)
		grouping_release(&r->gr);
	if (r->ev == FEED_DIFF)
		diff_release(&r->diff);
	snap_free(r->snap);
	memset(r, 0, sizeof(*r));
}

void feed_stop(struct feed *f)
{
	size_t i;

	if (!f)
		return;
	pthread_mutex_lock(&f->mu);
	f->stop = 1;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	pthread_join(f->th, NULL);
	for (i = 0; i < f->nq; i++)
		feed_result_release(&f->q[i]);
	free(f->q);
	for (i = 0; i < f->ntrash; i++)
		snap_free(f->trash[i]);
	free(f->trash);
	threads_cache_free(f->native);
	capture_close(f->cap);
	free(f->main_module);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
	free(f);
}
