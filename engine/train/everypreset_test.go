package train

import (
	"math"
	"testing"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/models"
)

// TestEveryPresetTrains runs every preset but siamese (it needs pairs: TestLFWSiamesePairs)
// for two epochs on the demo dataset: bilstm on sequences, multitask-cnn on the demo's two
// regression targets (its heads adapt to them), the rest as classifiers. Each must build for
// the demo's input shape, train with a finite loss, and be evaluated.
func TestEveryPresetTrains(t *testing.T) {
	for _, name := range models.PresetNames() {
		if name == "siamese" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			s := demoSpec(t)
			s.Model = ModelRef{Preset: name}
			s.Train.Epochs, s.Train.LR = 2, 1e-3
			s.Features.Frames = 64
			switch name {
			case "vggish":
				// 72M parameters: one Adam step takes seconds on two cores.
				if testing.Short() {
					t.Skip("vggish is slow to train; run without -short")
				}
				s.Train.Epochs = 1
			case "bilstm":
				s.Features.Layout = LayoutSequence
			case "multitask-cnn":
				// Its heads are regression targets: train it on the demo's two.
				s.Task = string(dataset.Regress)
				s.Dataset.Spec.Layout = dataset.LayoutManifest
				s.Dataset.Spec.Manifest = dataset.ManifestSpec{Targets: []string{"tempo", "brightness"}}
			}
			res := runLogged(t, s, Options{})
			if loss := res.Metrics["loss"]; math.IsNaN(loss) || math.IsInf(loss, 0) {
				t.Errorf("%s: loss %v", name, loss)
			}
			if res.Epochs != s.Train.Epochs {
				t.Errorf("%s: %d epochs, want 2", name, res.Epochs)
			}
		})
	}
}
