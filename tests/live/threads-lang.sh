#!/bin/bash
# threads-lang: demangled names in goscope threads for a C++ program
# (namespaces, class templates, function templates, std::thread) and, when
# a Rust compiler is installed, a Rust program built with the legacy and
# the v0 symbol mangling.
set -u
. "$(dirname "$0")/../lib.sh"
t_live_setup

dir=$T_ROOT/tests/targets/threads

command -v jq >/dev/null || { t_plan 1; t_skip "threads-lang" "jq not installed"; t_done; }

# funcs JSON NAME: the functions of thread NAME, innermost first, one per
# line.
funcs() {
	jq -r --arg n "$2" '.threads[] | select(.name == $n) |
		.frames[] | .func // "??"' "$1"
}

# in_order FILE PATTERN...: each extended regexp matches a line of FILE,
# in this order.
in_order() {
	local f=$1 n=0 p
	shift
	for p in "$@"; do
		n=$(awk -v s="$n" -v re="$p" 'NR > s && $0 ~ re { print NR; exit }' "$f")
		[ -n "$n" ] || return 1
	done
}

# still_mangled JSON: function names that were not demangled.
still_mangled() {
	jq -r '.threads[].frames[].func // empty' "$1" |
		grep -E '^_Z|^_R[A-Z]|17h[0-9a-f]{16}' || true
}

t_expect 4
if command -v g++ >/dev/null &&
	g++ -std=c++17 -O2 -g -pthread -o "$work/cxx" "$dir/cxx.cc" 2>"$work/cc.err"; then
	if start_target pid "$work/cxx"; then
		"$GOSCOPE" threads --format=json "$pid" >"$work/cxx.json"
		funcs "$work/cxx.json" c-member >"$work/member"
		funcs "$work/cxx.json" c-template >"$work/template"
		in_order "$work/member" '^outer::inner::Worker<int>::wait_here\(\)$' \
			'^start_thread$' &&
			t_ok "C++: member function of a class template" ||
			t_fail "C++: member function of a class template" \
				"$(head -n 4 "$work/member" | xargs -d '\n')"
		in_order "$work/template" '^void outer::inner::level<0>\(\)$' \
			'^void outer::inner::level<1>\(\)$' \
			'^void outer::inner::level<2>\(\)$' '^start_thread$' &&
			t_ok "C++: function templates, innermost first" ||
			t_fail "C++: function templates, innermost first" \
				"$(head -n 6 "$work/template" | xargs -d '\n')"
		grep -q '^void std::this_thread::sleep_for<' "$work/template" &&
			t_ok "C++: inlined template frame named" ||
			t_fail "C++: inlined template frame named"
		m=$(still_mangled "$work/cxx.json")
		[ -z "$m" ] && t_ok "C++: no mangled names left" ||
			t_fail "C++: no mangled names left" "$(echo $m | head -c 200)"
		stop_target "$pid"
		pid=
	else
		t_fail "C++: target started"
		t_skip_rest "C++ program" "no target"
	fi
else
	t_skip_rest "C++ program" "g++ not installed or failed"
fi

rustc=$(command -v rustc || ls "$HOME"/.cargo/bin/rustc 2>/dev/null || true)
if [ -z "$rustc" ]; then
	t_expect 1
	t_skip "Rust program" "no rustc on this machine"
	t_done
fi
for mangling in legacy v0; do
	t_expect 3
	args=()
	[ "$mangling" = v0 ] && args=(-C symbol-mangling-version=v0)
	if ! "$rustc" -g -C opt-level=1 "${args[@]}" -o "$work/rust-$mangling" \
		"$dir/rust.rs" 2>"$work/rs.err"; then
		t_skip_rest "Rust ($mangling)" "rustc failed: $(head -n 1 "$work/rs.err")"
		continue
	fi
	if ! start_target pid "$work/rust-$mangling"; then
		t_fail "Rust ($mangling): target started"
		t_skip_rest "Rust ($mangling)" "no target"
		continue
	fi
	"$GOSCOPE" threads --format=json "$pid" >"$work/rs.json"
	funcs "$work/rs.json" r-member >"$work/member"
	funcs "$work/rs.json" r-generic >"$work/generic"
	in_order "$work/member" 'outer::inner::Worker<[A-Za-z0-9]+>>?::wait_here$' \
		'^start_thread$' &&
		t_ok "Rust ($mangling): method of a generic type" ||
		t_fail "Rust ($mangling): method of a generic type" \
			"$(head -n 4 "$work/member" | xargs -d '\n')"
	in_order "$work/generic" 'outer::inner::Worker<[A-Za-z0-9]+>>?::wait_here$' \
		'outer::inner::generic_wait(::<&str>)?$' '^start_thread$' &&
		t_ok "Rust ($mangling): generic function" ||
		t_fail "Rust ($mangling): generic function" \
			"$(head -n 5 "$work/generic" | xargs -d '\n')"
	m=$(still_mangled "$work/rs.json")
	[ -z "$m" ] && t_ok "Rust ($mangling): no mangled names left" ||
		t_fail "Rust ($mangling): no mangled names left" "$(echo $m | head -c 200)"
	stop_target "$pid"
	pid=
done
t_done
