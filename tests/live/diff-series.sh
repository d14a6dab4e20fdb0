#!/bin/bash
# diff-series: `goscope diff` over a series of saved snapshots of one
# process.  Snapshots are saved with `dump --format=json --previous=` so
# that each file carries the first sighting of its goroutines; the
# series of a leaking program exits 3 and marks the leaking group
# suspect (text and JSON), a churning one exits 0, three snapshots for a
# 30 s window exit 4.  Ages: in the last file every goroutine's
# first_seen is the capture time of the earliest file that had its id,
# and born_after the one before that.  Errors: a series of two
# processes, out of order, a text dump, leak options with two inputs.
# The leak rule's window is chosen from the capture times taken (all
# but the first file), so that the verdict does not depend on how
# fast the machine is.
set -u
. "$(dirname "$0")/../lib.sh"
t_live_setup
t_plan 13

t_build_newest "diff-series" "$work/leaky" "$T_ROOT/tests/targets/leaky"

# launch VAR ARGS...: starts the leaky target.
launch() { t_launch "$1" "$work/leaky" "${@:2}"; }

# series PID PREFIX N: N snapshots PREFIX1.json ... 0.3 s apart, each
# carrying the ages of the one before.
series() {
	local pid=$1 pre=$2 n=$3 i
	"$GOSCOPE" dump --format=json -o "${pre}1.json" "$pid" || return 1
	for ((i = 2; i <= n; i++)); do
		sleep 0.3
		"$GOSCOPE" dump --format=json --previous="${pre}$((i - 1)).json" \
			-o "$pre$i.json" "$pid" || return 1
	done
}

# window PREFIX N: the time from file 2 to file N, in whole ms.
window() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
pre, n = sys.argv[1], int(sys.argv[2])
t = [json.load(open(f"{pre}{i}.json"))["capture"]["time_unix_ns"]
     for i in (2, n)]
print(max(1000, (t[1] - t[0]) // 1000000))
EOF
}

N=8
if launch leak -leak 50 && launch calm -churn 200 -oscillate &&
	series "$leak" "$work/l" $N && series "$calm" "$work/c" $N; then
	lfiles=() cfiles=()
	for ((i = 1; i <= N; i++)); do
		lfiles+=("$work/l$i.json") cfiles+=("$work/c$i.json")
	done
	win=$(window "$work/l" $N)ms
	"$GOSCOPE" diff --window="$win" "${lfiles[@]}" >"$work/out" 2>&1
	rc=$?
	if [ $rc -eq 3 ] &&
		grep -A1 '  \[suspect\]$' "$work/out" |
			grep -q 'user frame  main.leakOne' &&
		grep -q "^verdict: leak suspected ($N snapshots" "$work/out"; then
		t_ok "diff-series: a leaking series exits 3, the group is a suspect"
	else
		sed 's/^/#   /' "$work/out" | tail -n 20
		t_fail "diff-series: a leaking series exits 3, the group is a suspect" \
			"exit $rc"
	fi
	"$GOSCOPE" diff --format=json --window="$win" "${lfiles[@]}" \
		>"$work/json" 2>&1
	rc=$?
	if [ $rc -eq 3 ] && python3 - "$work/json" $N <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["snapshots"] == int(sys.argv[2]), d["snapshots"]
sus = [g for g in d["groups"] if g["leak"] == "suspect"]
assert len(sus) == 1, sus
assert sus[0]["user_frame"]["func"] == "main.leakOne", sus[0]
assert all(g["leak"] in ("suspect", "stable") for g in d["groups"])
v = d["verdict"]
assert v["verdict"] == "leak suspected" and v["window_covered"], v
assert v["suspects"][0]["id"] == sus[0]["id"], v
EOF
	then
		t_ok "diff-series: JSON marks each group and carries the verdict"
	else
		t_fail "diff-series: JSON marks each group and carries the verdict" \
			"exit $rc"
	fi
	win=$(window "$work/c" $N)ms
	"$GOSCOPE" diff --window="$win" "${cfiles[@]}" >"$work/out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -q '^verdict: stable' "$work/out" &&
		! grep -q '\[suspect\]' "$work/out"; then
		t_ok "diff-series: churn exits 0"
	else
		sed 's/^/#   /' "$work/out" | tail -n 20
		t_fail "diff-series: churn exits 0" "exit $rc"
	fi
	"$GOSCOPE" diff "${lfiles[@]:0:3}" >"$work/out" 2>&1
	rc=$?
	if [ $rc -eq 4 ] && grep -q '^verdict: not enough snapshots (3 ' \
		"$work/out" && grep -q '  \[undecided\]$' "$work/out"; then
		t_ok "diff-series: three snapshots for a 30s window exit 4"
	else
		t_fail "diff-series: three snapshots for a 30s window exit 4" \
			"exit $rc"
	fi
	# Ages: the oracle is the files themselves (which ids each had).
	if python3 - "$work/l" $N <<'EOF'
import json, sys
pre, n = sys.argv[1], int(sys.argv[2])
f = [json.load(open(f"{pre}{i}.json")) for i in range(1, n + 1)]
t = [x["capture"]["time_unix_ns"] for x in f]
ids = [{r[0] for r in x["goroutines"]} for x in f]
assert all(x["capture"]["start_time"] == f[0]["capture"]["start_time"]
           for x in f), "start_time differs"
assert all(s["wait_approximate"] for x in f for s in x["shapes"]
           if s["wait_stamped"])
last = f[-1]
checked = old = 0
for r in last["goroutines"]:
    goid = r[0]
    k = min(i for i in range(n) if goid in ids[i])
    age = r[-1] if isinstance(r[-1], dict) else {}
    want = t[k]  # new in the last file: there with its born_after
    got = age.get("first_seen")
    assert got == want, (goid, k, got, want)
    want_after = t[k - 1] if k > 0 else None
    assert age.get("born_after") == want_after, (goid, age, want_after)
    checked += 1
    old += k == 0
assert checked > 20 and old > 0, (checked, old)
EOF
	then
		t_ok "diff-series: ages carried from the earliest file"
	else
		t_fail "diff-series: ages carried from the earliest file"
	fi
	t_status_says "diff-series: two processes in a series are an error" \
		1 'different processes' \
		"$GOSCOPE" diff "$work/l1.json" "$work/c2.json" "$work/l3.json"
	t_status_says "diff-series: a series out of order is an error" \
		1 'oldest first' \
		"$GOSCOPE" diff "$work/l2.json" "$work/l1.json" "$work/l3.json"
	t_status_says "diff-series: dump --previous of another process is an error" \
		1 'is not an earlier snapshot of process' \
		"$GOSCOPE" dump --format=json --previous="$work/c1.json" "$leak"
	"$GOSCOPE" dump "$leak" >"$work/text.txt"
	t_status_says "diff-series: a text dump cannot be part of a series" \
		1 'no capture time' \
		"$GOSCOPE" diff "$work/l1.json" "$work/text.txt" "$work/l3.json"
else
	t_skip_rest "diff-series" "target or snapshots failed"
	t_done
fi
t_expect_status "diff-series: --window with two inputs is a usage error" 2 \
	"$GOSCOPE" diff --window=5s "$work/l1.json" "$work/l2.json"
t_expect_status "diff-series: '-' in a series is a usage error" 2 \
	"$GOSCOPE" diff "$work/l1.json" - "$work/l2.json"
t_expect_status "diff-series: two inputs still exit 0" 0 \
	"$GOSCOPE" diff "$work/l1.json" "$work/l8.json"
t_expect_status "diff-series: a missing file exits 1" 1 \
	"$GOSCOPE" diff "$work/l1.json" "$work/nope.json" "$work/l2.json"
t_done
