/* Layout of the Go runtime structures goscope reads, per target binary. */
#ifndef GOSCOPE_GORUNTIME_LAYOUT_H
#define GOSCOPE_GORUNTIME_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "inspect/memsrc.h"
#include "lib/err.h"
#include "symbols/elfimage.h"
#include "symbols/pclntab.h"

/* An offset that the target's runtime does not have. */
#define GORT_NONE (-1)

/*
 * One immutable description of the target's runtime: field offsets of
 * runtime.g/m/gobuf, the link-time addresses of the globals, and the
 * status constants.  Filled from DWARF, or from a per-version table plus
 * symbols or machine code; readers take it as a const pointer and never
 * consult globals.  Offsets are GORT_NONE when the field does not exist
 * in this version.
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
	uint64_t allgptr;	/* **g; 0 when unknown (only checked) */
	/* The table's wait-reason names, for targets whose
	 * waitReasonStrings could not be found (static strings). */
	const char *const *waitreason_names;
	size_t nwaitreason_names;

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
	long g_trackingseq;	/* uint8; see gort_registry_finish */

	/* runtime.m */
	size_t m_size;
	long m_g0, m_procid, m_gsignal, m_curg, m_id, m_alllink, m_lockedg;

	/*
	 * What a parked goroutine waits on (goruntime/waitobj.h):
	 * runtime.sudog (elem and c are the address word, maybeTraceablePtr.vu
	 * in Go 1.26+), runtime.hchan (recvq/sendq point at waitq.first), the
	 * type descriptor (runtime._type / internal/abi.Type), one entry of
	 * runtime.semtable and runtime.pollDesc.
	 */
	long sudog_size, sudog_g, sudog_next, sudog_prev, sudog_elem;
	long sudog_waitlink, sudog_c;
	long hchan_size, hchan_qcount, hchan_dataqsiz, hchan_closed;
	long hchan_elemtype, hchan_recvq, hchan_sendq;
	long type_size, type_tflag, type_str;
	long semtab_size, semtab_treap;	/* one semtable entry, root.treap */
	long polldesc_size, polldesc_fd, polldesc_rg, polldesc_wg;
	/* Their globals (link-time; 0 when not found). */
	uint64_t semtable;	/* runtime.semtable */
	uint64_t types;		/* runtime.types: base of type name offsets */

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

/*
 * Every field of struct gort_layout that a per-version table holds (all
 * but the addresses), with the name it has in the runtime.  Used by the
 * table generator and to tell tables apart.
 */
#define GORT_LAYOUT_FIELDS(X)                                              \
	X(g_size, "sizeof(g)") X(g_stack_lo, "g.stack.lo")                 \
	X(g_stack_hi, "g.stack.hi") X(g_m, "g.m")                          \
	X(g_sched_sp, "g.sched.sp") X(g_sched_pc, "g.sched.pc")            \
	X(g_sched_bp, "g.sched.bp") X(g_sched_lr, "g.sched.lr")            \
	X(g_syscallsp, "g.syscallsp") X(g_syscallpc, "g.syscallpc")        \
	X(g_syscallbp, "g.syscallbp") X(g_atomicstatus, "g.atomicstatus")  \
	X(g_goid, "g.goid") X(g_waitsince, "g.waitsince")                  \
	X(g_waitreason, "g.waitreason") X(g_lockedm, "g.lockedm")          \
	X(g_parentgoid, "g.parentGoid") X(g_gopc, "g.gopc")                \
	X(g_startpc, "g.startpc") X(g_labels, "g.labels")                  \
	X(g_ancestors, "g.ancestors") X(g_waiting, "g.waiting")            \
	X(g_trackingseq, "g.trackingSeq")                                  \
	X(m_size, "sizeof(m)") X(m_g0, "m.g0") X(m_procid, "m.procid")     \
	X(m_gsignal, "m.gsignal") X(m_curg, "m.curg") X(m_id, "m.id")      \
	X(m_alllink, "m.alllink") X(m_lockedg, "m.lockedg")                \
	X(st_idle, "_Gidle") X(st_runnable, "_Grunnable")                  \
	X(st_running, "_Grunning") X(st_syscall, "_Gsyscall")              \
	X(st_waiting, "_Gwaiting") X(st_dead, "_Gdead")                    \
	X(st_copystack, "_Gcopystack") X(st_preempted, "_Gpreempted")      \
	X(st_leaked, "_Gleaked") X(st_deadextra, "_Gdeadextra")            \
	X(st_scan, "_Gscan")                                               \
	X(sudog_size, "sizeof(sudog)") X(sudog_g, "sudog.g")               \
	X(sudog_next, "sudog.next") X(sudog_prev, "sudog.prev")            \
	X(sudog_elem, "sudog.elem") X(sudog_waitlink, "sudog.waitlink")    \
	X(sudog_c, "sudog.c")                                              \
	X(hchan_size, "sizeof(hchan)") X(hchan_qcount, "hchan.qcount")     \
	X(hchan_dataqsiz, "hchan.dataqsiz") X(hchan_closed, "hchan.closed") \
	X(hchan_elemtype, "hchan.elemtype") X(hchan_recvq, "hchan.recvq")  \
	X(hchan_sendq, "hchan.sendq") X(type_size, "sizeof(_type)")        \
	X(type_tflag, "_type.tflag") X(type_str, "_type.str")              \
	X(semtab_size, "sizeof(semtable[0])")                              \
	X(semtab_treap, "semtable[0].root.treap")                          \
	X(polldesc_size, "sizeof(pollDesc)") X(polldesc_fd, "pollDesc.fd") \
	X(polldesc_rg, "pollDesc.rg") X(polldesc_wg, "pollDesc.wg")

/*
 * Checks every offset of the GORT_LAYOUT_FIELDS against the size of its
 * struct: a field "P_name" lies in the struct whose size is "P_size"
 * (g_goid in g_size, m_curg in m_size, ...), and offset + width <= size,
 * where the width is what the readers take (8 bytes unless the field is
 * listed as narrower in layout.c).  Sizes are at most 1 MiB.  Returns 0,
 * or -EINVAL with e naming the first field that does not fit.  The
 * layout builders and every reader of g/m structs call it, so no offset
 * taken from the target's DWARF or a table can reach past a buffer.
 */
int gort_layout_check(const struct gort_layout *l, struct err *e);

/* One Go release's layout, measured from a real toolchain's DWARF. */
struct gort_table {
	int minor;		/* 23 for go1.23.x */
	const char *measured;	/* the toolchain measured, "go1.23.5" */
	struct gort_layout l;	/* the GORT_LAYOUT_FIELDS; no addresses */
	size_t nwaitreasons;
	const char *const *waitreasons;	/* runtime.waitReasonStrings */
};

/*
 * A release between two tables that no toolchain here could measure: it
 * uses the table of same_as when the generator found both neighbours
 * identical, else it is refused and why says what differs.
 */
struct gort_table_gap {
	int minor;
	int same_as;		/* 0: refused */
	const char *why;
};

/* goruntime/layout_tables.c, generated by 'make layouts'; oldest first. */
extern const struct gort_table gort_tables[];
extern const size_t gort_ntables;
extern const struct gort_table_gap gort_table_gaps[];
extern const size_t gort_ntable_gaps;

/*
 * The table for a Go version string ("go1.23.5").  Returns it (static
 * data), or NULL with e saying why none applies: older or newer than
 * every table, or a release between two tables that differ.
 */
const struct gort_table *gort_table_find(const char *version,
					 struct err *e);

/*
 * Fills l for a binary without usable DWARF: offsets and constants from
 * the table of version, globals from .symtab when im has one, else from
 * the machine code of runtime functions found by name in t (amd64).
 * im and t are the target's executable and its pclntab.  Returns 0, or
 * a negative errno with e saying what is missing (-EPROTONOSUPPORT: no
 * table for this version or architecture; -ENOENT: a global was not
 * found).  l->source says "symbols + table go1.N" or "table go1.N
 * (stripped)".
 */
int gort_layout_from_table(struct elfimage *im, const struct pclntab *t,
			   const char *version, struct gort_layout *l,
			   struct err *e);

/*
 * Checks a table-based layout against the live target (mem, load bias
 * bias): allglen and the allgs slice are consistent, allgs[0] is
 * goroutine 1, allm points at an m.  Reads only, without stopping the
 * target.  Returns 0, or -EINVAL with e saying what looks wrong.
 */
int gort_layout_verify(struct memsrc *mem, const struct gort_layout *l,
		       uint64_t bias, struct err *e);

/*
 * Which layout source a dump of the Go executable at path (whose
 * .go.buildinfo says version) would use: "DWARF", "symbols + table
 * go1.N", "table go1.N (stripped)", or "unsupported: why".  Writes
 * into buf (len bytes).
 */
void gort_layout_describe(const char *path, const char *version, char *buf,
			  size_t len);

/* Parses "go1.23.5" (or "go1.23rc1", "devel go1.24-abc") into 23; 0. */
int gort_go_minor(const char *version);

#endif
