package train_test

import (
	"context"
	"fmt"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/engine/train"
)

// A keyword-spotting CNN on the Free Spoken Digit Dataset with its official split, watched
// epoch by epoch.
func ExampleStart() {
	mel := extract.Default("mel-db")
	mel.NFFT, mel.Hop, mel.NMels = 256, 128, 40
	spec := train.RunSpec{
		Dataset:  train.DatasetRef{Spec: dataset.Spec{Root: "datasets/fsdd", Layout: dataset.LayoutFSDD}},
		Split:    dataset.SplitFSDD,
		Features: train.FeatureSpec{Config: mel, Frames: 64},
		Model:    train.ModelRef{Preset: "kws-cnn"},
		Train:    train.TrainConfig{Epochs: 10, Batch: 32, LR: 1e-3},
		Seed:     1,
	}
	run, err := train.Start(context.Background(), "run-1", spec, train.Options{Dir: "runs/run-1"})
	if err != nil {
		fmt.Println(err) // a bad field of the spec, named
		return
	}
	for ev := range run.Events() {
		switch e := ev.(type) {
		case train.EpochDone:
			fmt.Printf("epoch %d: val accuracy %.3f\n", e.Epoch, e.ValMetric)
		case train.RunFinished:
			if e.Err != "" {
				fmt.Println("failed:", e.Err)
			} else {
				fmt.Printf("test accuracy %.3f\n", e.Result.Metrics["accuracy"])
			}
		}
	}
}
