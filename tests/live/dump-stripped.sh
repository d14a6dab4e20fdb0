#!/bin/bash
# dump-stripped: `goscope dump PID` on binaries without DWARF (and mostly
# without symbols), against the Go runtime's own debug=2 dump of the same
# process, for every toolchain and these builds:
#   sw/exe, sw/pie            -ldflags='-s -w' (cgo: linked externally)
#   sw-nocgo/exe, sw-nocgo/pie  the same with CGO_ENABLED=0 (Go's linker)
#   strip/exe, strip/pie      built normally, then strip(1)
#   w/exe                     -ldflags=-w: symbols, no DWARF
#   trimpath/exe              -s -w -trimpath (module paths in the dump)
# Each cell also checks that `goscope buildinfo` names the layout source.
# Then: a release without a table and without DWARF (the version in a
# copy's .go.buildinfo rewritten to a newer and to an in-between
# release) is refused in one line, exit status 1, target running; and
# corrupted files (truncated .gopclntab, wrong magic, module data
# pointing outside the image) give a clear answer, not a crash.
#
# Every dump cell captures in both modes, two-phase and --full-stop.
# The target and comparator are those of dump-oracle.sh.  Dumps of a
# failing cell are kept in tests/out/dump-stripped/.
set -u
. "$(dirname "$0")/../lib.sh"

trap '' PIPE

T_KEEP=$T_ROOT/tests/out/dump-stripped
t_workdir


# section_field BIN NAME FIELD: the hex address (2) / offset (3) / size
# (4) of section NAME, or nothing.
section_field() {
	readelf -SW "$1" 2>/dev/null | sed 's/^ *\[ *[0-9]*\] *//' |
		awk -v n="$2" -v f="$3" '$1 == n { print $(f + 1); exit }'
}

# poke BIN OFFSET HEXBYTES: overwrites bytes of BIN at decimal OFFSET.
poke() {
	printf '%b' "$(printf '%s' "$3" | sed 's/../\\x&/g')" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# le64 VALUE: VALUE as 8 little-endian bytes in hex.
le64() {
	printf '%016x' "$1" | sed 's/../& /g' |
		awk '{ for (i = NF; i > 0; i--) printf "%s", $i }'
}

# uint BIN OFFSET SIZE: the unsigned little-endian SIZE-byte integer.
uint() {
	od -An -t "u$3" -j "$2" -N "$3" "$1" | tr -d ' '
}

# cut_segment BIN ADDR: the PT_LOAD segment holding ADDR ends at ADDR
# (file and memory size), as if the file had been cut there.
cut_segment() {
	local phoff n i ph vaddr filesz
	phoff=$(uint "$1" 32 8)
	n=$(uint "$1" 56 2)
	for ((i = 0; i < n; i++)); do
		ph=$((phoff + i * 56))
		[ "$(uint "$1" "$ph" 4)" -eq 1 ] || continue
		vaddr=$(uint "$1" $((ph + 16)) 8)
		filesz=$(uint "$1" $((ph + 32)) 8)
		if [ "$2" -ge "$vaddr" ] && [ "$2" -lt $((vaddr + filesz)) ]; then
			poke "$1" $((ph + 32)) "$(le64 $(($2 - vaddr)))"
			poke "$1" $((ph + 40)) "$(le64 $(($2 - vaddr)))"
			return 0
		fi
	done
	return 1
}

# set_version BIN OLD NEW: rewrites the Go version (same length) inside
# .go.buildinfo only.
set_version() {
	local off size o
	off=$((16#$(section_field "$1" .go.buildinfo 3)))
	size=$((16#$(section_field "$1" .go.buildinfo 4)))
	for o in $(grep -obUaF "$2" "$1" | cut -d: -f1); do
		if [ "$o" -ge "$off" ] && [ "$o" -lt $((off + size)) ]; then
			printf '%s' "$3" | dd of="$1" bs=1 seek="$o" \
				conv=notrunc status=none
			return 0
		fi
	done
	return 1
}

# want_source CELL BIN PATTERN: buildinfo's layout line matches PATTERN.
want_source() {
	local got
	got=$("$GOSCOPE" buildinfo --format=json "$2" 2>&1 | jq -r '.go.runtime_layout // "none"')
	if [[ $got == $3 ]]; then
		t_ok "$1 buildinfo layout # $got"
	else
		t_fail "$1 buildinfo layout" "got '$got', want '$3'"
	fi
}

# dump_cell CELL BIN: goscope's dumps of BIN, two-phase (the default) and
# --full-stop, both equal the runtime's own (taken once, after both).
dump_cell() {
	t_expect 2	# the dump in both capture modes
	local cell=$1 bin=$2 rc why mode ok=1 c want=$((T_COUNT + 2))
	if ! t_can_ptrace; then
		t_skip "$cell dump" "ptrace not permitted here (ptrace_scope=$(t_ptrace_scope))"
		t_skip "$cell dump --full-stop" "ptrace not permitted here"
		return
	fi
	if ! t_launch_goroutines pid "$bin"; then
		t_fail "$cell dump" "target did not start"
		t_skip "$cell dump --full-stop" "no target"
		return
	fi
	rm -f "$work/want" "$work/got-"*
	for mode in two-phase full-stop; do
		c="$cell dump"
		[ "$mode" = full-stop ] && c="$cell dump --full-stop"
		timeout 300 "$GOSCOPE" dump $([ "$mode" = full-stop ] &&
			echo --full-stop) "$pid" >"$work/got-$mode" 2>"$work/err"
		rc=$?
		if [ "$rc" -ne 0 ]; then
			why=$(head -n 1 "$work/err")
			[ "$rc" -eq 124 ] && why="timed out after 300 s"
			t_fail "$c" "goscope failed: ${why:-exit status $rc}"
			ok=0
		fi
	done
	if [ "$ok" -eq 0 ]; then
		:
	elif ! kill -0 "$pid" 2>/dev/null; then
		t_fail "$cell dump" "target died after goscope"
	elif ! t_tdump "$pid" "$work/want"; then
		t_fail "$cell dump" "target did not dump (${T_REPLY:-no reply})"
	else
		for mode in two-phase full-stop; do
			c="$cell dump"
			[ "$mode" = full-stop ] && c="$cell dump --full-stop"
			t_oracle_cmp "$cell-$mode" "$work/want" "$work/got-$mode"
			t_cmp_result "$c"
		done
	fi
	# A failure above stands for one or both modes' results.
	while [ "$T_COUNT" -lt "$want" ]; do
		t_skip "$cell dump" "no comparison"
	done
	t_finish "$pid"
}

# refused CELL BIN PATTERN: dump exits 1 with one line matching PATTERN,
# the target keeps running and is not left stopped.
refused() {
	local cell=$1 rc
	if ! t_can_ptrace; then
		t_skip "$cell" "ptrace not permitted here"
		return
	fi
	if ! t_launch_goroutines pid "$2"; then
		t_fail "$cell" "target did not start"
		return
	fi
	"$GOSCOPE" dump "$pid" >/dev/null 2>"$work/err"
	rc=$?
	echo "#   stderr: $(head -n 1 "$work/err")"
	if [ "$rc" -ne 1 ] || [ "$(wc -l <"$work/err")" -ne 1 ] ||
		! grep -q -- "$3" "$work/err"; then
		t_fail "$cell" "exit $rc: $(head -n 1 "$work/err")"
	elif ! kill -0 "$pid" 2>/dev/null || [ "$(t_traced_threads "$pid")" -ne 0 ]; then
		t_fail "$cell" "target not left running"
	elif ! t_tcmd "$pid" gap; then
		t_fail "$cell" "target does not answer after goscope"
	else
		t_ok "$cell"
	fi
	t_finish "$pid"
}

# corrupt CELL FILE: buildinfo answers (exit 0 or 1, never a signal) and
# its layout line, if any, says "unsupported".
corrupt() {
	local rc src
	"$GOSCOPE" buildinfo --format=json "$2" >"$work/cj" 2>"$work/cerr"
	rc=$?
	src=$(jq -r '.go.runtime_layout // empty' "$work/cj" 2>/dev/null)
	if [ "$rc" -ge 2 ]; then
		t_fail "$1" "exit status $rc: $(head -n 1 "$work/cerr")"
	elif [ "$rc" -eq 1 ] && [ "$(wc -l <"$work/cerr")" -eq 1 ]; then
		t_ok "$1 # error: $(head -n 1 "$work/cerr")"
	elif [ "$rc" -eq 0 ] && [[ $src == unsupported:* ]]; then
		t_ok "$1 # $src"
	else
		t_fail "$1" "exit $rc, layout '$src'"
	fi
}

t_build_dumpcmp "$work"
toolchains=$(bash "$T_ROOT/tests/go-toolchains.sh" list)

# cell NAME: sets BUILD (go build args), CGO, STRIP and SOURCE (the
# layout source buildinfo must report, a pattern).
cell() {
	BUILD=() CGO=1 STRIP=0 SOURCE='table go1.* (stripped)'
	case $1 in
	sw/exe) BUILD=(-ldflags=-s\ -w) ;;
	sw/pie) BUILD=(-buildmode=pie -ldflags=-s\ -w) ;;
	sw-nocgo/exe) BUILD=(-ldflags=-s\ -w) CGO=0 ;;
	sw-nocgo/pie) BUILD=(-buildmode=pie -ldflags=-s\ -w) CGO=0 ;;
	strip/exe) STRIP=1 ;;
	strip/pie) BUILD=(-buildmode=pie) STRIP=1 ;;
	w/exe) BUILD=(-ldflags=-w) SOURCE='symbols + table go1.*' ;;
	trimpath/exe) BUILD=(-trimpath -ldflags=-s\ -w) ;;
	esac
}
cells="sw/exe sw/pie sw-nocgo/exe sw-nocgo/pie strip/exe strip/pie w/exe trimpath/exe"

declare -A last=()
while IFS=$'\t' read -r ver root reason; do
	# Per cell: the layout source (dump_cell announces its own).
	t_expect "$(wc -w <<<"$cells")"
	t_cell_missing "go$ver/stripped" "$ver" "$root" "$reason" && continue
	for c in $cells; do
		cell "$c"
		out=$work/target-$ver-${c//\//-}
		if ! CGO_ENABLED=$CGO go_build_with "$root" "$out" \
			"$T_ROOT/tests/targets/goroutines" "${BUILD[@]}" \
			>"$work/log" 2>&1; then
			t_fail "go$ver/$c build" "$(tail -n 1 "$work/log")"
			continue
		fi
		if [ "$STRIP" = 1 ] && ! strip "$out"; then
			t_fail "go$ver/$c strip" "strip failed"
			continue
		fi
		want_source "go$ver/$c" "$out" "${SOURCE/go1.\*/go$ver}"
		dump_cell "go$ver/$c" "$out"
		[ "$c" = sw/exe ] && last[$ver]=$out
		[ "$c" = sw/exe ] || rm -f "$out"
	done
done <<<"$toolchains"

# Releases without a table: the newest binary built here rewritten to
# the release after goscope's newest layout table (not after the newest
# toolchain: with that one missing, a supported release would be taken
# for an unsupported one), and (when both neighbours were built) a
# release between two tables.
versions=$(printf '%s\n' "${!last[@]}" | sort -t. -k2 -n)
top=$(printf '%s\n' "$versions" | tail -n 1)
table_top=$(sed -n 's/^[[:space:]]*\.minor = \([0-9]*\),$/\1/p' \
	"$T_ROOT/goruntime/layout_tables.c" | sort -n | tail -n 1)
t_expect 2
if [ -z "$table_top" ]; then
	t_fail "newest layout table" "no .minor in goruntime/layout_tables.c"
	t_skip "newer release refused" "no layout table found"
elif [ -z "$top" ]; then
	t_skip_rest "newer release" "no binary built"
else
	next=1.$((table_top + 1))
	full=$("$GOSCOPE" buildinfo --format=json "${last[$top]}" | jq -r .go.version)
	cp "${last[$top]}" "$work/newer"
	if set_version "$work/newer" "go$top" "go$next"; then
		want_source "go$next (rewritten)" "$work/newer" \
			"unsupported: no runtime layout table for go$next*newer than go1.$table_top*"
		refused "go$next (rewritten from $full) refused" "$work/newer" \
			"binary without DWARF: no runtime layout table for go$next"
	else
		t_fail "go$next rewrite" "version not found in .go.buildinfo"
		t_skip "go$next refused" "no rewritten binary"
	fi
fi
for gap in 1.20 1.25; do
	t_expect 1
	below=1.$((${gap#1.} - 1))
	if [ -z "${last[$below]:-}" ] || [ -z "${last[1.$((${gap#1.} + 1))]:-}" ]; then
		t_skip "go$gap refused" "go$below or its successor not built"
		continue
	fi
	cp "${last[$below]}" "$work/gap"
	if set_version "$work/gap" "go$below" "go$gap"; then
		refused "go$gap (between two tables that differ) refused" \
			"$work/gap" "no runtime layout table for go$gap.* (not measured"
	else
		t_fail "go$gap rewrite" "version not found in .go.buildinfo"
	fi
done

# Corrupted files.
if [ -n "$top" ]; then
	t_expect 5
	bin=${last[$top]}
	pcl=$((16#$(section_field "$bin" .gopclntab 3)))
	pclsize=$((16#$(section_field "$bin" .gopclntab 4)))
	cp "$bin" "$work/magic"
	poke "$work/magic" "$pcl" 00000000
	corrupt "corrupt: wrong pclntab magic" "$work/magic"
	cp "$bin" "$work/trunc"
	if cut_segment "$work/trunc" \
		$((16#$(section_field "$bin" .gopclntab 2) + pclsize / 2)); then
		corrupt "corrupt: image ends inside .gopclntab" "$work/trunc"
	else
		t_fail "corrupt: image ends inside .gopclntab" "no segment"
	fi
	cp "$bin" "$work/short"
	# The function table's last entries cut off: nfunc beyond the table.
	poke "$work/short" $((pcl + 8)) ffffff00
	corrupt "corrupt: pclntab function count beyond its section" "$work/short"
	mod=$(section_field "$bin" .go.module 3)
	if [ -n "$mod" ]; then
		cp "$bin" "$work/modptr"
		poke "$work/modptr" $((16#$mod)) 00000000efbeadde
		corrupt "corrupt: module data's pcHeader outside the image" "$work/modptr"
		cp "$bin" "$work/modtext"
		poke "$work/modtext" $((16#$mod + 176)) 00000000ffff0000
		corrupt "corrupt: module data's text outside the image" "$work/modtext"
	else
		t_skip "corrupt: module data's pcHeader" "go$top has no .go.module"
		t_skip "corrupt: module data's text" "go$top has no .go.module"
	fi
else
	t_expect 1
	t_skip "corrupt" "no binary built"
fi
old=$(printf '%s\n' "$versions" | head -n 1)
if [ -n "$old" ] && [ "$old" != "$top" ]; then
	t_expect 1
	# Before Go 1.26 the module data is found by a scan: break its
	# pointer to the pclntab so that no candidate validates.
	bin=${last[$old]}
	cp "$bin" "$work/nomod"
	nd=$((16#$(section_field "$bin" .noptrdata 3)))
	ndsize=$((16#$(section_field "$bin" .noptrdata 4)))
	le=$(le64 $((16#$(section_field "$bin" .gopclntab 2))))
	o=$(od -An -v -tx1 -w8 -j "$nd" -N "$ndsize" "$work/nomod" |
		tr -d ' ' | grep -n "^$le\$" | head -n 1 | cut -d: -f1)
	if [ -n "$o" ]; then
		poke "$work/nomod" $((nd + (o - 1) * 8)) 0000000000000000
		corrupt "corrupt: go$old module data not found" "$work/nomod"
	else
		t_fail "corrupt: go$old module data" "pclntab pointer not in .noptrdata"
	fi
fi
t_done
