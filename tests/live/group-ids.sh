#!/bin/bash
# group-ids: a goroutine keeps its group id whatever the source.  For
# every toolchain of the matrix (Go 1.21+: older runtimes print only the
# first 100 frames of a long stack), tests/targets/goroutines is captured
# live and, right after, writes its own goroutine dump: first the
# debug=2 profile, then the SIGQUIT dump (runtime frames, .gowrapN
# wrappers and long stacks with their middle elided).  `goscope diff` of
# the capture against each text must find every goroutine in the same
# group, except those that run between the two (the busy loop, the
# heartbeat, the command loop that writes the dump, runtime-only ones).
# The SIGQUIT case needs Go 1.22+ (named .gowrapN wrappers).
set -u
. "$(dirname "$0")/../lib.sh"
t_live_setup
qpid=
t_at_exit '[ -n "$qpid" ] && kill -9 "$qpid" 2>/dev/null'

volatile='["main.busyLoop","main.heartbeat","main.serveCommands","main.writeDump"]'

# check NAME DIFF_JSON: no group of a still goroutine appears or goes, and
# at most the volatile goroutines moved.
check() {
	local name=$1 f=$2 bad moved
	bad=$(jq -r --argjson v "$volatile" '[.groups[] |
		select(.change == "new" or .change == "gone") |
		select(.user_frame != null) |
		select(.user_frame.func as $u | $v | index($u) | not)] |
		map("\(.change) \(.user_frame.func)") | join(", ")' "$f")
	moved=$(jq '.by_id.moved' "$f")
	if [ -z "$bad" ] && [ "$moved" -le 3 ]; then
		t_ok "$name ($moved volatile moved)"
	else
		t_fail "$name" "moved $moved; groups: ${bad:-none}"
	fi
}

toolchains=$(bash "$T_ROOT/tests/go-toolchains.sh" list)
while IFS=$'\t' read -r ver root reason; do
	t_expect 2	# the debug=2 text, the SIGQUIT text
	t_cell_missing "go$ver/group ids" "$ver" "$root" "$reason" && continue
	if [ "${ver#1.}" -lt 21 ]; then
		t_skip_rest "go$ver/group ids" "the runtime prints only the first 100 frames of a long stack"
		continue
	fi
	bin=$work/goroutines-$ver
	# debug=2, written by the target right after the capture.
	t_cell_goroutines "go$ver/group ids" "$root" "$bin" -n 5 || continue
	"$GOSCOPE" dump --format=json -o "$work/live.json" "$pid"
	rc=$?
	t_tdump "$pid" "$work/d2.txt"
	t_finish "$pid"
	if [ $rc -ne 0 ] || [ ! -s "$work/d2.txt" ]; then
		t_fail "go$ver/debug=2 capture" "exit $rc"
	else
		"$GOSCOPE" diff --format=json "$work/live.json" "$work/d2.txt" \
			>"$work/diff2.json"
		check "go$ver/debug=2 text keeps the live group ids" \
			"$work/diff2.json"
	fi

	# SIGQUIT: the runtime prints runtime frames and wrappers too.
	# Before Go 1.22 a go statement's wrapper is a plain "funcN"
	# closure that text cannot tell from user code.
	if [ "${ver#1.}" -lt 22 ]; then
		t_skip "go$ver/SIGQUIT text keeps the live group ids" \
			"go statement wrappers have no telling name before Go 1.22"
		continue
	fi
	mkfifo "$work/in"
	env -u GOTRACEBACK "$bin" -n 5 <"$work/in" >"$work/out" \
		2>"$work/sq.txt" &
	qpid=$!
	exec {hold}>"$work/in"
	for _ in $(seq 300); do
		grep -q '^ready' "$work/out" 2>/dev/null && break
		sleep 0.1
	done
	"$GOSCOPE" dump --format=json -o "$work/live.json" "$qpid"
	rc=$?
	kill -QUIT "$qpid"
	wait "$qpid" 2>/dev/null
	qpid=
	exec {hold}>&-
	rm -f "$work/in"
	if [ $rc -ne 0 ] || ! grep -q '^goroutine 1 ' "$work/sq.txt"; then
		t_fail "go$ver/SIGQUIT capture" "exit $rc"
		continue
	fi
	"$GOSCOPE" diff --format=json "$work/live.json" "$work/sq.txt" \
		>"$work/diffq.json" 2>/dev/null
	check "go$ver/SIGQUIT text keeps the live group ids" "$work/diffq.json"
done <<<"$toolchains"
t_done
