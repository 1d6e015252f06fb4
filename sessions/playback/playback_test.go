package playback

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/sessions"
)

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// fixture records a session of runs runs of epochs epochs each, 10 s an epoch, run after run,
// with a one-hour pause between runs, and reads it back.
func fixture(t *testing.T, runs, epochs int) *sessions.Session {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.json")
	rec, err := sessions.NewRecorder(path, sessions.Meta{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	at := t0
	for r := 1; r <= runs; r++ {
		id := fmt.Sprintf("run-%d", r)
		h := func() train.Header { return train.Header{Run: id, Time: at} }
		spec := train.RunSpec{Version: train.SpecVersion, Name: fmt.Sprintf("r%d", r)}
		spec.Train.Epochs = epochs
		must(t, rec.Record(train.RunStarted{Header: h(), Spec: spec, Task: "classify"}))
		for e := 1; e <= epochs; e++ {
			at = at.Add(10 * time.Second)
			must(t, rec.Record(train.EpochDone{Header: h(), Epoch: e, Epochs: epochs, Metric: "accuracy",
				ValMetric: float64(e) / float64(epochs), TrainLoss: 1 / float64(e), ValLoss: 1.1 / float64(e)}))
		}
		at = at.Add(2 * time.Second)
		res := &train.Result{RunID: id, Task: "classify", Split: "test", Metrics: map[string]float64{"accuracy": 0.5 + 0.1*float64(r)}}
		must(t, rec.Record(train.RunFinished{Header: h(), Result: res}))
		at = at.Add(time.Hour)
	}
	must(t, rec.Close())
	s, err := sessions.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After never fires: the tests drive the player with advance, not with Run.
func (c *fakeClock) After(time.Duration) <-chan time.Time { return nil }

func (c *fakeClock) add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// sink collects what a player delivers.
type sink struct{ evs []train.Event }

func (s *sink) emit(evs []train.Event) { s.evs = append(s.evs, evs...) }

func (s *sink) kinds() []string {
	var out []string
	for _, ev := range s.evs {
		out = append(out, sessions.EventKind(ev)+":"+ev.RunID())
	}
	return out
}

func newPlayer(t *testing.T, s *sessions.Session, opt Options) (*Player, *fakeClock, *sink) {
	t.Helper()
	clk := &fakeClock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	opt.Clock = clk
	p, err := New(s, opt)
	if err != nil {
		t.Fatal(err)
	}
	out := &sink{}
	p.emit = out.emit
	return p, clk, out
}

func (p *Player) tick(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.advance(now)
}

func TestPlaysInOrderAtSpeed(t *testing.T) {
	s := fixture(t, 2, 3)
	p, clk, out := newPlayer(t, s, Options{Speed: 10})
	p.tick(clk.Now())
	if got := out.kinds(); !slices.Equal(got, []string{"run_started:run-1"}) {
		t.Fatalf("at 0: %v", got)
	}
	// Epochs are 10 s apart: at speed 10, one a second.
	p.tick(clk.add(999 * time.Millisecond))
	if len(out.evs) != 1 {
		t.Fatalf("an epoch came early: %v", out.kinds())
	}
	p.tick(clk.add(time.Millisecond))
	if len(out.evs) != 2 {
		t.Fatalf("epoch 1 not delivered after 1 s: %v", out.kinds())
	}
	// The hour between the runs is cut to MaxGap.
	p.tick(clk.add(2*time.Second + 200*time.Millisecond))
	want := []string{"run_started:run-1", "epoch_done:run-1", "epoch_done:run-1", "epoch_done:run-1", "run_finished:run-1"}
	if got := out.kinds(); !slices.Equal(got, want) {
		t.Fatalf("after 3.2 s: %v", got)
	}
	p.tick(clk.add(DefaultMaxGap))
	if got := out.kinds(); got[len(got)-1] != "run_started:run-2" {
		t.Fatalf("the pause between runs is not cut to %v: %v", DefaultMaxGap, got)
	}
	p.tick(clk.add(time.Hour))
	var recorded []train.Event
	for _, r := range s.Runs() {
		recorded = append(recorded, r.Events...)
	}
	if len(out.evs) != len(recorded) || !p.State().Ended {
		t.Fatalf("delivered %d of %d events", len(out.evs), len(recorded))
	}
	for i := range recorded {
		if sessions.EventKind(out.evs[i]) != sessions.EventKind(recorded[i]) || out.evs[i].RunID() != recorded[i].RunID() {
			t.Errorf("event %d: %s of %s, recorded %s of %s", i, sessions.EventKind(out.evs[i]), out.evs[i].RunID(),
				sessions.EventKind(recorded[i]), recorded[i].RunID())
		}
	}
}

func TestSpeedPauseAndSteps(t *testing.T) {
	s := fixture(t, 1, 5)
	p, clk, out := newPlayer(t, s, Options{Speed: 20})
	p.tick(clk.Now())
	p.tick(clk.add(500 * time.Millisecond)) // 10 s at speed 20
	if st := p.State(); st.Epoch != 1 || st.Epochs != 5 {
		t.Fatalf("state %+v, want epoch 1 of 5", st)
	}
	p.Pause()
	p.tick(clk.add(time.Hour))
	if st := p.State(); st.Epoch != 1 || !st.Paused {
		t.Fatalf("paused playback moved: %+v", st)
	}
	p.Play()
	p.SetSpeed(5) // 10 s now take 2 s
	p.tick(clk.add(1999 * time.Millisecond))
	if st := p.State(); st.Epoch != 1 {
		t.Fatalf("slower speed not applied: %+v", st)
	}
	p.tick(clk.add(time.Millisecond))
	if st := p.State(); st.Epoch != 2 {
		t.Fatalf("epoch 2 not delivered: %+v", st)
	}
	// Forward steps deliver the epochs in between at once, and pause.
	n := len(out.evs)
	st := p.Step(2)
	if st.Epoch != 4 || !st.Paused || len(out.evs) != n+2 {
		t.Fatalf("step +2: %+v, %d events more", st, len(out.evs)-n)
	}
	// Back steps count a generation and deliver nothing.
	st = p.Step(-3)
	if st.Epoch != 1 || st.Gen != 1 || len(out.evs) != n+2 {
		t.Fatalf("step -3: %+v", st)
	}
	if h, _ := p.History("run-1"); len(h) != 2 {
		t.Fatalf("history after stepping back holds %d events, want run_started and epoch 1", len(h))
	}
	if st = p.Step(-5); st.Pos != 1 || st.Epoch != 0 {
		t.Fatalf("step back past the start: %+v", st)
	}
	st = p.End()
	if !st.Ended || st.Epoch != 5 {
		t.Fatalf("end: %+v", st)
	}
	runs := p.Runs()
	if len(runs) != 1 || runs[0].State != engine.StateFinished || runs[0].Result == nil || runs[0].Last.Epoch != 5 {
		t.Fatalf("runs at the end: %+v", runs)
	}
	st = p.Restart()
	if st.Pos != 1 || st.Paused || st.Gen != 3 {
		t.Fatalf("restart: %+v", st)
	}
}

func TestDeckMergesLiveAndPlayback(t *testing.T) {
	s := fixture(t, 2, 2)
	live := Live{
		Runs: func() []engine.RunInfo { return []engine.RunInfo{{ID: "run-1", State: engine.StateRunning}} },
		History: func(id string) ([]train.Event, error) {
			return []train.Event{train.RunStarted{Header: train.Header{Run: id}}}, nil
		},
		Stop: func(id string) error { return nil },
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := NewDeck(ctx, live)
	ch, end := d.Watch(ctx)
	defer end()
	p, back, err := d.Add(s, Options{AtEnd: true, Prefix: "s/"})
	if err != nil || back {
		t.Fatal(err, back)
	}
	var got []string
	deadline := time.After(10 * time.Second)
	for len(got) < p.Len() {
		select {
		case ev := <-ch:
			got = append(got, ev.RunID())
		case <-deadline:
			t.Fatalf("only %d of %d events arrived", len(got), p.Len())
		}
	}
	if got[0] != "s/run-1" || got[len(got)-1] != "s/run-2" {
		t.Errorf("prefixed IDs: %v", got)
	}
	var ids []string
	for _, r := range d.Runs() {
		ids = append(ids, r.ID)
	}
	if !slices.Equal(ids, []string{"run-1", "s/run-1", "s/run-2"}) {
		t.Errorf("runs %v", ids)
	}
	if h, err := d.History("s/run-2"); err != nil || len(h) != 4 {
		t.Errorf("played-back history: %d events, %v", len(h), err)
	}
	if h, err := d.History("run-1"); err != nil || len(h) != 1 {
		t.Errorf("live history: %d events, %v", len(h), err)
	}
	if err := d.Stop("s/run-1"); !errors.Is(err, ErrReadOnly) {
		t.Errorf("stopping a played-back run: %v", err)
	}
	if err := d.Stop("run-1"); err != nil {
		t.Errorf("stopping a live run: %v", err)
	}
	if _, err := d.Start(train.RunSpec{}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("start without a live engine: %v", err)
	}
	// The same session again plays from the start: backwards.
	if q, back, _ := d.Add(s, Options{Prefix: "s/"}); q != p || !back {
		t.Errorf("adding the same file again gave a new player (%v) or did not go back (%v)", q != p, back)
	}
	// Another session with the same prefix gets its own.
	s2 := *s
	s2.File = "other.json"
	q, _, err := d.Add(&s2, Options{AtEnd: true, Prefix: "s/"})
	if err != nil || !q.Owns("s~2/run-1") {
		t.Errorf("second prefix: %v %v", q.RunIDs(), err)
	}
}

// TestRunLoop plays a session on the real clock at a speed that makes it instant, through
// Run and a Deck's Watch.
func TestRunLoop(t *testing.T) {
	s := fixture(t, 1, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := NewDeck(ctx, Live{})
	ch, end := d.Watch(ctx)
	defer end()
	p, _, err := d.Add(s, Options{Speed: 1e9})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	deadline := time.After(10 * time.Second)
	for n < p.Len() {
		select {
		case <-ch:
			n++
		case <-deadline:
			t.Fatalf("%d of %d events arrived", n, p.Len())
		}
	}
	if !p.State().Ended {
		t.Error("not at the end")
	}
}
