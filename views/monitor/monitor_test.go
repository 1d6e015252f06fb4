package monitor

import (
	"flag"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/views/common"
	"github.com/hark-audio/hark/views/tuitest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fakeRuns is an engine of recorded runs: its History serves them and counts the calls.
type fakeRuns struct {
	hist    map[string][]train.Event
	infos   []engine.RunInfo
	asked   []string
	stopped []string
}

func (f *fakeRuns) engine() common.Engine {
	return common.Engine{
		Runs: func() []engine.RunInfo { return f.infos },
		History: func(id string) ([]train.Event, error) {
			f.asked = append(f.asked, id)
			return f.hist[id], nil
		},
		Stop: func(id string) error {
			f.stopped = append(f.stopped, id)
			return nil
		},
	}
}

func spec(name string, epochs int) train.RunSpec {
	s := train.RunSpec{Name: name}
	s.Model.Preset, s.Features.Config.Kind = "kws-cnn", "mfcc"
	s.Train.Epochs, s.Train.Batch, s.Train.LR = epochs, 32, 1e-3
	s.Train.EarlyStop.Patience = 5
	return s
}

// newMonitor returns a Monitor at w x h over f's runs.
func newMonitor(t testing.TB, f *fakeRuns, profile colorprofile.Profile, w, h int) *Monitor {
	t.Helper()
	c := common.NewCommon(t.Context(), profile)
	e := f.engine()
	c.Engine.Runs, c.Engine.History, c.Engine.Stop = e.Runs, e.History, e.Stop
	m := New(c)
	m.SetSize(w, h)
	tuitest.Drain(m.update, m.Init())
	return m
}

func (m *Monitor) update(msg tea.Msg) tea.Cmd {
	_, cmd := m.Update(msg)
	return cmd
}

func send(m *Monitor, msgs ...tea.Msg) {
	for _, msg := range msgs {
		tuitest.Drain(m.update, func() tea.Msg { return msg })
	}
}

func press(m *Monitor, keys ...string) {
	for _, k := range keys {
		send(m, tuitest.Key(k))
	}
}

// twoRuns: run-1 finished after 12 epochs, run-2 running at epoch 7 of 20 (half-way through
// epoch 8), both recorded; the watcher saw only run-2's latest events.
func twoRuns() (*fakeRuns, []train.Event) {
	f := &fakeRuns{hist: map[string][]train.Event{}}
	h1 := tuitest.TrainEvents("run-1", spec("first", 12), 12, 4)
	res := tuitest.ClassifyResult("run-1", tuitest.DemoClasses(), 4)
	h1 = append(h1, train.RunFinished{Header: train.Header{Run: "run-1"}, Result: res})
	all2 := tuitest.TrainEvents("run-2", spec("second", 20), 8, 4)
	h2 := all2[:len(all2)-3] // epoch 8 is at batch 2 of 4
	f.hist["run-1"], f.hist["run-2"] = h1, h2
	last1 := h1[len(h1)-2].(train.EpochDone)
	f.infos = []engine.RunInfo{
		{ID: "run-1", Spec: spec("first", 12), State: engine.StateFinished, Owner: "local", Last: &last1, Result: res},
		{ID: "run-2", Spec: spec("second", 20), State: engine.StateRunning, Owner: "local"},
	}
	return f, h2[len(h2)-6:] // the live tail
}

func TestFollowsRunningRunAndReadsHistoryOnFirstShow(t *testing.T) {
	f, live := twoRuns()
	m := newMonitor(t, f, colorprofile.ASCII, 80, 22)
	if m.Selected() != "run-2" {
		t.Fatalf("selected %q, want the running run-2", m.Selected())
	}
	send(m, common.RunEventsMsg{Events: live})
	r := m.book.Get("run-2")
	if got := len(r.Epochs); got != 7 {
		t.Fatalf("run-2 has %d epochs after history and live events, want 7", got)
	}
	for i, e := range r.Epochs {
		if e.Epoch != i+1 {
			t.Fatalf("epoch %d missing: history did not fill the curve", i+1)
		}
	}
	if len(f.asked) != 1 || f.asked[0] != "run-2" {
		t.Fatalf("history asked for %v, want only run-2 (the one shown)", f.asked)
	}
	press(m, "[")
	if m.Selected() != "run-1" || m.follow {
		t.Fatalf("[ selected %q (follow %v), want run-1 and no following", m.Selected(), m.follow)
	}
	if len(f.asked) != 2 || f.asked[1] != "run-1" {
		t.Fatalf("history asked for %v, want run-1 on its first show", f.asked)
	}
	press(m, "]", "[", "]")
	if len(f.asked) != 2 {
		t.Errorf("history read again on a second show: %v", f.asked)
	}
	press(m, "f")
	if m.Selected() != "run-2" || !m.follow {
		t.Errorf("f did not go back to following the running run")
	}
	v := m.View()
	for _, want := range []string{"epoch 8/20", "batch 2/4", "ETA", "wait", "best", "samples/s"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}

func TestEMAKeysAndStop(t *testing.T) {
	f, _ := twoRuns()
	m := newMonitor(t, f, colorprofile.ASCII, 80, 22)
	press(m, "+", "+")
	if m.ema != 0.8 {
		t.Errorf("ema %v after ++, want 0.8", m.ema)
	}
	press(m, "-", "-", "-", "-", "-", "-", "-", "-", "-")
	if m.ema != 0 || m.smooth {
		t.Errorf("ema %v smooth %v after many -, want 0 and off", m.ema, m.smooth)
	}
	press(m, "s")
	if !m.smooth {
		t.Error("s did not turn smoothing back on")
	}
	press(m, "x")
	if len(f.stopped) != 1 || f.stopped[0] != "run-2" {
		t.Fatalf("x stopped %v, want run-2", f.stopped)
	}
	press(m, "[", "x")
	if len(f.stopped) != 1 || !strings.Contains(m.status, "already ended") {
		t.Errorf("x on a finished run: stopped %v, status %q", f.stopped, m.status)
	}
	m.c.ReadOnly = true
	press(m, "]", "x")
	if len(f.stopped) != 1 || m.status != common.ReadOnlyMessage {
		t.Errorf("read-only x: stopped %v, status %q", f.stopped, m.status)
	}
}

func TestEMA(t *testing.T) {
	got := EMA([]float64{1, 3, 3}, 0.5)
	// Debiased: 1; (0.5*0.5 + 0.5*3)/(0.75) = 2.333...; ...
	if got[0] != 1 || fmt.Sprintf("%.4f", got[1]) != "2.3333" {
		t.Errorf("EMA = %v", got)
	}
	if g := EMA([]float64{1, 2}, 0); g[0] != 1 || g[1] != 2 {
		t.Errorf("EMA weight 0 changed the values: %v", g)
	}
}

func TestViewsFitAndGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 22}, {120, 38}} {
		f, live := twoRuns()
		m := newMonitor(t, f, colorprofile.ASCII, sz[0], sz[1])
		send(m, common.RunEventsMsg{Events: live})
		v := m.View()
		tuitest.Lines(t, v, sz[0], sz[1])
		if strings.Contains(v, "\x1b") || strings.ContainsAny(v, "─│╭╮╰╯┤┼") {
			t.Errorf("ASCII view has escapes or box drawing:\n%s", v)
		}
		tuitest.Golden(t, fmt.Sprintf("running_%dx%d", sz[0], sz[1]), v, *update)
		press(m, "[")
		tuitest.Golden(t, fmt.Sprintf("finished_%dx%d", sz[0], sz[1]), m.View(), *update)
	}
	// Colour profiles draw within the box too, at sizes large and small.
	f, live := twoRuns()
	m := newMonitor(t, f, colorprofile.TrueColor, 80, 22)
	send(m, common.RunEventsMsg{Events: live})
	for _, sz := range [][2]int{{80, 22}, {200, 58}, {40, 8}, {20, 3}} {
		m.SetSize(sz[0], sz[1])
		tuitest.Lines(t, m.View(), sz[0], sz[1])
	}
}

func TestNoRuns(t *testing.T) {
	m := New(common.NewCommon(t.Context(), colorprofile.ASCII))
	m.SetSize(80, 22)
	if v := m.View(); !strings.Contains(v, "cannot train") {
		t.Errorf("without an engine the pane should say it cannot train:\n%s", v)
	}
	press(m, "x", "[", "]", "+")
}

// BenchmarkView draws a 200x58 monitor (the pane of a 200x60 terminal) with 100 epochs: "batch"
// is a frame after a BatchDone (charts reused), "epoch" one after an EpochDone (charts redrawn).
func BenchmarkView(b *testing.B) {
	for _, p := range []colorprofile.Profile{colorprofile.ASCII, colorprofile.TrueColor} {
		f := &fakeRuns{hist: map[string][]train.Event{}}
		evs := tuitest.TrainEvents("run-1", spec("long", 100), 100, 2)
		f.hist["run-1"] = evs
		f.infos = []engine.RunInfo{{ID: "run-1", Spec: spec("long", 100), State: engine.StateRunning}}
		m := newMonitor(b, f, p, 200, 58)
		batch := evs[len(evs)-2].(train.BatchDone)
		b.Run("batch/"+p.String(), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				batch.Batch = 1 + i%2
				m.Update(common.RunEventsMsg{Events: []train.Event{batch}})
				_ = m.View()
			}
		})
		b.Run("epoch/"+p.String(), func(b *testing.B) {
			for b.Loop() {
				m.book.Get("run-1").Version++
				_ = m.View()
			}
		})
	}
}

// A click on a run's label in the strip (the pane's second line) shows that run, in ASCII and
// in colour; clicks elsewhere change nothing.
func TestClickRunStrip(t *testing.T) {
	for _, p := range []colorprofile.Profile{colorprofile.ASCII, colorprofile.TrueColor} {
		f, _ := twoRuns()
		m := newMonitor(t, f, p, 80, 22)
		strip := ansi.Strip(strings.Split(m.View(), "\n")[1])
		x := strings.Index(strip, "run-1")
		if x < 0 || m.Selected() != "run-2" {
			t.Fatalf("%v: strip %q, selected %s", p, strip, m.Selected())
		}
		send(m, common.ClickMsg{X: x, Y: 2}) // the line below: nothing
		if m.Selected() != "run-2" {
			t.Errorf("%v: a click below the strip selected %s", p, m.Selected())
		}
		send(m, common.ClickMsg{X: x, Y: 1})
		if m.Selected() != "run-1" || m.follow {
			t.Errorf("%v: a click on run-1 selected %s (follow %v)", p, m.Selected(), m.follow)
		}
		strip = ansi.Strip(strings.Split(m.View(), "\n")[1])
		send(m, common.ClickMsg{X: strings.Index(strip, "run-2") + len("run-2"), Y: 1}) // its glyph
		if m.Selected() != "run-2" {
			t.Errorf("%v: a click on run-2's state selected %s", p, m.Selected())
		}
	}
}
