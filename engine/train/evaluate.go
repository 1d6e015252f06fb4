package train

import (
	"fmt"
	"math"

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
// test split) and builds the result.
func (r *runner) evaluate(d *data, m *models.Model, ps *progressState) (*Result, error) {
	split, exs := "test", d.test
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
				yt[i][j], yp[i][j] = float64(e.y[j]), float64(out[i*k+j])
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
