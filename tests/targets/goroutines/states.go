// One stack, two wait reasons (-states N): N goroutines receive at the
// same line, two thirds of them from a channel nobody sends on ("chan
// receive"), the rest from a nil channel ("chan receive (nil chan)"), so
// that merging the states of one stack has something to merge.
//
// The flag is registered here and acts while main parses its flags, so
// main.go's line numbers (which golden files name) do not move.
package main

import (
	"flag"
	"strconv"
)

func init() {
	flag.Func("states", "start `N` goroutines on one stack in two states",
		func(s string) error {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return err
			}
			startStates(n)
			return nil
		})
}

func startStates(n int) {
	for i := 0; i < n; i++ {
		var c chan int
		if i%3 != 2 {
			c = never
		}
		spawned.Add(1)
		go parkEitherChan(c)
	}
}

//go:noinline
func parkEitherChan(c chan int) int {
	arrive()
	return <-c
}
