package sessions

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hark-audio/hark/engine/train"
)

func TestParseGrid(t *testing.T) {
	cells, err := ParseGrid("batch=32,64,128,256 weight_decay=1e-4,1e-5,1e-6")
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != 12 || cells[0].String() != "batch=32 weight_decay=1e-4" || cells[1].String() != "batch=32 weight_decay=1e-5" ||
		cells[11].String() != "batch=256 weight_decay=1e-6" {
		t.Fatalf("%v", cells)
	}
	spec := testSpec(1, 8)
	if err := Apply(&spec, cells[5]); err != nil {
		t.Fatal(err)
	}
	if spec.Train.Batch != 64 || spec.Train.Optimizer.WeightDecay != float32(1e-6) {
		t.Fatalf("%+v", spec.Train)
	}
	for name, check := range map[string]func(s train.RunSpec) bool{
		"lr=0.01":                            func(s train.RunSpec) bool { return s.Train.LR == 0.01 },
		"optimizer=sgd":                      func(s train.RunSpec) bool { return s.Train.Optimizer.Kind == "sgd" },
		"epochs=7":                           func(s train.RunSpec) bool { return s.Train.Epochs == 7 },
		"seed=18446744073709551615":          func(s train.RunSpec) bool { return s.Seed == math.MaxUint64 },
		"n_mels=64":                          func(s train.RunSpec) bool { return s.Features.Config.NMels == 64 },
		"features.config.n_mels=40":          func(s train.RunSpec) bool { return s.Features.Config.NMels == 40 },
		"model=" + spec.Model.Preset:         func(s train.RunSpec) bool { return s.Model.Preset == spec.Model.Preset },
		"train.early_stop.patience=8":        func(s train.RunSpec) bool { return s.Train.EarlyStop.Patience == 8 },
		"augment.noise_prob=0.5":             func(s train.RunSpec) bool { return s.Augment != nil && s.Augment.NoiseProb == 0.5 },
		"Weight-Decay=0.5":                   func(s train.RunSpec) bool { return s.Train.Optimizer.WeightDecay == 0.5 },
		"dataset.spec.segments.length=5s":    nil, // a duration: not a plain number
		"train.schedule.kind=plateau":        func(s train.RunSpec) bool { return s.Train.Schedule.Kind == "plateau" },
		"features.config.center=false":       func(s train.RunSpec) bool { return !s.Features.Config.Center },
		"train.optimizer.weight_decay=1e-70": nil, // float32 underflow is fine, 1e-70 -> 0? ParseFloat says range error
	} {
		n, v, _ := strings.Cut(name, "=")
		s := testSpec(1, 8)
		err := SetParam(&s, n, v)
		if check == nil {
			continue
		}
		if err != nil || !check(s) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for in, want := range map[string]string{
		"batchsize=1":            `unknown setting "batchsize"`,
		"batch=32,x":             "batch=x: want a whole number",
		"batch=-1":               "batch=-1: want a whole number",
		"optimizer=adamw":        "optimizer=adamw: want one of adam, sgd, rmsprop",
		"batch=32 batch_size=64": "batch and batch_size set the same setting (train.batch)",
		"batch":                  "want NAME=VALUE",
		"batch=32,,64":           "an empty value",
		"batch=32,32":            "the value 32 is given twice",
		"":                       "no axis",
		"train.optimizer=sgd":    "train.optimizer is a group of settings",
		"model.freeze=a":         "model.freeze is a list",
		"train.nope=1":           `train has no "nope" (it has epochs, batch, lr, optimizer`,
		"seed=1,2,3,4,5,6,7,8,9,10 batch=1,2,3,4,5,6,7,8,9,10 lr=1,2,3,4,5,6,7,8,9,10,11": "more than 1000 combinations",
	} {
		_, err := ParseGrid(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

func gridSessions(t *testing.T) []*Session {
	dir := t.TempDir()
	var out []*Session
	cells, _ := ParseGrid("batch=32,64,128")
	for i, c := range cells {
		spec := testSpec(3, 0)
		Apply(&spec, c)
		spec.Name = c.String()
		rec, _ := NewRecorder(filepath.Join(dir, fmt.Sprintf("g%d.json", i)), Meta{Name: c.String(), Now: clock()})
		events, _, _ := fakeTrain(fmt.Sprintf("g%d", i), spec)
		for _, ev := range events {
			rec.Record(ev)
		}
		rec.Close()
		s, err := Read(rec.Path())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func TestCompare(t *testing.T) {
	ss := gridSessions(t)
	tab := Compare(ss...)
	if len(tab.Rows) != 3 || strings.Join(tab.Params, ",") != "train.batch" {
		t.Fatalf("%+v", tab)
	}
	if got := strings.Join(tab.Metrics, ","); got != "accuracy,macro_f1,weighted_f1,auc,loss,best_val" {
		t.Fatal(got)
	}
	if tab.Best["accuracy"] != 2 || tab.Best["loss"] != 2 || tab.Rows[1].Params["train.batch"] != "64" {
		t.Fatalf("%+v", tab.Best)
	}
	if d := tab.Rows[2].Delta["accuracy"]; math.Abs(d-0.00096) > 1e-12 {
		t.Fatal(d)
	}
	out := tab.String()
	for _, want := range []string{"#  run", "batch", "accuracy", "batch=128", "(+0.0010) *", "differences from run 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	tab.Rows[0].Metrics["loss"] = math.NaN()
	js, err := tab.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(js, &back); err != nil || !strings.Contains(string(js), `"loss": null`) {
		t.Fatalf("%v\n%s", err, js)
	}
	if Compare().String() != "no runs to compare\n" {
		t.Fatal("empty")
	}

	sum := ss[2].Summary()
	if sum.Best == nil || sum.Metric != "accuracy" || sum.Model != "kws-cnn" || sum.Dataset != "/data/demo" || sum.Runs != 1 ||
		sum.Status != StatusFinished || sum.Task != "classify" || sum.Epochs != 5 || sum.From != "test" {
		t.Fatalf("%+v", sum)
	}
	if s := sum.String(); !strings.Contains(s, "accuracy 0.8043 (test)") || !strings.Contains(s, "dataset /data/demo (folders)") {
		t.Fatal(s)
	}
	if _, err := json.Marshal(sum); err != nil {
		t.Fatal(err)
	}
}
