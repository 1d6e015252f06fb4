package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/views/common"
	"github.com/hark-audio/hark/views/tuitest"
)

// loop runs a model as Bubble Tea does, commands in goroutines and messages one at a time, so
// that blocking commands (the wait for run events) work; it counts the messages.
type loop struct {
	m    *Model
	msgs chan tea.Msg
	seen int
}

func newLoop(m *Model) *loop { return &loop{m: m, msgs: make(chan tea.Msg, 1024)} }

func (l *loop) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() { l.msgs <- cmd() }()
}

// until handles messages until cond holds or the timeout passes.
func (l *loop) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(60 * time.Second) // a liveness bound: generous, for a loaded machine
	for !cond() {
		select {
		case msg := <-l.msgs:
			l.handle(msg)
		case <-deadline:
			t.Fatalf("timed out waiting for %s (%d deliveries, watching %v); screen:\n%s", what, l.m.delivered, l.m.watch != nil, l.m.Render())
		}
	}
}

func (l *loop) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			l.run(c)
		}
	default:
		l.seen++
		_, cmd := l.m.Update(msg)
		l.run(cmd)
	}
}

func (l *loop) press(t *testing.T, keys ...string) {
	for _, k := range keys {
		l.handle(tuitest.Key(k))
	}
}

// hubWorkbench returns a workbench on the small demo dataset whose runs go to a hub of
// synthetic runs (5 epochs of 3 batches, then the classification result), paced by gate.
func hubWorkbench(t *testing.T, gate chan struct{}) (*loop, *engine.Hub) {
	dir := tuitest.DemoDir(t)
	hub := engine.NewHub(t.Context(), tuitest.Starter(func(id string, spec train.RunSpec) ([]train.Event, *train.Result) {
		return tuitest.TrainEvents(id, spec, 5, 3), tuitest.ClassifyResult(id, tuitest.DemoClasses(), 4)
	}, gate))
	e := common.HubEngine(hub, "local")
	e.Demo = func() (string, error) { return dir, nil }
	e.Open = tuitest.FixedRoot(dataset.Open, "/data/demo")
	m := New(t.Context(), Options{Profile: colorprofile.ASCII, Engine: e})
	m.resize(80, 24)
	l := newLoop(m)
	l.run(m.Init())
	return l, hub
}

// TestTrainWatchResultsErrors goes through the run panes as a user does: queue a run in Train,
// watch it in Monitor, read its confusion matrix in Results, step into a cell's errors.
func TestTrainWatchResultsErrors(t *testing.T) {
	gate := make(chan struct{})
	l, hub := hubWorkbench(t, gate)
	l.until(t, "the demo dataset in Train", func() bool { return trainReady(l.m) })
	l.press(t, "3", "f3", "enter")
	l.until(t, "the run queued", func() bool { return len(hub.Runs()) == 1 })
	l.press(t, "4")
	for e := 1; e <= 3; e++ {
		gate <- struct{}{}
	}
	l.until(t, "epoch 3 in Monitor", func() bool {
		return strings.Contains(l.m.Render(), "epoch 4/60") || strings.Contains(l.m.Render(), "epoch 3/60")
	})
	if v := l.m.Render(); !strings.Contains(v, "running") || !strings.Contains(v, "loss") {
		t.Errorf("monitor:\n%s", v)
	}
	gate <- struct{}{}
	gate <- struct{}{}
	l.until(t, "the run's end in Monitor", func() bool { return strings.Contains(l.m.Render(), "done: accuracy") })
	l.press(t, "enter")
	l.until(t, "Results in front after enter in Monitor", func() bool {
		return l.m.Focused() == common.PaneResults && strings.Contains(l.m.Render(), "confusion")
	})
	if v := l.m.Render(); !strings.Contains(v, "confusion") {
		t.Fatalf("results:\n%s", v)
	}
	l.press(t, "enter")
	l.until(t, "Errors in front after enter in Results", func() bool { return l.m.Focused() == common.PaneErrors })
	l.until(t, "the first error's features", func() bool {
		v := l.m.Render()
		return strings.Contains(v, "item 1/1") && !strings.Contains(v, "computing")
	})
}

func trainReady(m *Model) bool {
	for _, p := range m.panes {
		if p.ID() == common.PaneTrain && !strings.Contains(p.View(), "(none open yet)") {
			return true
		}
	}
	return false
}

// TestBatchFloodIsCoalesced sends 10,000 BatchDone events as fast as the channel takes them and
// checks that the panes see a few deliveries (one redraw each), not ten thousand, and that
// the last batch and the final event arrive.
func TestBatchFloodIsCoalesced(t *testing.T) {
	ch := make(chan train.Event, 256)
	e := common.Engine{
		Watch: func(ctx context.Context) (<-chan train.Event, func()) { return ch, func() {} },
		Demo:  func() (string, error) { return "", fmt.Errorf("no demo here") },
	}
	m := New(t.Context(), Options{Profile: colorprofile.ASCII, Engine: e})
	l := newLoop(m)
	l.run(m.Init())
	const n = 10000
	start := time.Now()
	go func() {
		ch <- train.RunStarted{Header: train.Header{Run: "run-1"}}
		for b := 1; b <= n; b++ {
			ch <- train.BatchDone{Header: train.Header{Run: "run-1"}, Epoch: 1, Batch: b, Batches: n, Loss: 1}
		}
		ch <- train.RunFinished{Header: train.Header{Run: "run-1"}}
	}()
	mon := func() string {
		for _, p := range m.panes {
			if p.ID() == common.PaneMonitor {
				return p.View()
			}
		}
		return ""
	}
	m.resize(80, 24)
	l.until(t, "the run's end", func() bool { return strings.Contains(mon(), "run-1 done") })
	elapsed := time.Since(start)
	limit := int(elapsed/frameInterval) + 3
	if m.delivered > limit || m.delivered > 200 {
		t.Errorf("%d deliveries (redraws) for %d events in %v; want at most %d (20 a second)", m.delivered, n, elapsed, limit)
	}
	t.Logf("%d events in %d deliveries over %v", n+2, m.delivered, elapsed)
}

func TestCoalesceKeepsLatestBatchPerRun(t *testing.T) {
	b := func(run string, n int) train.Event { return train.BatchDone{Header: train.Header{Run: run}, Batch: n} }
	ep := train.EpochDone{Header: train.Header{Run: "a"}, Epoch: 1}
	got := coalesce([]train.Event{b("a", 1), b("b", 1), b("a", 2), ep, b("a", 3), b("b", 2)})
	want := []train.Event{ep, b("a", 3), b("b", 2)}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("coalesce = %v, want %v", got, want)
	}
}

// TestRunPanesGolden draws the four run panes of a finished synthetic run at 80x24 and 120x40.
func TestRunPanesGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		gate := make(chan struct{}, 10)
		for range 5 {
			gate <- struct{}{}
		}
		l, _ := hubWorkbench(t, gate)
		l.m.resize(sz[0], sz[1])
		l.until(t, "the demo dataset in Train", func() bool { return trainReady(l.m) })
		l.press(t, "3", "f3")
		name := func(s string) string { return fmt.Sprintf("%s_%dx%d", s, sz[0], sz[1]) }
		if sz[0] < 110 {
			// Wider, the form shows the spec with the demo's temporary folder.
			tuitest.Golden(t, name("train"), l.m.Render(), *update)
		}
		l.press(t, "enter", "4")
		l.until(t, "the run's end", func() bool { return strings.Contains(l.m.Render(), "done: accuracy") })
		tuitest.Golden(t, name("monitor"), l.m.Render(), *update)
		l.press(t, "5")
		tuitest.Golden(t, name("results"), l.m.Render(), *update)
		l.press(t, "?")
		tuitest.Golden(t, name("results_help"), l.m.Render(), *update)
		l.press(t, "?", "enter")
		l.until(t, "the error's features", func() bool {
			return !strings.Contains(l.m.Render(), "computing") && strings.Contains(l.m.Render(), "item 1/")
		})
		tuitest.Golden(t, name("errors"), l.m.Render(), *update)
	}
}
