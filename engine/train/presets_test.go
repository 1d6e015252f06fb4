package train

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/demo"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/internal/testshared"
	"github.com/hark-audio/hark/models"
)

// runLogged runs a spec to the end, logging its epochs, and returns the result.
func runLogged(t *testing.T, spec RunSpec, opt Options) *Result {
	t.Helper()
	start := time.Now()
	run, err := Start(context.Background(), t.Name(), spec, opt)
	if err != nil {
		t.Fatal(err)
	}
	for ev := range run.Events() {
		switch e := ev.(type) {
		case RunStarted:
			t.Logf("%.1fs: sizes %v, input %v, %d params, %d problems %.300q", time.Since(start).Seconds(), e.Sizes, e.Input, e.Params, len(e.Problems), e.Problems)
		case EpochDone:
			t.Logf("epoch %d: train loss %.4f %s %.4f, val loss %.4f %s %.4f, lr %g, %.1fs, %.0f samples/s",
				e.Epoch, e.TrainLoss, e.Metric, e.TrainMetric, e.ValLoss, e.Metric, e.ValMetric, e.LR, e.Seconds, e.SamplesPerSecond)
		}
	}
	res, err := run.Wait()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s on %s: metrics %v (%.1fs)", res.Task, res.Split, res.Metrics, time.Since(start).Seconds())
	return res
}

func TestBiLSTMOnSequences(t *testing.T) {
	s := demoSpec(t)
	s.Model = ModelRef{Preset: "bilstm"}
	s.Features.Config.NMels = 16
	s.Features.Layout = "" // a recurrent model reads sequences
	s.Train.Epochs = 2
	if testing.Short() {
		s.Train.Epochs = 1
	}
	res := runLogged(t, s, Options{})
	if res.Epochs != s.Train.Epochs || math.IsNaN(res.Metrics["loss"]) {
		t.Errorf("bilstm run: %d epochs, loss %v", res.Epochs, res.Metrics["loss"])
	}
}

// TestRegressionMultitaskHeads trains one head per target on the demo's tempo (BPM, 80-160)
// and brightness (0-1): targets are standardised with the training split's statistics, so
// neither swamps the loss, and reported in their own units. Without -short it trains on 300
// clips of 3 s and both targets must be learnt.
func TestRegressionMultitaskHeads(t *testing.T) {
	dir, err := demoDir()
	if err != nil {
		t.Fatal(err)
	}
	s := demoSpec(t)
	s.Train.Epochs = 3
	if !testing.Short() {
		dir = t.TempDir()
		if _, err := demo.Generate(dir, demo.Options{Seed: 5, PerClass: 50, SampleRate: 8000, Seconds: 3}); err != nil {
			t.Fatal(err)
		}
		s.Features.Config.NMels, s.Features.Config.NFFT, s.Features.Config.Hop = 64, 1024, 256
		s.Train.Epochs, s.Train.LR = 30, 1e-3
		s.Train.EarlyStop = EarlyStop{Patience: 5, Monitor: MonitorValMetric}
	}
	s.Dataset.Spec = dataset.Spec{Root: dir, Layout: dataset.LayoutManifest,
		Manifest: dataset.ManifestSpec{File: demo.TargetsFile, Targets: []string{"tempo", "brightness"}}}
	s.Task = string(dataset.Regress)
	s.Model = ModelRef{Spec: &models.Spec{Name: "bn-cnn", Layers: []models.Layer{
		{Type: models.LayerConv2D, Filters: 16, Kernel: []int{3, 3}},
		{Type: models.LayerBatchNorm}, {Type: models.LayerActivation, Activation: models.ActReLU},
		{Type: models.LayerMaxPool, Pool: []int{2, 2}},
		{Type: models.LayerConv2D, Filters: 32, Kernel: []int{3, 3}},
		{Type: models.LayerBatchNorm}, {Type: models.LayerActivation, Activation: models.ActReLU},
		{Type: models.LayerGlobalAvgPool},
		{Type: models.LayerDense, Units: 32, Activation: models.ActReLU},
	}, Heads: []models.Head{{Name: "tempo", Kind: models.HeadLinear, Outputs: 1}, {Name: "brightness", Kind: models.HeadLinear, Outputs: 1}}}}
	res := runLogged(t, s, Options{})
	if len(res.Spearman) != 2 || len(res.Pearson) != 2 || len(res.MSE) != 2 {
		t.Fatalf("per-target metrics %v %v %v", res.Spearman, res.Pearson, res.MSE)
	}
	// MSE is in the targets' units: tempo's in BPM squared (a uniform 80-160 has variance 533),
	// brightness's below 1.
	if m := res.MSE["tempo"]; !(m > 10 && m < 2000) {
		t.Errorf("tempo MSE %v: not in BPM squared", m)
	}
	if m := res.MSE["brightness"]; !(m < 0.3) {
		t.Errorf("brightness MSE %v: not in the target's 0-1 units", m)
	}
	if testing.Short() {
		return
	}
	for _, target := range []string{"tempo", "brightness"} {
		if r := res.Spearman[target]; !(r > 0.15) {
			t.Errorf("%s Spearman %.3f, want a clear positive correlation", target, r)
		}
	}
}

func TestGTZANSegmentsVoteClips(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on GTZAN mini; skipped with -short")
	}
	root := testshared.Path(t, "datasets", "gtzan_mini")
	cfg := extract.Default("mfcc")
	cfg.NMFCC = 13
	s := RunSpec{
		Dataset: DatasetRef{Spec: dataset.Spec{Root: root, Segments: dataset.SegmentSpec{Length: 5 * time.Second}}},
		// 3 of each genre's 5 clips train, 1 validates, 1 tests (whole clips: no segment leaks).
		Split:    "random:0.6,0.2,0.2",
		Features: FeatureSpec{Config: cfg},
		Model:    ModelRef{Preset: "gtzan-cnn"},
		Train: TrainConfig{Epochs: 6, Batch: 32, LR: 1.5e-3,
			Schedule:  Schedule{Kind: SchedulePlateau, Factor: 0.9, Patience: 4},
			EarlyStop: EarlyStop{Patience: 8}},
		Seed: 1,
	}
	res := runLogged(t, s, Options{Dir: t.TempDir()})
	if got := res.Metrics["clips"]; got < 10 {
		t.Errorf("voted %v clips, want one per test clip (at least 10)", got)
	}
	if _, ok := res.Metrics["clip_accuracy"]; !ok {
		t.Errorf("no clip_accuracy in %v", res.Metrics)
	}
	for _, p := range res.Predictions {
		if !strings.Contains(p.ID, "#") {
			t.Errorf("prediction %q is not a segment", p.ID)
			break
		}
	}
	if in := res.Items[0].Probs; len(in) != 10 {
		t.Errorf("%d class probabilities, want 10 genres", len(in))
	}
}

func TestLFWSiamesePairs(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on LFW pairs; skipped with -short")
	}
	root := testshared.Path(t, "datasets", "lfw_pairs")
	// A small pair list: the first 150 same and the first 150 different pairs of DevTrain.
	b, err := os.ReadFile(filepath.Join(root, "pairsDevTrain.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var same, diff []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		switch len(strings.Fields(line)) {
		case 3:
			same = append(same, line)
		case 4:
			diff = append(diff, line)
		}
	}
	list := filepath.Join(t.TempDir(), "pairsSmall.txt")
	if err := os.WriteFile(list, []byte(strings.Join(append(same[:150], diff[:150]...), "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := RunSpec{
		Dataset:  DatasetRef{Spec: dataset.Spec{Root: root, Layout: dataset.LayoutPairs, PairFiles: []string{list}}},
		Features: FeatureSpec{Config: extract.Config{Kind: KindImage}, ImageSize: 48},
		Model:    ModelRef{Preset: "siamese"},
		Train:    TrainConfig{Epochs: 3, Batch: 32, LR: 1e-4, Schedule: Schedule{Kind: ScheduleStep, Step: 10, Gamma: 0.1}},
		Seed:     1,
	}
	res := runLogged(t, s, Options{})
	if res.AUC == nil || res.EER == nil || res.Threshold == nil {
		t.Fatalf("pair metrics missing: %+v", res.Metrics)
	}
	if len(res.Classes) != 2 || len(res.Confusion) != 2 || !strings.Contains(res.Predictions[0].ID, "|") {
		t.Errorf("classes %v, confusion %v, first prediction %+v", res.Classes, res.Confusion, res.Predictions[0])
	}
	fmt.Fprintf(os.Stderr, "LFW small: AUC %.3f EER %.3f accuracy %.3f\n", *res.AUC, *res.EER, res.Metrics["accuracy"])
}

func TestPrecomputedNpyFeatures(t *testing.T) {
	src, err := demoDir()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	paths, err := extract.AudioFiles(src)
	if err != nil {
		t.Fatal(err)
	}
	cfg := extract.Default("mfcc")
	cfg.NFFT, cfg.Hop, cfg.NMels, cfg.NMFCC = 512, 256, 32, 13
	err = extract.Files(context.Background(), paths, cfg, 2, func(fr extract.FileResult) {
		if fr.Err != nil {
			t.Fatal(fr.Err)
		}
		rel, _ := filepath.Rel(src, fr.Path)
		if err := fr.Result.WriteNpyFile(filepath.Join(dir, strings.TrimSuffix(rel, ".wav")+".npy")); err != nil {
			t.Fatal(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	s := demoSpec(t)
	s.Dataset.Spec = dataset.Spec{Root: dir, Layout: dataset.LayoutFolders}
	s.Features = FeatureSpec{Config: extract.Config{Kind: KindNpy}}
	s.Train.Epochs = 2
	res := runLogged(t, s, Options{})
	if res.Epochs != 2 || len(res.Predictions) == 0 {
		t.Errorf("npy run: %d epochs, %d predictions", res.Epochs, len(res.Predictions))
	}
}
