#!/bin/bash
# dump-json: `goscope dump --format=json` against the target's own view,
# for every toolchain: capture metadata (pid, Go version, thread count,
# measured pause and its parts), the same goroutines as the go format, pprof labels set
# with pprof.Do, "locked to thread", parent goroutines and creation sites.
set -u
. "$(dirname "$0")/../lib.sh"
t_live_setup


# gs: the goroutines of a goscope.snapshot/2 document as objects, each
# with its shape's fields, id, wait_ns, parent and frames.
GS='def gs: . as $d | [$d.goroutines[] | . as $r | $d.shapes[$r[1]] +
	{id: $r[0], wait_ns: $r[2], parent: $r[3],
	 frames: [$d.stacks[$d.shapes[$r[1]].stack][] | $d.frames[.]]}];'

check() { # NAME JQ-EXPR (must print true)
	local got
	got=$(jq -r "$GS $2" "$work/json" 2>&1)
	if [ "$got" = true ]; then
		t_ok "$1"
	else
		t_fail "$1" "$(head -c 200 <<<"$got")"
	fi
}

toolchains=$(bash "$T_ROOT/tests/go-toolchains.sh" list)
while IFS=$'\t' read -r ver root reason; do
	# 10 checks, and the parents check from go1.21 on.
	t_expect $((10 + (${ver#1.} >= 21)))
	t_cell_missing "go$ver/json" "$ver" "$root" "$reason" && continue
	bin=$work/goroutines-$ver
	t_cell_goroutines "go$ver/json" "$root" "$bin" || continue
	# The runtime may start or end a thread around the capture.
	tmin=$(ls "/proc/$pid/task" | wc -l)
	"$GOSCOPE" dump --format=json "$pid" >"$work/json" 2>"$work/err" &&
		"$GOSCOPE" dump "$pid" >"$work/text" 2>>"$work/err"
	rc=$?
	tmax=$(ls "/proc/$pid/task" | wc -l)
	[ "$tmax" -lt "$tmin" ] && { t=$tmin; tmin=$tmax; tmax=$t; }
	t_finish "$pid"
	if [ $rc -ne 0 ]; then
		t_fail "go$ver/json capture" "$(head -n 1 "$work/err")"
		t_skip_rest "go$ver/json" "no capture"
		continue
	fi
	gover=$(go_env "$root" && go env GOVERSION)
	check "go$ver/json schema and metadata" \
		"(.schema == \"goscope.snapshot/2\") and
		 (.capture.go_version == \"$gover\") and
		 (.capture.pause_ns > 0) and
		 (.capture.threads == (.threads | length)) and
		 (.capture.threads >= $tmin - 1) and
		 (.capture.threads <= $tmax + 1) and
		 (.capture.goroutines == (.goroutines | length))"
	# Each stop's parts fit in it; it read allglen, allgs and the g
	# structs (at least three ranges) in at most one call per range.
	check "go$ver/json stop parts" \
		'all(.capture.stops[]; (.threads_ns + .allgs_ns + .gs_ns +
		 .ms_ns + .decode_ns + .stacks_ns + .waits_ns + .hook_ns +
		 .resume_ns) <= .pause_ns and
		 .allgs_ns + .gs_ns + .ms_ns + .decode_ns + .stacks_ns <=
		 .registry_ns) and
		 (.capture.stops[0] | .ranges >= 3 and .read_calls >= 1 and
		  .read_calls <= .ranges)'
	want=$(awk '/^goroutine [0-9]+ /{ print $2 }' "$work/text" | sort -n | tr '\n' ' ')
	got=$(jq -r "$GS"'[gs[] | select(.system | not) | .id] | sort | .[]' \
		"$work/json" | tr '\n' ' ')
	[ "$want" = "$got" ] && t_ok "go$ver/json same goroutines as go format" ||
		t_fail "go$ver/json same goroutines" "text [$want] json [$got]"
	check "go$ver/json labels from pprof.Do" \
		'[gs[] | select(any(.frames[]; .func == "main.parkLabelled")) | .labels.goscope] == ["labelled"]'
	check "go$ver/json locked to thread" \
		'[gs[] | select(any(.frames[]; .func == "main.parkLockedThread")) | .locked_to_thread] == [true]'
	check "go$ver/json unlabelled goroutines have no labels" \
		'[gs[] | select(any(.frames[]; .func == "main.parkLockedThread")) | .labels] == [{}]'
	check "go$ver/json every index is valid" \
		'(.shapes | length) as $n | (.stacks | length) as $m |
		 (.frames | length) as $k |
		 all(.goroutines[]; .[1] >= 0 and .[1] < $n) and
		 all(.shapes[]; .stack >= 0 and .stack < $m) and
		 all(.stacks[][]; . >= 0 and . < $k)'
	check "go$ver/json main goroutine" \
		'[gs[] | select(.id == 1) | .start_func] == ["runtime.main"]'
	check "go$ver/json threads map to Ms" \
		'(.threads | length) > 0 and any(.threads[]; .m != null)'
	# Creation sites agree with the go format's "created by" lines.
	want=$(awk '/^created by /{ print $3 }' "$work/text" | sort | uniq -c | sort)
	got=$(jq -r "$GS"'gs[] | select(.system | not) | select(.id != 1) |
		select(.created_by.func | startswith("runtime.") | not) |
		.created_by.func' "$work/json" | sort | uniq -c | sort)
	[ "$want" = "$got" ] && t_ok "go$ver/json creation sites" ||
		t_fail "go$ver/json creation sites" "differs from go format"
	if [ "${ver#1.}" -ge 21 ]; then
		check "go$ver/json parents are goroutines or gone" \
			'all(gs[] | select(.id != 1 and (.system | not)); .parent != null)'
	fi
done <<<"$toolchains"
t_done
