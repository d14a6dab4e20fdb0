#!/bin/bash
# unwinders: the libdw and the libunwind unwinder on the same copy, frame
# by frame.  Each test program (tests/targets/threads: C, C++, Rust) is
# built -O0 and -O2 without frame pointers, and stripped with its debug
# information in a .gnu_debuglink file; a gcore of it is one fixed copy
# of every thread's registers and stack, and `goscope threads
# --unwinder=NAME CORE EXE` with each unwinder must give the same frames
# (pc, and whether it is an interrupted instruction) for every thread.
# The frames each found and the time each took are printed as comments
# (the README's measurements come from here; not asserted).
set -u
. "$(dirname "$0")/../lib.sh"
t_live_setup

dir=$T_ROOT/tests/targets/threads
# C and C++ at -O0 and -O2, C stripped with a debug file, Rust at two
# optimisation levels: one result each.
t_plan 7

command -v jq >/dev/null || { t_skip_rest "unwinders" "jq not installed"; t_done; }
command -v gcore >/dev/null || { t_skip_rest "unwinders" "gcore (gdb) not installed"; t_done; }
for u in libdw libunwind; do
	if ! "$GOSCOPE" threads --unwinder=$u --help >/dev/null 2>&1; then
		t_skip_rest "unwinders" "goscope built without $u (UNWINDER)"
		t_done
	fi
done

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# frames JSON: "tid pc[*] ..." per thread (* marks an activation).
frames() {
	jq -r '.threads[] | "\(.tid)" + ([.frames[] |
		" " + (.pc | tostring) + (if .activation then "*" else "" end)] |
		join(""))' "$1" | sort
}

# cell NAME BIN [ARGS...]: one program, one core, both unwinders.
cell() {
	local name=$1 bin=$2 core u t0 t1 n
	shift 2
	if ! start_target pid "$bin" "$@"; then
		t_fail "$name: target" "did not start"
		return
	fi
	timeout 120 gcore -o "$work/core" "$pid" >"$work/gcore.log" 2>&1
	core=$work/core.$pid
	stop_target "$pid"
	pid=
	if [ ! -s "$core" ]; then
		t_fail "$name: gcore" "$(tail -n 1 "$work/gcore.log")"
		return
	fi
	for u in libdw libunwind; do
		t0=$(now_ms)
		if ! "$GOSCOPE" threads --format=json --unwinder=$u "$core" \
			"$bin" >"$work/$u.json" 2>"$work/err"; then
			t_fail "$name: $u" "$(head -n 1 "$work/err")"
			rm -f "$core"
			return
		fi
		t1=$(now_ms)
		frames "$work/$u.json" >"$work/$u.frames"
		n=$(jq '[.threads[].frames | length] | add' "$work/$u.json")
		echo "#   $name $u: $n frames in $((t1 - t0)) ms"
	done
	rm -f "$core"
	if cmp -s "$work/libdw.frames" "$work/libunwind.frames"; then
		t_ok "$name: same frames ($(wc -l <"$work/libdw.frames") threads)"
	else
		diff "$work/libdw.frames" "$work/libunwind.frames" | head -n 12 |
			sed 's/^/#   /'
		t_fail "$name: same frames"
	fi
}

# split BIN: strips BIN, its debug information in BIN.debug.
split() {
	objcopy --only-keep-debug "$1" "$1.debug" &&
		strip --strip-all "$1" &&
		objcopy --add-gnu-debuglink="$1.debug" "$1"
}

mkdir -p "$work/split"
for opt in O0 O2; do
	flags=(-"$opt" -g)
	[ "$opt" = O2 ] && flags+=(-fomit-frame-pointer)
	if gcc "${flags[@]}" -pthread -o "$work/c-$opt" "$dir/blocked.c" \
		2>"$work/cc.err"; then
		cell "C -$opt" "$work/c-$opt" -d 12
	else
		t_fail "C -$opt: build" "$(head -n 1 "$work/cc.err")"
	fi
	if ! command -v g++ >/dev/null; then
		t_skip "C++ -$opt" "g++ not installed"
	elif g++ -std=c++17 "${flags[@]}" -pthread -o "$work/cxx-$opt" \
		"$dir/cxx.cc" 2>"$work/cc.err"; then
		cell "C++ -$opt" "$work/cxx-$opt"
	else
		t_fail "C++ -$opt: build" "$(head -n 1 "$work/cc.err")"
	fi
done
if gcc -O2 -g -fomit-frame-pointer -pthread -o "$work/split/c" \
	"$dir/blocked.c" 2>"$work/cc.err" && split "$work/split/c"; then
	cell "C -O2 stripped, debug file" "$work/split/c" -d 12
else
	t_fail "C stripped: build" "$(head -n 1 "$work/cc.err")"
fi

rustc=$(command -v rustc || ls "$HOME"/.cargo/bin/rustc 2>/dev/null || true)
if [ -z "$rustc" ]; then
	t_skip "Rust opt-level=0" "no rustc on this machine"
	t_skip "Rust opt-level=2" "no rustc on this machine"
else
	for lvl in 0 2; do
		if "$rustc" -g -C opt-level=$lvl -C force-frame-pointers=no \
			-o "$work/rust-$lvl" "$dir/rust.rs" 2>"$work/rs.err"; then
			cell "Rust opt-level=$lvl" "$work/rust-$lvl"
		else
			t_skip "Rust opt-level=$lvl" "rustc failed: $(head -n 1 "$work/rs.err")"
		fi
	done
fi
t_done
