#!/bin/bash
# snapshot-formats: the formats of one snapshot against the Go runtime's
# own, for every toolchain of the matrix, on tests/targets/goroutines:
#   - --format=go1 equals the target's own debug=1 profile (dump1) for
#     every stable goroutine (the serving main goroutine, the busy loop
#     and the heartbeat change between the two and are left out);
#   - the JSON snapshot reads back and writes the same bytes;
#   - `go tool pprof -top` opens --format=pprof and its total equals the
#     snapshot's goroutine count;
#   - groups of the runtime's own debug=2 dump have the same ids and
#     counts as the groups of the live capture (Go 1.21+, whose dumps
#     keep both ends of long stacks);
#   - --format=openmetrics and groups --format=json are well formed.
set -u
. "$(dirname "$0")/../lib.sh"
t_live_setup
trap '' PIPE

# stable_records FILE: the debug=1 text without the records of the
# goroutines that move (blank-line separated records; header kept).
stable_records() {
	awk 'BEGIN { RS = ""; ORS = "\n\n" }
	     NR == 1 { n = index($0, "\n"); print substr($0, 1, n - 1)
		       $0 = substr($0, n + 1) }
	     /main\.serveCommands|main\.busyLoop|main\.heartbeat/ { next }
	     { print }' "$1"
}

volatile='["main.serveCommands","main.busyLoop","main.heartbeat"]'
# stable_groups FILE: "id count" of groups whose stack is not volatile.
stable_groups() {
	jq -r --argjson v "$volatile" '.groups[] |
		select([.stack[].func] | any(. as $f | $v | index($f)) | not) |
		"\(.id) \(.count)"' "$1" | sort
}

toolchains=$(bash "$T_ROOT/tests/go-toolchains.sh" list)
while IFS=$'\t' read -r ver root reason; do
	# go1, json, pprof, openmetrics, and groups from go1.21 on.
	t_expect $((4 + (${ver#1.} >= 21)))
	t_cell_missing "go$ver/formats" "$ver" "$root" "$reason" && continue
	bin=$work/goroutines-$ver
	t_cell_goroutines "go$ver/formats" "$root" "$bin" -n 5 || continue
	rm -f "$work"/want* "$work"/got* "$work"/snap*
	"$GOSCOPE" dump --format=go1 "$pid" >"$work/got1" 2>"$work/err" &&
		"$GOSCOPE" dump --format=json -o "$work/snap.json" "$pid" \
			2>>"$work/err"
	rc=$?
	t_tcmd "$pid" "dump1 $work/want1" && t_tcmd "$pid" "dump $work/want2"
	t_finish "$pid"
	if [ $rc -ne 0 ] || [ ! -s "$work/want1" ]; then
		t_fail "go$ver/formats capture" "$(head -n 1 "$work/err")"
		t_skip_rest "go$ver/formats" "no capture"
		continue
	fi

	stable_records "$work/want1" >"$work/want1.s"
	stable_records "$work/got1" >"$work/got1.s"
	t_same "go$ver/go1 equals the runtime's debug=1 (stable goroutines)" \
		"$work/want1.s" "$work/got1.s"

	"$GOSCOPE" dump --format=json "$work/snap.json" >"$work/snap2.json"
	t_same "go$ver/json snapshot reads back to the same bytes" \
		"$work/snap.json" "$work/snap2.json"

	n=$(jq '[.goroutines[] as $g | .shapes[$g[1]] |
		select(.system | not)] | length' "$work/snap.json")
	"$GOSCOPE" dump --format=pprof -o "$work/snap.pb.gz" "$work/snap.json"
	top=$(go_env "$root" && go tool pprof -top "$work/snap.pb.gz" 2>&1)
	total=$(sed -n 's/.* of \([0-9]*\) total.*/\1/p' <<<"$top" | head -n 1)
	if [ -n "$total" ] && [ "$total" = "$n" ] &&
		grep -q '^Type: goroutine' <<<"$top"; then
		t_ok "go$ver/pprof opens in go tool pprof, total $total"
	else
		head -n 5 <<<"$top" | sed 's/^/#   /'
		t_fail "go$ver/pprof total" "pprof says '${total:-?}', snapshot $n"
	fi

	if [ "${ver#1.}" -ge 21 ]; then
		"$GOSCOPE" groups --format=json "$work/want2" >"$work/gw" &&
			"$GOSCOPE" groups --format=json "$work/snap.json" \
				>"$work/gg"
		stable_groups "$work/gw" >"$work/gw.s"
		stable_groups "$work/gg" >"$work/gg.s"
		t_same "go$ver/groups of the runtime's dump match the capture" \
			"$work/gw.s" "$work/gg.s"
	fi

	"$GOSCOPE" dump --format=openmetrics "$work/snap.json" >"$work/om"
	if grep -q '^goscope_goroutines_all [0-9]*$' "$work/om" &&
		grep -q '^goscope_goroutine_group{group="[0-9a-f]\{16\}",' \
			"$work/om" &&
		[ "$(tail -n 1 "$work/om")" = "# EOF" ]; then
		t_ok "go$ver/openmetrics"
	else
		t_fail "go$ver/openmetrics"
	fi
done <<<"$toolchains"
t_done
