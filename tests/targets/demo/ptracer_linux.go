package main

import "syscall"

// init lets any process of this user trace this one, as strace's
// set_ptracer_any does: with Yama's ptrace_scope=1 only ancestors may
// attach otherwise, and the tests start goscope beside the target, not
// above it.  Harmless (and ignored) where Yama is off.
func init() {
	const prSetPtracer = 0x59616d61 // PR_SET_PTRACER ("Yama")
	const prSetPtracerAny = ^uintptr(0)
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetPtracer, prSetPtracerAny, 0)
}
