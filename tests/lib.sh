# Shared helpers for the shell tests; source it from bash.
#
# Result lines are TAP-like and counted by tests/run-tests.sh:
#   ok - NAME            not ok - NAME # why            ok - NAME # SKIP why
# A script exits 0 when nothing failed, 1 otherwise.

T_FAILED=0
T_COUNT=0	# result lines printed
T_PLAN=	# "1..N" printed by t_plan
T_EXPECT=0	# results announced by t_expect, printed as the plan by t_done
: "${GOSCOPE:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/goscope}"
T_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export GOSCOPE T_ROOT
# go_build_with and go_env, for the helpers that build Go programs.
. "$T_ROOT/tests/go-env.sh"

t_ok() {
	echo "ok - $1"
	T_COUNT=$((T_COUNT + 1))
}
t_fail() {
	echo "not ok - $1 # ${2:-failed}"
	T_FAILED=1
	T_COUNT=$((T_COUNT + 1))
}
t_skip() {
	echo "ok - $1 # SKIP ${2:-}"
	T_COUNT=$((T_COUNT + 1))
}

# Every script declares how many results it prints, so that a cell that
# ends without a result line (or prints two) fails in tests/run-tests.sh:
# either all at once before the first result, "t_plan N", or cell by cell
# before each one runs, "t_expect N", the sum then printed by t_done.
t_plan() {
	T_PLAN=$1
	echo "1..$1"
}
t_expect() { T_EXPECT=$((T_EXPECT + $1)); }

# t_skip_rest NAME WHY: the results still planned, as skips (a script
# that cannot go on here).
t_skip_rest() {
	local want=${T_PLAN:-$T_EXPECT}
	# Nothing announced yet: the skip is the one result.
	if [ -z "$T_PLAN" ] && [ "$T_EXPECT" -eq 0 ]; then
		t_expect 1
		want=$T_EXPECT
	fi
	while [ "$T_COUNT" -lt "$want" ]; do
		t_skip "$1" "$2"
	done
}

t_done() {
	# A script that announced nothing declares no plan (the runner
	# warns); one that counted its cells prints their total.
	[ -n "$T_PLAN" ] || [ "$T_EXPECT" -eq 0 ] || echo "1..$T_EXPECT"
	exit "$T_FAILED"
}

# t_same NAME EXPECTED_FILE ACTUAL_FILE: passes when both are identical,
# otherwise prints a unified diff (indented) and fails.
t_same() {
	if cmp -s "$2" "$3"; then
		t_ok "$1"
	else
		diff -u "$2" "$3" | head -n 40 | sed 's/^/#   /'
		t_fail "$1" "output differs"
	fi
}

# t_expect_status NAME WANT CMD...: runs CMD, passes when its exit status
# is WANT and it wrote exactly one line to stderr (for WANT != 0).
t_expect_status() {
	local name=$1 want=$2 err rc lines
	shift 2
	err=$(mktemp)
	"$@" >/dev/null 2>"$err"
	rc=$?
	lines=$(wc -l <"$err")
	if [ "$rc" -ne "$want" ]; then
		sed 's/^/#   /' "$err"
		t_fail "$name" "exit status $rc, want $want"
	elif [ "$want" -ne 0 ] && [ "$lines" -lt 1 ]; then
		t_fail "$name" "no error message"
	elif [ "$rc" -ge 128 ]; then
		t_fail "$name" "killed by a signal"
	else
		echo "#   stderr: $(head -n 1 "$err")"
		t_ok "$name"
	fi
	rm -f "$err"
}

# t_require_ptrace: exits 77 when this environment forbids reading other
# processes (no ptrace permission); the runner counts that as a skip.
t_require_ptrace() {
	local scope
	scope=$(t_ptrace_scope)
	if ! t_can_ptrace; then
		if [ "$T_COUNT" -gt 0 ]; then
			t_skip_rest "ptrace" "not permitted here (ptrace_scope=$scope)"
			t_done
		fi
		echo "ptrace not permitted here (ptrace_scope=$scope)"
		exit 77
	fi
}

# start_target VAR CMD...: starts CMD with a pipe on stdin, waits for its
# "ready PID" line and stores the pid in VAR.  stop_target PID ends it.
declare -A T_TARGET_FD
start_target() {
	local _st_var=$1 _st_line _st_in _st_out _st_pid _st_w _st_r
	shift
	_st_in=$(mktemp -u) _st_out=$(mktemp -u)
	mkfifo "$_st_in" "$_st_out"
	"$@" <"$_st_in" >"$_st_out" 2>/dev/null &
	_st_pid=$!
	exec {_st_w}>"$_st_in"
	exec {_st_r}<"$_st_out"
	rm -f "$_st_in" "$_st_out"
	if ! read -r -t 30 _st_line <&"$_st_r" ||
		[ "${_st_line%% *}" != ready ]; then
		kill "$_st_pid" 2>/dev/null
		return 1
	fi
	T_TARGET_FD[$_st_pid]="$_st_w $_st_r"
	printf -v "$_st_var" '%s' "$_st_pid"
}

stop_target() {
	local pid=${1:-} fds
	[ -n "$pid" ] || return 0
	fds=${T_TARGET_FD[$pid]:-}
	for fd in $fds; do
		eval "exec $fd>&-"
	done
	# The target exits when its stdin closes; make sure it is gone.
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "T_TARGET_FD[$pid]"
	return 0
}

# t_build_newest NAME OUT SRC_DIR: builds the Go program in SRC_DIR with
# the newest toolchain of the matrix; without a toolchain NAME is
# skipped, on a build error it fails, and in both cases the script ends.
t_build_newest() {
	local name=$1 out=$2 src=$3 newest
	newest=$(t_newest_go | cut -f2)
	if [ -z "$newest" ]; then
		t_skip_rest "$name" "no Go toolchain"
		t_done
	fi
	if ! go_build_with "$newest" "$out" "$src" >"$out.log" 2>&1; then
		t_fail "$name: build" "$(tail -n 1 "$out.log")"
		t_skip_rest "$name" "no build"
		t_done
	fi
}

# t_traced_threads PID: how many threads of PID are in a ptrace stop ('t').
t_traced_threads() {
	cat /proc/"$1"/task/*/stat 2>/dev/null |
		awk '{ sub(/.*\) /, ""); if ($1 == "t") n++ } END { print n + 0 }'
}

# ---- Script setup: the scratch folder, and what ends at exit ----------

T_AT_EXIT=()

# t_ptrace_scope: Yama's ptrace_scope (0 without Yama).
t_ptrace_scope() { cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0; }

# t_can_ptrace: succeeds when this environment lets us read other
# processes (Yama's ptrace_scope below 2, or root).
t_can_ptrace() { [ "$(t_ptrace_scope)" -lt 2 ] || [ "$(id -u)" -eq 0 ]; }

# t_newest_go: "VERSION<tab>GOROOT" of the newest toolchain of the
# matrix; nothing when there is none.
t_newest_go() {
	bash "$T_ROOT/tests/go-toolchains.sh" list 2>/dev/null |
		awk -F'\t' '$2 != "SKIP" { v = $1; r = $2 }
			     END { if (r != "") print v "\t" r }'
}

# t_workdir: makes the script's scratch folder $work and sets $pid
# empty.  At exit (t_cleanup) the commands given to t_at_exit run, last
# first; then the target in $pid (start_target) and every target of
# t_launch end, and $work is removed.
t_workdir() {
	work=$(mktemp -d)
	pid=
	trap t_cleanup EXIT
}

# t_live_setup: the start of a script that reads live processes:
# t_require_ptrace, then t_workdir.
t_live_setup() {
	t_require_ptrace
	t_workdir
}

# t_at_exit CMD: the shell command line CMD runs at exit, before the
# targets end and $work is removed.
t_at_exit() { T_AT_EXIT+=("$1"); }

t_cleanup() {
	local i
	for ((i = ${#T_AT_EXIT[@]} - 1; i >= 0; i--)); do
		eval "${T_AT_EXIT[i]}"
	done
	# $pid only while start_target's target runs (it may be gone and
	# its number reused).
	[ -z "${pid:-}" ] || [ -z "${T_TARGET_FD[$pid]:-}" ] ||
		stop_target "$pid"
	t_finish_all
	[ -z "${work:-}" ] || rm -rf "$work"
}

# ---- Cells of the Go matrix: one toolchain's build and target ---------

# t_cell_missing NAME VER ROOT REASON: for a line "VER ROOT REASON" of
# tests/go-toolchains.sh list: when the toolchain is missing (ROOT is
# SKIP) it skips the rest of the cell NAME and succeeds.
t_cell_missing() {
	[ "$3" = SKIP ] || return 1
	t_skip_rest "$1" "go $2 unavailable: $4"
}

# t_cell_build NAME ROOT OUT SRC_DIR [GO-BUILD-ARG...]: go_build_with
# for one cell; on a build error it fails "NAME build" with the last line
# of the log (OUT.log), skips the rest of the cell and returns 1.
t_cell_build() {
	local name=$1 root=$2 out=$3 src=$4
	shift 4
	go_build_with "$root" "$out" "$src" "$@" >"$out.log" 2>&1 && return 0
	t_fail "$name build" "$(tail -n 1 "$out.log")"
	t_skip_rest "$name" "no build"
	return 1
}

# t_cell_launch NAME VAR CMD...: t_launch for one cell; when the target
# does not start it fails "NAME start", skips the rest of the cell and
# returns 1.
t_cell_launch() {
	local name=$1
	shift
	t_launch "$@" && return 0
	t_fail "$name start" "target did not start"
	t_skip_rest "$name" "no target"
	return 1
}

# t_cell_goroutines NAME ROOT BIN [TARGET-ARG...]: t_cell_build of
# tests/targets/goroutines as BIN, then t_cell_launch of it (without
# GOTRACEBACK) with the arguments, its pid in $pid; returns 1 when the
# cell cannot go on.
t_cell_goroutines() {
	t_cell_build "$1" "$2" "$3" "$T_ROOT/tests/targets/goroutines" &&
		t_cell_launch "$1" pid env -u GOTRACEBACK "$3" "${@:4}"
}

# ---- tmux: a terminal for the interactive view -------------------------
# One private tmux server per script (its socket in $work, killed at
# exit) with one session, "tui".

# t_tmux_start COLSxLINES CMD...: starts the session at that size running
# CMD, with a clean environment (PATH, HOME=$work, TERM=screen,
# LC_ALL=C.UTF-8).
t_tmux_start() {
	local size=$1
	shift
	T_TMUX_SOCK=$work/tmux.sock
	t_at_exit 't_tm kill-server 2>/dev/null'
	t_tm -f /dev/null new-session -d -s tui -x "${size%x*}" -y "${size#*x}" \
		env -i PATH="$PATH" HOME="$work" TERM=screen LC_ALL=C.UTF-8 "$@"
}

# t_tmux_resize COLSxLINES [SECONDS]: resizes the session, then waits
# SECONDS (0.3) for the view to follow.
t_tmux_resize() {
	t_tm resize-window -t tui -x "${1%x*}" -y "${1#*x}"
	sleep "${2:-0.3}"
}

# t_tm ARGS...: a tmux command to the script's server.
t_tm() { tmux -S "$T_TMUX_SOCK" "$@"; }

# t_shot: the screen's text.
t_shot() { t_tm capture-pane -p -t tui; }

# t_keys KEY...: send-keys, then a moment for the view to redraw.
t_keys() {
	t_tm send-keys -t tui "$@"
	sleep 0.3
}

# t_wait_for TEXT [SECONDS]: until the screen shows TEXT (a fixed
# string), 15 seconds at most.
t_wait_for() { t_wait_screen -F "$@"; }

# t_wait_re REGEX [SECONDS]: until a line of the screen matches REGEX
# (extended), 15 seconds at most.
t_wait_re() { t_wait_screen -E "$@"; }

t_wait_screen() {
	local i n=$((${3:-15} * 10))
	for ((i = 0; i < n; i++)); do
		t_shot | grep -q "$1" -- "$2" && return 0
		sleep 0.1
	done
	return 1
}

# ---- Core files --------------------------------------------------------

# t_core_patch CORE WHAT: rewrites an x86-64 ELF core in place.  WHAT is
# nt-file: its NT_FILE note renamed (an older kernel's core, without
# one); writable: its writable PT_LOAD segments dropped (a core that left
# out the heap and the runtime's data).
t_core_patch() {
	python3 - "$1" "$2" <<'EOF'
import struct, sys
path, what = sys.argv[1], sys.argv[2]
if what not in ('nt-file', 'writable'):
    sys.exit('t_core_patch: unknown change ' + what)
with open(path, 'r+b') as f:
    head = f.read(64)
    phoff, = struct.unpack_from('<Q', head, 0x20)
    phnum, = struct.unpack_from('<H', head, 0x38)
    f.seek(phoff)
    ph = f.read(phnum * 56)
    for i in range(phnum):
        p_type, flags, off, _, _, filesz = struct.unpack_from('<IIQQQQ', ph, i * 56)
        if what == 'writable' and p_type == 1 and flags & 2:
            f.seek(phoff + i * 56)
            f.write(struct.pack('<I', 0))
        if what != 'nt-file' or p_type != 4:
            continue
        f.seek(off)
        notes = f.read(filesz)
        pos = 0
        while pos + 12 <= filesz:
            namesz, descsz, ntype = struct.unpack_from('<III', notes, pos)
            if ntype == 0x46494c45:
                f.seek(off + pos + 8)
                f.write(struct.pack('<I', 0x7fffffff))
            pos += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
EOF
}

# ---- Commands that must fail, or answer, a certain way ----------------

# t_goscope_error NAME PATTERN ARGS...: goscope ARGS (at most 120 s)
# exits with status 1 and writes exactly one line to standard error,
# "goscope: MESSAGE" where MESSAGE contains PATTERN (extended), or
# starts with it when PATTERN starts with ^.
t_goscope_error() {
	local name=$1 pat=$2 rc lines
	shift 2
	[ "${pat#^}" != "$pat" ] && pat="^goscope: (${pat#^})" ||
		pat="^goscope: .*($pat)"
	timeout 120 "$GOSCOPE" "$@" >/dev/null 2>"$work/err"
	rc=$?
	lines=$(wc -l <"$work/err")
	if [ "$rc" -eq 1 ] && [ "$lines" -eq 1 ] &&
		grep -Eq "$pat" "$work/err"; then
		t_ok "$name"
	else
		t_fail "$name" "status $rc, $lines lines: $(head -n 1 "$work/err")"
	fi
}

# t_status_says NAME WANT PATTERN CMD...: runs CMD, its output and errors
# to $work/out; passes when it exits with status WANT and a line of what
# it wrote matches PATTERN (grep), otherwise fails with the status and
# the first line it wrote.
t_status_says() {
	local name=$1 want=$2 pat=$3 rc
	shift 3
	"$@" >"$work/out" 2>&1
	rc=$?
	if [ "$rc" -eq "$want" ] && grep -q -- "$pat" "$work/out"; then
		t_ok "$name"
	else
		t_fail "$name" "exit $rc: $(head -n 1 "$work/out")"
	fi
}

# ---- Benchmarks (tests/bench/) -----------------------------------------

# t_bench_target ARGS...: builds tests/targets/goroutines with the newest
# toolchain (its GOROOT in T_GOROOT) as $work/target and starts it with
# ARGS, its pid in $pid; says why on standard error and exits 1 when it
# cannot.
t_bench_target() {
	T_GOROOT=$(t_newest_go | cut -f2)
	[ -n "$T_GOROOT" ] || { echo "bench: no Go toolchain" >&2; exit 1; }
	go_build_with "$T_GOROOT" "$work/target" \
		"$T_ROOT/tests/targets/goroutines" >/dev/null || exit 1
	t_launch pid "$work/target" "$@" ||
		{ echo "bench: the target did not start" >&2; exit 1; }
}

# Targets that answer commands on their standard input (the Go test
# program tests/targets/goroutines): started by t_launch, remembered in
# T_PIDS, ended by t_finish or, all at once, by t_finish_all (for a
# cleanup trap).
T_PIDS=()

# t_tcmd PID LINE: sends LINE to the target's stdin and reads its
# one-line reply into T_REPLY; fails when the target does not answer.
t_tcmd() {
	local -a fds
	read -r -a fds <<<"${T_TARGET_FD[$1]:-}"
	T_REPLY=
	[ "${#fds[@]}" -eq 2 ] || return 1
	printf '%s\n' "$2" 1>&"${fds[0]}" 2>/dev/null || return 1
	read -r -t 60 T_REPLY <&"${fds[1]}" || return 1
}

# t_tdump PID FILE: makes the target write its own debug=2 dump to FILE.
t_tdump() { t_tcmd "$1" "dump $2" && [ "$T_REPLY" = dumped ]; }

# t_launch VAR CMD...: start_target, and the pid remembered.
t_launch() {
	local _l_pid
	start_target _l_pid "${@:2}" || return 1
	T_PIDS+=("$_l_pid")
	printf -v "$1" '%s' "$_l_pid"
}

# t_finish PID: ends a target (resumed first, in case goscope left it
# stopped) and forgets it; one that stop_target ended is only forgotten.
t_finish() {
	local p left=()
	if [ -n "${T_TARGET_FD[$1]:-}" ]; then
		kill -CONT "$1" 2>/dev/null
		stop_target "$1"
	fi
	for p in "${T_PIDS[@]}"; do
		[ "$p" = "$1" ] || left+=("$p")
	done
	T_PIDS=("${left[@]}")
}

t_finish_all() {
	while [ "${#T_PIDS[@]}" -gt 0 ]; do
		t_finish "${T_PIDS[0]}"
	done
}

# t_build_dumpcmp DIR: builds the dump comparator tests/tools/dumpcmp as
# DIR/dumpcmp with the newest toolchain; without a toolchain or on a
# build error the script ends with one result.
t_build_dumpcmp() {
	local newest
	newest=$(t_newest_go | cut -f2)
	if [ -z "$newest" ]; then
		t_skip_rest "$(basename "$0" .sh)" "no Go toolchain"
		t_done
	fi
	if ! go_build_with "$newest" "$1/dumpcmp" "$T_ROOT/tests/tools/dumpcmp" \
		>"$1/dumpcmp.log" 2>&1; then
		t_expect 1
		t_fail "dumpcmp build" "$(tail -n 1 "$1/dumpcmp.log")"
		t_skip_rest "$(basename "$0" .sh)" "no dumpcmp"
		t_done
	fi
	T_DUMPCMP=$1/dumpcmp
}

# t_dumpcmp CELL WANT GOT [DUMPCMP-OPTION...]: compares two goroutine
# dumps with the comparator built by t_build_dumpcmp; sets CMP_RC to its
# status and CMP_SUMMARY to its summary (or error) line.  When they
# differ it prints the details as comments and keeps both dumps in
# T_KEEP (a folder) as CELL.want and CELL.got.
t_dumpcmp() {
	local cell=${1//[\/ ]/-} want=$2 got=$3 out
	shift 3
	out=$("$T_DUMPCMP" "$@" "$want" "$got" 2>"$T_DUMPCMP.err")
	CMP_RC=$?
	if [ "$CMP_RC" -eq 2 ]; then
		CMP_SUMMARY="dumpcmp: $(head -n 1 "$T_DUMPCMP.err")"
	else
		CMP_SUMMARY=$(printf '%s\n' "$out" | tail -n 1)
	fi
	[ "$CMP_RC" -eq 0 ] && return 0
	printf '%s\n' "$out" | head -n 60 | sed 's/^/#   /'
	head -n 3 "$T_DUMPCMP.err" | sed 's/^/#   /'
	if [ -n "${T_KEEP:-}" ]; then
		mkdir -p "$T_KEEP"
		cp "$want" "$T_KEEP/$cell.want" 2>/dev/null
		cp "$got" "$T_KEEP/$cell.got" 2>/dev/null
		echo "#   dumps kept in $T_KEEP/$cell.*"
	fi
	return 1
}

# t_oracle_cmp CELL WANT GOT [DUMPCMP-OPTION...]: t_dumpcmp of goscope's
# dump of the live goroutines target (GOT) against the target's own dump
# taken after it (WANT).  dumpcmp must exclude the main goroutine (it
# serves the dump command) and the busy loop (running or runnable),
# always, and the heartbeat too when a dump catches it between two ticks
# (runnable); any other exclusion, or a goroutine missing from goscope's
# dump, fails the comparison.
T_ORACLE_EXCLUDED=2-3
t_oracle_cmp() { t_dumpcmp "$1" "$2" "$3" -excluded "$T_ORACLE_EXCLUDED" "${@:4}"; }

# t_launch_goroutines VAR BIN: starts the goroutines target BIN with 20
# extra parked goroutines and a clean traceback setting.
t_launch_goroutines() { t_launch "$1" env -u GOTRACEBACK "$2" -n 20; }

# t_cmp_result NAME: the result of the last t_dumpcmp, its summary as
# the comment.
t_cmp_result() {
	if [ "$CMP_RC" -eq 0 ]; then
		t_ok "$1 # $CMP_SUMMARY"
	else
		t_fail "$1" "$CMP_SUMMARY"
	fi
}

# ---------------------------------------------------------------------
# Error cases of the commands that stop a live target (dump-errors.sh,
# threads-errors.sh): a zombie, permission denied, goscope killed in the
# middle of a capture, a target that exits during one.

# t_not_stopped NAME PID: passes when no thread of PID is in a ptrace
# stop.
t_not_stopped() {
	if [ "$(t_traced_threads "$2")" -eq 0 ]; then
		t_ok "$1"
	else
		t_fail "$1" "$(t_traced_threads "$2") threads left stopped"
	fi
}

# t_zombie_status NAME CMD...: makes a zombie (the child of a process
# that never reaps it) and runs t_expect_status NAME 1 CMD... ZPID; NAME
# is skipped when no zombie appears.
t_zombie_status() {
	local name=$1 ppid zpid= _
	shift
	sh -c 'sleep 0.3 & exec sleep 30' &
	ppid=$!
	for _ in $(seq 50); do
		zpid=$(cat /proc/"$ppid"/task/"$ppid"/children 2>/dev/null | awk '{ print $1 }')
		[ -n "$zpid" ] && grep -q '^State:.*Z' /proc/"$zpid"/status 2>/dev/null && break
		sleep 0.1
	done
	if [ -n "$zpid" ]; then
		t_expect_status "$name" 1 "$@" "$zpid"
	else
		t_skip "$name" "could not make a zombie"
	fi
	kill "$ppid" 2>/dev/null
}

# t_denied NAME PATTERN COMMAND TARGET...: as root, starts TARGET
# (start_target) and runs a copy of goscope COMMAND PID as user nobody;
# passes when that exits 1 with one line on stderr matching PATTERN (grep)
# and no thread of the target is left in a ptrace stop.  Skipped when
# not root.
t_denied() {
	local name=$1 pattern=$2 cmd=$3 dir pid rc
	shift 3
	[ "$(id -u)" -eq 0 ] ||
		{ t_skip "$name" "needs root to drop privileges"; return; }
	start_target pid "$@" || { t_fail "$name" "target did not start"; return; }
	dir=$(mktemp -d)
	cp "$GOSCOPE" "$dir/goscope"
	chmod 755 "$dir" "$dir/goscope"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$dir/goscope" "$cmd" "$pid" >/dev/null 2>"$dir/err"
	rc=$?
	if [ $rc -eq 1 ] && [ "$(wc -l <"$dir/err")" -eq 1 ] &&
		grep -q "$pattern" "$dir/err" &&
		[ "$(t_traced_threads "$pid")" -eq 0 ]; then
		t_ok "$name"
	else
		t_fail "$name" "exit $rc: $(head -n 1 "$dir/err")"
	fi
	stop_target "$pid"
	rm -rf "$dir"
}

# t_killed NAME SIG DELAY ENDED PROBE REPLY COMMAND TARGET...: starts
# TARGET (start_target), runs goscope COMMAND PID in the background and
# sends it SIG after DELAY seconds; passes when the target runs on:
# alive, no thread in a ptrace stop, and the first word of its answer to
# the line PROBE is REPLY.  With ENDED 1, goscope must have been ended
# by SIG (else it may have finished before).  The target is ended after.
t_killed() {
	local name=$1 sig=$2 delay=$3 ended=$4 probe=$5 want=$6 cmd=$7
	local pid gpid grc stopped reply= fds
	shift 7
	start_target pid "$@" || { t_fail "$name" "target did not start"; return; }
	# A background job of a non-interactive shell starts with SIGINT
	# ignored: restore it, or a SIGINT cell tests nothing.
	env --default-signal=INT "$GOSCOPE" "$cmd" "$pid" >/dev/null 2>&1 &
	gpid=$!
	sleep "$delay"
	kill -s "$sig" "$gpid" 2>/dev/null
	wait "$gpid" 2>/dev/null
	grc=$?
	sleep 0.2
	stopped=$(t_traced_threads "$pid")
	read -r -a fds <<<"${T_TARGET_FD[$pid]:-}"
	if [ "$ended" = 1 ] && [ "$grc" -ne $((128 + $(kill -l "$sig"))) ]; then
		t_fail "$name" "goscope exit status $grc: not ended by SIG$sig"
	elif ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid" 2>/dev/null
		t_fail "$name" "target exited with status $?"
	elif echo "$probe" >&"${fds[0]}" 2>/dev/null &&
		read -r -t 10 reply <&"${fds[1]}" &&
		[ "${reply%% *}" = "$want" ] && [ "$stopped" -eq 0 ]; then
		t_ok "$name: target running"
	else
		t_fail "$name" "$stopped threads stopped, reply '${reply:-}'"
	fi
	stop_target "$pid"
}

# t_lost_target RUN GPID ERR PID: waits for the goscope job GPID whose
# target PID went away during the capture, then ends PID (stop_target).
# The run is good when goscope exited 0, or 1 with one line in the file
# ERR; else it says why (a comment naming RUN) and counts a bad run in
# T_BAD.  t_bad_runs NAME: the result of those runs (passes when none was
# bad), T_BAD back to 0.
T_BAD=0
t_lost_target() {
	local rc
	wait "$2"
	rc=$?
	stop_target "$4"
	[ "$rc" -eq 0 ] && return 0
	[ "$rc" -eq 1 ] && [ "$(wc -l <"$3")" -eq 1 ] && return 0
	echo "#   run $1: exit $rc: $(head -n 2 "$3")"
	T_BAD=$((T_BAD + 1))
}

t_bad_runs() {
	if [ "$T_BAD" -eq 0 ]; then
		t_ok "$1"
	else
		t_fail "$1" "$T_BAD bad runs"
	fi
	T_BAD=0
}
