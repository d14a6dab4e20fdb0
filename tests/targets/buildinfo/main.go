// Command buildinfo-target is a small Go program whose build provenance the
// tests read.  With -wait it prints "ready <pid>" and blocks until stdin is
// closed, so a test can inspect the running process and then end it.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// version is set with -ldflags=-X to make builds differ.
var version = "dev"

func main() {
	wait := flag.Bool("wait", false, "print ready and wait for stdin EOF")
	flag.Parse()
	if !*wait {
		bi, ok := debug.ReadBuildInfo()
		fmt.Println(version, ok && bi != nil, cgoNote())
		return
	}
	fmt.Printf("ready %d\n", os.Getpid())
	io.Copy(io.Discard, os.Stdin)
}
