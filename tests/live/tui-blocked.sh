#!/bin/bash
# tui-blocked: the interactive view says what goroutines are blocked on.
# `goscope top` on tests/targets/blockedon (newest Go), driven through
# tmux: the goroutines screen of the group of Mutex waiters shows the
# semaphore (address, global) they all wait on, the stack screen of one
# of them the same, and the group of waiters on a Cond on the heap its
# notify list; addresses as the target reports them (its truth file).
set -u
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/go-env.sh"
trap '' PIPE

work=$(mktemp -d)
sock=$work/tmux.sock
pid=
cleanup() {
	tmux -S "$sock" kill-server 2>/dev/null
	stop_target "$pid"
	rm -rf "$work"
}
trap cleanup EXIT

if ! command -v tmux >/dev/null; then
	t_plan 1
	t_skip "tui-blocked" "tmux is not installed (Debian package tmux)"
	t_done
fi
t_require_ptrace
t_plan 3

tm() { tmux -S "$sock" "$@"; }
shot() { tm capture-pane -p -t tui; }
keys() {
	tm send-keys -t tui "$@"
	sleep 0.3
}
# wait_for TEXT [SECONDS]: until the screen shows TEXT (fixed string).
wait_for() {
	local i n=$((${2:-15} * 10))
	for ((i = 0; i < n; i++)); do
		shot | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
# check NAME TEXT: the screen shows TEXT.
check() {
	if wait_for "$2" 10; then
		t_ok "$1"
	else
		shot | sed 's/^/#   /'
		t_fail "$1" "no '$2' on the screen"
	fi
}

t_build_newest "tui-blocked" "$work/blockedon" "$T_ROOT/tests/targets/blockedon"
if ! start_target pid "$work/blockedon" "$work/truth"; then
	t_skip_rest "tui-blocked" "the target did not start"
	t_done
fi
read -r _ _ gmu gsym _ < <(grep '^sema gmu ' "$work/truth")
read -r _ _ hcond _ < <(grep '^cond hcond ' "$work/truth")

tm -f /dev/null new-session -d -s tui -x 160 -y 40 \
	"env -i PATH=$PATH HOME=$work TERM=screen LC_ALL=C.UTF-8 \
	 $GOSCOPE top --interval=1s $pid"
if ! wait_for " GROUPS" 15; then
	t_skip_rest "tui-blocked" "the view did not start"
	t_done
fi
# The Mutex waiters: main's 3 on gmu come before the 2 on a heap Mutex.
keys "/" C-u "sync.Mutex.Lock" Enter
keys Enter
check "tui-blocked: a group's goroutines blocked on one Mutex" \
	"blocked on sema  $gmu $gsym  (all 3)"
keys Enter
check "tui-blocked: the goroutine screen names its Mutex" \
	"blocked on sema  $gmu $gsym"
# The Cond waiters: 3 on a Cond on the heap, 2 on main's gcond.
keys Escape
sleep 0.3
keys Escape
sleep 0.3
keys "/" C-u "sync.Cond.Wait" Enter
keys Enter
check "tui-blocked: a group's goroutines blocked on a Cond on the heap" \
	"blocked on cond  $hcond  (all 3)"
keys q
t_done
