#!/bin/bash
# prometheus: the fleet path end to end.  `goscope watch --textfile=DIR`
# watches a leaking target; Debian's prometheus-node-exporter serves DIR
# with its textfile collector and Debian's prometheus scrapes it and
# evaluates contrib/prometheus/goscope.rules.yml.  The alert
# GoroutineGroupGrowing must fire for the leaking process (pid label).
# Also: promtool accepts the rules and the metrics file.  Everything
# listens on 127.0.0.1 on unused ports, runs for a bounded time and is
# stopped at the end; without the packages the test is skipped.
set -u
. "$(dirname "$0")/../lib.sh"
trap '' PIPE

rules=$T_ROOT/contrib/prometheus/goscope.rules.yml
t_plan 6
for tool in promtool prometheus prometheus-node-exporter; do
	if ! command -v "$tool" >/dev/null; then
		t_skip_rest "prometheus" "$tool not installed (Debian packages prometheus, prometheus-node-exporter)"
		t_done
	fi
done
if promtool check rules "$rules" >/dev/null 2>&1; then
	t_ok "prometheus: promtool check rules accepts the shipped rules"
else
	t_fail "prometheus: promtool check rules accepts the shipped rules" \
		"$(promtool check rules "$rules" 2>&1 | tail -n 1)"
fi
t_require_ptrace

work=$(mktemp -d)
daemons=()
tpid=
cleanup() {
	local p
	for p in "${daemons[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${daemons[@]}"; do
		wait "$p" 2>/dev/null
	done
	stop_target "$tpid"
	rm -rf "$work"
}
trap cleanup EXIT

t_build_newest "prometheus: alert" "$work/leaky" "$T_ROOT/tests/targets/leaky"

# free_port: a TCP port nothing listens on at 127.0.0.1.
free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 30000))
		if ! ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then
			echo "$p"
			return 0
		fi
	done
	return 1
}
# wait_http URL: until it answers, for at most 15 s.
wait_http() {
	for _ in $(seq 150); do
		curl -fs -o /dev/null "$1" && return 0
		sleep 0.1
	done
	return 1
}

if ! start_target tpid "$work/leaky" -burst 20; then
	t_fail "prometheus: target did not start"
	t_skip_rest "prometheus" "no target"
	t_done
fi
mkdir -p "$work/textfile" "$work/tsdb"
timeout 120 "$GOSCOPE" watch --interval=300ms --window=2s \
	--textfile="$work/textfile" "$tpid" >"$work/watch.out" \
	2>"$work/watch.err" &
daemons+=($!)
prom_file=$work/textfile/goscope-$tpid.prom
for _ in $(seq 50); do
	[ -s "$prom_file" ] && break
	sleep 0.1
done
if promtool check metrics <"$prom_file" >"$work/lint" 2>&1; then
	t_ok "prometheus: promtool check metrics accepts the textfile"
else
	sed 's/^/#   /' "$work/lint" | head -n 5
	t_fail "prometheus: promtool check metrics accepts the textfile"
fi

nport=$(free_port) && pport=$(free_port)
if [ -z "$nport" ] || [ -z "$pport" ] || [ "$nport" = "$pport" ]; then
	t_skip_rest "prometheus: alert" "no free port on 127.0.0.1"
	t_done
fi
timeout 120 prometheus-node-exporter \
	--web.listen-address="127.0.0.1:$nport" \
	--collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$work/textfile" \
	>"$work/node.log" 2>&1 &
daemons+=($!)
# The shipped rules, with their 'for' durations cut so the test is short.
sed -E 's/^( *)for: .*/\1for: 0s/' "$rules" >"$work/rules.yml"
cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $work/rules.yml
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$nport']
EOF
timeout 120 prometheus --config.file="$work/prometheus.yml" \
	--storage.tsdb.path="$work/tsdb" \
	--web.listen-address="127.0.0.1:$pport" >"$work/prom.log" 2>&1 &
daemons+=($!)
if ! wait_http "http://127.0.0.1:$nport/metrics" ||
	! wait_http "http://127.0.0.1:$pport/-/ready"; then
	tail -n 3 "$work/node.log" "$work/prom.log" | sed 's/^/#   /'
	t_fail "prometheus: node_exporter and prometheus start"
	t_skip_rest "prometheus" "no daemons"
	t_done
fi
if curl -fs "http://127.0.0.1:$nport/metrics" |
	grep -q "^goscope_watch_leak_suspected{pid=\"$tpid\",process=\"leaky\"}"
then
	t_ok "prometheus: node_exporter serves goscope's metrics"
else
	t_fail "prometheus: node_exporter serves goscope's metrics"
fi

# The alert fires within 60 s (window 2 s, scrape and evaluation 1 s; a
# sanitizer build captures several times slower).
fired=
for _ in $(seq 120); do
	if curl -fs "http://127.0.0.1:$pport/api/v1/alerts" >"$work/alerts" &&
		jq -e --arg pid "$tpid" '.data.alerts | any(
			.labels.alertname == "GoroutineGroupGrowing" and
			.state == "firing" and .labels.pid == $pid and
			.labels.process == "leaky")' "$work/alerts" >/dev/null
	then
		fired=1
		break
	fi
	sleep 0.5
done
if [ -n "$fired" ]; then
	t_ok "prometheus: GoroutineGroupGrowing fires for the leaking process"
else
	sed 's/^/#   /' "$work/alerts" | head -c 600
	echo
	tail -n 3 "$work/watch.out" "$work/watch.err" | sed 's/^/#   /'
	grep -h '^goscope_watch' "$prom_file" | head -n 8 | sed 's/^/#   /'
	t_fail "prometheus: GoroutineGroupGrowing fires for the leaking process"
fi
if jq -e '.data.alerts | any(.labels.alertname ==
	"GoscopeCaptureFailing")' "$work/alerts" >/dev/null; then
	t_fail "prometheus: no capture alert while captures succeed"
else
	t_ok "prometheus: no capture alert while captures succeed"
fi
# After the watch ends: the file, and no temporary beside it.
kill "${daemons[0]}" 2>/dev/null
wait "${daemons[0]}" 2>/dev/null
if ls -A "$work/textfile" | grep -qv '^goscope-[0-9]*\.prom$'; then
	t_fail "prometheus: no temporary file left in the directory" \
		"$(ls -A "$work/textfile" | tr '\n' ' ')"
else
	t_ok "prometheus: no temporary file left in the directory"
fi
t_done
