#!/bin/bash
# Benchmark of `goscope dump` on targets with 1k, 10k and 100k parked
# goroutines (stacks of 6-12 frames, some inlined): the time the target
# was stopped, as measured by goscope and by the target's own 1 ms
# heartbeat; goscope's wall time and peak RSS, for both capture modes
# (BENCH_MODES).  Medians of BENCH_RUNS runs.
# BENCH_STRIP=1 strips the target first (the per-release table path).
# Side by side: the runtime's own debug=2 dump, and Delve (when Debian's
# delve can be fetched) listing every goroutine with its stack.
# Usage: tests/bench/dump.sh PATH-TO-GOSCOPE
set -u
goscope=${1:?usage: dump.sh PATH-TO-GOSCOPE}
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/go-env.sh"
runs=${BENCH_RUNS:-5}
sizes=${BENCH_SIZES:-"1000 10000 100000"}
# Both capture modes side by side: two-phase (the default), --full-stop.
modes=${BENCH_MODES:-"two-phase full-stop"}
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${T_PID:-}" ] && kill "$T_PID" 2>/dev/null; true' EXIT

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "-" }'; }

goroot=$(bash "$root/tests/go-toolchains.sh" list 2>/dev/null |
	awk -F'\t' '$2 != "SKIP" { r = $2 } END { print r }')
[ -n "$goroot" ] || { echo "bench: no Go toolchain" >&2; exit 1; }
gover=$(go_env "$goroot" && go env GOVERSION)
go_build_with "$goroot" "$work/target" "$root/tests/targets/goroutines" \
	>/dev/null || exit 1
# BENCH_STRIP=1: the same target after strip(1) (no DWARF, no symbols).
stripped=
if [ "${BENCH_STRIP:-0}" = 1 ]; then
	strip "$work/target" || exit 1
	stripped=", stripped"
fi
dlv=$(bash "$root/tests/go-toolchains.sh" delve 2>/dev/null || true)

# target_cmd CMD: send a command to the target, print its reply.
target_cmd() {
	echo "$1" >&"${T[1]}"
	read -r -t 600 reply <&"${T[0]}"
	echo "$reply"
}

echo "dump benchmark: target built with $gover$stripped; medians of $runs runs"
printf '%-8s %-28s %12s %12s %10s %10s\n' goroutines tool "stopped(tool)" \
	"stopped(hb)" wall "max RSS"
for n in $sizes; do
	coproc T { exec "$work/target" -n "$n"; }
	T_PID=$T_PID
	read -r ready pid <&"${T[0]}"
	for mode in $modes; do
	flag=
	[ "$mode" = full-stop ] && flag=--full-stop
	: >"$work/pause" ; : >"$work/gap"; : >"$work/wall"; : >"$work/rss"
	for _ in $(seq "$runs"); do
		target_cmd gap >/dev/null
		/usr/bin/time -f '%e %M' -o "$work/time" \
			"$goscope" dump --stats $flag "$pid" >/dev/null 2>"$work/stats"
		sed -n 's/.*stopped \([0-9.]*\) ms.*/\1/p' "$work/stats" >>"$work/pause"
		read -r wall rss < <(tail -n 1 "$work/time")
		echo "$wall" >>"$work/wall"
		echo "$rss" >>"$work/rss"
		g=$(target_cmd gap)
		echo "${g#gap }" | awk '{ print $1 / 1000 }' >>"$work/gap"
	done
	printf '%-8s %-28s %10s ms %10s ms %8s s %7s MB\n' "$n" "goscope dump ($mode)" \
		"$(median <"$work/pause")" "$(median <"$work/gap")" \
		"$(median <"$work/wall")" \
		"$(median <"$work/rss" | awk '{ printf "%d", $1 / 1024 }')"
	done
	# The runtime's own dump stops the world for its whole duration.
	target_cmd gap >/dev/null
	t0=$(date +%s%N)
	target_cmd "dump $work/self" >/dev/null
	t1=$(date +%s%N)
	g=$(target_cmd gap)
	printf '%-8s %-28s %10s    %10s ms %8s s\n' "$n" "runtime debug=2 (in-process)" \
		"-" "$(echo "${g#gap }" | awk '{ print $1 / 1000 }')" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')"
	if [ -n "$dlv" ] && [ "${BENCH_DELVE:-1}" = 1 ]; then
		printf 'goroutines -t 20\nexit -c\n' >"$work/dlv-init"
		target_cmd gap >/dev/null
		/usr/bin/time -f '%e %M' -o "$work/time" timeout 600 "$dlv" attach "$pid" \
			--init "$work/dlv-init" --allow-non-terminal-interactive=true \
			</dev/null >/dev/null 2>&1
		read -r wall rss < <(tail -n 1 "$work/time")
		g=$(target_cmd gap)
		printf '%-8s %-28s %10s    %10s ms %8s s %7s MB\n' "$n" "delve goroutines -t" \
			"-" "$(echo "${g#gap }" | awk '{ print $1 / 1000 }')" "$wall" \
			"$(awk -v r="$rss" 'BEGIN { printf "%d", r / 1024 }')"
	fi
	exec {T[1]}>&-
	wait "$T_PID" 2>/dev/null
	T_PID=
done
