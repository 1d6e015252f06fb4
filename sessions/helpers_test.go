package sessions

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/engine/train"
)

// clock is a fake time source: each call is one second after the previous one.
func clock() func() time.Time {
	t := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(time.Second)
		return t
	}
}

func testSpec(seed uint64, batch int) train.RunSpec {
	s := train.RunSpec{Version: train.SpecVersion, Seed: seed}
	s.Dataset.Spec.Root = "/data/demo"
	s.Dataset.Spec.Layout = "folders"
	s.Dataset.Fingerprint = "sha256:0123456789abcdef"
	s.Features.Config = extract.Default("mfcc")
	s.Model.Preset = "kws-cnn"
	s.Train.Epochs, s.Train.Batch, s.Train.LR = 5, batch, 1e-3
	s.Train.Optimizer.Kind = "adam"
	s.Train.Optimizer.WeightDecay = 1e-4
	s.Train.EarlyStop.Patience = 3
	return s
}

// fakeTrain is a deterministic stand-in for the engine: the numbers depend on the spec only,
// with digits all the way down so that bit-for-bit comparison means something.
func fakeTrain(id string, spec train.RunSpec) (events []train.Event, res *train.Result, epochs []train.EpochDone) {
	at := time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC)
	h := func() train.Header {
		at = at.Add(time.Minute)
		return train.Header{Run: id, Time: at}
	}
	k := float64(spec.Seed) + float64(spec.Train.Batch)/100
	events = append(events, train.RunStarted{Header: h(), Spec: spec, Task: "classify",
		Classes: []string{"down", "go", "yes"}, Sizes: map[string]int{"train": 80, "val": 10, "test": 10},
		Input: []int{1, 44, 13}, Params: 12345})
	n := spec.Train.Epochs
	if n == 0 {
		n = 5
	}
	for e := 1; e <= n; e++ {
		ep := train.EpochDone{Header: h(), Epoch: e, Epochs: n,
			TrainLoss: 1 / (float64(e) + k/7), ValLoss: 1.1 / (float64(e) + k/9), Metric: "accuracy",
			TrainMetric: 1 - 1/math.Sqrt(float64(e)+k), ValMetric: 0.9 - 1/math.Pi/float64(e+1),
			LR: spec.Train.LR * math.Pow(0.9, float64(e-1)), Seconds: 1.5, SamplesPerSecond: 512.25,
			Best: e, Checkpoint: ""}
		events = append(events, train.BatchDone{Header: h(), Epoch: e, Batch: 3, Batches: 3, Loss: ep.TrainLoss, SamplesPerSecond: 500})
		events = append(events, ep)
		epochs = append(epochs, ep)
	}
	auc := 0.9 + k/1000
	res = &train.Result{RunID: id, Task: "classify", Split: "test", Classes: []string{"down", "go", "yes"},
		Metrics:   map[string]float64{"accuracy": 0.8 + k/1000, "macro_f1": 0.79 + k/3000, "weighted_f1": 0.81, "loss": 0.5 / k},
		Report:    []train.ReportRow{{Class: "down", Precision: 0.75, Recall: 2.0 / 3, F1: 0.7058823529411765, Support: 3}},
		Confusion: [][]int{{2, 1, 0}, {0, 3, 0}, {0, 1, 3}},
		Spearman:  map[string]float64{"undefined": math.NaN()},
		AUC:       &auc, Epochs: n, BestEpoch: n, TrainSeconds: 12.5, SamplesPerSecond: 512.25}
	events = append(events, train.EvalDone{Header: h(), Split: "test", Result: res})
	events = append(events, train.RunFinished{Header: h(), Result: res})
	return events, res, epochs
}

// fakeRunner reproduces fakeTrain's numbers; change alters them.
func fakeRunner(calls *int, change func(res *train.Result, epochs []train.EpochDone)) Runner {
	return func(ctx context.Context, spec train.RunSpec) (*train.Result, []train.EpochDone, error) {
		if calls != nil {
			*calls++
		}
		_, res, epochs := fakeTrain("replay", spec)
		if change != nil {
			change(res, epochs)
		}
		return res, epochs, nil
	}
}

// recordRuns records n runs (batch 32, 64, ...) into a new session file and returns its path.
func recordRuns(t testing.TB, dir string, n int) string {
	t.Helper()
	path := filepath.Join(dir, "session.json")
	rec, err := NewRecorder(path, Meta{Name: "test", Command: []string{"hark", "train"}, Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		id := fmt.Sprintf("run-%d", i+1)
		events, _, _ := fakeTrain(id, testSpec(7, 32<<i))
		for _, ev := range events {
			if err := rec.Record(ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
