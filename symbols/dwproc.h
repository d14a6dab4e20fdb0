/* Native symbolization of a process's code addresses with libdw. */
#ifndef GOSCOPE_SYMBOLS_DWPROC_H
#define GOSCOPE_SYMBOLS_DWPROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

struct dwproc;

/* One logical frame at a code address, innermost first when inlined. */
struct dwproc_frame {
	const char *func;	/* demangled function name, NULL unknown */
	uint64_t offset;	/* pc - symbol start; 0 for inlined frames */
	const char *file;	/* source file from DWARF, NULL unknown */
	int line;		/* 0 unknown */
	const char *module;	/* mapped file ("/usr/lib/.../libc.so.6",
				 * "[vdso]"), NULL outside any module */
	int inlined;		/* inlined into the next frame */
};

/*
 * Opens a libdw session over pid's mapped modules (read from
 * /proc/PID/maps now; the ELF and DWARF files are opened when first
 * needed).  Debug information is looked up next to each file, in .debug/,
 * in /usr/lib/debug (by build-id and by .gnu_debuglink), and in
 * debug_dirs (a colon-separated list of directories searched the same
 * way, or NULL).  Returns 0 and *out (free with dwproc_free), or a
 * negative errno with e set.
 */
int dwproc_open(pid_t pid, const char *debug_dirs, struct dwproc **out,
		struct err *e);

/*
 * The same over a core file: the modules its notes and link map name
 * (exe, when not NULL, is the executable), read from the files on disk.
 * The core is read from fd when it is not -1 (a duplicate is kept; a
 * decompressed core), else opened at path; path names it in messages.
 * pid is the core's process id.  Returns 0 and *out or a negative errno
 * with e set.
 */
int dwproc_open_core(const char *core, int fd, const char *exe, pid_t pid,
		     const char *debug_dirs, struct dwproc **out,
		     struct err *e);

/*
 * Reports the process's modules again when addr lies in none of them
 * (a library loaded since dwproc_open).  Returns 1 when it did, 0 when
 * there was nothing to do or the process is gone.
 */
int dwproc_refresh(struct dwproc *d, uint64_t addr);

/*
 * Makes a session of a live process ready for another copy of it: resets
 * the budget of dwproc_refresh and, when changed is not 0 (the process's
 * mappings changed since the modules were read), reads the modules again:
 * those still mapped at the same place keep their opened ELF, DWARF and
 * CFI, those gone are closed, new ones are opened when first needed; the
 * frames found so far are forgotten.  Returns 0 or a negative errno with
 * e set (the process is gone).  Does nothing for a core's session.
 */
int dwproc_reload(struct dwproc *d, int changed, struct err *e);

/*
 * How many times libdw was asked to find a module's ELF or debug file,
 * by every session of this process so far (each is an open of a file or
 * a search for one).
 */
unsigned long dwproc_opens(void);

/*
 * Symbolizes the code address pc: activation is 1 for the innermost frame
 * and signal frames (pc is the interrupted instruction), 0 for return
 * addresses (pc - 1 is looked up).  Sets *frames to 1 or more logical
 * frames, inlined ones first, owned by d (valid until the next call on d:
 * at most 65536 PCs are remembered) and returns their number.  An address
 * outside every module gives one frame with every field unknown.
 */
size_t dwproc_symbolize(struct dwproc *d, uint64_t pc, int activation,
			const struct dwproc_frame **frames);

/* The libdw session (a Dwfl *) for the unwinder built on libdw. */
void *dwproc_dwfl(struct dwproc *d);
pid_t dwproc_pid(const struct dwproc *d);

void dwproc_free(struct dwproc *d);

#endif
