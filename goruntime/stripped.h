/* Runtime globals recovered from machine code, for binaries without symbols. */
#ifndef GOSCOPE_GORUNTIME_STRIPPED_H
#define GOSCOPE_GORUNTIME_STRIPPED_H

#include <stddef.h>
#include <stdint.h>

#include "inspect/memsrc.h"
#include "lib/err.h"

/* The runtime functions whose code names the globals. */
enum gort_stripped_fn {
	GORT_FN_FOREACHGRACE,	/* runtime.forEachGRace: allglen, allgptr */
	GORT_FN_ALLGADD,	/* runtime.allgadd: allgs, allglen, allgptr */
	GORT_FN_MCOMMONINIT,	/* runtime.mcommoninit: allm */
	GORT_FN_GOROUTINEHEADER, /* goroutineheader: waitReasonStrings */
	GORT_NFN
};

/* The names of enum gort_stripped_fn's functions, in order. */
extern const char *const gort_stripped_fn_names[GORT_NFN];

/*
 * What the finder reads: the code of the functions (link-time [entry,
 * end), 0 when the pclntab has no such function), the data ranges the
 * moduledata gives (a global found in code must lie in the right one),
 * and two offsets from the version's table that the code uses.
 */
struct gort_stripped_in {
	struct memsrc *img;	/* addressed by link-time vaddr */
	uint64_t entry[GORT_NFN], end[GORT_NFN];
	uint64_t data, edata;	/* .data: waitReasonStrings */
	uint64_t bss, ebss;	/* .bss: allgs, allgptr, allm */
	uint64_t noptrbss, enoptrbss;	/* .noptrbss: allglen */
	long g_waitreason;	/* offset of g.waitreason */
	long m_alllink;		/* offset of m.alllink */
};

/* Link-time addresses found; 0 for what was not found. */
struct gort_stripped_out {
	uint64_t allgs, allglen, allgptr, allm;
	uint64_t waitreason_strings;
	size_t nwaitreasons;	/* from the bounds check; 0 if not seen */
};

/*
 * Decodes the functions (amd64: capstone) and recovers the addresses of
 * runtime.allgs, allglen, allgptr, allm and waitReasonStrings from their
 * RIP-relative operands: forEachGRace loads allglen then allgptr;
 * allgadd touches allgs as a 24-byte slice and stores allglen and
 * allgptr atomically (XCHG); mcommoninit stores allm atomically after
 * copying it to m.alllink; goroutineheader indexes waitReasonStrings
 * after comparing g.waitreason with its length.  Where two functions
 * name the same global they must agree.  Returns 0 when allgs and
 * allglen were found (the others may be 0), -ENOENT or -EINVAL (the
 * functions disagree) with e saying what is missing, or
 * -EPROTONOSUPPORT when the disassembler is unavailable.
 */
int gort_stripped_find(const struct gort_stripped_in *in,
		       struct gort_stripped_out *out, struct err *e);

#endif
