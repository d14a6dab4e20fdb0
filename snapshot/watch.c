/* Leak watch state: per-group count series and the stable/leak verdict. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "goruntime/traceback.h"
#include "snapshot/fmt_metrics.h"
#include "snapshot/watch.h"
#include "lib/xmalloc.h"
#include "lib/jstr.h"
#include "lib/banned.h"

/* What the verdict needs to know of a group after its snapshot is gone. */
struct ginfo {
	uint64_t id;
	const char *state, *ufunc, *ufile, *cfunc, *cfile;
	int uline, cline;
	int64_t oldest;
};

struct wsample {
	size_t total;
	size_t n;
	size_t *gi;		/* ginfo indexes, ascending */
	size_t *count;
};

struct watch {
	struct watch_cfg cfg;
	struct snap *strs;	/* owns the strings of ginfo */
	struct ginfo *info;
	size_t ninfo, ainfo;
	size_t *slots;		/* id -> info index + 1 */
	size_t nslots;
	struct wsample *ring;
	size_t keep;		/* ring size */
	size_t nsamples;
};

static size_t info_index(struct watch *w, const struct group *g);
static void info_rehash(struct watch *w);
static size_t count_in(const struct wsample *s, size_t gi);
static int cmp_size(const void *a, const void *b);
static void fmt_time(struct strbuf *out, int64_t unix_ns);
static json_t *frame_obj(const char *func, const char *file, int line);

struct watch *watch_new(const struct watch_cfg *cfg)
{
	struct watch *w = xcalloc(1, sizeof(*w));

	w->cfg = *cfg;
	if (!w->cfg.window)
		w->cfg.window = 3;
	if (!w->cfg.min_growth)
		w->cfg.min_growth = 1;
	if (!w->cfg.span)
		w->cfg.span = 10;
	if (w->cfg.span < w->cfg.window + 1)
		w->cfg.span = w->cfg.window + 1;
	if (w->cfg.span > 64)
		w->cfg.span = 64;
	if (w->cfg.window > w->cfg.span - 1)
		w->cfg.window = w->cfg.span - 1;
	w->keep = w->cfg.span;
	w->ring = xcalloc(w->keep, sizeof(*w->ring));
	w->strs = snap_new();
	w->nslots = 1024;
	w->slots = xcalloc(w->nslots, sizeof(*w->slots));
	return w;
}

void watch_free(struct watch *w)
{
	size_t i;

	if (!w)
		return;
	for (i = 0; i < w->keep; i++) {
		free(w->ring[i].gi);
		free(w->ring[i].count);
	}
	free(w->ring);
	free(w->info);
	free(w->slots);
	snap_free(w->strs);
	free(w);
}

const struct watch_cfg *watch_config(const struct watch *w)
{
	return &w->cfg;
}

static void info_rehash(struct watch *w)
{
	size_t i, j;

	free(w->slots);
	w->nslots *= 2;
	w->slots = xcalloc(w->nslots, sizeof(*w->slots));
	for (i = 0; i < w->ninfo; i++) {
		j = (size_t)(w->info[i].id % w->nslots);
		while (w->slots[j])
			j = (j + 1) % w->nslots;
		w->slots[j] = i + 1;
	}
}

/* The info of g's id, created or refreshed from g. */
static size_t info_index(struct watch *w, const struct group *g)
{
	struct ginfo *gi;
	size_t j = (size_t)(g->id % w->nslots);

	while (w->slots[j] && w->info[w->slots[j] - 1].id != g->id)
		j = (j + 1) % w->nslots;
	if (!w->slots[j]) {
		if (w->ninfo == w->ainfo) {
			w->ainfo = w->ainfo ? w->ainfo * 2 : 64;
			w->info = xreallocarray(w->info, w->ainfo,
						sizeof(*w->info));
		}
		gi = &w->info[w->ninfo];
		memset(gi, 0, sizeof(*gi));
		gi->id = g->id;
		gi->state = snap_intern(w->strs, g->rep->status_str);
		if (g->user) {
			gi->ufunc = snap_intern(w->strs, g->user->func);
			gi->ufile = snap_intern(w->strs, g->user->file);
			gi->uline = g->user->line;
		}
		if (g->creator) {
			gi->cfunc = snap_intern(w->strs, g->creator->func);
			gi->cfile = snap_intern(w->strs, g->creator->file);
			gi->cline = g->creator->line;
		}
		w->slots[j] = ++w->ninfo;
		if (w->ninfo * 2 > w->nslots)
			info_rehash(w);
		return w->ninfo - 1;
	}
	return w->slots[j] - 1;
}

static int cmp_size(const void *a, const void *b)
{
	const size_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

void watch_add(struct watch *w, const struct snap *s,
	       struct watch_sample *out, struct strbuf *metrics)
{
	struct wsample *ws = &w->ring[w->nsamples % w->keep];
	struct grouping gr;
	size_t i, *pairs, prev_total = 0;

	if (w->nsamples)
		prev_total = w->ring[(w->nsamples - 1) % w->keep].total;
	group_snap(s, w->cfg.level, w->cfg.flags, w->cfg.rules, &gr);
	memset(out, 0, sizeof(*out));
	out->seq = w->nsamples + 1;
	out->time_unix_ns = s->time_unix_ns;
	out->pause_ns = s->pause_ns;
	out->total = gr.ngrouped;
	out->delta = w->nsamples ? (long long)gr.ngrouped -
					   (long long)prev_total : 0;
	out->ignored = gr.nignored;
	out->ngroups = gr.ngroups;
	for (i = 0; i < gr.ngroups; i++) {
		uint32_t st = gr.groups[i].rep->status;

		out->by_status[st < WATCH_NSTATUS - 1 ? st
						      : WATCH_NSTATUS - 1] +=
			gr.groups[i].count;
	}
	/* (info index, count) pairs, sorted by index. */
	pairs = xcalloc(2 * gr.ngroups + 2, sizeof(*pairs));
	for (i = 0; i < gr.ngroups; i++) {
		size_t k = info_index(w, &gr.groups[i]);

		w->info[k].oldest = gr.groups[i].wait_max;
		pairs[2 * i] = k;
		pairs[2 * i + 1] = gr.groups[i].count;
	}
	qsort(pairs, gr.ngroups, 2 * sizeof(*pairs), cmp_size);
	free(ws->gi);
	free(ws->count);
	ws->n = gr.ngroups;
	ws->total = gr.ngrouped;
	ws->gi = xcalloc(gr.ngroups + 1, sizeof(*ws->gi));
	ws->count = xcalloc(gr.ngroups + 1, sizeof(*ws->count));
	for (i = 0; i < gr.ngroups; i++) {
		ws->gi[i] = pairs[2 * i];
		ws->count[i] = pairs[2 * i + 1];
	}
	free(pairs);
	w->nsamples++;
	if (metrics)
		fmt_metrics(s, &gr, metrics);
	grouping_release(&gr);
}

static size_t count_in(const struct wsample *s, size_t gi)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->gi[mid] == gi)
			return s->count[mid];
		if (s->gi[mid] < gi)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

void watch_verdict(struct watch *w, struct watch_verdict *v)
{
	const struct watch_cfg *c = &w->cfg;
	const struct wsample *last;
	size_t span, first, i, t, lo = (size_t)-1, hi = 0, alloc = 0;

	memset(v, 0, sizeof(*v));
	v->nsamples = w->nsamples;
	if (!w->nsamples)
		return;
	span = w->nsamples < c->span ? w->nsamples : c->span;
	first = w->nsamples - span;	/* sample number of the oldest */
	v->span = span;
	for (t = first; t < w->nsamples; t++) {
		size_t tot = w->ring[t % w->keep].total;

		if (tot < lo)
			lo = tot;
		if (tot > hi)
			hi = tot;
	}
	v->spread = hi - lo;
	if (w->nsamples < c->window + 1)
		return;
	last = &w->ring[(w->nsamples - 1) % w->keep];
	for (i = 0; i < last->n; i++) {
		size_t gi = last->gi[i], series[64], k;
		int grew = 1;
		struct watch_suspect *su;

		for (k = 0; k < span; k++)
			series[k] = count_in(&w->ring[(first + k) % w->keep],
					     gi);
		for (k = span - c->window; k < span && grew; k++)
			grew = series[k] >= series[k - 1] + c->min_growth;
		if (!grew || series[span - 1] <= series[0] + c->tolerance)
			continue;
		if (v->nsuspects == alloc) {
			alloc = alloc ? alloc * 2 : 4;
			v->suspects = xreallocarray(v->suspects, alloc,
						    sizeof(*v->suspects));
		}
		su = &v->suspects[v->nsuspects++];
		memset(su, 0, sizeof(*su));
		su->id = w->info[gi].id;
		su->state = w->info[gi].state;
		su->user_func = w->info[gi].ufunc;
		su->user_file = w->info[gi].ufile;
		su->user_line = w->info[gi].uline;
		su->created_func = w->info[gi].cfunc;
		su->created_file = w->info[gi].cfile;
		su->created_line = w->info[gi].cline;
		su->oldest_wait_ns = w->info[gi].oldest;
		memcpy(su->series, series, span * sizeof(*series));
		su->nseries = span;
	}
	v->leak = v->nsuspects > 0;
}

void watch_verdict_release(struct watch_verdict *v)
{
	free(v->suspects);
	memset(v, 0, sizeof(*v));
}

static void fmt_time(struct strbuf *out, int64_t unix_ns)
{
	time_t t = (time_t)(unix_ns / 1000000000);
	struct tm tm;
	char ts[64];

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	strbuf_addf(out, "%s.%03lldZ", ts,
		    (long long)(unix_ns % 1000000000 / 1000000));
}

void watch_fmt_sample(const struct watch_sample *s, enum watch_format f,
		      struct strbuf *out)
{
	size_t i;

	if (f == WATCH_JSON) {
		json_t *o = json_object(), *st = json_object();
		char *text;

		json_object_set_new(o, "type", json_string("sample"));
		json_object_set_new(o, "seq", json_integer((json_int_t)s->seq));
		json_object_set_new(o, "time_unix_ns",
				    json_integer(s->time_unix_ns));
		json_object_set_new(o, "total",
				    json_integer((json_int_t)s->total));
		json_object_set_new(o, "delta", json_integer(s->delta));
		for (i = 0; i < WATCH_NSTATUS; i++)
			if (s->by_status[i])
				json_object_set_new(st, i < WATCH_NSTATUS - 1
					? gort_status_name((uint32_t)i)
					: "other",
					json_integer((json_int_t)
						     s->by_status[i]));
		json_object_set_new(o, "by_status", st);
		json_object_set_new(o, "groups",
				    json_integer((json_int_t)s->ngroups));
		json_object_set_new(o, "ignored",
				    json_integer((json_int_t)s->ignored));
		json_object_set_new(o, "pause_ns",
				    json_integer((json_int_t)s->pause_ns));
		text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text) {
			strbuf_adds(out, text);
			strbuf_addc(out, '\n');
			free(text);
		}
		json_decref(o);
		return;
	}
	fmt_time(out, s->time_unix_ns);
	strbuf_addf(out, "  #%zu  total %zu (%s%lld)", s->seq, s->total,
		    s->delta >= 0 ? "+" : "", s->delta);
	for (i = 0; i < WATCH_NSTATUS; i++)
		if (s->by_status[i])
			strbuf_addf(out, "  %s %zu", i < WATCH_NSTATUS - 1
				    ? gort_status_name((uint32_t)i) : "other",
				    s->by_status[i]);
	strbuf_addf(out, "  groups %zu", s->ngroups);
	if (s->ignored)
		strbuf_addf(out, "  ignored %zu", s->ignored);
	strbuf_addf(out, "  pause %.3f ms\n", (double)s->pause_ns / 1e6);
}

static json_t *frame_obj(const char *func, const char *file, int line)
{
	json_t *o;

	if (!func)
		return json_null();
	o = json_object();
	json_object_set_new(o, "func", jstr(func));
	json_object_set_new(o, "file", jstr(file));
	json_object_set_new(o, "line", json_integer(line));
	return o;
}

void watch_fmt_verdict(const struct watch_verdict *v,
		       const struct watch_cfg *cfg, enum watch_format f,
		       struct strbuf *out)
{
	size_t i, k;

	if (f == WATCH_OPENMETRICS) {
		strbuf_adds(out, "# TYPE goscope_watch_leak_suspected gauge\n"
			    "# HELP goscope_watch_leak_suspected 1 when a "
			    "goroutine group grew steadily.\n");
		strbuf_addf(out, "goscope_watch_leak_suspected %d\n", v->leak);
		strbuf_adds(out, "# TYPE goscope_watch_suspect_goroutines "
			    "gauge\n# HELP goscope_watch_suspect_goroutines "
			    "Goroutines in each group suspected of leaking."
			    "\n");
		for (i = 0; i < v->nsuspects; i++) {
			const struct watch_suspect *s = &v->suspects[i];

			strbuf_addf(out, "goscope_watch_suspect_goroutines{"
				    "group=\"%016llx\",state=\"",
				    (unsigned long long)s->id);
			fmt_metrics_escape(out, s->state);
			strbuf_adds(out, "\",created_by=\"");
			fmt_metrics_escape(out, s->created_func);
			strbuf_addf(out, "\"} %zu\n",
				    s->series[s->nseries - 1]);
		}
		strbuf_adds(out, "# EOF\n");
		return;
	}
	if (f == WATCH_JSON) {
		json_t *o = json_object(), *arr = json_array();
		char *text;

		json_object_set_new(o, "type", json_string("verdict"));
		json_object_set_new(o, "verdict", json_string(
			v->leak ? "leak suspected" : "stable"));
		json_object_set_new(o, "snapshots",
				    json_integer((json_int_t)v->nsamples));
		json_object_set_new(o, "span", json_integer((json_int_t)
							    v->span));
		json_object_set_new(o, "spread", json_integer((json_int_t)
							      v->spread));
		json_object_set_new(o, "tolerance", json_integer((json_int_t)
							cfg->tolerance));
		json_object_set_new(o, "window", json_integer((json_int_t)
							      cfg->window));
		json_object_set_new(o, "min_growth", json_integer((json_int_t)
							cfg->min_growth));
		for (i = 0; i < v->nsuspects; i++) {
			const struct watch_suspect *s = &v->suspects[i];
			json_t *g = json_object(), *ser = json_array();
			char id[24];

			snprintf(id, sizeof(id), "%016llx",
				 (unsigned long long)s->id);
			json_object_set_new(g, "id", json_string(id));
			json_object_set_new(g, "state", jstr(s->state));
			for (k = 0; k < s->nseries; k++)
				json_array_append_new(ser, json_integer(
					(json_int_t)s->series[k]));
			json_object_set_new(g, "series", ser);
			json_object_set_new(g, "oldest_wait_ns",
					    s->oldest_wait_ns >= 0
					    ? json_integer(s->oldest_wait_ns)
					    : json_null());
			json_object_set_new(g, "user_frame",
					    frame_obj(s->user_func,
						      s->user_file,
						      s->user_line));
			json_object_set_new(g, "created_by",
					    frame_obj(s->created_func,
						      s->created_file,
						      s->created_line));
			json_array_append_new(arr, g);
		}
		json_object_set_new(o, "suspects", arr);
		text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text) {
			strbuf_adds(out, text);
			strbuf_addc(out, '\n');
			free(text);
		}
		json_decref(o);
		return;
	}
	strbuf_addf(out, "verdict: %s (%zu snapshots; total varied by %zu "
		    "over the last %zu, tolerance %zu)\n",
		    v->leak ? "leak suspected" : "stable", v->nsamples,
		    v->spread, v->span, cfg->tolerance);
	for (i = 0; i < v->nsuspects; i++) {
		const struct watch_suspect *s = &v->suspects[i];

		strbuf_addf(out, "  group %016llx [%s] grew in each of the "
			    "last %zu snapshots:", (unsigned long long)s->id,
			    s->state, cfg->window);
		for (k = 0; k < s->nseries; k++)
			strbuf_addf(out, " %zu", s->series[k]);
		strbuf_adds(out, "\n    oldest wait ");
		if (s->oldest_wait_ns >= 0)
			group_fmt_duration(out, s->oldest_wait_ns);
		else
			strbuf_adds(out, "unknown (the runtime stamps it at "
				    "the next GC)");
		strbuf_addc(out, '\n');
		if (s->user_func)
			strbuf_addf(out, "    user frame  %s at %s:%d\n",
				    s->user_func, s->user_file, s->user_line);
		if (s->created_func)
			strbuf_addf(out, "    created by  %s at %s:%d\n",
				    s->created_func, s->created_file,
				    s->created_line);
	}
}
