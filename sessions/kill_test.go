package sessions

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hark-audio/hark/engine/train"
)

const killEnv = "HARK_SESSIONS_KILL9_FILE"

// TestKill9Child is the recording process of TestKill9: it records epochs until it is killed,
// printing "epoch N" once epoch N's Record has returned.
func TestKill9Child(t *testing.T) {
	path := os.Getenv(killEnv)
	if path == "" {
		t.Skip("the child of TestKill9 (runs only when " + killEnv + " is set)")
	}
	rec, err := NewRecorder(path, Meta{Name: "kill -9"})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	events, res, _ := fakeTrain("doomed", testSpec(1, 32))
	if err := rec.Record(events[0]); err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	ep := events[2].(train.EpochDone)
	stop := time.Now().Add(30 * time.Second) // never outlive a parent that failed to kill us
	for e := 1; time.Now().Before(stop); e++ {
		ep.Epoch, ep.Epochs = e, 100000
		ep.ValLoss = 1 / float64(e)
		if e%5 == 0 { // some bulk, so that a write takes a while
			if err := rec.Record(train.EvalDone{Header: ep.Header, Split: "val", Result: res}); err != nil {
				fmt.Println("error", err)
				os.Exit(3)
			}
		}
		if err := rec.Record(ep); err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		fmt.Printf("epoch %d\n", e)
	}
	os.Exit(4)
}

// TestKill9 kills a recording process with SIGKILL at various moments: every time, the file
// reads back without error and holds every epoch the process had finished recording.
func TestKill9(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("needs processes and SIGKILL")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	for trial, target := range []int{1, 7, 40, 41, 42} {
		path := filepath.Join(dir, fmt.Sprintf("kill%d.json", trial))
		cmd := exec.Command(exe, "-test.run=^TestKill9Child$", "-test.count=1")
		cmd.Env = append(os.Environ(), killEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		seen := 0
		sc := bufio.NewScanner(out)
		deadline := time.Now().Add(60 * time.Second)
		for seen < target && sc.Scan() && time.Now().Before(deadline) {
			line := sc.Text()
			if strings.HasPrefix(line, "error") {
				t.Fatalf("child: %s", line)
			}
			if n, ok := strings.CutPrefix(line, "epoch "); ok {
				seen, _ = strconv.Atoi(n)
			}
		}
		// Kill at a different moment each time: at once, or in the middle of later writes.
		time.Sleep(time.Duration(trial*trial) * 150 * time.Microsecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		if seen < target {
			t.Fatalf("trial %d: the child reported only %d epochs", trial, seen)
		}
		s, err := Read(path)
		if err != nil {
			t.Fatalf("trial %d (killed after epoch %d): %v", trial, seen, err)
		}
		r := s.Run("doomed")
		if r == nil || !r.Interrupted() {
			t.Fatalf("trial %d: run %+v", trial, r)
		}
		eps := r.Epochs()
		if len(eps) < seen {
			t.Fatalf("trial %d: %d epochs in the file, %d were recorded before the kill", trial, len(eps), seen)
		}
		for i, e := range eps {
			if e.Epoch != i+1 || e.ValLoss != 1/float64(i+1) {
				t.Fatalf("trial %d: epoch %d is %+v", trial, i+1, e)
			}
		}
		if last, _ := r.ResumePoint(); last != len(eps) {
			t.Fatalf("resume point %d", last)
		}
		t.Logf("trial %d: killed after epoch %d was reported; the file holds %d epochs", trial, seen, len(eps))
	}
}
