/* The Go runtime's rules for printing goroutines, per Go version. */
#ifndef GOSCOPE_GORUNTIME_TRACEBACK_H
#define GOSCOPE_GORUNTIME_TRACEBACK_H

#include <stdint.h>

#include "lib/strbuf.h"

/* gStatusStrings: "idle", "runnable", ... or "???". */
const char *gort_status_name(uint32_t status);

/*
 * showfuncinfo at GOTRACEBACK=single: 1 when the runtime hides a frame of
 * function name (runtime internals, names without a package dot).
 * first: the frame is the innermost one (gopanic is hidden only there).
 */
int gort_frame_hidden(const char *name, int first);

/* 1 when funcid is abi.FuncIDWrapper in Go 1.<minor>. */
int gort_funcid_is_wrapper(int minor, unsigned int funcid);

/*
 * isSystemGoroutine: 1 when the goroutine started at function start_func
 * is hidden from dumps (runtime.* except runtime.main and coroutines).
 * waiting: it is parked (the finalizer/cleanup goroutines are shown only
 * while they run user code).
 */
int gort_is_system(const char *start_func, int waiting);

/* printFuncName: generic shapes become "[...]", runtime.gopanic "panic". */
void gort_print_func_name(struct strbuf *sb, const char *name);

/* 1 for the functions where the runtime's unwinder stops. */
int gort_is_top_func(const char *name);

#endif
