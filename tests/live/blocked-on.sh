#!/bin/bash
# blocked-on: goscope names what each parked goroutine waits on.
# tests/targets/blockedon parks goroutines on channels (unbuffered,
# buffered full and empty, a select over several, nil), a Mutex, an
# RWMutex (readers and a writer), a WaitGroup, a Cond and loopback
# sockets, and writes what it knows about those objects (addresses, element
# types, len/cap, waiter counts, descriptors) to a file.  For every Go
# version of the matrix, plain and stripped (-ldflags='-s -w'),
# 'goscope groups --by=object --format=json' must report the same objects,
# and the JSON snapshot must read back to the same objects.
# Before Go 1.26 no runtime structure leads from a Cond waiter to its
# Cond, and a stripped binary has no runtime.semtable symbol: there the
# addresses come from the waiters' stacks, confirmed by the runtime's own
# lists, and must still equal the target's.  No object may be reported
# with an unknown address (0x0).
set -u
. "$(dirname "$0")/../lib.sh"
t_live_setup


# check NAME TRUTH OBJECTS_JSON MINOR STRIPPED
check() {
	local name=$1 truth=$2 objs=$3 minor=$4 stripped=$5 bad=0
	local kind label addr a b c d e f q got want
	while read -r kind label a b c d e f; do
		case $kind in
		chan)
			want="$a|${b//_/ }|$c|$d|$e|$f|$((e + f))"
			q='.objects[] | select(.kind=="chan" and .addr==$a) |
			   "\(.addr)|\(.type)|\(.len)|\(.cap)|\(.receivers)|\(.senders)|\(.count)"'
			got=$(jq -r --arg a "$a" "$q" "$objs")
			;;
		nilchan)
			want="$a|$b"
			got=$(jq -r '.objects[] | select(.kind=="nil chan") |
				"\(.waiting_recv)|\(.waiting_send)"' "$objs")
			;;
		sema | cond)
			[ "$stripped" = 1 ] && b=null
			want="$a|$b|$c"
			got=$(jq -r --arg a "$a" --arg k "$kind" \
				'.objects[] | select(.kind==$k and
				 .addr==$a) | "\(.addr)|\(.symbol)|\(.count)"' \
				"$objs")
			;;
		fd)
			want="$a|$b|$b|0"
			got=$(jq -r --argjson fd "$a" '.objects[] |
				select(.kind=="fd" and .fd==$fd) |
				"\(.fd)|\(.count)|\(.waiting_recv)|\(.waiting_send)"' \
				"$objs")
			;;
		*) continue ;;
		esac
		if [ "$got" != "$want" ]; then
			echo "#   $kind $label: want '$want', got '${got:-nothing}'"
			bad=1
		fi
	done <"$truth"
	got=$(jq -r '[.objects[] | select((.kind=="sema" or .kind=="cond")
		and .addr=="0x0")] | length' "$objs")
	if [ "$got" != 0 ]; then
		echo "#   $got semaphore or Cond objects with an unknown address"
		bad=1
	fi
	if [ "$bad" = 0 ]; then
		t_ok "$name"
	else
		t_fail "$name" "objects differ from the target's own report"
	fi
}

while IFS=$'\t' read -r ver root reason; do
	# plain: live and from a JSON snapshot; stripped: live.
	t_expect 3
	t_cell_missing "go$ver" "$ver" "$root" "$reason" && continue
	minor=${ver#1.}
	for variant in plain stripped; do
		name=go$ver/$variant
		exe=$work/blockedon-$ver-$variant
		args=()
		[ "$variant" = stripped ] && args=(-ldflags=-s\ -w)
		if ! CGO_ENABLED=0 go_build_with "$root" "$exe" \
			"$T_ROOT/tests/targets/blockedon" "${args[@]}" \
			>"$work/log" 2>&1; then
			t_fail "$name" "build: $(tail -n 1 "$work/log")"
			[ "$variant" = plain ] && t_skip "$name/json-snapshot" "no build"
			continue
		fi
		truth=$work/truth-$ver-$variant
		if ! start_target pid "$exe" "$truth"; then
			t_fail "$name" "target did not start"
			[ "$variant" = plain ] && t_skip "$name/json-snapshot" "no target"
			pid=
			continue
		fi
		if ! "$GOSCOPE" groups --by=object --format=json "$pid" \
			>"$work/objs.json" 2>"$work/err"; then
			t_fail "$name" "groups: $(head -n 1 "$work/err")"
		else
			check "$name" "$truth" "$work/objs.json" "$minor" \
				"$([ "$variant" = stripped ] && echo 1 || echo 0)"
		fi
		# The JSON snapshot keeps the objects.
		if [ "$variant" = plain ]; then
			"$GOSCOPE" dump --format=json "$pid" >"$work/snap.json" \
				2>"$work/err" &&
				"$GOSCOPE" groups --by=object --format=json \
					"$work/snap.json" >"$work/objs2.json" \
					2>>"$work/err" &&
				check "$name/json-snapshot" "$truth" \
					"$work/objs2.json" "$minor" 0 ||
				t_fail "$name/json-snapshot" \
					"$(head -n 1 "$work/err")"
		fi
		stop_target "$pid"
		pid=
	done
done < <(bash "$T_ROOT/tests/go-toolchains.sh" list)
t_done
