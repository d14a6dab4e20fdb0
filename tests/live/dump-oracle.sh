#!/bin/bash
# dump-oracle: `goscope dump PID` against the Go runtime's own goroutine dump
# (pprof.Lookup("goroutine").WriteTo(w, 2)) of the same process, for every
# toolchain x {exe, pie} x {cgo, nocgo}.  The target
# (tests/targets/goroutines) parks goroutines in many different ways and
# dumps itself on request; tests/tools/dumpcmp compares the two dumps
# goroutine by goroutine.
#
# Every cell captures in both modes, two-phase (the default) and
# --full-stop, from the same target, each compared with the runtime's dump.
#
# Per toolchain, goVER/self-consistency first checks that two consecutive
# dumps of the target by itself are equal by dumpcmp, in every build
# variant: that proves the target and the comparator deterministic.  Then
# each cell captures with goscope first and with the runtime second, and
# reports the heartbeat's largest tick gap while goscope ran as a comment
# (how long the target was stopped; not asserted).
#
# Dumps of a failing cell are kept in tests/out/dump-oracle/.
set -u
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/go-env.sh"

# A write to a target that died must fail, not kill this script.
trap '' PIPE

EXTRA=20 # extra identical parked goroutines (-n) in every target
keep=$T_ROOT/tests/out/dump-oracle
work=$(mktemp -d)
pids=()
pid=
cleanup() {
	for p in "${pids[@]}"; do stop_target "$p"; done
	rm -rf "$work"
}
trap cleanup EXIT

# Reading another process needs ptrace; without it the goscope cells skip
# (the self-consistency cells do not need it).
can_ptrace=1
scope=$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)
if [ "$scope" -ge 2 ] && [ "$(id -u)" -ne 0 ]; then
	can_ptrace=0
fi

# tcmd PID LINE: sends LINE to the target's stdin and reads its one-line
# reply into T_REPLY; fails when the target does not answer.
tcmd() {
	local -a fds
	read -r -a fds <<<"${T_TARGET_FD[$1]:-}"
	T_REPLY=
	[ "${#fds[@]}" -eq 2 ] || return 1
	printf '%s\n' "$2" 1>&"${fds[0]}" 2>/dev/null || return 1
	read -r -t 60 T_REPLY <&"${fds[1]}" || return 1
}

# tdump PID FILE: makes the target write its own debug=2 dump to FILE.
tdump() {
	tcmd "$1" "dump $2" && [ "$T_REPLY" = dumped ]
}

# launch VAR BIN: starts the target BIN with a clean traceback setting.
launch() {
	local _l_pid
	start_target _l_pid env -u GOTRACEBACK "$2" -n "$EXTRA" || return 1
	pids+=("$_l_pid")
	printf -v "$1" '%s' "$_l_pid"
}

# finish PID: ends a target (resumed first, in case goscope left it
# stopped) and forgets it.
finish() {
	local p left=()
	kill -CONT "$1" 2>/dev/null
	stop_target "$1"
	for p in "${pids[@]}"; do
		[ "$p" = "$1" ] || left+=("$p")
	done
	pids=("${left[@]}")
}

# keep_dumps CELL FILE...: saves a failing cell's dumps for inspection.
keep_dumps() {
	local cell=${1//\//-} f
	shift
	mkdir -p "$keep"
	for f in "$@"; do
		[ -f "$f" ] && cp "$f" "$keep/$cell.$(basename "$f")"
	done
	echo "#   dumps kept in $keep/$cell.*"
}

# compare CELL WANT GOT: runs dumpcmp; sets CMP_SUMMARY to its summary (or
# error) line and CMP_RC to its status, and prints its details as
# comments when they differ.
# Goroutines of the target that dumpcmp must exclude: the main goroutine
# (it serves the dump command) and the busy loop (running or runnable),
# always; the heartbeat too when a dump catches it between two ticks
# (runnable).  Any other exclusion, or a goroutine missing from goscope's
# dump, fails the comparison.
EXCLUDED=2-3
compare() {
	local out
	out=$("$work/dumpcmp" -excluded "$EXCLUDED" "$2" "$3" 2>"$work/cmp.err")
	CMP_RC=$?
	if [ "$CMP_RC" -eq 2 ]; then
		CMP_SUMMARY="dumpcmp: $(head -n 1 "$work/cmp.err")"
	else
		CMP_SUMMARY=$(printf '%s\n' "$out" | tail -n 1)
	fi
	if [ "$CMP_RC" -ne 0 ]; then
		printf '%s\n' "$out" | head -n 60 | sed 's/^/#   /'
		keep_dumps "$1" "$2" "$3"
	fi
}

toolchains=$(bash "$T_ROOT/tests/go-toolchains.sh" list)
newest=$(printf '%s\n' "$toolchains" | awk -F'\t' '$2 != "SKIP" { r = $2 } END { print r }')
if [ -z "$newest" ]; then
	t_expect 1
	t_skip "dump-oracle" "no Go toolchain"
	t_done
fi
if ! go_build_with "$newest" "$work/dumpcmp" "$T_ROOT/tests/tools/dumpcmp" \
	>"$work/log" 2>&1; then
	t_expect 1
	t_fail "dumpcmp build" "$(tail -n 1 "$work/log")"
	t_done
fi

variants="exe/cgo exe/nocgo pie/cgo pie/nocgo"

while IFS=$'\t' read -r ver root reason; do
	# Self-consistency, then per variant the dump and its arguments,
	# in both capture modes.
	t_expect $((1 + 4 * $(wc -w <<<"$variants")))
	if [ "$root" = SKIP ]; then
		t_skip_rest "go$ver/dump" "go $ver unavailable: $reason"
		continue
	fi

	# Build every variant.
	declare -A bin=()
	for v in $variants; do
		mode=${v%/*} cgo=${v#*/}
		args=()
		[ "$mode" = pie ] && args=(-buildmode=pie)
		cgo_enabled=0
		[ "$cgo" = cgo ] && cgo_enabled=1
		out=$work/target-$ver-$mode-$cgo
		if CGO_ENABLED=$cgo_enabled go_build_with "$root" "$out" \
			"$T_ROOT/tests/targets/goroutines" "${args[@]}" \
			>"$work/log" 2>&1; then
			bin[$v]=$out
		else
			t_fail "go$ver/$v build" "$(tail -n 1 "$work/log")"
		fi
	done

	# Self-consistency: two own dumps of one process are equal.
	self_bad=
	for v in $variants; do
		[ -n "${bin[$v]:-}" ] || continue
		rm -f "$work/want1" "$work/want2"
		if ! launch pid "${bin[$v]}"; then
			self_bad=${self_bad:-"$v: target did not start"}
			continue
		fi
		if tdump "$pid" "$work/want1" && tdump "$pid" "$work/want2"; then
			compare "go$ver/$v-self" "$work/want1" "$work/want2"
			echo "#   go$ver/$v self: $CMP_SUMMARY"
			[ "$CMP_RC" -eq 0 ] || self_bad=${self_bad:-"$v: $CMP_SUMMARY"}
		else
			self_bad=${self_bad:-"$v: target did not dump (${T_REPLY:-no reply})"}
		fi
		finish "$pid"
	done
	if [ -n "$self_bad" ]; then
		t_fail "go$ver/self-consistency" "$self_bad"
	else
		t_ok "go$ver/self-consistency"
	fi

	# goscope against the runtime, cell by cell: both capture modes on
	# the same target, two-phase (the default) first, then --full-stop;
	# one runtime dump after both is the oracle for each.
	for v in $variants; do
		cell="go$ver/$v dump"
		if [ -z "${bin[$v]:-}" ]; then
			# The build's failure was the first of the four results.
			t_skip "$cell args" "no build"
			t_skip "$cell --full-stop" "no build"
			t_skip "$cell --full-stop args" "no build"
			continue
		fi
		if [ "$can_ptrace" -eq 0 ]; then
			for c in "$cell" "$cell args" "$cell --full-stop" \
				"$cell --full-stop args"; do
				t_skip "$c" "ptrace not permitted here (ptrace_scope=$scope)"
			done
			continue
		fi
		if ! launch pid "${bin[$v]}"; then
			t_fail "$cell" "target did not start"
			t_skip "$cell args" "no target"
			t_skip "$cell --full-stop" "no target"
			t_skip "$cell --full-stop args" "no target"
			continue
		fi
		rm -f "$work/want" "$work/got" "$work/got-full"
		declare -A why=()
		for mode in two-phase full-stop; do
			flag=
			[ "$mode" = full-stop ] && flag=--full-stop
			got=$work/got
			[ "$mode" = full-stop ] && got=$work/got-full
			tcmd "$pid" gap # resets the heartbeat's gap
			timeout 300 "$GOSCOPE" dump $flag "$pid" >"$got" 2>"$work/err"
			rc=$?
			if tcmd "$pid" gap; then
				echo "# go$ver/$v $mode heartbeat: largest tick gap ${T_REPLY#gap } us while goscope ran"
			fi
			if [ "$rc" -ne 0 ]; then
				w=$(head -n 1 "$work/err")
				[ "$rc" -eq 124 ] && w="timed out after 300 s"
				why[$mode]="goscope failed: ${w:-exit status $rc}"
			fi
		done
		if ! kill -0 "$pid" 2>/dev/null; then
			why[all]="target died after goscope"
		elif ! tdump "$pid" "$work/want"; then
			why[all]="target did not dump after goscope (${T_REPLY:-no reply})"
		fi
		for mode in two-phase full-stop; do
			c=$cell got=$work/got
			[ "$mode" = full-stop ] && c="$cell --full-stop" got=$work/got-full
			w=${why[$mode]:-${why[all]:-}}
			if [ -n "$w" ]; then
				t_fail "$c" "$w"
				t_skip "$c args" "no dump to compare"
				continue
			fi
			compare "go$ver/$v-${got##*/}" "$work/want" "$got"
			if [ "$CMP_RC" -eq 0 ]; then
				t_ok "$c # $CMP_SUMMARY"
			else
				t_fail "$c" "$CMP_SUMMARY"
			fi
			# Argument words too, as printArgs prints them.
			if "$work/dumpcmp" -args -excluded "$EXCLUDED" \
				"$work/want" "$got" >"$work/args.out" 2>&1; then
				t_ok "$c args # $(tail -n 1 "$work/args.out")"
			else
				head -n 20 "$work/args.out" | sed 's/^/#   /'
				t_fail "$c args" "$(tail -n 1 "$work/args.out")"
			fi
		done
		unset why
		finish "$pid"
	done
	unset bin
done <<<"$toolchains"
t_done
