#!/bin/bash
# make stress: the reliability campaign.  For STRESS_TIME seconds (default
# 180) goscope attaches over and over to tests/targets/stress, a Go
# program that creates and ends goroutines and threads, grows stacks,
# collects garbage and forks children while a 1 ms heartbeat measures
# how long it is held still.  Each cycle is one of:
#   dump     goscope dump --format=json of the long-lived target
#   threads  goscope threads of it
#   kill     a dump killed (SIGKILL or SIGTERM) 0-60 ms after it starts
#   pair     two dumps at once (one may find it already traced)
#   watch    goscope watch --count=3 --interval=50ms, killed half the time
#   exiting  a fresh target that exits 0-400 ms after it starts, dumped
#   idle     no goscope for 200 ms: the heartbeat's gaps without goscope
#            (the machine's own noise: scheduling, GC), the baseline the
#            other kinds' gaps compare with
# After every cycle the long-lived target must be running, have no thread
# in a ptrace stop and no tracer.  The figures are printed; the exit
# status is 1 when a target was left stopped or traced, was harmed (died
# of a signal, or a long-lived target died), or goscope failed in a way
# other than the target exiting or being traced by the other goscope.
set -u
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/go-env.sh"
t_require_ptrace

: "${STRESS_TIME:=180}"
work=$(mktemp -d)
pid=
trap 'stop_target "$pid"; kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

if ! command -v go >/dev/null; then
	echo "stress: no Go toolchain; run 'make deps'" >&2
	exit 77
fi
go_build_with "$(go env GOROOT)" "$work/target" \
	"$T_ROOT/tests/targets/stress" >"$work/log" 2>&1 || {
	echo "stress: cannot build the target: $(tail -n 1 "$work/log")" >&2
	exit 1
}

cycles=0 failures=0 left_stopped=0 left_traced=0 harmed=0 busy=0
declare -A kinds kindgap
maxgap=0 maxpause=0 maxgap_at="" p= rq0=0

tracer() {
	awk '/^TracerPid:/ { print $2 }' /proc/"$1"/status 2>/dev/null
}

# check_target PID: after goscope ended, the target runs untraced.  A
# stop being undone by the kernel may take a moment; 2 s is generous.
check_target() {
	local p=$1 i s t
	for i in $(seq 40); do
		s=$(t_traced_threads "$p") t=$(tracer "$p")
		[ "$s" -eq 0 ] && [ "${t:-0}" -eq 0 ] && return 0
		sleep 0.05
	done
	[ "$s" -gt 0 ] && left_stopped=$((left_stopped + 1)) &&
		echo "stress: cycle $cycles: $s threads of $p left stopped" >&2
	[ "${t:-0}" -ne 0 ] && left_traced=$((left_traced + 1)) &&
		echo "stress: cycle $cycles: $p left traced by $t" >&2
	return 1
}

# judge RC ERRFILE [exiting]: counts a goscope failure unless it is one
# the campaign causes on purpose (an exiting target went away, another
# goscope traces it).
judge() {
	local rc=$1 err=$2
	[ "$rc" -eq 0 ] && return
	if [ -n "${3:-}" ] &&
		grep -qiE 'exited|zombie|no (such )?process|disappeared' "$err"; then
		return
	fi
	if grep -q 'already traced' "$err"; then
		busy=$((busy + 1))
		return
	fi
	failures=$((failures + 1))
	echo "stress: cycle $cycles: exit $rc: $(head -n 1 "$err")" >&2
}

# rqwait PID: how long (ns) the threads of PID have waited for a CPU
# while runnable (the second field of each /proc/PID/task/*/schedstat).
rqwait() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null |
		awk '{ n += $2 } END { printf "%d\n", n }'
}

# gap KIND: the heartbeat's largest tick gap (us) since the last query,
# charged to the cycle that just ran: per kind, and the largest overall
# with the cycle, its kind, the pause goscope measured in it and how
# long the target's threads waited for a CPU meanwhile (the machine's
# load, not goscope: a stopped thread does not wait on a run queue).
gap() {
	local -a fds
	local g rq
	read -r -a fds <<<"${T_TARGET_FD[$pid]}"
	printf 'gap\n' >&"${fds[0]}" 2>/dev/null || return
	read -r -t 10 _ g <&"${fds[1]}" || return
	rq=$(rqwait "$pid")
	[ "${g:-0}" -gt "${kindgap[$1]:-0}" ] && kindgap[$1]=$g
	if [ "${g:-0}" -gt "$maxgap" ]; then
		maxgap=$g
		maxgap_at="cycle $cycles ($1${p:+, goscope measured a pause of $p ms}; the target's threads waited $(((rq - rq0) / 1000000)) ms for a CPU in that cycle)"
	fi
	rq0=$rq
}

# ms US: microseconds as milliseconds with three decimals.
ms() { echo "$(($1 / 1000)).$(printf '%03d' $(($1 % 1000)))"; }

start_long() {
	start_target pid "$work/target" || {
		echo "stress: the target did not start" >&2
		exit 1
	}
}

start_long
rq0=$(rqwait "$pid")
gap idle
start=$SECONDS
while [ $((SECONDS - start)) -lt "$STRESS_TIME" ]; do
	cycles=$((cycles + 1))
	kind=$(shuf -n 1 -e dump dump threads kill kill pair watch exiting idle)
	kinds[$kind]=$((${kinds[$kind]:-0} + 1))
	p=
	case $kind in
	idle)
		sleep 0.2
		;;
	dump | threads)
		args=(dump --format=json --stats)
		[ "$kind" = threads ] && args=(threads)
		"$GOSCOPE" "${args[@]}" "$pid" >/dev/null 2>"$work/err"
		rc=$?
		p=$(sed -n 's/.*stopped \([0-9.]*\) ms.*/\1/p' "$work/err")
		[ -n "$p" ] && maxpause=$(awk -v a="$maxpause" -v b="$p" \
			'BEGIN { print (b > a ? b : a) }')
		[ $rc -eq 0 ] && grep -q stopped "$work/err" && rc=0
		judge $rc "$work/err"
		;;
	kill)
		"$GOSCOPE" dump "$pid" >/dev/null 2>&1 &
		g=$!
		sleep "0.0$(shuf -i 0-60 -n 1 | xargs printf '%02d')"
		kill "-$(shuf -n 1 -e KILL TERM)" "$g" 2>/dev/null
		wait "$g" 2>/dev/null
		;;
	pair)
		"$GOSCOPE" dump "$pid" >/dev/null 2>"$work/err2" &
		g=$!
		"$GOSCOPE" dump "$pid" >/dev/null 2>"$work/err"
		judge $? "$work/err"
		wait "$g"
		judge $? "$work/err2"
		;;
	watch)
		"$GOSCOPE" watch --count=3 --interval=50ms "$pid" \
			>/dev/null 2>"$work/err" &
		g=$!
		if [ $((RANDOM % 2)) -eq 0 ]; then
			sleep 0.$((RANDOM % 3))
			kill -KILL "$g" 2>/dev/null
			wait "$g" 2>/dev/null
		else
			wait "$g"
			rc=$?
			# 3: leak suspected, 4: the watch's own verdicts.
			[ $rc -eq 3 ] || [ $rc -eq 4 ] && rc=0
			judge $rc "$work/err"
		fi
		;;
	exiting)
		ms=$(shuf -i 0-400 -n 1)
		sleep 5 | "$work/target" -exit-after "${ms}ms" >"$work/out" \
			2>/dev/null &
		t=$!
		for _ in $(seq 100); do
			grep -q '^ready' "$work/out" 2>/dev/null && break
			sleep 0.02
		done
		tpid=$(awk '/^ready/ { print $2 }' "$work/out")
		if [ -n "$tpid" ]; then
			sleep "0.$(shuf -i 0-300 -n 1 | xargs printf '%03d')"
			"$GOSCOPE" dump "$tpid" >/dev/null 2>"$work/err"
			judge $? "$work/err" exiting
			kill -0 "$tpid" 2>/dev/null && check_target "$tpid"
		fi
		wait "$t"
		rc=$?
		if [ "$rc" -ge 128 ] && [ "$rc" -ne 141 ]; then
			harmed=$((harmed + 1))
			echo "stress: cycle $cycles: exiting target died, status $rc" >&2
		fi
		;;
	esac
	if ! kill -0 "$pid" 2>/dev/null; then
		harmed=$((harmed + 1))
		echo "stress: cycle $cycles: the long-lived target died" >&2
		wait "$pid" 2>/dev/null
		start_long
		rq0=$(rqwait "$pid")
		continue
	fi
	check_target "$pid"
	gap "$kind"
done

summary=""
gaps=""
for k in dump threads kill pair watch exiting idle; do
	summary="$summary $k ${kinds[$k]:-0},"
	gaps="$gaps $k $(ms "${kindgap[$k]:-0}"),"
done
echo "stress: $cycles cycles in $((SECONDS - start)) s:${summary%,}"
echo "stress: goscope failures $failures (already traced by the other: $busy)"
echo "stress: longest pause goscope measured (dump --stats) $maxpause ms"
echo "stress: max heartbeat gap $(ms "$maxgap") ms in ${maxgap_at:-no cycle}"
echo "stress: max heartbeat gap by kind (ms):${gaps%,}"
echo "stress: load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
echo "stress: targets left stopped $left_stopped, left traced $left_traced, harmed $harmed"
bad=$((left_stopped + left_traced + harmed + failures))
[ "$bad" -eq 0 ] && t_ok "stress" || t_fail "stress" "$bad problems"
t_done
