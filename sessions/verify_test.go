package sessions

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hark-audio/hark/engine/train"
)

func TestVerifyIdentical(t *testing.T) {
	s, _ := mustRead(t, recordRuns(t, t.TempDir(), 2))
	calls := 0
	rep, err := Verify(context.Background(), s, fakeRunner(&calls, nil))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Identical || len(rep.Diffs()) != 0 || calls != 2 || len(rep.Runs) != 2 {
		t.Fatalf("%+v\n%s", rep, rep)
	}
	if rep.Runs[0].Epochs != 5 || !rep.Runs[0].Final || rep.Runs[0].Outcome != OutcomeIdentical {
		t.Fatalf("%+v", rep.Runs[0])
	}
	if out := rep.String(); !strings.Contains(out, `run 1 "run-1": identical (5 epoch(s) and the final result, bit for bit)`) ||
		!strings.Contains(out, "reproduced: every compared value is identical") {
		t.Fatal(out)
	}
}

func TestVerifyDifferences(t *testing.T) {
	s, _ := mustRead(t, recordRuns(t, t.TempDir(), 2))
	var recorded float64
	calls := 0
	rep, err := Verify(context.Background(), s, fakeRunner(&calls, func(res *train.Result, epochs []train.EpochDone) {
		if calls > 1 { // the second run differs only in its metrics
			res.Metrics["loss"] = math.NaN()
			return
		}
		recorded = epochs[2].ValLoss
		epochs[2].ValLoss = math.Nextafter(epochs[2].ValLoss, 2) // one ulp
		res.Confusion[1][2]++
		res.Metrics["accuracy"] += 0.01
	}))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Identical || len(rep.Runs) != 2 || rep.Runs[0].Outcome != OutcomeDifferent ||
		len(rep.Runs[1].Diffs) != 1 || rep.Runs[1].Diffs[0].Field != "metrics.loss" || rep.Runs[1].Diffs[0].Reproduced != "NaN" {
		t.Fatalf("%s", rep)
	}
	diffs := rep.Runs[0].Diffs
	var fields []string
	for _, d := range diffs {
		fields = append(fields, d.Field)
	}
	if got := strings.Join(fields, ","); got != "val_loss,metrics.accuracy,confusion[go][yes]" {
		t.Fatalf("fields %s\n%s", got, rep)
	}
	d := diffs[0]
	if d.Run != "run-1" || d.RunIndex != 0 || d.Epoch != 3 || d.Recorded != formatFloat(recorded) ||
		d.Reproduced != formatFloat(math.Nextafter(recorded, 2)) || d.Recorded == d.Reproduced {
		t.Fatalf("%+v", d)
	}
	out := rep.String()
	for _, want := range []string{`run 1 "run-1": 3 difference(s)`, "3      val_loss", "final  confusion[go][yes]  0                        1", "NOT reproduced: 2 of 2 run(s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyEpochCountAndErrors(t *testing.T) {
	s, _ := mustRead(t, recordRuns(t, t.TempDir(), 1))
	rep, _ := Verify(context.Background(), s, fakeRunner(nil, func(res *train.Result, epochs []train.EpochDone) {}))
	if !rep.Identical {
		t.Fatal(rep)
	}
	short := func(ctx context.Context, spec train.RunSpec) (*train.Result, []train.EpochDone, error) {
		_, res, eps := fakeTrain("x", spec)
		return res, eps[:3], nil
	}
	rep, _ = Verify(context.Background(), s, short)
	if rep.Identical || rep.Runs[0].Diffs[0].Field != "epochs" || rep.Runs[0].Diffs[0].Recorded != "5" || rep.Runs[0].Diffs[0].Reproduced != "3" {
		t.Fatalf("%s", rep)
	}
	failing := func(ctx context.Context, spec train.RunSpec) (*train.Result, []train.EpochDone, error) {
		return nil, nil, errors.New("out of memory")
	}
	rep, err := Verify(context.Background(), s, failing)
	if err != nil || rep.Identical || rep.Runs[0].Outcome != OutcomeError || !strings.Contains(rep.String(), "re-running failed: out of memory") {
		t.Fatalf("%v %s", err, rep)
	}
	if _, err := Verify(context.Background(), s, nil); err == nil {
		t.Fatal("a nil runner must be an error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Verify(ctx, s, fakeRunner(nil, nil)); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

func TestVerifyFingerprint(t *testing.T) {
	s, _ := mustRead(t, recordRuns(t, t.TempDir(), 1))
	calls := 0
	changed := func(ctx context.Context, ref train.DatasetRef) (string, error) { return "sha256:feedface", nil }
	rep, err := VerifyWith(context.Background(), s, fakeRunner(&calls, nil), VerifyOptions{Fingerprint: changed})
	if err != nil || calls != 0 || rep.Identical || rep.Runs[0].Outcome != OutcomeDataChanged {
		t.Fatalf("%v calls %d\n%s", err, calls, rep)
	}
	out := rep.String()
	if !strings.Contains(out, "DATASET CHANGED") || !strings.Contains(out, "dataset.fingerprint") || !strings.Contains(out, "sha256:0123456789abcdef") {
		t.Fatal(out)
	}
	same := func(ctx context.Context, ref train.DatasetRef) (string, error) { return ref.Fingerprint, nil }
	rep, _ = VerifyWith(context.Background(), s, fakeRunner(&calls, nil), VerifyOptions{Fingerprint: same})
	if !rep.Identical || calls != 1 {
		t.Fatal(rep)
	}
}

// Interrupted and stopped runs are re-run up to their last finished epoch; failed ones skipped.
func TestVerifyInterrupted(t *testing.T) {
	dir := t.TempDir()
	rec, _ := NewRecorder(filepath.Join(dir, "s.json"), Meta{Now: clock()})
	events, _, _ := fakeTrain("cut", testSpec(1, 32))
	for _, ev := range events[:7] { // three epochs
		rec.Record(ev)
	}
	fevents, _, _ := fakeTrain("bad", testSpec(2, 32))
	rec.Record(fevents[0])
	rec.Record(train.RunFinished{Header: train.Header{Run: "bad"}, Err: "NaN loss"})
	s, err := rec.Session()
	if err != nil {
		t.Fatal(err)
	}
	var asked []int
	runner := func(ctx context.Context, spec train.RunSpec) (*train.Result, []train.EpochDone, error) {
		asked = append(asked, spec.Train.Epochs)
		_, res, eps := fakeTrain("x", spec)
		return res, eps, nil
	}
	rep, err := Verify(context.Background(), s, runner)
	if err != nil || !rep.Identical || len(asked) != 1 || asked[0] != 3 {
		t.Fatalf("%v asked %v\n%s", err, asked, rep)
	}
	if rep.Runs[0].Final || rep.Runs[1].Outcome != OutcomeSkipped || !strings.Contains(rep.String(), "NaN loss") {
		t.Fatal(rep)
	}
}
