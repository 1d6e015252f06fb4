package train

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/eval"
	"github.com/hark-audio/hark/models"
)

// eps bounds probabilities away from 0 and 1 in the evaluation losses (Keras's epsilon).
const eps = 1e-7

// score returns the mean loss of predictions out (Outputs per example) and the task metric:
// accuracy, the mean Spearman correlation over the targets, or the ROC AUC of pairs. The loss
// is the training loss (cross-entropy, binary cross-entropy, mean squared error per head,
// summed over heads), computed in float64.
func (d *data) score(m *models.Model, exs []example, out []float32) (loss, metric float64) {
	if len(exs) == 0 {
		return math.NaN(), math.NaN()
	}
	k := m.Outputs()
	heads := m.Heads()
	for i, e := range exs {
		o := out[i*k : (i+1)*k]
		for _, h := range heads {
			switch h.Kind {
			case models.HeadSoftmax:
				loss -= math.Log(max(float64(o[h.Offset+int(e.y[h.TargetOffset])]), eps))
			case models.HeadSigmoid:
				for j := range h.Outputs {
					p, y := min(max(float64(o[h.Offset+j]), eps), 1-eps), float64(e.y[h.TargetOffset+j])
					loss -= (y*math.Log(p) + (1-y)*math.Log(1-p)) / float64(h.Outputs)
				}
			case models.HeadLinear:
				for j := range h.Outputs {
					diff := float64(o[h.Offset+j]) - float64(e.y[h.TargetOffset+j])
					loss += diff * diff / float64(h.Outputs)
				}
			}
		}
	}
	loss /= float64(len(exs))
	switch d.task {
	case dataset.Regress:
		var sum float64
		var n int
		for j, t := range d.targets {
			yt, yp := make([]float64, len(exs)), make([]float64, len(exs))
			for i, e := range exs {
				yt[i], yp[i] = float64(e.y[j]), float64(out[i*k+j])
			}
			r, err := eval.Regression(t, yt, yp)
			if err == nil && !math.IsNaN(r.Spearman) {
				sum += r.Spearman
				n++
			}
		}
		if n == 0 {
			return loss, math.NaN()
		}
		return loss, sum / float64(n)
	case dataset.Pairs:
		roc, err := eval.NewROC(d.scored(exs, out))
		if err != nil {
			return loss, math.NaN()
		}
		return loss, roc.AUC()
	}
	right := 0
	for i, e := range exs {
		if c, _ := probs(out, i, k).Predicted(); c == e.class {
			right++
		}
	}
	return loss, float64(right) / float64(len(exs))
}

// probs is example i's class probabilities as an eval.Classified (without ID and class).
func probs(out []float32, i, k int) eval.Classified {
	p := make([]float64, k)
	for j := range p {
		p[j] = float64(out[i*k+j])
	}
	return eval.Classified{Probs: p}
}

// scored turns pair predictions into ROC items.
func (d *data) scored(exs []example, out []float32) []eval.Scored {
	s := make([]eval.Scored, len(exs))
	for i, e := range exs {
		s[i] = eval.Scored{ID: e.id, Positive: e.class == 1, Score: float64(out[i])}
	}
	return s
}

// evaluate scores the final model on the test split (the validation split when there is no
// test split) and builds the result. Regression targets and predictions are reported in the
// targets' own units (MSE included); the loss is the training loss, on standardised targets.
func (r *runner) evaluate(d *data, m *models.Model, ps *progressState) (*Result, error) {
	split, exs := d.testName, d.test
	if len(exs) == 0 {
		split, exs = "val", d.val
	}
	if len(exs) == 0 {
		return nil, fmt.Errorf("evaluate: the split %q leaves no test or validation examples", r.spec.Split)
	}
	out, err := predict(m, d, exs)
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	res := &Result{RunID: r.id, Task: string(d.task), Split: split, Classes: d.classes, Metrics: Floats{},
		Epochs: ps.Epoch, BestEpoch: ps.Best, TrainSeconds: ps.Seconds, Problems: d.problems}
	if ps.Seconds > 0 {
		res.SamplesPerSecond = float64(ps.Samples) / ps.Seconds
	}
	loss, _ := d.score(m, exs, out)
	res.Metrics["loss"] = loss
	k := m.Outputs()
	switch d.task {
	case dataset.Classify:
		items := make([]eval.Classified, len(exs))
		var segs []eval.Segment
		for i, e := range exs {
			items[i] = probs(out, i, k)
			items[i].ID, items[i].True = e.id, e.class
			if e.clip != "" {
				segs = append(segs, eval.Segment{Clip: e.clip, Classified: items[i]})
			}
		}
		if err := res.classification(items); err != nil {
			return nil, err
		}
		if len(segs) > 0 {
			v, err := eval.VoteClips(d.classes, segs)
			if err != nil {
				return nil, err
			}
			res.Metrics["clip_accuracy"] = v.VoteAccuracy
			res.Metrics["clips"] = float64(len(v.Clips))
		}
	case dataset.Regress:
		yt, yp := make([][]float64, len(exs)), make([][]float64, len(exs))
		for i, e := range exs {
			yt[i], yp[i] = make([]float64, len(d.targets)), make([]float64, len(d.targets))
			for j := range d.targets {
				yt[i][j], yp[i][j] = e.raw[j], d.unstandardise(j, out[i*k+j])
			}
		}
		rm, err := eval.RegressionTargets(d.targets, yt, yp)
		if err != nil {
			return nil, fmt.Errorf("evaluate: %w", err)
		}
		res.Spearman, res.Pearson, res.MSE = Floats{}, Floats{}, Floats{}
		var sum, mse float64
		n := 0
		for _, t := range rm {
			res.Spearman[t.Target], res.Pearson[t.Target], res.MSE[t.Target] = t.Spearman, t.Pearson, t.MSE
			mse += t.MSE / float64(len(rm))
			if !math.IsNaN(t.Spearman) {
				sum += t.Spearman
				n++
			}
		}
		res.Metrics["mean_spearman"] = math.NaN()
		if n > 0 {
			res.Metrics["mean_spearman"] = sum / float64(n)
		}
		res.Metrics["mse"] = mse
	case dataset.Pairs:
		if err := r.pairs(res, d, m, exs, out); err != nil {
			return nil, err
		}
	}
	r.emit(EvalDone{Header: r.header(), Split: split, Result: res})
	return res, nil
}

// classification fills the report, the confusion matrix and the predictions of a
// classification.
func (res *Result) classification(items []eval.Classified) error {
	rows, err := eval.ClassRows(res.Classes, items)
	if err != nil {
		return fmt.Errorf("evaluate: %w", err)
	}
	res.Items = items
	return res.report(rows)
}

// report fills the classification report, the confusion matrix and the predictions from
// prediction rows.
func (res *Result) report(rows []eval.Row) error {
	yt, yp := eval.Columns(rows)
	rep, err := eval.NewReport(yt, yp, res.Classes)
	if err != nil {
		return fmt.Errorf("evaluate: %w", err)
	}
	conf, err := eval.NewConfusion(yt, yp, res.Classes)
	if err != nil {
		return fmt.Errorf("evaluate: %w", err)
	}
	res.Predictions, res.Confusion = rows, conf.Counts
	total := 0
	for _, c := range rep.Classes {
		res.Report = append(res.Report, ReportRow{Class: c.Class, Precision: c.Precision, Recall: c.Recall, F1: c.F1, Support: c.Support})
		total += c.Support
	}
	res.Report = append(res.Report,
		ReportRow{Class: "accuracy", Precision: rep.Accuracy, Recall: rep.Accuracy, F1: rep.Accuracy, Support: total},
		ReportRow{Class: "macro avg", Precision: rep.Macro.Precision, Recall: rep.Macro.Recall, F1: rep.Macro.F1, Support: rep.Macro.Support},
		ReportRow{Class: "weighted avg", Precision: rep.Weighted.Precision, Recall: rep.Weighted.Recall, F1: rep.Weighted.F1, Support: rep.Weighted.Support})
	res.Metrics["accuracy"] = rep.Accuracy
	res.Metrics["macro_f1"] = rep.Macro.F1
	res.Metrics["weighted_f1"] = rep.Weighted.F1
	return nil
}

// pairs scores a pair task: ROC AUC and equal error rate on the evaluated pairs, and the
// decisions at a threshold chosen on the validation pairs (their equal-error operating
// point), or on the evaluated pairs themselves when there are no validation pairs with both
// kinds. Predictions' IDs are "A|B", the IDs of the two items, and their score the model's
// "same" probability.
func (r *runner) pairs(res *Result, d *data, m *models.Model, exs []example, out []float32) error {
	roc, err := eval.NewROC(d.scored(exs, out))
	if err != nil {
		return fmt.Errorf("evaluate: %w", err)
	}
	auc := roc.AUC()
	eer, op := roc.EER()
	threshold := op.Threshold
	if res.Split == "test" && len(d.val) > 0 {
		vout, err := predict(m, d, d.val)
		if err != nil {
			return fmt.Errorf("evaluate: %w", err)
		}
		if vroc, err := eval.NewROC(d.scored(d.val, vout)); err == nil {
			_, vop := vroc.EER()
			threshold = vop.Threshold
		}
	}
	res.AUC, res.EER, res.Threshold = &auc, &eer, &threshold
	res.Metrics["auc"], res.Metrics["eer"], res.Metrics["threshold"] = auc, eer, threshold
	rows := make([]eval.Row, len(exs))
	res.Items = make([]eval.Classified, len(exs))
	for i, e := range exs {
		s := float64(out[i])
		rows[i] = eval.Row{ID: e.id, True: d.classes[e.class], Pred: d.classes[0], Score: s}
		if s >= threshold {
			rows[i].Pred = d.classes[1]
		}
		res.Items[i] = eval.Classified{ID: e.id, True: e.class, Probs: []float64{1 - s, s}}
	}
	return res.report(rows)
}

// EvalOptions say what Evaluate scores and how; Threads and Extract never change a number.
type EvalOptions struct {
	// Data, when not nil, is another dataset to score instead of the spec's.
	Data *DatasetRef
	// Split, when not "", replaces the spec's split (a dataset.ParseSplitSpec string).
	Split string
	// All scores every item (or pair) of the dataset, not the split's test part.
	All bool
	// Threads bounds feature extraction and the kernels (0: the spec's, else all cores).
	Threads int
	// Extract computes features of whole audio files (a cache); nil extracts directly.
	Extract ExtractFunc
}

// Evaluate scores a saved model (a run's ModelFile) the way the run that trained it did: the
// run's spec opens and splits the dataset (with its seed), the features of the test part (the
// validation part when there is none) are computed and normalised with the statistics saved
// in the model, and the result is built by the same code as a run's, so that evaluating a
// run's model on its own spec reproduces the run's Result bit for bit (metrics, report,
// confusion, predictions; not the training times). The model decides the task, the classes
// and targets, and the feature configuration; items whose class the model does not know are
// left out and reported in Result.Problems. Pairs are scored at the threshold of the
// validation pairs' equal-error point, as in training.
func Evaluate(ctx context.Context, spec RunSpec, modelPath string, opt EvalOptions) (*Result, error) {
	if opt.Data != nil {
		spec.Dataset = *opt.Data
	}
	if opt.Split != "" {
		spec.Split = opt.Split
	}
	if spec.Dataset.Spec.Root == "" {
		return nil, fmt.Errorf("evaluate: no dataset folder given")
	}
	if spec.Split != "" {
		if _, err := dataset.ParseSplitSpec(spec.Split); err != nil {
			return nil, fmt.Errorf("split: %w", err)
		}
	}
	if spec.Train.Batch <= 0 {
		spec.Train.Batch = defaultBatch
	}
	r := &runner{spec: spec, opt: Options{Threads: opt.Threads, Extract: opt.Extract}, emit: func(Event) {}}
	m, meta, err := models.LoadFile(modelPath, models.Options{Batch: spec.Train.Batch, Threads: r.threads()})
	if err != nil {
		return nil, err
	}
	if err := r.modelFeatures(m, meta); err != nil {
		return nil, fmt.Errorf("%s: %w", modelPath, err)
	}
	heads := m.Heads()
	switch {
	case m.Spec().Siamese:
		r.spec.Task = string(dataset.Pairs)
	case len(heads) == 1 && heads[0].Kind == models.HeadSoftmax:
		r.spec.Task = string(dataset.Classify)
		if len(meta.Classes) != heads[0].Outputs {
			return nil, fmt.Errorf("%s: %d class names for %d outputs", modelPath, len(meta.Classes), heads[0].Outputs)
		}
	default:
		r.spec.Task = string(dataset.Regress)
	}
	cat, d, err := r.open()
	if err != nil {
		return nil, err
	}
	var part dataset.Partition
	if opt.All {
		n := len(cat.Items)
		if d.task == dataset.Pairs {
			n = len(cat.Pairs)
		}
		for i := range n {
			part.Test = append(part.Test, i)
		}
		d.testName = "all"
	} else if part, err = r.partition(cat, d); err != nil {
		return nil, err
	}
	switch d.task {
	case dataset.Classify:
		d.classes = meta.Classes
	case dataset.Regress:
		if d.targets, d.namedTargets = evalTargets(m, meta, cat.Targets); len(d.targets) != m.Outputs() {
			return nil, fmt.Errorf("%s: %d targets (%s) for %d outputs", modelPath, len(d.targets), strings.Join(d.targets, ", "), m.Outputs())
		}
	}
	if err := d.examples(cat, part); err != nil {
		return nil, err
	}
	if !opt.All {
		d.validation(r.spec.Seed)
	}
	// Only the evaluated examples need features, and the validation pairs that choose the
	// threshold.
	d.train = nil
	if len(d.test) > 0 && d.task != dataset.Pairs {
		d.val = nil
	}
	if err := r.features(ctx, d); err != nil {
		return nil, err
	}
	if in := m.Spec().Input; d.bins != 0 && in[len(in)-1] != d.bins {
		return nil, fmt.Errorf("%s: the model reads %d feature bins, the features of %s give %d", modelPath, in[len(in)-1], cat.Root, d.bins)
	}
	if n := meta.Norm; n != nil && r.spec.Features.Normalize != NormalizeNone && len(n.Mean) != 1 && len(n.Mean) != d.bins {
		return nil, fmt.Errorf("%s: normalisation statistics of %d values do not fit %d feature bins", modelPath, len(n.Mean), d.bins)
	}
	d.normalise(r.spec.Features, meta.Norm)
	if d.task == dataset.Regress && meta.TargetNorm != nil {
		d.standardiseTargets(meta.TargetNorm)
	}
	res, err := r.evaluate(d, m, &progressState{})
	if err != nil {
		return nil, err
	}
	res.Model = modelPath
	return res, nil
}

// modelFeatures sets the spec's features to those the model was trained on (its saved
// feature spec; the input shape decides what the saved spec leaves open).
func (r *runner) modelFeatures(m *models.Model, meta models.Meta) error {
	f := &r.spec.Features
	if len(meta.Features) > 0 {
		*f = FeatureSpec{}
		if err := json.Unmarshal(meta.Features, f); err != nil {
			return fmt.Errorf("feature configuration: %w", err)
		}
	}
	in := m.Spec().Input
	if len(in) < 2 {
		return fmt.Errorf("input shape %v is not frames x bins", in)
	}
	if f.Layout == "" {
		f.Layout = LayoutImage
		if len(in) == 2 {
			f.Layout = LayoutSequence
		}
	}
	if f.Frames == 0 {
		f.Frames = in[len(in)-2]
	}
	switch f.Config.Kind {
	case KindImage:
		if f.Normalize == "" {
			f.Normalize = NormalizeGlobal
		}
		f.ImageSize = f.Frames
	case KindNpy:
	default:
		fillConfig(&f.Config)
	}
	if f.Normalize == "" {
		f.Normalize = NormalizeBin
	}
	return nil
}

// evalTargets are a regression model's target names: the saved ones, else its named heads,
// else the dataset's targets.
func evalTargets(m *models.Model, meta models.Meta, all []string) (names []string, named bool) {
	heads := m.Heads()
	named = len(heads) > 0 && heads[0].Name != ""
	if len(meta.Targets) > 0 {
		return meta.Targets, named
	}
	if named {
		for _, h := range heads {
			names = append(names, h.Name)
		}
		return names, true
	}
	return slices.Clone(all), false
}
