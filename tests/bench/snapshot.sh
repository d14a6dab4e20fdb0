#!/bin/bash
# Benchmark of snapshot files, grouping and diffing on the 100k target:
# tests/targets/goroutines -n 100000 is captured twice with
# `goscope dump --format=json`; the file size is reported, then
# tests/tools/snapbench times reading and writing the file, grouping at
# each level and diffing the two snapshots (medians of 5 runs, in
# process, without the capture).  Targets: files under 5 MB, reading and
# writing under 300 ms, grouping and diffing under 200 ms.
# Usage: tests/bench/snapshot.sh PATH-TO-GOSCOPE [PATH-TO-SNAPBENCH]
set -u
goscope=${1:?usage: snapshot.sh PATH-TO-GOSCOPE [SNAPBENCH]}
root=$(cd "$(dirname "$0")/../.." && pwd)
snapbench=${2:-$root/tests/tools/snapbench}
. "$root/tests/lib.sh"
n=${BENCH_GOROUTINES:-100000}
t_workdir

if [ ! -x "$snapbench" ]; then
	echo "bench: $snapbench missing (make tests/tools/snapbench)" >&2
	exit 1
fi
t_bench_target -n "$n"
"$goscope" dump --format=json -o "$work/a.json" "$pid" || exit 1
sleep 1
"$goscope" dump --format=json -o "$work/b.json" "$pid" || exit 1
"$goscope" dump -o "$work/a.txt" "$pid" || exit 1
# The target's busy goroutine would steal a core from the measurements.
t_finish "$pid"

echo "snapshot benchmark: $n parked goroutines, target built with" \
	"$(go_env "$T_GOROOT" && go env GOVERSION)"
printf '  %-40s %s bytes\n' "JSON snapshot file" "$(stat -c %s "$work/a.json")"
printf '  %-40s %s bytes\n' "the same as debug=2 text" "$(stat -c %s "$work/a.txt")"
"$snapbench" "$work/a.json" "$work/b.json" | sed 's/^/  /'
t0=$(date +%s%N)
"$goscope" groups "$work/a.txt" >/dev/null
t1=$(date +%s%N)
printf '  %-40s %d ms\n' "goscope groups on the debug=2 text" \
	$(((t1 - t0) / 1000000))
