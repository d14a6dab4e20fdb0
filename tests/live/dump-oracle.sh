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

# A write to a target that died must fail, not kill this script.
trap '' PIPE

T_KEEP=$T_ROOT/tests/out/dump-oracle
t_workdir

t_build_dumpcmp "$work"
toolchains=$(bash "$T_ROOT/tests/go-toolchains.sh" list)
variants="exe/cgo exe/nocgo pie/cgo pie/nocgo"

while IFS=$'\t' read -r ver root reason; do
	# Self-consistency, then per variant the dump and its arguments,
	# in both capture modes.
	t_expect $((1 + 4 * $(wc -w <<<"$variants")))
	t_cell_missing "go$ver/dump" "$ver" "$root" "$reason" && continue

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
		if ! t_launch_goroutines pid "${bin[$v]}"; then
			self_bad=${self_bad:-"$v: target did not start"}
			continue
		fi
		if t_tdump "$pid" "$work/want1" && t_tdump "$pid" "$work/want2"; then
			t_oracle_cmp "go$ver/$v-self" "$work/want1" "$work/want2"
			echo "#   go$ver/$v self: $CMP_SUMMARY"
			[ "$CMP_RC" -eq 0 ] || self_bad=${self_bad:-"$v: $CMP_SUMMARY"}
		else
			self_bad=${self_bad:-"$v: target did not dump (${T_REPLY:-no reply})"}
		fi
		t_finish "$pid"
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
		# Without ptrace the goscope cells skip (the self-consistency
		# cells do not need it).
		if ! t_can_ptrace; then
			for c in "$cell" "$cell args" "$cell --full-stop" \
				"$cell --full-stop args"; do
				t_skip "$c" "ptrace not permitted here (ptrace_scope=$(t_ptrace_scope))"
			done
			continue
		fi
		if ! t_launch_goroutines pid "${bin[$v]}"; then
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
			t_tcmd "$pid" gap # resets the heartbeat's gap
			timeout 300 "$GOSCOPE" dump $flag "$pid" >"$got" 2>"$work/err"
			rc=$?
			if t_tcmd "$pid" gap; then
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
		elif ! t_tdump "$pid" "$work/want"; then
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
			t_oracle_cmp "go$ver/$v-${got##*/}" "$work/want" "$got"
			t_cmp_result "$c"
			# Argument words too, as printArgs prints them.
			t_oracle_cmp "go$ver/$v-${got##*/}-args" "$work/want" \
				"$got" -args
			t_cmp_result "$c args"
		done
		unset why
		t_finish "$pid"
	done
	unset bin
done <<<"$toolchains"
t_done
