/* The leak watch rendered: samples and verdicts as text, JSON or OpenMetrics. */
#ifndef GOSCOPE_FORMAT_FMT_WATCH_H
#define GOSCOPE_FORMAT_FMT_WATCH_H

#include "lib/strbuf.h"
#include "snapshot/group.h"
#include "snapshot/snap.h"
#include "snapshot/watch.h"

enum watch_format { WATCH_TEXT, WATCH_JSON, WATCH_OPENMETRICS };

/* One line per sample (text, or a JSON object per line). */
void fmt_watch_sample(const struct watch_sample *s, enum watch_format f,
		      struct strbuf *out);
/* The verdict (text lines, or one JSON object line). */
void fmt_watch_verdict(const struct watch_verdict *v,
		       const struct watch_cfg *cfg, enum watch_format f,
		       struct strbuf *out);
/*
 * Copies the exposition in (NUL-terminated) to out with the labels
 * k1="v1",k2="v2" added to every sample (values escaped).
 */
void fmt_watch_label_exposition(const char *in, const char *k1,
				const char *v1, const char *k2,
				const char *v2, struct strbuf *out);
/*
 * Appends the exposition of s grouped as gr (watch_add's grouping),
 * without its "# EOF" line: fmt_watch_verdict ends the exposition.
 */
void fmt_watch_metrics(const struct snap *s, const struct grouping *gr,
		       struct strbuf *out);
#endif
