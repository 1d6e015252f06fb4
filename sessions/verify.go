package sessions

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/hark-audio/hark/engine/train"
)

// Runner re-executes one run from its spec and returns its final result and every epoch's
// report, in order. The engine's is a thin wrapper over train.Start that drains the events.
type Runner func(ctx context.Context, spec train.RunSpec) (*train.Result, []train.EpochDone, error)

// VerifyOptions changes what Verify does. The zero value verifies every run.
type VerifyOptions struct {
	// Fingerprint computes a dataset's content fingerprint as it is now. When set, each run's
	// recorded fingerprint is compared with it first, and a run whose data changed is not
	// re-run (its metrics could not be expected to match). When nil, the runner is trusted to
	// refuse a spec whose fingerprint does not match the data.
	Fingerprint func(ctx context.Context, ref train.DatasetRef) (string, error)
	// Runs selects runs by ID; empty means all.
	Runs []string
	// Progress, when set, is called before each run is re-executed (i from 0 of n).
	Progress func(i, n int, run *Run)
}

// Verify outcomes.
const (
	OutcomeIdentical   = "identical"    // every compared value has the same bits
	OutcomeDifferent   = "different"    // see Diffs
	OutcomeDataChanged = "data_changed" // the dataset's fingerprint differs; not re-run
	OutcomeError       = "error"        // the run could not be re-executed (Note says why)
	OutcomeSkipped     = "skipped"      // nothing to compare (Note says why)
)

// Report is the outcome of Verify.
type Report struct {
	File string `json:"file,omitempty"`
	// Identical is true when at least one run was reproduced and every reproduced run gave the
	// same bits (skipped runs do not count against it).
	Identical bool       `json:"identical"`
	Runs      []RunCheck `json:"runs"`
}

// RunCheck is the verification of one recorded run.
type RunCheck struct {
	// Index is the run's position among the session's runs (from 0); ID and Label name it.
	Index   int    `json:"index"`
	ID      string `json:"id"`
	Label   string `json:"label"`
	Outcome string `json:"outcome"`
	Note    string `json:"note,omitempty"`
	// Epochs is the number of recorded epochs compared; Final says whether a final result was.
	Epochs int    `json:"epochs"`
	Final  bool   `json:"final"`
	Diffs  []Diff `json:"diffs,omitempty"`
}

// Diff is one value that was not reproduced.
type Diff struct {
	// Run is the run's ID and RunIndex its position among the session's runs.
	Run      string `json:"run"`
	RunIndex int    `json:"run_index"`
	// Epoch is the epoch (from 1) of a per-epoch value, 0 for the final result or the run as a
	// whole.
	Epoch int `json:"epoch"`
	// Field names the value: train_loss, val_loss, train_metric, val_metric, lr, best, wait,
	// epochs; metrics.accuracy, report[2].f1, confusion[rock][pop], spearman.valence, auc, ...
	Field string `json:"field"`
	// Recorded and Reproduced are the values, written so that they read back to the same bits.
	Recorded   string `json:"recorded"`
	Reproduced string `json:"reproduced"`
}

// Diffs returns every difference of every run.
func (r Report) Diffs() []Diff {
	var out []Diff
	for _, c := range r.Runs {
		out = append(out, c.Diffs...)
	}
	return out
}

// Verify re-executes each recorded run of s with run and compares what it reports with what
// was recorded, bit for bit: per epoch the training and validation loss, the metric's name and
// values, the learning rate and the early-stopping state (best, wait); the number of epochs;
// and the final result's metrics, report, confusion matrix, correlations, AUC, EER, threshold,
// epochs and best epoch. Timings, throughput, timestamps and file paths are not compared.
// Failed runs are skipped; stopped and interrupted runs are re-run up to their last finished
// epoch. The error is only for a missing runner or a cancelled context (with the report so
// far); everything else is in the Report.
func Verify(ctx context.Context, s *Session, run Runner) (Report, error) {
	return VerifyWith(ctx, s, run, VerifyOptions{})
}

// VerifyWith is Verify with options.
func VerifyWith(ctx context.Context, s *Session, run Runner, opt VerifyOptions) (Report, error) {
	rep := Report{File: s.File, Runs: []RunCheck{}}
	if run == nil {
		return rep, errors.New("verify: no training engine to re-run with")
	}
	runs := s.Runs()
	compared, bad := 0, false
	for i, r := range runs {
		if len(opt.Runs) > 0 && !slices.Contains(opt.Runs, r.ID) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if opt.Progress != nil {
			opt.Progress(i, len(runs), r)
		}
		c := verifyRun(ctx, i, r, run, opt)
		if err := ctx.Err(); err != nil && c.Outcome == OutcomeError {
			return rep, err
		}
		switch c.Outcome {
		case OutcomeIdentical:
			compared++
		case OutcomeDifferent, OutcomeDataChanged, OutcomeError:
			compared++
			bad = true
		}
		rep.Runs = append(rep.Runs, c)
	}
	rep.Identical = compared > 0 && !bad
	return rep, nil
}

func verifyRun(ctx context.Context, i int, r *Run, run Runner, opt VerifyOptions) RunCheck {
	c := RunCheck{Index: i, ID: r.ID, Label: r.Label()}
	spec := r.ReplaySpec()
	recorded := r.Epochs()
	switch r.Status {
	case StatusFailed:
		c.Outcome, c.Note = OutcomeSkipped, "the run failed when it was recorded: "+r.Error
		return c
	case StatusStopped, StatusRunning:
		if len(recorded) == 0 {
			c.Outcome, c.Note = OutcomeSkipped, "the run was "+map[bool]string{true: "interrupted", false: "stopped"}[r.Status == StatusRunning]+" before its first epoch ended"
			return c
		}
		spec.Train.Epochs = recorded[len(recorded)-1].Epoch
		c.Note = fmt.Sprintf("re-run up to epoch %d, where it was %s", spec.Train.Epochs,
			map[bool]string{true: "interrupted", false: "stopped"}[r.Status == StatusRunning])
	}
	if opt.Fingerprint != nil {
		want := spec.Dataset.Fingerprint
		if want == "" {
			c.Note = join(c.Note, "no dataset fingerprint recorded: the data were not checked")
		} else {
			got, err := opt.Fingerprint(ctx, spec.Dataset)
			if err != nil {
				c.Outcome, c.Note = OutcomeError, join(c.Note, "dataset "+spec.Dataset.Spec.Root+": "+err.Error())
				return c
			}
			if got != want {
				c.Outcome = OutcomeDataChanged
				c.Note = join(c.Note, fmt.Sprintf("the dataset %s changed since the run was recorded; not re-run", spec.Dataset.Spec.Root))
				c.Diffs = []Diff{{Run: r.ID, RunIndex: i, Field: "dataset.fingerprint", Recorded: want, Reproduced: got}}
				return c
			}
		}
	}
	res, epochs, err := run(ctx, spec)
	if err != nil {
		c.Outcome, c.Note = OutcomeError, join(c.Note, "re-running failed: "+err.Error())
		return c
	}
	d := differ{run: r.ID, index: i}
	d.epochs(recorded, epochs)
	c.Epochs = len(recorded)
	if r.Result != nil && r.Status != StatusRunning {
		c.Final = true
		d.result(r.Result, res)
	}
	c.Diffs = d.diffs
	c.Outcome = OutcomeIdentical
	if len(c.Diffs) > 0 {
		c.Outcome = OutcomeDifferent
	}
	return c
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

type differ struct {
	run   string
	index int
	diffs []Diff
}

func (d *differ) add(epoch int, field, rec, rep string) {
	d.diffs = append(d.diffs, Diff{Run: d.run, RunIndex: d.index, Epoch: epoch, Field: field, Recorded: rec, Reproduced: rep})
}

// sameBits is bit-for-bit equality, except that every non-finite value matches another: the
// file stores them all as null.
func sameBits(a, b float64) bool {
	if math.IsNaN(a) || math.IsInf(a, 0) {
		return math.IsNaN(b) || math.IsInf(b, 0)
	}
	return math.Float64bits(a) == math.Float64bits(b)
}

// formatFloat writes the shortest text that reads back to the same bits.
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func (d *differ) float(epoch int, field string, rec, rep float64) {
	if !sameBits(rec, rep) {
		d.add(epoch, field, formatFloat(rec), formatFloat(rep))
	}
}

func (d *differ) int(epoch int, field string, rec, rep int) {
	if rec != rep {
		d.add(epoch, field, strconv.Itoa(rec), strconv.Itoa(rep))
	}
}

func (d *differ) str(epoch int, field, rec, rep string) {
	if rec != rep {
		d.add(epoch, field, strconv.Quote(rec), strconv.Quote(rep))
	}
}

func (d *differ) epochs(rec, rep []train.EpochDone) {
	if len(rec) != len(rep) {
		d.int(0, "epochs", len(rec), len(rep))
	}
	for i := range min(len(rec), len(rep)) {
		a, b := rec[i], rep[i]
		e := a.Epoch
		d.int(e, "epoch", a.Epoch, b.Epoch)
		d.float(e, "train_loss", a.TrainLoss, b.TrainLoss)
		d.float(e, "val_loss", a.ValLoss, b.ValLoss)
		d.str(e, "metric", a.Metric, b.Metric)
		d.float(e, "train_metric", a.TrainMetric, b.TrainMetric)
		d.float(e, "val_metric", a.ValMetric, b.ValMetric)
		d.float(e, "lr", a.LR, b.LR)
		d.int(e, "best", a.Best, b.Best)
		d.int(e, "wait", a.Wait, b.Wait)
	}
}

func (d *differ) floatMap(prefix string, rec, rep map[string]float64) {
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range rec {
			if !yield(k) {
				return
			}
		}
		for k := range rep {
			if _, ok := rec[k]; !ok && !yield(k) {
				return
			}
		}
	})
	for _, k := range keys {
		a, okA := rec[k]
		b, okB := rep[k]
		switch {
		case !okA:
			d.add(0, prefix+"."+k, "(none)", formatFloat(b))
		case !okB:
			d.add(0, prefix+"."+k, formatFloat(a), "(none)")
		default:
			d.float(0, prefix+"."+k, a, b)
		}
	}
}

func (d *differ) optFloat(field string, rec, rep *float64) {
	f := func(p *float64) string {
		if p == nil {
			return "(none)"
		}
		return formatFloat(*p)
	}
	if (rec == nil) != (rep == nil) || rec != nil && !sameBits(*rec, *rep) {
		d.add(0, field, f(rec), f(rep))
	}
}

func (d *differ) result(rec, rep *train.Result) {
	if rep == nil {
		d.add(0, "result", "(a result)", "(none)")
		return
	}
	d.str(0, "task", rec.Task, rep.Task)
	d.str(0, "split", rec.Split, rep.Split)
	d.str(0, "classes", strings.Join(rec.Classes, ","), strings.Join(rep.Classes, ","))
	d.int(0, "result.epochs", rec.Epochs, rep.Epochs)
	d.int(0, "best_epoch", rec.BestEpoch, rep.BestEpoch)
	d.floatMap("metrics", rec.Metrics, rep.Metrics)
	d.floatMap("spearman", rec.Spearman, rep.Spearman)
	d.floatMap("pearson", rec.Pearson, rep.Pearson)
	d.optFloat("auc", rec.AUC, rep.AUC)
	d.optFloat("eer", rec.EER, rep.EER)
	d.optFloat("threshold", rec.Threshold, rep.Threshold)
	if len(rec.Report) != len(rep.Report) {
		d.int(0, "report.rows", len(rec.Report), len(rep.Report))
	}
	for i := range min(len(rec.Report), len(rep.Report)) {
		a, b := rec.Report[i], rep.Report[i]
		f := fmt.Sprintf("report[%s]", a.Class)
		d.str(0, f+".class", a.Class, b.Class)
		d.float(0, f+".precision", a.Precision, b.Precision)
		d.float(0, f+".recall", a.Recall, b.Recall)
		d.float(0, f+".f1", a.F1, b.F1)
		d.int(0, f+".support", a.Support, b.Support)
	}
	if len(rec.Confusion) != len(rep.Confusion) {
		d.int(0, "confusion.rows", len(rec.Confusion), len(rep.Confusion))
	}
	name := func(i int) string {
		if i < len(rec.Classes) {
			return rec.Classes[i]
		}
		return strconv.Itoa(i)
	}
	for i := range min(len(rec.Confusion), len(rep.Confusion)) {
		a, b := rec.Confusion[i], rep.Confusion[i]
		if len(a) != len(b) {
			d.int(0, fmt.Sprintf("confusion[%s].columns", name(i)), len(a), len(b))
		}
		for j := range min(len(a), len(b)) {
			d.int(0, fmt.Sprintf("confusion[%s][%s]", name(i), name(j)), a[j], b[j])
		}
	}
}

// String is the report for people: one line per run, then each difference with the recorded
// and reproduced values.
func (r Report) String() string {
	const maxDiffs = 40
	var b strings.Builder
	file := r.File
	if file == "" {
		file = "session"
	}
	fmt.Fprintf(&b, "verify %s: %d run(s)\n", file, len(r.Runs))
	for _, c := range r.Runs {
		fmt.Fprintf(&b, "run %d %q", c.Index+1, c.Label)
		if c.Label != c.ID {
			fmt.Fprintf(&b, " (%s)", c.ID)
		}
		switch c.Outcome {
		case OutcomeIdentical:
			what := fmt.Sprintf("%d epoch(s)", c.Epochs)
			if c.Final {
				what += " and the final result"
			}
			fmt.Fprintf(&b, ": identical (%s, bit for bit)", what)
		case OutcomeDifferent:
			fmt.Fprintf(&b, ": %d difference(s)", len(c.Diffs))
		case OutcomeDataChanged:
			b.WriteString(": DATASET CHANGED")
		case OutcomeError:
			b.WriteString(": could not be reproduced")
		case OutcomeSkipped:
			b.WriteString(": skipped")
		}
		if c.Note != "" {
			fmt.Fprintf(&b, "; %s", c.Note)
		}
		b.WriteByte('\n')
		if len(c.Diffs) == 0 {
			continue
		}
		width := len("field")
		for _, d := range c.Diffs[:min(len(c.Diffs), maxDiffs)] {
			width = max(width, len(d.Field))
		}
		fmt.Fprintf(&b, "  %-6s %-*s  %-24s %s\n", "epoch", width, "field", "recorded", "reproduced")
		for _, d := range c.Diffs[:min(len(c.Diffs), maxDiffs)] {
			ep := "final"
			if d.Epoch > 0 {
				ep = strconv.Itoa(d.Epoch)
			} else if strings.HasPrefix(d.Field, "dataset") || d.Field == "epochs" {
				ep = "-"
			}
			fmt.Fprintf(&b, "  %-6s %-*s  %-24s %s\n", ep, width, d.Field, d.Recorded, d.Reproduced)
		}
		if n := len(c.Diffs) - maxDiffs; n > 0 {
			fmt.Fprintf(&b, "  ... and %d more (--json lists them all)\n", n)
		}
	}
	switch {
	case r.Identical:
		b.WriteString("reproduced: every compared value is identical\n")
	case len(r.Runs) == 0:
		b.WriteString("NOT verified: the session has no run to re-execute\n")
	default:
		n := 0
		for _, c := range r.Runs {
			if c.Outcome != OutcomeIdentical && c.Outcome != OutcomeSkipped {
				n++
			}
		}
		if n == 0 {
			b.WriteString("NOT verified: no run could be compared\n")
		} else {
			fmt.Fprintf(&b, "NOT reproduced: %d of %d run(s) differ or could not be re-run\n", n, len(r.Runs))
		}
	}
	return b.String()
}
