#!/bin/bash
# buildinfo-pid: `goscope buildinfo PID` on running programs built by every
# toolchain (plain and PIE), read from /proc/PID/exe and from process
# memory alone; then the same process after its file is replaced in place
# (a deploy by rename) and after it is deleted.  The oracle is the
# toolchain's own `go version -m` on a saved copy of the running binary.
set -u
. "$(dirname "$0")/../lib.sh"
t_require_ptrace

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do stop_target "$p"; done
	rm -rf "$work"
}
trap cleanup EXIT

build() { # root out args...
	local root=$1 out=$2
	shift 2
	rm -rf "$work/src"
	cp -r "$T_ROOT/tests/targets/buildinfo" "$work/src"
	(go_env "$root" && cd "$work/src" && go build -o "$out" "$@" .)
}

# want_for ROOT BIN NAME: go version -m BIN with the file name replaced.
want_for() {
	(go_env "$1" && go version -m "$2") | sed "1s|^[^:]*:|$3:|"
}

toolchains=$(bash "$T_ROOT/tests/go-toolchains.sh" list)
last_root=
while IFS=$'\t' read -r ver root reason; do
	t_expect 6
	if [ "$root" = SKIP ]; then
		t_skip_rest "go$ver/pid" "go $ver unavailable: $reason"
		continue
	fi
	last_root=$root
	for mode in exe pie; do
		cell="go$ver/$mode"
		bin=$work/target-$ver-$mode
		args=()
		[ $mode = pie ] && args=(-buildmode=pie)
		if ! build "$root" "$bin" "${args[@]}" >"$work/log" 2>&1; then
			t_fail "$cell build" "$(tail -n 1 "$work/log")"
			t_skip "$cell pid from-memory" "no build"
			t_skip "$cell pid json" "no build"
			continue
		fi
		if ! start_target pid "$bin" -wait; then
			t_fail "$cell start" "target did not start"
			t_skip "$cell pid from-memory" "no target"
			t_skip "$cell pid json" "no target"
			continue
		fi
		pids+=("$pid")
		want_for "$root" "$bin" "$bin" >"$work/want"
		"$GOSCOPE" buildinfo --format=go "$pid" >"$work/got" 2>&1
		t_same "$cell pid go-format" "$work/want" "$work/got"
		"$GOSCOPE" buildinfo --from-memory --format=go "$pid" \
			>"$work/got" 2>&1
		t_same "$cell pid from-memory" "$work/want" "$work/got"
		src=$("$GOSCOPE" buildinfo --format=json "$pid" |
			jq -r '.go.source + " " + .process.disk.status')
		if [ "$src" = "memory same" ]; then
			t_ok "$cell pid json"
		else
			t_fail "$cell pid json" "got '$src'"
		fi
		stop_target "$pid"
		pids=("${pids[@]/$pid/}")
	done
done <<<"$toolchains"

t_expect 7
if [ -z "$last_root" ]; then
	t_skip_rest "replaced/deleted" "no Go toolchain"
	t_done
fi

# A deploy in place: rename a new build over the running file, then
# delete it.  goscope must keep reporting the running build.
bin=$work/deployed
build "$last_root" "$bin" -ldflags='-X main.version=v1' >/dev/null 2>&1
cp "$bin" "$work/v1-copy"
build "$last_root" "$work/v2" -ldflags='-X main.version=v2' >/dev/null 2>&1
if start_target pid "$bin" -wait; then
	pids+=("$pid")
	want_for "$last_root" "$work/v1-copy" "$bin" >"$work/want"
	mv "$work/v2" "$bin"
	"$GOSCOPE" buildinfo --format=go "$pid" >"$work/got" 2>&1
	sed -i '1s| (deleted):|:|' "$work/got"
	t_same "replaced go-format is the running build" "$work/want" \
		"$work/got"
	"$GOSCOPE" buildinfo --format=json "$pid" >"$work/json"
	running=$(jq -r .elf.go_build_id "$work/json")
	ondisk=$(jq -r .process.disk.go_build_id "$work/json")
	status=$(jq -r .process.disk.status "$work/json")
	if [ "$status" = replaced ] && [ "$running" != "$ondisk" ] &&
		[ "$ondisk" != null ] && [ "$running" != null ]; then
		t_ok "replaced detected with differing build ids"
	else
		t_fail "replaced detected" "status=$status running=$running disk=$ondisk"
	fi
	if "$GOSCOPE" buildinfo "$pid" | grep -q 'REPLACED since the process started'; then
		t_ok "replaced text"
	else
		t_fail "replaced text" "no REPLACED line"
	fi
	rm -f "$bin"
	"$GOSCOPE" buildinfo --format=go "$pid" >"$work/got" 2>&1
	if head -n 1 "$work/got" | grep -q "^$bin (deleted): "; then
		t_ok "deleted first line names the kernel's exe"
	else
		t_fail "deleted first line" "$(head -n 1 "$work/got")"
	fi
	sed -i '1s| (deleted):|:|' "$work/got"
	t_same "deleted go-format is the running build" "$work/want" \
		"$work/got"
	status=$("$GOSCOPE" buildinfo --format=json "$pid" |
		jq -r '.process.disk.status + " " + (.process.exe_deleted|tostring)')
	if [ "$status" = "deleted true" ]; then
		t_ok "deleted detected"
	else
		t_fail "deleted detected" "got '$status'"
	fi
	kill -0 "$pid" && t_ok "target still running" ||
		t_fail "target still running" "target died"
else
	t_fail "replaced/deleted start" "target did not start"
	t_skip_rest "replaced/deleted" "target did not start"
fi
t_done
