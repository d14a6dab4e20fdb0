/* ELF core files: threads, registers, mappings and memory of a dead process. */
#ifndef GOSCOPE_INSPECT_CORE_H
#define GOSCOPE_INSPECT_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "inspect/memsrc.h"
#include "inspect/proc.h"
#include "inspect/ptstop.h"
#include "lib/err.h"

/* Bounds on what a core may declare (larger ones are refused). */
#define CORE_MAX_SEGMENTS 1000000u
#define CORE_MAX_THREADS 1000000u
#define CORE_MAX_FILES 1000000u

/* One thread of the core (NT_PRSTATUS). */
struct core_thread {
	pid_t tid;
	int signo;		/* pr_cursig: the signal that killed it, or 0 */
	uint64_t utime_ns, stime_ns;	/* CPU time (pr_utime, pr_stime) */
	struct ptstop_regs regs;
};

/* One PT_LOAD segment: memory [vaddr, vaddr+memsz), filesz of it saved. */
struct core_segment {
	uint64_t vaddr, memsz;
	uint64_t offset, filesz;
	uint32_t flags;		/* PF_R | PF_W | PF_X */
};

/* One file mapping (NT_FILE, or the executable's own segments). */
struct core_file {
	uint64_t start, end;	/* [start, end) */
	uint64_t offset;	/* file offset of start, in bytes */
	char *path;
};

struct core {
	char *path;		/* the core file */
	pid_t pid;		/* from NT_PRPSINFO, else the first thread */
	char fname[17];		/* pr_fname: the command name (truncated) */
	char psargs[81];	/* pr_psargs: the command line (truncated) */
	struct core_thread *threads;	/* in note order; the first one is
					 * the thread that crashed */
	size_t nthreads;
	struct core_segment *segs;	/* sorted by vaddr */
	size_t nsegs;
	struct core_file *files;	/* sorted by start */
	size_t nfiles;
	int has_nt_file;	/* files came from an NT_FILE note */
	int has_auxv;
	int64_t time_unix_ns;	/* when the core was written (its mtime) */
	uint64_t at_entry, at_phdr, at_execfn, at_sysinfo_ehdr;
	struct core_priv *priv;
};

/*
 * Opens the core file path (ELF64 little-endian x86-64, ET_CORE) and reads
 * its program headers and notes.  A core compressed with zstd, xz, gzip
 * or lz4 (systemd-coredump, or by hand) is first decompressed into
 * memory, where pages of zeros take none and the rest at most max_mem
 * bytes (0: half of the memory available).  Every count and length is
 * checked against the file.  Returns 0 and *out (free with core_free),
 * or a negative errno with e set: -ENOEXEC (not a core, or not an x86-64
 * one), -EINVAL (damaged headers or notes, damaged or truncated
 * compressed data), -E2BIG (decompressed, over max_mem), or the errno of
 * open/mmap.
 */
int core_open(const char *path, size_t max_mem, struct core **out,
	      struct err *e);

/*
 * A file descriptor of the core's bytes (its file, or the memfd of a
 * decompressed core; owned by the core), or -1 for core_open_buffer.
 */
int core_fd(const struct core *c);

/* The same over len bytes at data (borrowed; must outlive the core). */
int core_open_buffer(const void *data, size_t len, const char *name,
		     struct core **out, struct err *e);

/* Returns 1 when the len bytes at head start a 64-bit ELF core file. */
int core_is_core(const void *head, size_t len);

/*
 * Returns 1 when the len bytes at head start a 64-bit ELF core file or
 * a compressed stream core_open decompresses.
 */
int core_looks_like(const void *head, size_t len);

/*
 * Reads at most len bytes at addr from the bytes the core saved (no
 * fallback to files).  Returns the number read, or -EFAULT.
 */
ssize_t core_read_saved(const struct core *c, uint64_t addr, void *buf,
			size_t len);

/*
 * Finds the executable the core was made from: the NT_FILE mapping that
 * holds the entry point (auxv AT_ENTRY), else the program path the auxv
 * names (AT_EXECFN), else the first word of the command line.  Relative
 * paths are tried against the core's directory and the current one.
 * Returns 0 and *path (caller frees), or -ENOENT with e explaining which
 * paths were tried.
 */
int core_find_exe(const struct core *c, char **path, struct err *e);

/*
 * Makes memory the core left out of the executable readable from path:
 * its NT_FILE mappings are read from path instead (the file may have
 * moved), or without NT_FILE its read-only PT_LOAD segments, loaded with
 * bias, are added as file mappings.  Returns 0 or a negative errno.
 */
int core_add_exe(struct core *c, const char *path, uint64_t bias,
		 struct err *e);

/*
 * The load bias of the executable at exe_path in the core (run-time minus
 * link-time address), from the entry point the auxv recorded.  Returns 0
 * and *bias, or a negative errno with e set (-ENOENT: no auxv; -EINVAL:
 * a fixed-address executable whose entry point differs).
 */
int core_exe_bias(const struct core *c, const char *exe_path,
		  uint64_t *bias, struct err *e);

/*
 * Compares the notes of the executable at exe_path (build IDs) with those
 * the core saved in its copy of the executable's first pages, loaded with
 * bias.  Returns 0 when they match or the core did not save them, or
 * -EINVAL with e naming both build IDs.
 */
int core_check_exe(const struct core *c, const char *exe_path,
		   uint64_t bias, struct err *e);

/*
 * The executable of the core: exe when given (NULL: core_find_exe), its
 * load bias, checked against the core (core_check_exe).  Returns 0,
 * *path (caller frees) and *bias, or a negative errno with e set.
 */
int core_resolve_exe(const struct core *c, const char *exe, char **path,
		     uint64_t *bias, struct err *e);

/*
 * A memsrc over the core's memory: saved bytes first; memory the core
 * left out is read from the mapped file when it is not writable (code and
 * read-only data do not change).  c must outlive the memsrc.
 */
struct memsrc *memsrc_core_new(struct core *c);

/*
 * The core's mappings as /proc/PID/maps would show them (sorted; paths
 * from the file mappings).  Release with proc_maps_release.
 */
void core_maps(const struct core *c, struct proc_maps *maps);

void core_free(struct core *c);

#endif
