/* Parser for ELF note blobs (SHT_NOTE sections and PT_NOTE segments). */
#ifndef GOSCOPE_BUILDINFO_ELFNOTE_H
#define GOSCOPE_BUILDINFO_ELFNOTE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define ELFNOTE_GNU_ABI_TAG 1
#define ELFNOTE_GNU_BUILD_ID 3
#define ELFNOTE_GO_BUILD_ID 4
#define ELFNOTE_FDO_PACKAGE 0xcafe1a7eu

/* One note; name and desc point into the blob given to elfnote_next. */
struct elfnote {
	uint32_t type;
	const char *name;	/* owner, NUL-terminated within the blob */
	size_t namesz;		/* without the terminating NUL */
	const unsigned char *desc;
	size_t descsz;
};

/*
 * Iterates over the notes of a blob of len bytes in the target's byte
 * order (big_endian != 0 for ELFDATA2MSB), with entries aligned to align
 * (4 or 8; the p_align/sh_addralign of the container).  *pos starts at 0.
 * Returns 1 and fills note when a note was read, 0 at the end of the
 * blob, -EINVAL (with a message) when the blob is malformed.  Every
 * length is checked against len, so the blob may be hostile.
 */
int elfnote_next(const unsigned char *blob, size_t len, size_t align,
		 int big_endian, size_t *pos, struct elfnote *note,
		 struct err *e);

/* Returns 1 when note has owner name (e.g. "GNU") and type type. */
int elfnote_is(const struct elfnote *note, const char *name, uint32_t type);

/* Facts collected from all notes of an image; strings are owned. */
struct elfnote_facts {
	char *gnu_build_id;	/* lowercase hex */
	char *go_build_id;	/* "actionID/.../contentID" */
	char *package_json;	/* FDO .note.package payload */
	char *abi_tag;		/* "Linux 3.2.0" */
};

/*
 * Scans one blob and stores the notes it knows in facts (keeping the
 * first of each kind).  Returns 0 or -EINVAL for a malformed blob (the
 * notes before the damage are kept).
 */
int elfnote_collect(const unsigned char *blob, size_t len, size_t align,
		    int big_endian, struct elfnote_facts *facts,
		    struct err *e);
void elfnote_facts_release(struct elfnote_facts *facts);

#endif
