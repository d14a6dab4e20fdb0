#!/bin/bash
# layouts: the per-release runtime layout tables built into goscope
# (goruntime/layout_tables.c) are what the toolchains' DWARF says.  For
# every toolchain, tests/tools/genlayouts measures a freshly built
# tests/targets/layoutprobe and compares it with the built-in table; then
# the whole file is regenerated ('make layouts') and compared with the
# checked-in one, apart from the toolchains' patch versions.
set -u
. "$(dirname "$0")/../lib.sh"

gen=$T_ROOT/tests/tools/genlayouts
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$gen" ]; then
	t_expect 1
	t_skip "layouts" "tests/tools/genlayouts is not built (run make check)"
	t_done
fi

all=1
while IFS=$'\t' read -r ver root reason; do
	t_expect 1
	if [ "$root" = SKIP ]; then
		t_skip "go$ver/table" "go $ver unavailable: $reason"
		all=0
		continue
	fi
	if ! CGO_ENABLED=0 go_build_with "$root" "$work/probe-$ver" \
		"$T_ROOT/tests/targets/layoutprobe" >"$work/log" 2>&1; then
		t_fail "go$ver/table" "build: $(tail -n 1 "$work/log")"
		all=0
		continue
	fi
	if "$gen" check "$work/probe-$ver" >"$work/out" 2>&1; then
		t_ok "go$ver/table # $(head -n 1 "$work/out")"
	else
		t_fail "go$ver/table" "$(head -n 1 "$work/out")"
	fi
done < <(bash "$T_ROOT/tests/go-toolchains.sh" list)

t_expect 1
if [ "$all" = 0 ]; then
	t_skip "regenerated file" "not every toolchain is available"
	t_done
fi
if [ -n "${GOSCOPE_GO_VERSIONS:-}" ]; then
	t_skip "regenerated file" "GOSCOPE_GO_VERSIONS chooses a part of the matrix"
	t_done
fi
if ! bash "$T_ROOT/tests/tools/genlayouts.sh" "$gen" >"$work/new.c" \
	2>"$work/err"; then
	t_fail "regenerated file" "$(tail -n 1 "$work/err")"
	t_done
fi
grep -v '\.measured = ' "$T_ROOT/goruntime/layout_tables.c" >"$work/old"
grep -v '\.measured = ' "$work/new.c" >"$work/new"
if ! cmp -s "$T_ROOT/goruntime/layout_tables.c" "$work/new.c" &&
	cmp -s "$work/old" "$work/new"; then
	echo "#   only the measured toolchains' patch versions differ:"
	diff "$T_ROOT/goruntime/layout_tables.c" "$work/new.c" |
		sed -n 's/^[<>]/#  &/p'
fi
t_same "regenerated file equals goruntime/layout_tables.c" "$work/old" "$work/new"
t_done
