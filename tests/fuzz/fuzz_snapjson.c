/* libFuzzer harness for format/parse_json.c: the JSON snapshot reader. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot/diff.h"
#include "format/fmt_go.h"
#include "format/fmt_go1.h"
#include "format/fmt_json.h"
#include "snapshot/group.h"
#include "format/parse_json.h"
#include "lib/strbuf.h"
#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snap *s = NULL, *r = NULL;
	struct strbuf a, b;
	struct grouping gr;
	struct diff d;
	struct err e;

	err_init(&e);
	if (parse_json_snapshot((const char *)data, size, &s, &e) < 0) {
		/* A failure says why, and leaves nothing behind. */
		if (e.code != EINVAL || !e.msg[0] || s)
			abort();
		return 0;
	}
	/* What was read writes out and reads back to the same bytes. */
	strbuf_init(&a);
	strbuf_init(&b);
	fmt_json_snapshot(s, &a);
	if (parse_json_snapshot(a.buf, a.len, &r, &e) < 0)
		abort();
	fmt_json_snapshot(r, &b);
	if (a.len != b.len || memcmp(a.buf, b.buf, a.len))
		abort();
	/* Every consumer copes with whatever the file held. */
	strbuf_reset(&a);
	fmt_go_dump(s, FMT_GO_ALL, &a);
	fmt_go1_dump(s, &a);
	group_snap(s, GROUP_EXACT, GROUP_SYSTEM, NULL, &gr);
	group_sort(&gr, GROUP_SORT_WAIT);
	group_fmt_text(&gr, &a);
	group_fmt_json(&gr, &a);
	grouping_release(&gr);
	diff_snaps(s, r, GROUP_LINES, 0, &d);
	diff_fmt_text(&d, &a);
	diff_release(&d);
	strbuf_release(&a);
	strbuf_release(&b);
	snap_free(s);
	snap_free(r);
	return 0;
}
