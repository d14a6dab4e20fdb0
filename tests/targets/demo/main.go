// Command demo is the program `make demo` points goscope at: a small HTTP
// service on the loopback interface that drives itself with a few requests
// per second.  One handler leaks a goroutine per request (it waits on a
// channel nobody ever writes), so its population grows while the others
// stay flat: exactly what goscope is for.
//
// It prints "ready <pid>" once serving and exits when stdin is closed or
// after -duration.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

type store struct {
	mu    sync.Mutex
	items map[string]int
}

func (s *store) add(k string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[k]++
	return s.items[k]
}

var (
	leaked  = make(chan struct{}) // never closed: the leak
	ticks   = time.NewTicker(time.Hour)
	workers sync.WaitGroup
)

// notifyAudit is the leak: it hands the request to an audit goroutine that
// waits for a consumer that was never started.
func notifyAudit(path string) {
	go func() {
		pprof.Do(context.Background(), pprof.Labels("audit", path),
			func(context.Context) { <-leaked })
	}()
}

func main() {
	duration := flag.Duration("duration", time.Hour, "exit after this long")
	rate := flag.Int("rate", 4, "requests per second")
	flag.Parse()

	st := &store{items: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/items", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, st.add(r.URL.Query().Get("k")))
	})
	mux.HandleFunc("/checkout", func(w http.ResponseWriter, r *http.Request) {
		notifyAudit(r.URL.Path)
		fmt.Fprintln(w, "ok")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)

	// A fixed pool of workers that block on a queue: a stable population.
	queue := make(chan int)
	for i := 0; i < 8; i++ {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for range queue {
			}
		}()
	}

	go drive("http://"+ln.Addr().String(), *rate)
	fmt.Printf("ready %d\n", os.Getpid())

	done := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(*duration):
	}
	srv.Close()
}

// drive sends requests to the service: mostly /items, every fourth one to
// the leaking /checkout.
func drive(base string, rate int) {
	client := &http.Client{Timeout: 2 * time.Second}
	t := time.NewTicker(time.Second / time.Duration(rate))
	for n := 0; ; n++ {
		<-t.C
		path := "/items?k=" + fmt.Sprint(n%5)
		if n%4 == 3 {
			path = "/checkout"
		}
		resp, err := client.Get(base + path)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
}
