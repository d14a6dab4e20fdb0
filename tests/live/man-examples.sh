#!/bin/bash
# man-examples: the jq examples of the manual run on goscope's real output:
# every "goscope ... | jq ..." line of EXAMPLES against a live Go process,
# and the filter of SNAPSHOT FORMAT against a snapshot of it.  A filter
# that no longer fits the schema fails here (jq exits non-zero, or prints
# nothing); the goroutine count by state must add up to the snapshot's.
set -u
. "$(dirname "$0")/../lib.sh"
t_live_setup

man=$T_ROOT/man/goscope.1

# The EXAMPLES lines with jq, continuation lines joined, roff unescaped.
sed -n '/^\.SH EXAMPLES/,/^\.SH SEE ALSO/p' "$man" |
	awk '/^goscope .*\| jq/ { if (cmd != "") print cmd; cmd = $0; next }
	     /^    / && cmd != "" { cmd = cmd "\n" $0; next }
	     { if (cmd != "") print cmd; cmd = "" }
	     END { if (cmd != "") print cmd }' RS='\n' ORS='\0' |
	sed -z 's/\\-/-/g' >"$work/examples"
# One result per example, one more for each that counts by state, one
# for the number of examples found and one for SNAPSHOT FORMAT.
nex=$(tr -cd '\0' <"$work/examples" | wc -c)
ngroup=$(grep -zc 'group_by(\.state)' "$work/examples")
t_plan $((nex + ngroup + 2))

if ! command -v go >/dev/null; then
	t_skip_rest "man examples" "no Go toolchain"
	t_done
fi
if ! go_build_with "$(go env GOROOT)" "$work/target" \
	"$T_ROOT/tests/targets/goroutines" >"$work/log" 2>&1; then
	t_fail "man examples: build" "$(tail -n 1 "$work/log")"
	t_skip_rest "man examples" "no build"
	t_done
fi
start_target pid "$work/target" -n 3 || {
	t_fail "man examples: start" "target did not start"
	t_skip_rest "man examples" "no target"
	t_done
}
mkdir "$work/bin"
ln -s "$GOSCOPE" "$work/bin/goscope"

n=0
while IFS= read -r -d '' ex; do
	n=$((n + 1))
	name="man example $n: $(head -n 1 <<<"$ex" | cut -c1-60)"
	ex=${ex//4242/$pid}
	PATH="$work/bin:$PATH" bash -o pipefail -c "$ex" >"$work/out" \
		2>"$work/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		t_fail "$name" "exit $rc: $(head -n 1 "$work/err")"
	elif [[ $ex == *threads* ]]; then
		# cgo threads may be none: the filter must run and parse.
		t_ok "$name"
	elif [ ! -s "$work/out" ]; then
		t_fail "$name" "no output"
	else
		t_ok "$name"
	fi
	if [[ $ex == *group_by\(.state\)* ]]; then
		"$GOSCOPE" dump --format=json -o "$work/snap.json" "$pid"
		want=$(jq '.capture.goroutines' "$work/snap.json")
		got=$(jq '[.[].n] | add' "$work/out")
		# The two captures may differ by the goroutines that come
		# and go in the target (none here: they are all parked).
		[ "$got" = "$want" ] && t_ok "$name: counts add up ($got)" ||
			t_fail "$name: counts add up" "$got, want $want"
	fi
done <"$work/examples"
[ "$n" -ge 3 ] && t_ok "man examples found ($n)" ||
	t_fail "man examples found" "only $n"

# The filter of SNAPSHOT FORMAT, on a snapshot of the same process.
filter=$(sed -n '/^\.SH SNAPSHOT FORMAT/,/^\.SH /p' "$man" |
	sed -n '/^jq /,/^\.fi/p' | sed '$d' | sed 's/\\-/-/g')
filter=${filter#jq }
filter=${filter#\'}
filter=${filter%\'}
"$GOSCOPE" dump --format=json -o "$work/snap.json" "$pid"
if jq -e "$filter" "$work/snap.json" >"$work/out" 2>"$work/err" &&
	grep -q 'main\.' "$work/out"; then
	t_ok "snapshot format filter"
else
	t_fail "snapshot format filter" "$(head -n 1 "$work/err")"
fi
t_done
