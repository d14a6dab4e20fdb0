#!/bin/bash
# cores: the offline tier.  Kernel cores of the Go test program, made once
# from real processes (tests/fixtures/make-core-fixtures.sh: Go 1.27 as a
# fixed-address executable, Go 1.19 as a PIE, Go 1.23 stripped), checked
# in with their executables, the program's own dump and goscope's output
# when they were made (equal to the program's dump by dumpcmp then).  Here,
# without ptrace or a Go toolchain: capture (dump CORE EXE, exactly the
# stored output), every format (JSON read back gives the same dump, go1,
# pprof, openmetrics), groups, diff, buildinfo, the native threads view
# with both unwinders (the same frames), and a mismatched executable.
# Compressed cores (one fixture): the checked-in .xz read as it is, and
# the same core as zstd, gzip and lz4 give the stored dump and threads
# view; truncated, corrupted, over --max-memory and a compressed file that
# is no core each get one error line, and so does a core without its
# writable segments.
set -u
. "$(dirname "$0")/../lib.sh"

fix=$T_ROOT/tests/fixtures/cores
t_workdir

command -v xz >/dev/null || { t_skip_rest "offline cores" "xz not installed"; t_done; }
names=$(cd "$fix" 2>/dev/null && ls *.core.xz | sed 's/\.core\.xz$//')
[ -n "$names" ] || { t_skip_rest "offline cores" "no fixtures in $fix"; t_done; }
unwinders=libdw
"$GOSCOPE" threads --unwinder=libunwind --help >/dev/null 2>&1 &&
	unwinders="libdw libunwind"

# same CELL WANT GOT: exact comparison.
same() {
	if cmp -s "$2" "$3"; then
		t_ok "$1"
	else
		diff "$2" "$3" | head -n 10 | sed 's/^/#   /'
		t_fail "$1" "output differs from $(basename "$2")"
	fi
}

noargs() { sed -E 's/^([^\t].*)\(.*\)$/\1(...)/' "$1"; }

# run CELL OUT ARGS...: goscope ARGS > OUT, which must succeed.
run() {
	local cell=$1 out=$2
	shift 2
	"$GOSCOPE" "$@" >"$out" 2>"$work/err" && return 0
	t_fail "$cell" "goscope $1 failed: $(head -n 1 "$work/err")"
	return 1
}

# subsequence A B: the tids whose frames in B are not a subsequence of A's.
subsequence() {
	awk 'NR == FNR { a[$1] = $0; next }
		{
			split(a[$1], x, " "); i = 2; ok = ($1 in a)
			for (j = 2; j <= NF && ok; j++) {
				while (i <= length(x) && x[i] != $j) i++
				if (i > length(x)) ok = 0; else i++
			}
			if (!ok) printf "%s ", $1
		}' "$1" "$2"
}

# missing A B: how many frames A has that B has not.
missing() {
	echo $(($(awk '{ n += NF - 1 } END { print n + 0 }' "$1") -
		$(awk '{ n += NF - 1 } END { print n + 0 }' "$2")))
}

prev_exe=
for n in $names; do
	# The executable keeps its name: the threads view shows it.
	mkdir -p "$work/$n"
	# dump, json, go1, pprof, openmetrics, groups, diff, buildinfo,
	# threads, dump CORE, executable not found; more below.
	t_expect 11
	core=$work/$n/core exe=$work/$n/goroutines
	xz -dc "$fix/$n.core.xz" >"$core" && xz -dc "$fix/$n.exe.xz" >"$exe" &&
		chmod +x "$exe" || {
		t_fail "$n: fixtures" "cannot decompress"
		t_skip_rest "$n" "no fixtures"
		continue
	}
	run "$n: dump" "$work/dump" dump "$core" "$exe" &&
		same "$n: dump CORE EXE equals the stored dump" "$fix/$n.dump" "$work/dump"
	# The JSON snapshot keeps no frame arguments: "(...)" for both.
	if run "$n: json" "$work/snap.json" dump --format=json "$core" "$exe" &&
		run "$n: json read back" "$work/back" dump "$work/snap.json"; then
		noargs "$fix/$n.dump" >"$work/want.noargs"
		noargs "$work/back" >"$work/back.noargs"
		same "$n: JSON snapshot read back gives the same dump" \
			"$work/want.noargs" "$work/back.noargs"
	fi
	if run "$n: go1" "$work/go1" dump --format=go1 "$core" "$exe"; then
		head -n 1 "$work/go1" | grep -q '^goroutine profile: total [0-9]' &&
			t_ok "$n: go1 profile" || t_fail "$n: go1 profile" "$(head -n 1 "$work/go1")"
	fi
	if run "$n: pprof" "$work/pprof" dump --format=pprof "$core" "$exe"; then
		gzip -t "$work/pprof" 2>/dev/null && t_ok "$n: pprof is gzip" ||
			t_fail "$n: pprof is gzip"
	fi
	if run "$n: openmetrics" "$work/om" dump --format=openmetrics "$core" "$exe"; then
		[ "$(tail -n 1 "$work/om")" = "# EOF" ] && t_ok "$n: openmetrics" ||
			t_fail "$n: openmetrics" "no # EOF line"
	fi
	if run "$n: groups" "$work/groups" groups "$core" "$exe"; then
		total=$(grep -c '^goroutine ' "$fix/$n.dump")
		head -n 1 "$work/groups" | grep -q "^$total goroutines in " &&
			t_ok "$n: groups count every goroutine of the dump" ||
			t_fail "$n: groups" "$(head -n 1 "$work/groups"), dump has $total"
	fi
	if run "$n: diff" "$work/diff" diff "$work/snap.json" "$work/snap.json"; then
		grep -q '(+0)' "$work/diff" && t_ok "$n: diff of the core with itself" ||
			t_fail "$n: diff" "$(head -n 1 "$work/diff")"
	fi
	ver=${n%%-*}
	if run "$n: buildinfo" "$work/bi" buildinfo "$core" "$exe"; then
		grep -q "^go version: *$ver\." "$work/bi" && t_ok "$n: buildinfo" ||
			t_fail "$n: buildinfo" "no '$ver' in $(grep 'go version' "$work/bi")"
	fi
	run "$n: threads" "$work/threads" threads "$core" "$exe" &&
		same "$n: threads CORE EXE equals the stored view" "$fix/$n.threads" "$work/threads"
	# Go code has only .debug_frame, which libunwind 1.6 cannot use
	# remotely: it walks Go frames by frame pointers and loses the caller
	# of a leaf assembly function that keeps none (runtime.raise's).
	# Every frame it finds must be one libdw finds, in the same order.
	for u in $unwinders; do
		t_expect 1
		run "$n: threads $u" "$work/t.$u" threads --format=json --unwinder=$u "$core" "$exe" &&
			jq -r '.threads[] | "\(.tid) " + ([.frames[] | .pc] | join(" "))' \
				"$work/t.$u" | sort >"$work/f.$u" 2>/dev/null &&
			t_ok "$n: threads --unwinder=$u"
	done
	if [ "$unwinders" = "libdw libunwind" ]; then
		t_expect 1
		bad=$(subsequence "$work/f.libdw" "$work/f.libunwind")
		if [ -z "$bad" ]; then
			t_ok "$n: libunwind's frames are libdw's, in order ($(missing "$work/f.libdw" "$work/f.libunwind") fewer)"
		else
			t_fail "$n: libunwind against libdw" "$bad"
		fi
	fi
	# The program ran as ./goroutines: found next to the core.
	run "$n: dump CORE" "$work/dump2" dump "$core" &&
		same "$n: dump CORE, executable found next to it" "$fix/$n.dump" "$work/dump2"
	mkdir -p "$work/lone"
	mv "$core" "$work/lone/core"
	"$GOSCOPE" dump "$work/lone/core" >/dev/null 2>"$work/err"
	[ $? -eq 1 ] && grep -q "cannot find the executable" "$work/err" &&
		t_ok "$n: executable not found: one clear error" ||
		t_fail "$n: executable not found" "$(head -n 1 "$work/err")"
	mv "$work/lone/core" "$core"
	if [ -n "$prev_exe" ]; then
		t_expect 1
		"$GOSCOPE" dump "$core" "$prev_exe" >/dev/null 2>"$work/err"
		[ $? -eq 1 ] && grep -q "is not the executable of core" "$work/err" &&
			t_ok "$n: another build's executable refused" ||
			t_fail "$n: mismatched executable" "$(head -n 1 "$work/err")"
	fi
	cp "$exe" "$work/prev.exe"
	prev_exe=$work/prev.exe
	rm -rf "$work/$n"
done

# Compressed cores, on the first fixture: decompressed by goscope itself
# (systemd-coredump keeps cores as .zst, others as .xz or .lz4).
n=$(printf '%s\n' $names | head -n 1)
zdir=$work/z
mkdir -p "$zdir"
xz -dc "$fix/$n.exe.xz" >"$zdir/goroutines" && chmod +x "$zdir/goroutines"
cp "$fix/$n.core.xz" "$zdir/core.xz"
xz -dc "$fix/$n.core.xz" >"$work/core.raw"
for z in xz zst gz lz4; do
	t_expect 1
	case $z in
	zst) tool=zstd ;; gz) tool=gzip ;; *) tool=$z ;;
	esac
	if ! command -v "$tool" >/dev/null; then
		t_skip "$n: dump CORE.$z" "$tool not installed"
		continue
	fi
	[ "$z" = xz ] || "$tool" -c <"$work/core.raw" >"$zdir/core.$z"
	run "$n: dump CORE.$z" "$work/zdump" dump "$zdir/core.$z" "$zdir/goroutines" &&
		same "$n: dump CORE.$z EXE equals the stored dump" "$fix/$n.dump" "$work/zdump"
done
# A core that left out its writable segments (the heap, the runtime's
# data): one error line naming what could not be read.
t_expect 1
t_core_patch "$work/core.raw" writable
t_goscope_error "$n: writable segments left out: one error line" \
	"^cannot read" dump "$work/core.raw" "$zdir/goroutines"
rm -f "$work/core.raw"
# zstd where installed (systemd's format), else the checked-in xz.
zc=$zdir/core.zst
[ -s "$zc" ] || zc=$zdir/core.xz
zname=$n:\ $(basename "$zc")
t_expect 6
run "$zname: threads" "$work/zthreads" threads "$zc" "$zdir/goroutines" &&
	same "$zname: threads equals the stored view" "$fix/$n.threads" "$work/zthreads"
run "$zname: dump, executable found" "$work/zdump" dump "$zc" &&
	same "$zname: dump, executable found next to it" "$fix/$n.dump" "$work/zdump"
# Two cores compared (the same process: nothing new, nothing exited).
total=$(grep -c '^goroutine ' "$fix/$n.dump")
t_expect 1
run "$n: diff CORE CORE" "$work/zdiff" diff "$zdir/core.xz" "$zc" &&
	if grep -q "^goroutines $total -> $total (+0)" "$work/zdiff" &&
		grep -q "^by id: 0 new, 0 exited, $total persisted" "$work/zdiff"; then
		t_ok "$n: diff of two cores: $total goroutines persisted, none new"
	else
		head -n 2 "$work/zdiff" | sed 's/^/#   /'
		t_fail "$n: diff CORE CORE" "want $total persisted"
	fi
size=$(stat -c %s "$zc")
head -c $((size / 2)) "$zc" >"$zdir/half"
t_goscope_error "$zname: truncated to half: one error line" "truncated" \
	dump "$zdir/half" "$zdir/goroutines"
cp "$zc" "$zdir/bad"
printf 'goscope-damage-goscope-damage' | dd of="$zdir/bad" bs=1 \
	seek=$((size / 3)) conv=notrunc 2>/dev/null
t_goscope_error "$zname: corrupted: one error line" "damaged|truncated" \
	dump "$zdir/bad" "$zdir/goroutines"
t_goscope_error "$zname: over --max-memory: one error line" \
	"takes more than 1048576 bytes" \
	dump --max-memory=1M "$zc" "$zdir/goroutines"
xz -c "$fix/$n.dump" >"$zdir/text.xz"
t_goscope_error "$n: a compressed file that is no core: one error line" \
	"xz data that is not a 64-bit ELF core" dump "$zdir/text.xz"
rm -rf "$zdir"
t_done
