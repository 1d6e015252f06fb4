package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hark-audio/hark/engine/train"
)

// TestTrainResumeMatchesUninterrupted stops a real run with Ctrl-C once its first checkpoint
// exists, resumes it with --resume, and compares the final numbers with those of the same spec
// trained without a break: they must be identical.
func TestTrainResumeMatchesUninterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model three times")
	}
	data := demoData(t)
	args := []string{"--data", data, "--layout", "folders", "--split", "random:0.5,0.25,0.25",
		"--features", "mfcc:n_mfcc=13,n_fft=256,hop=128", "--model", "mlp", "--epochs", "8", "--batch", "4",
		"--threads", "1", "--json"}
	env := trainEnv{start: train.Start, resume: train.Resume}

	whole := filepath.Join(t.TempDir(), "whole")
	code, wantOut, errs := trainRun(t, env, append(args, "--out", whole)...)
	if code != exitOK {
		t.Fatalf("uninterrupted run: exit %d\n%s", code, errs)
	}

	broken := filepath.Join(t.TempDir(), "broken")
	interrupt := make(chan os.Signal, 1)
	go func() {
		for deadline := time.Now().Add(liveness); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if _, err := os.Stat(filepath.Join(broken, "checkpoint.json")); err == nil {
				interrupt <- os.Interrupt
				return
			}
		}
	}()
	stopped := env
	stopped.interrupt = interrupt
	code, _, errs = trainRun(t, stopped, append(args, "--out", broken)...)
	t.Logf("interrupted run: exit %d, %d epochs", code, strings.Count(errs, "\nepoch "))
	if code != exitInterrupted && code != exitOK {
		t.Fatalf("interrupted run: exit %d\n%s", code, errs)
	}

	code, gotOut, errs := trainRun(t, env, "--resume", broken, "--json")
	if code != exitOK {
		t.Fatalf("--resume: exit %d\n%s", code, errs)
	}
	var want, got map[string]any
	if err := json.Unmarshal([]byte(wantOut), &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(gotOut), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"metrics", "confusion", "report", "epochs", "best_epoch"} {
		if !reflect.DeepEqual(want[k], got[k]) {
			t.Errorf("%s: resumed %v, uninterrupted %v", k, got[k], want[k])
		}
	}

	if code, _, errs := trainRun(t, env, "--resume", broken, "--epochs", "3"); code != exitUsage || !strings.Contains(errs, "--epochs") {
		t.Errorf("--resume with --epochs: exit %d, %q", code, errs)
	}
	if code, _, errs := trainRun(t, env, "--resume", t.TempDir()); code != exitUser || !strings.Contains(errs, "--resume") {
		t.Errorf("--resume of a folder without checkpoints: exit %d, %q", code, errs)
	}
}
