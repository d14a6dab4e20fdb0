# go-env.sh - environment for building goscope's Go test programs.
#
# Source this file from bash (it is not meant to be run):
#
#   . tests/go-env.sh
#   go_env GOROOT          export the build environment for that toolchain
#                          into the current shell
#   go_env -p GOROOT       print it instead, as `export NAME=value` lines
#                          (eval "$(go_env -p GOROOT)")
#   go_build_with TOOLCHAIN OUT SRC_DIR [go build args...]
#                          build the main package of the module in SRC_DIR
#                          (it must have a go.mod) into OUT, in a subshell.
#                          TOOLCHAIN is a GOROOT, or a version like 1.24 that
#                          tests/go-toolchains.sh has already provided.
#
# The environment pins the given toolchain (GOTOOLCHAIN=local: no switching
# to or downloading of another Go), keeps the build offline (GOPROXY=off,
# GOSUMDB=off) and independent of the user's Go settings (GOENV=off,
# GOWORK=off), and gives each Go version its own build cache under
# ${GOSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/goscope}. Test programs
# should use only the standard library, and their go.mod should name a Go
# version no newer than the oldest toolchain they are built with (e.g.
# `go 1.19`), since a local toolchain refuses newer modules.

_GOSCOPE_TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

_goscope_cache_dir() {
	printf '%s\n' "${GOSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/goscope}"
}

# _goscope_goroot_version GOROOT: print the toolchain's 1.NN.
_goscope_goroot_version() {
	local root=$1 v=
	if [[ -r $root/VERSION ]]; then
		v=$(head -n1 "$root/VERSION")
	fi
	if [[ ! $v =~ ^go1\.[0-9]+ ]]; then
		v=$(env -u GOFLAGS GOTOOLCHAIN=local GOROOT="$root" "$root/bin/go" version 2>/dev/null |
			awk '{ print $3 }')
	fi
	if [[ $v =~ ^go(1\.[0-9]+) ]]; then
		printf '%s\n' "${BASH_REMATCH[1]}"
		return 0
	fi
	echo "go_env: cannot tell the go version of $root" >&2
	return 1
}

# _goscope_goroot_for VERSION: the GOROOT tests/go-toolchains.sh has for
# VERSION (offline: it does not fetch).
_goscope_goroot_for() {
	local ver=$1 line
	line=$(GOSCOPE_OFFLINE=1 GOSCOPE_GO_VERSIONS=$ver \
		"$_GOSCOPE_TESTS_DIR/go-toolchains.sh" list 2>/dev/null | head -n1)
	case $line in
	*"GOSCOPE_OFFLINE"*)
		echo "go_build_with: go $ver has not been fetched (run tests/go-toolchains.sh fetch)" >&2
		return 1
		;;
	"$ver"$'\t'SKIP$'\t'*)
		echo "go_build_with: go $ver is not available: ${line#*SKIP$'\t'}" >&2
		return 1
		;;
	"$ver"$'\t'*)
		printf '%s\n' "${line#*$'\t'}"
		;;
	*)
		echo "go_build_with: go $ver is not available" >&2
		return 1
		;;
	esac
}

go_env() {
	local print=0
	if [[ ${1-} == -p ]]; then
		print=1
		shift
	fi
	if (($# != 1)); then
		echo "usage: go_env [-p] GOROOT" >&2
		return 2
	fi
	local root=$1
	if [[ ! -x $root/bin/go ]]; then
		echo "go_env: no executable go in $root/bin" >&2
		return 1
	fi
	root=$(cd "$root" && pwd)
	local ver cache
	ver=$(_goscope_goroot_version "$root") || return 1
	cache=$(_goscope_cache_dir)

	# Drop the bin directory of a toolchain set up earlier from PATH.
	local path=$PATH
	if [[ -n ${GOROOT-} ]]; then
		path=:$path:
		path=${path//:$GOROOT\/bin:/:}
		path=${path#:}
		path=${path%:}
	fi

	local -a vars=(
		"GOROOT=$root"
		"PATH=$root/bin${path:+:$path}"
		"GOTOOLCHAIN=local"
		"GO111MODULE=on"
		"GOPROXY=off"
		"GOSUMDB=off"
		"GOFLAGS=-mod=mod"
		"GOWORK=off"
		"GOENV=off"
		"GOCACHE=$cache/gocache/$ver"
		"GOPATH=$cache/gopath"
		"GOMODCACHE=$cache/gopath/pkg/mod"
	)
	local kv
	for kv in "${vars[@]}"; do
		if ((print)); then
			printf 'export %s=%q\n' "${kv%%=*}" "${kv#*=}"
		else
			export "${kv?}"
		fi
	done
	if ((!print)); then
		mkdir -p "$GOCACHE" "$GOPATH"
	fi
}

go_build_with() {
	if (($# < 3)); then
		echo "usage: go_build_with VERSION|GOROOT OUT SRC_DIR [go build args...]" >&2
		return 2
	fi
	local tc=$1 out=$2 src=$3 root
	shift 3
	if [[ $tc =~ ^1\.[0-9]+$ ]]; then
		root=$(_goscope_goroot_for "$tc") || return 1
	else
		root=$tc
	fi
	if [[ ! -f $src/go.mod ]]; then
		echo "go_build_with: no go.mod in $src" >&2
		return 1
	fi
	[[ $out == /* ]] || out=$PWD/$out
	(
		go_env "$root" || exit 1
		cd "$src" || exit 1
		go build -o "$out" "$@" .
	)
}
