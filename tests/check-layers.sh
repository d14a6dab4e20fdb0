#!/bin/sh
# Checks the one-way layering of the source tree and a few house rules:
#   lib <- inspect <- buildinfo, symbols <- goruntime <- snapshot <- format
#   <- capture <- tui <- cli
# A stage may include only headers of its own or of lower stages, and the
# modules of one folder include each other without cycles.  Below the
# front ends (cli/, tui/) nothing prints or ends the process: only
# lib/report.c prints diagnostics, and lib/xmalloc.c aborts when memory
# runs out.  Project headers are included as "dir/name.h" (a file that
# exists), system headers as <name.h>.
#
# Folders whose include cycles are reported as warnings, not failures:
# CHECK_LAYERS_CYCLE_WARN (default none: every cycle fails).
set -eu

: "${CHECK_LAYERS_CYCLE_WARN=}"
dirs="lib inspect buildinfo symbols goruntime snapshot format capture tui cli"

rank() {
	case "$1" in
	lib) echo 0 ;;
	inspect) echo 1 ;;
	buildinfo | symbols) echo 2 ;;
	goruntime) echo 3 ;;
	snapshot) echo 4 ;;
	format) echo 5 ;;
	capture) echo 6 ;;
	tui) echo 7 ;;
	cli) echo 8 ;;
	*) echo 99 ;;
	esac
}

bad=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
for dir in $dirs; do
	[ -d "$dir" ] || continue
	r=$(rank "$dir")
	for f in "$dir"/*.c "$dir"/*.h; do
		[ -e "$f" ] || continue
		mod=${f%.*}
		for inc in $(sed -n 's/^#include "\([a-z]*\)\/.*/\1/p' "$f"); do
			if [ "$(rank "$inc")" -gt "$r" ]; then
				echo "layering: $f includes $inc/ (higher stage)" >&2
				bad=1
			fi
		done
		# Spelling: "dir/name.h" naming an existing file, or <...>.
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*//p' "$f" |
			while read -r spec rest; do
				case "$spec" in
				\<*\>) ;;
				\"*\")
					p=${spec#\"}
					p=${p%\"}
					case "$p" in
					*/*.h) [ -f "$p" ] && continue ;;
					esac
					echo "include spelling: $f: $spec" \
						"(want \"dir/name.h\" of this tree)" >&2
					echo bad
					;;
				*)
					echo "include spelling: $f: $spec" >&2
					echo bad
					;;
				esac
			done | grep -q bad && bad=1
		# Module graph of this folder, for the cycle check.
		for inc in $(sed -n "s/^#include \"$dir\/\([a-z0-9_]*\)\.h\".*/\1/p" "$f"); do
			[ "$dir/$inc" != "$mod" ] && echo "$mod $dir/$inc" >>"$edges"
		done
		case "$f" in
		cli/* | tui/* | lib/report.c) ;;
		*)
			if grep -nE '\b(printf|puts|exit|perror)\(' "$f" |
				grep -vE 'snprintf|vsnprintf' >/dev/null; then
				echo "house rule: $f prints or exits below cli/" >&2
				bad=1
			fi
			if [ "$f" != lib/xmalloc.c ] &&
				grep -nE '\b(fprintf|vfprintf|fputs|fputc|putchar|abort|_exit)\(' "$f" >/dev/null; then
				echo "house rule: $f prints or aborts below the front ends:" >&2
				grep -nE '\b(fprintf|vfprintf|fputs|fputc|putchar|abort|_exit)\(' "$f" |
					head -n 3 | sed 's/^/  /' >&2
				bad=1
			fi
			;;
		esac
		case "$f" in
		lib/xmalloc.c) ;;
		*.c)
			if grep -nE '\b(malloc|calloc|realloc)\(' "$f" | grep -v '^.*x[a-z]*alloc' >/dev/null; then
				echo "house rule: $f calls malloc directly" >&2
				bad=1
			fi
			if ! grep -q '#include "lib/banned.h"' "$f"; then
				echo "house rule: $f does not include lib/banned.h" >&2
				bad=1
			fi
			;;
		esac
	done
done

# Include cycles between the modules of one folder (a.c includes b.h and
# b.c includes a.h): tsort names one loop at a time.
sort -u "$edges" | tsort 2>&1 >/dev/null |
	awk '/input contains a loop/ { if (loop != "") print loop; loop = ""; next }
	     { sub(/^tsort: /, ""); loop = loop (loop == "" ? "" : " <-> ") $0 }
	     END { if (loop != "") print loop }' |
	while read -r loop; do
		folder=${loop%%/*}
		case " $CHECK_LAYERS_CYCLE_WARN " in
		*" $folder "*)
			echo "warning: include cycle in $folder/: $loop" >&2
			;;
		*)
			echo "include cycle: $loop" >&2
			echo bad
			;;
		esac
	done | grep -q bad && bad=1

[ "$bad" -eq 0 ] && echo "layers: ok"
exit "$bad"
