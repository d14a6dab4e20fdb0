#!/bin/bash
# threads-c: goscope threads on a C program whose threads block in known
# places (read, nanosleep through an inlined helper, a mutex, a condition
# variable, a raw futex, epoll_wait, deep recursion, a busy loop), built
# -O0 -g, -O2 -fomit-frame-pointer, stripped with its debug information
# split into a .gnu_debuglink file, stripped with the debug file only
# under a build-id directory (--debug-dir), and stripped bare.  The
# expected functions and lines of each thread come from the source; gdb's
# "thread apply all bt" on the same process is the second oracle.
set -u
. "$(dirname "$0")/../lib.sh"
t_live_setup

src=$T_ROOT/tests/targets/threads/blocked.c
depth=12

command -v jq >/dev/null || { t_plan 1; t_skip "threads-c" "jq not installed"; t_done; }

# The line of a "LINE:tag" marker in the source.
line_of() { grep -n "LINE:$1 " "$src" | cut -d: -f1; }

# Per thread: the marker of the line of its innermost frame of the
# program ("-": none), the system call it is blocked in (a nanosleep
# interrupted by an earlier stop goes on as restart_syscall), and the
# functions of the program itself, innermost first.
deeps=$(for _ in $(seq 0 "$depth"); do printf 'deep '; done)
declare -A want=() want_sys=() want_line=()
while read -r name marker sys funcs; do
	want[$name]=$funcs
	want_sys[$name]=$sys
	[ "$marker" = - ] || want_line[$name]=$(line_of "$marker")
done <<EOF
t-read   read  read                                    blocked_read thread_read
t-sleep  nap   clock_nanosleep|nanosleep|restart_syscall nap_inline blocked_sleep thread_sleep
t-mutex  mutex futex                                   blocked_mutex thread_mutex
t-cond   cond  futex                                   blocked_cond thread_cond
t-futex  futex futex                                   blocked_futex thread_futex
t-epoll  epoll epoll_wait|epoll_pwait                  blocked_epoll thread_epoll
t-deep   deep0 clock_nanosleep|nanosleep|restart_syscall ${deeps}thread_deep
t-busy   -     none                                    busy_loop thread_busy
EOF
ours='^(main|blocked_[a-z]+|thread_[a-z]+|nap_inline|deep|busy_loop)$'

# own_frames JSON NAME BIN: "func:line" of the program's frames of thread
# NAME, innermost first, on one line.
own_frames() {
	jq -r --arg n "$2" --arg m "/$3" '
		.threads[] | select(.name == $n) |
		[.frames[] | select((.module // "") | endswith($m)) |
		 "\(.func // "??"):\(.line // 0)"] | join(" ")' "$1"
}

check_mode() {
	local mode=$1 bin=$2 json=$work/$mode.json bad=0 name got funcs first
	shift 2
	"$GOSCOPE" threads --format=json "$@" "$pid" >"$json" 2>"$work/err" ||
		{
			t_fail "$mode: goscope threads" "$(head -n 1 "$work/err")"
			t_skip_rest "$mode" "no capture"
			return
		}
	"$GOSCOPE" threads "$@" "$pid" >"$work/$mode.txt" 2>"$work/err" ||
		{
			t_fail "$mode: text output" "$(head -n 1 "$work/err")"
			t_skip_rest "$mode" "no capture"
			return
		}
	for name in "${!want[@]}"; do
		got=$(own_frames "$json" "$name" "$(basename "$bin")")
		funcs=$(echo "$got" | tr ' ' '\n' | sed 's/:[0-9]*$//' | xargs)
		if [ "$funcs" != "$(echo ${want[$name]})" ]; then
			echo "#   $mode $name: got '$funcs' want '${want[$name]}'"
			bad=1
		fi
		first=${got%% *}
		if [ -n "${want_line[$name]:-}" ] && [ "${first#*:}" != "${want_line[$name]}" ] &&
			[ "${first#*:}" != "$((${want_line[$name]} + 1))" ]; then
			echo "#   $mode $name: innermost line ${first#*:}, want ${want_line[$name]}"
			bad=1
		fi
	done
	[ $bad -eq 0 ] && t_ok "$mode: functions and lines of every thread" ||
		t_fail "$mode: functions and lines of every thread"

	bad=0
	for name in "${!want_sys[@]}"; do
		got=$(jq -r --arg n "$name" '.threads[] | select(.name == $n) |
			.syscall.name // "none"' "$json")
		if ! [[ $got =~ ^(${want_sys[$name]})$ ]]; then
			echo "#   $mode $name: syscall '$got', want '${want_sys[$name]}'"
			bad=1
		fi
	done
	got=$(jq -r '.threads[] | select(.name == "t-busy") | .state' "$json")
	[ "$got" = R ] || { echo "#   $mode t-busy: state '$got'"; bad=1; }
	[ $bad -eq 0 ] && t_ok "$mode: system calls and states" ||
		t_fail "$mode: system calls and states"

	# Every thread unwinds to its first frame (clone3 or _start), with
	# libc's frames named, and no thread reports a partial stack.
	got=$(jq -r '.threads[] | select(.unwind_error != null or
		([.frames[-1].func] | inside(["__clone3", "clone3", "_start",
			"__clone", "clone"]) | not)) | .name' "$json")
	[ -z "$got" ] && t_ok "$mode: complete stacks" ||
		t_fail "$mode: complete stacks" "partial: $(echo $got)"
	got=$(jq '[.threads[]] | length' "$json")
	[ "$got" = "$(ls /proc/"$pid"/task | wc -l)" ] &&
		t_ok "$mode: one entry per thread" ||
		t_fail "$mode: one entry per thread" "$got"
	grep -q '^thread [0-9]* "t-sleep": sleeping in ' "$work/$mode.txt" &&
		grep -q ' nap_inline \[inlined\] (' "$work/$mode.txt" &&
		t_ok "$mode: text output" || t_fail "$mode: text output"
}

# gdb_compare MODE [GDB ARGS]: per LWP, the program's own functions that
# gdb shows must be those goscope shows.
gdb_compare() {
	local mode=$1 json=$work/$1.json bad=0 tid g s
	shift
	if ! command -v gdb >/dev/null; then
		t_skip "$mode: same stacks as gdb" "gdb not installed"
		return
	fi
	timeout 120 gdb -p "$pid" -batch -nx -ex "set pagination off" "$@" \
		-ex "thread apply all bt" >"$work/gdb.txt" 2>/dev/null
	awk -v re="$ours" '
		/^Thread [0-9]+ \(.*LWP [0-9]+/ {
			match($0, /LWP [0-9]+/)
			tid = substr($0, RSTART + 4, RLENGTH - 4)
			next
		}
		/^#[0-9]+ / && tid {
			f = ($2 ~ /^0x/) ? $4 : $2
			if (f ~ re) out[tid] = out[tid] " " f
		}
		END { for (t in out) print t out[t] }' "$work/gdb.txt" |
		sort >"$work/gdb.frames"
	jq -r --arg re "$ours" '.threads[] | "\(.tid) " +
		([.frames[] | .func // "" | select(test($re))] | join(" "))' \
		"$json" | sed 's/ *$//' | sort >"$work/gs.frames"
	if [ ! -s "$work/gdb.frames" ]; then
		t_skip "$mode: same stacks as gdb" "gdb printed no stacks"
		return
	fi
	# Compare the threads gdb reported.
	while read -r tid g; do
		s=$(awk -v t="$tid" '$1 == t { $1 = ""; print }' "$work/gs.frames" | xargs)
		if [ "$s" != "$g" ]; then
			echo "#   tid $tid: gdb '$g', goscope '$s'"
			bad=1
		fi
	done <"$work/gdb.frames"
	[ $bad -eq 0 ] && t_ok "$mode: same stacks as gdb" ||
		t_fail "$mode: same stacks as gdb"
}

build() {
	local out=$1
	shift
	gcc "$@" -pthread -o "$out" "$src" 2>"$work/cc.err" || {
		sed 's/^/#   /' "$work/cc.err" | head -n 5
		return 1
	}
}

run_mode() {
	local mode=$1 bin=$2 gdbdir=()
	shift 2
	# check_mode's 5 results, then gdb_compare's.
	t_expect 6
	if ! start_target pid "$bin" -d "$depth"; then
		t_fail "$mode: target started"
		t_skip_rest "$mode" "no target"
		return
	fi
	check_mode "$mode" "$bin" "$@"
	[ "$mode" = build-id ] &&
		gdbdir=(-iex "set debug-file-directory $work/debug:/usr/lib/debug")
	gdb_compare "$mode" "${gdbdir[@]}"
	stop_target "$pid"
	pid=
}

mkdir -p "$work/split" "$work/bid" "$work/debug"
if build "$work/blocked-O0" -O0 -g; then
	run_mode O0 "$work/blocked-O0"
else
	t_expect 1
	t_fail "O0: build"
fi
if build "$work/blocked-O2" -O2 -g -fomit-frame-pointer; then
	run_mode O2 "$work/blocked-O2"
else
	t_expect 1
	t_fail "O2: build"
fi

# Stripped, with the debug information in a file next to the binary.
if build "$work/split/blocked-sp" -O2 -g -fomit-frame-pointer &&
	objcopy --only-keep-debug "$work/split/blocked-sp" "$work/split/blocked-sp.debug" &&
	strip --strip-all "$work/split/blocked-sp" &&
	objcopy --add-gnu-debuglink="$work/split/blocked-sp.debug" "$work/split/blocked-sp"; then
	run_mode split "$work/split/blocked-sp"
else
	t_expect 1
	t_fail "split: build"
fi

# Stripped, the debug file only under DIR/.build-id/xx/yyyy.debug.
if build "$work/bid/blocked-bid" -O2 -g -fomit-frame-pointer -Wl,--build-id &&
	id=$(readelf -n "$work/bid/blocked-bid" | awk '/Build ID/ { print $3 }') &&
	[ -n "$id" ] &&
	mkdir -p "$work/debug/.build-id/${id:0:2}" &&
	objcopy --only-keep-debug "$work/bid/blocked-bid" \
		"$work/debug/.build-id/${id:0:2}/${id:2}.debug" &&
	strip --strip-all "$work/bid/blocked-bid"; then
	run_mode build-id "$work/bid/blocked-bid" --debug-dir="$work/debug"
else
	t_expect 1
	t_fail "build-id: build"
fi

# Stripped bare: no names for the program's functions, but every stack
# still unwinds through .eh_frame, each thread's to clone3.
t_expect 1
if build "$work/blocked-bare" -O2 -fomit-frame-pointer &&
	strip --strip-all "$work/blocked-bare" &&
	start_target pid "$work/blocked-bare" -d "$depth"; then
	"$GOSCOPE" threads --format=json "$pid" >"$work/bare.json" 2>"$work/err"
	got=$(jq -r '.threads[] | select(.unwind_error != null or
		(.name != "blocked-bare" and .frames[-1].func != "__clone3")) |
		.name' "$work/bare.json")
	n=$(jq '[.threads[] | select(.name == "t-deep") | .frames[] |
		select(.module | endswith("/blocked-bare"))] | length' "$work/bare.json")
	[ -z "$got" ] && [ "$n" -eq $((depth + 2)) ] &&
		t_ok "bare: stacks unwind through .eh_frame" ||
		t_fail "bare: stacks unwind through .eh_frame" "partial: '$got', deep frames $n"
	stop_target "$pid"
	pid=
else
	t_fail "bare: build"
fi

# --max-frames cuts stacks and says so.
t_expect 1
if start_target pid "$work/blocked-O0" -d "$depth"; then
	"$GOSCOPE" threads --format=json --max-frames=3 "$pid" >"$work/max.json"
	got=$(jq '[.threads[] | .frames | length] | max' "$work/max.json")
	tr=$(jq -r '.threads[] | select(.name == "t-deep") | .truncated' "$work/max.json")
	[ "$got" -le 3 ] && [ "$tr" = true ] && t_ok "--max-frames" ||
		t_fail "--max-frames" "max $got, truncated $tr"
	stop_target "$pid"
	pid=
else
	t_fail "--max-frames" "target did not start"
fi
t_done
