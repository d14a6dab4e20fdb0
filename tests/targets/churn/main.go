// Command churn-target is the program the capture-churn tests point goscope
// at: -n worker goroutines that never stop waking and parking again, at two
// places with different stack shapes:
//
//	shape A: main.parkA <- main.deepA2 <- main.deepA1 <- main.worker
//	shape B: main.parkB <- main.worker
//
// Driver goroutines wake them round after round (a send on the worker's
// channel for A, then for B).  A capture that copied a worker's stack while
// it ran could show any other stack; a correct one shows every parked
// worker (status "chan receive") in exactly one of the two shapes.
//
// It prints "ready <pid>" once every worker has parked once, reports
// "rounds <N>" (rounds the drivers completed) for the command "rounds",
// and exits at EOF on stdin or on "quit".
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
)

var rounds atomic.Int64

//go:noinline
func parkA(c chan struct{}) { <-c }

//go:noinline
func deepA2(c chan struct{}) { parkA(c) }

//go:noinline
func deepA1(c chan struct{}) { deepA2(c) }

//go:noinline
func parkB(c chan struct{}) { <-c }

// worker parks at shape A, then at shape B, forever.
func worker(a, b chan struct{}, parked *atomic.Int64) {
	first := true
	for {
		if first {
			parked.Add(1)
			first = false
		}
		deepA1(a)
		parkB(b)
	}
}

// driver wakes its workers in turn, forever.
func driver(as, bs []chan struct{}) {
	for {
		for i := range as {
			as[i] <- struct{}{}
		}
		for i := range bs {
			bs[i] <- struct{}{}
		}
		rounds.Add(1)
	}
}

// startWorkers starts n workers ("created by main.startWorkers") and
// their drivers.
func startWorkers(n int, parked *atomic.Int64) {
	as := make([]chan struct{}, n)
	bs := make([]chan struct{}, n)
	for i := 0; i < n; i++ {
		as[i] = make(chan struct{})
		bs[i] = make(chan struct{})
		go worker(as[i], bs[i], parked)
	}
	startDrivers(as, bs)
}

// startDrivers starts one driver per 16 workers ("created by
// main.startDrivers").
func startDrivers(as, bs []chan struct{}) {
	n := len(as)
	for i := 0; i < n; i += 16 {
		j := i + 16
		if j > n {
			j = n
		}
		go driver(as[i:j], bs[i:j])
	}
}

func main() {
	n := flag.Int("n", 200, "worker goroutines")
	flag.Parse()
	var parked atomic.Int64
	startWorkers(*n, &parked)
	for parked.Load() < int64(*n) {
		// Every worker has started its loop.
		runtime.Gosched()
	}
	fmt.Printf("ready %d\n", os.Getpid())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch in.Text() {
		case "rounds":
			fmt.Printf("rounds %d\n", rounds.Load())
		case "quit":
			return
		}
	}
}
