/* Leak watch state: per-group count series and the stable/leak verdict. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "goruntime/traceback.h"
#include "lib/hashmap.h"
#include "snapshot/ages.h"
#include "snapshot/fmt_metrics.h"
#include "snapshot/watch.h"
#include "lib/xmalloc.h"
#include "lib/jstr.h"
#include "lib/banned.h"

/* What the verdict needs to know of a group after its snapshot is gone. */
struct ginfo {
	struct hashmap_entry ent;
	uint64_t id;
	const char *state, *ufunc, *ufile, *cfunc, *cfile;
	int uline, cline;
	int64_t oldest;
	int64_t first_seen;	/* of its oldest member, 0 unknown */
	size_t count;		/* in the last snapshot */
	size_t seen;		/* the sample it was last in */
	int leaked;		/* the runtime marked it leaked */
};

struct watch {
	struct watch_cfg cfg;
	struct snap *strs;	/* owns the strings of ginfo */
	struct hashmap info;	/* struct ginfo by id */
	struct leak_track *track;
	struct leak_track *totals;	/* the total as group 0 */
	size_t nsamples;
	size_t total;		/* of the last sample */
	int64_t last_time;	/* of the last sample */
	struct ages *ages;
	size_t failures;
	int last_failed;
};

static int ginfo_cmp(const void *data, const struct hashmap_entry *a,
		     const struct hashmap_entry *b, const void *key);
static struct ginfo *ginfo_find(const struct watch *w, uint64_t id);
static struct ginfo *ginfo_get(struct watch *w, const struct group *g);
static void add_suspect(const struct watch *w, struct watch_verdict *v,
			size_t *alloc, const struct ginfo *gi,
			const struct leak_result *r, const struct leak_track *t);
static int cmp_suspect(const void *a, const void *b);
static void fmt_time(struct strbuf *out, int64_t unix_ns);
static void json_line(json_t *o, struct strbuf *out);
static json_t *frame_obj(const char *func, const char *file, int line);
static void fmt_verdict_metrics(const struct watch_verdict *v,
				struct strbuf *out);
static json_t *suspect_json(const struct watch_suspect *s);
static void fmt_verdict_json(const struct watch_verdict *v,
			     const struct watch_cfg *cfg, struct strbuf *out);
static void fmt_suspect_text(const struct watch_suspect *s,
			     struct strbuf *out);

struct watch *watch_new(const struct watch_cfg *cfg)
{
	struct watch *w = xcalloc(1, sizeof(*w));

	w->cfg = *cfg;
	if (!w->cfg.leak.window_ns) {
		struct leak_cfg d;

		leak_cfg_init(&d);
		w->cfg.leak.window_ns = d.window_ns;
	}
	w->strs = snap_new();
	hashmap_init(&w->info, ginfo_cmp, NULL, 0);
	w->track = leak_track_new(&w->cfg.leak);
	w->totals = leak_track_new(&w->cfg.leak);
	w->ages = ages_new();
	return w;
}

void watch_free(struct watch *w)
{
	if (!w)
		return;
	hashmap_release_free(&w->info);
	leak_track_free(w->track);
	leak_track_free(w->totals);
	ages_free(w->ages);
	snap_free(w->strs);
	free(w);
}

const struct watch_cfg *watch_config(const struct watch *w)
{
	return &w->cfg;
}

static int ginfo_cmp(const void *data, const struct hashmap_entry *a,
		     const struct hashmap_entry *b, const void *key)
{
	(void)data;
	(void)key;
	return container_of(a, const struct ginfo, ent)->id !=
	       container_of(b, const struct ginfo, ent)->id;
}

static struct ginfo *ginfo_find(const struct watch *w, uint64_t id)
{
	struct ginfo probe;
	struct hashmap_entry *e;

	probe.id = id;
	hashmap_entry_init(&probe.ent, hash_u64(id));
	e = hashmap_get(&w->info, &probe.ent, NULL);
	return e ? container_of(e, struct ginfo, ent) : NULL;
}

/* The info of g's id, created from g the first time. */
static struct ginfo *ginfo_get(struct watch *w, const struct group *g)
{
	struct ginfo *gi = ginfo_find(w, g->id);

	if (gi)
		return gi;
	gi = xcalloc(1, sizeof(*gi));
	gi->id = g->id;
	gi->state = snap_intern(w->strs, g->rep->status_str);
	gi->leaked = g->rep->status == SNAP_LEAKED;
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
	hashmap_entry_init(&gi->ent, hash_u64(g->id));
	hashmap_add(&w->info, &gi->ent);
	return gi;
}

void watch_add(struct watch *w, struct snap *s,
	       struct watch_sample *out, struct strbuf *metrics)
{
	struct grouping gr;
	struct group all;
	struct grouping one;
	size_t i;

	ages_update(w->ages, s);
	w->last_time = s->time_unix_ns;
	group_snap(s, w->cfg.level, w->cfg.flags, w->cfg.rules, &gr);
	memset(out, 0, sizeof(*out));
	out->seq = ++w->nsamples;
	out->time_unix_ns = s->time_unix_ns;
	out->pause_ns = s->pause_ns;
	out->total = gr.ngrouped;
	out->delta = w->nsamples > 1 ? (long long)gr.ngrouped -
					       (long long)w->total : 0;
	out->ignored = gr.nignored;
	out->ngroups = gr.ngroups;
	w->total = gr.ngrouped;
	for (i = 0; i < gr.ngroups; i++) {
		const struct group *g = &gr.groups[i];
		uint32_t st = g->rep->status;
		struct ginfo *gi = ginfo_get(w, g);

		out->by_status[st < WATCH_NSTATUS - 1 ? st
						      : WATCH_NSTATUS - 1] +=
			g->count;
		gi->oldest = g->wait_max;
		gi->first_seen = g->first_seen_min;
		gi->count = g->count;
		gi->seen = w->nsamples;
	}
	leak_track_add(w->track, s->time_unix_ns, &gr);
	memset(&all, 0, sizeof(all));
	memset(&one, 0, sizeof(one));
	all.count = gr.ngrouped;
	one.groups = &all;
	one.ngroups = 1;
	leak_track_add(w->totals, s->time_unix_ns, &one);
	w->last_failed = 0;
	if (metrics) {
		fmt_metrics(s, &gr, metrics);
		if (metrics->len >= 6 &&
		    !strcmp(metrics->buf + metrics->len - 6, "# EOF\n"))
			metrics->buf[metrics->len -= 6] = '\0';
	}
	grouping_release(&gr);
}

static void add_suspect(const struct watch *w, struct watch_verdict *v,
			size_t *alloc, const struct ginfo *gi,
			const struct leak_result *r, const struct leak_track *t)
{
	struct watch_suspect *su;
	struct leak_point *p;
	size_t n;

	if (v->nsuspects == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 4;
		v->suspects = xreallocarray(v->suspects, *alloc,
					    sizeof(*v->suspects));
	}
	su = &v->suspects[v->nsuspects++];
	memset(su, 0, sizeof(*su));
	su->id = gi->id;
	su->state = gi->state;
	su->user_func = gi->ufunc;
	su->user_file = gi->ufile;
	su->user_line = gi->uline;
	su->created_func = gi->cfunc;
	su->created_file = gi->cfile;
	su->created_line = gi->cline;
	su->oldest_wait_ns = gi->oldest;
	su->age_min_ns = gi->first_seen ? w->last_time - gi->first_seen : -1;
	su->proven = !r;
	su->count = gi->count;
	if (!r)
		return;
	su->res = *r;
	p = xcalloc(leak_track_npoints(t) + 1, sizeof(*p));
	n = leak_track_series(t, gi->id, p);
	su->nseries = n - r->first;
	su->series = xcalloc(su->nseries + 1, sizeof(*su->series));
	memcpy(su->series, p + r->first, su->nseries * sizeof(*p));
	free(p);
}

/* Proven leaks first, then the largest growth. */
static int cmp_suspect(const void *a, const void *b)
{
	const struct watch_suspect *x = a, *y = b;

	if (x->proven != y->proven)
		return y->proven - x->proven;
	if (x->res.growth != y->res.growth)
		return x->res.growth > y->res.growth ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

void watch_capture_failed(struct watch *w)
{
	w->failures++;
	w->last_failed = 1;
}

void watch_verdict(struct watch *w, struct watch_verdict *v)
{
	struct hashmap_iter it;
	struct hashmap_entry *e;
	struct leak_result r;
	size_t alloc = 0;

	memset(v, 0, sizeof(*v));
	v->nsamples = w->nsamples;
	v->failures = w->failures;
	v->last_failed = w->last_failed;
	if (!w->nsamples)
		return;
	leak_track_judge(w->totals, 0, &r);
	v->state = r.state;
	v->decided = r.state != LEAK_UNDECIDED;
	v->npoints = r.npoints;
	v->span_ns = r.span_ns;
	if (r.npoints) {
		struct leak_point *p = xcalloc(leak_track_npoints(w->totals) +
						       1, sizeof(*p));
		size_t n = leak_track_series(w->totals, 0, p);

		v->total_first = p[r.first].n;
		v->total_last = p[n - 1].n;
		free(p);
	}
	if (v->state == LEAK_SUSPECT)	/* a rising total alone names none */
		v->state = LEAK_STABLE;
	hashmap_iter_init(&w->info, &it);
	while ((e = hashmap_iter_next(&it))) {
		struct ginfo *gi = container_of(e, struct ginfo, ent);

		if (gi->seen != w->nsamples)
			continue;
		if (gi->leaked) {
			v->nleaked += gi->count;
			add_suspect(w, v, &alloc, gi, NULL, NULL);
			continue;
		}
		if (v->state == LEAK_UNDECIDED ||
		    leak_track_judge(w->track, gi->id, &r) != LEAK_SUSPECT)
			continue;
		add_suspect(w, v, &alloc, gi, &r, w->track);
	}
	if (!v->nsuspects)
		return;
	v->state = LEAK_SUSPECT;
	qsort(v->suspects, v->nsuspects, sizeof(*v->suspects), cmp_suspect);
}

enum leak_state watch_group_state(const struct watch *w, uint64_t id)
{
	const struct ginfo *gi = ginfo_find(w, id);
	struct leak_result r;

	if (!w->nsamples)
		return LEAK_UNDECIDED;
	if (gi && gi->seen == w->nsamples && gi->leaked)
		return LEAK_SUSPECT;
	if (leak_track_judge(w->totals, 0, &r) == LEAK_UNDECIDED)
		return LEAK_UNDECIDED;
	if (!gi || gi->seen != w->nsamples)
		return LEAK_STABLE;
	return leak_track_judge(w->track, id, &r) == LEAK_SUSPECT
		       ? LEAK_SUSPECT : LEAK_STABLE;
}

void watch_verdict_release(struct watch_verdict *v)
{
	size_t i;

	for (i = 0; i < v->nsuspects; i++)
		free(v->suspects[i].series);
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
		json_line(o, out);
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

static void fmt_verdict_metrics(const struct watch_verdict *v,
				struct strbuf *out)
{
	size_t i;

	strbuf_adds(out, "# HELP goscope_watch_leak_suspected 1 when a "
		    "goroutine group grew over the window or the runtime "
		    "proved a leak.\n# TYPE goscope_watch_leak_suspected "
		    "gauge\n");
	strbuf_addf(out, "goscope_watch_leak_suspected %d\n",
		    v->state == LEAK_SUSPECT);
	strbuf_adds(out, "# HELP goscope_watch_undecided 1 while the "
		    "snapshots do not cover the leak window yet.\n"
		    "# TYPE goscope_watch_undecided gauge\n");
	strbuf_addf(out, "goscope_watch_undecided %d\n",
		    v->state == LEAK_UNDECIDED);
	strbuf_adds(out, "# HELP goscope_goroutines_leaked Goroutines the Go "
		    "runtime marked leaked (Go 1.26+ leak profile).\n"
		    "# TYPE goscope_goroutines_leaked gauge\n");
	strbuf_addf(out, "goscope_goroutines_leaked %zu\n", v->nleaked);
	strbuf_adds(out, "# HELP goscope_watch_suspect_goroutines Goroutines "
		    "in each group suspected of leaking.\n# TYPE "
		    "goscope_watch_suspect_goroutines gauge\n");
	for (i = 0; i < v->nsuspects; i++) {
		const struct watch_suspect *s = &v->suspects[i];

		strbuf_addf(out, "goscope_watch_suspect_goroutines{"
			    "group=\"%016llx\",state=\"",
			    (unsigned long long)s->id);
		fmt_metrics_escape(out, s->state);
		strbuf_adds(out, "\",created_by=\"");
		fmt_metrics_escape(out, s->created_func);
		strbuf_addf(out, "\"} %zu\n", s->count);
	}
	strbuf_adds(out, "# HELP goscope_watch_suspect_growth Growth of each "
		    "suspected group over the window.\n# TYPE "
		    "goscope_watch_suspect_growth gauge\n");
	for (i = 0; i < v->nsuspects; i++)
		strbuf_addf(out, "goscope_watch_suspect_growth{group=\"%016llx"
			    "\"} %lld\n", (unsigned long long)v->suspects[i].id,
			    v->suspects[i].res.growth);
	strbuf_adds(out, "# HELP goscope_capture_failures_total Snapshots "
		    "that could not be taken.\n# TYPE "
		    "goscope_capture_failures_total counter\n");
	strbuf_addf(out, "goscope_capture_failures_total %zu\n", v->failures);
	strbuf_adds(out, "# HELP goscope_capture_success 1 when the last "
		    "snapshot was taken.\n# TYPE goscope_capture_success "
		    "gauge\n");
	strbuf_addf(out, "goscope_capture_success %d\n", !v->last_failed);
	strbuf_adds(out, "# EOF\n");
}

static json_t *suspect_json(const struct watch_suspect *s)
{
	json_t *g = json_object(), *ser = json_array();
	char id[24];
	size_t k;

	snprintf(id, sizeof(id), "%016llx", (unsigned long long)s->id);
	json_object_set_new(g, "id", json_string(id));
	json_object_set_new(g, "state", jstr(s->state));
	json_object_set_new(g, "proven", json_boolean(s->proven));
	json_object_set_new(g, "count", json_integer((json_int_t)s->count));
	if (!s->proven) {
		json_object_set_new(g, "start", json_integer(
			(json_int_t)s->res.start));
		json_object_set_new(g, "middle", json_integer(
			(json_int_t)s->res.middle));
		json_object_set_new(g, "recent", json_integer(
			(json_int_t)s->res.recent));
		json_object_set_new(g, "growth", json_integer(s->res.growth));
		json_object_set_new(g, "fall", json_integer(
			(json_int_t)s->res.fall));
		json_object_set_new(g, "span_ns", json_integer(
			s->res.span_ns));
	}
	for (k = 0; k < s->nseries; k++)
		json_array_append_new(ser, json_integer(
			(json_int_t)s->series[k].n));
	json_object_set_new(g, "series", ser);
	json_object_set_new(g, "oldest_wait_ns", s->oldest_wait_ns >= 0
			    ? json_integer(s->oldest_wait_ns) : json_null());
	json_object_set_new(g, "wait_approximate", json_true());
	json_object_set_new(g, "oldest_age_min_ns", s->age_min_ns >= 0
			    ? json_integer(s->age_min_ns) : json_null());
	json_object_set_new(g, "user_frame", frame_obj(s->user_func,
						       s->user_file,
						       s->user_line));
	json_object_set_new(g, "created_by", frame_obj(s->created_func,
						       s->created_file,
						       s->created_line));
	return g;
}

static void fmt_verdict_json(const struct watch_verdict *v,
			     const struct watch_cfg *cfg, struct strbuf *out)
{
	json_t *o = json_object(), *arr = json_array();
	size_t i;

	json_object_set_new(o, "type", json_string("verdict"));
	json_object_set_new(o, "verdict",
			    json_string(leak_state_name(v->state)));
	json_object_set_new(o, "window_covered", json_boolean(v->decided));
	json_object_set_new(o, "snapshots",
			    json_integer((json_int_t)v->nsamples));
	json_object_set_new(o, "window_ns",
			    json_integer(cfg->leak.window_ns));
	json_object_set_new(o, "tolerance",
			    json_integer((json_int_t)cfg->leak.tolerance));
	json_object_set_new(o, "noise",
			    json_integer((json_int_t)cfg->leak.noise));
	json_object_set_new(o, "points", json_integer((json_int_t)
						      v->npoints));
	json_object_set_new(o, "span_ns", json_integer(v->span_ns));
	json_object_set_new(o, "total_first",
			    json_integer((json_int_t)v->total_first));
	json_object_set_new(o, "total_last",
			    json_integer((json_int_t)v->total_last));
	json_object_set_new(o, "leaked", json_integer((json_int_t)
						      v->nleaked));
	json_object_set_new(o, "capture_failures",
			    json_integer((json_int_t)v->failures));
	for (i = 0; i < v->nsuspects; i++)
		json_array_append_new(arr, suspect_json(&v->suspects[i]));
	json_object_set_new(o, "suspects", arr);
	json_line(o, out);
}

/* Appends o as one compact line and frees it. */
static void json_line(json_t *o, struct strbuf *out)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (text) {
		strbuf_adds(out, text);
		strbuf_addc(out, '\n');
		free(text);
	}
	json_decref(o);
}

static void fmt_suspect_text(const struct watch_suspect *s,
			     struct strbuf *out)
{
	strbuf_addf(out, "  group %016llx [%s%s]: ", (unsigned long long)s->id,
		    s->state, s->proven ? " (leaked)" : "");
	if (s->proven) {
		strbuf_addf(out, "%zu goroutines the runtime proved leaked "
			    "(unreachable, Go's leak profile)\n", s->count);
	} else {
		strbuf_addf(out, "grew from %zu to %zu (+%lld) in ",
			    s->res.start, s->res.recent, s->res.growth);
		group_fmt_duration(out, s->res.span_ns);
		strbuf_addf(out, " (%.1f/s), never fell by more than %zu; "
			    "now %zu\n", s->res.span_ns > 0
			    ? (double)s->res.growth * 1e9 /
			      (double)s->res.span_ns : 0.0,
			    s->res.fall, s->count);
	}
	if (s->age_min_ns >= 0) {
		strbuf_adds(out, "    oldest age  >= ");
		group_fmt_duration(out, s->age_min_ns);
		strbuf_adds(out, " (seen by goscope since then)\n");
	}
	strbuf_adds(out, "    oldest wait ");
	if (s->oldest_wait_ns >= 0) {
		strbuf_addc(out, '~');
		group_fmt_duration(out, s->oldest_wait_ns);
		strbuf_adds(out, " (approximate: stamped by the runtime's GC)");
	} else {
		strbuf_adds(out, "unknown (the runtime stamps it at the next "
			    "GC)");
	}
	strbuf_addc(out, '\n');
	if (s->user_func)
		strbuf_addf(out, "    user frame  %s at %s:%d\n", s->user_func,
			    s->user_file, s->user_line);
	if (s->created_func)
		strbuf_addf(out, "    created by  %s at %s:%d\n",
			    s->created_func, s->created_file,
			    s->created_line);
}

void watch_fmt_verdict(const struct watch_verdict *v,
		       const struct watch_cfg *cfg, enum watch_format f,
		       struct strbuf *out)
{
	size_t i;

	if (f == WATCH_OPENMETRICS) {
		fmt_verdict_metrics(v, out);
		return;
	}
	if (f == WATCH_JSON) {
		fmt_verdict_json(v, cfg, out);
		return;
	}
	strbuf_addf(out, "verdict: %s (%zu snapshots; ",
		    v->state == LEAK_UNDECIDED ? "not enough snapshots"
					       : leak_state_name(v->state),
		    v->nsamples);
	if (!v->decided) {
		strbuf_addf(out, "the rule needs at least %d covering the ",
			    LEAK_MIN_POINTS);
		group_fmt_duration(out, cfg->leak.window_ns);
		strbuf_adds(out, " window");
	} else {
		strbuf_addf(out, "total %zu -> %zu over the last ",
			    v->total_first, v->total_last);
		group_fmt_duration(out, v->span_ns);
		strbuf_addf(out, "; tolerance %zu, noise %zu",
			    cfg->leak.tolerance, cfg->leak.noise);
	}
	strbuf_adds(out, ")\n");
	for (i = 0; i < v->nsuspects; i++)
		fmt_suspect_text(&v->suspects[i], out);
}

void watch_label_exposition(const char *in, const char *k1, const char *v1,
			    const char *k2, const char *v2,
			    struct strbuf *out)
{
	while (*in) {
		const char *nl = strchr(in, '\n');
		size_t len = nl ? (size_t)(nl - in + 1) : strlen(in);
		size_t name = strcspn(in, "{ \n");

		if (*in == '#' || name == len || in[name] == '\n') {
			strbuf_add(out, in, len);
			in += len;
			continue;
		}
		strbuf_add(out, in, name);
		strbuf_addf(out, "{%s=\"", k1);
		fmt_metrics_escape(out, v1);
		strbuf_addf(out, "\",%s=\"", k2);
		fmt_metrics_escape(out, v2);
		strbuf_addc(out, '"');
		if (in[name] == '{') {
			name++;
			if (in[name] != '}')
				strbuf_addc(out, ',');
		} else {
			strbuf_addc(out, '}');
		}
		strbuf_add(out, in + name, len - name);
		in += len;
	}
}
