// Command goroutines-target is the program the goroutine-dump tests point
// goscope at.  It starts goroutines parked in many different ways, each with
// a distinctive stack (inlined helpers, closures, generics, method values,
// pprof labels, deep recursion, goroutines started by goroutines, a
// goroutine inside C under cgo), plus -n identical parked goroutines for
// the benchmarks, a busy goroutine and a 1 ms heartbeat that records the
// largest gap between its ticks.
//
// Once everything is parked it prints "ready <pid>" and then reads commands
// from stdin, one per line:
//
//	dump PATH   write the debug=2 goroutine dump to PATH; reply "dumped"
//	dump1 PATH  the same with the debug=1 profile (counts, labels)
//	gap         reply "gap <largest tick gap in µs since the last gap>"
//	quit        exit 0
//
// and exits 0 at EOF.  The goroutine that serves these commands is the main
// goroutine; its stack always contains main.serveCommands, which is how the
// comparator (tests/tools/dumpcmp) recognises and excludes it.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var (
	// spawned counts the long-lived goroutines started so far; arrived
	// counts those that reached the point just before they block (or, for
	// the busy loop and the heartbeat, just before their loop).
	spawned atomic.Int64
	arrived atomic.Int64

	// never is never sent on nor closed: receivers stay parked.
	never = make(chan int)
	// noReceiver is never received from: senders stay parked.
	noReceiver = make(chan int)
	// extraPark is where the -n goroutines park.
	extraPark = make(chan int)

	heldMu   sync.Mutex   // locked by setup, never unlocked
	heldRW   sync.RWMutex // read-locked by setup, never unlocked
	condMu   sync.Mutex
	cond     = sync.NewCond(&condMu)
	neverWG  sync.WaitGroup // Add(1) by setup, never Done
	busySink atomic.Int64

	maxGap atomic.Int64 // largest heartbeat gap in µs since last reset

	// keep holds objects (conns, pipes) that must not be collected.
	keep []interface{}
)

// arrive records that the calling goroutine is about to block.
func arrive() { arrived.Add(1) }

// recvLeaf is a small leaf helper that the compiler inlines into its
// callers, so the dumps show an inlined frame (no +0x offset) above them.
func recvLeaf(c chan int) int { return <-c }

// sendLeaf is the inlinable counterpart of recvLeaf for sends.
func sendLeaf(c chan int, v int) { c <- v }

//go:noinline
func parkChanRecv() {
	arrive()
	recvLeaf(never)
}

//go:noinline
func parkChanSend() {
	arrive()
	sendLeaf(noReceiver, 42)
}

//go:noinline
func parkNilChanRecv() {
	var c chan int
	arrive()
	<-c
}

//go:noinline
func parkSelectCases() {
	arrive()
	select {
	case <-never:
	case noReceiver <- 1:
	}
}

//go:noinline
func parkSelectNoCases() {
	arrive()
	select {}
}

//go:noinline
func parkMutexLock() {
	arrive()
	heldMu.Lock()
}

//go:noinline
func parkRWMutexLock() {
	arrive()
	heldRW.Lock()
}

//go:noinline
func parkRWMutexLockBehindWriter() {
	arrive()
	heldRW.Lock()
}

//go:noinline
func parkRWMutexRLock() {
	arrive()
	heldRW.RLock()
}

//go:noinline
func parkWaitGroup() {
	arrive()
	neverWG.Wait()
}

//go:noinline
func parkCondWait() {
	condMu.Lock()
	arrive()
	for {
		cond.Wait()
	}
}

//go:noinline
func parkSleep() {
	arrive()
	time.Sleep(1000 * time.Hour)
}

//go:noinline
func parkTimer() {
	t := time.NewTimer(1000 * time.Hour)
	arrive()
	<-t.C
}

//go:noinline
func parkTCPRead(c net.Conn) {
	var b [1]byte
	arrive()
	c.Read(b[:])
}

//go:noinline
func parkTCPAccept(ln net.Listener) {
	arrive()
	ln.Accept()
}

//go:noinline
func parkPipeRead(r *os.File) {
	var b [1]byte
	arrive()
	r.Read(b[:])
}

// busyLoop never blocks: its state is running or runnable and its PC
// changes all the time, so the comparator treats it as volatile.
//
//go:noinline
func busyLoop() {
	arrive()
	for {
		busySink.Add(1)
	}
}

//go:noinline
func parkLockedThread() {
	runtime.LockOSThread()
	arrive()
	recvLeaf(never)
}

// deepA and deepB recurse into each other to depth n, then block: with
// more than 100 frames the traceback elides the middle (1.21+) or the
// tail (older).
//
//go:noinline
func deepA(n int) int {
	if n == 0 {
		arrive()
		return recvLeaf(never)
	}
	return deepB(n-1) + 1
}

//go:noinline
func deepB(n int) int {
	if n == 0 {
		arrive()
		return recvLeaf(never)
	}
	return deepA(n-1) + 1
}

// deepSleep recurses to depth n and sleeps.  Its shape is chosen for the
// pre-1.21 traceback, which stops after 100 physical frames but prints
// "...additional frames elided..." only when it printed exactly 100 frames
// (inlined ones included, hidden runtime ones not): here gopark (hidden),
// time.Sleep, 98 deepSleep frames and the inlined sleepLeaf make exactly
// 100.  With deepA/deepB (3 hidden frames) the marker does not appear.
//
//go:noinline
func deepSleep(n int) int {
	if n == 0 {
		arrive()
		sleepLeaf()
		return 0
	}
	return deepSleep(n-1) + 1
}

func sleepLeaf() { time.Sleep(1000 * time.Hour) }

// parkGeneric is a generic function that does not get inlined; first is a
// generic one that does.
//
//go:noinline
func parkGeneric[T any](c chan T) T {
	arrive()
	return first(c)
}

func first[T any](c chan T) T { return <-c }

// box is a generic type with a method that blocks.
type box[T any] struct{ c chan T }

//go:noinline
func (b *box[T]) wait() T {
	arrive()
	return <-b.c
}

// waiter provides a method value for a go statement.
type waiter struct {
	name string
	c    chan int
}

//go:noinline
func (w *waiter) wait() {
	arrive()
	recvLeaf(w.c)
}

//go:noinline
func parkLabelled() {
	ctx := context.Background()
	pprof.Do(ctx, pprof.Labels("goscope", "labelled"),
		func(context.Context) {
			arrive()
			recvLeaf(never)
		})
}

// spawnerParent starts a child and then parks itself, so the child's
// "created by" names a goroutine that is still in the dump.
//
//go:noinline
func spawnerParent() {
	spawned.Add(1)
	go spawnerChild()
	arrive()
	recvLeaf(never)
}

//go:noinline
func spawnerChild() {
	arrive()
	recvLeaf(never)
}

// launcher starts an orphan and exits; it is not counted as long-lived.
//
//go:noinline
func launcher(done chan<- struct{}) {
	spawned.Add(1)
	go func() {
		arrive()
		recvLeaf(never)
	}()
	close(done)
}

// The -n goroutines: 7 frames shown (two of them inlined) under 3 hidden
// runtime frames, all parked on the same channel.
//
//go:noinline
func extraWorker(id int) {
	extraDispatch(id)
}

//go:noinline
func extraDispatch(id int) int {
	return extraOuter(id) - 1
}

//go:noinline
func extraOuter(id int) int {
	return extraMiddle(id) + 1
}

func extraMiddle(id int) int { return extraStep(id) * 2 }

//go:noinline
func extraStep(id int) int {
	return extraInner(id) + 3
}

//go:noinline
func extraInner(id int) int {
	if id < 0 {
		return 0
	}
	arrive()
	return recvLeaf(extraPark)
}

// heartbeat ticks every millisecond and records the largest gap seen.
//
//go:noinline
func heartbeat() {
	t := time.NewTicker(time.Millisecond)
	last := time.Now()
	arrive()
	for range t.C {
		now := time.Now()
		g := now.Sub(last).Microseconds()
		last = now
		for {
			old := maxGap.Load()
			if g <= old || maxGap.CompareAndSwap(old, g) {
				break
			}
		}
	}
}

func main() {
	n := flag.Int("n", 0, "extra identical parked goroutines")
	flag.Parse()

	heldMu.Lock()
	heldRW.RLock()
	neverWG.Add(1)

	for _, f := range []func(){
		heartbeat, busyLoop, parkChanRecv, parkChanSend,
		parkNilChanRecv, parkSelectCases, parkSelectNoCases,
		parkMutexLock, parkWaitGroup, parkCondWait, parkSleep,
		parkTimer, parkLockedThread, parkLabelled, spawnerParent,
	} {
		spawned.Add(1)
		go f()
	}

	// A writer waits for the setup's read lock; once it is pending new
	// readers block too, and a second writer blocks on the writers' mutex.
	spawned.Add(1)
	go parkRWMutexLock()
	for heldRW.TryRLock() {
		heldRW.RUnlock()
		time.Sleep(time.Millisecond)
	}
	spawned.Add(2)
	go parkRWMutexRLock()
	go parkRWMutexLockBehindWriter()

	spawned.Add(1)
	go deepA(150)
	spawned.Add(1)
	go deepSleep(130)

	strs := make(chan string)
	spawned.Add(1)
	go parkGeneric(strs)
	b := &box[[]byte]{c: make(chan []byte)}
	spawned.Add(1)
	go b.wait()
	w := &waiter{name: "method value", c: never}
	wait := w.wait
	spawned.Add(2)
	go wait()
	go func() {
		arrive()
		first(never)
	}()

	done := make(chan struct{})
	go launcher(done)
	<-done

	startNetwork()
	startPipe()
	startCgoBlocker()

	for i := 0; i < *n; i++ {
		spawned.Add(1)
		go extraWorker(i)
	}

	settle()
	fmt.Printf("ready %d\n", os.Getpid())
	serveCommands(os.Stdin, os.Stdout)
}

// startNetwork parks one goroutine in Accept and one in Read on the server
// side of a loopback TCP connection.
func startNetwork() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: %v", err)
	}
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		fail("dial: %v", err)
	}
	server, err := ln.Accept()
	if err != nil {
		fail("accept: %v", err)
	}
	keep = append(keep, ln, client, server)
	spawned.Add(1)
	go parkTCPRead(server)
	spawned.Add(1)
	go parkTCPAccept(ln)
}

// startPipe parks one goroutine reading an os.Pipe nobody writes to.
func startPipe() {
	r, w, err := os.Pipe()
	if err != nil {
		fail("pipe: %v", err)
	}
	keep = append(keep, r, w)
	spawned.Add(1)
	go parkPipeRead(r)
}

// settle waits until every long-lived goroutine exists and has reached its
// blocking point, then gives them time to actually park.
func settle() {
	deadline := time.Now().Add(20 * time.Second)
	for {
		want := spawned.Load()
		if arrived.Load() == want &&
			int64(runtime.NumGoroutine()) == want+1 {
			break
		}
		if time.Now().After(deadline) {
			fail("not settled: %d goroutines, %d spawned, %d arrived",
				runtime.NumGoroutine(), want, arrived.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
}

// serveCommands runs the stdin protocol on the main goroutine.  Every stack
// of that goroutine contains this function, which the comparator excludes.
//
//go:noinline
func serveCommands(in io.Reader, out io.Writer) {
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		cmd, arg, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		switch cmd {
		case "dump":
			if err := writeDump(arg); err != nil {
				fmt.Fprintf(out, "error %v\n", err)
			} else {
				fmt.Fprintln(out, "dumped")
			}
		case "dump1":
			if err := writeProfile(arg, 1); err != nil {
				fmt.Fprintf(out, "error %v\n", err)
			} else {
				fmt.Fprintln(out, "dumped")
			}
		case "gap":
			fmt.Fprintf(out, "gap %d\n", maxGap.Swap(0))
		case "quit":
			os.Exit(0)
		case "":
		default:
			fmt.Fprintf(out, "error unknown command %q\n", cmd)
		}
	}
}

func writeDump(path string) error {
	if path == "" {
		return fmt.Errorf("dump needs a path")
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("goroutine").WriteTo(f, 2); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeProfile writes the goroutine profile at the given debug level
// (1: counts per stack with "# labels:") to path.
func writeProfile(path string, debug int) error {
	if path == "" {
		return fmt.Errorf("dump1 needs a path")
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("goroutine").WriteTo(f, debug); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "goroutines-target: "+format+"\n", args...)
	os.Exit(1)
}
