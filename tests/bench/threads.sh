#!/bin/bash
# Benchmark of `goscope threads` on a C program with 200 threads (100
# blocked in read, 100 in nanosleep, plus a busy loop and a 1 ms
# heartbeat): how long the target was stopped, as measured by goscope and
# by the target's own heartbeat (the largest gap between its ticks), and
# the wall time and peak RSS; next to eu-stack -p (elfutils) on the same
# process, plain and with inlined frames and source lines (-i -s, what
# goscope always shows).  eu-stack stops one thread at a time while it
# unwinds it, so it has no single pause to report.  Medians of BENCH_RUNS.
# Usage: tests/bench/threads.sh PATH-TO-GOSCOPE
set -u
goscope=${1:?usage: threads.sh PATH-TO-GOSCOPE}
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${BENCH_RUNS:-7}
nthreads=${BENCH_THREADS:-200}
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${tpid:-}" ] && kill "$tpid" 2>/dev/null; true' EXIT

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "-" }'; }

gcc -O2 -g -pthread -o "$work/spin" "$root/tests/targets/threads/spin.c" || exit 1
coproc T { exec "$work/spin" -r $((nthreads / 2)) -s $((nthreads / 2)) -C; }
tpid=$T_PID
read -r _ pid <&"${T[0]}"
sleep 0.5

target_gap() {
	echo gap >&"${T[1]}"
	read -r -t 60 reply <&"${T[0]}"
	echo "$reply" | awk '{ print $2 / 1000 }'
}

# run NAME CMD...: one line of medians for CMD against the target.
run() {
	local name=$1 i wall rss
	shift
	: >"$work/pause"; : >"$work/gap"; : >"$work/wall"; : >"$work/rss"
	for i in $(seq "$runs"); do
		target_gap >/dev/null
		/usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/stats"
		sed -n 's/.*stopped \([0-9.]*\) ms.*/\1/p' "$work/stats" >>"$work/pause"
		read -r wall rss < <(tail -n 1 "$work/time")
		echo "$wall" >>"$work/wall"
		echo "$rss" >>"$work/rss"
		target_gap >>"$work/gap"
	done
	printf '%-30s %12s %12s %9s %8s\n' "$name" \
		"$(median <"$work/pause")" "$(median <"$work/gap")" \
		"$(median <"$work/wall")" \
		"$(median <"$work/rss" | awk '{ printf "%d", $1 / 1024 }')"
}

echo "threads benchmark: $(ls /proc/"$pid"/task | wc -l) threads; medians of $runs runs"
printf '%-30s %12s %12s %9s %8s\n' tool "stopped(ms)" "hb gap(ms)" "wall(s)" "RSS(MB)"
run "goscope threads" "$goscope" threads --stats "$pid"
run "goscope threads --format=json" "$goscope" threads --format=json --stats "$pid"
if command -v eu-stack >/dev/null; then
	run "eu-stack -p" eu-stack -p "$pid"
	run "eu-stack -i -s -p" eu-stack -i -s -p "$pid"
else
	echo "eu-stack: not installed (Debian package elfutils)"
fi
exec {T[1]}>&-
wait "$tpid" 2>/dev/null
tpid=
