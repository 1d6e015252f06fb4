package train

import (
	"context"
	"reflect"
	"testing"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/demo"
	"github.com/hark-audio/hark/models"
)

// evalNumbers are the parts of a Result that evaluation must reproduce: everything but the
// training's epochs, times and files.
func evalNumbers(r *Result) Result {
	return Result{Task: r.Task, Split: r.Split, Classes: r.Classes, Metrics: r.Metrics, Report: r.Report,
		Confusion: r.Confusion, Spearman: r.Spearman, Pearson: r.Pearson, MSE: r.MSE, AUC: r.AUC, EER: r.EER,
		Threshold: r.Threshold, Predictions: r.Predictions, Items: r.Items}
}

// TestEvaluateReproducesTheRun trains a classifier, a two-target regression and a siamese pair
// model, then evaluates each saved model on the run's own spec: the numbers must be the run's,
// bit for bit.
func TestEvaluateReproducesTheRun(t *testing.T) {
	dir, err := demoDir()
	if err != nil {
		t.Fatal(err)
	}
	classify := demoSpec(t)
	classify.Train.Epochs = 2

	regress := demoSpec(t)
	regress.Dataset.Spec = dataset.Spec{Root: dir, Layout: dataset.LayoutManifest,
		Manifest: dataset.ManifestSpec{File: demo.TargetsFile, Targets: []string{"tempo", "brightness"}}}
	regress.Task = string(dataset.Regress)
	regress.Train.Epochs = 2

	pairs := demoSpec(t)
	pairs.Dataset.Spec.Pairs = &dataset.PairSpec{By: "label", N: 120, Seed: 1}
	tower := smallCNN()
	tower.Siamese = true
	pairs.Model = ModelRef{Spec: tower}
	pairs.Train.Epochs = 2

	for _, c := range []struct {
		name string
		spec RunSpec
	}{{"classify", classify}, {"regress", regress}, {"pairs", pairs}} {
		t.Run(c.name, func(t *testing.T) {
			run, err := Start(context.Background(), c.name, c.spec, Options{Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			want, evs := collect(t, run)
			var recorded string
			for _, ev := range evs {
				if e, ok := ev.(RunStarted); ok {
					recorded = e.Spec.Dataset.Fingerprint
				}
			}
			if fp, err := Fingerprint(context.Background(), c.spec.Dataset); err != nil || fp != recorded {
				t.Errorf("Fingerprint %q (%v), the run recorded %q", fp, err, recorded)
			}
			got, err := Evaluate(context.Background(), run.Spec(), want.Model, EvalOptions{Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(want.Metrics) == 0 || !reflect.DeepEqual(evalNumbers(got), evalNumbers(want)) {
				t.Errorf("evaluation differs from the run:\n got %+v\nwant %+v", evalNumbers(got).Metrics, evalNumbers(want).Metrics)
			}
			if c.name == "regress" {
				_, meta, err := models.LoadFile(want.Model, models.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(meta.Targets, []string{"brightness", "tempo"}) || meta.TargetNorm == nil || len(meta.TargetNorm.Mean) != 2 {
					t.Errorf("saved targets %v, normalisation %v", meta.Targets, meta.TargetNorm)
				}
			}
		})
	}
}
