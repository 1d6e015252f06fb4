package train

import (
	"path/filepath"
	"testing"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/models"
)

// TestTransferClassifierToRegression is the seed's genre-to-emotion transfer on the demo data:
// train a classifier, then start a regression run from its saved model with the convolutions
// frozen. The new run must replace the softmax head with the targets' linear heads, keep the
// convolutions frozen in the model it saves, and report regression metrics.
func TestTransferClassifierToRegression(t *testing.T) {
	first := demoSpec(t)
	first.Train.Epochs = 3
	dir := t.TempDir()
	res := runLogged(t, first, Options{Dir: filepath.Join(dir, "genre")})
	if res.Model == "" {
		t.Fatal("the classifier run saved no model")
	}

	second := demoSpec(t)
	second.Train.Epochs = 3
	second.Task = string(dataset.Regress)
	second.Dataset.Spec.Layout = dataset.LayoutManifest
	second.Dataset.Spec.Manifest = dataset.ManifestSpec{Targets: []string{"tempo", "brightness"}}
	second.Model = ModelRef{From: res.Model, Freeze: []string{"conv2d"}}
	got := runLogged(t, second, Options{Dir: filepath.Join(dir, "emotion")})
	if got.Task != string(dataset.Regress) || len(got.Spearman) != 2 {
		t.Fatalf("transfer run: task %s, spearman %v; want regression on two targets", got.Task, got.Spearman)
	}
	m, _, err := models.LoadFile(got.Model, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	spec := m.Spec()
	frozen := 0
	for _, l := range spec.Layers {
		if l.Type == models.LayerConv2D {
			if !l.Frozen {
				t.Errorf("convolution %+v is not frozen in the fine-tuned model", l)
			}
			frozen++
		}
	}
	if frozen == 0 {
		t.Error("the fine-tuned model has no convolutions")
	}
	for _, h := range spec.AllHeads() {
		if h.Kind != models.HeadLinear {
			t.Errorf("head %q is %s, want linear", h.Name, h.Kind)
		}
	}
}
