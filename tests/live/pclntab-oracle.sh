#!/bin/bash
# pclntab-oracle: symbols/pclntab against the Go runtime itself.  For every
# toolchain, tests/targets/symtest (plain and PIE) prints what
# runtime.Callers, runtime.CallersFrames and runtime.FuncForPC say about
# PCs from many call shapes; tests/tools/pclnq recomputes the same lines
# from the binary's pclntab:
#   frames     the innermost frame at each PC-1 (CallersFrames)
#   expansion  the Callers list rebuilt from the physical PCs by expanding
#              inline trees (wrappers elided)
#   funcforpc  the innermost frame at each PC (FuncForPC)
#   spdelta    0 at every function entry, and the DWARF CFA offset - 8
#              (.debug_frame) at every PC of main.* and at pcsp changes
# PCLNQ names a prebuilt driver; otherwise it is built here with $CC.
set -u
. "$(dirname "$0")/../lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pclnq=${PCLNQ:-}
if [ -z "$pclnq" ]; then
	pclnq=$work/pclnq
	# shellcheck disable=SC2046
	if ! (cd "$T_ROOT" && ${CC:-cc} -std=gnu11 -O1 -g -I. -D_GNU_SOURCE \
		${PCLNQ_CFLAGS:-} -o "$pclnq" tests/tools/pclnq.c \
		symbols/pclntab.c symbols/elfimage.c inspect/memsrc.c \
		lib/xmalloc.c lib/err.c \
		$(pkg-config --cflags --libs libdw libelf 2>/dev/null ||
			echo -ldw -lelf)) >"$work/cc.log" 2>&1; then
		sed 's/^/#   /' "$work/cc.log" | head -n 20
		t_expect 1
		t_fail "build pclnq" "$(head -n 1 "$work/cc.log")"
		t_done
	fi
fi

# compare NAME WANT GOT: t_same with a count of compared lines.
compare() {
	local n
	n=$(wc -l <"$2")
	if [ "$n" -lt 10 ]; then
		t_fail "$1" "only $n lines to compare"
		return
	fi
	t_same "$1 ($n lines)" "$2" "$3"
}

toolchains=$(bash "$T_ROOT/tests/go-toolchains.sh" list)
while IFS=$'\t' read -r ver root reason; do
	# Per mode: frames, expansion, funcforpc and spdelta.
	t_expect 8
	if [ "$root" = SKIP ]; then
		t_skip_rest "go$ver" "go $ver unavailable: $reason"
		continue
	fi
	for mode in exe pie; do
		cell="go$ver/$mode"
		bin=$work/symtest-$ver-$mode
		args=()
		[ $mode = pie ] && args=(-buildmode=pie)
		if ! go_build_with "$root" "$bin" "$T_ROOT/tests/targets/symtest" \
			"${args[@]}" >"$work/log" 2>&1; then
			t_fail "$cell build" "$(tail -n 1 "$work/log")"
			t_skip "$cell expansion" "no build"
			t_skip "$cell funcforpc" "no build"
			t_skip "$cell spdelta" "no build"
			continue
		fi
		if ! "$bin" >"$work/go.out" 2>"$work/log"; then
			t_fail "$cell run" "$(tail -n 1 "$work/log")"
			t_skip "$cell expansion" "no run"
			t_skip "$cell funcforpc" "no run"
			t_skip "$cell spdelta" "no run"
			continue
		fi
		if ! "$pclnq" frames "$bin" <"$work/go.out" >"$work/c.out" \
			2>"$work/log"; then
			t_fail "$cell pclnq" "$(tail -n 1 "$work/log")"
			t_skip "$cell expansion" "pclnq failed"
			t_skip "$cell funcforpc" "pclnq failed"
			t_skip "$cell spdelta" "pclnq failed"
			continue
		fi
		grep -E '^(main|stack|pc|end)' "$work/go.out" >"$work/want"
		grep -E '^(main|stack|pc|end)' "$work/c.out" >"$work/got"
		compare "$cell frames" "$work/want" "$work/got"
		grep -E '^(stack|pc)' "$work/go.out" >"$work/want"
		grep -E '^(stack|x)' "$work/c.out" | sed 's/^x /pc /' \
			>"$work/got"
		compare "$cell expansion" "$work/want" "$work/got"
		grep -E '^(stack|forpc)' "$work/go.out" >"$work/want"
		grep -E '^(stack|forpc)' "$work/c.out" >"$work/got"
		compare "$cell funcforpc" "$work/want" "$work/got"
		"$pclnq" sp "$bin" >"$work/sp" 2>&1
		rc=$?
		sum=$(tail -n 1 "$work/sp")
		if [ $rc -eq 77 ]; then
			t_skip "$cell spdelta" "no .debug_frame: $sum"
		elif [ $rc -eq 0 ]; then
			echo "#   $sum"
			t_ok "$cell spdelta"
		else
			head -n 10 "$work/sp" | sed 's/^/#   /'
			t_fail "$cell spdelta" "$sum"
		fi
	done
done <<<"$toolchains"
t_done
