#!/bin/bash
# threads-errors: bad input gets one line and exit status 1 (usage: 2),
# and the target is never left stopped: no such pid, a zombie, permission
# denied, a target that exits during the capture, threads that appear and
# exit during the capture, goscope killed in the middle of a capture.  A
# process that is not a Go program is fine.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_ptrace
t_plan 19

work=$(mktemp -d)
pid=
trap 'stop_target "$pid"; rm -rf "$work"; kill $(jobs -p) 2>/dev/null' EXIT
command -v jq >/dev/null || { t_skip_rest "threads-errors" "jq not installed"; t_done; }

t_expect_status "no such pid" 1 "$GOSCOPE" threads 999999999
t_expect_status "usage: no pid" 2 "$GOSCOPE" threads
# a word that is not a PID is a core file to read
t_expect_status "not a pid: a missing core file" 1 "$GOSCOPE" threads ./file
t_expect_status "usage: bad format" 2 "$GOSCOPE" threads --format=xml 1
t_expect_status "usage: bad --max-frames" 2 "$GOSCOPE" threads --max-frames=0 1
t_expect_status "usage: --max-frames not a number" 2 "$GOSCOPE" threads \
	--max-frames=ten 1
t_expect_status "help" 0 "$GOSCOPE" threads --help

# Not a Go program: its one thread, blocked in its sleep.
sleep 60 &
spid=$!
sleep 0.2
"$GOSCOPE" threads --format=json "$spid" >"$work/sleep.json" 2>"$work/err"
rc=$?
n=$(jq -r '.threads[0] | "\(.name) \(.syscall.name) \(.unwind_error)"' \
	"$work/sleep.json" 2>/dev/null)
if [ $rc -eq 0 ] && [[ $n =~ ^sleep\ (clock_nanosleep|nanosleep|restart_syscall)\ null$ ]]; then
	t_ok "not a Go program: its thread and stack"
else
	t_fail "not a Go program" "exit $rc: $n $(head -n 1 "$work/err")"
fi
t_not_stopped "not left stopped" "$spid"
kill "$spid"

t_zombie_status "zombie" "$GOSCOPE" threads

spin=$work/spin
gcc -O1 -g -pthread -o "$spin" "$T_ROOT/tests/targets/threads/spin.c" ||
	{ t_fail "build spin"; t_skip_rest "threads-errors" "no build"; t_done; }

# Permission denied for an unprivileged user.
t_denied "permission denied is explained" \
	'permission denied.*\(CAP_SYS_PTRACE\|ptrace_scope\)' threads "$spin" -C

# Threads that appear and exit all the time (the churn thread creates
# and joins two threads in a loop): every capture succeeds, every thread
# it lists has a stack or says why not, and the target runs on.
if start_target pid "$spin" -r 2 -s 2; then
	bad=0
	for i in $(seq 10); do
		if ! "$GOSCOPE" threads --format=json "$pid" >"$work/c.json" 2>"$work/err"; then
			echo "#   run $i: $(head -n 1 "$work/err")"
			bad=$((bad + 1))
			continue
		fi
		n=$(jq -r '.threads[] | select((.frames | length) == 0 and
			.unwind_error == null) | .tid' "$work/c.json")
		[ -z "$n" ] || { echo "#   run $i: no frames, no reason: $n"; bad=$((bad + 1)); }
	done
	fds=(${T_TARGET_FD[$pid]})
	echo churn >&"${fds[0]}"
	read -r -t 10 reply <&"${fds[1]}"
	c1=${reply#churn }
	sleep 0.2
	echo churn >&"${fds[0]}"
	read -r -t 10 reply <&"${fds[1]}"
	c2=${reply#churn }
	if [ $bad -eq 0 ] && [ "${c2:-0}" -gt "${c1:-0}" ] &&
		[ "$(t_traced_threads "$pid")" -eq 0 ]; then
		t_ok "threads appearing during the capture"
	else
		t_fail "threads appearing during the capture" \
			"$bad bad runs, churn $c1 -> $c2"
	fi
	stop_target "$pid"
	pid=
else
	t_fail "threads appearing during the capture" "target did not start"
fi

# goscope killed while it holds the target: the target must run on.
for sig in KILL TERM; do
	for delay in 0.01 0.03 0.1; do
		# A short capture may end before the signal.
		t_killed "killed with SIG$sig after ${delay}s" "$sig" "$delay" 0 \
			ping pong threads "$spin" -r 20 -s 20
	done
done

# A target that exits (or is killed) in the middle of a capture: one line
# and exit status 1, or a complete listing; never a crash.
for i in $(seq 12); do
	start_target pid "$spin" -r 30 -s 30 || { T_BAD=$((T_BAD + 1)); continue; }
	timeout 60 "$GOSCOPE" threads "$pid" >"$work/out" 2>"$work/err" &
	gpid=$!
	sleep "0.0$((i % 6))"
	if [ $((i % 2)) -eq 0 ]; then
		kill -9 "$pid"
	else
		fds=(${T_TARGET_FD[$pid]})
		eval "exec ${fds[0]}>&-"
	fi
	t_lost_target "$i" "$gpid" "$work/err" "$pid"
	pid=
done
t_bad_runs "target exiting during the capture"
t_done
