#!/bin/bash
# dump-errors: bad targets get one line and exit status 1 (usage: 2), and
# the target is never left stopped: no such pid, a non-Go process, a
# zombie, permission denied, a target exiting during the capture, and
# goscope itself killed (SIGKILL, SIGTERM) in the middle of a capture.
set -u
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/go-env.sh"
t_require_ptrace
t_plan 24

work=$(mktemp -d)
pid=
trap 'stop_target "$pid"; rm -rf "$work"; kill $(jobs -p) 2>/dev/null' EXIT

# traced_threads PID: how many threads are in a ptrace stop ('t').
traced_threads() {
	cat /proc/"$1"/task/*/stat 2>/dev/null |
		awk '{ sub(/.*\) /, ""); if ($1 == "t") n++ } END { print n + 0 }'
}

t_expect_status "no such pid" 1 "$GOSCOPE" dump 999999999
t_expect_status "usage: no pid" 2 "$GOSCOPE" dump
t_expect_status "no such snapshot file" 1 "$GOSCOPE" dump ./no-such-file
t_expect_status "usage: bad format" 2 "$GOSCOPE" dump --format=xml 1
t_expect_status "usage: bad --max-memory" 2 "$GOSCOPE" dump --max-memory=lots 1
t_expect_status "usage: --max-memory below 1M" 2 "$GOSCOPE" dump --max-memory=100K 1

sleep 60 &
spid=$!
"$GOSCOPE" dump "$spid" >/dev/null 2>"$work/err"
rc=$?
if [ $rc -eq 1 ] && grep -q "is not a Go program (1 threads)" "$work/err" &&
	[ "$(wc -l <"$work/err")" -eq 1 ]; then
	t_ok "non-Go process"
else
	t_fail "non-Go process" "exit $rc: $(head -n 1 "$work/err")"
fi
[ "$(traced_threads "$spid")" -eq 0 ] && t_ok "non-Go process not left stopped" ||
	t_fail "non-Go process not left stopped"
kill "$spid"

# A zombie: the child of a process that never reaps it.
sh -c 'sleep 0.3 & exec sleep 30' &
ppid=$!
zpid=
for _ in $(seq 50); do
	zpid=$(cat /proc/"$ppid"/task/"$ppid"/children 2>/dev/null | awk '{ print $1 }')
	[ -n "$zpid" ] && grep -q '^State:.*Z' /proc/"$zpid"/status 2>/dev/null && break
	sleep 0.1
done
if [ -n "$zpid" ]; then
	t_expect_status "zombie" 1 "$GOSCOPE" dump "$zpid"
else
	t_skip "zombie" "could not make a zombie"
fi
kill "$ppid" 2>/dev/null

root=$(bash "$T_ROOT/tests/go-toolchains.sh" list 2>/dev/null |
	awk -F'\t' '$2 != "SKIP" { r = $2 } END { print r }')
if [ -z "$root" ]; then
	t_skip_rest "go targets" "no Go toolchain"
	t_done
fi
bin=$work/goroutines
go_build_with "$root" "$bin" "$T_ROOT/tests/targets/goroutines" >/dev/null 2>&1 ||
	{ t_fail "build target"; t_skip_rest "go targets" "no build"; t_done; }

# A binary without DWARF or symbols is dumped from the per-release
# tables (dump-stripped.sh compares the output and tests the refusals);
# here: it works and the target is left running.
if go_build_with "$root" "$work/stripped" "$T_ROOT/tests/targets/goroutines" \
	-ldflags='-s -w' >/dev/null 2>&1 && start_target pid "$work/stripped"; then
	"$GOSCOPE" dump "$pid" >"$work/out" 2>"$work/err"
	rc=$?
	if [ $rc -eq 0 ] && grep -q '^goroutine 1 \[' "$work/out" &&
		[ "$(traced_threads "$pid")" -eq 0 ]; then
		t_ok "binary without DWARF dumped, target running"
	else
		t_fail "binary without DWARF" "exit $rc: $(head -n 1 "$work/err")"
	fi
	stop_target "$pid"
	pid=
else
	t_fail "binary without DWARF" "build or start failed"
fi

# Over the memory budget: 10,000 goroutines need more than 1 MiB, in
# both modes; one line naming the budget, the target left running.
if start_target pid "$bin" -n 10000; then
	for flag in "" --full-stop; do
		name="over --max-memory${flag:+ $flag}"
		"$GOSCOPE" dump $flag --max-memory=1M "$pid" >/dev/null 2>"$work/err"
		rc=$?
		if [ $rc -eq 1 ] && [ "$(wc -l <"$work/err")" -eq 1 ] &&
			grep -q 'memory budget of 1 MiB (see --max-memory)' "$work/err" &&
			[ "$(traced_threads "$pid")" -eq 0 ]; then
			t_ok "$name # $(head -n 1 "$work/err")"
		else
			t_fail "$name" "exit $rc: $(head -n 1 "$work/err")"
		fi
	done
	if "$GOSCOPE" dump --max-memory=4G "$pid" >/dev/null 2>"$work/err"; then
		t_ok "within --max-memory=4G"
	else
		t_fail "within --max-memory=4G" "$(head -n 1 "$work/err")"
	fi
	stop_target "$pid"
	pid=
fi

# Permission denied for an unprivileged user.
if [ "$(id -u)" -eq 0 ] && start_target pid "$bin"; then
	cp "$GOSCOPE" "$work/goscope"
	chmod 755 "$work" "$work/goscope"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$work/goscope" dump "$pid" >/dev/null 2>"$work/err"
	rc=$?
	if [ $rc -eq 1 ] && [ "$(wc -l <"$work/err")" -eq 1 ] &&
		grep -q 'CAP_SYS_PTRACE\|ptrace_scope' "$work/err"; then
		t_ok "permission denied is explained"
	else
		t_fail "permission denied" "exit $rc: $(head -n 1 "$work/err")"
	fi
	stop_target "$pid"
	pid=
elif [ "$(id -u)" -eq 0 ]; then
	t_fail "permission denied" "target did not start"
else
	t_skip "permission denied is explained" "needs root to drop privileges"
fi

# A target that died must fail a check, not kill this script.
trap '' PIPE

# goscope killed while it holds the target: the target must run on.
for sig in KILL TERM INT; do
	for delay in 0.05 0.15 0.3; do
		name="killed with SIG$sig after ${delay}s"
		if ! start_target pid "$bin" -n 100000; then
			t_fail "$name" "target did not start"
			continue
		fi
		# A background job of a non-interactive shell starts with
		# SIGINT ignored: restore it, or the cell tests nothing.
		env --default-signal=INT "$GOSCOPE" dump "$pid" \
			>/dev/null 2>&1 &
		gpid=$!
		sleep "$delay"
		kill -s "$sig" "$gpid" 2>/dev/null
		wait "$gpid" 2>/dev/null
		grc=$?
		sleep 0.2
		stopped=$(traced_threads "$pid")
		# The target still answers on its command channel.
		fds=(${T_TARGET_FD[$pid]})
		reply=
		if [ "$grc" -ne $((128 + $(kill -l "$sig"))) ]; then
			t_fail "$name" "goscope exit status $grc: not ended by SIG$sig"
		elif ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null
			t_fail "$name" "target exited with status $?"
		elif echo gap >&"${fds[0]}" 2>/dev/null &&
			read -r -t 10 reply <&"${fds[1]}" &&
			[ "${reply%% *}" = gap ] && [ "$stopped" -eq 0 ]; then
			t_ok "$name: target running"
		else
			t_fail "$name" "$stopped threads stopped, reply '${reply:-}'"
		fi
		stop_target "$pid"
		pid=
	done
done

# A target that exits in the middle of a capture.
bad=0
for i in $(seq 8); do
	start_target pid "$bin" -n 50000 || { bad=$((bad + 1)); continue; }
	fds=(${T_TARGET_FD[$pid]})
	timeout 60 "$GOSCOPE" dump "$pid" >/dev/null 2>"$work/err" &
	gpid=$!
	sleep "0.0$i"
	echo quit >&"${fds[0]}"
	wait "$gpid"
	rc=$?
	if [ $rc -ne 0 ] && { [ $rc -ne 1 ] || [ "$(wc -l <"$work/err")" -ne 1 ]; }; then
		echo "#   run $i: exit $rc: $(head -n 2 "$work/err")"
		bad=$((bad + 1))
	fi
	stop_target "$pid"
	pid=
done
[ $bad -eq 0 ] && t_ok "target exiting during capture" ||
	t_fail "target exiting during capture" "$bad bad runs"
t_done
