/* runtime.printArgs, replayed on a copied stack with the binary's ArgInfo. */
#include <errno.h>
#include <string.h>

#include "goruntime/args.h"
#include "lib/banned.h"

#define FUNCDATA_ARGINFO 5
#define FUNCDATA_ARGLIVEINFO 6
#define PCDATA_ARGLIVEINDEX 3

/* The encoding of FUNCDATA_ArgInfo (cmd/compile/internal/ssagen). */
#define END_SEQ 0xff
#define START_AGG 0xfe
#define END_AGG 0xfd
#define DOTDOTDOT 0xfc
#define OFFSET_TOO_LARGE 0xfb
/* (maxDepth*3+2)*limit + 1 with limit 10 and maxDepth 5. */
#define MAX_LEN 171

struct live {
	struct memsrc *img;
	uint64_t info;		/* FUNCDATA_ArgLiveInfo, or 0 */
	int32_t idx;		/* PCDATA_ArgLiveIndex at the PC */
	uint8_t start;		/* smallest offset that needs liveness */
};

static int is_live(const struct live *lv, uint8_t off, uint8_t slot);

static int is_live(const struct live *lv, uint8_t off, uint8_t slot)
{
	uint8_t bits;

	if (!lv->info || lv->idx <= 0 || off < lv->start)
		return 1;
	if (memsrc_read_full(lv->img, lv->info + (uint64_t)lv->idx + slot / 8,
			     &bits, 1, NULL) < 0)
		return 1;
	return (bits >> (slot % 8)) & 1;
}

int gort_frame_args(struct memsrc *img, const struct pclntab *t,
		    const struct pcln_func *fn, uint64_t lookup,
		    const struct gort_g *g, uint64_t argp, struct strbuf *out)
{
	unsigned char p[MAX_LEN];
	uint64_t info = pclntab_funcdata(t, fn, FUNCDATA_ARGINFO);
	struct live lv = { .img = img };
	size_t pi = 0, got;
	uint8_t slot = 0;
	int start = 1;

	if (!info)
		return 0;
	/* The table may end close to the end of its section. */
	memset(p, END_SEQ, sizeof(p));
	for (got = 0; got < MAX_LEN; got += 16) {
		size_t n = MAX_LEN - got < 16 ? MAX_LEN - got : 16;

		if (memsrc_read_full(img, info + got, p + got, n, NULL) < 0)
			break;
	}
	lv.info = pclntab_funcdata(t, fn, FUNCDATA_ARGLIVEINFO);
	lv.idx = pclntab_pcdata(t, fn, PCDATA_ARGLIVEINDEX, lookup);
	lv.start = 0xff;
	if (lv.info && memsrc_read_full(img, lv.info, &lv.start, 1, NULL) < 0)
		lv.info = 0;
	while (pi < MAX_LEN) {
		uint8_t o = p[pi++], sz;
		uint64_t x;

		switch (o) {
		case END_SEQ:
			return 0;
		case START_AGG:
			if (!start)
				strbuf_adds(out, ", ");
			strbuf_addc(out, '{');
			start = 1;
			continue;
		case END_AGG:
			strbuf_addc(out, '}');
			break;
		case DOTDOTDOT:
			if (!start)
				strbuf_adds(out, ", ");
			strbuf_adds(out, "...");
			break;
		case OFFSET_TOO_LARGE:
			if (!start)
				strbuf_adds(out, ", ");
			strbuf_addc(out, '_');
			break;
		default:
			if (!start)
				strbuf_adds(out, ", ");
			if (pi >= MAX_LEN)
				return -EINVAL;
			sz = p[pi++];
			if (argp + o < g->copy_base ||
			    argp + o + 8 > g->copy_base + g->copy_len)
				return -ENOENT;
			memcpy(&x, g->stack + (argp + o - g->copy_base), 8);
			if (sz == 0)
				x = 0;
			else if (sz < 8)
				x = x << (64 - sz * 8) >> (64 - sz * 8);
			strbuf_addx64(out, x);
			if (!is_live(&lv, o, slot))
				strbuf_addc(out, '?');
			if (o >= lv.start)
				slot++;
			break;
		}
		start = 0;
	}
	return 0;
}
