/* libFuzzer harness for the goroutine registry copy and label readers on a memory image. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "goruntime/labels.h"
#include "goruntime/layout.h"
#include "goruntime/registry.h"
#include "inspect/memsrc.h"
#include "lib/compiler.h"
#include "lib/banned.h"

#define BASE 0x10000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The input is the target's memory at BASE.  The layout is Go 1.23's
 * (as measured from its DWARF); allglen and the allgs slice header sit at
 * the start of the image, so every pointer the registry follows comes
 * from the input.
 */
static void layout_go123(struct gort_layout *l)
{
	memset(l, 0xff, sizeof(*l));
	l->go_minor = 23;
	l->allglen = BASE;
	l->allgs = BASE + 8;
	l->allm = BASE + 32;
	l->waitreason_strings = BASE + 40;
	l->nwaitreasons = 38;
	l->gofunc = 0;
	l->pclntab = 0;
	l->g_size = 432;
	l->g_stack_lo = 0;
	l->g_stack_hi = 8;
	l->g_m = 48;
	l->g_sched_sp = 56;
	l->g_sched_pc = 64;
	l->g_sched_bp = 104;
	l->g_sched_lr = 96;
	l->g_syscallsp = 112;
	l->g_syscallpc = 120;
	l->g_syscallbp = 128;
	l->g_atomicstatus = 152;
	l->g_goid = 160;
	l->g_waitsince = 176;
	l->g_waitreason = 184;
	l->g_lockedm = 216;
	l->g_parentgoid = 280;
	l->g_gopc = 288;
	l->g_startpc = 304;
	l->g_labels = 352;
	l->g_ancestors = GORT_NONE;
	l->g_waiting = GORT_NONE;
	l->g_trackingseq = 199;
	l->m_size = 1760;
	l->m_g0 = 0;
	l->m_procid = 72;
	l->m_gsignal = 80;
	l->m_curg = 192;
	l->m_id = 232;
	l->m_alllink = 328;
	l->m_lockedg = GORT_NONE;
	l->st_idle = 0;
	l->st_runnable = 1;
	l->st_running = 2;
	l->st_syscall = 3;
	l->st_waiting = 4;
	l->st_dead = 6;
	l->st_copystack = 8;
	l->st_preempted = 9;
	l->st_leaked = -1;
	l->st_deadextra = -1;
	l->st_scan = 0x1000;
}

/* Where each field of the layout lives and how wide it is. */
static const struct {
	size_t off, size;
} fields[] = {
#define X(f, n) { offsetof(struct gort_layout, f),                        \
		  sizeof(((struct gort_layout *)0)->f) },
	GORT_LAYOUT_FIELDS(X)
#undef X
};

#define LAYOUT_MAGIC 0x4c	/* 'L' */

/*
 * An input ending in 'L' also carries a layout: the bytes before it hold
 * one little-endian u16 per field of GORT_LAYOUT_FIELDS (0xffff: absent),
 * so the fuzzer varies offsets and struct sizes as well as the memory,
 * as a hostile DWARF or a wrong table would.  Returns the image size.
 */
static size_t fuzz_layout(const uint8_t *data, size_t size,
			  struct gort_layout *l)
{
	size_t i, need = 2 * ARRAY_SIZE(fields) + 1, p;

	if (size < need + 64 || data[size - 1] != LAYOUT_MAGIC)
		return size;
	p = size - need;
	for (i = 0; i < ARRAY_SIZE(fields); i++, p += 2) {
		unsigned v = data[p] | (unsigned)data[p + 1] << 8;
		long o = v == 0xffff ? GORT_NONE : (long)v;
		int c = (int)(int16_t)v;

		/* Offsets (long) and sizes (size_t, the same width here:
		 * 0xffff then reads as an absurd size) or constants (int). */
		if (fields[i].size == sizeof(long))
			memcpy((char *)l + fields[i].off, &o, sizeof(o));
		else if (fields[i].size == sizeof(int))
			memcpy((char *)l + fields[i].off, &c, sizeof(c));
	}
	return size - need;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gort_thread th = { .tid = 1, .pc = BASE, .sp = BASE + 64 };
	struct gort_registry r, w;
	struct gort_layout l;
	struct gort_label *lab;
	struct memsrc *mem;
	uint64_t p;
	size_t i;
	int n, minor;

	if (size < 64)
		return 0;
	layout_go123(&l);
	size = fuzz_layout(data, size, &l);
	mem = memsrc_buf_new(data, size, BASE);
	gort_layout_verify(mem, &l, 0, NULL);
	memset(&r, 0, sizeof(r));
	if (gort_registry_reserve(mem, &l, 0, 0, GORT_COPY_DEFER_PARKED, &r,
				  NULL) == 0) {
		if (gort_registry_copy(mem, &l, 0, &th, 1,
				       GORT_COPY_DEFER_PARKED, &r, NULL) == 0 &&
		    gort_registry_finish(mem, &l, &r, NULL) >= 0 &&
		    gort_registry_recopy(mem, &l, 0, &th, 1, &r, NULL) >= 0) {
			for (i = 0; i < r.ngs; i++) {
				const struct gort_g *g = &r.gs[i];

				/* A stack copy must lie inside its bounds. */
				if (g->stack && (g->copy_base < g->stack_lo ||
						 g->copy_base + g->copy_len >
							 g->stack_hi))
					__builtin_trap();
			}
		}
		gort_registry_release(&r);
	}
	memset(&w, 0, sizeof(w));
	gort_registry_waitreasons(mem, &l, 0, &w, NULL);
	gort_registry_release(&w);
	/* Labels, both layouts, from a pointer in the input. */
	memcpy(&p, data + 48, sizeof(p));
	for (minor = 23; minor <= 24; minor++) {
		struct gort_labelset sets[2];

		n = gort_read_labels(mem, minor, p, &lab);
		if (n > GORT_MAX_LABELS)
			__builtin_trap();
		/* The batched reader agrees with the one-by-one reader on
		 * every set it reads completely. */
		memset(sets, 0, sizeof(sets));
		sets[0].addr = p;
		memcpy(&sets[1].addr, data + 56, sizeof(sets[1].addr));
		gort_read_labelsets(mem, minor, sets, 2);
		if (sets[0].n > GORT_MAX_LABELS || sets[1].n > GORT_MAX_LABELS)
			__builtin_trap();
		if (sets[0].n > 0) {
			if (n != sets[0].n)
				__builtin_trap();
			for (int k = 0; k < n; k++)
				if (strcmp(lab[k].key, sets[0].labels[k].key) ||
				    strcmp(lab[k].value,
					   sets[0].labels[k].value))
					__builtin_trap();
		}
		gort_labelsets_release(sets, 2);
		if (n > 0)
			gort_labels_free(lab, (size_t)n);
	}
	memsrc_free(mem);
	return 0;
}
