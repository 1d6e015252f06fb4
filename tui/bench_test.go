package tui

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/features"
	"github.com/hark-audio/hark/views/common"
	"github.com/hark-audio/hark/views/tuitest"
)

// syntheticEngine serves one 30 s clip at 22050 Hz (GTZAN's shape): 1300 frames at hop 512,
// with a 128-band mel spectrogram in dB, made in memory so that the benchmark measures drawing
// alone.
func syntheticEngine() common.Engine {
	const sr, hop, frames, mels = 22050, 512, 1300, 128
	wave := make([]float32, (frames-1)*hop)
	for i := range wave {
		wave[i] = float32(0.5 * math.Sin(2*math.Pi*220*float64(i)/sr) * math.Sin(float64(i)/sr))
	}
	var beats []int
	for f := 20; f < frames; f += 43 {
		beats = append(beats, f)
	}
	mel := features.NewMatrix(mels, frames)
	for r := range mels {
		for c := range frames {
			mel.Set(r, c, float32(-80+80*math.Abs(math.Sin(float64(r*c)/977))))
		}
	}
	item := dataset.Item{ID: "blues/blues.00000.wav", Path: "blues.00000.wav", Label: "blues",
		Duration: 30 * time.Second, SampleRate: sr}
	return common.Engine{
		Demo: func() (string, error) { return "/synthetic", nil },
		Open: func(dataset.Spec) (*dataset.Catalog, error) {
			return &dataset.Catalog{Root: "/synthetic", Layout: dataset.LayoutFolders, Task: dataset.Classify,
				Items: []dataset.Item{item}, Classes: []dataset.Class{{Name: "blues", Count: 1}}}, nil
		},
		Extract: func(path string, cfg extract.Config) (*extract.Result, error) {
			if cfg.Kind == "beats" {
				return &extract.Result{Kind: "beats", SR: sr, Hop: hop, Wave: wave, Beats: beats, Tempo: 120}, nil
			}
			return &extract.Result{Kind: cfg.Kind, SR: sr, Hop: hop, Matrix: mel}, nil
		},
	}
}

// BenchmarkFrame renders the whole 200x60 screen with the inspector showing a 128x1300 mel
// spectrogram. "cursor" moves the cursor before every frame, so the heatmap is drawn anew
// each time (the worst case of a key press); "unchanged" is a redraw after a message that
// changed nothing, which reuses the drawing.
func BenchmarkFrame(b *testing.B) {
	for _, p := range []colorprofile.Profile{colorprofile.ASCII, colorprofile.ANSI256, colorprofile.TrueColor} {
		m := New(context.Background(), Options{Profile: p, Engine: syntheticEngine()})
		send(m, tea.WindowSizeMsg{Width: 200, Height: 60})
		tuitest.Drain(m.update, m.Init())
		press(m, "enter")
		if m.Focused() != common.PaneInspector {
			b.Fatal("the inspector did not open")
		}
		right, left := tuitest.Key("right"), tuitest.Key("left")
		b.Run(fmt.Sprintf("cursor/%s", p), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				k := right
				if i%2 == 1 {
					k = left
				}
				m.Update(k)
				_ = m.View()
			}
		})
		b.Run(fmt.Sprintf("unchanged/%s", p), func(b *testing.B) {
			for b.Loop() {
				m.Update(struct{}{})
				_ = m.View()
			}
		})
	}
}

// BenchmarkMonitorFrame renders the whole 200x60 screen with the Monitor showing a run of 100
// epochs: "batch" is a frame after a BatchDone (the charts are reused), "epoch" one after an
// EpochDone (both charts drawn anew).
func BenchmarkMonitorFrame(b *testing.B) {
	for _, p := range []colorprofile.Profile{colorprofile.ASCII, colorprofile.TrueColor} {
		var s train.RunSpec
		s.Train.Epochs, s.Train.EarlyStop.Patience = 100, 10
		evs := tuitest.TrainEvents("run-1", s, 100, 2)
		e := syntheticEngine()
		e.Runs = func() []engine.RunInfo { return []engine.RunInfo{{ID: "run-1", Spec: s, State: engine.StateRunning}} }
		e.History = func(string) ([]train.Event, error) { return evs, nil }
		m := New(context.Background(), Options{Profile: p, Engine: e})
		send(m, tea.WindowSizeMsg{Width: 200, Height: 60})
		tuitest.Drain(m.update, m.Init())
		press(m, "4")
		batch := evs[len(evs)-2].(train.BatchDone)
		last := evs[len(evs)-1].(train.EpochDone)
		b.Run(fmt.Sprintf("batch/%s", p), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				batch.Batch = 1 + i%2
				m.Update(hubEventsMsg{events: []train.Event{batch}})
				_ = m.View()
			}
		})
		b.Run(fmt.Sprintf("epoch/%s", p), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				last.ValLoss += 1e-6 * float64(i%2*2-1)
				m.Update(hubEventsMsg{events: []train.Event{last}})
				_ = m.View()
			}
		})
	}
}
