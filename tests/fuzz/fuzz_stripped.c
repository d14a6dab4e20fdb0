/* libFuzzer harness for the readers of binaries without symbols. */
/*
 * Input: a 128-byte header, then chunks of an image {u64 addr, u32 len,
 * len bytes} (at most MAX_CHUNKS, later ones win).  The header:
 *	0   u64 .go.module address (0: scan)	8   u32 its size
 *	12  u32 scan size			16  u64 .noptrdata address
 *	24  u64 .rodata address			32  u32 .rodata size
 *	36  u32 .text size			40  u64 .text address
 *	48  u64 entry[4] of the functions the code finder reads
 *	80  u32 len[4]
 *	96  i32 g.waitreason offset		100 i32 m.alllink offset
 *	104 char version[24] (NUL-padded)
 * Runs elfimage_find_moduledata; on success pclntab_open_text and
 * elfimage_check_gofunc on what it found; gort_stripped_find on the
 * functions (with the moduledata's ranges, else everything); and
 * gort_table_find and gort_layout_verify (image as process memory) with
 * what the finder returned.  tests/fuzz/make-stripped-seeds.sh cuts
 * seeds from real binaries.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "goruntime/layout.h"
#include "goruntime/stripped.h"
#include "symbols/elfimage.h"
#include "symbols/pclntab.h"
#include "lib/banned.h"

#define HDR 128
#define MAX_CHUNKS 64

struct chunk {
	uint64_t addr;
	const uint8_t *data;
	size_t len;
};

struct chunks {
	struct memsrc base;
	struct chunk c[MAX_CHUNKS];
	size_t n;
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t get(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static ssize_t chunk_read(struct memsrc *m, uint64_t addr, void *buf,
			  size_t len)
{
	struct chunks *cs = (struct chunks *)m;
	size_t i, n;

	for (i = cs->n; i-- > 0;) {
		const struct chunk *c = &cs->c[i];

		if (addr < c->addr || addr - c->addr >= c->len)
			continue;
		n = c->len - (size_t)(addr - c->addr);
		if (n > len)
			n = len;
		memcpy(buf, c->data + (addr - c->addr), n);
		return (ssize_t)n;
	}
	return -EFAULT;
}

static void chunk_free(struct memsrc *m)
{
	(void)m;
}

static const struct memsrc_ops chunk_ops = {
	.name = "fuzz",
	.read = chunk_read,
	.free = chunk_free,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chunks cs;
	struct elfimage_modwhere w;
	struct elfimage_gomod m;
	struct gort_stripped_in in;
	struct gort_stripped_out out;
	const struct gort_table *t;
	struct gort_layout l;
	struct pclntab *pcl;
	struct err e;
	char version[25];
	size_t off, len;
	int i, have_mod;

	if (size < HDR)
		return 0;
	memset(&cs, 0, sizeof(cs));
	cs.base.ops = &chunk_ops;
	for (off = HDR; off + 12 <= size && cs.n < MAX_CHUNKS; off += len) {
		cs.c[cs.n].addr = get(data + off, 8);
		len = (size_t)get(data + off + 8, 4);
		off += 12;
		if (len > size - off)
			len = size - off;
		cs.c[cs.n].data = data + off;
		cs.c[cs.n].len = len;
		cs.n++;
	}

	memset(&w, 0, sizeof(w));
	w.module = get(data, 8);
	w.module_size = get(data + 8, 4);
	w.scan_size = get(data + 12, 4);
	w.scan = get(data + 16, 8);
	w.rodata = get(data + 24, 8);
	w.rodata_size = get(data + 32, 4);
	w.text_size = get(data + 36, 4);
	w.text = get(data + 40, 8);
	err_init(&e);
	have_mod = elfimage_find_moduledata(&cs.base, &w, &m, &e) == 0;
	if (have_mod && pclntab_open_text(&cs.base, m.pclntab, m.gofunc,
					  m.text, &pcl, NULL) == 0) {
		struct pcln_func f;

		(void)elfimage_check_gofunc(&cs.base, pcl, m.pclntab);
		for (i = 0; i < GORT_NFN; i++)
			(void)pclntab_lookup(pcl, gort_stripped_fn_names[i],
					     &f);
		pclntab_free(pcl);
	}

	memset(&in, 0, sizeof(in));
	in.img = &cs.base;
	for (i = 0; i < GORT_NFN; i++) {
		in.entry[i] = get(data + 48 + 8 * i, 8);
		in.end[i] = in.entry[i] + get(data + 80 + 4 * i, 4);
	}
	in.data = have_mod ? m.data : 0;
	in.edata = have_mod ? m.edata : UINT64_MAX;
	in.bss = have_mod ? m.bss : 0;
	in.ebss = have_mod ? m.ebss : UINT64_MAX;
	in.noptrbss = have_mod ? m.noptrbss : 0;
	in.enoptrbss = have_mod ? m.enoptrbss : UINT64_MAX;
	in.g_waitreason = (int32_t)get(data + 96, 4);
	in.m_alllink = (int32_t)get(data + 100, 4);
	if (gort_stripped_find(&in, &out, &e) < 0)
		memset(&out, 0, sizeof(out));

	memcpy(version, data + 104, 24);
	version[24] = '\0';
	t = gort_table_find(version, &e);
	if (t) {
		l = t->l;
		l.allgs = out.allgs;
		l.allglen = out.allglen;
		l.allgptr = out.allgptr;
		l.allm = out.allm;
		(void)gort_layout_verify(&cs.base, &l, 0, &e);
	}
	return 0;
}
