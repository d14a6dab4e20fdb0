/* Capturing a snapshot of a live Go process: stop, copy, resume, decode. */
#ifndef GOSCOPE_SNAPSHOT_CAPTURE_H
#define GOSCOPE_SNAPSHOT_CAPTURE_H

#include <sys/types.h>

#include "lib/err.h"
#include "snapshot/snap.h"

/*
 * Captures every goroutine of pid.  Everything that can be prepared
 * without stopping (ELF, DWARF layouts, pclntab, wait reason strings) is
 * done first; then all threads are stopped only while the registry,
 * the g structs, the m list and the live stacks are copied; then the
 * target is resumed and the copy is unwound and symbolized.  Returns 0
 * and *out (free with snap_free), or a negative errno with e set:
 * -ESRCH (no such process, or it exited), -EPERM/-EACCES/-EBUSY (with
 * the reason), -ENOEXEC (not a Go program), -ENODATA (no DWARF).
 */
int capture_pid(pid_t pid, struct snap **out, struct err *e);

/*
 * The same in two steps, for repeated captures of one process (watch,
 * the TUI): capture_open does the preparation once (ELF, DWARF layouts,
 * pclntab and caches); each capture_take stops, copies, resumes and
 * builds one snapshot.  Errors as for capture_pid.
 */
struct capture;
int capture_open(pid_t pid, struct capture **out, struct err *e);
int capture_take(struct capture *c, struct snap **out, struct err *e);
void capture_close(struct capture *c);

#endif
