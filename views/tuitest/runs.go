package tuitest

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/eval"
	"github.com/hark-audio/hark/engine/train"
)

// DemoClasses are the demo dataset's classes, in order.
func DemoClasses() []string { return []string{"arpeggio", "bass", "chords", "drums", "hihat", "vowel"} }

// t0 is the fixed time of synthetic events, so that views that show times do not change.
var t0 = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

// ClassifyResult returns a deterministic classification result over classes with items named
// "<class>/<class>_00N.wav" (the demo dataset's IDs), perItem items per class: most are right,
// a few confused with the next class, the confidences spread so that ordering matters.
func ClassifyResult(id string, classes []string, perItem int) *train.Result {
	k := len(classes)
	res := &train.Result{RunID: id, Task: "classify", Split: "test", Classes: classes, Metrics: map[string]float64{},
		Epochs: 20, BestEpoch: 17, TrainSeconds: 12.5, SamplesPerSecond: 850}
	conf := make([][]int, k)
	for i := range conf {
		conf[i] = make([]int, k)
	}
	right := 0
	for t := range k {
		for j := range perItem {
			probs := make([]float64, k)
			pred := t
			if (t+j)%3 == 0 && j > 0 { // every third item goes wrong, to the next class
				pred = (t + 1) % k
			}
			c := 0.55 + 0.4*float64((j*7+t*3)%10)/10
			for i := range probs {
				probs[i] = (1 - c) / float64(k-1)
			}
			probs[pred] = c
			id := fmt.Sprintf("%s/%s_%03d.wav", classes[t], classes[t], j)
			res.Items = append(res.Items, eval.Classified{ID: id, True: t, Probs: probs})
			res.Predictions = append(res.Predictions, eval.Row{ID: id, True: classes[t], Pred: classes[pred], Score: c})
			conf[t][pred]++
			if pred == t {
				right++
			}
		}
	}
	res.Confusion = conf
	rows := make([]eval.Row, len(res.Predictions))
	copy(rows, res.Predictions)
	yt, yp := eval.Columns(rows)
	rep, err := eval.NewReport(yt, yp, classes)
	if err == nil {
		for _, c := range rep.Classes {
			res.Report = append(res.Report, train.ReportRow{Class: c.Class, Precision: c.Precision, Recall: c.Recall, F1: c.F1, Support: c.Support})
		}
		res.Report = append(res.Report,
			train.ReportRow{Class: "accuracy", F1: rep.Accuracy, Support: len(rows)},
			train.ReportRow{Class: "macro avg", Precision: rep.Macro.Precision, Recall: rep.Macro.Recall, F1: rep.Macro.F1, Support: len(rows)},
			train.ReportRow{Class: "weighted avg", Precision: rep.Weighted.Precision, Recall: rep.Weighted.Recall, F1: rep.Weighted.F1, Support: len(rows)})
		res.Metrics["macro_f1"], res.Metrics["weighted_f1"] = rep.Macro.F1, rep.Weighted.F1
	}
	res.Metrics["accuracy"] = float64(right) / float64(len(rows))
	return res
}

// PairResult returns a deterministic pair result of n same and n different pairs of the demo
// items, with overlapping score distributions.
func PairResult(id string, n int) *train.Result {
	res := &train.Result{RunID: id, Task: "pairs", Split: "test", Metrics: map[string]float64{}, Epochs: 10, BestEpoch: 8}
	for i := range 2 * n {
		same := i < n
		x := float64(i%n) / float64(n)
		score := 0.15 + 0.6*x
		label := "different"
		if same {
			score, label = 0.35+0.6*x, "same"
		}
		a := fmt.Sprintf("drums/drums_%03d.wav", i%4)
		b := fmt.Sprintf("bass/bass_%03d.wav", (i+1)%4)
		if same {
			b = fmt.Sprintf("drums/drums_%03d.wav", (i+1)%4)
		}
		res.Predictions = append(res.Predictions, eval.Row{ID: fmt.Sprintf("%s|%s#%d", a, b, i), True: label, Pred: label, Score: score})
	}
	roc, err := eval.NewROC(pairScored(res))
	if err == nil {
		auc := roc.AUC()
		eer, op := roc.EER()
		res.AUC, res.EER, res.Threshold = &auc, &eer, &op.Threshold
		res.Metrics["accuracy"] = op.Accuracy
	}
	return res
}

func pairScored(res *train.Result) []eval.Scored {
	var out []eval.Scored
	for _, r := range res.Predictions {
		out = append(out, eval.Scored{ID: r.ID, Positive: r.True == "same", Score: r.Score})
	}
	return out
}

// TrainEvents returns the events of a synthetic classification run of epochs epochs of
// batches batches (each epoch's BatchDone reports, then its EpochDone), with falling losses
// and rising accuracies, and early stopping of patience 5 tracking the best validation loss.
func TrainEvents(id string, spec train.RunSpec, epochs, batches int) []train.Event {
	h := func(s int) train.Header { return train.Header{Run: id, Time: t0.Add(time.Duration(s) * time.Second)} }
	evs := []train.Event{train.RunStarted{Header: h(0), Spec: spec, Task: "classify", Classes: DemoClasses(),
		Sizes: map[string]int{"train": 19, "val": 5}, Input: []int{1, 44, 20}, Params: 12345}}
	best, bestLoss, wait := 0, math.Inf(1), 0
	total := spec.Train.Epochs
	if total == 0 {
		total = epochs
	}
	for e := 1; e <= epochs; e++ {
		x := float64(e)
		trainLoss := 1.8*math.Exp(-x/6) + 0.05 + 0.04*math.Sin(x*1.7)
		valLoss := 1.9*math.Exp(-x/7) + 0.2 + 0.06*math.Sin(x*2.3) + 0.004*x
		for b := 1; b <= batches; b++ {
			evs = append(evs, train.BatchDone{Header: h(e*10 + b), Epoch: e, Batch: b, Batches: batches,
				Loss: trainLoss * (1 + 0.1*float64(batches-b)/float64(batches)), SamplesPerSecond: 800 + float64(b)})
		}
		if valLoss < bestLoss {
			best, bestLoss, wait = e, valLoss, 0
		} else {
			wait++
		}
		evs = append(evs, train.EpochDone{Header: h(e*10 + batches), Epoch: e, Epochs: total,
			TrainLoss: trainLoss, ValLoss: valLoss, Metric: "accuracy",
			TrainMetric: 1 - 0.8*math.Exp(-x/5), ValMetric: 1 - 0.85*math.Exp(-x/6) - 0.03*math.Sin(x),
			LR: 1e-3 * math.Pow(0.5, float64(e/10)), Seconds: 2.5, SamplesPerSecond: 820, Best: best, Wait: wait})
	}
	return evs
}

// Starter returns an engine.Starter whose runs emit script's events (RunFinished excepted: the
// run sends it with script's result). With a gate, each EpochDone waits for a value on it.
func Starter(script func(id string, spec train.RunSpec) ([]train.Event, *train.Result), gate <-chan struct{}) engine.Starter {
	return func(ctx context.Context, id string, spec train.RunSpec) (*train.Run, error) {
		if spec.Name == "bad" {
			return nil, fmt.Errorf("cannot start %s: bad spec", id)
		}
		evs, res := script(id, spec)
		return train.Launch(ctx, id, spec, func(ctx context.Context, emit func(train.Event)) (*train.Result, error) {
			for _, ev := range evs {
				if _, ok := ev.(train.EpochDone); ok && gate != nil {
					select {
					case <-gate:
					case <-ctx.Done():
						return res, ctx.Err()
					}
				}
				if ctx.Err() != nil {
					return res, ctx.Err()
				}
				emit(ev)
			}
			return res, nil
		}), nil
	}
}
