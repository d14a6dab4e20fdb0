#!/bin/bash
# threads-go: goscope threads on Go programs, for every Go toolchain of
# the test matrix: each thread is matched to its M and goroutine; the
# thread inside a cgo call shows its C frames, then the Go frames of the
# goroutine that made the call; idle Ms end cleanly at the top of their
# system stack; dump --format=json carries the same threads.  Without
# cgo, and without DWARF (-ldflags=-s -w: native frames only), the
# command still lists every thread.
set -u
. "$(dirname "$0")/../lib.sh"
t_live_setup

command -v jq >/dev/null || { t_plan 1; t_skip "threads-go" "jq not installed"; t_done; }

toolchains=$(bash "$T_ROOT/tests/go-toolchains.sh" list 2>/dev/null)
if [ -z "$(echo "$toolchains" | awk -F'\t' '$2 != "SKIP"')" ]; then
	t_expect 1
	t_skip "threads-go" "no Go toolchain"
	t_done
fi

check_cgo() {
	local v=$1 json=$work/t.json txt=$work/t.txt tid g n ordered
	"$GOSCOPE" threads --format=json "$pid" >"$json" 2>"$work/err" &&
		"$GOSCOPE" threads "$pid" >"$txt" 2>>"$work/err" ||
		{
			t_fail "go$v: goscope threads" "$(head -n 1 "$work/err")"
			t_skip_rest "go$v: threads" "goscope failed"
			return
		}

	# The thread in C: native frames down to the cgo boundary, then the
	# goroutine's Go frames.
	tid=$(jq -r '.threads[] | select(.go_state == "cgo") |
		select(any(.frames[]; .func == "goscope_block_in_c")) | .tid' "$json" |
		head -n 1)
	if [ -z "$tid" ]; then
		t_fail "go$v: cgo thread found" \
			"$(jq -c '[.threads[] | {tid, go_state}]' "$json")"
		t_skip_rest "go$v: threads" "no cgo thread"
		return
	fi
	g=$(jq -r --argjson t "$tid" '.threads[] | select(.tid == $t) | .goroutine' "$json")
	n=$(jq -r --argjson t "$tid" '.threads[] | select(.tid == $t) |
		[.frames[] | if .go then "go:" + .func else .func end] |
		join(" ")' "$json")
	# Once the Go frames start, only Go frames follow.
	ordered=$(jq -r --argjson t "$tid" '.threads[] | select(.tid == $t) |
		[.frames[] | .go // false] | .[(index(true) // length):] | all' \
		"$json")
	if [[ $n =~ (^| )goscope_block_in_c\ .*go:main\._Cfunc_goscope_block_in_c\ go:main\.parkInC ]] &&
		[ "$ordered" = true ]; then
		t_ok "go$v: cgo thread: C frames, then goroutine $g's Go frames"
	else
		t_fail "go$v: cgo thread: C frames, then goroutine's Go frames" "$n"
	fi
	# The goroutine the thread runs is the one parked in C, as dump
	# shows it.
	"$GOSCOPE" dump "$pid" >"$work/dump.txt" 2>"$work/err"
	awk -v g="$g" '
		/^goroutine / { cur = ($2 == g && $3 ~ /^\[syscall/) }
		cur && /^main\.parkInC\(/ { found = 1 }
		END { exit !found }' "$work/dump.txt" &&
		t_ok "go$v: goroutine $g is in syscall in main.parkInC (dump)" ||
		t_fail "go$v: the cgo goroutine is in syscall in main.parkInC" \
			"$(grep "^goroutine $g " "$work/dump.txt")"
	grep -Eq "^thread $tid \"[^\"]*\" \[M[0-9]+ in cgo call, goroutine $g\]: " "$txt" &&
		grep -q "^    goroutine $g \[syscall\]:" "$txt" &&
		t_ok "go$v: text shows the M, the goroutine and the join" ||
		t_fail "go$v: text shows the M, the goroutine and the join" \
			"$(grep "^thread $tid " "$txt")"

	# Every thread is an M here; none is left without a role, and the
	# idle ones end at the top of their system stack.
	n=$(jq -r '.threads[] | select(.go_state == null or .go_state == "no_m") |
		.tid' "$json")
	# The runtime may be starting one more M at the stop: its thread
	# exists before m.procid is set.
	[ "$(echo $n | wc -w)" -le 1 ] &&
		t_ok "go$v: every thread matched to its M${n:+ (one starting: $n)}" ||
		t_fail "go$v: every thread matched to its M" "$(echo $n)"
	n=$(jq -r '.threads[] | select(.go_state == "idle") |
		select(.unwind_error != null or
			([.frames[-1].func] | inside(["runtime.mstart",
			"runtime.mcall", "runtime.morestack", "runtime.systemstack",
			"runtime.rt0_go", "runtime.mstart0"]) | not)) |
		"\(.tid):\(.frames[-1].func):\(.unwind_error)"' "$json")
	[ -z "$n" ] && t_ok "go$v: idle Ms unwound to the top of the g0 stack" ||
		t_fail "go$v: idle Ms unwound to the top of the g0 stack" "$(echo $n)"
	n=$(jq -r '.threads[] | select(.go_state == "running" or
		.go_state == "syscall") | select(.unwind_error != null or
		([.frames[] | select(.go)] | length) == 0) | .tid' "$json")
	[ -z "$n" ] && t_ok "go$v: threads running goroutines show their Go frames" ||
		t_fail "go$v: threads running goroutines show their Go frames" "$(echo $n)"

	# dump --format=json carries the same threads.
	"$GOSCOPE" dump --format=json "$pid" >"$work/dump.json" 2>"$work/err"
	n=$(jq -r '.threads[] | select(.go_state == "cgo") |
		select(any(.frames[]; .func == "goscope_block_in_c")) | .tid' \
		"$work/dump.json" 2>/dev/null | head -n 1)
	[ "$n" = "$tid" ] && t_ok "go$v: dump --format=json has the native threads" ||
		t_fail "go$v: dump --format=json has the native threads" \
			"$(head -n 1 "$work/err")"
}

while IFS=$'\t' read -r v root reason; do
	t_expect 7	# check_cgo's results
	t_cell_missing "go$v: threads" "$v" "$root" "$reason" && continue
	bin=$work/goroutines-$v
	if ! go_build_with "$root" "$bin" "$T_ROOT/tests/targets/goroutines" \
		>"$work/build.log" 2>&1; then
		t_fail "go$v: build" "$(tail -n 1 "$work/build.log")"
		t_skip_rest "go$v: threads" "no build"
		continue
	fi
	if ! start_target pid "$bin"; then
		t_fail "go$v: target started"
		t_skip_rest "go$v: threads" "no target"
		continue
	fi
	check_cgo "$v"
	stop_target "$pid"
	pid=
done <<<"$toolchains"

# The newest toolchain, without cgo and without DWARF.
root=$(echo "$toolchains" | awk -F'\t' '$2 != "SKIP" { r = $2 } END { print r }')
for mode in nocgo nodwarf; do
	args=()
	env=(CGO_ENABLED=1)
	[ "$mode" = nocgo ] && env=(CGO_ENABLED=0)
	[ "$mode" = nodwarf ] && args=(-ldflags='-s -w')
	if [ "$mode" = nocgo ]; then t_expect 2; else t_expect 1; fi
	if ! env "${env[@]}" bash -c '. "$1"/tests/go-env.sh; shift; go_build_with "$@"' \
		_ "$T_ROOT" "$root" "$work/g-$mode" "$T_ROOT/tests/targets/goroutines" \
		"${args[@]}" >"$work/build.log" 2>&1; then
		t_fail "$mode: build" "$(tail -n 1 "$work/build.log")"
		t_skip_rest "$mode" "no build"
		continue
	fi
	start_target pid "$work/g-$mode" || {
		t_fail "$mode: target started"
		t_skip_rest "$mode" "no target"
		continue
	}
	# The runtime may start a thread around the capture.
	before=$(ls /proc/"$pid"/task | wc -l)
	"$GOSCOPE" threads --format=json "$pid" >"$work/m.json" 2>"$work/err"
	rc=$?
	after=$(ls /proc/"$pid"/task | wc -l)
	n=$(jq '[.threads[]] | length' "$work/m.json" 2>/dev/null)
	lo=$((before < after ? before : after))
	hi=$((before > after ? before : after))
	if [ $rc -eq 0 ] && [ "${n:-0}" -ge "$lo" ] && [ "$n" -le "$hi" ]; then
		t_ok "$mode: every thread listed"
	else
		t_fail "$mode: every thread listed" \
			"exit $rc, $n of $before..$after: $(head -n 1 "$work/err")"
	fi
	if [ "$mode" = nocgo ]; then
		n=$(jq -r '.threads[] | select(.go_state == null or .unwind_error != null) |
			"\(.tid):\(.unwind_error)"' "$work/m.json")
		[ -z "$n" ] && t_ok "nocgo: every thread matched and unwound" ||
			t_fail "nocgo: every thread matched and unwound" "$(echo $n)"
	fi
	stop_target "$pid"
	pid=
done
t_done
