#!/bin/bash
# Benchmark of repeated captures of one process, as the TUI's threads
# screen and `goscope threads --interval` take them: what one capture
# costs when each opens the modules anew (a one-shot `goscope threads`,
# which is also what every refresh cost before captures kept them), and
# when it reuses the libdw session, the unwinder and the Go capture of
# the one before.  Targets: a C program with 9 threads (libc with its
# Debian debug file), the same 200-thread C program as threads.sh, and
# the Go test program built with cgo.  Time is goscope's own --stats total
# (stop, copy, unwind, symbolize; not the process start); files are the
# openat calls strace counted per capture.  Medians of BENCH_RUNS.
# Usage: tests/bench/threads-refresh.sh PATH-TO-GOSCOPE
set -u
goscope=${1:?usage: threads-refresh.sh PATH-TO-GOSCOPE}
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${BENCH_RUNS:-7}
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"; true' EXIT

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "-" }'; }
totals() { sed -n 's/.*total \([0-9.]*\) ms.*/\1/p'; }

# start NAME CMD...: runs CMD with a pipe on stdin until the script ends,
# waits for its "ready PID" line and stores the pid in pid_NAME.
start() {
	local name=$1 line
	shift
	mkfifo "$work/$name.in" "$work/$name.out"
	"$@" <"$work/$name.in" >"$work/$name.out" 2>/dev/null &
	pids+=($!)
	exec {fd}>"$work/$name.in"
	exec {rfd}<"$work/$name.out"
	read -r -t 60 line <&"$rfd" || return 1
	printf -v "pid_$name" '%s' "${line#ready }"
}

# opens PID N: openat calls of `goscope threads --count=N` on PID.
opens() {
	strace -f -qq -e trace=openat,open -o "$work/strace" \
		"$goscope" threads --interval=10ms --count="$2" "$1" >/dev/null 2>&1
	grep -c 'open' "$work/strace"
}

# row NAME PID
row() {
	local name=$1 pid=$2 i one reused f1 fn
	: >"$work/one"
	for i in $(seq "$runs"); do
		"$goscope" threads --stats "$pid" 2>&1 >/dev/null | totals >>"$work/one"
	done
	"$goscope" threads --stats --interval=50ms --count=$((runs + 1)) "$pid" \
		2>&1 >/dev/null | totals | tail -n +2 >"$work/reused"
	one=$(median <"$work/one")
	reused=$(median <"$work/reused")
	f1=- fn=-
	if command -v strace >/dev/null; then
		f1=$(opens "$pid" 1)
		fn=$(( ($(opens "$pid" 11) - f1) / 10 ))
	fi
	printf '%-28s %14s %14s %12s %12s\n' "$name" "$one" "$reused" "$f1" "$fn"
}

gcc -O2 -g -pthread -o "$work/blocked" "$root/tests/targets/threads/blocked.c" || exit 1
gcc -O2 -g -pthread -o "$work/spin" "$root/tests/targets/threads/spin.c" || exit 1
start blocked "$work/blocked" || exit 1
start spin "$work/spin" -r 100 -s 100 -C || exit 1
. "$root/tests/go-env.sh"
goroot=$(bash "$root/tests/go-toolchains.sh" list 2>/dev/null |
	awk -F'\t' '$2 != "SKIP" { r = $2 } END { print r }')
pid_go=
if [ -n "$goroot" ] && go_build_with "$goroot" "$work/go" \
	"$root/tests/targets/goroutines" >/dev/null 2>&1; then
	start go "$work/go" || pid_go=
fi
sleep 0.5

echo "threads refresh benchmark: one capture, medians of $runs"
printf '%-28s %14s %14s %12s %12s\n' target "one-shot(ms)" "reused(ms)" \
	"opens/run" "opens/refresh"
row "C, 9 threads" "$pid_blocked"
row "C, 203 threads" "$pid_spin"
[ -n "$pid_go" ] && row "Go with cgo ($(basename "$goroot"))" "$pid_go"
[ -z "$pid_go" ] && echo "Go with cgo: no toolchain"
true
