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

/* The ELF header's e_machine (EM_X86_64, ...); EM_NONE if unreadable. */
unsigned int elfimage_machine(const struct elfimage *im);

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

/*
 * Finds the data object (STT_OBJECT .symtab symbol with a size) that
 * contains the link-time address addr.  Returns 0, its name (owned by
 * im) and addr's offset in it, or -ENOENT (also without a .symtab).
 */
int elfimage_symbol_at(const struct elfimage *im, uint64_t addr,
		       const char **name, uint64_t *offset);

/*
 * What a Go binary's runtime.firstmoduledata records, read without
 * symbols (link-time addresses).  Go 1.18+, 64-bit.
 */
struct elfimage_gomod {
	uint64_t addr;		/* of the moduledata itself */
	uint64_t pclntab;	/* the pcHeader */
	uint64_t text, etext;
	uint64_t noptrdata, enoptrdata, data, edata;
	uint64_t bss, ebss, noptrbss, enoptrbss;
	uint64_t rodata;	/* runtime.rodata; 0 with gofunc */
	uint64_t gofunc;	/* go:func.*; 0 when not found */
};

/* Where to look for the moduledata: section ranges, 0 when absent. */
struct elfimage_modwhere {
	uint64_t module, module_size;	/* .go.module (Go 1.26+) */
	uint64_t scan, scan_size;	/* .noptrdata, scanned (Go <= 1.25) */
	uint64_t pclntab;		/* .gopclntab, when the file has one */
	uint64_t rodata, rodata_size;	/* .rodata */
	uint64_t text, text_size;	/* .text */
};

/*
 * Finds runtime.firstmoduledata in img (a memsrc addressed by link-time
 * vaddr): at w->module when set, else by scanning w->scan for a word
 * that points at a pcHeader (equal to w->pclntab when set).  A candidate
 * counts only when its pclntab slices match the header's offsets, its
 * text range lies in .text and its section bounds are ordered; gofunc is
 * the word after the last word that looks like runtime.rodata (delve's
 * rule).  Returns 0 and *m, -ENOENT when none was found, or -EINVAL
 * when the moduledata at w->module is corrupted.
 */
int elfimage_find_moduledata(struct memsrc *img,
			     const struct elfimage_modwhere *w,
			     struct elfimage_gomod *m, struct err *e);

/*
 * Checks that gofunc, the base t was opened with, is right: the first
 * record of the inline tree of up to 64 functions must be well formed
 * (name offset at the start of a name, parent PC inside the function).
 * pclntab is the pcHeader's address in img.  Returns 0, -ENOENT when no
 * function has an inline tree, or -EINVAL when a record is malformed.
 */
int elfimage_check_gofunc(struct memsrc *img, const struct pclntab *t,
			  uint64_t pclntab);

/* Where a Go binary keeps the tables pclntab_open_text needs. */
struct elfimage_go {
	uint64_t pclntab;	/* address of the pcHeader */
	uint64_t pclntab_size;	/* section size; 0 when found otherwise */
	/* moduledata.gofunc: symbol go:func.* (Go 1.20+) or go.func.*
	 * (1.18-1.19); without a .symtab, from the moduledata (0 when not
	 * found: inlined frames are then not expanded). */
	uint64_t gofunc;
	/* runtime.text, else the .text section address (equal for
	 * internally linked binaries); without a .symtab moduledata.text,
	 * else 0 (the pcHeader's, which Go 1.26+ leaves 0). */
	uint64_t text;
	/* Without a .symtab: the moduledata, when found. */
	int has_mod;
	struct elfimage_gomod mod;
};

/*
 * Locates the pclntab: section .gopclntab, else .data.rel.ro.gopclntab
 * (PIE before Go 1.26), else symbol runtime.pclntab, else (no .symtab)
 * the moduledata's pcHeader; and gofunc and text as above.  Returns 0,
 * or -ENOENT (not a Go binary, or too stripped).
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
