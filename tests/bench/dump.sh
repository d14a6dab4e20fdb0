#!/bin/bash
# Benchmark of `goscope dump` on targets with 1k, 10k, 100k and 1M parked
# goroutines of the shape of a leaking service (tests/targets/goroutines
# -mix: 8 blocking kinds, 6-20 frame stacks whose arguments are unique per
# goroutine, a pprof label with a per-goroutine value on every fourth): the
# time the target was stopped, as measured by goscope and by the target's
# own 1 ms heartbeat; goscope's wall time, CPU time and peak RSS, in the
# two capture modes (BENCH_MODES, default "two-phase full-stop"), each
# stop of the target and the first stop's CPU time and ranges read, then a
# scaling table of the first mode (µs and bytes per goroutine), and where
# the first mode's time went at each size (the capture steps of --stats,
# wall ms of the median run).  Medians of BENCH_RUNS runs (sizes of 1M and
# more: BENCH_BIG_RUNS, default 3).
# BENCH_STRIP=1 strips the target first (the per-release table path).
# Side by side: the runtime's own debug=2 dump, and Delve (when Debian's
# delve can be fetched) listing every goroutine with its stack.
# Usage: tests/bench/dump.sh PATH-TO-GOSCOPE
set -u
goscope=${1:?usage: dump.sh PATH-TO-GOSCOPE}
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/go-env.sh"
runs=${BENCH_RUNS:-5}
sizes=${BENCH_SIZES:-"1000 10000 100000 1000000"}
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

# dump_runs N LABEL [OPTION...]: BENCH_RUNS dumps of the target (1 at 1M
# and more) with OPTIONs; prints one row and leaves "wall rss cpu" in
# $work/last.
dump_runs() {
	local n=$1 label=$2 nruns=$runs
	shift 2
	: >"$work/pause" ; : >"$work/gap"; : >"$work/wall"; : >"$work/rss"
	: >"$work/cpu"; : >"$work/s1"; : >"$work/s2"; : >"$work/s1cpu"
	: >"$work/s1rng"; : >"$work/steps"
	[ "$n" -ge 1000000 ] && nruns=${BENCH_BIG_RUNS:-3}
	for _ in $(seq "$nruns"); do
		target_cmd gap >/dev/null
		t0=$(date +%s%N)
		/usr/bin/time -f '%M %U %S' -o "$work/time" \
			timeout "${BENCH_TIMEOUT:-900}" \
			"$goscope" dump --stats "$@" "$pid" >/dev/null 2>"$work/stats"
		t1=$(date +%s%N)
		sed -n 's/.*stopped \([0-9.]*\) ms.*/\1/p' "$work/stats" >>"$work/pause"
		# Each stop: its pause; the first one's CPU time and ranges.
		sed -n 's/^goscope: stop 1: \([0-9.]*\) ms.*/\1/p' "$work/stats" >>"$work/s1"
		sed -n 's/^goscope: stop 2: \([0-9.]*\) ms.*/\1/p' "$work/stats" >>"$work/s2"
		sed -n 's/^goscope: stop 1 parts:.*CPU \([0-9.]*\) ms.*/\1/p' \
			"$work/stats" >>"$work/s1cpu"
		sed -n 's/^goscope: stop 1 parts:.* \([0-9]*\) ranges in.*/\1/p' \
			"$work/stats" >>"$work/s1rng"
		# The capture steps, "name ms" pairs, keyed by the wall time.
		sed -n 's/^goscope: capture steps: //p' "$work/stats" |
			awk -v w="$(( (t1 - t0) / 1000000 ))" '{
				n = split($0, part, "; ")
				line = w
				for (i = 1; i <= n; i++) {
					split(part[i], f, " [(]")
					sub(/ ms$/, "", f[1])
					k = split(f[1], word, " ")
					name = word[1]
					for (j = 2; j < k; j++)
						name = name "_" word[j]
					line = line " " name "=" word[k]
				}
				print line
			}' >>"$work/steps"
		read -r rss usr sys < <(tail -n 1 "$work/time")
		awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f\n", u + s }' \
			>>"$work/cpu"
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e9 }' \
			>>"$work/wall"
		echo "$rss" >>"$work/rss"
		g=$(target_cmd gap)
		echo "${g#gap }" | awk '{ print $1 / 1000 }' >>"$work/gap"
	done
	w=$(median <"$work/wall")
	m=$(median <"$work/rss")
	u=$(median <"$work/cpu")
	printf '%-8s %-28s %10s ms %10s ms %8s s %7s MB %6s s  %9s %9s %9s %8s\n' \
		"$n" "$label" "$(median <"$work/pause")" \
		"$(median <"$work/gap")" "$w" \
		"$(echo "$m" | awk '{ printf "%d", $1 / 1024 }')" "$u" \
		"$(median <"$work/s1")" "$(median <"$work/s2")" \
		"$(median <"$work/s1cpu")" "$(median <"$work/s1rng")"
	echo "$w $m $u" >"$work/last"
	# The steps of the run of median wall time.
	sort -n "$work/steps" | awk '{ a[NR] = $0 } END {
		if (NR) print a[int((NR + 1) / 2)] }' | cut -d' ' -f2- >"$work/laststeps"
}

echo "dump benchmark: target built with $gover$stripped; medians of $runs runs (1M and more: ${BENCH_BIG_RUNS:-3})"
printf '%-8s %-28s %12s %12s %10s %10s %8s  %9s %9s %9s %8s\n' goroutines tool \
	"stopped(tool)" "stopped(hb)" wall "max RSS" CPU "stop1 ms" "stop2 ms" \
	"stop1 CPU" "ranges"
echo "(stop1, stop2: each stop of the target by goscope's clock; stop1 CPU:"
echo "goscope's CPU time in the first stop, in ms; ranges: the memory ranges"
echo "it read then; '-': no such stop)"
for n in $sizes; do
	coproc T { exec "$work/target" -mix "$n"; }
	T_PID=$T_PID
	if ! read -r -t 600 ready pid <&"${T[0]}" || [ "$ready" != ready ]; then
		echo "bench: target with $n goroutines did not start" >&2
		kill "$T_PID" 2>/dev/null
		T_PID=
		continue
	fi
	first=1
	for mode in $modes; do
		flag=
		[ "$mode" = full-stop ] && flag=--full-stop
		dump_runs "$n" "goscope dump ($mode)" $flag
		[ "$first" = 1 ] && echo "$n $(cat "$work/last")" >>"$work/scale"
		[ "$first" = 1 ] && echo "$n $(cat "$work/laststeps")" >>"$work/allsteps"
		first=0
	done
	# The runtime's own dump stops the world for its whole duration (and
	# at 1M writes a gigabyte: only below that).
	if [ "$n" -ge 1000000 ]; then
		exec {T[1]}>&-
		wait "$T_PID" 2>/dev/null
		T_PID=
		continue
	fi
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
# Where the first mode's time went (wall ms per capture step, median run).
if [ -s "$work/allsteps" ]; then
	echo
	echo "capture steps of the first mode (wall ms, the run of median wall time)"
	awk '{ printf "%-10s", $1
	       for (i = 2; i <= NF; i++) { split($i, kv, "=")
		 printf " %s %s", kv[1], kv[2] }
	       printf "\n" }' "$work/allsteps"
fi
# Scaling: per-goroutine cost at each size and its ratio to 10k's (the goal
# is at most 1.5 at 1M).
if [ -s "$work/scale" ]; then
	echo
	echo "dump scaling (goscope dump, medians above; per goroutine, and"
	echo "the ratio to 10k's: the goal is at most 1.5)"
	printf '%-10s %10s %10s %10s %8s %8s %8s\n' goroutines "wall µs" \
		"CPU µs" "RSS bytes" "wall" "CPU" "RSS"
	awk '{ n[NR] = $1; w[NR] = $2 * 1e6 / $1; c[NR] = $4 * 1e6 / $1
	       b[NR] = $3 * 1024 / $1
	       if ($1 == 10000) { bw = w[NR]; bc = c[NR]; bb = b[NR] } }
	     function r(x, y) { return y ? sprintf("%.2f", x / y) : "-" }
	     END { for (i = 1; i <= NR; i++)
		printf "%-10d %10.1f %10.1f %10d %8s %8s %8s\n", n[i], w[i],
		    c[i], b[i], r(w[i], bw), r(c[i], bc), r(b[i], bb) }' \
		"$work/scale"
fi
