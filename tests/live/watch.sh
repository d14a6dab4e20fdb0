#!/bin/bash
# watch: `goscope watch` against tests/targets/leaky.  The windowed leak
# rule at 250 ms and 1 s intervals: a bursty leak (20 at once every
# second, most intervals +0), a slow leak of 3 a second inside a group of
# 3000 that stay, and a leak among churning goroutines give exit status
# 3 and name the leaking group (user frame, creation site); churn and a
# pool that swings give 0; too few snapshots for the window give 4.
# Also: ignore rules, JSON and OpenMetrics output, Ctrl-C, the target
# never left stopped, usage errors; and `goscope diff` on two snapshots
# of the leaking program.
set -u
. "$(dirname "$0")/../lib.sh"
t_live_setup
t_plan 35
trap '' PIPE

t_build_newest "watch" "$work/leaky" "$T_ROOT/tests/targets/leaky"

# launch VAR ARGS...: starts the leaky target.
launch() { t_launch "$1" "$work/leaky" "${@:2}"; }

# not_stopped PID: no thread of PID is in a ptrace stop.
not_stopped() {
	! cat /proc/"$1"/task/*/stat 2>/dev/null |
		awk '{ sub(/.*\) /, ""); if ($1 == "t" || $1 == "T") bad = 1 }
		     END { exit !bad }'
}

# watch_case NAME WANT_STATUS TARGET_ARGS -- WATCH_ARGS
watch_case() {
	local name=$1 want=$2 pid rc
	shift 2
	local -a targs=() wargs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do targs+=("$1"); shift; done
	shift
	wargs=("$@")
	if ! launch pid "${targs[@]}"; then
		t_fail "$name" "target did not start"
		return 1
	fi
	sleep 0.5
	timeout 60 "$GOSCOPE" watch "${wargs[@]}" "$pid" >"$work/out" \
		2>"$work/err"
	rc=$?
	if [ $rc -ne "$want" ]; then
		sed 's/^/#   /' "$work/out" "$work/err" | tail -n 20
		t_fail "$name" "exit status $rc, want $want"
	elif ! not_stopped "$pid"; then
		t_fail "$name" "target left stopped"
	else
		t_ok "$name"
	fi
	# Now: later processes would inherit the pipe to its stdin.
	stop_target "$pid"
}

# Short windows hold at least 8 intervals, so that the rule's 5 points
# are there even when a loaded machine stretches the intervals.
watch_case "watch: leak with churn exits 3" 3 -leak 20 -churn 100 -- \
	--interval=100ms --count=15 --window=1s
if grep -q '^verdict: leak suspected' "$work/out" &&
	grep -q 'user frame  main.leakOne at .*leaky/main.go:' "$work/out" &&
	grep -q 'created by  main.leaker at .*leaky/main.go:' "$work/out"; then
	t_ok "watch: names the leaking group and its creation site"
else
	sed 's/^/#   /' "$work/out" | tail -n 12
	t_fail "watch: names the leaking group and its creation site"
fi
if [ "$(grep -c '^  group .*: grew from ' "$work/out")" -eq 1 ]; then
	t_ok "watch: only the leaking group is suspected"
else
	t_fail "watch: only the leaking group is suspected" \
		"$(grep -c ': grew from' "$work/out") groups named"
fi
lines=$(grep -c '  #[0-9]*  total ' "$work/out")
if [ "$lines" -eq 15 ] && grep -q 'pause [0-9.]* ms$' "$work/out"; then
	t_ok "watch: one line per snapshot with its pause"
else
	t_fail "watch: one line per snapshot with its pause" "$lines lines"
fi

# The windowed rule at 250 ms (3 s window) and 1 s (5 s window).
watch_case "watch: bursty leak at 250ms exits 3" 3 -burst 20 -- \
	--interval=250ms --count=14 --window=3s
watch_case "watch: bursty leak at 1s exits 3" 3 -burst 20 -- \
	--interval=1s --count=6 --window=5s
watch_case "watch: slow leak under 3000 stable at 250ms exits 3" 3 \
	-stable 3000 -leak 3 -- --interval=250ms --count=14 --window=3s
if grep -q '^  group .*: grew from 30[0-9][0-9] to ' "$work/out"; then
	t_ok "watch: the slow leak is found inside the big group"
else
	sed 's/^/#   /' "$work/out" | tail -n 6
	t_fail "watch: the slow leak is found inside the big group"
fi
watch_case "watch: slow leak under 3000 stable at 1s exits 3" 3 \
	-stable 3000 -leak 3 -- --interval=1s --count=6 --window=5s
watch_case "watch: churn at 250ms exits 0" 0 -churn 200 -oscillate -- \
	--interval=250ms --count=14 --window=3s
grep -q '^verdict: stable' "$work/out" && t_ok "watch: stable verdict" ||
	t_fail "watch: stable verdict" "$(tail -n 1 "$work/out")"
watch_case "watch: churn at 1s exits 0" 0 -churn 200 -oscillate -- \
	--interval=1s --count=6 --window=5s
watch_case "watch: --count=2 exits 4" 4 -burst 20 -- --interval=250ms \
	--count=2
if grep -q '^verdict: not enough snapshots (2 snapshots' "$work/out" &&
	grep -q 'note: 2 snapshots cover less than the leak window' \
		"$work/err"; then
	t_ok "watch: says why there is no verdict"
else
	t_fail "watch: says why there is no verdict"
fi

# Go 1.27's goroutine leak profile marks goroutines leaked: proven at
# once, whatever the window (older toolchains: no such status).
gover=$("$GOSCOPE" buildinfo --format=go "$work/leaky" |
	sed -n '1s/.*: go1\.\([0-9]*\).*/\1/p')
if [ -n "$gover" ] && [ "$gover" -ge 27 ]; then
	watch_case "watch: goroutines the runtime proved leaked exit 3" 3 \
		-orphans 5 -- --interval=200ms --count=2
	if grep -q '^verdict: leak suspected (2 snapshots' "$work/out" &&
		grep -q '^  group .* \[chan receive (leaked)\]: 5 goroutines the runtime proved leaked' \
			"$work/out" &&
		grep -q 'user frame  main.orphan at ' "$work/out"; then
		t_ok "watch: names the proven leak"
	else
		sed 's/^/#   /' "$work/out" | tail -n 6
		t_fail "watch: names the proven leak"
	fi
else
	t_skip "watch: goroutines the runtime proved leaked" \
		"go1.$gover has no goroutine leak profile on by default"
fi

watch_case "watch: count swinging within the tolerance exits 0" 0 \
	-oscillate -- --interval=200ms --count=12 --window=2s

printf '# the leak is known\ncreated-by main.leaker\n' >"$work/rules"
watch_case "watch: --rules ignores the leaking group" 0 -leak 20 -- \
	--interval=100ms --count=15 --window=1s --rules="$work/rules"

watch_case "watch: --format=json" 3 -leak 20 -labels -- \
	--interval=100ms --count=15 --window=1s --format=json
if jq -e -s '(.[0:-1] | all(.type == "sample" and .total >= 0)) and
	(.[-1].verdict == "leak suspected") and
	(.[-1].suspects[0].created_by.func | startswith("main.leaker"))' \
	"$work/out" >/dev/null; then
	t_ok "watch: json samples and verdict"
else
	t_fail "watch: json samples and verdict"
fi

watch_case "watch: --format=openmetrics -o FILE" 3 -leak 20 -- \
	--interval=100ms --count=15 --window=1s --format=openmetrics \
	-o "$work/metrics.prom"
if grep -q '^goscope_goroutines_all [0-9]' "$work/metrics.prom" &&
	grep -q '^goscope_watch_leak_suspected 1$' "$work/metrics.prom" &&
	[ "$(tail -n 1 "$work/metrics.prom")" = "# EOF" ] &&
	grep -q '^verdict: leak suspected' "$work/err"; then
	t_ok "watch: openmetrics file for the textfile collector"
else
	t_fail "watch: openmetrics file for the textfile collector"
fi

# Ctrl-C ends the watch with a verdict.
if launch pid -churn 50; then
	# Restore SIGINT, which a non-interactive shell's background job
	# inherits ignored.
	env --default-signal=INT "$GOSCOPE" watch --interval=100ms --window=1s "$pid" \
		>"$work/out" 2>&1 &
	wpid=$!
	sleep 2
	kill -INT "$wpid"
	wait "$wpid"
	rc=$?
	if [ $rc -eq 0 ] && grep -q '^verdict: stable' "$work/out" &&
		not_stopped "$pid"; then
		t_ok "watch: Ctrl-C prints the verdict"
	else
		t_fail "watch: Ctrl-C prints the verdict" "exit status $rc"
	fi
	stop_target "$pid"
else
	t_fail "watch: Ctrl-C prints the verdict" "target did not start"
fi

t_expect_status "watch: usage: bad interval" 2 "$GOSCOPE" watch \
	--interval=fast 1
t_expect_status "watch: usage: window under 1s" 2 "$GOSCOPE" watch \
	--window=500ms 1
t_expect_status "top: usage: bad tolerance" 2 "$GOSCOPE" top \
	--tolerance=x 1
t_expect_status "top: missing rules file" 1 "$GOSCOPE" top \
	--rules="$work/none.rules" 1
t_expect_status "watch: usage: no pid" 2 "$GOSCOPE" watch
t_expect_status "watch: no such process" 1 "$GOSCOPE" watch --count=1 \
	999999
printf 'ignore main.x\n' >"$work/bad.rules"
t_expect_status "watch: bad rules file" 1 "$GOSCOPE" watch \
	--rules="$work/bad.rules" --count=1 1

# diff: two snapshots of a leaking program, a file and a live PID.
if launch pid -leak 20; then
	sleep 0.5
	"$GOSCOPE" dump --format=json -o "$work/a.json" "$pid"
	sleep 1
	"$GOSCOPE" dump --format=json -o "$work/b.json" "$pid"
	"$GOSCOPE" diff "$work/a.json" "$work/b.json" >"$work/diff" 2>&1
	first=$(sed -n '/^groups (level/{n;p;q}' "$work/diff")
	if [[ $first == *" grown "*"[chan receive]"* ]] &&
		grep -F -A1 "$first" "$work/diff" | grep -q 'user frame  main.leakOne' &&
		grep -q 'persisted (stuck at least [1-9][0-9.]*s)' "$work/diff"; then
		t_ok "diff: the leaking group first, persisted goroutines"
	else
		sed 's/^/#   /' "$work/diff" | head -n 20
		t_fail "diff: the leaking group first, persisted goroutines"
	fi
	if "$GOSCOPE" diff --format=json "$work/a.json" "$pid" >"$work/dj" &&
		jq -e '.groups[0].change == "grown" and .by_id.persisted > 0 and
		       .goroutines.after > .goroutines.before' "$work/dj" \
		>/dev/null; then
		t_ok "diff: a file against a live PID (json)"
	else
		t_fail "diff: a file against a live PID (json)"
	fi
	"$GOSCOPE" dump "$pid" >"$work/c.txt"
	if "$GOSCOPE" diff "$work/a.json" "$work/c.txt" >"$work/diff2" &&
		grep -q 'grown' "$work/diff2"; then
		t_ok "diff: a snapshot against a Go text dump"
	else
		t_fail "diff: a snapshot against a Go text dump"
	fi
else
	t_fail "diff: the leaking group first" "target did not start"
	t_skip "diff: a file against a live PID (json)" "no target"
	t_skip "diff: a snapshot against a Go text dump" "no target"
fi
t_expect_status "diff: usage: one argument" 2 "$GOSCOPE" diff "$work/a.json"
t_expect_status "diff: missing file" 1 "$GOSCOPE" diff "$work/a.json" \
	"$work/nope.json"
t_done
