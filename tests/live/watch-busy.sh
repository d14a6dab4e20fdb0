#!/bin/bash
# watch-busy: another tracer (strace) holding the target does not end a
# watch.  Held briefly, the snapshot is retried with backoff and taken;
# held for longer than the retries, the snapshot is reported as skipped
# (one line naming the other tracer) and the watch goes on; when no
# snapshot at all could be taken, the exit status is 1.  The target is
# never left stopped or traced.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_ptrace
t_plan 4

work=$(mktemp -d)
pid=
trap 'stop_target "$pid"; kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
if ! command -v strace >/dev/null; then
	t_skip_rest "watch with another tracer" "no strace"
	t_done
fi
if ! command -v go >/dev/null ||
	! go_build_with "$(go env GOROOT)" "$work/target" \
		"$T_ROOT/tests/targets/leaky" >"$work/log" 2>&1; then
	t_skip_rest "watch with another tracer" "no Go toolchain"
	t_done
fi
start_target pid "$work/target" || {
	t_fail "watch-busy: start" "target did not start"
	t_skip_rest "watch-busy" "no target"
	t_done
}
tracer() { awk '/^TracerPid:/ { print $2 }' /proc/"$1"/status; }

# hold SECONDS: strace attaches to the target's main thread for that long.
hold() {
	timeout -s INT "$1" strace -qq -e trace=none -p "$pid" \
		>/dev/null 2>&1 &
	holder=$!
	for _ in $(seq 100); do
		[ "$(tracer "$pid")" != 0 ] && return 0
		sleep 0.02
	done
	return 1
}

# Held for 0.4 s: the first snapshot waits and is taken.
hold 0.4 || { t_fail "strace attached" "it did not"; t_skip_rest "watch-busy" "no tracer"; t_done; }
"$GOSCOPE" watch --count=2 --interval=100ms "$pid" >"$work/out" 2>"$work/err"
rc=$?
wait "$holder"
if [ $rc -ne 1 ] && [ "$(grep -c '#[0-9]' "$work/out")" -eq 2 ] &&
	! grep -q skipped "$work/err"; then
	t_ok "watch waits out a brief tracer (exit $rc)"
else
	t_fail "watch waits out a brief tracer" \
		"exit $rc: $(head -n 1 "$work/err")"
fi

# Held for 4 s: the first snapshot is skipped, the watch goes on.
hold 4
"$GOSCOPE" watch --count=3 --interval=1500ms "$pid" >"$work/out" \
	2>"$work/err"
rc=$?
wait "$holder"
if [ $rc -ne 1 ] && grep -q "snapshot skipped after 6 attempts.*already traced by pid" "$work/err" &&
	[ "$(grep -c '#[0-9]' "$work/out")" -ge 1 ]; then
	t_ok "watch reports a skipped snapshot and goes on (exit $rc)"
else
	t_fail "watch reports a skipped snapshot and goes on" \
		"exit $rc: $(head -n 1 "$work/err")"
fi

# Held throughout: no snapshot at all is an error.
hold 6
"$GOSCOPE" watch --count=2 --interval=100ms "$pid" >"$work/out" 2>"$work/err"
rc=$?
wait "$holder"
[ $rc -eq 1 ] && t_ok "watch without any snapshot exits 1" ||
	t_fail "watch without any snapshot exits 1" "exit $rc"

stopped=$(t_traced_threads "$pid")
[ "$stopped" -eq 0 ] && [ "$(tracer "$pid")" -eq 0 ] &&
	t_ok "target not left stopped or traced" ||
	t_fail "target not left stopped or traced" "$stopped stopped"
t_done
