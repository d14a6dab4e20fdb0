/* libFuzzer harness for format/parse_go.c: Go goroutine dump texts. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot/diff.h"
#include "format/fmt_go.h"
#include "format/fmt_go1.h"
#include "format/fmt_json.h"
#include "format/fmt_metrics.h"
#include "format/fmt_pprof.h"
#include "snapshot/group.h"
#include "format/parse_go.h"
#include "format/parse_json.h"
#include "snapshot/rules.h"
#include "lib/strbuf.h"
#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snap *s = NULL, *r = NULL;
	struct rules *rules = NULL;
	struct strbuf a, b;
	struct grouping gr;
	struct err e, w;
	struct diff d;

	err_init(&e);
	if (parse_go_dump((const char *)data, size, &s, &w, &e) < 0) {
		/* Errors name the line. */
		if (e.code != EINVAL || strncmp(e.msg, "line ", 5) || s)
			abort();
		return 0;
	}
	if (s->ngs == 0 || (w.code && strncmp(w.msg, "line ", 5)))
		abort();
	/* The same bytes as ignore rules: parsed or refused, no crash. */
	if (rules_parse((const char *)data, size, "fuzz", &rules, &e) == 0)
		rules_free(rules);
	strbuf_init(&a);
	strbuf_init(&b);
	/* Through the JSON snapshot and back: the same document. */
	fmt_json_snapshot(s, &a);
	if (parse_json_snapshot(a.buf, a.len, &r, &e) < 0)
		abort();
	fmt_json_snapshot(r, &b);
	if (a.len != b.len || memcmp(a.buf, b.buf, a.len))
		abort();
	strbuf_reset(&a);
	fmt_go_dump(s, 0, &a);
	fmt_go1_dump(s, &a);
	if (fmt_pprof(s, &a, &e) < 0)
		abort();
	group_snap(s, GROUP_LINES, GROUP_SYSTEM, NULL, &gr);
	group_sort(&gr, GROUP_SORT_COUNT);
	group_fmt_text(&gr, &a);
	fmt_metrics(s, &gr, &a);
	grouping_release(&gr);
	diff_snaps(r, s, GROUP_EXACT, 0, &d);
	diff_fmt_json(&d, &a);
	diff_release(&d);
	strbuf_release(&a);
	strbuf_release(&b);
	snap_free(s);
	snap_free(r);
	return 0;
}
