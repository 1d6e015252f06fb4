package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/sessions"
)

// replayFixture records a one-run session with made-up numbers and returns its path and what
// a faithful runner returns.
func replayFixture(t *testing.T) (string, *train.Result, []train.EpochDone) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.json")
	rec, err := sessions.NewRecorder(path, sessions.Meta{Name: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	spec := train.RunSpec{Version: train.SpecVersion, Seed: 1}
	spec.Dataset.Spec.Root = "/data/demo"
	spec.Model.Preset = "kws-cnn"
	h := train.Header{Run: "r1", Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var epochs []train.EpochDone
	rec.Record(train.RunStarted{Header: h, Spec: spec, Task: "classify"})
	for e := 1; e <= 3; e++ {
		ep := train.EpochDone{Header: h, Epoch: e, Epochs: 3, TrainLoss: 1 / float64(e+2), ValLoss: 1 / float64(e+1), Metric: "accuracy", ValMetric: 0.3 * float64(e), LR: 1e-3}
		rec.Record(ep)
		epochs = append(epochs, ep)
	}
	res := &train.Result{Task: "classify", Split: "test", Metrics: map[string]float64{"accuracy": 0.7}, Epochs: 3, BestEpoch: 3}
	rec.Record(train.RunFinished{Header: h, Result: res})
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	return path, res, epochs
}

func replay(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := runReplay(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestReplayCommand(t *testing.T) {
	path, res, epochs := replayFixture(t)
	if code, out, _ := replay(path); code != 0 || !strings.Contains(out, "1 run(s); best r1: model kws-cnn, finished, 3 epoch(s), accuracy 0.7000 (test)") {
		t.Fatalf("%d %s", code, out)
	}
	code, out, _ := replay(path, "--json")
	var doc map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || doc["summary"] == nil || doc["table"] == nil {
		t.Fatalf("%d %s", code, out)
	}
	saved := replayRunner
	defer func() { replayRunner = saved }()
	replayRunner = nil
	if code, _, errs := replay(path, "--verify"); code != exitUser || !strings.Contains(errs, "training engine not available") {
		t.Fatalf("%d %s", code, errs)
	}

	replayRunner = func(ctx context.Context, spec train.RunSpec) (*train.Result, []train.EpochDone, error) {
		r := *res
		return &r, append([]train.EpochDone(nil), epochs...), nil
	}
	if code, out, _ := replay(path, "--verify"); code != 0 || !strings.Contains(out, "identical") {
		t.Fatalf("%d %s", code, out)
	}
	replayRunner = func(ctx context.Context, spec train.RunSpec) (*train.Result, []train.EpochDone, error) {
		eps := append([]train.EpochDone(nil), epochs...)
		eps[1].ValLoss += 1e-9
		return res, eps, nil
	}
	code, out, _ = replay(path, "--verify")
	if code != exitUser || !strings.Contains(out, "val_loss") || !strings.Contains(out, "NOT reproduced") {
		t.Fatalf("%d %s", code, out)
	}
	code, out, _ = replay(path, "--verify", "--json")
	if code != exitUser || json.Unmarshal([]byte(out), &doc) != nil || doc["identical"] != false {
		t.Fatalf("%d %s", code, out)
	}

	data, _ := os.ReadFile(path)
	os.WriteFile(path, bytes.Replace(data, []byte(`"accuracy": 0.7`), []byte(`"accuracy": 0.9`), -1), 0o644)
	if code, _, errs := replay(path); code != exitUser || !strings.Contains(errs, "checksum mismatch") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("%d %s", code, errs)
	}
	if code, out, errs := replay(path, "--ignore-checksum"); code != 0 || !strings.Contains(errs, "edited") || !strings.Contains(out, "0.9000") {
		t.Fatalf("%d %s %s", code, out, errs)
	}
	if code, _, _ := replay(); code != exitUsage {
		t.Fatal(code)
	}
	if code, _, _ := replay(path, "--run", "r1"); code != exitUsage {
		t.Fatal(code)
	}
	if code, _, errs := replay(filepath.Join(t.TempDir(), "none.json")); code != exitUser || !strings.Contains(errs, "none.json") {
		t.Fatal(code, errs)
	}
	if code, out, _ := replay("--help"); code != 0 || !strings.Contains(out, "Plays a session file") || !strings.Contains(out, "-speed X") {
		t.Fatal(code, out)
	}
	// Not on a terminal, playback prints the summary, as without --speed.
	if code, out, errs := replay(path, "--speed", "4", "--ignore-checksum"); code != 0 || !strings.Contains(out, "run(s)") {
		t.Fatal(code, out, errs)
	}
	if code, _, errs := replay(path, "--speed", "0"); code != exitUser || !strings.Contains(errs, "--speed 0") {
		t.Fatal(code, errs)
	}
}
