#!/bin/bash
# tui-blocked: the interactive view says what goroutines are blocked on.
# `goscope top` on tests/targets/blockedon (newest Go), driven through
# tmux: the goroutines screen of the group of Mutex waiters shows the
# semaphore (address, global) they all wait on, the stack screen of one
# of them the same, and the group of waiters on a Cond on the heap its
# notify list; addresses as the target reports them (its truth file).
set -u
. "$(dirname "$0")/../lib.sh"
trap '' PIPE

if ! command -v tmux >/dev/null; then
	t_plan 1
	t_skip "tui-blocked" "tmux is not installed (Debian package tmux)"
	t_done
fi
t_live_setup
t_plan 3

# check NAME TEXT: the screen shows TEXT.
check() {
	if t_wait_for "$2" 10; then
		t_ok "$1"
	else
		t_shot | sed 's/^/#   /'
		t_fail "$1" "no '$2' on the screen"
	fi
}

t_build_newest "tui-blocked" "$work/blockedon" "$T_ROOT/tests/targets/blockedon"
if ! t_launch pid "$work/blockedon" "$work/truth"; then
	t_skip_rest "tui-blocked" "the target did not start"
	t_done
fi
read -r _ _ gmu gsym _ < <(grep '^sema gmu ' "$work/truth")
read -r _ _ hcond _ < <(grep '^cond hcond ' "$work/truth")

t_tmux_start 160x40 "$GOSCOPE" top --interval=1s "$pid"
if ! t_wait_for " GROUPS" 15; then
	t_skip_rest "tui-blocked" "the view did not start"
	t_done
fi
# The Mutex waiters: main's 3 on gmu come before the 2 on a heap Mutex.
t_keys "/" C-u "sync.Mutex.Lock" Enter
t_keys Enter
check "tui-blocked: a group's goroutines blocked on one Mutex" \
	"blocked on sema  $gmu $gsym  (all 3)"
t_keys Enter
check "tui-blocked: the goroutine screen names its Mutex" \
	"blocked on sema  $gmu $gsym"
# The Cond waiters: 3 on a Cond on the heap, 2 on main's gcond.
t_keys Escape
sleep 0.3
t_keys Escape
sleep 0.3
t_keys "/" C-u "sync.Cond.Wait" Enter
t_keys Enter
check "tui-blocked: a group's goroutines blocked on a Cond on the heap" \
	"blocked on cond  $hcond  (all 3)"
t_keys q
t_done
