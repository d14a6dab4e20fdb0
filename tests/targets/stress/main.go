// Command stress is the target of `make stress`: a Go program that keeps
// changing while goscope attaches to it over and over.  Goroutines are
// created and exit, their stacks grow and shrink, the garbage collector
// runs, threads are created and end (LockOSThread without unlock), the
// process forks and execs children, and a 1 ms heartbeat records the
// largest gap between its ticks: how long the process was held still.
//
// It prints "ready PID" and then answers lines on stdin:
//
//	gap    reply "gap <largest tick gap in µs since the last gap>"
//
// It exits when stdin closes, or after -exit-after.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync/atomic"
	"time"
)

var (
	maxGap atomic.Int64
	sink   atomic.Int64
)

func heartbeat() {
	last := time.Now()
	for {
		time.Sleep(time.Millisecond)
		now := time.Now()
		gap := now.Sub(last).Microseconds()
		for {
			old := maxGap.Load()
			if gap <= old || maxGap.CompareAndSwap(old, gap) {
				break
			}
		}
		last = now
	}
}

// grow recurses with a large frame so the stack is copied as it grows.
func grow(n int) int64 {
	var pad [256]byte
	pad[n%256] = byte(n)
	if n == 0 {
		time.Sleep(time.Duration(n%3) * time.Millisecond)
		return int64(pad[0])
	}
	return grow(n-1) + int64(pad[n%256])
}

func churn(id int) {
	for i := 0; ; i++ {
		done := make(chan struct{})
		go func(d int) {
			sink.Add(grow(d))
			close(done)
		}(50 + (i*37+id)%2000)
		<-done
		if i%50 == 0 {
			buf := make([]byte, 1<<20)
			sink.Add(int64(len(buf)))
		}
	}
}

// threads makes a thread that ends: a locked goroutine that exits
// without unlocking takes its thread with it.
func threads() {
	for {
		done := make(chan struct{})
		go func() {
			runtime.LockOSThread()
			time.Sleep(2 * time.Millisecond)
			close(done)
		}()
		<-done
		time.Sleep(5 * time.Millisecond)
	}
}

func forks() {
	for {
		_ = exec.Command("/bin/true").Run()
		time.Sleep(20 * time.Millisecond)
	}
}

func collect() {
	for {
		time.Sleep(30 * time.Millisecond)
		runtime.GC()
	}
}

func main() {
	exitAfter := flag.Duration("exit-after", 0, "exit after this long")
	flag.Parse()
	go heartbeat()
	for i := 0; i < 4; i++ {
		go churn(i)
	}
	go threads()
	go forks()
	go collect()
	for i := 0; i < 200; i++ {
		go func() { select {} }()
	}
	if *exitAfter > 0 {
		time.AfterFunc(*exitAfter, func() { os.Exit(0) })
	}
	fmt.Printf("ready %d\n", os.Getpid())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() == "gap" {
			fmt.Printf("gap %d\n", maxGap.Swap(0))
		}
	}
}
