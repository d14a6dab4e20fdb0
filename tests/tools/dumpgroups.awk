# dumpgroups.awk: a Go program's own goroutine dump (the runtime's text,
# as pprof.Lookup("goroutine").WriteTo(w, 2) writes it) grouped the way
# goscope groups at its default level: the same state or wait reason, the
# same frames (function and file:line) and the same creation site.  The
# ground truth the interactive view's screens are checked against.
#
# Output, tab-separated:
#   T  TOTAL                       goroutines in the dump
#   G  COUNT  STATE  NAME  GOIDS  FUNCS
#                                  one group: NAME its first frame of
#                                  package main (else its first outside
#                                  the runtime), GOIDS ascending, FUNCS
#                                  its frames' functions innermost first
#   R  GOID  STATE  FUNCS          every goroutine
# Function names lose their arguments and type parameters
# ("main.(*box[...]).wait(...)" is "main.(*box).wait").  Groups whose stacks contain a function matching the
# regular expression skip (-v skip=RE) are left out of G lines.
function norm(f) {
	sub(/\([^()]*\)$/, "", f)
	sub(/\[.*\]/, "", f)
	return f
}
function flush(   key, name, i, f) {
	if (goid == "")
		return
	total++
	R[goid] = state "\t" funcs
	if (skip != "" && funcs ~ skip) {
		goid = ""
		return
	}
	key = state "|" frames "|" creator
	if (!(key in cnt)) {
		name = ""
		n = split(funcs, fs, " ")
		for (i = 1; i <= n && name == ""; i++)
			if (fs[i] ~ /^main\./)
				name = fs[i]
		for (i = 1; i <= n && name == ""; i++)
			if (fs[i] !~ /^runtime\./)
				name = fs[i]
		nm[key] = name
		st[key] = state
		fn[key] = funcs
		order[++nkeys] = key
	}
	cnt[key]++
	ids[key] = ids[key] " " goid
	goid = ""
}
/^goroutine [0-9]+ \[/ {
	flush()
	goid = $2
	state = $0
	sub(/^goroutine [0-9]+ \[/, "", state)
	sub(/\]:.*$/, "", state)
	sub(/, [0-9]+ minutes/, "", state)
	sub(/, locked to thread/, "", state)
	frames = ""; funcs = ""; creator = ""; increated = 0
	next
}
goid == "" { next }
/^created by / {
	c = $0
	sub(/^created by /, "", c)
	sub(/ in goroutine [0-9]+$/, "", c)
	creator = norm(c)
	increated = 1
	next
}
/^\t/ {
	loc = $1
	if (increated)
		creator = creator " " loc
	else
		frames = frames " " loc
	next
}
/^\.\.\./ { frames = frames " " $0; next }
/^[^ \t]/ && NF {
	f = norm($0)
	funcs = funcs (funcs == "" ? "" : " ") f
	frames = frames " " f
	next
}
END {
	flush()
	print "T\t" total
	for (k = 1; k <= nkeys; k++) {
		key = order[k]
		n = split(substr(ids[key], 2), a, " ")
		# ascending ids
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		s = a[1]
		for (i = 2; i <= n; i++)
			s = s " " a[i]
		print "G\t" cnt[key] "\t" st[key] "\t" nm[key] "\t" s "\t" fn[key]
	}
	for (g in R)
		print "R\t" g "\t" R[g]
}
