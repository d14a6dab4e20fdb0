#!/bin/bash
# ptstop: inspect/ptstop stops every thread of a live process and resumes
# it.  The target is tests/targets/threads/spin.c (threads in read(),
# nanosleep, a busy loop, thread churn, a 1 ms heartbeat); the driver is
# tests/tools/ptstopq.c, built here against the library sources.  The
# oracle is /proc/PID/task/*/stat while stopped ('t') and afterwards, the
# heartbeat of the target and its signal counters.  SANITIZE=address,...
# builds the driver with sanitizers, like `make SANITIZE=...`.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_ptrace
t_plan 19

work=$(mktemp -d)
chmod 755 "$work"
pids=()
bg=()
cleanup() {
	local p
	for p in "${bg[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do stop_target "$p"; done
	rm -rf "$work"
}
trap cleanup EXIT

CC=${CC:-cc}
san=()
if [ -n "${SANITIZE:-}" ]; then
	san=(-fsanitize="$SANITIZE" -fno-sanitize-recover=all
		-fno-omit-frame-pointer)
fi
if ! command -v "$CC" >/dev/null; then
	t_skip_rest "ptstop" "no C compiler ($CC)"
	t_done
fi
if ! $CC -O2 -g -Wall -pthread -o "$work/spin" \
	"$T_ROOT/tests/targets/threads/spin.c" >"$work/log" 2>&1; then
	t_fail "build spin" "$(head -n 1 "$work/log")"
	t_skip_rest "ptstop" "no build"
	t_done
fi
if ! (cd "$T_ROOT" && $CC -std=gnu11 -O2 -g -Wall -Wextra -I. \
	-D_GNU_SOURCE "${san[@]}" tests/tools/ptstopq.c inspect/ptstop.c \
	inspect/proc.c inspect/memsrc.c lib/*.c -o "$work/ptstopq" \
	$(pkg-config --libs jansson 2>/dev/null || echo -ljansson)) \
	>"$work/log" 2>&1; then
	t_fail "build ptstopq" "$(head -n 1 "$work/log")"
	t_skip_rest "ptstop" "no build"
	t_done
fi
t_ok "build spin and ptstopq${SANITIZE:+ (sanitize=$SANITIZE)}"
Q=$work/ptstopq

# ask PID LINE: sends a command to a target, prints its one-line answer.
ask() {
	local w r reply
	read -r w r <<<"${T_TARGET_FD[$1]}"
	echo "$2" >&"$w"
	read -r -t 10 reply <&"$r" || reply=timeout
	echo "$reply"
}

# states PID: one letter per thread of PID (field 3 of each task's stat).
states() {
	awk '{ sub(/.*\) /, ""); printf "%s", substr($0, 1, 1) }' \
		/proc/"$1"/task/*/stat 2>/dev/null
}

# running PID: waits up to 2 s until no thread of PID is in 't'.
running() {
	local i s
	for ((i = 0; i < 40; i++)); do
		s=$(states "$1")
		[ -n "$s" ] && [[ $s != *t* ]] && return 0
		sleep 0.05
	done
	echo "#   states: $s"
	return 1
}

# all_in PID LETTER: waits up to 2 s until every thread of PID is in that
# state (a detached thread re-enters a group-stop asynchronously).
all_in() {
	local i s
	for ((i = 0; i < 40; i++)); do
		s=$(states "$1")
		[[ $s =~ ^$2+$ ]] && return 0
		sleep 0.05
	done
	echo "#   states: $s"
	return 1
}

# wait_line FILE PATTERN: waits up to 10 s for PATTERN in FILE.
wait_line() {
	local i
	for ((i = 0; i < 200; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# ticking PID: the heartbeat advances by at least 50 ticks in 0.2 s.
ticking() {
	local a b
	a=$(ask "$1" gap | awk '{ print $4 }')
	sleep 0.2
	b=$(ask "$1" gap | awk '{ print $4 }')
	[ -n "$a" ] && [ -n "$b" ] && [ $((b - a)) -ge 50 ]
}

# usr2_reaches PID N: waits up to 2 s for the SIGUSR2 count to reach N.
usr2_reaches() {
	local i got
	for ((i = 0; i < 40; i++)); do
		got=$(ask "$1" usr2 | awk '{ print $2 }')
		[ "${got:-0}" -ge "$2" ] && return 0
		sleep 0.05
	done
	echo "#   usr2 count $got, want $2"
	return 1
}

# hold PID ARGS...: starts the driver, which keeps PID stopped until
# release (a line on its standard input, a FIFO); sets drv and out, and
# waits for its "stopped" line.  Holding on input rather than for a time
# keeps the checks valid on a loaded machine.
nhold=0
hold() {
	local pid=$1
	shift
	nhold=$((nhold + 1))
	out=$work/drv.$nhold
	rm -f "$work/ctl"
	mkfifo "$work/ctl"
	"$Q" -W "$@" "$pid" <"$work/ctl" >"$out" 2>&1 &
	drv=$!
	bg+=("$drv")
	exec {ctl}>"$work/ctl"
	wait_line "$out" '^stopped$'
}

# release: lets the held driver resume and waits for it; sets rc.
release() {
	(trap '' PIPE && echo go >&"$ctl") 2>/dev/null
	exec {ctl}>&-
	wait "$drv" 2>/dev/null
	rc=$?
}

if ! start_target tpid "$work/spin" -r 4 -s 4; then
	t_fail "start target" "spin did not start"
	t_skip_rest "ptstop" "no target"
	t_done
fi
pids+=("$tpid")

# 1. Every thread of /proc/PID/task is stopped, several times, while a
# thread keeps creating threads; SIGUSR2 sent meanwhile arrives after.
bad=""
usr2=$(ask "$tpid" usr2 | awk '{ print $2 }')
for round in 1 2 3 4 5; do
	if ! hold "$tpid"; then
		release
		bad="round $round: no 'stopped' line: $(tail -n 1 "$out")"
		break
	fi
	s=$(states "$tpid")
	want=$(ls /proc/"$tpid"/task | sort -n)
	got=$(awk '/^tid .* pc /{ print $2 }' "$out" | sort -n)
	kill -USR2 "$tpid"
	release
	if [[ ! $s =~ ^t+$ ]]; then
		bad="round $round: states '$s' while stopped"
		break
	fi
	if [ "$want" != "$got" ]; then
		bad="round $round: /proc tids [$(echo $want)] driver [$(echo $got)]"
		break
	fi
	if [ "$rc" -ne 0 ] || ! grep -q '^resumed' "$out"; then
		bad="round $round: driver status $rc: $(tail -n 1 "$out")"
		break
	fi
done
if [ -z "$bad" ]; then
	t_ok "every thread of /proc/PID/task in state t while stopped ($(echo "$got" | wc -l) threads, 5 rounds)"
else
	t_fail "every thread stopped" "$bad"
fi
if running "$tpid" && ticking "$tpid"; then
	t_ok "target runs again after resume (no 't', heartbeat ticks)"
else
	t_fail "target runs again after resume"
fi
if usr2_reaches "$tpid" $((usr2 + 5)); then
	t_ok "SIGUSR2 sent while stopped is delivered after resume"
else
	t_fail "SIGUSR2 sent while stopped is delivered after resume"
fi
usr2=$(ask "$tpid" usr2 | awk '{ print $2 }')
"$Q" -k 12 "$tpid" >"$work/k.out" 2>&1
if [ $? -eq 0 ] && usr2_reaches "$tpid" $((usr2 + 1)); then
	t_ok "signal sent by the driver while stopped is delivered (-k)"
else
	t_fail "signal sent by the driver while stopped (-k)" \
		"$(tail -n 1 "$work/k.out")"
fi

# 2. Threads created during the attach (churn) are stopped too.
c0=$(ask "$tpid" churn | awk '{ print $2 }')
sum=$("$Q" -q -n 300 "$tpid" 2>&1)
rc=$?
c1=$(ask "$tpid" churn | awk '{ print $2 }')
echo "#   $sum"
nauto=$(echo "$sum" | awk '{ print $12 }')
if [ $rc -ne 0 ]; then
	t_fail "300 stops with thread churn" "$sum"
elif ! running "$tpid" || [ "$c1" -le "$c0" ]; then
	t_fail "300 stops with thread churn" "target stuck (churn $c0 -> $c1)"
elif [ "${nauto:-0}" -eq 0 ]; then
	t_skip "threads created during attach" \
		"no clone event seen in 300 stops"
else
	t_ok "threads created during attach: $nauto attached via clone events in 300 stops"
fi

# 3. Signals the target takes during the attach window (SIGRTMIN+1 every
# 20 us, like Go's SIGURG) are held and re-delivered: none is lost.
if start_target spid "$work/spin" -r 2 -s 2 -S 20 -C; then
	pids+=("$spid")
	sum=$("$Q" -q -n 300 "$spid" 2>&1)
	rc=$?
	echo "#   $sum"
	rt=$(ask "$spid" rt)
	echo "#   $rt"
	held=$(echo "$sum" | awk '{ print $10 }')
	set -- $rt
	if [ $rc -ne 0 ]; then
		t_fail "no signal lost across 300 stops" "$sum"
	elif [ "${3:-x}" != "${5:-y}" ]; then
		t_fail "no signal lost across 300 stops" "$rt"
	elif [ "${held:-0}" -eq 0 ]; then
		t_skip "signal-delivery-stop re-delivery" \
			"no thread stopped with a pending signal ($rt)"
	else
		t_ok "no signal lost across 300 stops ($held held in signal-delivery-stop, $rt)"
	fi
	stop_target "$spid"
else
	t_fail "start signal target" "spin -S did not start"
fi

# 4. Killing the driver while the target is stopped leaves it running.
for sig in TERM KILL; do
	usr2=$(ask "$tpid" usr2 | awk '{ print $2 }')
	if ! hold "$tpid"; then
		release
		t_fail "SIG$sig to the driver" "no 'stopped' line"
		continue
	fi
	s=$(states "$tpid")
	kill -USR2 "$tpid"
	kill -"$sig" "$drv"
	wait "$drv" 2>/dev/null
	rc=$?
	exec {ctl}>&-
	if [[ ! $s =~ ^t+$ ]]; then
		t_fail "SIG$sig to the driver" "not stopped before: '$s'"
	elif ! running "$tpid" || ! ticking "$tpid"; then
		t_fail "SIG$sig to the driver" "target not running after (rc $rc)"
	elif [ "$sig" = TERM ] && [ "$rc" -ne 143 ]; then
		t_fail "SIG$sig to the driver" "driver exit status $rc, want 143"
	elif ! usr2_reaches "$tpid" $((usr2 + 1)); then
		t_fail "SIG$sig to the driver" "SIGUSR2 sent while stopped lost"
	else
		t_ok "SIG$sig to the driver while stopped: target runs (status $rc)"
	fi
done

# 5. A second driver while the first holds the target: -EBUSY.
if hold "$tpid"; then
	first=$drv
	"$Q" "$tpid" >/dev/null 2>"$work/err"
	rc2=$?
	release
	rc=$rc2
	msg=$(cat "$work/err")
	echo "#   stderr: $msg"
	if [ $rc -eq 1 ] && [ "$(wc -l <"$work/err")" -eq 1 ] &&
		[[ $msg == *"already traced by pid $first (ptstopq)"* ]] &&
		[[ $msg == *"(EBUSY)" ]]; then
		t_ok "second concurrent tracer: one-line 'already traced' EBUSY"
	else
		t_fail "second concurrent tracer" "status $rc: $msg"
	fi
	running "$tpid" || t_fail "target running after the EBUSY test"
else
	release
	t_fail "second concurrent tracer" "first driver did not stop"
fi

# 6. No such process, zombie, permission denied.
nopid=999999
while [ -e /proc/$nopid ]; do nopid=$((nopid - 1)); done
"$Q" $nopid >/dev/null 2>"$work/err"
rc=$?
msg=$(cat "$work/err")
echo "#   stderr: $msg"
if [ $rc -eq 1 ] && [ "$(wc -l <"$work/err")" -eq 1 ] &&
	[[ $msg == *"no process with pid $nopid"*"(ESRCH)" ]]; then
	t_ok "nonexistent pid: one-line ESRCH"
else
	t_fail "nonexistent pid" "status $rc: $msg"
fi

sh -c 'sleep 0.3 & echo $!; exec sleep 60' >"$work/zpid" &
zparent=$!
bg+=("$zparent")
zpid=
for ((i = 0; i < 100; i++)); do
	zpid=$(cat "$work/zpid" 2>/dev/null)
	[ -n "$zpid" ] && [ "$(awk '{ print $3 }' /proc/"$zpid"/stat 2>/dev/null)" = Z ] && break
	sleep 0.05
done
if [ -n "$zpid" ] && [ "$(awk '{ print $3 }' /proc/"$zpid"/stat)" = Z ]; then
	"$Q" "$zpid" >/dev/null 2>"$work/err"
	rc=$?
	msg=$(cat "$work/err")
	echo "#   stderr: $msg"
	if [ $rc -eq 1 ] && [ "$(wc -l <"$work/err")" -eq 1 ] &&
		[[ $msg == *"process $zpid has exited (ESRCH)" ]]; then
		t_ok "zombie: one-line ESRCH, the words of an exit"
	else
		t_fail "zombie" "status $rc: $msg"
	fi
else
	t_fail "zombie" "could not make a zombie"
fi
kill "$zparent" 2>/dev/null

if [ "$(id -u)" -ne 0 ]; then
	t_skip "non-root permission hint" "needs root to switch to uid 65534"
elif ! command -v setpriv >/dev/null; then
	t_skip "non-root permission hint" "no setpriv"
else
	setpriv --reuid=65534 --regid=65534 --clear-groups "$Q" "$tpid" \
		>/dev/null 2>"$work/err"
	rc=$?
	msg=$(cat "$work/err")
	echo "#   stderr: $msg"
	if [ $rc -eq 1 ] && [ "$(wc -l <"$work/err")" -eq 1 ] &&
		[[ $msg == *"operation not permitted; "*"(EPERM)" ]]; then
		t_ok "non-root: one-line EPERM with a hint"
	else
		t_fail "non-root permission hint" "status $rc: $msg"
	fi
	running "$tpid" || t_fail "target running after the EPERM test"
fi

# 7. A thread stuck in vfork cannot stop: it is skipped (ETIMEDOUT), the
# others are stopped, and it is released once it stops by itself.
ask "$tpid" "vfork 2500" >/dev/null
sleep 0.1
start=$(date +%s%N)
"$Q" "$tpid" >"$work/vf.out" 2>&1
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
nto=$(grep -c 'error ETIMEDOUT' "$work/vf.out")
if [ $rc -eq 0 ] && [ "$nto" -eq 1 ] && running "$tpid" && ticking "$tpid"
then
	t_ok "thread in vfork: skipped with ETIMEDOUT, released after ${ms} ms"
else
	t_fail "thread in vfork" "status $rc, $nto timeouts: $(tail -n 1 "$work/vf.out")"
fi

# 8. A process stopped by SIGSTOP stays stopped after ptstop.
kill -STOP "$tpid"
all_in "$tpid" T
"$Q" "$tpid" >"$work/gs.out" 2>&1
rc=$?
all_in "$tpid" T
stopped=$?
kill -CONT "$tpid"
if [ $rc -eq 0 ] && [ $stopped -eq 0 ] && running "$tpid" &&
	ticking "$tpid"; then
	t_ok "group-stopped process stays stopped, runs after SIGCONT"
else
	t_fail "group-stopped process" "status $rc, stopped $stopped: $(tail -n 1 "$work/gs.out")"
fi

# 9. The target killed while stopped: resume reports it, nothing hangs.
if start_target kpid "$work/spin" -r 1 -s 1 -C; then
	if hold "$kpid"; then
		{
			kill -KILL "$kpid"
			release
			wait "$kpid"
			krc=$?
		} 2>/dev/null
		msg=$(tail -n 1 "$out")
		echo "#   $msg"
		if [ $rc -eq 1 ] && [[ $msg == *"process $kpid has exited (ESRCH)" ]] &&
			[ $krc -eq 137 ] && [ ! -e /proc/"$kpid" ]; then
			t_ok "target killed while stopped: ESRCH at resume, reaped by its parent"
		else
			t_fail "target killed while stopped" "driver $rc, target $krc: $msg"
		fi
	else
		release
		t_fail "target killed while stopped" "no 'stopped' line"
	fi
	stop_target "$kpid"
else
	t_fail "start target" "spin did not start"
fi

# 10. The pause the target sees with ~10 and ~200 threads.
measure() { # label pid
	local sum gap n
	ask "$2" gap >/dev/null
	n=$(ls /proc/"$2"/task | wc -l)
	sum=$("$Q" -q -n 50 "$2" 2>&1) || {
		t_fail "pause with $1" "$sum"
		return
	}
	gap=$(ask "$2" gap | awk '{ print $2 }')
	local pid=$2
	set -- $sum
	echo "#   $n threads: stop avg $4 us max $5 us; pause avg $7 us max $8 us; heartbeat max gap $gap us (50 stops)"
	if running "$pid"; then
		t_ok "pause with $n threads measured (avg $7 us, max $8 us)"
	else
		t_fail "pause with $n threads" "target not running after"
	fi
}
measure "~10 threads" "$tpid"
if start_target bpid "$work/spin" -r 95 -s 95; then
	pids+=("$bpid")
	if hold "$bpid"; then
		s=$(states "$bpid")
		want=$(ls /proc/"$bpid"/task | sort -n)
		got=$(awk '/^tid .* pc /{ print $2 }' "$out" | sort -n)
		release
		if [[ $s =~ ^t+$ ]] && [ "$want" = "$got" ]; then
			t_ok "all $(echo "$got" | wc -l) threads stopped in the large target"
		else
			t_fail "large target all stopped" "states '$s'"
		fi
	else
		release
		t_fail "large target all stopped" "no 'stopped' line"
	fi
	measure "~200 threads" "$bpid"
else
	t_fail "start large target" "spin -r 95 -s 95 did not start"
fi
t_done
