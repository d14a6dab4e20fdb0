#!/bin/bash
# Builds tests/targets/layoutprobe with every Go toolchain of the test
# matrix (tests/go-toolchains.sh) and prints goruntime/layout_tables.c as
# tests/tools/genlayouts measures it from their DWARF.  Fails, printing
# nothing, when a toolchain is missing: a table must never lose a release.
# Usage: tests/tools/genlayouts.sh PATH-TO-GENLAYOUTS >layout_tables.c
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/go-env.sh"
gen=${1:?usage: genlayouts.sh PATH-TO-GENLAYOUTS}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bins=()
while IFS=$'\t' read -r ver goroot reason; do
	if [ "$goroot" = SKIP ]; then
		echo "genlayouts: go $ver is not available: $reason" >&2
		exit 1
	fi
	out=$work/probe-$ver
	if ! CGO_ENABLED=0 go_build_with "$goroot" "$out" \
		"$root/tests/targets/layoutprobe" >"$work/log" 2>&1; then
		echo "genlayouts: go $ver build failed: $(tail -n 1 "$work/log")" >&2
		exit 1
	fi
	bins+=("$out")
done < <(bash "$root/tests/go-toolchains.sh" list)
[ "${#bins[@]}" -gt 0 ] || { echo "genlayouts: no Go toolchain" >&2; exit 1; }
"$gen" emit "${bins[@]}"
