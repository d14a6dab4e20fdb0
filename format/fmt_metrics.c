/* OpenMetrics exposition of a snapshot's goroutine counts. */
#include <stdlib.h>
#include <string.h>

#include "goruntime/traceback.h"
#include "format/fmt_metrics.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

struct state_count {
	const char *status, *reason;
	size_t n;
};

static int cmp_count(const void *a, const void *b);

void fmt_metrics_escape(struct strbuf *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\n') {
			strbuf_adds(out, "\\n");
			continue;
		}
		if (*s == '\\' || *s == '"')
			strbuf_addc(out, '\\');
		strbuf_addc(out, *s);
	}
}

static int cmp_count(const void *a, const void *b)
{
	const struct group *const *x = a, *const *y = b;

	if ((*x)->count != (*y)->count)
		return (*x)->count > (*y)->count ? -1 : 1;
	return (*x)->id < (*y)->id ? -1 : (*x)->id > (*y)->id;
}

void fmt_metrics(const struct snap *s, const struct grouping *gr,
		 struct strbuf *out)
{
	struct state_count *sc = xcalloc(gr->ngroups + 1, sizeof(*sc));
	const struct group **top = xcalloc(gr->ngroups + 1, sizeof(*top));
	size_t nsc = 0, i, k, ntop;

	for (i = 0; i < gr->ngroups; i++) {
		const struct snap_goroutine *g = gr->groups[i].rep;
		const char *status = gort_status_name(g->status);
		const char *reason = g->waitreason ? g->status_str : "";

		if (g->status == UINT32_MAX)
			status = "unknown";
		for (k = 0; k < nsc; k++)
			if (!strcmp(sc[k].status, status) &&
			    !strcmp(sc[k].reason, reason))
				break;
		if (k == nsc) {
			sc[nsc].status = status;
			sc[nsc++].reason = reason;
		}
		sc[k].n += gr->groups[i].count;
		top[i] = &gr->groups[i];
	}
	strbuf_adds(out, "# TYPE goscope_goroutines gauge\n"
		    "# HELP goscope_goroutines Goroutines by state and wait "
		    "reason.\n");
	for (k = 0; k < nsc; k++) {
		strbuf_adds(out, "goscope_goroutines{state=\"");
		fmt_metrics_escape(out, sc[k].status);
		strbuf_adds(out, "\",wait_reason=\"");
		fmt_metrics_escape(out, sc[k].reason);
		strbuf_addf(out, "\"} %zu\n", sc[k].n);
	}
	qsort(top, gr->ngroups, sizeof(*top), cmp_count);
	ntop = gr->ngroups < FMT_METRICS_MAX_GROUPS ? gr->ngroups
						    : FMT_METRICS_MAX_GROUPS;
	strbuf_adds(out, "# TYPE goscope_goroutine_group gauge\n"
		    "# HELP goscope_goroutine_group Goroutines per group "
		    "(state, stack and creation site).\n");
	for (i = 0; i < ntop; i++) {
		const struct group *g = top[i];

		strbuf_addf(out, "goscope_goroutine_group{group=\"%016llx\","
			    "state=\"", (unsigned long long)g->id);
		fmt_metrics_escape(out, g->rep->status_str);
		strbuf_adds(out, "\",user_frame=\"");
		fmt_metrics_escape(out, g->user ? g->user->func : "");
		strbuf_adds(out, "\",created_by=\"");
		fmt_metrics_escape(out, g->creator ? g->creator->func : "");
		strbuf_addf(out, "\"} %zu\n", g->count);
	}
	if (ntop < gr->ngroups) {
		size_t rest = 0;

		for (i = ntop; i < gr->ngroups; i++)
			rest += top[i]->count;
		strbuf_addf(out, "goscope_goroutine_group{group=\"other\","
			    "state=\"\",user_frame=\"\",created_by=\"\"} "
			    "%zu\n", rest);
	}
	strbuf_adds(out, "# TYPE goscope_goroutine_group_oldest_wait_seconds "
		    "gauge\n# HELP goscope_goroutine_group_oldest_wait_seconds"
		    " Longest wait in the group.\n");
	for (i = 0; i < ntop; i++)
		if (top[i]->wait_max >= 0)
			strbuf_addf(out, "goscope_goroutine_group_oldest_wait_"
				    "seconds{group=\"%016llx\"} %.3f\n",
				    (unsigned long long)top[i]->id,
				    (double)top[i]->wait_max / 1e9);
	strbuf_adds(out, "# TYPE goscope_goroutines_all gauge\n"
		    "# HELP goscope_goroutines_all Goroutines (system "
		    "goroutines and ignored ones excluded).\n");
	strbuf_addf(out, "goscope_goroutines_all %zu\n", gr->ngrouped);
	if (s->pid) {
		strbuf_adds(out, "# TYPE goscope_capture_pause_seconds gauge\n"
			    "# HELP goscope_capture_pause_seconds How long "
			    "the process was stopped for the snapshot.\n");
		strbuf_addf(out, "goscope_capture_pause_seconds %.6f\n",
			    (double)s->pause_ns / 1e9);
	}
	strbuf_adds(out, "# EOF\n");
	free(top);
	free(sc);
}
