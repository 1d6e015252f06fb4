package train

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/demo"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/models"
)

// demoDir writes a small demo dataset once per test binary: 6 classes x 20 clips of 1 s at
// 8 kHz.
var demoDir = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "hark-train-demo-")
	if err != nil {
		return "", err
	}
	_, err = demo.Generate(dir, demo.Options{Seed: 3, PerClass: 20, SampleRate: 8000, Seconds: 1})
	return dir, err
})

func TestMain(m *testing.M) {
	code := m.Run()
	if dir, err := demoDir(); err == nil {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// smallCNN is a tiny convolutional network that trains in a second or two.
func smallCNN() *models.Spec {
	return &models.Spec{Name: "tiny", Layers: []models.Layer{
		{Type: models.LayerConv2D, Filters: 8, Kernel: []int{3, 3}, Activation: models.ActReLU},
		{Type: models.LayerMaxPool, Pool: []int{2, 2}},
		{Type: models.LayerConv2D, Filters: 16, Kernel: []int{3, 3}, Activation: models.ActReLU},
		{Type: models.LayerGlobalAvgPool},
		{Type: models.LayerDense, Units: 32, Activation: models.ActReLU},
		{Type: models.LayerDropout, Rate: 0.1},
	}}
}

// demoSpec is a short classification run on the demo dataset.
func demoSpec(t *testing.T) RunSpec {
	t.Helper()
	dir, err := demoDir()
	if err != nil {
		t.Fatal(err)
	}
	cfg := extract.Default("mel-db")
	cfg.NFFT, cfg.Hop, cfg.NMels = 512, 256, 32
	return RunSpec{
		Dataset:  DatasetRef{Spec: dataset.Spec{Root: dir, Layout: dataset.LayoutFolders}},
		Features: FeatureSpec{Config: cfg},
		Model:    ModelRef{Spec: smallCNN()},
		Train:    TrainConfig{Epochs: 25, Batch: 16, LR: 3e-3, Threads: 2},
		Seed:     7,
	}
}

// collect runs a spec to the end and returns its result and events.
func collect(t *testing.T, run *Run) (*Result, []Event) {
	t.Helper()
	var evs []Event
	for ev := range run.Events() {
		evs = append(evs, ev)
	}
	res, err := run.Wait()
	if err != nil {
		t.Fatalf("run failed: %v", err)
	}
	return res, evs
}

func epochs(evs []Event) []EpochDone {
	var out []EpochDone
	for _, ev := range evs {
		if e, ok := ev.(EpochDone); ok {
			out = append(out, e)
		}
	}
	return out
}

func TestLearnsSeparableDemo(t *testing.T) {
	spec := demoSpec(t)
	dir := t.TempDir()
	run, err := Start(context.Background(), "learn", spec, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	res, evs := collect(t, run)
	for _, e := range epochs(evs) {
		t.Logf("epoch %d: train loss %.4f acc %.3f, val loss %.4f acc %.3f, lr %g, %.0f samples/s",
			e.Epoch, e.TrainLoss, e.TrainMetric, e.ValLoss, e.ValMetric, e.LR, e.SamplesPerSecond)
	}
	if acc := res.Metrics["accuracy"]; acc < 0.9 {
		t.Errorf("test accuracy %.3f, want at least 0.9 on a separable problem", acc)
	}
	for _, ev := range evs {
		if _, ok := ev.(Preparing); !ok {
			if _, ok := ev.(RunStarted); !ok {
				t.Errorf("first event after preparing is %T, want RunStarted", ev)
			}
			break
		}
	}
	fin, ok := evs[len(evs)-1].(RunFinished)
	if !ok || fin.Err != "" || fin.Result == nil {
		t.Errorf("last event %#v, want RunFinished with a result", evs[len(evs)-1])
	}
	if res.Model != filepath.Join(dir, ModelFile) {
		t.Errorf("model %q", res.Model)
	}
	m, meta, err := models.LoadFile(res.Model, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(meta.Classes) != 6 || meta.Norm == nil || len(meta.Norm.Mean) != 32 || m.Outputs() != 6 {
		t.Errorf("saved model meta: classes %v, norm %v, outputs %d", meta.Classes, meta.Norm != nil, m.Outputs())
	}
	var fs FeatureSpec
	if err := json.Unmarshal(meta.Features, &fs); err != nil || fs.Config.NMels != 32 || fs.Frames == 0 {
		t.Errorf("saved features %s: %v", meta.Features, err)
	}
	rows := map[string]bool{}
	for _, r := range res.Report {
		rows[r.Class] = true
	}
	for _, want := range []string{"accuracy", "macro avg", "weighted avg", "drums"} {
		if !rows[want] {
			t.Errorf("report has no %q row", want)
		}
	}
	if len(res.Confusion) != 6 || len(res.Predictions) != len(res.Items) || len(res.Items) == 0 {
		t.Errorf("confusion %d rows, %d predictions, %d items", len(res.Confusion), len(res.Predictions), len(res.Items))
	}
	if _, err := json.Marshal(evs); err != nil {
		t.Errorf("events do not marshal: %v", err)
	}
}

func TestBadSpecErrorsNameTheField(t *testing.T) {
	good := demoSpec(t)
	cases := []struct {
		name string
		edit func(*RunSpec)
		want string
	}{
		{"no root", func(s *RunSpec) { s.Dataset.Spec.Root = "" }, "dataset.spec.root"},
		{"no model", func(s *RunSpec) { s.Model = ModelRef{} }, "model"},
		{"unknown preset", func(s *RunSpec) { s.Model = ModelRef{Preset: "resnet"} }, `model.preset: unknown preset "resnet"`},
		{"bad kind", func(s *RunSpec) { s.Features.Config.Kind = "mfcc2" }, "features.config"},
		{"bad layout", func(s *RunSpec) { s.Features.Layout = "grid" }, `features.layout: "grid"`},
		{"bad epochs", func(s *RunSpec) { s.Train.Epochs = -1 }, "train.epochs: -1"},
		{"bad lr", func(s *RunSpec) { s.Train.LR = -0.1 }, "train.lr: -0.1"},
		{"bad optimizer", func(s *RunSpec) { s.Train.Optimizer.Kind = "adagrad" }, `train.optimizer.kind: "adagrad"`},
		{"bad schedule", func(s *RunSpec) { s.Train.Schedule.Kind = "cosine" }, `train.schedule.kind: "cosine"`},
		{"step without step", func(s *RunSpec) { s.Train.Schedule.Kind = ScheduleStep }, "train.schedule.step: 0"},
		{"bad factor", func(s *RunSpec) { s.Train.Schedule = Schedule{Kind: SchedulePlateau, Factor: 2} }, "train.schedule.factor: 2"},
		{"bad monitor", func(s *RunSpec) { s.Train.EarlyStop.Monitor = "acc" }, `train.early_stop.monitor: "acc"`},
		{"bad split", func(s *RunSpec) { s.Split = "random:0.5,0.1" }, "split:"},
		{"bad version", func(s *RunSpec) { s.Version = 9 }, "version 9"},
		{"bad task", func(s *RunSpec) { s.Task = "cluster" }, `task: "cluster"`},
		{"noise", func(s *RunSpec) { s.Augment = &AugmentSpec{NoiseProb: 1.5} }, "augment.noise_prob"},
		{"gain", func(s *RunSpec) { s.Augment = &AugmentSpec{GainDB: -1} }, "augment.gain_db"},
	}
	for _, c := range cases {
		s := good
		c.edit(&s)
		_, err := Start(context.Background(), "bad", s, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, err, c.want)
		}
	}
	// Errors that need the data arrive as RunFinished.Err.
	s := good
	s.Dataset.Spec.Root = filepath.Join(t.TempDir(), "absent")
	run, err := Start(context.Background(), "missing", s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run.Wait(); err == nil || !strings.Contains(err.Error(), "absent") {
		t.Errorf("missing dataset: %v", err)
	}
}

func TestFloatsJSONWritesNaNAsNull(t *testing.T) {
	r := &Result{Metrics: Floats{"accuracy": 0.5, "mean_spearman": math.NaN()}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"mean_spearman":null`) {
		t.Errorf("JSON %s", b)
	}
	var back Result
	if err := json.Unmarshal(b, &back); err != nil || !math.IsNaN(back.Metrics["mean_spearman"]) || back.Metrics["accuracy"] != 0.5 {
		t.Errorf("round trip: %v, %v", back.Metrics, err)
	}
	e := EpochDone{Epoch: 2, ValLoss: math.NaN(), TrainLoss: 1.5}
	b, err = json.Marshal(e)
	if err != nil || !strings.Contains(string(b), `"val_loss":null`) || !strings.Contains(string(b), `"train_loss":1.5`) {
		t.Fatalf("epoch JSON %s: %v", b, err)
	}
	var eb EpochDone
	if err := json.Unmarshal(b, &eb); err != nil || !math.IsNaN(eb.ValLoss) || eb.TrainLoss != 1.5 || eb.Epoch != 2 {
		t.Errorf("epoch round trip %+v: %v", eb, err)
	}
}
