/* Build provenance of a file or a running process: ELF facts + Go info. */
#ifndef GOSCOPE_BUILDINFO_PROVENANCE_H
#define GOSCOPE_BUILDINFO_PROVENANCE_H

#include <sys/types.h>

#include "buildinfo/elfinfo.h"
#include "buildinfo/modinfo.h"
#include "lib/err.h"

enum prov_disk {
	PROV_DISK_NA,		/* a file, not a process */
	PROV_DISK_SAME,		/* the path on disk is the running inode */
	PROV_DISK_DELETED,	/* nothing at the path any more */
	PROV_DISK_REPLACED,	/* another file is at the path now */
	PROV_DISK_UNKNOWN,	/* could not tell */
};

enum prov_gosrc {
	PROV_GO_NONE,
	PROV_GO_FILE,		/* .go.buildinfo of the file */
	PROV_GO_MEMORY,		/* .go.buildinfo mapped in the process */
};

struct provenance {
	char *name;		/* the file as given, or the /proc/PID/exe target */
	pid_t pid;		/* 0 for a file */
	struct elfinfo elf;
	int elf_ok;		/* elf holds facts (from file or memory) */
	int elf_from_memory;
	struct elfgo go;	/* go.found == 0: not a Go binary */
	enum prov_gosrc go_source;
	/* Set by the caller, not owned: where a goroutine dump would take
	 * the runtime's layout from ("DWARF", "table go1.23 (stripped)",
	 * "unsupported: ..."); NULL when not asked. */
	const char *layout_source;
	struct modinfo mod;
	char *mod_error;	/* modinfo text did not parse */

	/* Only for processes. */
	char *exe_path;		/* link target without " (deleted)" */
	int exe_deleted;
	char *exe_error;	/* /proc/PID/exe could not be read */
	char *memory_error;	/* process memory could not be read */
	enum prov_disk disk;
	char *disk_error;
	struct elfinfo disk_elf;	/* when replaced */
	struct elfgo disk_go;
	int disk_read;
	long long start_time;
};

/*
 * Reads the provenance of the ELF file at path.  Returns 0 (also for
 * non-Go ELF files: p->go.found == 0), or a negative errno with e set:
 * -ENOEXEC for non-ELF input, -EINVAL for corrupted ELF.
 */
int provenance_from_file(const char *path, struct provenance *p,
			 struct err *e);

/*
 * Reads the provenance of the running process pid without stopping it:
 * the executable through /proc/PID/exe, the Go build info from the
 * process's own memory, and whether the file on disk still matches.
 * Returns 0 or a negative errno (-ESRCH, -EACCES/-EPERM with a hint in
 * e, ...).  flags is a set of enum prov_flags.
 */
enum prov_flags {
	/* Ignore /proc/PID/exe; read every fact from process memory. */
	PROV_MEMORY_ONLY = 1 << 0,
};

int provenance_from_pid(pid_t pid, unsigned int flags, struct provenance *p,
			struct err *e);

void provenance_release(struct provenance *p);

/* The build ID used to compare images: Go's, else GNU's; may be NULL. */
const char *provenance_build_id(const struct elfinfo *elf);

#endif
