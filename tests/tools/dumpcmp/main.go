// Command dumpcmp compares two goroutine dumps in the format of the Go
// runtime's runtime.Stack(buf, true), which is also what
// pprof.Lookup("goroutine").WriteTo(w, 2) writes:
//
//	goroutine 7 [chan receive, 2 minutes, locked to thread]:
//	main.f(0xc000012345, ...)
//		/src/main.go:12 +0x1d
//	main.g(...)
//		/src/main.go:20
//	...12 frames elided...
//	created by main.main in goroutine 1
//		/src/main.go:30 +0x2f
//
// Usage: dumpcmp [-v] [-excluded MIN[-MAX]] [-exclude FUNC]... WANT GOT
//
// Goroutines are matched by id.  A goroutine of WANT that GOT lacks is
// missing, and fails the comparison, unless its stack contains an excluded
// function (GOT is taken first, so a goroutine only in WANT existed when
// it was taken).  Excluded from the comparison are those present in GOT
// only (they ended before WANT was taken), those whose stack contains an
// excluded
// function (by default the dumping machinery, runtime.Stack and
// runtime/pprof.writeGoroutineStacks, and the target's command loop,
// main.serveCommands), and those whose state is volatile (running,
// runnable, preempted, copystack) in either dump.  For the others the
// header must match (state or wait reason, "locked to thread"; "N minutes"
// may differ by one), and so must every frame line: the function name with
// its arguments normalised to "(...)", file:line and +0xoff, elision
// markers, "created by" lines and "[originating from goroutine N]:"
// blocks.  Anything after the +0xoff on a file line (the fp= sp= pc= of
// GOTRACEBACK=system) is ignored.
//
// It prints a few lines of context for each goroutine that differs, one
// line per goroutine with -v, and finally
//
//	compared N goroutines: M equal, K differ, E excluded, X missing
//
// With -excluded, E must lie between MIN and MAX (MAX defaults to MIN):
// the caller knows how many goroutines of its target may be volatile.
//
// Exit status: 0 when K == 0, X == 0, E is as expected and N > 0, 1
// otherwise, 2 on a usage or parse error (reported with its file and
// line number).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// line is one significant line of a goroutine's record.
type line struct {
	num  int    // 1-based line number in its file
	raw  string // as read
	norm string // what is compared
}

// goroutine is one parsed goroutine record.
type goroutine struct {
	id      int64
	state   string // first item of the bracket: state or wait reason
	header  line   // norm: "goroutine N [items without minutes]:"
	minutes int
	body    []line
	funcs   map[string]bool // function names on the stack
}

type dump struct {
	name string
	gs   map[int64]*goroutine
	ids  []int64 // in file order
}

var keepArgs = new(bool)

var (
	reHeader  = regexp.MustCompile(`^goroutine ([0-9]+)(.*?) \[(.*)\]:$`)
	reMinutes = regexp.MustCompile(`^([0-9]+) minutes$`)
	reFile    = regexp.MustCompile(`^\t(.*):([0-9]+)( \+0x[0-9a-f]+)?( .*)?$`)
	reElided  = regexp.MustCompile(`^\.\.\.([0-9]+ frames elided|additional frames elided)\.\.\.$`)
	reOrigin  = regexp.MustCompile(`^\[originating from goroutine ([0-9]+)\]:$`)
	reCreated = regexp.MustCompile(`^created by (\S+)( in goroutine [0-9]+)?$`)
)

const unavailable = "goroutine running on other thread; stack unavailable"

var volatile = map[string]bool{
	"running":   true,
	"runnable":  true,
	"preempted": true,
	"copystack": true,
}

type parseError struct {
	file string
	num  int
	msg  string
}

func (e *parseError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.file, e.num, e.msg)
}

// funcName splits a frame line "pkg.F[...](args)" into its function name;
// ok is false when the line does not end in a balanced argument list.
func funcName(s string) (string, bool) {
	if !strings.HasSuffix(s, ")") {
		return "", false
	}
	depth := 0
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				name := s[:i]
				if name == "" || strings.ContainsAny(name, " \t") {
					return "", false
				}
				return name, true
			}
		}
	}
	return "", false
}

func parse(path string) (*dump, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d := &dump{name: path, gs: map[int64]*goroutine{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	var g *goroutine
	// want is what the next line of a record must be: "" anything,
	// "file" a file line (after a frame or created by line).
	want := ""
	num := 0
	bad := func(msg string, args ...interface{}) error {
		return &parseError{path, num, fmt.Sprintf(msg, args...)}
	}
	finish := func() error {
		if g == nil {
			return nil
		}
		if want == "file" {
			return bad("record of goroutine %d ends without a file line", g.id)
		}
		if _, dup := d.gs[g.id]; dup {
			return &parseError{path, g.header.num,
				fmt.Sprintf("goroutine %d appears twice", g.id)}
		}
		d.gs[g.id] = g
		d.ids = append(d.ids, g.id)
		g = nil
		return nil
	}
	for sc.Scan() {
		num++
		s := strings.TrimRight(sc.Text(), "\r")
		if m := reHeader.FindStringSubmatch(s); m != nil && want != "file" {
			if err := finish(); err != nil {
				return nil, err
			}
			id, err := strconv.ParseInt(m[1], 10, 64)
			if err != nil {
				return nil, bad("bad goroutine id %q", m[1])
			}
			g = &goroutine{id: id, funcs: map[string]bool{}}
			items := strings.Split(m[3], ", ")
			g.state = items[0]
			kept := items[:0:0]
			for _, it := range items {
				if mm := reMinutes.FindStringSubmatch(it); mm != nil {
					g.minutes, _ = strconv.Atoi(mm[1])
					continue
				}
				kept = append(kept, it)
			}
			g.header = line{num, s, fmt.Sprintf("goroutine %d%s [%s]:",
				id, m[2], strings.Join(kept, ", "))}
			continue
		}
		if s == "" {
			if want == "file" {
				return nil, bad("blank line where a file line was expected")
			}
			if err := finish(); err != nil {
				return nil, err
			}
			continue
		}
		if g == nil {
			return nil, bad("unexpected line outside a goroutine record: %q", s)
		}
		if want == "file" {
			m := reFile.FindStringSubmatch(s)
			if m == nil {
				return nil, bad("want a file:line line, got %q", s)
			}
			g.body = append(g.body, line{num, s,
				"\t" + m[1] + ":" + m[2] + m[3]})
			want = ""
			continue
		}
		switch {
		case strings.HasPrefix(s, "\t"):
			if strings.TrimSpace(s) == unavailable {
				g.body = append(g.body, line{num, s, s})
				continue
			}
			return nil, bad("file line without a function line: %q", s)
		case reElided.MatchString(s), reOrigin.MatchString(s),
			s == unavailable:
			g.body = append(g.body, line{num, s, s})
		case strings.HasPrefix(s, "created by "):
			m := reCreated.FindStringSubmatch(s)
			if m == nil {
				return nil, bad("bad created by line %q", s)
			}
			g.funcs[m[1]] = true
			g.body = append(g.body, line{num, s, s})
			want = "file"
		default:
			name, ok := funcName(s)
			if !ok {
				return nil, bad("unexpected line %q", s)
			}
			g.funcs[name] = true
			norm := name + "(...)"
			if *keepArgs {
				norm = s
			}
			g.body = append(g.body, line{num, s, norm})
			want = "file"
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %v", path, num+1, err)
	}
	if err := finish(); err != nil {
		return nil, err
	}
	return d, nil
}

// excludedBy returns the first excluded function on g's stack, or "".
func excludedBy(g *goroutine, excl []string) string {
	for _, f := range excl {
		if g.funcs[f] {
			return f
		}
	}
	return ""
}

// firstDiff returns the index of the first differing body line of a and b,
// or -1 when they are equal.
func firstDiff(a, b []line) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		if i >= len(a) || i >= len(b) || a[i].norm != b[i].norm {
			return i
		}
	}
	return -1
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func show(tag, file string, ls []line, i int) string {
	if i >= len(ls) {
		return fmt.Sprintf("  %s %s: <end of stack>", tag, file)
	}
	return fmt.Sprintf("  %s %s:%d: %s", tag, file, ls[i].num, ls[i].raw)
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	os.Exit(run())
}

func run() int {
	verbose := flag.Bool("v", false, "print one line per goroutine")
	keepArgs = flag.Bool("args", false, "compare argument values too")
	var extra stringList
	flag.Var(&extra, "exclude",
		"also exclude goroutines with this function on their stack")
	context := flag.Int("context", 4, "mismatching lines shown per side")
	wantExcl := flag.String("excluded", "",
		"MIN[-MAX]: how many goroutines must be excluded")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: dumpcmp [-v] [-excluded MIN[-MAX]] [-exclude FUNC]... WANT GOT")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 {
		flag.Usage()
		return 2
	}
	exclMin, exclMax := -1, -1
	if *wantExcl != "" {
		lo, hi, isRange := strings.Cut(*wantExcl, "-")
		if !isRange {
			hi = lo
		}
		var err1, err2 error
		exclMin, err1 = strconv.Atoi(lo)
		exclMax, err2 = strconv.Atoi(hi)
		if err1 != nil || err2 != nil || exclMin < 0 || exclMax < exclMin {
			fmt.Fprintf(os.Stderr, "dumpcmp: bad -excluded %q\n", *wantExcl)
			return 2
		}
	}
	excl := append([]string{
		"runtime/pprof.writeGoroutineStacks",
		"runtime.Stack",
		"main.serveCommands",
	}, extra...)
	wantPath, gotPath := flag.Arg(0), flag.Arg(1)
	want, err := parse(wantPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dumpcmp:", err)
		return 2
	}
	got, err := parse(gotPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dumpcmp:", err)
		return 2
	}

	ids := append([]int64(nil), want.ids...)
	for _, id := range got.ids {
		if want.gs[id] == nil {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })

	var equal, differ, excluded, missing int
	for _, id := range ids {
		w, g := want.gs[id], got.gs[id]
		reason := ""
		switch {
		case g == nil && excludedBy(w, excl) != "":
			reason = "only in " + wantPath + ", runs " + excludedBy(w, excl)
		case g == nil:
			missing++
			fmt.Printf("goroutine %d: missing from %s\n", id, gotPath)
			fmt.Printf("  - %s:%d: %s\n", wantPath, w.header.num, w.header.raw)
			continue
		case w == nil:
			reason = "only in " + gotPath
		case excludedBy(w, excl) != "":
			reason = "runs " + excludedBy(w, excl)
		case excludedBy(g, excl) != "":
			reason = "runs " + excludedBy(g, excl)
		case volatile[w.state]:
			reason = w.state + " in " + wantPath
		case volatile[g.state]:
			reason = g.state + " in " + gotPath
		}
		if reason != "" {
			excluded++
			if *verbose {
				fmt.Printf("goroutine %d: excluded (%s)\n", id, reason)
			}
			continue
		}
		var out []string
		if w.header.norm != g.header.norm || abs(w.minutes-g.minutes) > 1 {
			out = append(out,
				fmt.Sprintf("goroutine %d: headers differ", id),
				fmt.Sprintf("  - %s:%d: %s", wantPath, w.header.num, w.header.raw),
				fmt.Sprintf("  + %s:%d: %s", gotPath, g.header.num, g.header.raw))
		}
		if i := firstDiff(w.body, g.body); i >= 0 {
			out = append(out, fmt.Sprintf(
				"goroutine %d: stacks differ from line %d of the record on",
				id, i+2))
			for k := i; k < i+*context && (k < len(w.body) || k < len(g.body)); k++ {
				if k < len(w.body) && k < len(g.body) && w.body[k].norm == g.body[k].norm {
					out = append(out, show(" ", wantPath, w.body, k))
					continue
				}
				out = append(out, show("-", wantPath, w.body, k),
					show("+", gotPath, g.body, k))
			}
		}
		if len(out) == 0 {
			equal++
			if *verbose {
				fmt.Printf("goroutine %d: equal [%s]\n", id, w.state)
			}
			continue
		}
		differ++
		for _, s := range out {
			fmt.Println(s)
		}
	}
	compared := equal + differ
	exclOK := exclMin < 0 || (excluded >= exclMin && excluded <= exclMax)
	if !exclOK {
		fmt.Printf("excluded %d goroutines, expected %s\n", excluded, *wantExcl)
	}
	fmt.Printf("compared %d goroutines: %d equal, %d differ, %d excluded, %d missing\n",
		compared, equal, differ, excluded, missing)
	if differ == 0 && missing == 0 && exclOK && compared > 0 {
		return 0
	}
	return 1
}
