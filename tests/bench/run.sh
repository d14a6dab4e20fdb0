#!/bin/bash
# Benchmarks: wall time and peak memory of goscope commands, as medians of
# several runs (the machine's scheduling noise makes single runs useless).
# Usage: tests/bench/run.sh PATH-TO-GOSCOPE
set -eu
goscope=${1:?usage: run.sh PATH-TO-GOSCOPE}
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${BENCH_RUNS:-9}
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${tpid:-}" ] && kill "$tpid" 2>/dev/null; true' EXIT

# median_ms CMD...: median wall time in milliseconds and peak RSS in KiB.
measure() {
	local i t0 t1 rss
	: >"$work/times"
	: >"$work/rss"
	for i in $(seq "$runs"); do
		t0=$(date +%s%N)
		/usr/bin/time -f '%M' -o "$work/one" "$@" >/dev/null 2>&1 || true
		t1=$(date +%s%N)
		read -r rss <"$work/one"
		echo "$(((t1 - t0) / 1000))" >>"$work/times"
		echo "$rss" >>"$work/rss"
	done
	printf '%8.1f ms %8d KiB' \
		"$(sort -n "$work/times" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] / 1000 }')" \
		"$(sort -n "$work/rss" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
}

big=$(command -v go >/dev/null && readlink -f "$(command -v go)" || echo /bin/ls)
goroot=$(dirname "$(dirname "$big")")
echo "buildinfo benchmarks (median of $runs runs; wall time, peak RSS)"
echo "  file: $big ($(stat -c %s "$big") bytes)"
printf '  %-40s %s\n' "goscope buildinfo --format=go FILE" "$(measure "$goscope" buildinfo --format=go "$big")"
printf '  %-40s %s\n' "goscope buildinfo --format=json FILE" "$(measure "$goscope" buildinfo --format=json "$big")"
if [ -x "$goroot/bin/go" ]; then
	printf '  %-40s %s\n' "go version -m FILE (reference)" "$(measure "$goroot/bin/go" version -m "$big")"
fi
sleep 600 &
tpid=$!
printf '  %-40s %s\n' "goscope buildinfo PID (not Go)" "$(measure "$goscope" buildinfo "$tpid")"
if [ -x "$root/tests/out/demo" ]; then
	"$root/tests/out/demo" -duration 60s >/dev/null </dev/zero &
	dpid=$!
	sleep 0.5
	printf '  %-40s %s\n' "goscope buildinfo PID (Go demo)" "$(measure "$goscope" buildinfo "$dpid")"
	printf '  %-40s %s\n' "goscope buildinfo --from-memory PID" "$(measure "$goscope" buildinfo --from-memory "$dpid")"
	kill "$dpid"
fi
echo
bash "$root/tests/bench/dump.sh" "$goscope"
echo
# The same target stripped (no DWARF, no symbols): must cost the same.
BENCH_STRIP=1 BENCH_SIZES=${BENCH_STRIPPED_SIZES:-100000} BENCH_DELVE=0 \
	bash "$root/tests/bench/dump.sh" "$goscope"
echo
bash "$root/tests/bench/threads.sh" "$goscope"
echo
bash "$root/tests/bench/threads-refresh.sh" "$goscope"
echo
bash "$root/tests/bench/snapshot.sh" "$goscope"
echo
bash "$root/tests/bench/tui.sh" "$goscope"
