/* An ELF file opened read-only for symbolization: memory, sections, symbols. */
#ifndef GOSCOPE_SYMBOLS_ELFIMAGE_H
#define GOSCOPE_SYMBOLS_ELFIMAGE_H

#include <stdint.h>

#include "inspect/memsrc.h"
#include "lib/err.h"
#include "symbols/pclntab.h"

struct elfimage;

/*
 * Opens the ELF file at path (mmap through libelf, read-only).  Returns 0
 * and *out (the caller frees it with elfimage_free), -ENOEXEC when the
 * file is not ELF, -EINVAL when it is corrupted, or another -errno.
 */
int elfimage_open(const char *path, struct elfimage **out, struct err *e);
void elfimage_free(struct elfimage *im);

/*
 * A memsrc over the file's PT_LOAD segments, addressed by link-time
 * vaddr.  Only the file-backed part of a segment reads: .bss and the rest
 * of p_memsz beyond p_filesz fail with -EFAULT, like any unmapped address.
 * Owned by im (valid until elfimage_free; memsrc_free on it is a no-op).
 */
struct memsrc *elfimage_mem(struct elfimage *im);

/* Whether the file has a .symtab (stripped binaries have none). */
int elfimage_has_symtab(const struct elfimage *im);

/*
 * Finds the first section named name.  Returns 0 and its address and
 * size (either pointer may be NULL), or -ENOENT.
 */
int elfimage_section(const struct elfimage *im, const char *name,
		     uint64_t *addr, uint64_t *size);

/*
 * Finds the first .symtab symbol named name.  Returns 0 and its value and
 * size (either may be NULL), or -ENOENT (also without a .symtab).
 */
int elfimage_symbol(const struct elfimage *im, const char *name,
		    uint64_t *value, uint64_t *size);

/* Where a Go binary keeps the tables pclntab_open_text needs. */
struct elfimage_go {
	uint64_t pclntab;	/* address of the pcHeader */
	uint64_t pclntab_size;	/* section size; 0 when found by symbol */
	/* moduledata.gofunc: symbol go:func.* (Go 1.20+) or go.func.*
	 * (1.18-1.19); 0 without a .symtab (stripped: not handled yet, so
	 * inlined frames are not expanded). */
	uint64_t gofunc;
	/* runtime.text, else the .text section address (equal for
	 * internally linked binaries). */
	uint64_t text;
};

/*
 * Locates the pclntab: section .gopclntab, else .data.rel.ro.gopclntab
 * (PIE before Go 1.26), else symbol runtime.pclntab; and gofunc and text
 * as above.  Returns 0, or -ENOENT (not a Go binary, or too stripped).
 */
int elfimage_go_tables(const struct elfimage *im, struct elfimage_go *g,
		       struct err *e);

/*
 * elfimage_go_tables + pclntab_open_text.  Returns 0 and *out (the
 * caller frees it with pclntab_free; it does not reference im), or a
 * negative errno.
 */
int elfimage_pclntab(struct elfimage *im, struct pclntab **out,
		     struct err *e);

#endif
