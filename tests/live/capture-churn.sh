#!/bin/bash
# capture-churn: two-phase captures of a target whose goroutines never stop
# waking and parking (tests/targets/churn: every worker parks at shape A,
# main.parkA <- deepA2 <- deepA1 <- worker, then at shape B, main.parkB <-
# worker, woken by drivers round after round).
#
# goVER/churn: CAPTURES captures in a row, each must succeed and show
# every parked worker (status "chan receive") in exactly one of the two
# shapes: a stack copied while its goroutine ran would show another one.
# (Runnable workers, copied while stopped, may also show a part of the
# way from one shape to the other.)  Every other capture waits 20 ms
# between the phases (GOSCOPE_TEST_PHASE_DELAY_MS), so that the check
# after the resume has work to do: without it, a run with that delay
# shows workers with torn stacks ("?" frames).  Two captures in three
# copy the parked stacks in batches of 7 (GOSCOPE_TEST_FINISH_BATCH), so
# that the batches' boundaries are crossed many times.
# goVER/rejected: the test knob GOSCOPE_TEST_PHASE_DELAY_MS holds goscope
# between the resume and the second phase while the workers run on, so
# the check after the resume must reject some stacks: they are copied
# again in a second stop (--stats and JSON say how many), and with
# GOSCOPE_TEST_RETRY_MAX=0 they are marked "changed during capture"
# instead, in the text and in the JSON, with no frames.
# Go versions: GOSCOPE_GO_VERSIONS (default: the oldest and the newest).
set -u
. "$(dirname "$0")/../lib.sh"
. "$T_ROOT/tests/go-env.sh"
t_require_ptrace

CAPTURES=${CHURN_CAPTURES:-20}
WORKERS=200
work=$(mktemp -d)
pid=
trap 'stop_target "$pid"; rm -rf "$work"' EXIT

# check_shapes CELL DUMP: every parked worker in the text dump DUMP has
# shape A or B; prints "parked marked" counts, fails the cell otherwise.
check_shapes() {
	awk -v cell="$1" '
	BEGIN {
		# A runnable worker was preempted or woken on its way.
		runnable["main.worker"]
		runnable["main.deepA1 main.worker"]
		runnable["main.deepA2 main.deepA1 main.worker"]
		runnable["main.parkA main.deepA2 main.deepA1 main.worker"]
		runnable["main.parkB main.worker"]
	}
	function flush() {
		if (creator == "main.startWorkers") {
			if (marked)
				nmarked++
			else if (status == "chan receive") {
				if (sig == "main.parkA main.deepA2 main.deepA1 main.worker" ||
				    sig == "main.parkB main.worker")
					nparked++
				else {
					printf "#   %s: goroutine %s [%s]: %s\n", cell, id, status, sig
					bad++
				}
			} else if (status == "runnable" &&
				   !(sig in runnable)) {
				printf "#   %s: goroutine %s [%s]: %s\n", cell, id, status, sig
				bad++
			}
		}
		id = ""; status = ""; sig = ""; creator = ""; marked = 0
	}
	/^goroutine [0-9]+ \[/ {
		flush()
		id = $2
		status = $0
		sub(/^[^[]*\[/, "", status)
		sub(/[],].*$/, "", status)
		next
	}
	/^created by / { creator = $3; next }
	/^\tstack unavailable: changed during capture/ { marked = 1; next }
	/^\t/ || /^$/ { next }
	/^\.\.\./ { sig = sig " ..."; next }
	{ f = $0; sub(/\(.*$/, "", f); sig = sig (sig == "" ? "" : " ") f }
	END {
		flush()
		printf "%d %d %d\n", nparked, nmarked, bad
		exit bad > 0
	}' "$2"
}

toolchains=$(bash "$T_ROOT/tests/go-toolchains.sh" list)
[ -n "${GOSCOPE_GO_VERSIONS:-}" ] ||
	toolchains=$(printf '%s\n' "$toolchains" | awk -F'\t' '$2 != "SKIP"' |
		sed -n '1p;$p' | uniq)
while IFS=$'\t' read -r ver root reason; do
	[ -n "$ver" ] || continue
	# churn, rejected retry, capture steps, rejected mark json, json
	# read back, text.
	t_expect 6
	if [ "$root" = SKIP ]; then
		t_skip_rest "go$ver/churn" "go $ver unavailable: $reason"
		continue
	fi
	if ! go_build_with "$root" "$work/churn" "$T_ROOT/tests/targets/churn" \
		>"$work/log" 2>&1; then
		t_fail "go$ver/churn" "build: $(tail -n 1 "$work/log")"
		t_skip_rest "go$ver/churn" "no build"
		continue
	fi
	if ! start_target pid "$work/churn" -n "$WORKERS"; then
		t_fail "go$ver/churn" "target did not start"
		t_skip_rest "go$ver/churn" "no target"
		continue
	fi

	# Many captures in a row while everything churns.
	bad= parked=0 marked=0 retried=0
	for i in $(seq "$CAPTURES"); do
		# Every other capture waits 20 ms between the phases (the
		# test knob), so that more workers run in between.
		delay=$(( i % 2 ? 0 : 20 ))
		# Two captures in three copy the parked goroutines 7 at a
		# time after the resume (the default batch is larger than
		# this target), each batch between its own two reads.
		batch=$(( i % 3 ? 7 : 0 ))
		if ! GOSCOPE_TEST_PHASE_DELAY_MS=$delay \
			GOSCOPE_TEST_FINISH_BATCH=$batch "$GOSCOPE" dump --stats \
			"$pid" >"$work/d$i" 2>"$work/e$i"; then
			bad="capture $i failed: $(head -n 1 "$work/e$i")"
			break
		fi
		if ! r=$(check_shapes "go$ver capture $i" "$work/d$i"); then
			bad="capture $i: a parked worker with another stack"
			break
		fi
		read -r p m _ <<<"$r"
		parked=$((parked + p))
		marked=$((marked + m))
		n=$(sed -n 's/.* \([0-9]*\) ran meanwhile.*/\1/p' "$work/e$i")
		retried=$((retried + ${n:-0}))
	done
	if [ -z "$bad" ] && [ "$parked" -eq 0 ]; then
		bad="no parked worker seen in $CAPTURES captures"
	fi
	if [ -z "$bad" ] && [ "$marked" -ne 0 ]; then
		bad="$marked workers marked changed with the retry budget unused"
	fi
	if [ -n "$bad" ]; then
		t_fail "go$ver/churn" "$bad"
	else
		t_ok "go$ver/churn # $CAPTURES captures, $parked parked workers in shape A or B, $retried copied again in a second stop"
	fi

	# Forced rejections: goscope waits between the phases.
	if ! GOSCOPE_TEST_PHASE_DELAY_MS=300 "$GOSCOPE" dump --stats \
		--format=json "$pid" >"$work/j1" 2>"$work/e1"; then
		t_fail "go$ver/rejected retry" "capture failed: $(head -n 1 "$work/e1")"
	else
		n=$(jq '.capture.retried' "$work/j1")
		m=$(jq '.capture.changed_during_capture' "$work/j1")
		s=$(jq '.capture.stops | length' "$work/j1")
		if [ "${n:-0}" -gt 0 ] && [ "$m" -eq 0 ] && [ "$s" -eq 2 ]; then
			t_ok "go$ver/rejected retry # $n goroutines copied again in stop 2"
		else
			sed 's/^/#   /' "$work/e1"
			t_fail "go$ver/rejected retry" "retried $n, marked $m, stops $s"
		fi
	fi
	# --stats says where the capture's time went: every step in order,
	# the 300 ms wait between the phases in "parked stacks", and the
	# steps' sum within the capture's total.
	steps=$(sed -n 's/^goscope: capture steps: //p' "$work/e1")
	total=$(sed -n 's/.* total \([0-9.]*\) ms$/\1/p' "$work/e1")
	if printf '%s\n' "$steps" | awk -v total="${total:-0}" '
		BEGIN { want = "preparing stop waits parked_stacks labels unwinding blocked_on freeing" }
		{
			n = split($0, part, "; ")
			for (i = 1; i <= n; i++) {
				if (!match(part[i], /^[a-z -]+ [0-9.]+ ms \(CPU [0-9.]+ ms, [0-9]+ page faults, peak RSS [0-9]+ MB\)$/))
					exit 1
				split(part[i], f, " [(]")
				k = split(f[1], w, " ")
				name = w[1]
				for (j = 2; j < k - 1; j++)
					name = name "_" w[j]
				names = names (i > 1 ? " " : "") name
				ms[name] = w[k - 1]
				sum += w[k - 1]
			}
			if (names != want || ms["parked_stacks"] < 300 ||
			    sum > total + 1)
				exit 1
		}
		END { if (!NR) exit 1 }'; then
		t_ok "go$ver/capture steps # $(printf '%s' "$steps" | cut -c1-60)..."
	else
		printf '#   %s\n' "$steps" "total $total"
		t_fail "go$ver/capture steps" "--stats has not the eight steps in order, with the 300 ms wait in parked stacks"
	fi
	if ! GOSCOPE_TEST_PHASE_DELAY_MS=300 GOSCOPE_TEST_RETRY_MAX=0 \
		"$GOSCOPE" dump --format=json "$pid" >"$work/j2" 2>"$work/e2"; then
		t_fail "go$ver/rejected mark json" "capture failed: $(head -n 1 "$work/e2")"
		t_skip "go$ver/rejected mark json read back" "no capture"
		t_skip "go$ver/rejected mark text" "no capture"
	else
		m=$(jq '.capture.changed_during_capture' "$work/j2")
		# The goroutines marked, and the frames they show (none).
		read -r g f < <(jq -r '[.shapes as $sh | .stacks as $st |
			.goroutines[] | $sh[.[1]] |
			select(.unwind_error == "changed during capture") |
			($st[.stack] | length)] | "\(length) \(add // 0)"' \
			"$work/j2" 2>/dev/null)
		if [ "${m:-0}" -gt 0 ] && [ "${g:-}" = "$m" ] && [ "${f:-}" = 0 ]; then
			t_ok "go$ver/rejected mark json # $m marked changed during capture, without frames"
		else
			t_fail "go$ver/rejected mark json" "changed_during_capture ${m:-?}, ${g:-?} goroutines marked with ${f:-?} frames"
		fi
		# Read back and written again: the same bytes.
		"$GOSCOPE" dump --format=json "$work/j2" >"$work/j3" 2>"$work/e3"
		if cmp -s "$work/j2" "$work/j3"; then
			t_ok "go$ver/rejected mark json read back"
		else
			t_fail "go$ver/rejected mark json read back" "$(head -n 1 "$work/e3")"
		fi
		# The same JSON rendered as text: the marks, never a torn stack.
		"$GOSCOPE" dump "$work/j2" >"$work/t2" 2>"$work/e3"
		"$GOSCOPE" dump --all "$work/j2" >"$work/t2all" 2>"$work/e3"
		if ! r=$(check_shapes "go$ver marked" "$work/t2"); then
			t_fail "go$ver/rejected mark text" "a parked worker with another stack"
		else
			read -r p _ _ <<<"$r"
			m2=$(grep -c '^	stack unavailable: changed during capture$' "$work/t2all")
			if [ "$m2" -eq "$m" ] && [ "$m2" -gt 0 ]; then
				t_ok "go$ver/rejected mark text # $m2 'stack unavailable: changed during capture', $p parked in shape A or B"
			else
				t_fail "go$ver/rejected mark text" "$m2 marks in the text, $m in the JSON"
			fi
		fi
	fi
	stop_target "$pid"
	pid=
done <<<"$toolchains"
t_done
