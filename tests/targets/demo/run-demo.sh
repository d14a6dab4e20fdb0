#!/bin/bash
# Builds the demo service, starts it, points goscope at it, and stops it.
# Usage: run-demo.sh PATH-TO-GOSCOPE
set -eu
goscope=${1:?usage: run-demo.sh PATH-TO-GOSCOPE}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$root/tests/out
mkdir -p "$out"

. "$root/tests/go-env.sh"
if ! command -v go >/dev/null; then
	echo "demo: no Go toolchain; run 'make deps' as root" >&2
	exit 1
fi
go_build_with "$(go env GOROOT)" "$out/demo" "$here" -trimpath

coproc DEMO { exec "$out/demo"; }
trap 'exec {DEMO[1]}>&-; wait "$DEMO_PID" 2>/dev/null || true' EXIT
read -r ready pid <&"${DEMO[0]}"
[ "$ready" = ready ] || { echo "demo: did not start" >&2; exit 1; }
# In a terminal: the interactive view; quitting it stops the demo.
if [ -t 0 ] && [ -t 1 ]; then
	echo "demo: service running as pid $pid; opening goscope (q quits)"
	sleep 1
	"$goscope" top --interval=1s --source-root "$here" "$pid" || true
	exit 0
fi
echo "demo: service running as pid $pid; letting it serve for 2s"
sleep 2
echo "\$ goscope buildinfo $pid"
"$goscope" buildinfo "$pid"
echo
echo "\$ goscope groups $pid"
"$goscope" groups "$pid"
echo
echo "\$ goscope watch --interval=1s --window=5s --count=7 $pid"
"$goscope" watch --interval=1s --window=5s --count=7 "$pid" || true
echo
echo "(run 'make demo' in a terminal for the interactive view, or"
echo " 'goscope dump $pid' for the runtime's own dump format)"
