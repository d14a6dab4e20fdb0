#!/bin/bash
# tui-core: the interactive view on a core file, offline.  A checked-in
# kernel core of the Go test program (tests/fixtures/cores/, read as the
# .xz it is stored as) is browsed with `goscope top CORE EXE` in a private
# tmux server at 120x40: the header must count every goroutine of the
# program's own dump and the groups screen as many groups as `goscope
# groups CORE EXE` prints; the threads screen lists the core's threads;
# `goscope top SNAPSHOT CORE` (the executable found next to the core)
# compares the core with a JSON snapshot of itself (no growth); q ends
# the view with status 0 and the terminal restored.
set -u
. "$(dirname "$0")/../lib.sh"

fix=$T_ROOT/tests/fixtures/cores
t_workdir

t_plan 5
if ! command -v tmux >/dev/null; then
	t_skip_rest "tui-core" "tmux is not installed (Debian package tmux)"
	t_done
fi
n=go1.27-exe
[ -s "$fix/$n.core.xz" ] || n=$(cd "$fix" 2>/dev/null && ls *.core.xz | head -n 1 | sed 's/\.core\.xz$//')
if [ -z "$n" ] || ! command -v xz >/dev/null; then
	t_skip_rest "tui-core" "no core fixture, or xz not installed"
	t_done
fi
cp "$fix/$n.core.xz" "$work/core.xz"
xz -dc "$fix/$n.exe.xz" >"$work/goroutines" && chmod +x "$work/goroutines"

# view NAME ARGS...: goscope top ARGS in the pane, then EXIT=status.
view() {
	t_tm send-keys -t tui "clear; cd '$work' && '$GOSCOPE' top $*; echo EXIT=\$?" Enter
}
# quit NAME: q ends the view with status 0, the alternate screen off.
quit() {
	t_tm send-keys -t tui q
	if t_wait_re '^EXIT=0$' 15 &&
		[ "$(t_tm display -p -t tui '#{alternate_on}')" = 0 ]; then
		t_ok "$1: q: status 0, terminal restored"
	else
		t_shot | tail -n 5 | sed 's/^/#   /'
		t_fail "$1: q" "the view did not end cleanly"
	fi
}

total=$(grep -c '^goroutine ' "$fix/$n.dump")
groups=$("$GOSCOPE" groups "$work/core.xz" "$work/goroutines" 2>"$work/err" |
	sed -n '1s/^[0-9]* goroutines in \([0-9]*\) groups.*/\1/p')
if [ -z "$groups" ]; then
	t_fail "$n: goscope groups CORE EXE" "$(head -n 1 "$work/err")"
	t_skip_rest "$n" "no groups"
	t_done
fi
t_tmux_start 120x40 bash --norc --noprofile
t_tm set-option -t tui status off >/dev/null
view "core.xz goroutines"
if t_wait_re "goroutines $total: " 30 &&
	t_wait_re "GROUPS +$groups of $groups " 30; then
	t_ok "$n: top CORE EXE: $total goroutines, $groups groups"
else
	t_shot | head -n 8 | sed 's/^/#   /'
	t_fail "$n: top CORE EXE" "want goroutines $total, $groups groups"
fi
threads=$(grep -c '^thread ' "$fix/$n.threads")
t_tm send-keys -t tui t
if t_wait_re "THREADS +$threads( |$)" 15; then
	t_ok "$n: top CORE EXE: the threads screen lists the core's $threads threads"
else
	t_shot | head -n 8 | sed 's/^/#   /'
	t_fail "$n: threads screen" "want THREADS $threads"
fi
quit "$n: top CORE EXE"

"$GOSCOPE" dump --format=json "$work/core.xz" "$work/goroutines" \
	>"$work/snap.json" 2>"$work/err"
xz -dc "$work/core.xz" >"$work/core"
view "snap.json core"
# Every group's row (all fit at 40 lines) with 0 in the ΔPREV column.
if t_wait_re "file 2/2 core" 30 && t_wait_re "goroutines $total: " 30 &&
	[ "$(t_shot | grep -cE '^.? +[0-9]+ +0 ')" -eq "$groups" ]; then
	t_ok "$n: top SNAPSHOT CORE: the core after its own snapshot, $groups groups +0"
else
	t_shot | head -n 12 | sed 's/^/#   /'
	t_fail "$n: top SNAPSHOT CORE" "not shown, or a group changed"
fi
quit "$n: top SNAPSHOT CORE"
t_done
