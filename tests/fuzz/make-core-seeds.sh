#!/bin/sh
# Creates fuzz_core seeds from real cores: gcore of a short-lived sleep
# (and any CORE given), shrunk to the ELF header, program headers and
# notes, plus the first page of every segment (the others' bytes are cut
# and their p_filesz set to 0, as a core that left them out).
#
#   tests/fuzz/make-core-seeds.sh [CORE...]
#
# Needs gdb (gcore) and python3 when no CORE is given.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=$here/seeds/fuzz_core
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ $# -eq 0 ]; then
	sleep 30 &
	pid=$!
	gcore -o "$work/sleep" "$pid" >/dev/null 2>&1
	kill "$pid"
	set -- "$work/sleep.$pid"
fi
n=0
for core in "$@"; do
	n=$((n + 1))
	python3 - "$core" "$out/core-$n" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read()
phoff, = struct.unpack_from('<Q', data, 0x20)
phnum, = struct.unpack_from('<H', data, 0x38)
hdr = bytearray(data[:phoff + phnum * 56])
body = bytearray()
base = len(hdr)
for i in range(phnum):
    at = phoff + i * 56
    p_type, flags, off, vaddr, paddr, filesz, memsz, align = \
        struct.unpack_from('<IIQQQQQQ', data, at)
    keep = filesz if p_type == 4 else min(filesz, 4096 if i < 8 else 0)
    new_off = base + len(body)
    body += data[off:off + keep]
    struct.pack_into('<IIQQQQQQ', hdr, at, p_type, flags, new_off, vaddr,
                     paddr, keep, memsz, align)
open(sys.argv[2], 'wb').write(bytes(hdr + body))
PY
done
ls -l "$out"
