#!/bin/bash
# threads-reuse: repeated captures of one process (threads --interval,
# as the TUI's threads screen refreshes) keep the modules libdw opened,
# and read them again only when the process's mappings change.  On a C
# program whose threads all block in read() for good, with each unwinder:
# the second capture looks up no module file (--stats counts them); after
# the program dlopen()s a library that was not mapped before, a later
# capture shows the frames of the thread blocked in it and one capture
# says it reloaded the modules, the captures after that again reuse them
# (no file looked up); the last capture's frames are those of a one-shot
# `goscope threads` of the same state (same pc, function, file, line and
# module for every frame of every thread); after the program execs
# itself (same pid, a new image at other addresses) a capture opens the
# modules anew and shows the new image's frames.  The interactive view
# (goscope top, in tmux, under strace) on the same program: over several
# refreshes of its threads screen libdw opens the target's libc once.  The time of each capture is
# printed as a comment (not asserted; tests/bench/threads-refresh.sh
# measures it).  On the Go test program built with cgo (the newest
# toolchain), the captures after the first reuse the Go capture and the
# modules, and the thread in a cgo call still shows its C frames joined
# with the goroutine's Go frames.
set -u
. "$(dirname "$0")/../lib.sh"
t_live_setup

dir=$T_ROOT/tests/targets/threads
gpid=
t_at_exit '[ -n "$gpid" ] && kill "$gpid" 2>/dev/null'
unwinders="libdw libunwind"

command -v jq >/dev/null || { t_skip_rest "threads-reuse" "jq not installed"; t_done; }
if ! gcc -O1 -g -pthread -rdynamic -o "$work/dlopen" "$dir/dlopen.c" -ldl \
	2>"$work/cc.err" ||
	! gcc -O1 -g -shared -fPIC -o "$work/libreuse.so" "$dir/dlopen-lib.c" \
		2>>"$work/cc.err"; then
	t_expect 1
	t_fail "threads-reuse: build the target" "$(head -n 1 "$work/cc.err")"
	t_done
fi

# lines FILE: the number of --stats lines written so far.
lines() { grep -c '^goscope: pid' "$1" 2>/dev/null; }

# wait_lines FILE N: waits (at most 60 s) until FILE has N stats lines.
wait_lines() {
	local _
	for _ in $(seq 600); do
		[ "$(lines "$1")" -ge "$2" ] && return 0
		kill -0 "$gpid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# frames JSON: every thread's frames, sorted by tid, as one JSON value.
frames() {
	jq -c '[.threads[] | {tid, frames: [.frames[] |
		[.pc, .func, .file, .line, .module]]}] | sort_by(.tid)' "$1"
}

check() {
	local u=$1 out=$work/$u.json err=$work/$u.err k0 k1 n
	local stats reloaded bad last

	t_expect 5
	if ! "$GOSCOPE" threads --unwinder="$u" --help >/dev/null 2>&1; then
		t_skip_rest "$u" "goscope built without $u (UNWINDER)"
		return
	fi
	stop_target "$pid"
	pid=
	start_target pid "$work/dlopen" || {
		t_fail "$u: start the target"
		t_skip_rest "$u" "no target"
		return
	}
	"$GOSCOPE" threads --format=json --stats --unwinder="$u" \
		--interval=100ms --count=600 "$pid" >"$out" 2>"$err" &
	gpid=$!
	if ! wait_lines "$err" 2; then
		t_fail "$u: two captures" "$(head -n 2 "$err")"
		t_skip_rest "$u" "no captures"
		return
	fi
	stats=$(sed -n 1,2p "$err")
	if echo "$stats" | sed -n 1p | grep -Eq 'modules opened, [1-9][0-9]* files looked up$' &&
		echo "$stats" | sed -n 2p | grep -q 'modules reused, 0 files looked up$'; then
		t_ok "$u: the second capture looks up no module file"
	else
		t_fail "$u: the second capture looks up no module file" \
			"$(echo "$stats" | sed 's/.*unwinder//' | tr '\n' '|')"
	fi

	k0=$(lines "$err")
	t_tcmd "$pid" "load $work/libreuse.so" && [ "$T_REPLY" = loaded ] || {
		t_fail "$u: dlopen in the target" "$T_REPLY"
		t_skip_rest "$u" "no library loaded"
		return
	}
	# Captures after k1 + 1 started after the library was loaded.
	k1=$(lines "$err")
	if ! wait_lines "$err" $((k1 + 3)); then
		t_fail "$u: captures after the dlopen" "$(tail -n 1 "$err")"
		t_skip_rest "$u" "no captures"
		return
	fi
	kill -INT "$gpid"
	wait "$gpid"
	gpid=
	n=$(lines "$err")
	jq -c --argjson k $((k1 + 1)) -s '.[$k] | [.threads[] |
		select(.name == "t-lib") | .frames[] |
		select((.module // "") | endswith("/libreuse.so")) | .func]' \
		"$out" >"$work/lib" 2>&1
	if [ "$(cat "$work/lib")" = '["reuse_lib_wait","reuse_lib_thread"]' ]; then
		t_ok "$u: a capture after the dlopen shows the library's frames"
	else
		t_fail "$u: a capture after the dlopen shows the library's frames" \
			"$(cat "$work/lib")"
	fi

	# One reload around the dlopen, no file looked up by any other
	# capture after the first.
	reloaded=$(sed -n "$((k0 + 1)),$((k1 + 2))p" "$err" | grep -c 'modules reloaded')
	bad=$(awk -v a=$((k0 + 1)) -v b=$((k1 + 2)) 'NR > 1 && (NR < a || NR > b) &&
		!/modules reused, 0 files looked up$/' "$err" | wc -l)
	if [ "$reloaded" -ge 1 ] && [ "$bad" -eq 0 ]; then
		t_ok "$u: modules read again once after the dlopen, else reused"
	else
		t_fail "$u: modules read again once after the dlopen, else reused" \
			"$reloaded reloads; $bad other captures read modules: $(sed 's/.*unwinder//' "$err" | tr '\n' '|')"
	fi

	"$GOSCOPE" threads --format=json --unwinder="$u" "$pid" \
		>"$work/one.json" 2>"$work/one.err"
	jq -s '.[-1]' "$out" >"$work/last.json"
	if [ -s "$work/one.json" ] &&
		[ "$(frames "$work/last.json")" = "$(frames "$work/one.json")" ]; then
		t_ok "$u: the reused capture's frames are a fresh capture's"
	else
		t_fail "$u: the reused capture's frames are a fresh capture's" \
			"$(diff <(frames "$work/last.json" | jq .) <(frames "$work/one.json" | jq .) | head -n 5 | tr '\n' '|')"
	fi
	last=$(sed -n 's/.*total \([0-9.]*\) ms.*/\1/p' "$err" | tr '\n' ' ')
	echo "# $u: $n captures, total ms each: $last"
	check_exec "$u"
}

# check_exec UNWINDER: the target execs itself between two captures.
check_exec() {
	local u=$1 out=$work/$u-exec.json err=$work/$u-exec.err k1 opened want got

	"$GOSCOPE" threads --format=json --stats --unwinder="$u" \
		--interval=100ms --count=600 "$pid" >"$out" 2>"$err" &
	gpid=$!
	if ! wait_lines "$err" 2 || ! t_tcmd "$pid" exec ||
		[ "$T_REPLY" != "ready $pid" ]; then
		t_fail "$u: exec between captures" "reply '$T_REPLY': $(tail -n 1 "$err")"
		return
	fi
	# Wait for the new image's reader thread, then for two captures.
	t_tcmd "$pid" ping
	k1=$(lines "$err")
	wait_lines "$err" $((k1 + 2))
	kill -INT "$gpid"
	wait "$gpid"
	gpid=
	opened=$(sed -n "2,\$p" "$err" | grep -c 'modules opened')
	want=$(awk '$2 ~ /x/ && $6 ~ /\/dlopen$/ { print $1 }' /proc/"$pid"/maps | head -n 1)
	got=$(jq -rs '.[-1].threads[] | select(.name == "t-read") |
		.frames[] | select((.module // "") | endswith("/dlopen")) |
		select(.func == "thread_read") | .pc' "$out" | head -n 1)
	if [ "$opened" -ge 1 ] && [ -n "$want" ] && [ -n "$got" ] &&
		[ $((got)) -ge $((0x${want%-*})) ] && [ $((got)) -lt $((0x${want#*-})) ]; then
		t_ok "$u: after an exec the modules are opened anew"
	else
		t_fail "$u: after an exec the modules are opened anew" \
			"$opened opened; thread_read at '$got', text at $want: $(sed 's/.*unwinder//' "$err" | tr '\n' '|')"
	fi
}

check_go() {
	local root bin=$work/goroutines out=$work/go.json n

	t_expect 2
	root=$(bash "$T_ROOT/tests/go-toolchains.sh" list 2>/dev/null |
		awk -F'\t' '$2 != "SKIP" { r = $2 } END { print r }')
	if [ -z "$root" ]; then
		t_skip_rest "go" "no Go toolchain"
		return
	fi
	if ! go_build_with "$root" "$bin" "$T_ROOT/tests/targets/goroutines" \
		>"$work/build.log" 2>&1; then
		t_fail "go: build" "$(tail -n 1 "$work/build.log")"
		t_skip_rest "go" "no build"
		return
	fi
	stop_target "$pid"
	pid=
	start_target pid "$bin" || {
		t_fail "go: start the target"
		t_skip_rest "go" "no target"
		return
	}
	"$GOSCOPE" threads --format=json --stats --interval=100ms --count=3 \
		"$pid" >"$out" 2>"$work/go.err"
	if [ "$(grep -c 'modules reused, 0 files looked up$' "$work/go.err")" -eq 2 ]; then
		t_ok "go: the captures after the first reuse the modules"
	else
		t_fail "go: the captures after the first reuse the modules" \
			"$(sed 's/.*unwinder//' "$work/go.err" | tr '\n' '|')"
	fi
	n=$(jq -rs '.[2].threads[] | select(.go_state == "cgo") |
		[.frames[] | if .go then "go:" + .func else .func end] |
		join(" ")' "$out" 2>/dev/null | head -n 1)
	if [[ $n =~ (^| )goscope_block_in_c\ .*go:main\._Cfunc_goscope_block_in_c\ go:main\.parkInC ]]; then
		t_ok "go: the third capture joins the cgo thread's C and Go frames"
	else
		t_fail "go: the third capture joins the cgo thread's C and Go frames" "$n"
	fi
}

# check_tui: goscope top refreshing its threads screen every 300 ms.
check_tui() {
	local libc n opens i

	t_expect 1
	if ! command -v tmux >/dev/null || ! command -v strace >/dev/null; then
		t_skip "tui: refreshes open libc once" "needs tmux and strace"
		return
	fi
	stop_target "$pid"
	pid=
	start_target pid "$work/dlopen" || {
		t_fail "tui: start the target"
		return
	}
	libc=$(awk '$6 ~ /\/libc[.-].*so/ { print $6; exit }' /proc/"$pid"/maps)
	t_tmux_start 120x40 sh -c \
		'strace -f -qq -e trace=openat,open -o "$1" "$2" top \
			--interval=300ms "$3"; sleep 60' \
		sh "$work/tui.strace" "$GOSCOPE" "$pid"
	t_wait_re '^snapshot #([4-9]|[1-9][0-9]+) ' 30
	n=$(t_shot | sed -n 's/^snapshot #\([0-9]*\).*/\1/p')
	t_tm send-keys -t tui q
	for i in $(seq 100); do
		pgrep -f "strace .*-o $work/tui.strace" >/dev/null || break
		sleep 0.1
	done
	t_tm kill-server 2>/dev/null
	opens=$(grep -cF "\"$libc\"" "$work/tui.strace" 2>/dev/null)
	if [ -n "$libc" ] && [ "${n:-0}" -ge 4 ] && [ "$opens" -eq 1 ]; then
		t_ok "tui: $n refreshes of the threads screen open libc once"
	else
		t_fail "tui: refreshes of the threads screen open libc once" \
			"${n:-0} snapshots, $opens opens of '$libc'"
	fi
}

for u in $unwinders; do
	check "$u"
done
check_go
check_tui
t_done
