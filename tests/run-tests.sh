#!/bin/sh
# Runs test programs and scripts and counts their TAP result lines.
#
# Each test prints "ok - NAME", "not ok - NAME # reason" or
# "ok - NAME # SKIP reason" lines (cmocka is switched to TAP output; its
# skip() writes "not ok N # SKIP NAME", counted as a skip), and
# declares its plan, "1..N", before its first or after its last result
# line as TAP allows.  A test fails
#   - for each "not ok" line;
#   - when its plan differs from the number of result lines (a cell that
#     vanished without a result, or an extra one), or it declares no plan
#     (GOSCOPE_TEST_PLANS=warn makes that a warning);
#   - when its exit status is non-zero without a "not ok" line;
#   - when it runs longer than GOSCOPE_TEST_TIMEOUT seconds (default 900),
#     then it and every process it started are killed.
# Exit status 77 with no result line counts as one skip.  The last line is
# the summary "N passed, N failed, N skipped".
set -u

: "${GOSCOPE_TEST_OUT:=tests/out}"
: "${GOSCOPE_TEST_TIMEOUT:=900}"
# "require" (the default): a test without a plan fails; "warn": it gets
# a warning.
: "${GOSCOPE_TEST_PLANS:=require}"
mkdir -p "$GOSCOPE_TEST_OUT"
export CMOCKA_MESSAGE_OUTPUT=TAP
pass=0 fail=0 skip=0 failed_names=""

for t in "$@"; do
	name=$(basename "$t")
	log="$GOSCOPE_TEST_OUT/$name.log"
	echo "# $t"
	start=$(date +%s)
	# timeout(1) runs the test in a process group of its own and, when
	# the time is up, signals the whole group (targets included).
	case "$t" in
	*.sh) timeout -k 10 "$GOSCOPE_TEST_TIMEOUT" bash "$t" >"$log" 2>&1 ;;
	*) timeout -k 10 "$GOSCOPE_TEST_TIMEOUT" "./$t" >"$log" 2>&1 ;;
	esac
	rc=$?
	secs=$(($(date +%s) - start))
	p=$(grep -Ec '^ok( |$)' "$log" | head -n 1)
	s=$(grep -Eic '^ok .*# *skip' "$log" | head -n 1)
	f=$(grep -Ec '^not ok( |$)' "$log" | head -n 1)
	# cmocka writes a skip() as "not ok N # SKIP NAME": a skip.
	cs=$(grep -Ec '^not ok [0-9]+ # SKIP' "$log" | head -n 1)
	s=$((s + cs)) f=$((f - cs))
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
	nplans=$(grep -Ec '^1\.\.[0-9]' "$log" | head -n 1)
	p=$((p - s + cs))
	n=$((p + f + s))
	grep -E '^(not ok|ok .*# *[Ss][Kk][Ii][Pp])' "$log" | sed 's/^/  /'
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		f=$((f + 1))
		echo "  not ok - $name timed out after ${GOSCOPE_TEST_TIMEOUT}s" \
			"(GOSCOPE_TEST_TIMEOUT); last lines:"
		tail -n 15 "$log" | sed 's/^/    /'
	elif [ "$rc" -eq 77 ] && [ "$n" -eq 0 ]; then
		s=1
		echo "  skipped: $(tail -n 1 "$log")"
	elif [ "$nplans" -gt 1 ]; then
		f=$((f + 1))
		echo "  not ok - $name declared $nplans plans"
	elif [ "$nplans" -eq 0 ] && [ "$GOSCOPE_TEST_PLANS" = require ]; then
		f=$((f + 1))
		echo "  not ok - $name declared no plan (1..N)"
	elif [ "$nplans" -eq 0 ] && [ "$rc" -eq 0 ] && [ "$n" -gt 0 ]; then
		echo "  warning: $name declared no plan (1..N): a cell that" \
			"ends without a result goes unnoticed"
	elif [ "$nplans" -eq 0 ]; then
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1 &&
			echo "  not ok - $name exited with status $rc"
		[ "$n" -eq 0 ] && f=1 && echo "  not ok - $name reported no result"
	elif [ "$plan" -ne "$n" ]; then
		f=$((f + 1))
		echo "  not ok - $name planned $plan results, printed $n;" \
			"last lines:"
		tail -n 5 "$log" | sed 's/^/    /'
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "  not ok - $name exited with status $rc; last lines:"
		tail -n 15 "$log" | sed 's/^/    /'
	elif [ "$rc" -eq 0 ] && [ "$n" -eq 0 ]; then
		# "1..0 # SKIP why": nothing could run here.
		s=1
		echo "  skipped: $(grep -E '^1\.\.0' "$log")"
	fi
	[ "$f" -gt 0 ] && failed_names="$failed_names $name"
	echo "  $p passed, $f failed, $s skipped in ${secs}s (log: $log)"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done

[ -n "$failed_names" ] && echo "# failed:$failed_names"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
