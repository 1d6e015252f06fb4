package train

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hark-audio/hark/engine/demo"
)

// numbers are the parts of a run that must not depend on timing: every epoch's losses,
// metrics and rates, and the final metrics and predictions.
type numbers struct {
	Epochs  [][6]float64
	Metrics Floats
	Report  []ReportRow
	Preds   int
	Best    int
}

func numbersOf(res *Result, evs []EpochDone) numbers {
	n := numbers{Metrics: res.Metrics, Report: res.Report, Preds: len(res.Predictions), Best: res.BestEpoch}
	for _, e := range evs {
		n.Epochs = append(n.Epochs, [6]float64{float64(e.Epoch), e.TrainLoss, e.ValLoss, e.TrainMetric, e.ValMetric, e.LR})
	}
	return n
}

func shortSpec(t *testing.T) RunSpec {
	s := demoSpec(t)
	s.Train.Epochs = 4
	s.Train.Schedule = Schedule{Kind: SchedulePlateau, Patience: 1, Factor: 0.5, Monitor: MonitorValMetric}
	return s
}

func TestSameSpecSameNumbers(t *testing.T) {
	var got []numbers
	for i, threads := range []int{2, 1} {
		s := shortSpec(t)
		s.Train.Threads = threads
		run, err := Start(context.Background(), "det", s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		res, evs := collect(t, run)
		got = append(got, numbersOf(res, epochs(evs)))
		if i == 0 && len(got[0].Epochs) != 4 {
			t.Fatalf("%d epochs reported, want 4", len(got[0].Epochs))
		}
	}
	if !reflect.DeepEqual(got[0], got[1]) {
		t.Errorf("two runs of one spec differ:\n%+v\n%+v", got[0], got[1])
	}
}

func TestResumeEndsWithTheSameNumbers(t *testing.T) {
	s := shortSpec(t)
	s.Train.Epochs = 5
	s.Train.CheckpointEvery = 2
	run, err := Start(context.Background(), "whole", s, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	res, evs := collect(t, run)
	want := numbersOf(res, epochs(evs))
	if lrs := want.Epochs; lrs[0][5] == lrs[len(lrs)-1][5] {
		t.Logf("the plateau schedule never changed the rate: %v", lrs)
	}

	dir := t.TempDir()
	run, err = Start(context.Background(), "part", s, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for ev := range run.Events() {
		if e, ok := ev.(EpochDone); ok && e.Checkpoint != "" {
			run.Stop()
		}
	}
	part, err := run.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if part.Epochs >= 5 {
		t.Fatalf("the interrupted run did all %d epochs", part.Epochs)
	}
	run, err = Resume(context.Background(), "rest", dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var resumedFrom int
	var rest []Event
	for ev := range run.Events() {
		if e, ok := ev.(RunStarted); ok {
			resumedFrom = e.ResumedFrom
		}
		rest = append(rest, ev)
	}
	res2, err := run.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if resumedFrom == 0 || resumedFrom%2 != 0 {
		t.Errorf("resumed from epoch %d, want a checkpointed epoch", resumedFrom)
	}
	// The resumed run's history is its checkpoint's plus its own epochs.
	st, err := readState(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := numbersOf(res2, st.Progress.History)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("resumed run differs from the uninterrupted one:\n got %+v\nwant %+v", got, want)
	}
	if n := len(epochs(rest)); n != 5-resumedFrom {
		t.Errorf("resumed run reported %d epochs, want %d", n, 5-resumedFrom)
	}
}

func TestStopStillEvaluatesTheBestModel(t *testing.T) {
	s := demoSpec(t)
	s.Train.Epochs = 50
	run, err := Start(context.Background(), "stop", s, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var fin RunFinished
	for ev := range run.Events() {
		switch e := ev.(type) {
		case EpochDone:
			if e.Epoch == 2 {
				run.Stop()
			}
		case RunFinished:
			fin = e
		}
	}
	res, err := run.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !fin.Stopped || fin.Err != "" || fin.Result == nil {
		t.Fatalf("RunFinished %+v, want stopped with a result", fin)
	}
	if res.Epochs < 2 || res.Epochs >= 50 || res.BestEpoch == 0 || res.Model == "" || len(res.Report) == 0 {
		t.Errorf("stopped result: %d epochs, best %d, model %q, %d report rows", res.Epochs, res.BestEpoch, res.Model, len(res.Report))
	}
}

func TestCorruptFileIsSkippedAndReported(t *testing.T) {
	dir := t.TempDir()
	if _, err := demo.Generate(dir, demo.Options{Seed: 5, PerClass: 6, SampleRate: 8000, Seconds: 0.5}); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "drums", "drums_broken.wav")
	if err := os.WriteFile(bad, []byte("RIFF\x10\x00\x00\x00WAVEjunk that is no audio"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := demoSpec(t)
	s.Dataset.Spec.Root = dir
	s.Train.Epochs = 2
	run, err := Start(context.Background(), "corrupt", s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var problems []string
	for ev := range run.Events() {
		if e, ok := ev.(RunStarted); ok {
			problems = e.Problems
		}
	}
	res, err := run.Wait()
	if err != nil {
		t.Fatalf("a corrupt file failed the run: %v", err)
	}
	found := false
	for _, p := range append(problems, res.Problems...) {
		found = found || strings.Contains(p, "drums_broken.wav")
	}
	if !found {
		t.Errorf("problems %q do not name the corrupt file", problems)
	}
	for _, r := range res.Predictions {
		if strings.Contains(r.ID, "broken") {
			t.Errorf("the corrupt file was evaluated: %+v", r)
		}
	}
}
