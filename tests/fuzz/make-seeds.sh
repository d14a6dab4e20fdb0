#!/bin/sh
# Creates libFuzzer seeds under tests/fuzz/seeds/<harness>/ from real
# binaries, plus a few tiny hand-made ELF files.
#
#   tests/fuzz/make-seeds.sh [-o DIR] [-m BYTES] [--no-tiny] BINARY...
#
# For every BINARY (any ELF: Go or not, any class or byte order):
#   fuzz_elfnote      each SHT_NOTE section, behind the selector byte the
#                     harness reads (bit 0: 8-byte alignment, bit 1:
#                     big-endian)
#   fuzz_gobuildinfo  the .go.buildinfo section
#   fuzz_modinfo      the module text, as "go version -m" prints it
#   fuzz_elffile      the first 64 KiB (-m BYTES) of the file
# and, unless --no-tiny, fuzz_elffile and fuzz_elfnote seeds from tiny
# ELF files assembled here (static, PIE, 32-bit, without section
# headers, with the Go 1.18+ and the older pointer .go.buildinfo).
#
# Seeds are named bin-NAME-... and tiny-...; hand-written seeds (hand-*)
# are committed and left alone.  Needs binutils (readelf, objcopy, as,
# ld); go is optional.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=$here/seeds
tiny=1
max_elf=65536

usage() {
	echo "usage: $0 [-o DIR] [-m BYTES] [--no-tiny] BINARY..." >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	-o) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
	-m) [ $# -ge 2 ] || usage; max_elf=$2; shift 2 ;;
	--no-tiny) tiny=0; shift ;;
	-h|--help) usage ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done

for tool in readelf objcopy; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "$0: $tool is needed (binutils)" >&2
		exit 1
	}
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$out/fuzz_elfnote" "$out/fuzz_gobuildinfo" "$out/fuzz_modinfo" \
	"$out/fuzz_elffile"

# Prints one byte with value $1 (0-255).
byte() {
	# shellcheck disable=SC2059
	printf "\\$(printf '%03o' "$1")"
}

# Extracts section $2 of ELF file $1 into $3; fails if it is empty.
extract() {
	class=$(readelf -h "$1" | sed -n 's/^ *Class: *ELF\([0-9]*\).*/\1/p')
	if readelf -h "$1" | grep -q 'big endian'; then
		order=big
	else
		order=little
	fi
	# The generic target reads any machine's ELF.
	objcopy -I "elf$class-$order" -O binary --only-section="$2" \
		"$1" "$3" 2>/dev/null || return 1
	[ -s "$3" ]
}

# Note seeds: every SHT_NOTE section of $1, named after $2.
note_seeds() {
	be=0
	readelf -h "$1" | grep -q 'big endian' && be=2
	readelf -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] //p' |
	awk '$2 == "NOTE" { print $1, $NF }' |
	while read -r sect align; do
		sel=$be
		[ "$align" = 8 ] && sel=$((sel | 1))
		extract "$1" "$sect" "$tmp/note" || continue
		{ byte "$sel"; cat "$tmp/note"; } \
			>"$out/fuzz_elfnote/$2$(echo "$sect" | tr . -)"
	done
}

seed_binary() {
	name=bin-$(basename "$1" | tr -c 'A-Za-z0-9._\n-' _)
	if ! readelf -h "$1" >/dev/null 2>&1; then
		echo "$0: $1: not an ELF file, skipped" >&2
		return 0
	fi
	note_seeds "$1" "$name"
	if extract "$1" .go.buildinfo "$tmp/gobi"; then
		cp "$tmp/gobi" "$out/fuzz_gobuildinfo/$name"
	fi
	if command -v go >/dev/null 2>&1 &&
	   go version -m "$1" >"$tmp/mod" 2>/dev/null; then
		# "go version -m" indents each line of the module text by a tab.
		sed -n 's/^\t//p' "$tmp/mod" >"$tmp/modtext"
		[ -s "$tmp/modtext" ] &&
			cp "$tmp/modtext" "$out/fuzz_modinfo/$name.txt"
	fi
	head -c "$max_elf" "$1" >"$out/fuzz_elffile/$name"
	echo "seeded from $1"
}

# The tiny ELF files: notes, .go.buildinfo in a writable segment, _start.
tiny_asm() {
	cat <<'EOF'
	.ifdef PTR64
	.macro ptr v
	.quad \v
	.endm
	.set PTRSIZE, 8
	.else
	.macro ptr v
	.long \v
	.endm
	.set PTRSIZE, 4
	.endif

	.section .note.ABI-tag,"a",@note
	.p2align 2
	.long 4, 16, 1
	.asciz "GNU"
	.long 0, 3, 2, 0

	.section .note.go.buildid,"a",@note
	.p2align 2
	.long 4, 2f - 1f, 4
	.ascii "Go\0\0"
1:	.ascii "tinyActionID/tinyContentID"
2:	.p2align 2

	.section .note.package,"a",@note
	.p2align 2
	.long 4, 2f - 1f, 0xcafe1a7e
	.asciz "FDO"
1:	.asciz "{\"type\":\"deb\",\"name\":\"tiny\",\"version\":\"1.0\"}"
2:	.p2align 2

	.section .rodata,"a"
vers:	.ascii "go1.21.0"
vers_end:
mod:	.byte 0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02
	.byte 0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6
	.ascii "path\texample.com/tiny\n"
	.ascii "mod\texample.com/tiny\t(devel)\t\n"
	.ascii "build\t-compiler=gc\n"
	.byte 0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72
	.byte 0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2
mod_end:

	/* Alone in the RW segment, so a scan of the segment finds it. */
	.section .go.buildinfo,"aw"
	.p2align 4
	.ascii "\377 Go buildinf:"
	.ifdef OLDGO
	/* Go 1.17 and older: pointers to two string headers. */
	.byte PTRSIZE, 0
	ptr vers_hdr
	ptr mod_hdr
	.p2align 4
vers_hdr:
	ptr vers
	ptr (vers_end-vers)
mod_hdr:
	ptr mod
	ptr (mod_end-mod)
	.else
	/* Go 1.18+: both strings inline, length-prefixed (< 128 here). */
	.byte PTRSIZE, 2
	.zero 16
	.byte vers_end - vers
	.ascii "go1.21.0"
	.byte mod_end - mod
	.byte 0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02
	.byte 0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6
	.ascii "path\texample.com/tiny\n"
	.ascii "mod\texample.com/tiny\t(devel)\t\n"
	.ascii "build\t-compiler=gc\n"
	.byte 0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72
	.byte 0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2
	.endif
	/* As in Go binaries, more data follows the blob. */
	.p2align 4
	.zero 16

	.text
	.globl _start
_start:
	hlt
EOF
}

# Zeroes e_shoff, e_shnum and e_shstrndx: an image without sections.
strip_shdrs() {
	cp "$1" "$2"
	if [ "$3" = 64 ]; then
		dd if=/dev/zero of="$2" bs=1 seek=40 count=8 conv=notrunc \
			2>/dev/null
		dd if=/dev/zero of="$2" bs=1 seek=60 count=4 conv=notrunc \
			2>/dev/null
	else
		dd if=/dev/zero of="$2" bs=1 seek=32 count=4 conv=notrunc \
			2>/dev/null
		dd if=/dev/zero of="$2" bs=1 seek=48 count=4 conv=notrunc \
			2>/dev/null
	fi
}

# tiny_one NAME AS_FLAGS LD_FLAGS
tiny_one() {
	# shellcheck disable=SC2086
	if ! as $2 -o "$tmp/$1.o" "$tmp/tiny.s" ||
	   ! ld $3 -z noseparate-code -z norelro --build-id=sha1 -s \
		-o "$tmp/$1" "$tmp/$1.o"; then
		echo "$0: cannot assemble $1, skipped" >&2
		return 0
	fi
	cp "$tmp/$1" "$out/fuzz_elffile/tiny-$1"
	# The variants carry the same notes; one set is enough.
	[ "$1" = static64 ] && note_seeds "$tmp/$1" "tiny-$1"
	echo "seeded tiny-$1"
}

seed_tiny() {
	if ! command -v as >/dev/null 2>&1 || ! command -v ld >/dev/null 2>&1
	then
		echo "$0: as/ld missing, no tiny ELF files" >&2
		return 0
	fi
	tiny_asm >"$tmp/tiny.s"
	tiny_one static64 "--64 --defsym PTR64=1" "-m elf_x86_64 -static"
	tiny_one oldgo64 "--64 --defsym PTR64=1 --defsym OLDGO=1" \
		"-m elf_x86_64 -static"
	tiny_one pie64 "--64 --defsym PTR64=1" \
		"-m elf_x86_64 -pie --no-dynamic-linker"
	tiny_one static32 "--32" "-m elf_i386 -static"
	tiny_one oldgo32 "--32 --defsym OLDGO=1" "-m elf_i386 -static"
	if [ -s "$tmp/static64" ]; then
		strip_shdrs "$tmp/static64" "$out/fuzz_elffile/tiny-noshdr64" 64
		echo "seeded tiny-noshdr64"
	fi
	if [ -s "$tmp/oldgo32" ]; then
		strip_shdrs "$tmp/oldgo32" "$out/fuzz_elffile/tiny-noshdr32" 32
		echo "seeded tiny-noshdr32"
	fi
}

for bin in "$@"; do
	seed_binary "$bin"
done
[ "$tiny" = 1 ] && seed_tiny
du -sh "$out"
