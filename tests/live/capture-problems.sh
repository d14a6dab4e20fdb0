#!/bin/bash
# capture-problems: goscope says what happened when a capture does not go
# as planned, in every command and view.
#
# Partial capture: a second tracer (tests/targets/threads/tracer.c, like
# a debugger or strace -p TID) holds one thread of the Go test program
# that is not its main thread.  dump, dump --format=json, threads, watch
# (stderr and goscope_capture_problems_total) and the TUI's status line
# must report the capture as partial, naming that thread and its tracer;
# the output is still given (exit status 0), and the target ends neither
# stopped nor traced by goscope.
#
# Failed resume: a thread of the C program tests/targets/threads/spin.c
# waits in vfork for 20 s, so it stops neither in time for the capture
# (partial: did not stop within 1000 ms) nor within the 5 s resume waits
# for it (left attached until goscope exits): `threads` and the TUI say
# both.
#
# A target that dies during the capture (killed while goscope sleeps in
# the pause GOSCOPE_TEST_PHASE_DELAY_MS puts between the phases, or, with
# --full-stop, while it is stopped) is said to have exited, in one
# wording, "process PID has exited", by dump, threads and watch (also
# when it dies between two snapshots), and for a zombie.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_ptrace

trap '' PIPE
work=$(mktemp -d)
sock=$work/tmux.sock
cleanup() {
	tmux -S "$sock" kill-server 2>/dev/null
	t_finish_all
	rm -rf "$work"
}
trap cleanup EXIT
t_plan 14

CC=${CC:-cc}
if ! $CC -O2 -Wall -o "$work/tracer" "$T_ROOT/tests/targets/threads/tracer.c" \
	2>"$work/cc.log" ||
	! $CC -O2 -g -pthread -o "$work/spin" \
		"$T_ROOT/tests/targets/threads/spin.c" 2>>"$work/cc.log"; then
	t_fail "build tracer and spin" "$(head -n 1 "$work/cc.log")"
	t_skip_rest "capture problems" "no build"
	t_done
fi
t_build_newest "capture problems" "$work/goroutines" \
	"$T_ROOT/tests/targets/goroutines"

# err_is NAME FILE WANT: FILE (a stderr) is exactly the line WANT, but
# for watch's notes about its window and its verdict line.
err_is() {
	if [ "$(grep -v '^goscope: note: \|^verdict: ' "$2")" = "$3" ]; then
		return 0
	fi
	sed 's/^/#   stderr: /' "$2" | head -n 5
	return 1
}

# in_syscall PID: PID sleeps in (clock_)nanosleep: the test pause.
in_syscall_sleep() {
	local s i
	for i in $(seq 600); do
		s=$(cut -d' ' -f1 /proc/"$1"/syscall 2>/dev/null)
		[ "$s" = 230 ] || [ "$s" = 35 ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# untraced PID: no thread of PID is stopped or traced by anyone but TRACER.
untraced() {
	local t tr
	[ "$(t_traced_threads "$1")" -eq 0 ] || return 1
	for t in /proc/"$1"/task/*; do
		tr=$(awk '/^TracerPid:/ { print $2 }' "$t/status" 2>/dev/null)
		[ "${tr:-0}" -eq 0 ] || [ "$tr" = "${2:-x}" ] || return 1
	done
}

tm() { tmux -S "$sock" "$@"; }
# tui_shows CMD TEXT: the view started by CMD shows TEXT within 30 s.
tui_shows() {
	local i ok=1
	tm kill-server 2>/dev/null
	tm -f /dev/null new-session -d -s tui -x 200 -y 30 \
		"env -i PATH=$PATH HOME=$work TERM=screen LC_ALL=C.UTF-8 $1"
	for i in $(seq 300); do
		if tm capture-pane -p -t tui 2>/dev/null | grep -qF -- "$2"; then
			ok=0
			break
		fi
		sleep 0.1
	done
	[ "$ok" -eq 0 ] || tm capture-pane -p -t tui 2>/dev/null |
		tail -n 3 | sed 's/^/#   screen: /'
	tm send-keys -t tui q 2>/dev/null
	sleep 0.5
	tm kill-server 2>/dev/null
	return "$ok"
}

# --- A partial capture: another tracer holds a thread. ---
if ! t_launch_goroutines gpid "$work/goroutines"; then
	t_fail "partial: target" "did not start"
	t_skip_rest "partial" "no target"
	t_done
fi
tid=$(ls /proc/"$gpid"/task | grep -vx "$gpid" | head -n 1)
if ! t_launch hpid "$work/tracer" "$tid"; then
	t_fail "partial: second tracer" "did not attach to thread $tid"
	t_skip_rest "partial" "no second tracer"
	t_done
fi
want="goscope: warning: process $gpid: partial capture: 1 thread was not stopped (thread $tid is traced by pid $hpid (tracer)); the goroutine on it may be shown out of date"
"$GOSCOPE" dump "$gpid" >"$work/dump" 2>"$work/err"
rc=$?
if [ $rc -eq 0 ] && err_is dump "$work/err" "$want" &&
	grep -q '^goroutine 1 \[' "$work/dump"; then
	t_ok "partial: dump warns and dumps"
else
	t_fail "partial: dump" "status $rc"
fi
"$GOSCOPE" dump --format=json "$gpid" >"$work/json" 2>/dev/null
got=$(jq -r '"\(.capture.unstopped_threads) \(.capture.unstopped)"' \
	"$work/json" 2>/dev/null)
if [ "$got" = "1 thread $tid is traced by pid $hpid (tracer)" ]; then
	t_ok "partial: the JSON snapshot says so"
else
	t_fail "partial: JSON" "got '$got'"
fi
"$GOSCOPE" threads "$gpid" >/dev/null 2>"$work/err"
rc=$?
if [ $rc -eq 0 ] && err_is threads "$work/err" "$want"; then
	t_ok "partial: threads warns"
else
	t_fail "partial: threads" "status $rc"
fi
"$GOSCOPE" watch --count=1 --format=openmetrics "$gpid" >"$work/prom" \
	2>"$work/err"
rc=$?
# Status 4: one snapshot cannot cover the leak window.
if [ $rc -eq 4 ] && err_is watch "$work/err" "$want" &&
	grep -qx 'goscope_capture_problems_total 1' "$work/prom"; then
	t_ok "partial: watch warns and counts it"
else
	sed 's/^/#   stderr: /' "$work/err" | head -n 3
	t_fail "partial: watch" "status $rc, $(grep problems_total "$work/prom" | tail -n 1)"
fi
if ! command -v tmux >/dev/null; then
	t_skip "partial: TUI status line" "tmux is not installed"
elif tui_shows "$GOSCOPE --once $gpid" "partial capture: 1 thread was not stopped (thread $tid"; then
	t_ok "partial: TUI status line"
else
	t_fail "partial: TUI status line" "no 'partial capture' on the screen"
fi
if untraced "$gpid" "$hpid" && t_tcmd "$gpid" gap; then
	t_ok "partial: target running, untraced by goscope"
else
	t_fail "partial: target" "left stopped or traced, or does not answer"
fi
t_finish "$hpid"
t_finish "$gpid"

# --- A failed resume: a thread in vfork for 8 s. ---
# vfork_target VAR: spin with a thread in vfork for the next 20 s: long
# enough for a slow start of goscope (a loaded machine, a sanitizer
# build), its 1 s stop and its 5 s wait at the resume.
vfork_target() {
	t_launch "$1" "$work/spin" -r 1 -s 1 -C || return 1
	t_tcmd "${!1}" "vfork 20000" && [ "$T_REPLY" = "vfork ok" ]
}
if ! vfork_target cpid; then
	t_fail "failed resume: threads" "spin did not start"
else
	sleep 0.2
	"$GOSCOPE" threads "$cpid" >/dev/null 2>"$work/err"
	rc=$?
	if [ $rc -eq 0 ] &&
		grep -qE "^goscope: warning: process $cpid: partial capture: 1 thread was not stopped \(thread [0-9]+ did not stop within 1000 ms\)\$" "$work/err" &&
		grep -qE "^goscope: warning: 1 thread\(s\) of process $cpid \(first [0-9]+\) did not stop within 5 s to be released; they stay attached until goscope exits\$" "$work/err" &&
		[ "$(wc -l <"$work/err")" -eq 2 ] && untraced "$cpid"; then
		t_ok "failed resume: threads warns (partial, left attached)"
	else
		sed 's/^/#   stderr: /' "$work/err" | head -n 3
		t_fail "failed resume: threads" "status $rc"
	fi
fi
[ -n "${cpid:-}" ] && t_finish "$cpid"
if ! command -v tmux >/dev/null; then
	t_skip "failed resume: TUI status line" "tmux is not installed"
elif ! vfork_target cpid; then
	t_fail "failed resume: TUI status line" "spin did not start"
else
	sleep 0.2
	if tui_shows "$GOSCOPE --once $cpid" "to be released; they stay attached"; then
		t_ok "failed resume: TUI status line"
	else
		t_fail "failed resume: TUI status line" "no resume failure on the screen"
	fi
	t_finish "$cpid"
fi

# --- The target dies during the capture. ---
# died CELL WANT_STATUS WANT_STDERR GOSCOPE-ARGS...: starts a target, runs
# goscope ARGS PID with a 3 s pause between the phases, kills the target
# with SIGKILL in that pause, and checks goscope's status and stderr.
died() {
	local cell=$1 want_rc=$2 want_err=$3 g rc pid
	shift 3
	if ! t_launch_goroutines pid "$work/goroutines"; then
		t_fail "$cell" "target did not start"
		return
	fi
	GOSCOPE_TEST_PHASE_DELAY_MS=3000 "$GOSCOPE" "$@" "$pid" \
		>"$work/out" 2>"$work/err" &
	g=$!
	if ! in_syscall_sleep "$g"; then
		wait "$g"
		t_fail "$cell" "goscope never reached the pause (status $?)"
		t_finish "$pid"
		return
	fi
	kill -KILL "$pid"
	wait "$g"
	rc=$?
	t_finish "$pid"
	want_err=${want_err//PID/$pid}
	if [ $rc -eq "$want_rc" ] && err_is "$cell" "$work/err" "$want_err"; then
		t_ok "$cell"
	else
		t_fail "$cell" "status $rc"
	fi
}
died "died between the phases: dump" 1 "goscope: process PID has exited" dump
died "died while stopped: dump --full-stop (a whole copy, and a warning)" \
	0 "goscope: warning: process PID has exited" dump --full-stop
died "died between the phases: threads" 1 \
	"goscope: process PID has exited" threads
# watch: the first snapshot dies; the watch ends (and has no verdict).
died "died between the phases: watch" 1 \
	"goscope: process PID has exited" watch --count=3 --format=json

# watch: the target dies between two snapshots.
if ! t_launch_goroutines wpid "$work/goroutines"; then
	t_fail "died between two snapshots: watch" "target did not start"
else
	"$GOSCOPE" watch --count=20 --interval=1s --format=json "$wpid" \
		>"$work/out" 2>"$work/err" &
	g=$!
	for _ in $(seq 600); do
		grep -q '"type":"sample"' "$work/out" && break
		kill -0 "$g" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$wpid"
	wait "$g"
	rc=$?
	t_finish "$wpid"
	if [ $rc -eq 1 ] && grep -q '"type":"sample"' "$work/out" &&
		err_is watch "$work/err" "goscope: process $wpid has exited"; then
		t_ok "died between two snapshots: watch"
	else
		t_fail "died between two snapshots: watch" "status $rc"
	fi
fi

# A zombie: the same words.
bash -c 'sleep 0 & exec sleep 30' &
zparent=$!
zpid=
for _ in $(seq 100); do
	zpid=$(cat /proc/"$zparent"/task/"$zparent"/children 2>/dev/null |
		awk '{ print $1 }')
	[ -n "$zpid" ] && grep -q '^State:.*Z' /proc/"$zpid"/status 2>/dev/null &&
		break
	sleep 0.05
done
"$GOSCOPE" dump "$zpid" >/dev/null 2>"$work/err"
rc=$?
if [ -n "$zpid" ] && [ $rc -eq 1 ] &&
	err_is zombie "$work/err" "goscope: process $zpid has exited"; then
	t_ok "zombie: the same words"
else
	t_fail "zombie" "status $rc, zombie '${zpid}'"
fi
kill "$zparent" 2>/dev/null
wait "$zparent" 2>/dev/null
t_done
