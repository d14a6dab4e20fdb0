/* Go's pclntab: functions, file:line, SP deltas and inlining by PC. */
#ifndef GOSCOPE_SYMBOLS_PCLNTAB_H
#define GOSCOPE_SYMBOLS_PCLNTAB_H

#include <stddef.h>
#include <stdint.h>

#include "inspect/memsrc.h"
#include "lib/err.h"

/*
 * All addresses here are link-time addresses (as in the ELF file); callers
 * subtract the load bias of a PIE before lookups.  Supported formats: the
 * pcHeader magics 0xfffffff0 (Go 1.18-1.19) and 0xfffffff1 (Go 1.20+).
 * Every offset and count read from the table is bounds-checked: the table
 * may be corrupted or hostile.
 */
struct pclntab;

/* A function found by PC; pointers stay valid while the table lives. */
struct pcln_func {
	uint64_t entry;		/* first PC */
	uint64_t end;		/* one past the last PC */
	const char *name;	/* e.g. "main.(*T).run" */
	uint8_t funcid;		/* abi.FuncID byte (numbering varies) */
	uint8_t flag;		/* abi.FuncFlag: 1 TopFrame, 2 SPWrite, 4 Asm */
	int32_t args;		/* argument size in bytes */
	int32_t start_line;	/* Go 1.20+, else 0 */
	uint32_t idx;		/* internal: index in functab */
};

/* One logical frame at a PC, innermost first when inlined. */
struct pcln_frame {
	const char *func;	/* function name */
	const char *file;	/* file name */
	int line;
	int inlined;		/* 1: inlined into the next frame */
	/* The physical function that holds the code (same for all frames
	 * of one PC). */
	uint64_t entry;
	/* The PC that gives this frame its file:line: the pc looked up for
	 * the innermost frame, entry + parentPc for the others (what
	 * runtime.Callers reports, minus 1). */
	uint64_t pc;
	uint8_t funcid;		/* abi.FuncID of this logical function */
};

/*
 * Opens the table that starts at link-time address pclntab_addr in img
 * (a memsrc addressed by link-time vaddr, typically the ELF file).
 * gofunc_addr is moduledata.gofunc (the go:func.* symbol), the base of
 * funcdata offsets; 0 when unknown (inlining is then not expanded).
 * Returns 0 and *out, or a negative errno with e set.  The table copies
 * what it needs; img may be freed afterwards.
 */
int pclntab_open(struct memsrc *img, uint64_t pclntab_addr,
		 uint64_t gofunc_addr, struct pclntab **out, struct err *e);
/*
 * Like pclntab_open, with text_start, the link-time address of
 * runtime.text (the base of all function entry offsets); 0 takes it from
 * the header.  Go 1.26+ no longer stores it in the header (the field is
 * 0): pclntab_open fails with -EINVAL on such tables, and callers must
 * pass it here (symbol runtime.text, or the .text section address).
 */
int pclntab_open_text(struct memsrc *img, uint64_t pclntab_addr,
		      uint64_t gofunc_addr, uint64_t text_start,
		      struct pclntab **out, struct err *e);
void pclntab_free(struct pclntab *t);

/* Returns the textStart recorded in the header (link-time). */
uint64_t pclntab_text_start(const struct pclntab *t);
/* Returns the number of functions. */
size_t pclntab_nfunc(const struct pclntab *t);
/* Returns the header magic: 0xfffffff0 (Go 1.18-1.19) or 0xfffffff1. */
uint32_t pclntab_magic(const struct pclntab *t);

/* Finds the function containing pc.  Returns 0, or -ENOENT. */
int pclntab_find(const struct pclntab *t, uint64_t pc, struct pcln_func *f);
/* Function number idx (0 <= idx < nfunc, in PC order).  Returns 0, or
 * -ENOENT (idx out of range) or -EINVAL (corrupted record). */
int pclntab_func_at(const struct pclntab *t, size_t idx,
		    struct pcln_func *f);
/* Finds a function by exact name.  Returns 0, or -ENOENT. */
int pclntab_lookup(const struct pclntab *t, const char *name,
		   struct pcln_func *f);

/*
 * SP delta at pc inside f (the pcsp table): bytes between the SP at
 * function entry (after the CALL pushed the return address) and the SP at
 * pc.  Returns 0 or -ENOENT when pc has no entry.
 */
int pclntab_spdelta(const struct pclntab *t, const struct pcln_func *f,
		    uint64_t pc, int32_t *delta);

/*
 * The logical frames at pc, innermost first, expanding the inline tree
 * (FUNCDATA_InlTree + PCDATA_InlTreeIndex) as the runtime does.  pc is
 * the PC to look up (callers pass the return address minus 1 for
 * non-innermost frames).  Writes at most max frames and returns how many,
 * or a negative errno (-EINVAL for a corrupted inline tree, -ELOOP for an
 * inline chain deeper than 1024).  All frames are returned, wrappers
 * included (runtime tracebacks elide FuncIDWrapper frames; the numbering
 * of that ID varies by version).  Names are raw symbol names (generic
 * functions keep their shape arguments, e.g. "main.F[go.shape.int]").
 */
int pclntab_frames(const struct pclntab *t, const struct pcln_func *f,
		   uint64_t pc, struct pcln_frame *out, size_t max);

/*
 * A function's funcdata slot i (e.g. 0 ArgsPointerMaps, 3 InlTree, 5
 * ArgInfo): its link-time address, or 0 when absent or gofunc unknown.
 */
uint64_t pclntab_funcdata(const struct pclntab *t, const struct pcln_func *f,
			  unsigned int i);
/* The value of pcdata table i at pc; -1 when absent. */
int32_t pclntab_pcdata(const struct pclntab *t, const struct pcln_func *f,
		       unsigned int i, uint64_t pc);

#endif
