/* libFuzzer harness for symbols/pclntab.c: hostile pclntabs and PCs. */
/*
 * Input: u32 gofunc offset (0: none), u32 text start (0: the header's),
 * then the image, visible at BASE; the pcHeader is at BASE.  Every
 * function (up to a bound) is queried at a few PCs, plus PCs taken from
 * the last bytes of the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "symbols/pclntab.h"
#include "lib/banned.h"

#define BASE 0x10000u
#define MAX_QUERIES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void query(struct pclntab *t, const struct pcln_func *f, uint64_t pc)
{
	struct pcln_frame fr[16];
	int32_t d;
	unsigned int i;
	int n, k;
	size_t len = 0;

	(void)pclntab_spdelta(t, f, pc, &d);
	n = pclntab_frames(t, f, pc, fr, 16);
	for (k = 0; k < n; k++) {
		/* Touch every string: they must be NUL-terminated. */
		len += strlen(fr[k].func) + strlen(fr[k].file);
	}
	for (i = 0; i < 6; i++)
		(void)pclntab_pcdata(t, f, i, pc);
	for (i = 0; i < 8; i++)
		(void)pclntab_funcdata(t, f, i);
	(void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pclntab *t;
	struct pcln_func f;
	struct memsrc *src;
	struct err e;
	uint32_t gofunc, text;
	uint64_t span;
	size_t i, n;

	if (size < 8)
		return 0;
	gofunc = get32(data);
	text = get32(data + 4);
	src = memsrc_buf_new(data + 8, size - 8, BASE);
	err_init(&e);
	if (pclntab_open_text(src, BASE, gofunc ? BASE + (uint64_t)gofunc : 0,
			      text, &t, &e) < 0) {
		memsrc_free(src);
		return 0;
	}
	memsrc_free(src);
	n = pclntab_nfunc(t);
	if (n > MAX_QUERIES)
		n = MAX_QUERIES;
	for (i = 0; i < n; i++) {
		if (pclntab_func_at(t, i, &f) < 0)
			continue;
		(void)strlen(f.name);
		query(t, &f, f.entry);
		query(t, &f, f.entry + (f.end - f.entry) / 2);
		if (f.end > f.entry)
			query(t, &f, f.end - 1);
		query(t, &f, f.end);
	}
	/* PCs from the end of the input, inside the text. */
	span = 0x10000;
	if (pclntab_func_at(t, pclntab_nfunc(t) - 1, &f) == 0 &&
	    f.end > pclntab_text_start(t))
		span = f.end - pclntab_text_start(t) + 1;
	for (i = 1; i <= MAX_QUERIES && 8 + 4 * i <= size; i++) {
		uint64_t pc = pclntab_text_start(t) +
			      get32(data + size - 4 * i) % span;

		if (pclntab_find(t, pc, &f) == 0) {
			(void)strlen(f.name);
			query(t, &f, pc);
		}
	}
	(void)pclntab_lookup(t, "main.main", &f);
	pclntab_free(t);
	return 0;
}
