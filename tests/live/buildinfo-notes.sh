#!/bin/bash
# buildinfo-notes: ELF facts checked against binutils' readelf as the
# oracle: GNU build-id, Go build id, the FDO .note.package, the ABI tag,
# .comment, PIE/static/interpreter, symbols and DWARF, for C programs and a
# cgo Go program linked with a package note; from files and from a running
# process's memory.
set -u
. "$(dirname "$0")/../lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
PKG='{"type":"deb","name":"goscope-test","version":"1.2-3","architecture":"amd64","os":"debian","osVersion":"12"}'

# check_facts NAME BIN: compare goscope's JSON with readelf for BIN.
check_facts() {
	local name=$1 bin=$2 j want got
	t_expect 6
	j=$("$GOSCOPE" buildinfo --format=json "$bin") ||
		{ t_fail "$name json" "goscope failed"; return; }
	want=$(readelf -n "$bin" | awk '/Build ID:/ { print $3 }' | head -n 1)
	got=$(jq -r '.elf.gnu_build_id // ""' <<<"$j")
	[ "$want" = "$got" ] && t_ok "$name gnu build-id" ||
		t_fail "$name gnu build-id" "want '$want' got '$got'"
	want=$(readelf -n "$bin" | awk '/Packaging Metadata:/ { sub(/.*Metadata: /, ""); print }')
	got=$(jq -c '.elf.package // empty' <<<"$j")
	if [ -n "$want" ]; then
		[ "$(jq -c . <<<"$want")" = "$got" ] && t_ok "$name package note" ||
			t_fail "$name package note" "want '$want' got '$got'"
	else
		[ -z "$got" ] && t_ok "$name no package note" ||
			t_fail "$name no package note" "readelf none, got '$got'"
	fi
	want=$(readelf -p .comment "$bin" 2>/dev/null |
		sed -n 's/^ *\[ *[0-9a-f]*\] *//p' | sort -u)
	got=$(jq -r '.elf.comment[]' <<<"$j" | sort -u)
	[ "$want" = "$got" ] && t_ok "$name comment" ||
		t_fail "$name comment" "want '$want' got '$got'"
	want=$(readelf -lW "$bin" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
	got=$(jq -r '.elf.interpreter // ""' <<<"$j")
	[ "$want" = "$got" ] && t_ok "$name interpreter" ||
		t_fail "$name interpreter" "want '$want' got '$got'"
	want=$(readelf -SW "$bin" | grep -q ' \.symtab ' && echo true || echo false)
	want=$want/$(readelf -SW "$bin" | grep -q ' \.debug_info \| \.zdebug_info ' && echo true || echo false)
	got=$(jq -r '"\(.elf.symtab)/\(.elf.dwarf)"' <<<"$j")
	[ "$want" = "$got" ] && t_ok "$name symtab/dwarf" ||
		t_fail "$name symtab/dwarf" "want '$want' got '$got'"
	want=$(readelf -hW "$bin" | awk '/Type:/ { print $2 }')
	got=$(jq -r '.elf.type' <<<"$j")
	case "$want/$got" in
	EXEC/executable | "DYN/PIE executable" | "DYN/shared object") t_ok "$name type" ;;
	*) t_fail "$name type" "readelf $want, goscope $got" ;;
	esac
}

printf '#include <unistd.h>\nint main(void){ char c; return read(0, &c, 1) < 0; }\n' >"$work/c.c"
if gcc -g -O2 -Wl,--build-id=sha1 -Xlinker "--package-metadata=$PKG" \
	-o "$work/c-pkg" "$work/c.c" 2>/dev/null; then
	check_facts "c-pkg" "$work/c-pkg"
	cp "$work/c-pkg" "$work/c-stripped"
	strip "$work/c-stripped"
	check_facts "c-stripped" "$work/c-stripped"
else
	t_expect 1
	t_skip "c-pkg" "this linker has no --package-metadata"
fi
if gcc -static -O2 -o "$work/c-static" "$work/c.c" 2>/dev/null; then
	check_facts "c-static" "$work/c-static"
else
	t_expect 1
	t_skip "c-static" "no static C library"
fi
t_expect 1
gcc -no-pie -O0 -o "$work/c-nopie" "$work/c.c" && t_ok "c-nopie build" ||
	t_fail "c-nopie build"
check_facts "c-nopie" "$work/c-nopie"

# A cgo Go program linked externally with a GNU build-id and package note.
root=$(bash "$T_ROOT/tests/go-toolchains.sh" list 2>/dev/null |
	awk -F'\t' '$2 != "SKIP" { r = $2 } END { print r }')
if [ -n "$root" ]; then
	t_expect 1
	if go_build_with "$root" "$work/go-pkg" "$T_ROOT/tests/targets/buildinfo" \
		-ldflags="-linkmode=external -B gobuildid -extldflags '-Wl,--build-id=sha1 -Xlinker --package-metadata=$PKG'" \
		>"$work/log" 2>&1; then
		check_facts "go-cgo-pkg" "$work/go-pkg"
		want=$(readelf -n "$work/go-pkg" | awk '/Build ID:/ && ++n == 1 { next } /Build ID:/ { print $3 }')
		got=$("$GOSCOPE" buildinfo --format=json "$work/go-pkg" | jq -r .elf.go_build_id)
		gowant=$(go_env "$root" && go tool buildid "$work/go-pkg")
		[ "$got" = "$gowant" ] && t_ok "go-cgo-pkg go build id (go tool buildid)" ||
			t_fail "go-cgo-pkg go build id" "want '$gowant' got '$got'"
		# The same facts from the running process's memory.
		t_expect 6
		if start_target pid "$work/go-pkg" -wait; then
			j=$("$GOSCOPE" buildinfo --from-memory --format=json "$pid")
			stop_target "$pid"
			f=$("$GOSCOPE" buildinfo --format=json "$work/go-pkg")
			for k in .elf.gnu_build_id .elf.go_build_id .elf.package .elf.interpreter .elf.abi_tag .go.modinfo; do
				a=$(jq -c "$k" <<<"$j") b=$(jq -c "$k" <<<"$f")
				[ "$a" = "$b" ] && [ "$a" != null ] && t_ok "go-cgo-pkg memory $k" ||
					t_fail "go-cgo-pkg memory $k" "memory '$a' file '$b'"
			done
		else
			t_fail "go-cgo-pkg start" "target did not start"
			t_skip_rest "go-cgo-pkg memory" "target did not start"
		fi
	else
		sed 's/^/#   /' "$work/log" | tail -n 5
		t_fail "go-cgo-pkg build" "go build failed"
	fi
else
	t_expect 1
	t_skip "go-cgo-pkg" "no Go toolchain"
fi
t_done
