//go:build !cgo

package main

// startCgoBlocker: without cgo there is no goroutine blocked in C.
func startCgoBlocker() {}
