#!/bin/sh
# Runs test programs and scripts and counts their TAP-style result lines.
#
# Each test prints "ok - NAME", "not ok - NAME # reason" or
# "ok - NAME # SKIP reason" lines (cmocka is switched to TAP output).
# A test whose exit status is non-zero without a "not ok" line counts as
# one failure; exit status 77 with no result line counts as one skip.
# The last line is the summary "N passed, N failed, N skipped".
set -u

: "${GOSCOPE_TEST_OUT:=tests/out}"
mkdir -p "$GOSCOPE_TEST_OUT"
export CMOCKA_MESSAGE_OUTPUT=TAP
pass=0 fail=0 skip=0 failed_names=""

for t in "$@"; do
	name=$(basename "$t")
	log="$GOSCOPE_TEST_OUT/$name.log"
	echo "# $t"
	case "$t" in
	*.sh) bash "$t" >"$log" 2>&1 ;;
	*) "./$t" >"$log" 2>&1 ;;
	esac
	rc=$?
	p=$(grep -Ec '^ok [0-9]*' "$log" | head -n 1)
	s=$(grep -Eic '^ok .*# *skip' "$log" | head -n 1)
	f=$(grep -Ec '^not ok' "$log" | head -n 1)
	p=$((p - s))
	grep -E '^(not ok|ok .*# *[Ss][Kk][Ii][Pp])' "$log" | sed 's/^/  /'
	if [ "$rc" -eq 77 ] && [ $((p + f + s)) -eq 0 ]; then
		s=1
		echo "  skipped: $(tail -n 1 "$log")"
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "  not ok - $name exited with status $rc; last lines:"
		tail -n 15 "$log" | sed 's/^/    /'
	elif [ "$rc" -eq 0 ] && [ $((p + f + s)) -eq 0 ]; then
		f=1
		echo "  not ok - $name reported no result"
	fi
	[ "$f" -gt 0 ] && failed_names="$failed_names $name"
	echo "  $p passed, $f failed, $s skipped (log: $log)"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done

[ -n "$failed_names" ] && echo "# failed:$failed_names"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
