#!/bin/bash
# kernel-thread: every command says the same about a kernel thread
# (kthreadd, pid 2): one line, exit status 1.
set -u
. "$(dirname "$0")/../lib.sh"

kt=2
cmds=("dump" "groups" "threads" "watch --count=1" "buildinfo" "diff $kt")
t_plan ${#cmds[@]}
if ! [ -r /proc/$kt/stat ] || [ -e /proc/$kt/exe ] && [ -n "$(readlink /proc/$kt/exe 2>/dev/null)" ]; then
	t_skip_rest "kernel thread" "pid $kt is not a kernel thread here"
	t_done
fi
want="goscope: process $kt is a kernel thread: it runs no program goscope can inspect"
for c in "${cmds[@]}"; do
	# shellcheck disable=SC2086
	err=$("$GOSCOPE" $c $kt 2>&1 >/dev/null </dev/null)
	rc=$?
	if [ $rc -eq 1 ] && [ "$err" = "$want" ]; then
		t_ok "$c: kernel thread"
	else
		t_fail "$c: kernel thread" "exit $rc: $err"
	fi
done
t_done
