package tui

import (
	"bytes"
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/views/common"
)

// BenchmarkWatchHeap measures the live heap of one workbench watching a busy run: a Bubble Tea
// program at 120x40 (256 colours) with the Monitor pane in front, fed 20 deliveries of run events
// per simulated second (5 batches each, an epoch every 100 batches), each drawn before the next
// is sent. One iteration is one simulated second; -benchtime=600x is ten simulated minutes in
// about two real ones. It reports the heap growth per simulated minute over the first and the
// last half, after a warm-up of 5 s.
//
// Bubble Tea's renderer (ultraviolet's printString) keeps each screen cell's text as a
// substring of the frame string it was parsed from, and its model of the screen keeps a cell
// until the cell changes, so every cell unchanged since an old frame keeps that whole frame
// (about 8 KB here) alive. The heap rises by about 0.6 MB in the first two minutes and then
// levels off; what still grows afterwards is the run's epoch history, which the charts draw
// (a few hundred bytes an epoch).
// go test -run '^$' -bench WatchHeap -benchtime=600x ./tui/
func BenchmarkWatchHeap(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := New(ctx, Options{Profile: colorprofile.ANSI256})
	out := &drawnWriter{drawn: make(chan struct{}, 1)}
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(&bytes.Buffer{}), tea.WithOutput(out),
		tea.WithColorProfile(colorprofile.ANSI256), tea.WithWindowSize(120, 40), tea.WithFPS(120))
	done := make(chan struct{})
	go func() { p.Run(); close(done) }()
	defer func() { p.Quit(); <-done }()
	p.Send(tea.KeyPressMsg{Code: '4', Text: "4"})
	const id, batches, perDelivery = "run-1", 100, 5
	p.Send(common.RunEventsMsg{Events: []train.Event{train.RunStarted{Header: train.Header{Run: id},
		Spec: train.RunSpec{Name: "load"}, Task: "classify", Classes: []string{"a", "b"},
		Sizes: map[string]int{"train": 800, "val": 200}}}})
	epoch, batch := 1, 0
	second := func() {
		for range 20 {
			batch += perDelivery
			evs := []train.Event{train.BatchDone{Header: train.Header{Run: id, Time: time.Now()}, Epoch: epoch,
				Batch: batch, Batches: batches, Loss: 1 / float64(epoch+batch), SamplesPerSecond: 1000}}
			if batch >= batches {
				e := float64(epoch)
				evs = append(evs, train.EpochDone{Header: train.Header{Run: id, Time: time.Now()}, Epoch: epoch,
					Epochs: 1_000_000, TrainLoss: 1 / e, ValLoss: 1.2 / e, Metric: "accuracy",
					TrainMetric: 1 - 0.5/e, ValMetric: 1 - 0.6/e, LR: 1e-3, SamplesPerSecond: 1000})
				epoch, batch = epoch+1, 0
			}
			p.Send(common.RunEventsMsg{Events: evs})
			select { // wait for the frame to be drawn
			case <-out.drawn:
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	for range 5 {
		second()
	}
	heap0 := liveHeapMB()
	var heapMid float64
	b.ResetTimer()
	for i := range b.N {
		second()
		if i+1 == b.N/2 {
			heapMid = liveHeapMB()
		}
	}
	b.StopTimer()
	heap1 := liveHeapMB()
	if out.n.Load() == 0 {
		b.Fatal("the program drew nothing")
	}
	half := float64(b.N/2) / 60 // simulated minutes in each half
	if b.N >= 2 {
		b.ReportMetric((heapMid-heap0)*1024/half, "KB/min-first-half")
		b.ReportMetric((heap1-heapMid)*1024/(float64(b.N)/60-half), "KB/min-last-half")
	}
	b.ReportMetric(heap0, "heap-MB-start")
	b.ReportMetric(heap1, "heap-MB-end")
}

// liveHeapMB is the heap in use after a full collection.
func liveHeapMB() float64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}

// drawnWriter counts what the program writes, keeps nothing, and signals each write.
type drawnWriter struct {
	n     atomic.Int64
	drawn chan struct{}
}

func (w *drawnWriter) Write(p []byte) (int, error) {
	w.n.Add(int64(len(p)))
	select {
	case w.drawn <- struct{}{}:
	default:
	}
	return len(p), nil
}
