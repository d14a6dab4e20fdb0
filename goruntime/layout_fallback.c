/* Runtime layouts without DWARF: per-version tables plus symbols or code. */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goruntime/layout.h"
#include "goruntime/stripped.h"
#include "lib/xmalloc.h"
#include "lib/banned.h"

/* Bounds for values read from the target while checking. */
#define MAX_GS (4ull << 20)
#define MAX_G_SIZE 65536
#define MAX_REASON_LEN 64
#define MAX_REASONS 255
#define MAX_STATUS 0x10ff	/* _Gscan | the highest status */

static const struct gort_table *table_for(int minor);
static int globals_from_symbols(struct elfimage *im, struct gort_layout *l,
				struct err *e);
static int globals_from_code(struct elfimage *im, const struct pclntab *t,
			     struct gort_layout *l, struct err *e);
static int reasons_ok(struct memsrc *img, uint64_t addr, size_t n);
static int read_u64(struct memsrc *mem, uint64_t addr, uint64_t *v,
		    const char *what, struct err *e);

static const struct gort_table *table_for(int minor)
{
	size_t i;

	for (i = 0; i < gort_ntables; i++)
		if (gort_tables[i].minor == minor)
			return &gort_tables[i];
	return NULL;
}

const struct gort_table *gort_table_find(const char *version,
					 struct err *e)
{
	int minor = gort_go_minor(version);
	const struct gort_table *t;
	const char *why = NULL;
	char buf[256];
	size_t i;

	if (!version)
		version = "";
	if (!gort_ntables) {
		why = "no tables are built in";
	} else if (!minor) {
		why = "not a go1.N version";
	} else if ((t = table_for(minor)) != NULL) {
		return t;
	} else if (minor > gort_tables[gort_ntables - 1].minor) {
		snprintf(buf, sizeof(buf), "newer than go1.%d, the newest "
			 "built in", gort_tables[gort_ntables - 1].minor);
		why = buf;
	} else if (minor < gort_tables[0].minor) {
		snprintf(buf, sizeof(buf), "older than go1.%d, the oldest "
			 "built in", gort_tables[0].minor);
		why = buf;
	}
	for (i = 0; !why && i < gort_ntable_gaps; i++) {
		const struct gort_table_gap *g = &gort_table_gaps[i];

		if (g->minor != minor)
			continue;
		if (g->same_as && (t = table_for(g->same_as)) != NULL)
			return t;
		snprintf(buf, sizeof(buf), "not measured, and %s",
			 g->why ? g->why : "?");
		why = buf;
	}
	err_set(e, EPROTONOSUPPORT, "no runtime layout table for %s (%s)",
		version, why ? why : "unknown release");
	return NULL;
}

/* With a .symtab (-ldflags=-w): the globals by name. */
static int globals_from_symbols(struct elfimage *im, struct gort_layout *l,
				struct err *e)
{
	uint64_t size = 0;

	if (elfimage_symbol(im, "runtime.allgs", &l->allgs, NULL) < 0 ||
	    elfimage_symbol(im, "runtime.allglen", &l->allglen, NULL) < 0)
		return err_set(e, ENOENT, "no runtime.allgs symbol");
	elfimage_symbol(im, "runtime.allgptr", &l->allgptr, NULL);
	elfimage_symbol(im, "runtime.allm", &l->allm, NULL);
	if (elfimage_symbol(im, "runtime.waitReasonStrings",
			    &l->waitreason_strings, &size) == 0 &&
	    size / 16 <= MAX_REASONS)
		l->nwaitreasons = (size_t)(size / 16);
	else
		l->waitreason_strings = 0;
	if (elfimage_symbol(im, "go:func.*", &l->gofunc, NULL) < 0)
		elfimage_symbol(im, "go.func.*", &l->gofunc, NULL);
	elfimage_symbol(im, "runtime.semtable", &l->semtable, NULL);
	elfimage_symbol(im, "runtime.types", &l->types, NULL);
	return 0;
}

/*
 * waitReasonStrings as the file has it: "" first, then short printable
 * names.  Guards against a table address that the code only seemed to
 * name.
 */
static int reasons_ok(struct memsrc *img, uint64_t addr, size_t n)
{
	uint64_t hdr[2];
	char s[MAX_REASON_LEN];
	size_t i, k;

	if (n < 2 || n > MAX_REASONS)
		return 0;
	for (i = 0; i < n; i++) {
		if (memsrc_read_full(img, addr + 16 * i, hdr, sizeof(hdr),
				     NULL) < 0)
			return 0;
		if ((i == 0) != (hdr[1] == 0) || hdr[1] > sizeof(s))
			return 0;
		if (i && memsrc_read_full(img, hdr[0], s, (size_t)hdr[1],
					  NULL) < 0)
			return 0;
		for (k = 0; i && k < hdr[1]; k++)
			if (s[k] < 0x20 || s[k] > 0x7e)
				return 0;
	}
	return 1;
}

/* Without symbols: the moduledata's ranges and the runtime's code. */
static int globals_from_code(struct elfimage *im, const struct pclntab *t,
			     struct gort_layout *l, struct err *e)
{
	struct gort_stripped_in in;
	struct gort_stripped_out out;
	struct elfimage_go g;
	struct pcln_func f;
	int i, r;

	r = elfimage_go_tables(im, &g, e);
	if (r < 0)
		return r;
	if (!g.has_mod)
		return err_set(e, ENOENT, "no Go module data found (it "
			       "bounds the search for the runtime's globals)");
	memset(&in, 0, sizeof(in));
	in.img = elfimage_mem(im);
	for (i = 0; i < GORT_NFN; i++)
		if (pclntab_lookup(t, gort_stripped_fn_names[i], &f) == 0) {
			in.entry[i] = f.entry;
			in.end[i] = f.end;
		}
	in.data = g.mod.data;
	in.edata = g.mod.edata;
	in.bss = g.mod.bss;
	in.ebss = g.mod.ebss;
	in.noptrbss = g.mod.noptrbss;
	in.enoptrbss = g.mod.enoptrbss;
	in.g_waitreason = l->g_waitreason;
	in.m_alllink = l->m_alllink;
	r = gort_stripped_find(&in, &out, e);
	if (r < 0)
		return r;
	l->allgs = out.allgs;
	l->allglen = out.allglen;
	l->allgptr = out.allgptr;
	l->allm = out.allm;
	if (!out.nwaitreasons)
		out.nwaitreasons = l->nwaitreason_names;
	if (out.waitreason_strings &&
	    reasons_ok(in.img, out.waitreason_strings, out.nwaitreasons)) {
		l->waitreason_strings = out.waitreason_strings;
		l->nwaitreasons = out.nwaitreasons;
	}
	l->gofunc = g.gofunc;
	l->pclntab = g.pclntab;
	return 0;
}

int gort_layout_from_table(struct elfimage *im, const struct pclntab *t,
			   const char *version, struct gort_layout *l,
			   struct err *e)
{
	const struct gort_table *tab;
	int symbols, r;

	memset(l, 0, sizeof(*l));
	tab = gort_table_find(version, e);
	if (!tab)
		return -EPROTONOSUPPORT;
	if (elfimage_machine(im) != EM_X86_64)
		return err_set(e, EPROTONOSUPPORT, "no runtime layout table "
			       "for this architecture (the tables are for "
			       "x86-64)");
	*l = tab->l;
	l->source[0] = '\0';
	r = gort_layout_check(l, e);
	if (r < 0)
		return r;
	l->go_minor = gort_go_minor(version);
	l->waitreason_names = tab->waitreasons;
	l->nwaitreason_names = tab->nwaitreasons;
	symbols = elfimage_has_symtab(im);
	r = symbols ? globals_from_symbols(im, l, e)
		    : globals_from_code(im, t, l, e);
	if (r < 0)
		return r;
	snprintf(l->source, sizeof(l->source), symbols ? "symbols + table "
		 "go1.%d" : "table go1.%d (stripped)", tab->minor);
	return 0;
}

static int read_u64(struct memsrc *mem, uint64_t addr, uint64_t *v,
		    const char *what, struct err *e)
{
	if (memsrc_read_full(mem, addr, v, sizeof(*v), e) < 0)
		return err_prefix(e, "cannot read %s", what);
	return 0;
}

int gort_layout_verify(struct memsrc *mem, const struct gort_layout *l,
		       uint64_t bias, struct err *e)
{
	uint64_t len, hdr[3], ptr, gp, mp, g0;
	unsigned char *g;
	uint64_t goid, lo, hi;
	uint32_t st;
	int r, tries;

	if (gort_layout_check(l, e) < 0)
		return -EINVAL;
	if (!l->allgs || !l->allglen || !l->g_size || l->g_size > MAX_G_SIZE ||
	    l->g_goid == GORT_NONE || l->g_atomicstatus == GORT_NONE ||
	    l->g_stack_hi == GORT_NONE || l->g_stack_lo == GORT_NONE)
		return err_set(e, EINVAL, "runtime layout is incomplete");
	for (tries = 0;; tries++) {
		r = read_u64(mem, l->allglen + bias, &len, "runtime.allglen",
			     e);
		if (r == 0 && memsrc_read_full(mem, l->allgs + bias, hdr,
					       sizeof(hdr), e) < 0)
			r = err_prefix(e, "cannot read runtime.allgs");
		ptr = hdr[0];
		if (r == 0 && l->allgptr)
			r = read_u64(mem, l->allgptr + bias, &ptr,
				     "runtime.allgptr", e);
		if (r < 0)
			return r;
		/* allgadd may be between its stores: look again once. */
		if (ptr == hdr[0] || tries)
			break;
	}
	if (!hdr[0] || !len || hdr[1] > hdr[2] || hdr[2] > MAX_GS ||
	    len > hdr[2] || ptr != hdr[0])
		return err_set(e, EINVAL, "runtime.allgs/allglen look wrong "
			       "(allgs %#llx len %llu cap %llu, allglen "
			       "%llu)", (unsigned long long)hdr[0],
			       (unsigned long long)hdr[1],
			       (unsigned long long)hdr[2],
			       (unsigned long long)len);
	r = read_u64(mem, hdr[0], &gp, "allgs[0]", e);
	if (r < 0)
		return r;
	g = xmalloc(l->g_size);
	r = memsrc_read_full(mem, gp, g, l->g_size, e);
	if (r < 0) {
		free(g);
		return err_prefix(e, "cannot read allgs[0]");
	}
	memcpy(&goid, g + l->g_goid, sizeof(goid));
	memcpy(&st, g + l->g_atomicstatus, sizeof(st));
	memcpy(&lo, g + l->g_stack_lo, sizeof(lo));
	memcpy(&hi, g + l->g_stack_hi, sizeof(hi));
	free(g);
	if (goid != 1 || st > MAX_STATUS || lo >= hi)
		return err_set(e, EINVAL, "allgs[0] is not goroutine 1 (goid "
			       "%llu, status %u): the runtime layout does not "
			       "fit this process", (unsigned long long)goid,
			       st);
	if (!l->allm || l->m_g0 == GORT_NONE)
		return 0;
	r = read_u64(mem, l->allm + bias, &mp, "runtime.allm", e);
	if (r == 0 && mp)
		r = read_u64(mem, mp + (uint64_t)l->m_g0, &g0, "m.g0", e);
	if (r < 0)
		return r;
	if (mp && !g0)
		return err_set(e, EINVAL, "runtime.allm looks wrong (its "
			       "first m has no g0)");
	return 0;
}

void gort_layout_describe(const char *path, const char *version, char *buf,
			  size_t len)
{
	struct gort_layout l;
	struct elfimage *im = NULL;
	struct pclntab *t = NULL;
	struct err e;
	int r;

	err_init(&e);
	r = gort_layout_from_dwarf(path, &l, &e);
	if (r == 0) {
		snprintf(buf, len, "DWARF");
		return;
	}
	if (r == -ENODATA) {
		err_init(&e);
		r = elfimage_open(path, &im, &e);
		if (r == 0)
			r = elfimage_pclntab(im, &t, &e);
		if (r == 0)
			r = gort_layout_from_table(im, t, version, &l, &e);
	}
	if (r == 0)
		snprintf(buf, len, "%s", l.source);
	else
		snprintf(buf, len, "unsupported: %s", e.msg);
	pclntab_free(t);
	elfimage_free(im);
}
