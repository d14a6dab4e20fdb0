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

int gort_args_prepare(struct memsrc *img, const struct pclntab *t,
		      const struct pcln_func *fn, uint64_t lookup,
		      struct gort_argop *ops)
{
	unsigned char p[MAX_LEN];
	uint64_t info = pclntab_funcdata(t, fn, FUNCDATA_ARGINFO);
	struct live lv = { .img = img };
	size_t pi = 0, got;
	uint8_t slot = 0;
	int n = 0;

	if (!info)
		return 0;
	/* The table may end close to the end of its section. */
	memset(p, END_SEQ, sizeof(p));
	for (got = 0; got < MAX_LEN; got += 16) {
		size_t k = MAX_LEN - got < 16 ? MAX_LEN - got : 16;

		if (memsrc_read_full(img, info + got, p + got, k, NULL) < 0)
			break;
	}
	lv.info = pclntab_funcdata(t, fn, FUNCDATA_ARGLIVEINFO);
	lv.idx = pclntab_pcdata(t, fn, PCDATA_ARGLIVEINDEX, lookup);
	lv.start = 0xff;
	if (lv.info && memsrc_read_full(img, lv.info, &lv.start, 1, NULL) < 0)
		lv.info = 0;
	while (pi < MAX_LEN && n < GORT_ARGS_MAX_OPS) {
		struct gort_argop *op = &ops[n];
		uint8_t o = p[pi++];

		if (o == END_SEQ)
			break;
		memset(op, 0, sizeof(*op));
		op->kind = o;
		if (o == START_AGG || o == END_AGG || o == DOTDOTDOT ||
		    o == OFFSET_TOO_LARGE) {
			n++;
			continue;
		}
		if (pi >= MAX_LEN)
			return -EINVAL;
		op->kind = GORT_ARG_WORD;
		op->off = o;
		op->size = p[pi++];
		op->live = (uint8_t)is_live(&lv, o, slot);
		if (o >= lv.start)
			slot++;
		n++;
	}
	return n;
}

int gort_args_format(const struct gort_argop *ops, int n,
		     const struct gort_g *g, uint64_t argp, struct strbuf *out)
{
	int i, start = 1;

	for (i = 0; i < n; i++) {
		const struct gort_argop *op = &ops[i];
		uint64_t x;

		if (op->kind == END_AGG) {
			strbuf_addc(out, '}');
			start = 0;
			continue;
		}
		if (!start)
			strbuf_adds(out, ", ");
		switch (op->kind) {
		case START_AGG:
			strbuf_addc(out, '{');
			start = 1;
			continue;
		case DOTDOTDOT:
			strbuf_adds(out, "...");
			break;
		case OFFSET_TOO_LARGE:
			strbuf_addc(out, '_');
			break;
		default:
			if (argp + op->off < g->copy_base ||
			    argp + op->off + 8 > g->copy_base + g->copy_len)
				return -ENOENT;
			memcpy(&x, g->stack + (argp + op->off - g->copy_base),
			       8);
			if (op->size == 0)
				x = 0;
			else if (op->size < 8)
				x = x << (64 - op->size * 8) >>
				    (64 - op->size * 8);
			strbuf_addx64(out, x);
			if (!op->live)
				strbuf_addc(out, '?');
			break;
		}
		start = 0;
	}
	return 0;
}

int gort_frame_args(struct memsrc *img, const struct pclntab *t,
		    const struct pcln_func *fn, uint64_t lookup,
		    const struct gort_g *g, uint64_t argp, struct strbuf *out)
{
	struct gort_argop ops[GORT_ARGS_MAX_OPS];
	int n = gort_args_prepare(img, t, fn, lookup, ops);

	if (n <= 0)
		return n;
	return gort_args_format(ops, n, g, argp, out);
}
