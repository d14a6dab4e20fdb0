// Command layoutprobe is the program 'make layouts' builds with each Go
// toolchain: its DWARF describes that release's runtime structures, which
// tests/tools/genlayouts turns into goruntime/layout_tables.c.
package main

import "os"

func main() {
	os.Exit(0)
}
