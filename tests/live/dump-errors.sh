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
t_not_stopped "non-Go process not left stopped" "$spid"
kill "$spid"

t_zombie_status "zombie" "$GOSCOPE" dump

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
		[ "$(t_traced_threads "$pid")" -eq 0 ]; then
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
			[ "$(t_traced_threads "$pid")" -eq 0 ]; then
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
t_denied "permission denied is explained" 'CAP_SYS_PTRACE\|ptrace_scope' \
	dump "$bin"

# A target that died must fail a check, not kill this script.
trap '' PIPE

# goscope killed while it holds the target: the target must run on.
for sig in KILL TERM INT; do
	for delay in 0.05 0.15 0.3; do
		# Ended by the signal, and the target still answers on its
		# command channel.
		t_killed "killed with SIG$sig after ${delay}s" "$sig" "$delay" 1 \
			gap gap dump "$bin" -n 100000
	done
done

# A target that exits in the middle of a capture.
for i in $(seq 8); do
	start_target pid "$bin" -n 50000 || { T_BAD=$((T_BAD + 1)); continue; }
	fds=(${T_TARGET_FD[$pid]})
	timeout 60 "$GOSCOPE" dump "$pid" >/dev/null 2>"$work/err" &
	gpid=$!
	sleep "0.0$i"
	echo quit >&"${fds[0]}"
	t_lost_target "$i" "$gpid" "$work/err" "$pid"
	pid=
done
t_bad_runs "target exiting during capture"
t_done
