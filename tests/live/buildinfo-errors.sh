#!/bin/bash
# buildinfo-errors: bad input gets one line on stderr and the documented
# exit status (1 runtime error, 2 usage), never a crash; non-Go ELF files
# succeed with a "not a Go binary" line.
set -u
. "$(dirname "$0")/../lib.sh"
t_plan 19

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

t_expect_status "no such file" 1 "$GOSCOPE" buildinfo "$work/nope"
t_expect_status "not ELF" 1 "$GOSCOPE" buildinfo /etc/hostname
t_expect_status "directory" 1 "$GOSCOPE" buildinfo /
t_expect_status "empty file" 1 "$GOSCOPE" buildinfo /dev/null
t_expect_status "no such pid" 1 "$GOSCOPE" buildinfo 999999999
t_expect_status "pid without exe (kthreadd)" 1 "$GOSCOPE" buildinfo 2
t_expect_status "usage: no target" 2 "$GOSCOPE" buildinfo
t_expect_status "usage: bad format" 2 "$GOSCOPE" buildinfo --format=xml /bin/ls
t_expect_status "usage: unknown option" 2 "$GOSCOPE" buildinfo --bogus /bin/ls
t_expect_status "usage: unknown command" 2 "$GOSCOPE" frobnicate
t_expect_status "non-Go ELF text" 0 "$GOSCOPE" buildinfo /bin/ls
t_expect_status "non-Go ELF json" 0 "$GOSCOPE" buildinfo --format=json /bin/ls
t_expect_status "non-Go ELF go-format" 1 "$GOSCOPE" buildinfo --format=go /bin/ls

if "$GOSCOPE" buildinfo /bin/ls | grep -q '^go: *not a Go binary'; then
	t_ok "non-Go ELF says so"
else
	t_fail "non-Go ELF says so"
fi
if [ "$("$GOSCOPE" buildinfo --format=json /bin/ls | jq -r '.go, .elf.machine')" = "null
x86-64" ]; then
	t_ok "non-Go ELF json has elf facts and go null"
else
	t_fail "non-Go ELF json"
fi

# Damaged copies of a real Go binary: truncated at many lengths, and with
# garbage written over the headers.  Any exit status but a crash is fine
# as long as an error comes with one message.
gobin=$("$T_ROOT/tests/go-toolchains.sh" list 2>/dev/null | awk -F'\t' '$2 != "SKIP" { print $2; exit }')
if [ -n "$gobin" ]; then
	cp "$gobin/bin/go" "$work/go.bin"
	size=$(stat -c %s "$work/go.bin")
	crashes=0 truncs=0
	for n in 16 63 64 100 1000 4096 65536 1000000 $((size / 2)) $((size - 1)); do
		head -c "$n" "$work/go.bin" >"$work/trunc"
		"$GOSCOPE" buildinfo --format=json "$work/trunc" >/dev/null 2>"$work/err"
		rc=$?
		if [ $rc -ge 128 ] || { [ $rc -ne 0 ] && [ ! -s "$work/err" ]; }; then
			echo "#   truncated at $n: exit $rc"
			crashes=$((crashes + 1))
		fi
		# Past the ELF and program headers, a cut file is said to be cut.
		if [ "$n" -gt 64 ] && { [ $rc -ne 1 ] ||
			! grep -q "is truncated" "$work/err"; }; then
			echo "#   truncated at $n: exit $rc: $(head -n 1 "$work/err")"
			truncs=$((truncs + 1))
		fi
	done
	[ $truncs -eq 0 ] && t_ok "truncated Go binaries: error, exit 1" ||
		t_fail "truncated Go binaries: error, exit 1" "$truncs wrong"
	[ "$(wc -c <"$work/go.bin")" -eq "$size" ] &&
		"$GOSCOPE" buildinfo "$work/go.bin" >/dev/null &&
		t_ok "the whole binary still reads" ||
		t_fail "the whole binary still reads"
	for off in 0x10 0x20 0x28 0x34 0x3a 0x3c 0x40 0x1000; do
		cp "$work/go.bin" "$work/bad"
		printf '\xff\xff\xff\xff\xff\xff\xff\x7f' |
			dd of="$work/bad" bs=1 seek=$((off)) conv=notrunc status=none
		"$GOSCOPE" buildinfo "$work/bad" >/dev/null 2>"$work/err"
		rc=$?
		if [ $rc -ge 128 ] || { [ $rc -ne 0 ] && [ ! -s "$work/err" ]; }; then
			echo "#   garbage at $off: exit $rc"
			crashes=$((crashes + 1))
		fi
	done
	if [ $crashes -eq 0 ]; then
		t_ok "damaged Go binaries: no crash"
	else
		t_fail "damaged Go binaries" "$crashes crashes"
	fi
else
	t_skip "truncated Go binaries" "no Go toolchain"
	t_skip "the whole binary still reads" "no Go toolchain"
	t_skip "damaged Go binaries" "no Go toolchain"
fi

# Permission denied: an unprivileged user reading a root process.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	sleep 30 &
	spid=$!
	cp "$GOSCOPE" "$work/goscope"
	chmod 755 "$work" "$work/goscope"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$work/goscope" buildinfo "$spid" >/dev/null 2>"$work/err"
	rc=$?
	kill "$spid"
	if [ $rc -eq 1 ] && [ "$(wc -l <"$work/err")" -eq 1 ] &&
		grep -q 'CAP_SYS_PTRACE\|ptrace_scope' "$work/err"; then
		echo "#   $(cat "$work/err")"
		t_ok "permission denied is explained"
	else
		sed 's/^/#   /' "$work/err"
		t_fail "permission denied is explained" "exit $rc"
	fi
else
	t_skip "permission denied is explained" "needs root to drop privileges"
fi
t_done
