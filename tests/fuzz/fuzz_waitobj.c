/* libFuzzer harness for the blocked-on readers (goruntime/waitobj.c, inspect/epoll.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "goruntime/layout.h"
#include "goruntime/registry.h"
#include "goruntime/waitobj.h"
#include "inspect/epoll.h"
#include "inspect/memsrc.h"
#include "lib/banned.h"

#define BASE 0x10000
#define NGS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The input is the target's memory at BASE, read with the newest and the
 * oldest release's layout.  The first words name the goroutines (their g
 * addresses and wait reasons; each one's stack is 128 bytes of it),
 * runtime.semtable sits at BASE (or is unknown: the last byte), the type
 * names' base is BASE, and the input is also parsed as an epoll fdinfo
 * file whose registrations point into it: every pointer the readers
 * follow comes from the input.
 */
static void run(const struct gort_table *t, const uint8_t *data,
		size_t size, struct memsrc *mem)
{
	struct gort_layout l = t->l;
	struct gort_registry r;
	struct gort_g gs[NGS];
	struct gort_waits w;
	size_t i, n, alloc = 0;
	char *reasons[64];
	char *name;

	memset(&r, 0, sizeof(r));
	memset(gs, 0, sizeof(gs));
	/* With runtime.semtable, and without (a stripped binary). */
	l.semtable = size && !(data[size - 1] & 1) ? BASE : 0;
	for (i = 0; i < NGS && (i + 1) * 9 <= size; i++) {
		uint64_t a;

		memcpy(&a, data + i * 9, 8);
		gs[i].addr = a;
		/* A stack of 128 bytes in the input, searched for what the
		 * goroutine waits on when the runtime does not say. */
		gs[i].stack_lo = BASE + 8 * i;
		gs[i].stack_hi = gs[i].stack_lo + 128;
		gs[i].sched_sp = gs[i].stack_lo;
		gs[i].status = (uint32_t)l.st_waiting;
		gs[i].waitreason = data[i * 9 + 8];
	}
	r.gs = gs;
	r.ngs = i;
	n = t->nwaitreasons < 64 ? t->nwaitreasons : 64;
	for (i = 0; i < n; i++)
		reasons[i] = (char *)t->waitreasons[i];
	memset(&w, 0, sizeof(w));
	w.types = BASE;
	epoll_fdinfo_parse((const char *)data, size, 3, &w.ep, &w.nep,
			   &alloc);
	gort_waits_copy(mem, &l, 0, &r, reasons, n, &w);
	gort_waits_decode(mem, &l, &w);
	for (i = 0; i < r.ngs; i++)
		gort_waits_of(&w, i, &n);
	gort_waits_release(&w);
	name = gort_type_name(mem, &l, BASE, BASE + (size > 1 ? data[0] : 0));
	free(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct memsrc *mem = memsrc_buf_new(data, size, BASE);

	if (gort_ntables) {
		run(&gort_tables[0], data, size, mem);
		run(&gort_tables[gort_ntables - 1], data, size, mem);
	}
	memsrc_free(mem);
	return 0;
}
