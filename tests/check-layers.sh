#!/bin/sh
# Checks the one-way layering of the source tree and a few house rules:
#   lib <- inspect <- buildinfo, symbols <- goruntime <- snapshot <- tui <- cli
# A stage may include only headers of its own or of lower stages.
set -eu

rank() {
	case "$1" in
	lib) echo 0 ;;
	inspect) echo 1 ;;
	buildinfo | symbols) echo 2 ;;
	goruntime) echo 3 ;;
	snapshot) echo 4 ;;
	tui) echo 5 ;;
	cli) echo 6 ;;
	*) echo 99 ;;
	esac
}

bad=0
for dir in lib inspect buildinfo symbols goruntime snapshot tui cli; do
	[ -d "$dir" ] || continue
	r=$(rank "$dir")
	for f in "$dir"/*.c "$dir"/*.h; do
		[ -e "$f" ] || continue
		for inc in $(sed -n 's/^#include "\([a-z]*\)\/.*/\1/p' "$f"); do
			if [ "$(rank "$inc")" -gt "$r" ]; then
				echo "layering: $f includes $inc/ (higher stage)" >&2
				bad=1
			fi
		done
		case "$f" in
		cli/* | tui/* | lib/report.c) ;;
		*)
			if grep -nE '\b(printf|puts|exit|perror)\(' "$f" |
				grep -vE 'snprintf|vsnprintf' >/dev/null; then
				echo "house rule: $f prints or exits below cli/" >&2
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
[ "$bad" -eq 0 ] && echo "layers: ok"
exit "$bad"
