/* Layout of the Go runtime structures goscope reads, per target binary. */
#ifndef GOSCOPE_GORUNTIME_LAYOUT_H
#define GOSCOPE_GORUNTIME_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* An offset that the target's runtime does not have. */
#define GORT_NONE (-1)

/*
 * One immutable description of the target's runtime: field offsets of
 * runtime.g/m/gobuf, the link-time addresses of the globals, and the
 * status constants.  Filled from DWARF (or, later, a per-version table);
 * readers take it as a const pointer and never consult globals.
 * Offsets are GORT_NONE when the field does not exist in this version.
 */
struct gort_layout {
	char source[64];	/* "DWARF", "table go1.23", ... */
	int go_minor;		/* 23 for go1.23.x; 0 when unknown */

	/* Globals (link-time addresses; 0 when not found). */
	uint64_t allgs;		/* []*g slice header */
	uint64_t allglen;	/* uintptr */
	uint64_t allm;		/* *m */
	uint64_t waitreason_strings;	/* [N]string */
	size_t nwaitreasons;
	uint64_t gofunc;	/* go:func.* (funcdata base) */
	uint64_t pclntab;	/* start of the pcHeader */

	/* runtime.g */
	size_t g_size;
	long g_stack_lo, g_stack_hi;
	long g_m;
	long g_sched_sp, g_sched_pc, g_sched_bp, g_sched_lr;
	long g_syscallsp, g_syscallpc, g_syscallbp;
	long g_atomicstatus;
	long g_goid;
	long g_waitsince;
	long g_waitreason;
	long g_lockedm;
	long g_parentgoid;
	long g_gopc;
	long g_startpc;
	long g_labels;
	long g_ancestors;
	long g_waiting;

	/* runtime.m */
	size_t m_size;
	long m_g0, m_procid, m_gsignal, m_curg, m_id, m_alllink, m_lockedg;

	/* Status constants (runtime._G*). */
	int st_idle, st_runnable, st_running, st_syscall, st_waiting;
	int st_dead, st_copystack, st_preempted, st_leaked, st_deadextra;
	int st_scan;
};

/*
 * Fills l from the DWARF and .symtab of the Go executable at path.
 * Returns 0; -ENODATA when the binary has no usable DWARF (a stripped
 * binary: e names what is missing); another negative errno on failure.
 */
int gort_layout_from_dwarf(const char *path, struct gort_layout *l,
			   struct err *e);

/* Parses "go1.23.5" (or "go1.23rc1", "devel go1.24-abc") into 23; 0. */
int gort_go_minor(const char *version);

#endif
