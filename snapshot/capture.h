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

#endif
