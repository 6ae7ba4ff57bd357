package main

import (
	"os"
	"runtime/pprof"
)

// startCPUProfile writes a CPU profile of the rest of the command to path
// (read with `go tool pprof`); stop ends it and closes the file.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, refusalOf(err, "profile")
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, refusalOf(err, "profile")
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
