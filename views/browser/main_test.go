package browser

import (
	"fmt"
	"os"
	"testing"

	"github.com/hark-audio/hark/engine/demo"
)

// demoRoot is one small demo dataset (4 clips of 1 s per class, seed 1, as tuitest.DemoDir
// makes) shared by every test of the package, which only read it: generating it for each test
// would cost most of the package's test time.
var demoRoot string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hark-browser-demo-")
	if err == nil {
		_, err = demo.Generate(dir, demo.Options{Seed: 1, PerClass: 4, Seconds: 1})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo dataset:", err)
		os.Exit(1)
	}
	demoRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
