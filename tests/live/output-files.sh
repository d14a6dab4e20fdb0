#!/bin/bash
# output-files: -o never follows a planted link, never turns a FIFO or a
# device into a regular file, never leaves a truncated file behind with
# exit status 0, and binary output is not written to a terminal.
# (dump reads a snapshot file here; the same writer serves watch -o and
# the interactive view's export.)
set -u
. "$(dirname "$0")/../lib.sh"
t_plan 11

work=$(mktemp -d)
trap 'rm -rf "$work"; kill $(jobs -p) 2>/dev/null' EXIT
cat >"$work/in.txt" <<'EOF'
goroutine 1 [running]:
main.main()
	/src/main.go:5 +0x1d
EOF

# A file the writer must not touch, behind a link planted at the output.
echo secret >"$work/victim"
ln -s "$work/victim" "$work/out.json"
t_expect_status "dump -o: symbolic link refused" 1 \
	"$GOSCOPE" dump --format=json -o "$work/out.json" "$work/in.txt"
[ "$(cat "$work/victim")" = secret ] && t_ok "dump -o: link target intact" ||
	t_fail "dump -o: link target intact" "victim was overwritten"
rm -f "$work/out.json"

# Planted names beside the output do not matter: the temporary is new.
for n in out.json.tmp .out.json.tmp; do ln -s "$work/victim" "$work/$n"; done
"$GOSCOPE" dump --format=json -o "$work/out.json" "$work/in.txt"
rc=$?
if [ $rc -eq 0 ] && [ "$(cat "$work/victim")" = secret ] &&
	jq -e '.goroutines | length == 1' "$work/out.json" >/dev/null; then
	t_ok "dump -o: planted temporaries ignored"
else
	t_fail "dump -o: planted temporaries ignored" "exit $rc"
fi
leftover=$(find "$work" -name '*.tmp' -type f | wc -l)
[ "$leftover" -eq 0 ] && t_ok "dump -o: no temporary left" ||
	t_fail "dump -o: no temporary left" "$leftover left"

# A full device is an error with exit 1, not a silent success.
if [ -w /dev/full ]; then
	t_expect_status "dump -o /dev/full fails" 1 \
		"$GOSCOPE" dump -o /dev/full "$work/in.txt"
	t_expect_status "dump > /dev/full fails" 1 \
		sh -c '"$0" dump "$1" >/dev/full' "$GOSCOPE" "$work/in.txt"
else
	t_skip "dump -o /dev/full fails" "no /dev/full"
	t_skip "dump > /dev/full fails" "no /dev/full"
fi

# A write cut short (file size limit) keeps the previous file whole.
"$GOSCOPE" dump --format=json -o "$work/keep.json" "$work/in.txt"
cp "$work/keep.json" "$work/keep.orig"
# (stderr goes through a pipe: the limit applies to regular files)
err=$( (
	trap '' XFSZ
	ulimit -f 0
	exec "$GOSCOPE" dump --format=json -o "$work/keep.json" "$work/in.txt"
) 2>&1 >/dev/null)
rc=$?
echo "$err" >"$work/err"
if [ $rc -eq 1 ] && cmp -s "$work/keep.json" "$work/keep.orig" &&
	[ "$(wc -l <"$work/err")" -eq 1 ]; then
	t_ok "dump -o: failed write keeps the old file"
else
	t_fail "dump -o: failed write keeps the old file" \
		"exit $rc: $(head -n 1 "$work/err")"
fi

# A FIFO receives the bytes and stays a FIFO.
mkfifo "$work/fifo"
cat "$work/fifo" >"$work/fromfifo" &
reader=$!
"$GOSCOPE" dump --format=json -o "$work/fifo" "$work/in.txt"
rc=$?
wait "$reader"
if [ $rc -eq 0 ] && [ -p "$work/fifo" ] &&
	jq -e '.goroutines | length == 1' "$work/fromfifo" >/dev/null; then
	t_ok "dump -o FIFO: written in place"
else
	t_fail "dump -o FIFO: written in place" "exit $rc"
fi

# /dev/stdout is standard output, not a file to replace.
"$GOSCOPE" dump --format=json -o /dev/stdout "$work/in.txt" >"$work/so.json"
rc=$?
if [ $rc -eq 0 ] && jq -e '.goroutines | length == 1' "$work/so.json" \
	>/dev/null; then
	t_ok "dump -o /dev/stdout"
else
	t_fail "dump -o /dev/stdout" "exit $rc"
fi

# A directory is not a file.
t_expect_status "dump -o DIR refused" 1 \
	"$GOSCOPE" dump -o "$work" "$work/in.txt"

# pprof is binary: refused on a terminal (script(1) provides one).
if command -v script >/dev/null; then
	script -qec "'$GOSCOPE' dump --format=pprof '$work/in.txt'; echo rc=\$?" \
		/dev/null >"$work/tty" 2>&1
	if grep -q "rc=1" "$work/tty" && grep -q "terminal" "$work/tty"; then
		t_ok "pprof refused on a terminal"
	else
		t_fail "pprof refused on a terminal" "$(tr -d '\r' <"$work/tty" |
			head -c 200)"
	fi
else
	t_skip "pprof refused on a terminal" "no script(1)"
fi
t_done
