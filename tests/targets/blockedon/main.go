// Command blockedon parks goroutines on known objects: channels
// (unbuffered, buffered full and empty, select over several, nil), a
// sync.Mutex, an RWMutex (readers and a writer waiting), a WaitGroup, a
// Cond, a Mutex and a Cond on the heap, and network reads on loopback
// sockets.  When every one of them is
// parked it writes what it knows about those objects (addresses from the
// program itself, len/cap, waiter counts, file descriptors) to the file
// named by its argument, prints "ready PID" and waits for stdin to close.
//
// Ground truth lines (space separated):
//
//	chan NAME ADDR ELEMTYPE LEN CAP RECEIVERS SENDERS
//	nilchan NAME RECEIVERS SENDERS
//	sema NAME ADDR SYMBOL WAITERS       (SYMBOL is main.var+OFFSET, or
//	                                     null for an object on the heap)
//	cond NAME ADDR SYMBOL WAITERS
//	fd NAME FD WAITERS
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

type point struct{ X, Y int64 }

var (
	unbufRecv = make(chan int)
	unbufSend = make(chan string)
	fullBuf   = make(chan [2]int64, 4)
	emptyBuf  = make(chan *point, 8)
	selA      = make(chan struct{})
	selB      = make(chan error, 2)
	selC      = make(chan uint8)
	nilChan   chan int

	gmu   sync.Mutex
	grw   sync.RWMutex
	grw2  sync.RWMutex
	gwg   sync.WaitGroup
	gcmu  sync.Mutex
	gcond = sync.Cond{L: &gcmu}
)

// fieldOffset finds the first field named one of names, depth first, in
// t and the structs it contains, and returns its offset in t.
func fieldOffset(t reflect.Type, names ...string) (uintptr, bool) {
	if t.Kind() != reflect.Struct {
		return 0, false
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		for _, n := range names {
			if f.Name == n {
				return f.Offset, true
			}
		}
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if off, ok := fieldOffset(f.Type, names...); ok {
			return f.Offset + off, true
		}
	}
	return 0, false
}

func semaLine(out *strings.Builder, kind, name string, v interface{}, base unsafe.Pointer, waiters int, names ...string) {
	off, ok := fieldOffset(reflect.TypeOf(v).Elem(), names...)
	if !ok {
		panic("no field " + strings.Join(names, "/") + " in " + name)
	}
	fmt.Fprintf(out, "%s %s %#x main.%s+%d %d\n", kind, name,
		uintptr(base)+off, name, off, waiters)
}

// heapLine is semaLine for an object on the heap: no symbol names it.
func heapLine(out *strings.Builder, kind, name string, v interface{}, base unsafe.Pointer, waiters int, names ...string) {
	off, ok := fieldOffset(reflect.TypeOf(v).Elem(), names...)
	if !ok {
		panic("no field " + strings.Join(names, "/") + " in " + name)
	}
	fmt.Fprintf(out, "%s %s %#x null %d\n", kind, name, uintptr(base)+off,
		waiters)
}

func chanLine(out *strings.Builder, name string, ch interface{}, recv, send int) {
	v := reflect.ValueOf(ch)
	fmt.Fprintf(out, "chan %s %#x %s %d %d %d %d\n", name, v.Pointer(),
		strings.ReplaceAll(v.Type().Elem().String(), " ", "_"),
		v.Len(), v.Cap(), recv, send)
}

// parked counts the goroutines whose header names state, or with state
// "" those that wait (neither running nor runnable).
func parked(state string) int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, line := range strings.Split(string(buf), "\n") {
		if !strings.HasPrefix(line, "goroutine ") {
			continue
		}
		if state != "" && strings.Contains(line, state) ||
			state == "" && !strings.Contains(line, "[running") &&
				!strings.Contains(line, "[runnable") {
			n++
		}
	}
	return n
}

func fdOf(c interface {
	SyscallConn() (syscall.RawConn, error)
}) int {
	rc, err := c.SyscallConn()
	if err != nil {
		panic(err)
	}
	fd := -1
	rc.Control(func(f uintptr) { fd = int(f) })
	return fd
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: blockedon TRUTH-FILE")
		os.Exit(2)
	}
	fullBuf <- [2]int64{1, 2}
	fullBuf <- [2]int64{3, 4}
	fullBuf <- [2]int64{5, 6}
	fullBuf <- [2]int64{7, 8}
	gmu.Lock()
	grw.Lock()
	grw2.RLock()
	gwg.Add(1)

	want := 0
	spawn := func(n int, f func()) {
		for i := 0; i < n; i++ {
			go f()
		}
		want += n
	}
	spawn(3, func() { <-unbufRecv })
	spawn(2, func() { unbufSend <- "x" })
	spawn(2, func() { fullBuf <- [2]int64{} })
	spawn(3, func() { <-emptyBuf })
	spawn(2, func() {
		select {
		case <-selA:
		case <-selB:
		}
	})
	spawn(1, func() {
		select {
		case selC <- 1:
		case <-selA:
		}
	})
	spawn(2, func() { <-nilChan })
	spawn(1, func() { nilChan <- 1 })
	spawn(3, func() { gmu.Lock() })
	spawn(2, func() { grw.RLock() })
	// The writer must queue before any reader of grw2 would.
	spawn(1, func() { grw2.Lock() })
	spawn(2, func() { gwg.Wait() })
	spawn(2, func() {
		gcmu.Lock()
		gcond.Wait()
		gcmu.Unlock()
	})

	// A Mutex and a Cond on the heap (no symbol names them).
	hmu := new(sync.Mutex)
	hmu.Lock()
	hcond := sync.NewCond(new(sync.Mutex))
	spawn(2, func() { hmu.Lock() })
	spawn(3, func() {
		hcond.L.Lock()
		hcond.Wait()
		hcond.L.Unlock()
	})

	// Network: one goroutine in Accept, one in Read.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	idle, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		panic(err)
	}
	server, err := ln.Accept()
	if err != nil {
		panic(err)
	}
	spawn(1, func() { server.Read(make([]byte, 16)) })
	spawn(1, func() { idle.Accept() })

	// Every goroutine parked, and the Cond waiters on the notify list
	// (not on the Cond's lock on the way there).
	for parked("") < want || parked("[sync.Cond.Wait") < 5 {
		time.Sleep(10 * time.Millisecond)
	}

	var out strings.Builder
	chanLine(&out, "unbufRecv", unbufRecv, 3, 0)
	chanLine(&out, "unbufSend", unbufSend, 0, 2)
	chanLine(&out, "fullBuf", fullBuf, 0, 2)
	chanLine(&out, "emptyBuf", emptyBuf, 3, 0)
	chanLine(&out, "selA", selA, 3, 0)
	chanLine(&out, "selB", selB, 2, 0)
	chanLine(&out, "selC", selC, 0, 1)
	fmt.Fprintf(&out, "nilchan nilChan 2 1\n")
	semaLine(&out, "sema", "gmu", &gmu, unsafe.Pointer(&gmu), 3, "sema")
	semaLine(&out, "sema", "grw", &grw, unsafe.Pointer(&grw), 2, "readerSem")
	semaLine(&out, "sema", "grw2", &grw2, unsafe.Pointer(&grw2), 1, "writerSem")
	semaLine(&out, "sema", "gwg", &gwg, unsafe.Pointer(&gwg), 2, "sema", "state2")
	semaLine(&out, "cond", "gcond", &gcond, unsafe.Pointer(&gcond), 2, "notify")
	heapLine(&out, "sema", "hmu", hmu, unsafe.Pointer(hmu), 2, "sema")
	heapLine(&out, "cond", "hcond", hcond, unsafe.Pointer(hcond), 3, "notify")
	fmt.Fprintf(&out, "fd server %d 1\n", fdOf(server.(*net.TCPConn)))
	fmt.Fprintf(&out, "fd idle %d 1\n", fdOf(idle.(*net.TCPListener)))
	if err := os.WriteFile(os.Args[1], []byte(out.String()), 0o644); err != nil {
		panic(err)
	}
	fmt.Printf("ready %d\n", os.Getpid())
	bufio.NewReader(os.Stdin).ReadString('\n')
	client.Close()
}
