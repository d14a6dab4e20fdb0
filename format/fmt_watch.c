/* Renders the leak watch: samples and verdicts as text, JSON lines or OpenMetrics. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format/fmt_metrics.h"
#include "format/fmt_watch.h"
#include "goruntime/traceback.h"
#include "lib/jstr.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

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

void fmt_watch_sample(const struct watch_sample *s, enum watch_format f,
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
	strbuf_adds(out, "# HELP goscope_capture_problems_total Snapshots "
		    "taken with a problem: threads that could not be stopped "
		    "(partial), or a failed resume.\n# TYPE "
		    "goscope_capture_problems_total counter\n");
	strbuf_addf(out, "goscope_capture_problems_total %zu\n", v->problems);
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
	json_object_set_new(o, "capture_problems",
			    json_integer((json_int_t)v->problems));
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

void fmt_watch_verdict(const struct watch_verdict *v,
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

void fmt_watch_label_exposition(const char *in, const char *k1,
				const char *v1, const char *k2,
				const char *v2, struct strbuf *out)
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

void fmt_watch_metrics(const struct snap *s, const struct grouping *gr,
		       struct strbuf *out)
{
	fmt_metrics(s, gr, out);
	if (out->len >= 6 && !strcmp(out->buf + out->len - 6, "# EOF\n"))
		out->buf[out->len -= 6] = '\0';
}
