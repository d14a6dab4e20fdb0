//go:build cgo

package main

// static int goscope_answer(void) { return 42; }
import "C"

import "strconv"

func cgoNote() string { return "cgo:" + strconv.Itoa(int(C.goscope_answer())) }
