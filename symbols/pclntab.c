/* Go's pclntab (Go 1.18+): functions, file:line, SP deltas and inlining. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/pclntab.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

#define MAGIC_GO118 0xfffffff0u
#define MAGIC_GO120 0xfffffff1u

/* Bounds for hostile tables. */
#define MAX_TABLE (1ull << 30)	/* bytes of pclntab copied */
#define MAX_INLDATA (256ull << 20)	/* bytes of inline trees copied */
#define MAX_INLINE_DEPTH 1024	/* logical frames at one PC */
#define MAX_VARINT 5		/* a uint32 varint has at most 5 bytes */
#define MAX_LAST_TREES 16	/* functions sharing the last tree offset */

#define FUNCDATA_INLTREE 3
#define PCDATA_INLTREEINDEX 2

/* struct pclntab: a private copy of the table and of the inline trees. */
struct pclntab {
	unsigned char *data;	/* the table from the pcHeader on, + NUL */
	size_t len;		/* bytes of data, without the NUL */
	int go120;		/* magic 0xfffffff1: Go 1.20+ layouts */
	unsigned int minlc;
	unsigned int ptrsize;
	size_t nfunc;
	uint64_t text;		/* base of entry offsets (link-time) */
	size_t funcnametab, cutab, filetab, pctab, functab;
	size_t funcsize;	/* fixed part of _func: 40 or 44 */
	uint64_t gofunc;	/* moduledata.gofunc, 0 when unknown */
	unsigned char *inl;	/* copy of [gofunc+inl_base, +inl_len) */
	uint64_t inl_base;
	size_t inl_len;
	size_t inlsize;		/* sizeof(inlinedCall): 20 or 16 */
};

/* A decoded _func. */
struct rawfunc {
	size_t off;		/* of the _func in data */
	uint64_t end;		/* entry of the next function */
	uint32_t entryoff;
	int32_t nameoff;
	int32_t args;
	uint32_t pcsp, pcfile, pcln, npcdata, cuoff;
	int32_t start_line;
	uint8_t funcid, flag, nfuncdata;
};

static uint32_t get32(const unsigned char *p);
static uint64_t getword(const struct pclntab *t, const unsigned char *p);
static int read_at(struct memsrc *img, uint64_t addr, uint64_t len,
		   unsigned char **buf, struct err *e);
static int truncated(struct err *e, int r, const char *what);
static int parse_header(struct pclntab *t, const unsigned char *h,
			uint64_t *need, struct err *e);
static int grow(struct pclntab *t, struct memsrc *img, uint64_t addr,
		uint64_t newlen, struct err *e);
static int load_funcs(struct pclntab *t, struct memsrc *img, uint64_t addr,
		      struct err *e);
static int load_inline_trees(struct pclntab *t, struct memsrc *img,
			     struct err *e);
static int read_func(const struct pclntab *t, size_t idx, struct rawfunc *r);
static int read_varint(const unsigned char *p, size_t avail, uint32_t *val,
		       size_t *used);
static int pcstep(const struct pclntab *t, size_t *pos, uint64_t *pc,
		  int32_t *val, int first);
static int pcwalk(const struct pclntab *t, const struct rawfunc *r,
		  uint32_t off, uint64_t target, int32_t *val, int32_t *max);
static int pcvalue(const struct pclntab *t, const struct rawfunc *r,
		   uint32_t off, uint64_t target, int32_t *val);
static int pcvalue_max(const struct pclntab *t, const struct rawfunc *r,
		       uint32_t off, int32_t *max);
static uint64_t func_entry(const struct pclntab *t, const struct rawfunc *r);
static uint64_t max_steps(const struct pclntab *t, const struct rawfunc *r);
static uint32_t pcdata_off(const struct pclntab *t, const struct rawfunc *r,
			   unsigned int i);
static int funcdata_off(const struct pclntab *t, const struct rawfunc *r,
			unsigned int i, uint32_t *off);
static int32_t pcdata_value(const struct pclntab *t, const struct rawfunc *r,
			    unsigned int i, uint64_t pc);
static const char *cstr(const struct pclntab *t, size_t base, int64_t off);
static const char *func_name(const struct pclntab *t, int32_t nameoff);
static void file_line(const struct pclntab *t, const struct rawfunc *r,
		      uint64_t pc, const char **file, int *line);
static void fill_func(const struct pclntab *t, size_t idx,
		      const struct rawfunc *r, struct pcln_func *f);
static int check_func(const struct pclntab *t, const struct pcln_func *f,
		      struct rawfunc *r);

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t getword(const struct pclntab *t, const unsigned char *p)
{
	if (t->ptrsize == 4)
		return get32(p);
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/*
 * Reads len bytes at addr into a new buffer (one spare byte for a NUL).
 * Probes the last byte first so that a hostile length fails before the
 * allocation.
 */
static int read_at(struct memsrc *img, uint64_t addr, uint64_t len,
		   unsigned char **buf, struct err *e)
{
	unsigned char probe;
	int r;

	*buf = NULL;
	if (len > 0) {
		r = memsrc_read_full(img, addr + len - 1, &probe, 1, e);
		if (r < 0)
			return r;
	}
	*buf = xmalloc((size_t)len + 1);
	r = memsrc_read_full(img, addr, *buf, (size_t)len, e);
	if (r < 0) {
		free(*buf);
		*buf = NULL;
		return r;
	}
	(*buf)[len] = 0;
	return 0;
}

/*
 * A table that runs into unreadable memory is corrupted: -EFAULT becomes
 * -EINVAL; other errors (e.g. a process that exited) pass through.
 */
static int truncated(struct err *e, int r, const char *what)
{
	char why[sizeof(e->msg)];

	if (!e)
		return r == -EFAULT ? -EINVAL : r;
	snprintf(why, sizeof(why), "%s", e->msg);
	if (r == -EFAULT)
		return err_set(e, EINVAL, "pclntab: truncated %s (%s)", what,
			       why);
	err_prefix(e, "pclntab: %s", what);
	return r;
}

/* Decodes the pcHeader; *need is the size up to the end of the functab. */
static int parse_header(struct pclntab *t, const unsigned char *h,
			uint64_t *need, struct err *e)
{
	uint32_t magic = get32(h);
	uint64_t nfunc, text, off[5], hdr, end;
	size_t i;

	if (magic == MAGIC_GO120)
		t->go120 = 1;
	else if (magic != MAGIC_GO118)
		return err_set(e, EINVAL,
			       "pclntab: unsupported magic 0x%08x "
			       "(need go 1.18 or later)", magic);
	if (h[4] != 0 || h[5] != 0)
		return err_set(e, EINVAL, "pclntab: bad header padding");
	t->minlc = h[6];
	t->ptrsize = h[7];
	if (t->minlc != 1 && t->minlc != 2 && t->minlc != 4)
		return err_set(e, EINVAL, "pclntab: bad instruction size %u",
			       t->minlc);
	if (t->ptrsize != 4 && t->ptrsize != 8)
		return err_set(e, EINVAL, "pclntab: bad pointer size %u",
			       t->ptrsize);
	hdr = 8 + 8 * (uint64_t)t->ptrsize;
	nfunc = getword(t, h + 8);
	text = getword(t, h + 8 + 2 * t->ptrsize);
	for (i = 0; i < 5; i++) {
		off[i] = getword(t, h + 8 + (3 + i) * t->ptrsize);
		if (off[i] < hdr || off[i] >= MAX_TABLE)
			return err_set(e, EINVAL,
				       "pclntab: header offset %zu out of "
				       "range: 0x%llx", i,
				       (unsigned long long)off[i]);
	}
	/* The functab has nfunc (entry, funcoff) pairs and an end entry. */
	if (nfunc == 0 || nfunc >= MAX_TABLE / 8)
		return err_set(e, EINVAL, "pclntab: bad function count %llu",
			       (unsigned long long)nfunc);
	end = off[4] + (2 * nfunc + 1) * 4;
	if (end > MAX_TABLE)
		return err_set(e, EINVAL, "pclntab: function table too big");
	t->nfunc = (size_t)nfunc;
	if (!t->text)
		t->text = text;
	t->funcnametab = (size_t)off[0];
	t->cutab = (size_t)off[1];
	t->filetab = (size_t)off[2];
	t->pctab = (size_t)off[3];
	t->functab = (size_t)off[4];
	t->funcsize = t->go120 ? 44 : 40;
	t->inlsize = t->go120 ? 16 : 20;
	*need = end;
	return 0;
}

/*
 * Extends the copy to newlen bytes of the table at addr (no-op when it
 * is already that long).
 */
static int grow(struct pclntab *t, struct memsrc *img, uint64_t addr,
		uint64_t newlen, struct err *e)
{
	unsigned char probe;
	int r;

	if (newlen <= t->len)
		return 0;
	if (newlen > MAX_TABLE)
		return err_set(e, EINVAL, "pclntab: function record out of "
			       "range");
	r = memsrc_read_full(img, addr + newlen - 1, &probe, 1, e);
	if (r < 0)
		return truncated(e, r, "function records");
	t->data = xrealloc(t->data, (size_t)newlen + 1);
	r = memsrc_read_full(img, addr + t->len, t->data + t->len,
			     (size_t)(newlen - t->len), e);
	if (r < 0) {
		t->data[t->len] = 0;
		return truncated(e, r, "function records");
	}
	t->len = (size_t)newlen;
	t->data[t->len] = 0;
	return 0;
}

/*
 * The table ends with the _func records, each followed by its pcdata and
 * funcdata offsets; the one at the highest offset is the last.  Extends
 * the copy to the end of that record.
 */
static int load_funcs(struct pclntab *t, struct memsrc *img, uint64_t addr,
		      struct err *e)
{
	uint64_t maxoff = 0, end;
	const unsigned char *p;
	size_t i;
	int r;

	for (i = 0; i < t->nfunc; i++) {
		uint32_t fo = get32(t->data + t->functab + 8 * i + 4);

		if (fo > maxoff)
			maxoff = fo;
	}
	end = t->functab + maxoff + t->funcsize;
	r = grow(t, img, addr, end, e);
	if (r < 0)
		return r;
	/* npcdata, then nfuncdata in the last byte of the fixed part. */
	p = t->data + t->functab + maxoff;
	end += ((uint64_t)get32(p + 28) + p[t->funcsize - 1]) * 4;
	return grow(t, img, addr, end, e);
}

/*
 * Copies the inline trees (FUNCDATA_InlTree, stored outside the pclntab
 * at moduledata.gofunc + offset).  The linker lays funcdata out one after
 * the other, so every tree but the last ends before the highest tree
 * offset; the last has as many records as the largest
 * PCDATA_InlTreeIndex value of its function, plus one.  (Walking only
 * that function's table keeps hostile tables from costing nfunc walks.)
 */
static int load_inline_trees(struct pclntab *t, struct memsrc *img,
			     struct err *e)
{
	uint64_t lo = UINT64_MAX, top = 0, hi;
	struct rawfunc r;
	size_t i, walked = 0;
	uint32_t off;
	int32_t max, last = -1;
	int rc;

	for (i = 0; i < t->nfunc; i++) {
		if (read_func(t, i, &r) < 0 ||
		    funcdata_off(t, &r, FUNCDATA_INLTREE, &off) < 0)
			continue;
		if (off < lo)
			lo = off;
		if (off > top)
			top = off;
	}
	if (lo > top)
		return 0;
	for (i = 0; i < t->nfunc && walked < MAX_LAST_TREES; i++) {
		if (read_func(t, i, &r) < 0 ||
		    funcdata_off(t, &r, FUNCDATA_INLTREE, &off) < 0 ||
		    off != top)
			continue;
		walked++;
		if (pcvalue_max(t, &r, pcdata_off(t, &r, PCDATA_INLTREEINDEX),
				&max) == 0 && max > last)
			last = max;
	}
	hi = top + ((uint64_t)last + 1) * t->inlsize;
	if (lo >= hi)
		return 0;
	if (hi - lo > MAX_INLDATA)
		return err_set(e, EINVAL, "pclntab: inline trees span too "
			       "much (%llu bytes)",
			       (unsigned long long)(hi - lo));
	rc = read_at(img, t->gofunc + lo, hi - lo, &t->inl, e);
	if (rc < 0)
		return truncated(e, rc, "inline trees");
	t->inl_base = lo;
	t->inl_len = (size_t)(hi - lo);
	return 0;
}

int pclntab_open_text(struct memsrc *img, uint64_t pclntab_addr,
		      uint64_t gofunc_addr, uint64_t text_start,
		      struct pclntab **out, struct err *e)
{
	unsigned char hdr[72];
	struct pclntab *t;
	uint64_t need = 0;
	int r;

	*out = NULL;
	r = memsrc_read_full(img, pclntab_addr, hdr, 8, e);
	if (r < 0) {
		if (e)
			err_prefix(e, "pclntab");
		return r;
	}
	/* A 4-byte-pointer header is 40 bytes, an 8-byte one 72. */
	r = memsrc_read_full(img, pclntab_addr, hdr,
			     hdr[7] == 4 ? 40 : sizeof(hdr), e);
	if (r < 0)
		return truncated(e, r, "header");
	t = xcalloc(1, sizeof(*t));
	t->text = text_start;
	r = parse_header(t, hdr, &need, e);
	if (r < 0)
		goto fail;
	if (!t->text) {
		r = err_set(e, EINVAL, "pclntab: the header records no text "
			    "start (go 1.26+): pass runtime.text");
		goto fail;
	}
	r = read_at(img, pclntab_addr, need, &t->data, e);
	if (r < 0) {
		r = truncated(e, r, "function table");
		goto fail;
	}
	t->len = (size_t)need;
	r = load_funcs(t, img, pclntab_addr, e);
	if (r < 0)
		goto fail;
	t->gofunc = gofunc_addr;
	if (gofunc_addr) {
		r = load_inline_trees(t, img, e);
		if (r < 0)
			goto fail;
	}
	*out = t;
	return 0;
fail:
	pclntab_free(t);
	return r;
}

int pclntab_open(struct memsrc *img, uint64_t pclntab_addr,
		 uint64_t gofunc_addr, struct pclntab **out, struct err *e)
{
	return pclntab_open_text(img, pclntab_addr, gofunc_addr, 0, out, e);
}

void pclntab_free(struct pclntab *t)
{
	if (!t)
		return;
	free(t->data);
	free(t->inl);
	free(t);
}

uint64_t pclntab_text_start(const struct pclntab *t)
{
	return t->text;
}

size_t pclntab_nfunc(const struct pclntab *t)
{
	return t->nfunc;
}

uint32_t pclntab_magic(const struct pclntab *t)
{
	return t->go120 ? MAGIC_GO120 : MAGIC_GO118;
}

/* Decodes the _func of functab entry idx; -EINVAL when out of bounds. */
static int read_func(const struct pclntab *t, size_t idx, struct rawfunc *r)
{
	const unsigned char *p;
	uint64_t off, end;

	if (idx >= t->nfunc)
		return -EINVAL;
	off = (uint64_t)t->functab + get32(t->data + t->functab + 8 * idx + 4);
	if (off + t->funcsize > t->len)
		return -EINVAL;
	p = t->data + off;
	r->off = (size_t)off;
	r->end = t->text + get32(t->data + t->functab + 8 * (idx + 1));
	r->entryoff = get32(p);
	r->nameoff = (int32_t)get32(p + 4);
	r->args = (int32_t)get32(p + 8);
	r->pcsp = get32(p + 16);
	r->pcfile = get32(p + 20);
	r->pcln = get32(p + 24);
	r->npcdata = get32(p + 28);
	r->cuoff = get32(p + 32);
	p += 36;
	if (t->go120) {
		r->start_line = (int32_t)get32(p);
		p += 4;
	} else {
		r->start_line = 0;
	}
	r->funcid = p[0];
	r->flag = p[1];
	r->nfuncdata = p[3];
	/* The pcdata and funcdata offsets must be inside the table too. */
	end = off + t->funcsize + ((uint64_t)r->npcdata + r->nfuncdata) * 4;
	if (end > t->len)
		return -EINVAL;
	return 0;
}

/* A little-endian base-128 varint of at most 5 bytes (uint32). */
static int read_varint(const unsigned char *p, size_t avail, uint32_t *val,
		       size_t *used)
{
	uint32_t v = 0;
	unsigned int shift = 0;
	size_t n;

	for (n = 0; n < avail && n < MAX_VARINT; n++) {
		v |= (uint32_t)(p[n] & 0x7f) << shift;
		shift += 7;
		if (!(p[n] & 0x80)) {
			*val = v;
			*used = n + 1;
			return 0;
		}
	}
	return -EINVAL;
}

static uint64_t func_entry(const struct pclntab *t, const struct rawfunc *r)
{
	return t->text + r->entryoff;
}

/*
 * The linker emits a step only where the value changes at a later
 * instruction, so a valid table has at most one step per minLC bytes of
 * the function (and a closing one).  The bound keeps hostile tables of
 * zero pc deltas from costing more than the function's size.
 */
static uint64_t max_steps(const struct pclntab *t, const struct rawfunc *r)
{
	uint64_t entry = func_entry(t, r);

	if (r->end <= entry)
		return 2;
	return (r->end - entry) / t->minlc + 2;
}

/*
 * One step of a pc-value table: a zig-zag value delta (0 ends the table,
 * except as the first delta) and a pc delta in units of minLC.  Returns 1
 * for a step, 0 at the end, or -EINVAL when the table runs out of bounds.
 */
static int pcstep(const struct pclntab *t, size_t *pos, uint64_t *pc,
		  int32_t *val, int first)
{
	uint32_t uv, pcd;
	size_t used;

	if (*pos >= t->len)
		return -EINVAL;
	if (t->data[*pos] == 0 && !first)
		return 0;
	if (read_varint(t->data + *pos, t->len - *pos, &uv, &used) < 0)
		return -EINVAL;
	*pos += used;
	/* -(uv & 1) ^ (uv >> 1), in unsigned arithmetic */
	*val = (int32_t)((uint32_t)*val + ((0u - (uv & 1)) ^ (uv >> 1)));
	if (*pos >= t->len ||
	    read_varint(t->data + *pos, t->len - *pos, &pcd, &used) < 0)
		return -EINVAL;
	*pos += used;
	*pc += (uint64_t)pcd * t->minlc;
	return 1;
}

/*
 * Walks the pc-value table at pctab offset off.  With max NULL: sets *val
 * to the value for target, as runtime.pcvalue (that of the first range
 * [prev, pc) that contains target); else sets *max to the table's largest
 * value (-1 for none).  Returns 0, or -ENOENT (no table, target not
 * covered) or -EINVAL (corrupted table).
 */
static int pcwalk(const struct pclntab *t, const struct rawfunc *r,
		  uint32_t off, uint64_t target, int32_t *val, int32_t *max)
{
	uint64_t entry = func_entry(t, r), pc = entry, n;
	uint64_t limit = max_steps(t, r);
	size_t pos;
	int32_t v = -1;
	int s;

	if (max)
		*max = -1;
	if (off == 0)
		return -ENOENT;
	if ((uint64_t)t->pctab + off >= t->len)
		return -EINVAL;
	pos = t->pctab + off;
	for (n = 0; n < limit; n++) {
		s = pcstep(t, &pos, &pc, &v, pc == entry);
		if (s < 0)
			return s;
		if (s == 0)
			return max ? 0 : -ENOENT;
		if (max && v > *max)
			*max = v;
		if (!max && target < pc) {
			*val = v;
			return 0;
		}
	}
	return -EINVAL;
}

/* The value of the pc-value table at pctab offset off for target. */
static int pcvalue(const struct pclntab *t, const struct rawfunc *r,
		   uint32_t off, uint64_t target, int32_t *val)
{
	return pcwalk(t, r, off, target, val, NULL);
}

/* The largest value of a pc-value table (to size inline trees). */
static int pcvalue_max(const struct pclntab *t, const struct rawfunc *r,
		       uint32_t off, int32_t *max)
{
	return pcwalk(t, r, off, 0, NULL, max);
}

/* pctab offset of pcdata table i; 0 when there is none. */
static uint32_t pcdata_off(const struct pclntab *t, const struct rawfunc *r,
			   unsigned int i)
{
	if (i >= r->npcdata)
		return 0;
	return get32(t->data + r->off + t->funcsize + 4 * (size_t)i);
}

/* The gofunc offset of funcdata slot i; -ENOENT when absent. */
static int funcdata_off(const struct pclntab *t, const struct rawfunc *r,
			unsigned int i, uint32_t *off)
{
	if (i >= r->nfuncdata)
		return -ENOENT;
	*off = get32(t->data + r->off + t->funcsize +
		     4 * ((size_t)r->npcdata + i));
	if (*off == UINT32_MAX)
		return -ENOENT;
	return 0;
}

static int32_t pcdata_value(const struct pclntab *t, const struct rawfunc *r,
			    unsigned int i, uint64_t pc)
{
	int32_t v;

	if (pcvalue(t, r, pcdata_off(t, r, i), pc, &v) < 0)
		return -1;
	return v;
}

/* The NUL-terminated string at base + off; "?" when out of bounds. */
static const char *cstr(const struct pclntab *t, size_t base, int64_t off)
{
	if (off < 0 || (uint64_t)base + (uint64_t)off >= t->len)
		return "?";
	/* data[len] is a NUL, so every string ends inside the copy. */
	return (const char *)t->data + base + off;
}

static const char *func_name(const struct pclntab *t, int32_t nameoff)
{
	if (nameoff == 0)
		return "";
	return cstr(t, t->funcnametab, nameoff);
}

/* runtime.funcline1: "?" and 0 when the tables have no answer. */
static void file_line(const struct pclntab *t, const struct rawfunc *r,
		      uint64_t pc, const char **file, int *line)
{
	int32_t fileno, ln;
	uint64_t cu;

	*file = "?";
	*line = 0;
	if (pcvalue(t, r, r->pcfile, pc, &fileno) < 0 ||
	    pcvalue(t, r, r->pcln, pc, &ln) < 0 || fileno == -1 || ln == -1)
		return;
	*line = ln;
	if (fileno < 0)
		return;
	/* cutab[cuOffset + fileno] is the file's offset in filetab. */
	cu = (uint64_t)t->cutab + 4 * ((uint64_t)r->cuoff + (uint32_t)fileno);
	if (cu + 4 > t->len)
		return;
	if (get32(t->data + cu) != UINT32_MAX)
		*file = cstr(t, t->filetab, get32(t->data + cu));
}

static void fill_func(const struct pclntab *t, size_t idx,
		      const struct rawfunc *r, struct pcln_func *f)
{
	f->entry = func_entry(t, r);
	f->end = r->end;
	f->name = func_name(t, r->nameoff);
	f->funcid = r->funcid;
	f->flag = r->flag;
	f->args = r->args;
	f->start_line = r->start_line;
	f->idx = (uint32_t)idx;
}

/* Re-reads the _func behind f (which the caller may have forged). */
static int check_func(const struct pclntab *t, const struct pcln_func *f,
		      struct rawfunc *r)
{
	if (!f || f->idx >= t->nfunc)
		return -EINVAL;
	return read_func(t, f->idx, r);
}

int pclntab_find(const struct pclntab *t, uint64_t pc, struct pcln_func *f)
{
	size_t lo = 0, hi = t->nfunc, mid;
	struct rawfunc r;
	uint64_t off;

	if (pc < t->text || pc - t->text > UINT32_MAX)
		return -ENOENT;
	off = pc - t->text;
	/* The end entry (index nfunc) bounds the last function. */
	if (off >= get32(t->data + t->functab + 8 * t->nfunc) ||
	    off < get32(t->data + t->functab))
		return -ENOENT;
	/* The last entry whose entryoff <= off, as runtime.findfunc. */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (get32(t->data + t->functab + 8 * mid) <= off)
			lo = mid;
		else
			hi = mid;
	}
	if (read_func(t, lo, &r) < 0)
		return -ENOENT;
	fill_func(t, lo, &r, f);
	return 0;
}

int pclntab_func_at(const struct pclntab *t, size_t idx,
		    struct pcln_func *f)
{
	struct rawfunc r;

	if (idx >= t->nfunc)
		return -ENOENT;
	if (read_func(t, idx, &r) < 0)
		return -EINVAL;
	fill_func(t, idx, &r, f);
	return 0;
}

int pclntab_lookup(const struct pclntab *t, const char *name,
		   struct pcln_func *f)
{
	struct rawfunc r;
	size_t i;

	for (i = 0; i < t->nfunc; i++) {
		if (read_func(t, i, &r) < 0 ||
		    strcmp(func_name(t, r.nameoff), name) != 0)
			continue;
		fill_func(t, i, &r, f);
		return 0;
	}
	return -ENOENT;
}

int pclntab_spdelta(const struct pclntab *t, const struct pcln_func *f,
		    uint64_t pc, int32_t *delta)
{
	struct rawfunc r;
	int rc;

	rc = check_func(t, f, &r);
	if (rc < 0)
		return rc;
	rc = pcvalue(t, &r, r.pcsp, pc, delta);
	return rc < 0 ? -ENOENT : 0;
}

int pclntab_frames(const struct pclntab *t, const struct pcln_func *f,
		   uint64_t pc, struct pcln_frame *out, size_t max)
{
	const unsigned char *tree = NULL;
	size_t n = 0, depth;
	struct rawfunc r;
	uint64_t entry;
	uint32_t off;
	int rc;

	rc = check_func(t, f, &r);
	if (rc < 0)
		return rc;
	entry = func_entry(t, &r);
	if (t->inl && funcdata_off(t, &r, FUNCDATA_INLTREE, &off) == 0 &&
	    off >= t->inl_base && off - t->inl_base < t->inl_len)
		tree = t->inl + (off - t->inl_base);
	/* As runtime's inlineUnwinder: innermost at pc, then each parent
	 * at entry + parentPc, with file:line from the physical tables. */
	for (depth = 0; n < max; depth++) {
		struct pcln_frame *fr = &out[n];
		int32_t ix = -1;
		const unsigned char *c;
		uint64_t end;

		if (depth >= MAX_INLINE_DEPTH)
			return -ELOOP;
		if (tree)
			ix = pcdata_value(t, &r, PCDATA_INLTREEINDEX, pc);
		fr->pc = pc;
		fr->entry = entry;
		file_line(t, &r, pc, &fr->file, &fr->line);
		if (ix < 0) {
			fr->func = func_name(t, r.nameoff);
			fr->inlined = 0;
			fr->funcid = r.funcid;
			n++;
			break;
		}
		end = (uint64_t)(size_t)(tree - t->inl) +
		      ((uint64_t)ix + 1) * t->inlsize;
		if (end > t->inl_len)
			return -EINVAL;
		c = tree + (size_t)ix * t->inlsize;
		fr->inlined = 1;
		if (t->go120) {
			/* funcID, _[3], nameOff, parentPc, startLine */
			fr->funcid = c[0];
			fr->func = func_name(t, (int32_t)get32(c + 4));
			pc = entry + (uint64_t)(int64_t)(int32_t)get32(c + 8);
		} else {
			/* parent, funcID, _, file, line, func_, parentPc */
			fr->funcid = c[2];
			fr->func = func_name(t, (int32_t)get32(c + 12));
			pc = entry + (uint64_t)(int64_t)(int32_t)get32(c + 16);
		}
		n++;
	}
	return (int)n;
}

uint64_t pclntab_funcdata(const struct pclntab *t, const struct pcln_func *f,
			  unsigned int i)
{
	struct rawfunc r;
	uint32_t off;

	if (!t->gofunc || check_func(t, f, &r) < 0 ||
	    funcdata_off(t, &r, i, &off) < 0)
		return 0;
	return t->gofunc + off;
}

int32_t pclntab_pcdata(const struct pclntab *t, const struct pcln_func *f,
		       unsigned int i, uint64_t pc)
{
	struct rawfunc r;

	if (check_func(t, f, &r) < 0)
		return -1;
	return pcdata_value(t, &r, i, pc);
}
