//go:build cgo

package main

/*
#include <unistd.h>

// goscope_block_in_c blocks the calling thread for good in a read on a
// pipe whose write end stays open; interrupted reads are retried.
static void goscope_block_in_c(void)
{
	int p[2];
	char c;
	volatile ssize_t r;

	if (pipe(p) != 0)
		for (;;)
			sleep(3600);
	for (;;)
		r = read(p[0], &c, 1);
	(void)r;
}
*/
import "C"

// startCgoBlocker starts one goroutine that sits inside a C function.
func startCgoBlocker() {
	spawned.Add(1)
	go parkInC()
}

//go:noinline
func parkInC() {
	arrive()
	C.goscope_block_in_c()
}
