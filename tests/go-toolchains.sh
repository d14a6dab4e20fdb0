#!/usr/bin/env bash
# go-toolchains.sh - provide several Go toolchains for goscope's tests.
#
# goscope inspects running Go processes, and what it reads (runtime
# structures, build info, symbol tables) changes between Go releases, so the
# tests build their target programs with every Go release Debian ships.
#
# Toolchains come from:
#   * the host: the `go` found in PATH and any installed /usr/lib/go-1.NN;
#   * Debian's golang-1.NN-go + golang-1.NN-src packages (NN = 19..27), taken
#     from the oldest of these suites that has them: bookworm,
#     bookworm-backports, trixie, sid.
#
# Packages are fetched with `apt-get download` through a private apt setup
# (own sources, lists, caches and config, all under $CACHE/apt) and unpacked
# with `dpkg -x` into $CACHE/go/1.NN; the GOROOT is then
# $CACHE/go/1.NN/usr/lib/go-1.NN. Nothing is installed on the host and the
# host's apt state is never written. The archive URI and its keyring
# (Signed-By) are read from the host's own apt sources, and apt verifies the
# release signatures and package hashes as usual.
#
# CACHE is ${GOSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/goscope}.
#
# Usage:
#   tests/go-toolchains.sh [fetch]   fetch what is missing; progress on stderr
#   tests/go-toolchains.sh list      fetch if needed, then print on stdout one
#                                    line per toolchain, sorted by version:
#                                      VERSION<TAB>GOROOT
#                                    and, for each wanted version that could
#                                    not be provided:
#                                      VERSION<TAB>SKIP<TAB>reason
#
# Environment:
#   GOSCOPE_GO_VERSIONS="1.21 1.23"  only these versions (all of them wanted)
#   GOSCOPE_OFFLINE=1                never use the network; only what is on
#                                    the host or already in the cache
#   GOSCOPE_APT_MAX_AGE_DAYS=7       apt lists older than this are refreshed
#                                    when a package has to be fetched
#
# Without GOSCOPE_GO_VERSIONS the wanted versions are 1.19 1.21 1.22 1.23
# 1.24 1.26 1.27; 1.20 and 1.25 are listed only when available.
#
# A second run with everything in place touches neither apt nor the network.
# Runs are serialised with flock on $CACHE/lock.
#
# Every listed GOROOT has been checked: `GOROOT/bin/go version` must run
# (with GOTOOLCHAIN=local) and report go1.NN.

set -euo pipefail

PROG=go-toolchains

CACHE=${GOSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/goscope}
APTDIR=$CACHE/apt
GODIR=$CACHE/go

# Suites searched, oldest first: the first one that has golang-1.NN wins.
SUITES=(bookworm bookworm-backports trixie sid)
MIN_MINOR=19
MAX_MINOR=27
DEFAULT_WANTED=" 1.19 1.21 1.22 1.23 1.24 1.26 1.27 "
MAX_AGE_DAYS=${GOSCOPE_APT_MAX_AGE_DAYS:-7}
OFFLINE=${GOSCOPE_OFFLINE:-0}
[[ $OFFLINE == 0 || -z $OFFLINE ]] && OFFLINE=0 || OFFLINE=1

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { say "$*"; exit 1; }

usage() {
	cat >&2 <<EOF
usage: $0 [fetch|list|delve]
  fetch  fetch the Go toolchains that are missing (default)
  list   fetch if needed, then print VERSION<TAB>GOROOT per toolchain
         and VERSION<TAB>SKIP<TAB>reason per wanted version not provided
  delve  fetch Debian's delve (dlv) into the cache and print its path
env: GOSCOPE_GO_VERSIONS="1.21 1.23", GOSCOPE_OFFLINE=1, GOSCOPE_CACHE=DIR
EOF
}

# ---------------------------------------------------------------------------
# versions

declare -a VERSIONS=()     # versions considered, sorted
declare -A WANTED=()       # versions that get a SKIP line when missing
declare -A GOROOT_OF=()    # version -> GOROOT
declare -A ORIGIN_OF=()    # version -> where it came from (for messages)
declare -A SKIP_WHY=()     # version -> why it is missing

pick_versions() {
	local v
	if [[ -n ${GOSCOPE_GO_VERSIONS:-} ]]; then
		local -a req
		read -ra req <<<"${GOSCOPE_GO_VERSIONS//,/ }"
		for v in "${req[@]}"; do
			[[ $v =~ ^1\.[0-9]+$ ]] ||
				die "bad version '$v' in GOSCOPE_GO_VERSIONS (expected 1.NN)"
		done
		mapfile -t VERSIONS < <(printf '%s\n' "${req[@]}" | sort -t. -k1,1n -k2,2n -u)
		for v in "${VERSIONS[@]}"; do WANTED[$v]=1; done
	else
		local n
		for ((n = MIN_MINOR; n <= MAX_MINOR; n++)); do
			VERSIONS+=("1.$n")
			[[ $DEFAULT_WANTED == *" 1.$n "* ]] && WANTED[1.$n]=1
		done
	fi
	return 0
}

is_considered() {
	local v
	for v in "${VERSIONS[@]}"; do [[ $v == "$1" ]] && return 0; done
	return 1
}

# check_goroot GOROOT [EXPECTED]: run GOROOT/bin/go version. On success print
# the 1.NN it reports; on failure print a one-line reason and return 1.
check_goroot() {
	local root=$1 want=${2:-} out
	if [[ ! -x $root/bin/go ]]; then
		echo "no executable $root/bin/go"
		return 1
	fi
	if ! out=$(env -u GOFLAGS -u GOENV -u GOPATH GOTOOLCHAIN=local GOROOT="$root" \
		timeout 60 "$root/bin/go" version 2>&1); then
		out=$(printf '%s' "$out" | tr -s '\n\t' '  ')
		echo "'$root/bin/go version' failed: ${out:0:200}"
		return 1
	fi
	if [[ $out =~ go\ version\ go(1\.[0-9]+)([^0-9]|$) ]]; then
		local got=${BASH_REMATCH[1]}
		if [[ -n $want && $got != "$want" ]]; then
			echo "'$root/bin/go version' reports go$got, expected go$want"
			return 1
		fi
		echo "$got"
		return 0
	fi
	out=$(printf '%s' "$out" | head -n1)
	echo "unexpected output from '$root/bin/go version': ${out:0:200}"
	return 1
}

# Toolchains already on the host: the go in PATH, then /usr/lib/go-1.NN.
find_host_toolchains() {
	local root v
	if command -v go >/dev/null 2>&1; then
		root=$(env -u GOFLAGS GOTOOLCHAIN=local go env GOROOT 2>/dev/null || true)
		if [[ -n $root ]] && v=$(check_goroot "$root") && is_considered "$v"; then
			GOROOT_OF[$v]=$root
			ORIGIN_OF[$v]="host go"
		fi
	fi
	for v in "${VERSIONS[@]}"; do
		[[ -n ${GOROOT_OF[$v]:-} ]] && continue
		root=/usr/lib/go-$v
		[[ -x $root/bin/go ]] || continue
		if check_goroot "$root" "$v" >/dev/null; then
			GOROOT_OF[$v]=$root
			ORIGIN_OF[$v]="host package"
		fi
	done
}

# Toolchains unpacked by an earlier run. The stamp is written last, so a
# half-unpacked directory is never taken.
find_cached_toolchains() {
	local v stamp
	for v in "${VERSIONS[@]}"; do
		[[ -n ${GOROOT_OF[$v]:-} ]] && continue
		stamp=$GODIR/$v/.goscope-ok
		[[ -f $stamp ]] || continue
		GOROOT_OF[$v]=$GODIR/$v/usr/lib/go-$v
		ORIGIN_OF[$v]="cache, $(tr '\n' ' ' <"$stamp" | sed 's/ *$//')"
	done
}

# ---------------------------------------------------------------------------
# private apt setup

APT_READY=0
UPDATED=0
declare -a APT_OPTS=()

# Print the main archive entry of the host's apt sources as two parts: the
# first line is the URI, the following lines (if any) are the Signed-By
# field exactly as written (deb822; it may hold an inline key block).
# Stanzas/lines for a suite in $1 (space separated, tried in order) count.
host_archive_entry() {
	local suites=$1 f
	local -a files=()
	shopt -s nullglob
	files=(/etc/apt/sources.list.d/*.sources)
	shopt -u nullglob
	for f in "${files[@]}"; do
		# deb822: blank-line separated stanzas, '#' comments, continuation
		# lines start with a space or a tab.
		awk -v want="$suites" '
			function reset() { types = ""; uris = ""; suites = ""; enabled = "yes"; sb = ""; key = "" }
			function flush(   n, i, w, u) {
				if (uris != "" && (" " types " ") ~ / deb / && tolower(enabled) !~ /^(no|false)$/) {
					n = split(want, w, " ")
					for (i = 1; i <= n; i++)
						if ((" " suites " ") ~ (" " w[i] " ")) {
							split(uris, u, /[ \t]+/)
							print u[1]
							if (sb != "") printf "%s", sb
							done = 1
							exit
						}
				}
				reset()
			}
			BEGIN { reset() }
			/^#/ { next }
			/^[ \t]*$/ { flush(); next }
			/^[ \t]/ {
				if (key == "signed-by") sb = sb $0 "\n"
				next
			}
			{
				key = tolower(substr($0, 1, index($0, ":") - 1))
				val = substr($0, index($0, ":") + 1)
				gsub(/^[ \t]+|[ \t]+$/, "", val)
				if (key == "types") types = val
				else if (key == "uris") uris = val
				else if (key == "suites") suites = val
				else if (key == "enabled") enabled = val
				else if (key == "signed-by") sb = "Signed-By:" (val == "" ? "" : " " val) "\n"
			}
			END { if (!done) flush() }
		' "$f" | grep . && return 0
	done
	# one-line format: deb [opt=val ...] URI SUITE COMPONENT...
	files=()
	[[ -r /etc/apt/sources.list ]] && files+=(/etc/apt/sources.list)
	shopt -s nullglob
	files+=(/etc/apt/sources.list.d/*.list)
	shopt -u nullglob
	for f in "${files[@]}"; do
		awk -v want="$suites" '
			{ sub(/#.*/, "") }
			$1 != "deb" { next }
			{
				line = $0
				sub(/^[ \t]*deb[ \t]+/, "", line)
				opts = ""
				if (substr(line, 1, 1) == "[") {
					opts = substr(line, 2, index(line, "]") - 2)
					line = substr(line, index(line, "]") + 1)
				}
				split(line, f, /[ \t]+/)
				if (f[1] == "") { uri = f[2]; suite = f[3] } else { uri = f[1]; suite = f[2] }
				n = split(want, w, " ")
				for (i = 1; i <= n; i++) {
					if (suite != w[i]) continue
					print uri
					m = split(opts, o, /[ \t]+/)
					for (j = 1; j <= m; j++)
						if (tolower(o[j]) ~ /^signed-by=/) {
							kv = substr(o[j], 11); gsub(/,/, " ", kv)
							print "Signed-By: " kv
						}
					exit
				}
			}
		' "$f" | grep . && return 0
	done
	return 1
}

# setup_apt: write the private apt configuration. Returns 1 (with a reason
# in APT_PROBLEM) when it cannot be done.
APT_PROBLEM=
setup_apt() {
	((APT_READY)) && return 0
	local t
	for t in apt-get apt-cache apt-config dpkg; do
		if ! command -v "$t" >/dev/null 2>&1; then
			APT_PROBLEM="$t not found"
			return 1
		fi
	done

	local entry uri signed arch
	# The main archive: the stanza for bookworm, else for any plain Debian
	# release name (so the script also works on hosts of other releases).
	if ! entry=$(host_archive_entry "bookworm") &&
		! entry=$(host_archive_entry "trixie forky sid unstable testing stable oldstable"); then
		APT_PROBLEM="no debian archive found in /etc/apt/sources.list or /etc/apt/sources.list.d"
		return 1
	fi
	uri=$(head -n1 <<<"$entry")
	signed=$(tail -n +2 <<<"$entry")
	arch=$(dpkg --print-architecture)

	mkdir -p "$APTDIR"/etc/{apt.conf.d,sources.list.d,preferences.d} \
		"$APTDIR"/state/lists/partial "$APTDIR"/cache/archives/partial \
		"$APTDIR"/log "$APTDIR"/debs
	: >>"$APTDIR/etc/sources.list"
	: >>"$APTDIR/state/status"

	# Sources: the host's archive URI and keyring, our suites.
	local src new
	src=$APTDIR/etc/sources.list.d/goscope.sources
	new=$(
		echo "# generated by tests/go-toolchains.sh from the host's apt sources"
		echo "Types: deb"
		echo "URIs: $uri"
		echo "Suites: ${SUITES[*]}"
		echo "Components: main"
		echo "Architectures: $arch"
		if [[ -n $signed ]]; then
			printf '%s\n' "$signed"
		fi
	)
	if [[ ! -f $src ]] || [[ $(<"$src") != "$new" ]]; then
		printf '%s\n' "$new" >"$src"
		rm -f "$APTDIR/lists.stamp" # other sources: the lists must be fetched again
	fi
	if [[ -z $signed ]]; then
		say "note: the host's archive entry has no Signed-By; apt uses its default trusted keys"
	fi

	# apt reads /etc/apt/apt.conf.d before any -o option is looked at, and
	# the host's files there may add downloads (DEP-11, Contents, ...) or run
	# hooks after `apt-get update`. APT_CONFIG is read first and points apt at
	# an empty apt.conf.d instead; from the host's configuration only proxy
	# and release-date checking settings are carried over.
	local conf=$APTDIR/etc/apt.conf
	{
		echo "// generated by tests/go-toolchains.sh"
		echo "Dir::Etc::main \"/dev/null\";"
		echo "Dir::Etc::parts \"$APTDIR/etc/apt.conf.d\";"
		env -u APT_CONFIG apt-config dump 2>/dev/null |
			grep -E '^Acquire::((https?|ftp)::Proxy|Check-Valid-Until|Check-Date)' || true
	} >"$conf.new"
	mv "$conf.new" "$conf"
	export APT_CONFIG=$conf

	APT_OPTS=(
		-o "Dir::Etc::SourceList=$APTDIR/etc/sources.list"
		-o "Dir::Etc::SourceParts=$APTDIR/etc/sources.list.d"
		-o "Dir::Etc::Preferences=$APTDIR/etc/preferences"
		-o "Dir::Etc::PreferencesParts=$APTDIR/etc/preferences.d"
		-o "Dir::State=$APTDIR/state"
		-o "Dir::State::Lists=$APTDIR/state/lists"
		-o "Dir::State::status=$APTDIR/state/status"
		-o "Dir::Cache=$APTDIR/cache"
		-o "Dir::Cache::Archives=$APTDIR/cache/archives"
		-o "Dir::Cache::srcpkgcache="
		-o "Dir::Log=$APTDIR/log"
		-o "APT::Architecture=$arch"
		-o "APT::Architectures=$arch"
		-o "Acquire::Languages=none"
		-o "Acquire::GzipIndexes=true"
	)
	if ((EUID == 0)); then
		# As root apt downloads as the user _apt, which cannot enter a cache
		# under a private home (e.g. /root); apt would then fall back to root
		# anyway, with a warning on every file. Say so up front.
		APT_OPTS+=(-o "APT::Sandbox::User=root")
	fi
	APT_READY=1
}

# Are the private lists usable without refreshing them? They must exist for
# every suite and be younger than MAX_AGE_DAYS.
lists_fresh() {
	local stamp=$APTDIR/lists.stamp s
	[[ -f $stamp ]] || return 1
	[[ -n $(find "$stamp" -mmin -$((MAX_AGE_DAYS * 24 * 60)) 2>/dev/null) ]] || return 1
	for s in "${SUITES[@]}"; do
		suite_has_lists "$s" || return 1
	done
	return 0
}

suite_has_lists() {
	compgen -G "$APTDIR/state/lists/*_dists_${1}_InRelease" >/dev/null ||
		compgen -G "$APTDIR/state/lists/*_dists_${1}_Release" >/dev/null
}

# apt_shown LOG DIR ARGS...: runs apt-get ARGS with its output in LOG and,
# so that minutes of downloading are not silent, shows its progress on
# stderr: each file as apt starts it ("Get:1 ... [66.1 MB]"), then every
# 10 seconds how many MB DIR holds, then apt's "Fetched ..." summary.
apt_shown() {
	local log=$1 dir=$2 rc=0 ticker
	shift 2
	(
		while sleep 10; do
			say "  ... $(du -sm "$dir" 2>/dev/null | cut -f1) MB so far"
		done
	) &
	ticker=$!
	apt-get "${APT_OPTS[@]}" -q "$@" 2>&1 | tee "$log" |
		{ grep --line-buffered -E '^(Get:|Fetched|E:|W:)' || true; } |
		sed -u "s/^/$PROG:   /" >&2 || rc=$?	# pipefail: apt-get's status
	kill "$ticker" 2>/dev/null
	wait "$ticker" 2>/dev/null || true
	return "$rc"
}

apt_update() {
	local log=$APTDIR/log/update.log rc=0 s
	say "updating private apt lists (${SUITES[*]})"
	apt_shown "$log" "$APTDIR/state/lists" update || rc=$?
	UPDATED=1
	touch "$APTDIR/lists.stamp"
	if ((rc != 0)); then
		say "apt-get update reported problems (see $log):"
		grep -E '^(E|W):' "$log" | head -n 8 | sed "s/^/$PROG:   /" >&2 || true
	fi
	for s in "${SUITES[@]}"; do
		suite_has_lists "$s" || say "no verified apt lists for suite $s"
	done
	return 0
}

# find_pkg MINOR: print "SUITE GOVERSION SRCVERSION" for the oldest suite
# that has both golang-1.NN-go and golang-1.NN-src.
find_pkg() {
	local v=$1 s gov srcv
	local m_go m_src
	m_go=$(apt-cache "${APT_OPTS[@]}" madison "golang-$v-go" 2>/dev/null || true)
	m_src=$(apt-cache "${APT_OPTS[@]}" madison "golang-$v-src" 2>/dev/null || true)
	[[ -n $m_go && -n $m_src ]] || return 1
	for s in "${SUITES[@]}"; do
		gov=$(madison_version "$m_go" "$s")
		srcv=$(madison_version "$m_src" "$s")
		if [[ -n $gov && -n $srcv ]]; then
			echo "$s $gov $srcv"
			return 0
		fi
	done
	return 1
}

# madison lines: "PKG | VERSION | URI SUITE/COMPONENT ARCH Packages"
madison_version() {
	awk -F' [|] ' -v s="$2" '{
		split($3, f, / +/); split(f[2], p, "/")
		gsub(/ /, "", $2)
		if (p[1] == s) { print $2; exit }
	}' <<<"$1"
}

# download_and_unpack MINOR SUITE GOVERSION SRCVERSION
download_and_unpack() {
	local v=$1 suite=$2 gov=$3 srcv=$4
	local dl=$APTDIR/debs/$v tmp=$GODIR/.tmp-$v-$$ log=$APTDIR/log/download-$v.log
	rm -rf "$dl" "$tmp"
	mkdir -p "$dl" "$tmp"
	say "downloading golang-$v-go $gov and golang-$v-src $srcv from $suite"
	if ! (cd "$dl" && apt_shown "$log" "$dl" download \
		"golang-$v-go=$gov" "golang-$v-src=$srcv"); then
		rm -rf "$dl" "$tmp"
		LAST_ERROR=$(grep -E '^(E|W):' "$log" | head -n1 || true)
		LAST_ERROR=${LAST_ERROR:-apt-get download failed, see $log}
		return 1
	fi
	local deb
	say "unpacking golang-$v-go and golang-$v-src"
	for deb in "$dl"/*.deb; do
		if ! dpkg -x "$deb" "$tmp" 2>>"$log"; then
			rm -rf "$dl" "$tmp"
			LAST_ERROR="dpkg -x failed for ${deb##*/}"
			return 1
		fi
	done
	rm -rf "$dl"
	if [[ ! -e $tmp/usr/lib/go-$v/bin/go ]]; then
		rm -rf "$tmp"
		LAST_ERROR="packages for $v hold no usr/lib/go-$v/bin/go"
		return 1
	fi
	printf 'suite=%s\nversion=%s\n' "$suite" "$gov" >"$tmp/.goscope-ok"
	rm -rf "${GODIR:?}/$v"
	mv "$tmp" "$GODIR/$v"
	GOROOT_OF[$v]=$GODIR/$v/usr/lib/go-$v
	ORIGIN_OF[$v]="debian $suite, $gov"
	say "unpacked go $v into $GODIR/$v ($(du -sm "$GODIR/$v" | cut -f1) MB)"
	return 0
}

fetch_missing() {
	local -a missing=()
	local v
	for v in "${VERSIONS[@]}"; do
		[[ -z ${GOROOT_OF[$v]:-} ]] && missing+=("$v")
	done
	((${#missing[@]})) || return 0

	if ((OFFLINE)); then
		for v in "${missing[@]}"; do
			SKIP_WHY[$v]="not in the cache nor on the host, and GOSCOPE_OFFLINE is set"
		done
		return 0
	fi
	if ! setup_apt; then
		say "cannot fetch toolchains: $APT_PROBLEM"
		for v in "${missing[@]}"; do SKIP_WHY[$v]="cannot fetch: $APT_PROBLEM"; done
		return 0
	fi
	lists_fresh || apt_update

	local found suite gov srcv
	LAST_ERROR=
	for v in "${missing[@]}"; do
		# Recent lists without the package are trusted: Debian does not ship
		# that version, and asking the network again on every run would make
		# cached runs slow.
		if ! found=$(find_pkg "$v"); then
			local nolists=() s
			for s in "${SUITES[@]}"; do suite_has_lists "$s" || nolists+=("$s"); done
			SKIP_WHY[$v]="debian ships no golang-$v-go/-src in ${SUITES[*]}"
			((${#nolists[@]})) && SKIP_WHY[$v]+=" (no usable apt lists for: ${nolists[*]})"
			say "go $v: ${SKIP_WHY[$v]}"
			continue
		fi
		read -r suite gov srcv <<<"$found"
		if ! download_and_unpack "$v" "$suite" "$gov" "$srcv"; then
			if ((!UPDATED)); then
				# Old lists may point at files that are gone from the archive.
				say "download failed ($LAST_ERROR); refreshing apt lists and retrying"
				apt_update
				if found=$(find_pkg "$v"); then
					read -r suite gov srcv <<<"$found"
					download_and_unpack "$v" "$suite" "$gov" "$srcv" && continue
				fi
			fi
			SKIP_WHY[$v]="fetching golang-$v from $suite failed: $LAST_ERROR"
			say "go $v: ${SKIP_WHY[$v]}"
		fi
	done
}

# fetch_delve: print the path of a dlv binary unpacked from Debian's
# "delve" package (sid), for side-by-side benchmarks.  Never installed.
fetch_delve() {
	local dir=$CACHE/delve m ver s tmp log
	if [[ -x $dir/usr/bin/dlv ]]; then
		echo "$dir/usr/bin/dlv"
		return 0
	fi
	((OFFLINE)) && die "delve is not cached and GOSCOPE_OFFLINE is set"
	setup_apt || die "cannot fetch delve: $APT_PROBLEM"
	lists_fresh || apt_update
	m=$(apt-cache "${APT_OPTS[@]}" madison delve 2>/dev/null || true)
	ver=
	for s in sid trixie bookworm-backports bookworm; do
		ver=$(madison_version "$m" "$s")
		[[ -n $ver ]] && break
	done
	[[ -n $ver ]] || die "debian ships no delve package in ${SUITES[*]}"
	tmp=$CACHE/.delve-$$ log=$APTDIR/log/download-delve.log
	rm -rf "$tmp"
	mkdir -p "$tmp/debs"
	say "downloading delve $ver"
	(cd "$tmp/debs" && apt-get "${APT_OPTS[@]}" -q download "delve=$ver") \
		>"$log" 2>&1 || die "apt-get download delve failed, see $log"
	dpkg -x "$tmp"/debs/*.deb "$tmp/root" || die "dpkg -x failed for delve"
	[[ -x $tmp/root/usr/bin/dlv ]] || die "the delve package holds no usr/bin/dlv"
	rm -rf "$dir"
	mv "$tmp/root" "$dir"
	rm -rf "$tmp"
	echo "$dir/usr/bin/dlv"
}

# Print the result lines (list format) for every considered version.
report() {
	local v reason
	for v in "${VERSIONS[@]}"; do
		if [[ -n ${GOROOT_OF[$v]:-} ]]; then
			if reason=$(check_goroot "${GOROOT_OF[$v]}" "$v"); then
				printf '%s\t%s\n' "$v" "${GOROOT_OF[$v]}"
				continue
			fi
			SKIP_WHY[$v]=$reason
		fi
		[[ -n ${WANTED[$v]:-} ]] || continue
		reason=${SKIP_WHY[$v]:-not available}
		printf '%s\tSKIP\t%s\n' "$v" "${reason//[$'\t\n']/ }"
	done
}

main() {
	local cmd=${1:-fetch}
	case $cmd in
	fetch | list | delve) ;;
	-h | --help | help) usage; return 0 ;;
	*) usage; die "unknown command '$cmd'" ;;
	esac
	(($# <= 1)) || { usage; die "too many arguments"; }
	command -v flock >/dev/null 2>&1 || die "flock not found (util-linux)"

	pick_versions
	mkdir -p "$CACHE" "$GODIR"
	exec 9>>"$CACHE/lock"
	if ! flock -n 9; then
		say "waiting for another run to release $CACHE/lock"
		flock -w 3600 9 || die "timed out waiting for $CACHE/lock"
	fi
	rm -rf "$GODIR"/.tmp-*
	trap 'rm -rf "$GODIR"/.tmp-*-$$' EXIT

	if [[ $cmd == delve ]]; then
		fetch_delve
		return
	fi
	find_host_toolchains
	find_cached_toolchains
	fetch_missing

	local out
	out=$(report)
	if [[ $cmd == list ]]; then
		[[ -z $out ]] || printf '%s\n' "$out"
	else
		local ver root rest
		while IFS=$'\t' read -r ver root rest; do
			[[ -n $ver ]] || continue
			if [[ $root == SKIP ]]; then
				say "go $ver: skipped: $rest"
			else
				say "go $ver: $root (${ORIGIN_OF[$ver]:-})"
			fi
		done <<<"$out"
	fi
}

main "$@"
