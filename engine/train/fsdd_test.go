package train

import (
	"context"
	"testing"
	"time"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/internal/testshared"
)

// FSDDSpec is the run that reaches the goal on the Free Spoken Digit Dataset: the
// official split (takes 0-4 are the test set), 40-band log-mel at 8 kHz (32 ms windows, 10 ms
// hop) cut or padded to one second, and the keyword-spotting CNN.
func fsddSpec(root string) RunSpec {
	cfg := extract.Default("mel-db")
	cfg.NFFT, cfg.Hop, cfg.NMels = 256, 128, 40
	return RunSpec{
		Dataset:  DatasetRef{Spec: dataset.Spec{Root: root, Layout: dataset.LayoutFSDD}},
		Split:    dataset.SplitFSDD,
		Features: FeatureSpec{Config: cfg, Frames: 64},
		Model:    ModelRef{Preset: "kws-cnn"},
		Train:    TrainConfig{Epochs: 10, Batch: 32, LR: 1e-3},
		Seed:     1,
	}
}

func TestFSDDReaches97(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on the whole FSDD (minutes); skipped with -short")
	}
	root := testshared.Path(t, "datasets", "fsdd")
	start := time.Now()
	run, err := Start(context.Background(), "fsdd", fsddSpec(root), Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var prepared time.Duration
	for ev := range run.Events() {
		switch e := ev.(type) {
		case RunStarted:
			prepared = time.Since(start)
			t.Logf("data ready in %.1fs: sizes %v, input %v, %d params, %d problems", prepared.Seconds(), e.Sizes, e.Input, e.Params, len(e.Problems))
		case EpochDone:
			t.Logf("epoch %d: train loss %.4f acc %.4f, val loss %.4f acc %.4f, %.1fs, %.0f samples/s",
				e.Epoch, e.TrainLoss, e.TrainMetric, e.ValLoss, e.ValMetric, e.Seconds, e.SamplesPerSecond)
		}
	}
	res, err := run.Wait()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FSDD test accuracy %.4f (macro F1 %.4f) after %d epochs (best %d); total %.1fs, training %.1fs",
		res.Metrics["accuracy"], res.Metrics["macro_f1"], res.Epochs, res.BestEpoch, time.Since(start).Seconds(), res.TrainSeconds)
	if acc := res.Metrics["accuracy"]; acc < 0.97 {
		t.Errorf("FSDD test accuracy %.4f, want at least 0.97", acc)
	}
}
