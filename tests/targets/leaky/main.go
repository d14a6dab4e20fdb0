// Command leaky is the program the leak-watch tests point goscope at.  It
// leaks goroutines at a steady rate in one place (main.leakOne, started
// by main.leaker), while short-lived workers start and finish all the
// time elsewhere (main.churn), and a small pool grows and shrinks by a
// few goroutines (main.oscillate).  Each part is switched by a flag:
//
//	-leak N       leak N goroutines per second (0: no leak)
//	-burst N      leak N goroutines at once, once a second
//	-stable N     first start N goroutines just like the leaked ones
//	              (same group) that stay: a leak under a big population
//	-orphans N    N goroutines blocked on channels nothing else can
//	              reach; with GOEXPERIMENT=goroutineleakprofile (Go
//	              1.26+) the goroutineleak profile is taken once, which
//	              marks them leaked
//	-churn N      start N short-lived goroutines per second
//	-oscillate    a pool that swings between 0 and 2 goroutines
//	-labels       run the leaking goroutines under a pprof label
//	-parked N     N goroutines parked for good beside the leak, spread
//	              over -flat G groups that differ only by recursion
//	              depth (main.parkDepth at depths 0 .. G-1)
//	-panic        panic once everything runs (for dump fixtures)
//
// Once running it prints "ready <pid>" and exits when stdin closes.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"
)

var (
	leaked = make(chan struct{}) // never closed: leaked goroutines stay
	quit   = make(chan struct{})
)

//go:noinline
func leakOne() {
	<-leaked
}

// leaker starts stable goroutines that never finish, closes started,
// then starts n more per second, one at a time or (burst > 0) burst
// at once every second.
//
//go:noinline
func leaker(n, burst, stable int, labels bool, started chan struct{}) {
	period, batch := time.Second, burst
	if burst == 0 && n > 0 {
		period, batch = time.Second/time.Duration(n), 1
	}
	t := time.NewTicker(period)
	for next := stable; ; next = batch {
		for i := 0; i < next; i++ {
			if labels {
				pprof.Do(context.Background(),
					pprof.Labels("leak", "yes"),
					func(context.Context) { go leakOne() })
			} else {
				go leakOne()
			}
		}
		if started != nil {
			close(started)
			started = nil
		}
		<-t.C
	}
}

// parkDepth parks on c after d nested calls of itself.
//
//go:noinline
func parkDepth(d int, c chan struct{}) {
	if d > 0 {
		parkDepth(d-1, c)
		return
	}
	<-c
}

//go:noinline
func orphan() {
	c := make(chan int)
	<-c
}

// orphans starts n goroutines that can never be woken, then asks the
// runtime's goroutine leak profile (when it has one) to find them.
func orphans(n int) {
	for i := 0; i < n; i++ {
		go orphan()
	}
	time.Sleep(100 * time.Millisecond)
	p := pprof.Lookup("goroutineleak")
	if p != nil {
		p.WriteTo(io.Discard, 0)
	}
}

//go:noinline
func shortJob(d time.Duration) {
	time.Sleep(d)
}

// churn starts n goroutines per second that finish within 2 ms.
//
//go:noinline
func churn(n int) {
	t := time.NewTicker(time.Second / time.Duration(n))
	i := 0
	for range t.C {
		i++
		go shortJob(time.Duration(i%3) * time.Millisecond)
	}
}

//go:noinline
func poolMember(stop chan struct{}) {
	<-stop
}

// oscillate keeps between 0 and 2 pool goroutines: one more every
// 300 ms up to 2, then back down to 0.
//
//go:noinline
func oscillate() {
	var stops []chan struct{}
	up := true
	for range time.NewTicker(300 * time.Millisecond).C {
		if up {
			c := make(chan struct{})
			stops = append(stops, c)
			go poolMember(c)
			up = len(stops) < 2
		} else {
			close(stops[len(stops)-1])
			stops = stops[:len(stops)-1]
			up = len(stops) == 0
		}
	}
}

func main() {
	leak := flag.Int("leak", 0, "goroutines leaked per second")
	burst := flag.Int("burst", 0, "goroutines leaked at once each second")
	stable := flag.Int("stable", 0, "goroutines like the leaked that stay")
	orph := flag.Int("orphans", 0, "goroutines blocked for good, unreachable")
	ch := flag.Int("churn", 0, "short-lived goroutines per second")
	osc := flag.Bool("oscillate", false, "a pool of 0 to 2 goroutines")
	labels := flag.Bool("labels", false, "label the leaked goroutines")
	pnc := flag.Bool("panic", false, "panic once running")
	parked := flag.Int("parked", 0, "goroutines parked for good")
	flat := flag.Int("flat", 1, "groups of the parked goroutines")
	flag.Parse()

	if *flat < 1 {
		*flat = 1
	}
	for i := 0; i < *parked; i++ {
		go parkDepth(i%*flat, leaked)
	}

	if *leak > 0 || *burst > 0 || *stable > 0 {
		started := make(chan struct{})
		go leaker(*leak, *burst, *stable, *labels, started)
		<-started
	}
	if *ch > 0 {
		go churn(*ch)
	}
	if *osc {
		go oscillate()
	}
	if *pnc {
		time.Sleep(300 * time.Millisecond)
		panic(fmt.Sprintf("leaky: asked to panic with %d leaking", *leak))
	}
	if *orph > 0 {
		orphans(*orph)
	}
	fmt.Printf("ready %d\n", os.Getpid())
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
	}
	close(quit)
}
