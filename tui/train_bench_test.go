package tui

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/demo"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/views/common"
)

// BenchmarkTrainingWatched measures what watching costs a run: the same real training run
// (kws-cnn on the demo dataset's MFCCs) with nobody watching ("headless") and with the whole
// workbench running in a Bubble Tea program at 200x60 with the Monitor pane in front
// ("watched"). The samples/s metric is the run's own training throughput; the two should
// agree within noise. go test -run '^$' -bench TrainingWatched -benchtime 3x ./tui/
func BenchmarkTrainingWatched(b *testing.B) {
	dir := b.TempDir()
	if _, err := demo.Generate(dir, demo.Options{Seed: 1, PerClass: 24}); err != nil {
		b.Fatal(err)
	}
	cfg := extract.Default("mfcc")
	spec := train.RunSpec{Version: train.SpecVersion,
		Dataset:  train.DatasetRef{Spec: dataset.Spec{Root: dir}},
		Features: train.FeatureSpec{Config: cfg},
		Model:    train.ModelRef{Preset: "kws-cnn"},
		Train:    train.TrainConfig{Epochs: 8, Batch: 16},
		Seed:     1}
	for _, watched := range []bool{false, true} {
		name := "headless"
		if watched {
			name = "watched"
		}
		b.Run(name, func(b *testing.B) {
			var sps float64
			var out countingWriter
			for range b.N {
				sps += runOnce(b, spec, watched, &out)
			}
			b.ReportMetric(sps/float64(b.N), "samples/s")
			// Proof that the watched case drew: the bytes the program wrote per run.
			b.ReportMetric(float64(out.n)/float64(b.N), "ui-bytes/run")
		})
	}
}

// runOnce trains spec through a hub, with or without a workbench program watching, and returns
// the run's training samples/s.
func runOnce(b *testing.B, spec train.RunSpec, watched bool, out io.Writer) float64 {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hub := engine.NewHub(ctx, func(ctx context.Context, id string, spec train.RunSpec) (*train.Run, error) {
		return train.Start(ctx, id, spec, train.Options{})
	})
	var done chan struct{}
	if watched {
		m := New(ctx, Options{Data: []string{spec.Dataset.Spec.Root}, Profile: colorprofile.TrueColor,
			Engine: common.HubEngine(hub, "bench")})
		p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(&bytes.Buffer{}), tea.WithOutput(out),
			tea.WithColorProfile(colorprofile.TrueColor), tea.WithWindowSize(200, 60))
		done = make(chan struct{})
		go func() { p.Run(); close(done) }()
		p.Send(tea.KeyPressMsg{Code: '4', Text: "4"})
		time.Sleep(200 * time.Millisecond) // let the program start and watch the hub
	}
	id, err := hub.Start(spec, "bench")
	if err != nil {
		b.Fatal(err)
	}
	res, err := hub.Wait(id)
	if err != nil {
		b.Fatal(err)
	}
	cancel()
	if done != nil {
		<-done
	}
	return res.SamplesPerSecond
}

// countingWriter counts what the program writes and throws it away.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}
