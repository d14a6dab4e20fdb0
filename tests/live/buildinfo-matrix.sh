#!/bin/bash
# buildinfo-matrix: for every Go toolchain that tests/go-toolchains.sh
# provides and every build mode below, `goscope buildinfo --format=go`
# must print exactly what that toolchain's `go version -m` prints, and the
# JSON and text formats must carry the same Go version.  A toolchain that
# cannot be fetched is reported as skipped, cell by cell.
set -u
. "$(dirname "$0")/../lib.sh"

# name|environment|go build arguments (eval'd)|post-processing
MODES=(
	"default|||"
	"sw||-ldflags='-s -w'|"
	"pie||-buildmode=pie|"
	"pie-sw||-buildmode=pie -ldflags='-s -w'|"
	"trimpath||-trimpath|"
	"cgo0|CGO_ENABLED=0||"
	"cgo0-sw-trimpath|CGO_ENABLED=0|-trimpath -ldflags='-s -w'|"
	"quoted-ldflags||-ldflags='-X \"main.version=a b\" -X main.x=\"q\"' -tags=netgo,osusergo|"
	"strip-after|||strip"
	"vcs|||vcs"
	"vcs-dirty|||vcs-dirty"
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

build_cell() { # root out mode-fields...
	local root=$1 out=$2 envs=$3 args=$4 post=$5 src=$work/src
	rm -rf "$src"
	cp -r "$T_ROOT/tests/targets/buildinfo" "$src"
	case $post in
	vcs | vcs-dirty)
		(cd "$src" && git init -q && git add -A &&
			git -c user.name=t -c user.email=t@example.com \
				commit -qm initial) || return 1
		[ "$post" = vcs-dirty ] && echo "// dirty" >>"$src/main.go"
		;;
	esac
	(
		go_env "$root" || exit 1
		cd "$src" || exit 1
		eval "env $envs go build -o \"$out\" $args ." || exit 1
		if [ "$post" = strip ]; then strip "$out" || exit 1; fi
	)
}

toolchains=$(bash "$T_ROOT/tests/go-toolchains.sh" list)
if [ -z "$toolchains" ]; then
	t_expect 1
	t_fail "toolchains" "tests/go-toolchains.sh listed nothing"
	t_done
fi

while IFS=$'\t' read -r ver root reason; do
	for m in "${MODES[@]}"; do
		IFS='|' read -r mode envs args post <<<"$m"
		cell="go$ver/$mode"
		t_expect 2
		if [ "$root" = SKIP ]; then
			t_skip "$cell go-version-m" "go $ver unavailable: $reason"
			t_skip "$cell json" "go $ver unavailable: $reason"
			continue
		fi
		bin=$work/bin-$ver-$mode
		if ! build_cell "$root" "$bin" "$envs" "$args" "$post" \
			>"$work/build.log" 2>&1; then
			sed 's/^/#   /' "$work/build.log" | tail -n 5
			t_fail "$cell go-version-m" "build failed"
			t_fail "$cell json" "build failed"
			continue
		fi
		(go_env "$root" && go version -m "$bin") >"$work/want" 2>&1
		"$GOSCOPE" buildinfo --format=go "$bin" >"$work/got" 2>&1
		t_same "$cell go-version-m" "$work/want" "$work/got"
		want_ver=$(head -n 1 "$work/want" | awk '{ print $2 }')
		got_json=$("$GOSCOPE" buildinfo --format=json "$bin" |
			jq -r '.go.version + " " + (.go.settings | length | tostring)')
		want_settings=$(grep -c $'^\tbuild\t' "$work/want")
		if [ "$got_json" = "$want_ver $want_settings" ]; then
			t_ok "$cell json"
		else
			t_fail "$cell json" "got '$got_json', want '$want_ver $want_settings'"
		fi
	done
done <<<"$toolchains"
t_done
