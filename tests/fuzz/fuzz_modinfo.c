/* libFuzzer harness for buildinfo/modinfo.c: module text and quoting. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buildinfo/modinfo.h"
#include "lib/strbuf.h"
#include "lib/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_parse(const char *text);
static void check_quote(const char *s);

static void check_parse(const char *text)
{
	struct modinfo mi, mi2;
	struct strbuf sb, sb2;
	struct err e;
	size_t i;

	err_init(&e);
	if (modinfo_parse(text, &mi, &e) < 0) {
		if (e.code != EINVAL || strncmp(e.msg, "could not parse Go "
						"build info: line ", 34))
			abort();
		modinfo_release(&mi);
		return;
	}
	for (i = 0; i < mi.nsettings; i++)
		if (!modinfo_setting(&mi, mi.settings[i].key))
			abort();
	/* Formatting is a fixed point after one round. */
	strbuf_init(&sb);
	modinfo_format(&mi, &sb);
	if (modinfo_parse(sb.buf, &mi2, &e) < 0)
		abort();
	strbuf_init(&sb2);
	modinfo_format(&mi2, &sb2);
	if (sb.len != sb2.len || memcmp(sb.buf, sb2.buf, sb.len))
		abort();
	strbuf_release(&sb2);
	strbuf_release(&sb);
	modinfo_release(&mi2);
	modinfo_release(&mi);
}

/* go_unquote(go_quote(s)) gives s back, byte for byte. */
static void check_quote(const char *s)
{
	struct strbuf sb;
	char *back;

	strbuf_init(&sb);
	go_quote(&sb, s);
	back = go_unquote(sb.buf, sb.len);
	if (!back || strcmp(back, s))
		abort();
	free(back);
	strbuf_release(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf sb;
	char *text, *u;

	/* Unquote the raw bytes (exact size: ASan sees overreads). */
	u = go_unquote((const char *)data, size);
	if (u) {
		/* What unquotes must survive a quote/unquote trip. */
		check_quote(u);
		free(u);
	}

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check_parse(text);
	check_quote(text);
	/* Each line on its own as a build value. */
	strbuf_init(&sb);
	strbuf_adds(&sb, "build\tk=");
	strbuf_adds(&sb, text);
	strbuf_addc(&sb, '\n');
	check_parse(sb.buf);
	strbuf_release(&sb);
	free(text);
	return 0;
}
