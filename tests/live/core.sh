#!/bin/bash
# core: goscope on core files.  The Go test program (tests/targets/
# goroutines) writes its own debug=2 dump, then gcore saves it; `goscope
# dump CORE EXE`, `goscope dump CORE` (executable found from the core's
# notes), `goscope dump CORE STRIPPED` and `goscope dump CORE` with the
# stripped build in the executable's place (as if it had run stripped)
# must equal that dump for every goroutine (tests/tools/dumpcmp).  Then
# the same process gets SIGABRT (GOTRACEBACK=crash) and its kernel core
# is compared the same way (core_pattern and ulimit -c set where
# permitted, a skip with the reason otherwise); for the newest executable
# also with its NT_FILE note removed, and its gcore diffed against the
# live process.  `goscope threads` on a gcore of
# the C test program must equal `goscope threads` on the live process,
# thread by thread and frame by frame.  Damaged, truncated and mismatched
# cores must give one error line and status 1.
#
# Cells: every toolchain of the matrix (GOSCOPE_GO_VERSIONS selects) as
# a fixed-address executable and as a PIE, each built once, without cgo
# (a cgo process's gcore is larger: glibc's arena reservations).  Every
# gcore of a Go program is about 1.3 GB (gdb writes the runtime's
# PROT_NONE reservations as zeros) and takes most of a cell's time; each
# is deleted after use.  Kernel cores leave those out and are small.
set -u
. "$(dirname "$0")/../lib.sh"
t_live_setup

trap '' PIPE
T_KEEP=$T_ROOT/tests/out/core
saved_pattern=
gdir=
t_at_exit '[ -z "$gdir" ] || rm -rf "$gdir"'
t_at_exit '[ -z "$saved_pattern" ] ||
	printf "%s\n" "$saved_pattern" >/proc/sys/kernel/core_pattern'
# The gcores (1.3 GB each, one at a time) go to memory when there is
# room: writing them is most of this test's time.
gdir=$work
if [ "$(df -k --output=avail /dev/shm 2>/dev/null | tail -n 1)" -gt 4000000 ] 2>/dev/null; then
	gdir=$(mktemp -d -p /dev/shm goscope-core.XXXXXX) || gdir=$work
fi

if ! command -v gcore >/dev/null; then
	t_skip_rest "core" "gcore (gdb) not installed"
	t_done
fi

# dump_core CELL WANT ARGS...: goscope dump ARGS, compared with WANT.
dump_core() {
	local cell=$1 want=$2
	shift 2
	if ! timeout 300 "$GOSCOPE" dump "$@" >"$work/got" 2>"$work/err"; then
		t_fail "$cell" "goscope failed: $(head -n 1 "$work/err")"
		return
	fi
	t_dumpcmp "$cell" "$want" "$work/got"
	t_cmp_result "$cell"
}

toolchains=$(bash "$T_ROOT/tests/go-toolchains.sh" list 2>/dev/null |
	awk -F'\t' '$2 != "SKIP"')
newest=$(printf '%s\n' "$toolchains" | tail -n 1 | cut -f1)
if [ -z "$newest" ]; then
	t_skip_rest "core" "no Go toolchain"
	t_done
fi
t_build_dumpcmp "$work"

# build VER MODE OUT: the goroutines target without cgo.
build() {
	local args=()
	[ "$2" = pie ] && args=(-buildmode=pie)
	CGO_ENABLED=0 go_build_with "$1" "$3" \
		"$T_ROOT/tests/targets/goroutines" "${args[@]}" >"$work/log" 2>&1
}

# Kernel cores: core_pattern must write a file in the crashing process's
# directory; as root an unusable pattern is replaced (restored on exit).
kdir=$work/kcore
kskip=
kernel_setup() {
	local pattern
	pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null)
	if [[ $pattern == *"|"* || $pattern == */* ]]; then
		if ! { printf 'core\n' >/proc/sys/kernel/core_pattern; } 2>/dev/null; then
			kskip="core_pattern '$pattern' does not write a file here and cannot be changed"
			return
		fi
		saved_pattern=$pattern
	fi
	mkdir -p "$kdir"
	if ! (ulimit -c unlimited) 2>/dev/null; then
		kskip="ulimit -c unlimited not permitted"
	fi
}
kernel_setup

# no_nt_file CORE OUT: CORE with its NT_FILE note renamed (an older
# kernel's core): the executable from the auxv, its text from the file.
no_nt_file() {
	# The copy stays sparse; only the note type is rewritten in place.
	cp --sparse=always "$1" "$2" && t_core_patch "$2" nt-file
}

# kernel_core NAME PID: SIGABRT (GOTRACEBACK=crash) makes the kernel
# write a core of the process that dumped itself to $work/want; for the
# newest executable, that core without its NT_FILE note too.
kernel_core() {
	local name=$1 pid=$2 kc
	kill -ABRT "$pid"
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	t_finish "$pid"
	kc=$(ls -t "$kdir"/core* 2>/dev/null | head -n 1)
	if [ -z "$kc" ]; then
		t_skip "$name kernel core: dump CORE" \
			"no core written (core_pattern '$(cat /proc/sys/kernel/core_pattern)')"
		return
	fi
	dump_core "$name kernel core: dump CORE" "$work/want" "$kc"
	if [ "$name" = "go$newest/exe" ]; then
		t_expect 1
		no_nt_file "$kc" "$work/nofile"
		if readelf -n "$work/nofile" 2>/dev/null | grep -q NT_FILE; then
			t_fail "$name kernel core without NT_FILE" "note still present"
		else
			dump_core "$name kernel core without NT_FILE: dump CORE" \
				"$work/want" "$work/nofile"
		fi
		rm -f "$work/nofile"
	fi
	rm -f "$kdir"/core*
}

# live_diff CELL CORE PID: goscope diff CORE PID: none of the core's
# goroutines exited in the live process (they are parked).
live_diff() {
	local n
	if ! timeout 300 "$GOSCOPE" diff "$2" "$3" >"$work/diff" 2>"$work/err"; then
		t_fail "$1" "goscope failed: $(head -n 1 "$work/err")"
		return
	fi
	n=$(sed -n '1s/^goroutines \([0-9]*\) -> .*/\1/p' "$work/diff")
	if [ -n "$n" ] && grep -Eq "^by id: [0-9]+ new, 0 exited, $n persisted" "$work/diff"; then
		t_ok "$1 ($n goroutines persisted)"
	else
		head -n 2 "$work/diff" | sed 's/^/#   /'
		t_fail "$1" "a goroutine of the core is missing"
	fi
}

# cell VER MODE: one process of the test program, its own dump, a gcore
# read with the executable given, found, given stripped and found
# stripped, then its kernel core.
other_bin=
cell() {
	local ver=$1 mode=$2 name=go$1/$2 bin pid core t0
	t0=$(date +%s%N)
	bin=$work/bin/$ver-$mode/goroutines
	t_expect 5
	[ -n "$other_bin" ] && t_expect 1
	mkdir -p "$(dirname "$bin")"
	if ! build "$ver" "$mode" "$bin"; then
		t_fail "$name build" "$(tail -n 1 "$work/log")"
		t_skip_rest "$name" "no build"
		return
	fi
	strip -o "$bin.stripped" "$bin"
	if [ -z "$kskip" ]; then
		t_launch pid bash -c "cd '$kdir' && ulimit -c unlimited &&
			exec env GOTRACEBACK=crash '$bin' -n 20"
	else
		t_launch_goroutines pid "$bin"
	fi || {
		t_fail "$name target" "did not start"
		t_skip_rest "$name" "no target"
		return
	}
	if ! t_tdump "$pid" "$work/want"; then
		t_fail "$name target" "did not dump (${T_REPLY:-no reply})"
		t_skip_rest "$name" "no dump of its own"
		t_finish "$pid"
		return
	fi
	timeout 300 gcore -o "$gdir/core" "$pid" >"$work/gcore.log" 2>&1
	core=$gdir/core.$pid
	if [ ! -s "$core" ]; then
		t_fail "$name gcore" "$(tail -n 1 "$work/gcore.log")"
		t_skip_rest "$name" "no gcore"
		t_finish "$pid"
		return
	fi
	dump_core "$name gcore: dump CORE EXE" "$work/want" "$core" "$bin"
	dump_core "$name gcore: dump CORE (executable from the core)" \
		"$work/want" "$core"
	dump_core "$name gcore: dump CORE STRIPPED-EXE" "$work/want" \
		"$core" "$bin.stripped"
	# As if the process had run the stripped build: found stripped.
	mv "$bin" "$bin.plain" && cp "$bin.stripped" "$bin"
	dump_core "$name gcore: dump CORE (stripped executable from the core)" \
		"$work/want" "$core"
	mv -f "$bin.plain" "$bin"
	if [ -n "$other_bin" ]; then
		t_goscope_error "$name gcore: wrong executable refused" \
			"is not the executable of core" dump "$core" "$other_bin"
	fi
	# The core against the live process it was taken from: every
	# goroutine of the core is still there.
	if [ "$name" = "go$newest/exe" ]; then
		t_expect 1
		live_diff "$name gcore: diff CORE PID" "$core" "$pid"
	fi
	other_bin=$bin
	rm -f "$core"
	if [ -n "$kskip" ]; then
		t_skip "$name kernel core: dump CORE" "$kskip"
		t_finish "$pid"
		return
	fi
	kernel_core "$name" "$pid"
	echo "# $name: $((($(date +%s%N) - t0) / 1000000)) ms"
}

# Every toolchain of the matrix (GOSCOPE_GO_VERSIONS selects), as a
# fixed-address executable and as a PIE.
for ver in $(printf '%s\n' "$toolchains" | cut -f1); do
	for mode in exe pie; do
		cell "$ver" "$mode"
	done
done

# threads on a gcore of the C program equal threads on the live process.
csrc=$T_ROOT/tests/targets/threads/blocked.c
cbin=$work/c/blocked
mkdir -p "$work/c"
t_expect 7	# threads of the core, and six damaged or mismatched cores
if ! command -v jq >/dev/null; then
	t_skip_rest "C threads" "jq not installed"
elif ! gcc -O2 -g -fomit-frame-pointer -pthread -o "$cbin" "$csrc" \
	2>"$work/cc.err"; then
	t_fail "C threads: build" "$(head -n 1 "$work/cc.err")"
	t_skip_rest "C threads" "no build"
elif ! t_launch cpid "$cbin" -d 12; then
	t_fail "C threads: target" "did not start"
	t_skip_rest "C threads" "no target"
else
	"$GOSCOPE" threads --format=json "$cpid" >"$work/live.json" 2>"$work/err"
	timeout 120 gcore -o "$work/ccore" "$cpid" >"$work/gcore.log" 2>&1
	ccore=$work/ccore.$cpid
	# Frames of every thread but the busy one (it moves), by tid.
	frames() {
		jq -r --arg busy "$1" '.threads[] | select(.tid != ($busy | tonumber)) |
			"\(.tid) " + ([.frames[] | "\(.func // "?"):\(.line // 0)"] |
			join(" "))' "$2" | sort
	}
	busy=$(jq -r '.threads[] | select(.name == "t-busy") | .tid' \
		"$work/live.json")
	if [ ! -s "$ccore" ]; then
		t_fail "C threads: gcore" "$(tail -n 1 "$work/gcore.log")"
	elif ! "$GOSCOPE" threads --format=json "$ccore" >"$work/core.json" \
		2>"$work/err"; then
		t_fail "C threads: threads CORE" "$(head -n 1 "$work/err")"
	else
		frames "${busy:-0}" "$work/live.json" >"$work/live.frames"
		frames "${busy:-0}" "$work/core.json" >"$work/core.frames"
		n=$(wc -l <"$work/live.frames")
		if [ "$n" -ge 8 ] && cmp -s "$work/live.frames" "$work/core.frames"; then
			t_ok "C threads: threads CORE equals threads PID ($n threads)"
		else
			diff "$work/live.frames" "$work/core.frames" | head -n 20 | sed 's/^/#   /'
			t_fail "C threads: threads CORE equals threads PID" "$n threads live"
		fi
	fi
	t_finish "$cpid"

	# Damaged cores, from the small C core.
	if [ -s "$ccore" ]; then
		head -c 100 "$ccore" >"$work/trunc-header"
		t_goscope_error "truncated core (100 bytes)" "truncated|damaged" \
			threads "$work/trunc-header" "$cbin"
		size=$(stat -c %s "$ccore")
		head -c $((size / 3)) "$ccore" >"$work/trunc-third"
		t_goscope_error "truncated core (a third)" "truncated" \
			threads "$work/trunc-third" "$cbin"
		cp "$ccore" "$work/bad-phdr"
		printf '\xff\xff\xff\xff\xff\xff\xff\x7f' | dd of="$work/bad-phdr" \
			bs=1 seek=$((64 + 8)) conv=notrunc 2>/dev/null
		t_goscope_error "corrupted program header" "damaged|truncated" \
			threads "$work/bad-phdr" "$cbin"
		t_goscope_error "dump of a C program's core" "not a Go program" \
			dump "$ccore" "$cbin"
		mv "$cbin" "$cbin.moved"
		t_goscope_error "executable not found" "cannot find the executable" \
			threads "$ccore"
		t_goscope_error "executable given with a snapshot file" \
			"not a core file" dump "$work/live.json" "$cbin.moved"
		rm -f "$ccore"
	fi
	t_skip_rest "damaged cores" "no core of the C program"
fi
t_done
