package browser

import (
	"os"
	"testing"

	"github.com/hark-audio/hark/views/tuitest"
)

// demoRoot is one small demo dataset (4 clips of 1 s per class, seed 1, as tuitest.DemoDir
// makes) shared by every test of the package, which only read it: generating it for each test
// would cost most of the package's test time.
var demoRoot string

func TestMain(m *testing.M) { os.Exit(tuitest.RunWithDemo(m, &demoRoot)) }
