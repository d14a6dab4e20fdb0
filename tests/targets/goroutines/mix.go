// The benchmark population (-mix N): N goroutines shaped like a leaking
// service rather than N copies of one stack.  Goroutine i parks in one of
// eight ways (channel receive and send, select, Mutex, RWMutex, WaitGroup,
// Cond, Sleep) at the bottom of a recursion of 3 + i%15 frames whose
// arguments carry i (so every goroutine's argument text is unique), which
// gives 6-20 frames per stack and 120 distinct stacks; every fourth one runs
// under pprof.Do with a label whose value is unique to it.
//
// The flag is registered here and acts while main parses its flags, so
// main.go's line numbers (which golden files name) do not move: the
// goroutines count in spawned/arrived and settle() waits for them.
package main

import (
	"context"
	"flag"
	"runtime/pprof"
	"strconv"
	"sync"
	"time"
)

var (
	mixRecv  = make(chan int)
	mixSend  = make(chan int)
	mixMu    sync.Mutex
	mixRW    sync.RWMutex
	mixWG    sync.WaitGroup
	mixCondL sync.Mutex
	mixCond  = sync.NewCond(&mixCondL)
)

func init() {
	flag.Func("mix", "start `N` goroutines of the benchmark shape",
		func(s string) error {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return err
			}
			startMix(n)
			return nil
		})
}

func startMix(n int) {
	mixMu.Lock()
	mixRW.RLock()
	mixWG.Add(1)
	for i := 0; i < n; i++ {
		spawned.Add(1)
		go mixWorker(i, i%8, 3+i%15)
	}
}

//go:noinline
func mixWorker(id, kind, depth int) {
	if id%4 != 0 {
		mixDescend(id, kind, depth)
		return
	}
	labels := pprof.Labels("request", "r"+strconv.Itoa(id),
		"kind", strconv.Itoa(kind))
	pprof.Do(context.Background(), labels, func(context.Context) {
		mixDescend(id, kind, depth)
	})
}

//go:noinline
func mixDescend(id, kind, depth int) int {
	if depth > 0 {
		return mixDescend(id, kind, depth-1) + 1
	}
	return mixPark(id, kind)
}

//go:noinline
func mixPark(id, kind int) int {
	arrive()
	switch kind {
	case 0:
		return <-mixRecv
	case 1:
		mixSend <- id
	case 2:
		select {
		case <-mixRecv:
		case mixSend <- id:
		}
	case 3:
		mixMu.Lock()
	case 4:
		mixRW.Lock()
	case 5:
		mixWG.Wait()
	case 6:
		mixCondL.Lock()
		for {
			mixCond.Wait()
		}
	default:
		time.Sleep(1000 * time.Hour)
	}
	return id
}
