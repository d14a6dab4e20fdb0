#!/bin/bash
# Benchmark of the interactive view: what one refresh and one redraw cost
# in the view's thread with 100k goroutines in 10k groups (a synthetic
# snapshot, tests/tools/tuibench; the budget is 50 ms), then goscope top
# auto-refreshing every second on a target with 100k parked goroutines
# for BENCH_TUI_SECONDS (default 20): the pause of each snapshot as the
# header shows it and the target's own heartbeat (its largest gap between
# 1 ms ticks over the whole run).
# Usage: tests/bench/tui.sh PATH-TO-GOSCOPE [PATH-TO-TUIBENCH]
set -u
goscope=${1:?usage: tui.sh PATH-TO-GOSCOPE [PATH-TO-TUIBENCH]}
root=$(cd "$(dirname "$0")/../.." && pwd)
tuibench=${2:-$root/tests/tools/tuibench}
seconds=${BENCH_TUI_SECONDS:-20}
n=${BENCH_TUI_GOROUTINES:-100000}
. "$root/tests/lib.sh"
t_workdir

"$tuibench" 100000 10000
echo

if ! command -v tmux >/dev/null; then
	echo "goscope top on a live target: skipped (no tmux)"
	exit 0
fi
t_bench_target -n "$n"
target_gap() {
	t_tcmd "$pid" gap
	echo "${T_REPLY#gap }"
}

t_tmux_start 120x40 "$goscope" top --interval=1s "$pid"
# Wait for the first snapshot, then measure from a fresh gap.
t_wait_re '^snapshot #' 60
target_gap >/dev/null
: >"$work/pauses"
end=$(($(date +%s) + seconds))
last=
while [ "$(date +%s)" -lt "$end" ]; do
	line=$(t_shot | grep '^snapshot #')
	seq=$(echo "$line" | sed -n 's/^snapshot #\([0-9]*\).*/\1/p')
	if [ -n "$seq" ] && [ "$seq" != "$last" ]; then
		echo "$line" | sed -n 's/.*pause \([0-9.]*\)ms.*/\1/p' >>"$work/pauses"
		last=$seq
	fi
	sleep 0.2
done
gap=$(target_gap)
snaps=$(wc -l <"$work/pauses")
t_tm send-keys -t tui q
sleep 1
echo "goscope top --interval=1s, $n parked goroutines, ${seconds}s:"
printf '  %-44s %8s\n' "snapshots taken" "$snaps"
printf '  %-44s %8s ms\n' "pause per snapshot (median, header)" \
	"$(sort -n "$work/pauses" | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "-" }')"
printf '  %-44s %8s ms\n' "pause per snapshot (max, header)" \
	"$(sort -n "$work/pauses" | tail -n 1)"
printf '  %-44s %8.1f ms\n' "largest heartbeat gap over the run" \
	"$(awk -v g="$gap" 'BEGIN { print g / 1000 }')"
