/* Rendering of the threads view (goscope threads) as text. */
#ifndef GOSCOPE_SNAPSHOT_FMT_THREADS_H
#define GOSCOPE_SNAPSHOT_FMT_THREADS_H

#include "lib/strbuf.h"
#include "snapshot/snap.h"

/*
 * Appends every thread of s (a snapshot from threads_capture): a header
 * line with tid, name, Go role, kernel state, system call and CPU time,
 * then one line per frame, innermost first, with the goroutine's Go
 * frames after the native ones where the thread runs a goroutine.
 */
void fmt_threads_text(const struct snap *s, struct strbuf *out);

/*
 * Describes what a thread does for the Go runtime ("M3 running goroutine
 * 17", "idle M2", ...) into buf; an empty string for non-Go threads.
 */
void fmt_threads_role(const struct snap_thread *t, char *buf, size_t size);

#endif
