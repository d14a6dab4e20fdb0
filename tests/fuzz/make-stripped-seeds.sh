#!/bin/bash
# Creates seeds for tests/fuzz/fuzz_stripped from Go binaries that still
# have their symbols (the symbols say where to cut; the seed holds only
# what a stripped copy has): the module data (.go.module, or .noptrdata
# before Go 1.26), the start of .gopclntab, a little of go:func.*, and
# the code of the four runtime functions the code finder reads, in the
# harness's chunk format (see fuzz_stripped.c).
#
#   tests/fuzz/make-stripped-seeds.sh [-o DIR] BINARY...
#
# Needs binutils (readelf, nm) and dd.
set -eu

out=$(cd "$(dirname "$0")" && pwd)/seeds/fuzz_stripped
if [ "${1:-}" = -o ]; then
	out=$2
	shift 2
fi
[ $# -gt 0 ] || { echo "usage: $0 [-o DIR] BINARY..." >&2; exit 2; }
mkdir -p "$out"

# le N VALUE: VALUE as N little-endian bytes.
le() {
	local i v=$2
	for ((i = 0; i < $1; i++)); do
		# shellcheck disable=SC2059
		printf "\\$(printf '%03o' $((v & 255)))"
		v=$((v >> 8))
	done
}

# hex2dec WORD...: the hexadecimal words in decimal.
hex2dec() {
	local w r=
	for w; do r="$r $((16#${w#0x}))"; done
	echo "${r# }"
}

# sec BIN NAME: "addr offset size" (decimal) of section NAME, or nothing.
sec() {
	local f
	f=$(readelf -SW "$1" | sed 's/^ *\[ *[0-9]*\] *//' |
		awk -v n="$2" '$1 == n { print $3, $4, $5; exit }')
	[ -z "$f" ] || hex2dec $f
}

# sym BIN NAME: "addr size" (decimal) of symbol NAME, or nothing.
sym() {
	local f
	f=$(nm -S "$1" | awk -v n="$2" '$NF == n { print $1, (NF == 4 ? $2 : 0); exit }')
	[ -z "$f" ] || hex2dec $f
}

# chunk BIN ADDR LEN: the bytes at ADDR (at most LEN, within the file
# part of the PT_LOAD segment that holds ADDR).
chunk() {
	local off va fsz len=$3 line
	while read -r line; do
		read -r off va fsz <<<"$(hex2dec $line)"
		if [ "$2" -ge "$va" ] && [ "$2" -lt $((va + fsz)) ]; then
			[ $(($2 + len)) -le $((va + fsz)) ] ||
				len=$((va + fsz - $2))
			le 8 "$2"
			le 4 "$len"
			dd if="$1" bs=1 skip=$((off + $2 - va)) count="$len" \
				status=none
			return 0
		fi
	done < <(readelf -lW "$1" | awk '$1 == "LOAD" { print $2, $3, $5 }')
}

tables=$(cd "$(dirname "$0")/../.." && pwd)/goruntime/layout_tables.c

# field NAME: the table's value of NAME for $version's release, or 0.
field() {
	local minor=${version#go1.}
	awk -v m="${minor%%.*}" -v f="$1" '
		/\.minor = / { gsub(/[^0-9]/, "", $3); cur = $3 }
		$1 == "." f && cur == m + 0 { gsub(/[^0-9-]/, "", $3); print $3; found = 1; exit }
		END { if (!found) print 0 }' "$tables"
}

for bin in "$@"; do
	name=bin-$(basename "$bin")
	mod=$(sec "$bin" .go.module)
	nd=$(sec "$bin" .noptrdata)
	rod=$(sec "$bin" .rodata)
	txt=$(sec "$bin" .text)
	pcl=$(sym "$bin" runtime.pclntab)
	[ -n "$nd" ] && [ -n "$rod" ] && [ -n "$txt" ] && [ -n "$pcl" ] || {
		echo "$0: $bin: not a Go binary with the usual sections" >&2
		continue
	}
	read -r bi_addr bi_off bi_size <<<"$(sec "$bin" .go.buildinfo)"
	version=$(dd if="$bin" bs=1 skip="$bi_off" count="$bi_size" status=none |
		grep -aoE 'go1\.[0-9]+(\.[0-9]+)?' | head -n 1)
	{
		if [ -n "$mod" ]; then
			read -r a _ s <<<"$mod"
			le 8 "$a"; le 4 "$s"; le 4 0; le 8 0
		else
			read -r a _ s <<<"$nd"
			le 8 0; le 4 0; le 4 "$s"; le 8 "$a"
		fi
		read -r a _ s <<<"$rod"
		le 8 "$a"; le 4 "$s"
		read -r a _ s <<<"$txt"
		le 4 "$s"; le 8 "$a"
		fns=(runtime.forEachGRace runtime.allgadd runtime.mcommoninit
			runtime.goroutineheader)
		for f in "${fns[@]}"; do
			read -r a s <<<"$(sym "$bin" "$f")"
			le 8 "${a:-0}"
		done
		for f in "${fns[@]}"; do
			read -r a s <<<"$(sym "$bin" "$f")"
			le 4 "${s:-0}"
		done
		le 4 "$(field g_waitreason)"
		le 4 "$(field m_alllink)"
		printf '%-24s' "$version" | tr ' ' '\0'
		if [ -n "$mod" ]; then
			read -r a _ s <<<"$mod"
			chunk "$bin" "$a" "$s"
		else
			read -r a _ s <<<"$nd"
			chunk "$bin" "$a" "$s"
		fi
		read -r a _ <<<"$pcl"
		chunk "$bin" "$a" 65536
		read -r a _ <<<"$(sym "$bin" 'go:func.*' || true)"
		[ -n "${a:-}" ] || read -r a _ <<<"$(sym "$bin" 'go.func.*')"
		[ -z "${a:-}" ] || chunk "$bin" "$a" 256
		for f in "${fns[@]}"; do
			read -r a s <<<"$(sym "$bin" "$f")"
			[ -z "${a:-}" ] || chunk "$bin" "$a" "$s"
		done
	} >"$out/$name"
	echo "$out/$name"
done
