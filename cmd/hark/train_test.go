package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hark-audio/hark/engine/demo"
	"github.com/hark-audio/hark/engine/train"
)

func trainRun(t *testing.T, env trainEnv, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = trainCommand(args, &out, &errb, env)
	return code, out.String(), errb.String()
}

func TestTrainHelpUsageAndBadValues(t *testing.T) {
	env := trainEnv{start: func(context.Context, string, train.RunSpec, train.Options) (*train.Run, error) {
		t.Fatal("a run was started")
		return nil, nil
	}}
	code, out, _ := trainRun(t, env, "--help")
	if code != exitOK {
		t.Fatalf("--help: exit %d", code)
	}
	for _, want := range []string{"Usage: hark train", "--recipe", "gtzan", "--features", "130", "-early-stop", "--grid", "mfcc:n_mfcc=13"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help does not mention %q", want)
		}
	}
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--data", dir, "--bogus"}, exitUsage, "bogus"},
		{[]string{"--epochs", "3"}, exitUsage, "--data DIR is required"},
		{[]string{"--data", dir, "extra"}, exitUsage, `unexpected argument "extra"`},
		{[]string{"--data", dir, "--epochs", "ten"}, exitUser, `--epochs "ten": not a whole number`},
		{[]string{"--data", dir, "--lr", "-1"}, exitUser, `--lr "-1": must be positive`},
		{[]string{"--data", dir, "--features", "mfcc:sr=x"}, exitUser, `--features "mfcc:sr=x": sr "x": not a whole number`},
		{[]string{"--data", dir, "--grid", "colour=red"}, exitUser, `--grid "colour=red"`},
		{[]string{"--data", dir, "--model", "bilstm", "--features", "mfcc:layout=image"}, exitUser, "layout"},
	} {
		code, out, errs := trainRun(t, env, c.args...)
		if code != c.code || !strings.Contains(errs, c.msg) || out != "" || strings.Count(errs, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want exit %d and one line with %q", c.args, code, errs, out, c.code, c.msg)
		}
	}
}

func TestTrainPrintSpecIsTheResolvedSpec(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := trainRun(t, trainEnv{}, "--recipe", "fsdd", "--data", dir, "--print-spec")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	s, err := train.ParseRunSpec([]byte(out))
	if err != nil {
		t.Fatalf("--print-spec output does not parse as a RunSpec: %v\n%s", err, out)
	}
	if s.Dataset.Spec.Layout != "fsdd" || s.Features.Config.NMels != 40 || s.Features.Normalize != "bin" || s.Train.EarlyStop.Monitor != "val_loss" {
		t.Errorf("resolved spec: %+v", s)
	}
	// The printed spec, given back, gives the same spec.
	file := filepath.Join(dir, "s.json")
	os.WriteFile(file, []byte(out), 0o644)
	if _, again, _ := trainRun(t, trainEnv{}, "--spec", file, "--print-spec"); again != out {
		t.Errorf("--spec of --print-spec's output prints another spec:\n%s\nvs\n%s", again, out)
	}
	code, out, _ = trainRun(t, trainEnv{}, "--data", dir, "--grid", "batch=8,16 lr=0.1,0.01", "--print-spec")
	var specs []train.RunSpec
	if code != exitOK || json.Unmarshal([]byte(out), &specs) != nil || len(specs) != 4 || specs[3].Train.Batch != 16 || specs[3].Train.LR != 0.01 {
		t.Errorf("grid --print-spec: exit %d, %d specs\n%s", code, len(specs), out)
	}
}

// fakeRun starts a run that reports two epochs and a result with an undefined metric; with
// waitStop it waits to be stopped after the first epoch.
func fakeRun(waitStop bool, started chan<- string) func(context.Context, string, train.RunSpec, train.Options) (*train.Run, error) {
	return func(ctx context.Context, id string, spec train.RunSpec, opt train.Options) (*train.Run, error) {
		return train.Launch(ctx, id, spec, func(ctx context.Context, emit func(train.Event)) (*train.Result, error) {
			h := train.Header{Run: id, Time: time.Now()}
			emit(train.Preparing{Header: h, Stage: "features", Done: 14, Total: 14})
			emit(train.RunStarted{Header: h, Spec: spec, Task: "classify", Classes: []string{"a", "b"},
				Sizes: map[string]int{"train": 8, "val": 2, "test": 4}, Input: []int{1, 8, 4}, Params: 12345,
				Problems: []string{"a/x.wav: truncated (skipped)"}})
			emit(train.BatchDone{Header: h, Epoch: 1, Batch: 1, Batches: 2, Loss: 0.7})
			emit(train.EpochDone{Header: h, Epoch: 1, Epochs: 2, TrainLoss: 0.7, ValLoss: 0.6, Metric: "accuracy", TrainMetric: 0.5, ValMetric: 0.5, LR: 1e-3, Seconds: 0.1, SamplesPerSecond: 80, Best: 1})
			if started != nil {
				started <- id
			}
			epochs := 2
			if waitStop {
				<-ctx.Done()
				epochs = 1
			} else {
				emit(train.EpochDone{Header: h, Epoch: 2, Epochs: 2, TrainLoss: 0.5, ValLoss: 0.4, Metric: "accuracy", TrainMetric: 0.75, ValMetric: 1, LR: 1e-3, Seconds: 0.1, SamplesPerSecond: 80, Best: 2})
			}
			res := &train.Result{RunID: id, Task: "classify", Split: "test", Classes: []string{"a", "b"},
				Metrics: train.Floats{"accuracy": 0.75, "macro_f1": 0.73, "weighted_f1": 0.73, "loss": math.NaN()},
				Report: []train.ReportRow{row("a", 1, 0.5, 0.667, 2), row("b", 0.667, 1, 0.8, 2), row("accuracy", 0.75, 0.75, 0.75, 4),
					row("macro avg", 0.833, 0.75, 0.733, 4), row("weighted avg", 0.833, 0.75, 0.733, 4)},
				Confusion: [][]int{{1, 1}, {0, 2}}, Epochs: epochs, BestEpoch: epochs, TrainSeconds: 0.2, SamplesPerSecond: 80,
				Model: filepath.Join(opt.Dir, "model.hark")}
			emit(train.EvalDone{Header: h, Split: "test", Result: res})
			return res, nil
		}), nil
	}
}

func row(class string, p, r, f float64, n int) train.ReportRow {
	return train.ReportRow{Class: class, Precision: p, Recall: r, F1: f, Support: n}
}

func TestTrainJSONTextAndRunFolder(t *testing.T) {
	data, out := t.TempDir(), filepath.Join(t.TempDir(), "run")
	env := trainEnv{start: fakeRun(false, nil)}
	code, stdout, stderr := trainRun(t, env, "--data", data, "--out", out, "--json", "--epochs", "2")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("--json output: %v\n%s", err, stdout)
	}
	for _, k := range []string{"run_id", "task", "classes", "metrics", "report", "confusion", "epochs", "best_epoch", "train_seconds", "samples_per_second", "model"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	metrics := doc["metrics"].(map[string]any)
	if v, ok := metrics["loss"]; !ok || v != nil {
		t.Errorf("NaN loss: %v (present %v), want null", v, ok)
	}
	if doc["model"] != filepath.Join(out, "model.hark") {
		t.Errorf("model %v", doc["model"])
	}
	// Progress: one line per epoch on stderr, no live batch line when stderr is not a terminal.
	if n := strings.Count(stderr, "\nepoch "); n != 2 || strings.Contains(stderr, "batch 1/2") || !strings.Contains(stderr, "12,345 parameters") ||
		!strings.Contains(stderr, "features: 14 done") || !strings.Contains(stderr, "a/x.wav: truncated") {
		t.Errorf("progress:\n%s", stderr)
	}
	for _, f := range []string{runSpecFile, runResultFile} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("run folder: %v", err)
		}
	}
	b, _ := os.ReadFile(filepath.Join(out, runSpecFile))
	if s, err := train.ParseRunSpec(b); err != nil || s.Train.Epochs != 2 {
		t.Errorf("spec.json: %v %+v", err, s.Train)
	}

	code, stdout, _ = trainRun(t, env, "--data", data, "--out", out)
	for _, want := range []string{"precision", "weighted avg", "confusion (rows: true, columns: predicted)", "accuracy 0.7500", "loss n/a", "2 epochs (best 2)", "model " + filepath.Join(out, "model.hark")} {
		if code != exitOK || !strings.Contains(stdout, want) {
			t.Errorf("text report lacks %q:\n%s", want, stdout)
		}
	}
}

func TestTrainInterruptSavesAndExits130(t *testing.T) {
	data, out := t.TempDir(), t.TempDir()
	started := make(chan string, 1)
	interrupt := make(chan os.Signal, 1)
	env := trainEnv{start: fakeRun(true, started), interrupt: interrupt}
	var code int
	var stdout, stderr string
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		code, stdout, stderr = trainRun(t, env, "--data", data, "--out", out, "--json")
	}()
	<-started
	interrupt <- os.Interrupt
	wg.Wait()
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d: %s", code, exitInterrupted, stderr)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || res["epochs"] != 1.0 {
		t.Errorf("the stopped run's result: %v %v", err, stdout)
	}
	if !strings.Contains(stderr, "stopping after this batch") || !strings.Contains(stderr, "stopped by the user") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

func TestTrainGridComparesEveryCell(t *testing.T) {
	data, out := t.TempDir(), t.TempDir()
	env := trainEnv{start: fakeRun(false, nil)}
	code, stdout, stderr := trainRun(t, env, "--data", data, "--out", out, "--grid", "batch=32,64 weight_decay=1e-4,1e-5", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var docs []map[string]any
	if err := json.Unmarshal([]byte(stdout), &docs); err != nil || len(docs) != 4 {
		t.Fatalf("grid JSON: %v\n%s", err, stdout)
	}
	wantGrid := map[string]any{"batch": "64", "weight-decay": "1e-5"}
	if !reflect.DeepEqual(docs[3]["grid"], wantGrid) || docs[3]["run_id"] != "run-4" {
		t.Errorf("cell 4: grid %v run %v", docs[3]["grid"], docs[3]["run_id"])
	}
	if _, err := os.Stat(filepath.Join(out, "04-batch=64_weight-decay=1e-5", runResultFile)); err != nil {
		t.Errorf("cell folder: %v", err)
	}
	code, stdout, _ = trainRun(t, env, "--data", data, "--out", out, "--grid", "batch=32,64")
	if code != exitOK || !strings.Contains(stdout, "settings") || !strings.Contains(stdout, "batch=64") || strings.Count(stdout, "\n") != 3 {
		t.Errorf("grid table:\n%s", stdout)
	}
}

func TestTrainFailedRunIsAUserError(t *testing.T) {
	data := t.TempDir()
	env := trainEnv{start: func(ctx context.Context, id string, spec train.RunSpec, opt train.Options) (*train.Run, error) {
		return train.Launch(ctx, id, spec, func(context.Context, func(train.Event)) (*train.Result, error) {
			return nil, os.ErrPermission
		}), nil
	}}
	code, stdout, stderr := trainRun(t, env, "--data", data, "--out", t.TempDir(), "--json")
	if code != exitUser || stdout != "" || !strings.Contains(stderr, "permission denied") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// demoData writes a small demo dataset (6 classes x 4 clips of 1 s at 8 kHz) for one test.
func demoData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := demo.Generate(dir, demo.Options{Seed: 1, PerClass: 4, Seconds: 1, SampleRate: 8000}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestTrainEvalPredictEndToEnd trains a tiny model on the demo dataset with the real engine,
// then checks that hark eval reproduces the run's test numbers from the saved model and that
// hark predict reads it.
func TestTrainEvalPredictEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	data := demoData(t)
	out := filepath.Join(t.TempDir(), "run")
	session := filepath.Join(t.TempDir(), "s.json")
	code, stdout, stderr := trainRun(t, trainEnv{start: train.Start}, "--data", data, "--layout", "folders",
		"--split", "random:0.5,0.25,0.25", "--features", "mfcc:n_mfcc=13,n_fft=256,hop=128",
		"--model", "mlp", "--epochs", "3", "--batch", "8", "--threads", "1", "--out", out, "--session", session, "--json")
	if code != exitOK {
		t.Fatalf("train: exit %d\n%s", code, stderr)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("train --json: %v\n%s", err, stdout)
	}
	if res["epochs"] != 3.0 || len(res["classes"].([]any)) != 6 || res["session"] != session {
		t.Errorf("train result: epochs %v classes %v session %v", res["epochs"], res["classes"], res["session"])
	}
	if strings.Count(stderr, "\nepoch ") != 3 {
		t.Errorf("progress:\n%s", stderr)
	}

	// eval on the run's own test split gives the run's numbers.
	preds := filepath.Join(t.TempDir(), "p.csv")
	for _, src := range [][]string{{"--run", out}, {"--session", session}} {
		var eo, ee bytes.Buffer
		code = runEval(append(src, "--json", "--predictions", preds), &eo, &ee)
		if code != exitOK {
			t.Fatalf("eval %v: exit %d\n%s", src, code, ee.String())
		}
		var ev map[string]any
		if err := json.Unmarshal(eo.Bytes(), &ev); err != nil {
			t.Fatalf("eval --json: %v\n%s", err, eo.String())
		}
		for _, k := range []string{"confusion", "report", "classes"} {
			if !reflect.DeepEqual(ev[k], res[k]) {
				t.Errorf("eval %v %s: %v, the run had %v", src, k, ev[k], res[k])
			}
		}
		em, rm := ev["metrics"].(map[string]any), res["metrics"].(map[string]any)
		for _, k := range []string{"accuracy", "macro_f1", "loss"} {
			if math.Abs(em[k].(float64)-rm[k].(float64)) > 1e-6 {
				t.Errorf("eval %v %s: %v, the run had %v", src, k, em[k], rm[k])
			}
		}
	}
	csv, _ := os.ReadFile(preds)
	if lines := strings.Count(string(csv), "\n"); !strings.HasPrefix(string(csv), "id,true,pred,score\n") || lines != 7 {
		t.Errorf("predictions CSV (%d lines):\n%s", lines, csv)
	}

	// eval on another dataset scores every item.
	var eo, ee bytes.Buffer
	if code = runEval([]string{"--run", out, "--data", data, "--layout", "folders", "--json"}, &eo, &ee); code != exitOK {
		t.Fatalf("eval --data: exit %d\n%s", code, ee.String())
	}
	var all map[string]any
	json.Unmarshal(eo.Bytes(), &all)
	if all["split"] != "all" || len(all["report"].([]any)) != 9 {
		t.Errorf("eval --data: split %v report %v", all["split"], all["report"])
	}

	// predict reads the run's model.
	clip := filepath.Join(data, "drums", "drums_000.wav")
	var po, pe bytes.Buffer
	if code = runPredict([]string{"--run", out, clip, "--json"}, &po, &pe); code != exitOK {
		t.Fatalf("predict: exit %d\n%s", code, pe.String())
	}
	var pj predictJSON
	if err := json.Unmarshal(po.Bytes(), &pj); err != nil || len(pj.Files) != 1 || len(pj.Files[0].Segments) != 1 || pj.Files[0].Pred == "" {
		t.Errorf("predict: %v %+v", err, pj)
	}
}
