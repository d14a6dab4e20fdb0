#!/bin/bash
# tui: goscope's interactive view (goscope PID, goscope top), driven
# through a private tmux server: keys go in with send-keys, screens come
# out with capture-pane.  Against tests/targets/goroutines (known groups
# and counts, compared with golden screens where times are cut out),
# tests/targets/leaky (a group that grows), saved snapshot files, and a
# process that is not Go.  Every test ends with the target still running
# and answering, and the terminal back from the alternate screen.
#
# GOSCOPE_UPDATE_GOLDEN=1 rewrites the golden screens in
# tests/live/tui-golden/ (per Go version: group states and lines come
# from the runtime).  Failing screens are kept in tests/out/tui/.
set -u
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/go-env.sh"

trap '' PIPE

golden=$T_ROOT/tests/live/tui-golden
keep=$T_ROOT/tests/out/tui
work=$(mktemp -d)
sock=$work/tmux.sock
pids=()
cleanup() {
	tmux -S "$sock" kill-server 2>/dev/null
	for p in "${pids[@]}"; do stop_target "$p"; done
	[ -n "${spid:-}" ] && kill "$spid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

if ! command -v tmux >/dev/null; then
	t_plan 1
	t_skip "tui" "tmux is not installed (Debian package tmux)"
	t_done
fi
t_require_ptrace
t_plan 40

# tcmd PID LINE: one command to a target, its reply in T_REPLY.
tcmd() {
	local -a fds
	read -r -a fds <<<"${T_TARGET_FD[$1]:-}"
	T_REPLY=
	[ "${#fds[@]}" -eq 2 ] || return 1
	printf '%s\n' "$2" 1>&"${fds[0]}" 2>/dev/null || return 1
	read -r -t 30 T_REPLY <&"${fds[1]}" || return 1
}

# alive PID: the target runs (not stopped, not traced) and answers.
alive() {
	local st tracer
	st=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	tracer=$(awk '/^TracerPid:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != t ] && [ "$st" != T ] &&
		[ "$tracer" = 0 ] && tcmd "$1" gap && [ "${T_REPLY%% *}" = gap ]
}

tm() { tmux -S "$sock" "$@"; }
shot() { tm capture-pane -p -t tui; }

# wait_for TEXT [SECONDS]: until the screen shows TEXT (fixed string).
wait_for() {
	local i n=$((${2:-15} * 10))
	for ((i = 0; i < n; i++)); do
		shot | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

# wait_re REGEX [SECONDS]: until a line of the screen matches REGEX.
wait_re() {
	local i n=$((${2:-15} * 10))
	for ((i = 0; i < n; i++)); do
		shot | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

# keys KEY...: send-keys, then a moment for the view to redraw.
keys() {
	tm send-keys -t tui "$@"
	sleep 0.3
}

# run CMD: types CMD at the pane's shell, then "EXIT=<status>" after it.
run() {
	tm send-keys -t tui "clear; $1; echo EXIT=\$?" Enter
}

# back_to_shell NAME [STATUS]: the view ended with exit status STATUS
# (default 0), the alternate screen is off, no sanitizer complained.
back_to_shell() {
	local want=${2:-0}
	if ! wait_for "EXIT=" 15; then
		save "$1"
		t_fail "$1" "goscope did not end"
		return 1
	fi
	if [ "$(tm display -p -t tui '#{alternate_on}')" != 0 ]; then
		t_fail "$1" "the terminal was left on the alternate screen"
		return 1
	fi
	if shot | grep -Eq 'Sanitizer|runtime error:'; then
		save "$1"
		t_fail "$1" "a sanitizer reported an error"
		return 1
	fi
	if ! shot | grep -q "^EXIT=$want\$"; then
		save "$1"
		t_fail "$1" "exit status $(shot | sed -n 's/^EXIT=//p'), want $want"
		return 1
	fi
	return 0
}

save() {
	mkdir -p "$keep"
	shot >"$keep/$1.txt"
	echo "#   screen kept in $keep/$1.txt"
}

# Groups whose state changes all the time (a busy loop, a 1 ms ticker,
# the goroutine serving the test's commands) are left out of goldens.
volatile='main\.(busyLoop|heartbeat|serveCommands)'

# The groups screen of --ascii at 120 columns without the header lines
# (pid, clock) and the times (WAIT is columns 52-58).
norm_groups() {
	sed -n '4,$p' | grep -Ev "$volatile" | grep -v '^q quit' |
		cut -c1-51,59- | sed 's/ *$//' | sed '/^$/d'
}

# compare_golden NAME FILE: against tests/live/tui-golden/NAME.
compare_golden() {
	local want=$golden/$1
	if [ "${GOSCOPE_UPDATE_GOLDEN:-}" = 1 ]; then
		mkdir -p "$golden"
		cp "$2" "$want"
		t_ok "$1 # golden written"
	elif [ ! -f "$want" ]; then
		t_skip "$1" "no golden screen for this Go version"
	else
		t_same "$1" "$want" "$2"
	fi
}

newest=$(bash "$T_ROOT/tests/go-toolchains.sh" list 2>/dev/null |
	awk -F'\t' '$2 != "SKIP" { v = $1; r = $2 } END { print v "\t" r }')
gover=${newest%%$'\t'*}
goroot=${newest#*$'\t'}
if [ -z "$goroot" ]; then
	t_skip_rest "tui" "no Go toolchain"
	t_done
fi
for t in goroutines leaky; do
	if ! CGO_ENABLED=0 go_build_with "$goroot" "$work/$t" \
		"$T_ROOT/tests/targets/$t" -trimpath >"$work/log" 2>&1; then
		t_fail "tui build $t" "$(tail -n 1 "$work/log")"
		t_skip_rest "tui" "no build"
		t_done
	fi
done

tm -f /dev/null new-session -d -s tui -x 120 -y 40 \
	"env -i PATH=$PATH HOME=$work TERM=screen LC_ALL=C.UTF-8 \
	 PS1='tui-test\$ ' bash --norc --noprofile"
tm set-option -t tui remain-on-exit on >/dev/null
sleep 0.3

if ! start_target gpid "$work/goroutines" -n 20; then
	t_fail "tui" "the goroutines target did not start"
	t_skip_rest "tui" "no target"
	t_done
fi
pids+=("$gpid")

# --- The groups screen of a known program, and its golden text. ---
"$GOSCOPE" groups "$gpid" >"$work/groups.cli"
ngs=$(sed -n '1s/^\([0-9]*\) goroutines in.*/\1/p' "$work/groups.cli")
ngroups=$(sed -n '1s/.* in \([0-9]*\) groups.*/\1/p' "$work/groups.cli")
run "$GOSCOPE $gpid --once --ascii --source-root $T_ROOT/tests/targets/goroutines"
if wait_for "GROUPS  $ngroups of $ngroups" 30; then
	shot >"$work/groups.txt"
	if grep -Eq '^ +20 .*main\.recvLeaf main\.go:70 < extraInner' \
		"$work/groups.txt" &&
		grep -q "^goroutines $ngs: " "$work/groups.txt"; then
		t_ok "groups: 'goscope PID' shows $ngs goroutines in $ngroups groups, the 20 extra ones in one"
	else
		save groups
		t_fail "groups: expected groups and counts" "see the kept screen"
	fi
	norm_groups <"$work/groups.txt" >"$work/groups.norm"
	compare_golden "groups-go$gover.txt" "$work/groups.norm"
else
	save groups
	t_fail "groups: the view did not show $ngroups groups"
fi

# --- Filter, drill down to a stack and its source line. ---
keys "/" "parkChanRecv"
if wait_for "GROUPS  1 of $ngroups  sort count  level lines  filter 'parkChanRecv'" 5; then
	t_ok "filter: a substring keeps the one group"
else
	save filter
	t_fail "filter: a substring keeps the one group"
fi
keys Enter Enter
if wait_for "GOROUTINES of group" 5 && wait_for "main.parkChanRecv" 2; then
	t_ok "drill-down: group to its goroutines and their stack"
else
	save goroutines
	t_fail "drill-down: group to its goroutines"
fi
keys Enter
if wait_for "STACK of goroutine" 5 &&
	shot | grep -Eq '^ +3  main\.recvLeaf \[inlined\] +example\.com/goscope/goroutines/main\.go:70' &&
	shot | grep -Eq '^ +4  main\.parkChanRecv +example\.com/goscope/goroutines/main\.go:78' &&
	shot | grep -Eq 'created by main\.main' &&
	shot | grep -Eq '^> +70  func recvLeaf\(c chan int\) int \{ return <-c \}'; then
	t_ok "drill-down: every frame (inlined marked), created by, source line 70"
else
	save stack
	t_fail "drill-down: stack frames and source line"
fi
keys Down
if wait_re '^> +78 +recvLeaf\(never\)' 3; then
	t_ok "stack: the source pane follows the selected frame"
else
	save stack-source
	t_fail "stack: the source pane follows the selected frame"
fi
keys Escape
sleep 0.2
keys Escape

# --- The parent of a goroutine. ---
keys "/" C-u "spawnerChild" Enter Enter Enter
if wait_for "STACK of goroutine" 5 && wait_for "main.spawnerChild" 2; then
	keys p
	if wait_re '^ +[0-9]+  main\.spawnerParent ' 3; then
		t_ok "stack: p opens the parent goroutine"
	else
		save parent
		t_fail "stack: p opens the parent goroutine"
	fi
else
	save parent
	t_fail "stack: the stack of spawnerChild"
fi
keys g

# --- Similarity level, threads, build information. ---
keys v
if wait_for "level functions" 3; then
	t_ok "level: v switches how alike stacks must be"
else
	save level
	t_fail "level: v switches the level"
fi
keys v v
wait_for "level lines" 3
keys t
if wait_for " THREADS" 3 && wait_re '(idle M|M[0-9]+ )' 15 &&
	wait_for "stack of thread" 2 && wait_re '^  runtime\.' 15; then
	t_ok "threads: the threads with their Ms and native stacks"
else
	save threads
	t_fail "threads: the threads screen"
fi
keys i
if wait_for " BUILD INFO" 3 && wait_for "example.com/goscope/goroutines" 2; then
	t_ok "build: the build information of the process"
else
	save build
	t_fail "build: the build information"
fi
keys g
keys "/" C-u "~^main\\.park(MutexLock|WaitGroup)\$" Enter
if wait_for "GROUPS  2 of $ngroups" 5; then
	t_ok "filter: a regular expression (~REGEX)"
else
	save filter-regex
	t_fail "filter: a regular expression (~REGEX)"
fi
keys "/" C-u "~(" Enter
if wait_for "bad regular expression" 3; then
	t_ok "filter: a bad expression is reported, the view goes on"
else
	save filter-bad
	t_fail "filter: a bad expression is reported"
fi
keys "/" C-u Enter
wait_for "GROUPS  $ngroups of $ngroups" 3

# --- Sort keys. ---
keys s s s
if wait_for "sort name" 3 &&
	shot | sed -n '6p' | grep -qF 'main.(*box['; then
	t_ok "sort: by name puts main.(*box[...]).wait first"
else
	save sort
	t_fail "sort: by name"
fi
keys s
wait_for "sort count" 3

# --- Baseline, diff, export. ---
keys b
if wait_re "baseline: snapshot #[0-9]+" 3 && wait_for "dBASE" 1; then
	bseq=$(shot | sed -n 's/.*baseline: snapshot #\([0-9]*\).*/\1/p')
	t_ok "baseline: b marks the current snapshot"
else
	save baseline
	t_fail "baseline: b marks the current snapshot"
fi
keys r
sleep 1
keys d
if wait_for "against the baseline #${bseq:-1}:" 5 &&
	wait_for "groups: 0 grown" 2; then
	t_ok "diff: the current snapshot against the baseline"
else
	save diff
	t_fail "diff: the current snapshot against the baseline"
fi
keys g e C-u "$work/export.json" Enter
if wait_for "wrote $work/export.json" 5 &&
	jq -e '.schema == "goscope.snapshot/2"' "$work/export.json" >/dev/null; then
	t_ok "export: e writes the snapshot as JSON"
else
	save export
	t_fail "export: e writes the snapshot as JSON"
fi

# --- Resize to 80x24. ---
tm resize-window -t tui -x 80 -y 24
sleep 0.5
keys C-l
wait_for "q quit" 8
shot >"$work/small.txt"
if [ "$(wc -l <"$work/small.txt")" -le 24 ] &&
	[ "$(LC_ALL=C.UTF-8 wc -L <"$work/small.txt")" -le 80 ] &&
	grep -q '^ GROUPS' "$work/small.txt" && grep -q '^q quit' "$work/small.txt" &&
	[ "$(grep -c ' main\.' "$work/small.txt")" -ge 15 ]; then
	t_ok "resize: 80x24 keeps header, 15+ groups and the footer"
else
	save resize
	t_fail "resize: 80x24 layout"
fi
# COUNT, STATE and FUNCTION of --ascii at 80 columns with a baseline.
{
	sed -n '4p' "$work/small.txt"
	sed -n '6,23p' "$work/small.txt" | grep -Ev "$volatile" |
		cut -c3-8,33-44,54- --output-delimiter=' ' | sed 's/ *$//'
} >"$work/small.norm"
compare_golden "groups-80x24-go$gover.txt" "$work/small.norm"
tm resize-window -t tui -x 120 -y 40
sleep 0.3

# --- Help from the key table. ---
keys "?"
if wait_for " HELP" 3 && wait_for "quit: the process keeps running" 1; then
	t_ok "help: ? lists the keys"
else
	save help
	t_fail "help: ? lists the keys"
fi
keys "?"

# --- q leaves the target running and the terminal as it was. ---
keys q
if back_to_shell quit; then
	if alive "$gpid"; then
		t_ok "quit: q restores the terminal, the target keeps running"
	else
		t_fail "quit: q restores the terminal" "the target is not running"
	fi
fi

# --- Signals during repeated snapshots. ---
run "$GOSCOPE top --interval=100ms $gpid"
wait_for "GROUPS" 15
sleep 1
keys C-c
if back_to_shell ctrl-c 130; then
	if alive "$gpid"; then
		t_ok "signals: Ctrl-C ends the view, the target keeps running"
	else
		t_fail "signals: Ctrl-C" "the target is not running"
	fi
fi
declare -A signum=([TERM]=15 [HUP]=1 [QUIT]=3)
for sig in TERM HUP QUIT; do
	run "$GOSCOPE top --interval=100ms $gpid"
	wait_for "GROUPS" 15
	sleep 1
	shellpid=$(tm display -p -t tui '#{pane_pid}')
	gs=$(pgrep -P "$shellpid" -x goscope | head -n 1)
	# Best effort: land the signal while the target is stopped.
	for _ in $(seq 300); do
		[ "$(awk '/^State:/ { print $2 }' "/proc/$gpid/status")" = t ] && break
	done
	[ -n "$gs" ] && kill -"$sig" "$gs"
	if back_to_shell "sig$sig" $((128 + ${signum[$sig]})); then
		if alive "$gpid"; then
			t_ok "signals: SIG$sig ends the view, the target keeps running"
		else
			t_fail "signals: SIG$sig" "the target is not running"
		fi
	fi
done

# --- Without a terminal: the grouped text, once. ---
"$GOSCOPE" top "$gpid" </dev/null >"$work/text.out" 2>"$work/text.err"
if head -n 1 "$work/text.out" | grep -q "in $ngroups groups"; then
	t_ok "not a terminal: the grouped view is printed once"
else
	t_fail "not a terminal: the grouped view" "$(head -n 1 "$work/text.err")"
fi

# --- A growing group is highlighted after a few refreshes. ---
if start_target lpid "$work/leaky" -leak 10; then
	pids+=("$lpid")
	run "$GOSCOPE top --interval=300ms $lpid"
	if wait_for "GROUPS" 15 && wait_for "main.leakOne" 10; then
		for _ in $(seq 100); do
			shot | grep -q '^!.*main\.leakOne' && break
			sleep 0.1
		done
		line=$(tm capture-pane -p -e -t tui | grep 'main\.leakOne' | head -n 1)
		if shot | grep -q '^!.*main\.leakOne' &&
			printf '%s' "$line" | grep -q $'\e\\[[0-9;]*m'; then
			t_ok "leak: the growing group is marked ! and highlighted"
		else
			save leak
			t_fail "leak: the growing group is marked and highlighted"
		fi
		keys l
		if wait_for " LEAKS  1 groups" 3 && shot | grep -q '^!.*main\.leakOne'; then
			t_ok "leak: the leaks screen lists it with its series"
		else
			save leaks
			t_fail "leak: the leaks screen"
		fi
	else
		save leak
		t_fail "leak: the view did not show main.leakOne"
	fi
	keys q
	back_to_shell leak-quit && t_ok "leak-quit: back to the shell"

	# --- Offline: two snapshot files, the second compared with the first. ---
	"$GOSCOPE" dump --format=json "$lpid" >"$work/a.json" 2>/dev/null
	sleep 1
	"$GOSCOPE" dump --format=json "$lpid" >"$work/b.json" 2>/dev/null
	run "$GOSCOPE top $work/a.json $work/b.json"
	if wait_for "file 2/2 b.json" 15 &&
		shot | grep -Eq '^\+ +[0-9]+ +\+[0-9]+ .*main\.leakOne'; then
		t_ok "offline: FILE... shows the growth since the previous file"
	else
		save offline
		t_fail "offline: FILE... browsing"
	fi
	keys "["
	if wait_for "file 1/2 a.json" 3; then
		t_ok "offline: [ goes to the previous file"
	else
		save offline-prev
		t_fail "offline: [ goes to the previous file"
	fi
	keys q
	back_to_shell offline-quit && t_ok "offline-quit: back to the shell"
else
	t_fail "leak" "the leaky target did not start"
fi

# --- A process that is not Go opens on the threads view. ---
sleep 300 &
spid=$!
run "$GOSCOPE top $spid"
if wait_for " THREADS  1" 15 && wait_for "not a Go program" 2 &&
	shot | grep -q "sleep"; then
	t_ok "not Go: the view opens on its threads"
else
	save notgo
	t_fail "not Go: the view opens on its threads"
fi
keys q
back_to_shell notgo-quit && t_ok "notgo-quit: back to the shell"

# --- The target exits while watched. ---
if start_target xpid "$work/leaky"; then
	pids+=("$xpid")
	run "$GOSCOPE top --interval=200ms $xpid"
	wait_for "GROUPS" 15
	stop_target "$xpid"
	if wait_for "EXITED" 10; then
		t_ok "target exits: the view says so and stays usable"
	else
		save exited
		t_fail "target exits: the view says so"
	fi
	keys q
	back_to_shell exited-quit && t_ok "exited-quit: back to the shell"
else
	t_fail "target exits" "the leaky target did not start"
fi

# --- --ascii draws nothing but ASCII. ---
run "$GOSCOPE top --ascii --once $gpid"
wait_for "GROUPS" 15
if ! shot | LC_ALL=C grep -q '[^ -~]'; then
	t_ok "ascii: --ascii draws only ASCII"
else
	save ascii
	t_fail "ascii: --ascii draws only ASCII"
fi
if tm capture-pane -p -e -t tui | grep -q $'\e\\[[0-9;]*4[0-7]m'; then
	t_ok "colors: the title bar has a color"
else
	save colors
	t_fail "colors: the title bar has a color"
fi
keys q
back_to_shell ascii-quit && t_ok "ascii-quit: back to the shell"

# --- NO_COLOR: attributes (reverse, bold) but no colors. ---
run "NO_COLOR=1 $GOSCOPE top --once $gpid"
wait_for "GROUPS" 15
if ! tm capture-pane -p -e -t tui | grep -Eq $'\e\\[([0-9]*;)*(3[0-7]|4[0-7]|38|48|9[0-7])(;[0-9]*)*m' &&
	tm capture-pane -p -e -t tui | grep -q $'\e\\[[0-9;]*7m'; then
	t_ok "colors: NO_COLOR keeps reverse video, drops colors"
else
	save nocolor
	t_fail "colors: NO_COLOR"
fi
keys q
back_to_shell nocolor-quit && t_ok "nocolor-quit: back to the shell"
t_done
