/* ELF facts of an executable: from a file (libelf) or a process image. */
#ifndef GOSCOPE_BUILDINFO_ELFINFO_H
#define GOSCOPE_BUILDINFO_ELFINFO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buildinfo/elfnote.h"
#include "buildinfo/gobuildinfo.h"
#include "inspect/memsrc.h"
#include "lib/err.h"

struct elfinfo {
	int elf_class;		/* 32 or 64 */
	int big_endian;
	unsigned int machine;	/* EM_* */
	unsigned int type;	/* ET_* */
	int pie;		/* position-independent executable */
	int shared_object;	/* ET_DYN that is not an executable */
	char *interp;		/* PT_INTERP, or NULL when static */
	uint64_t entry;
	/* Known only from a file with section headers. */
	int has_sections;
	int has_symtab;
	int has_dwarf;
	int has_gopclntab;
	char *debuglink;	/* .gnu_debuglink file name */
	char **comments;	/* .comment strings */
	size_t ncomments;
	uint64_t gobuildinfo_addr;	/* .go.buildinfo section address */
	struct elfnote_facts notes;
	/* Set when a note blob was malformed (facts before it are kept). */
	char *notes_warning;
};

/* Go build info found in an image; go.version is NULL when not Go. */
struct elfgo {
	struct gobi go;
	int found;
	char *error;		/* why decoding failed, when it did */
};

/*
 * Reads the ELF facts and the Go build info of the file at path.
 * Returns 0; -ENOEXEC when the file is not ELF ("not an ELF file");
 * -EINVAL when it is ELF but corrupted; another -errno when it cannot be
 * read.  A non-Go ELF file succeeds with go->found == 0.
 */
int elfinfo_read_file(const char *path, struct elfinfo *info,
		      struct elfgo *go, struct err *e);

/*
 * Reads the same facts from the memory of a running process, through the
 * mapping of its executable that starts at base (file offset 0).  Section
 * facts are not available from memory.  gobuildinfo_hint, when non-zero,
 * is the link-time address of .go.buildinfo (from the file).
 */
int elfinfo_read_memory(struct memsrc *mem, uint64_t base,
			uint64_t gobuildinfo_hint, struct elfinfo *info,
			struct elfgo *go, struct err *e);

void elfinfo_release(struct elfinfo *info);
void elfgo_release(struct elfgo *go);

/* "x86-64", "AArch64", ... or "machine N" (static or in buf). */
const char *elfinfo_machine_name(unsigned int machine, char *buf,
				 size_t size);
/* "executable", "PIE executable", "shared object", ... */
const char *elfinfo_kind(const struct elfinfo *info);

#endif
