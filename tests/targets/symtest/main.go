// Command symtest is the oracle of the pclntab tests: it collects PCs with
// runtime.Callers from many call shapes (plain calls, inlined helpers at
// several depths, closures, methods, generics, recursion) and prints, for
// each PC, what the Go runtime itself says about it:
//
//	main 0xADDR                 entry of main.main (for a PIE's bias)
//	stack NAME
//	raw 0xPC...                 what runtime.Callers returned
//	pc 0xPC FUNC FILE:LINE entry=0xENTRY inl=0|1
//	                            one line per runtime.CallersFrames frame;
//	                            0xPC is Frame.PC (the PC looked up)
//	forpc 0xPC FUNC FILE:LINE entry=0xENTRY
//	                            runtime.FuncForPC(pc) for each raw PC
//	end
//
// Function names are printed with generic type arguments shortened to
// "[...]" as newer runtimes do, so that every Go version prints the same.
package main

import (
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"
)

type stack struct {
	name string
	pcs  []uintptr
}

var stacks []stack

// record keeps a copy of pcs under name.
//
//go:noinline
func record(name string, pcs []uintptr) {
	stacks = append(stacks, stack{name, append([]uintptr(nil), pcs...)})
}

var buf [256]uintptr

// capture is small enough to be inlined into its callers.
func capture(name string) { record(name, buf[:runtime.Callers(0, buf[:])]) }

// --- plain calls ---

//go:noinline
func plainA() { plainB() }

//go:noinline
func plainB() { plainC() }

//go:noinline
func plainC() {
	var pcs [128]uintptr
	n := runtime.Callers(0, pcs[:])
	record("plain", pcs[:n])
}

// --- inlined helpers, nested ---

func leaf(name string) { capture(name) }

func mid(name string) { leaf(name) }

func outer(name string) { mid(name) }

//go:noinline
func inlineDepth1() { leaf("inline1") }

//go:noinline
func inlineDepth2() { mid("inline2") }

//go:noinline
func inlineDepth3() { outer("inline3") }

//go:noinline
func inlineTwice() {
	leaf("twice-a")
	mid("twice-b")
}

// --- closures ---

//go:noinline
func callFunc(f func()) { f() }

//go:noinline
func closures() {
	x := 3
	func() { capture(fmt.Sprint("closure-direct-", x)) }()
	callFunc(func() {
		x++
		capture("closure-called")
	})
	g := func(s string) func() {
		return func() { leaf(s) }
	}("closure-nested")
	callFunc(g)
}

// --- methods ---

type T struct{ n int }

//go:noinline
func (t *T) ptrNoinline() { t.n++; capture("method-ptr") }

//go:noinline
func (t T) valNoinline() { leaf("method-val") }

func (t *T) ptrInline() { t.n++; leaf("method-ptr-inline") }

func (t T) valInline() { mid("method-val-inline") }

type Ier interface{ valNoinline() }

//go:noinline
func viaInterface(i Ier) { i.valNoinline() }

//go:noinline
func methods() {
	t := &T{}
	t.ptrNoinline()
	t.valNoinline()
	t.ptrInline()
	t.valInline()
	viaInterface(t)
	viaInterface(*t)
	f := t.ptrNoinline
	callFunc(f)
}

// --- generics ---

type Number interface{ ~int | ~float64 }

//go:noinline
func Sum[N Number](xs []N, name string) N {
	var s N
	for _, x := range xs {
		s += x
	}
	leaf(name)
	return s
}

func SmallGen[T any](v T, name string) T { capture(name); return v }

type Box[T any] struct{ v T }

//go:noinline
func (b *Box[T]) Get(name string) T { mid(name); return b.v }

//go:noinline
func generics() {
	Sum([]int{1, 2}, "generic-int")
	Sum([]float64{1, 2}, "generic-float")
	SmallGen("s", "generic-inline-string")
	SmallGen(2, "generic-inline-int")
	(&Box[string]{"x"}).Get("generic-method")
}

// --- recursion ---

//go:noinline
func recurse(n int) int {
	if n == 0 {
		leaf("recursion")
		return 0
	}
	return recurse(n-1) + 1
}

// --- goroutine ---

//go:noinline
func inGoroutine(done chan bool) {
	outer("goroutine")
	done <- true
}

func shortName(s string) string {
	i := strings.IndexByte(s, '[')
	if i < 0 {
		return s
	}
	j := strings.LastIndexByte(s, ']')
	if j <= i {
		return s
	}
	return s[:i] + "[...]" + s[j+1:]
}

func inl(f *runtime.Func) int {
	if f == nil {
		return 1
	}
	return 0
}

func dump(w *strings.Builder) {
	for _, s := range stacks {
		fmt.Fprintf(w, "stack %s\n", s.name)
		fmt.Fprintf(w, "raw")
		for _, pc := range s.pcs {
			fmt.Fprintf(w, " %#x", pc)
		}
		fmt.Fprintf(w, "\n")
		frames := runtime.CallersFrames(s.pcs)
		for {
			fr, more := frames.Next()
			if fr.PC == 0 {
				break
			}
			fmt.Fprintf(w, "pc %#x %s %s:%d entry=%#x inl=%d\n",
				fr.PC, shortName(fr.Function), fr.File,
				fr.Line, fr.Entry, inl(fr.Func))
			if !more {
				break
			}
		}
		for _, pc := range s.pcs {
			f := runtime.FuncForPC(pc)
			if f == nil {
				fmt.Fprintf(w, "forpc %#x ?\n", pc)
				continue
			}
			file, line := f.FileLine(pc)
			fmt.Fprintf(w, "forpc %#x %s %s:%d entry=%#x\n", pc,
				shortName(f.Name()), file, line, f.Entry())
		}
		fmt.Fprintf(w, "end\n")
	}
}

func main() {
	plainA()
	inlineDepth1()
	inlineDepth2()
	inlineDepth3()
	inlineTwice()
	closures()
	methods()
	generics()
	recurse(40)
	done := make(chan bool)
	go inGoroutine(done)
	<-done
	var w strings.Builder
	fmt.Fprintf(&w, "main %#x\n", reflect.ValueOf(main).Pointer())
	dump(&w)
	os.Stdout.WriteString(w.String())
}
