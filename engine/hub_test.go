package engine

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hark-audio/hark/engine/train"
)

// fakeStarter runs a job of n epochs that waits on gate before each epoch, so tests control
// its pace.
func fakeStarter(epochs int, gate chan struct{}) Starter {
	return func(ctx context.Context, id string, spec train.RunSpec) (*train.Run, error) {
		if spec.Name == "bad" {
			return nil, errors.New("bad spec")
		}
		return train.Launch(ctx, id, spec, func(ctx context.Context, emit func(train.Event)) (*train.Result, error) {
			emit(train.RunStarted{Header: train.Header{Run: id}, Spec: spec})
			for e := 1; e <= epochs; e++ {
				select {
				case <-gate:
				case <-ctx.Done():
					return &train.Result{RunID: id, Epochs: e - 1}, ctx.Err()
				}
				for b := 1; b <= 3; b++ {
					emit(train.BatchDone{Header: train.Header{Run: id}, Epoch: e, Batch: b, Batches: 3})
				}
				emit(train.EpochDone{Header: train.Header{Run: id}, Epoch: e, Epochs: epochs, TrainLoss: 1 / float64(e)})
			}
			return &train.Result{RunID: id, Epochs: epochs}, nil
		}), nil
	}
}

func TestHubRunsOneAfterAnotherAndKeepsHistory(t *testing.T) {
	gate := make(chan struct{})
	h := NewHub(context.Background(), fakeStarter(2, gate))
	events, end := h.Watch(context.Background())
	defer end()
	a, _ := h.Start(train.RunSpec{Name: "a"}, "local")
	b, _ := h.Start(train.RunSpec{Name: "b"}, "local")
	if runs := h.Runs(); len(runs) != 2 || runs[0].State != StateRunning || runs[1].State != StateQueued {
		t.Fatalf("runs = %+v, want a running and b queued", runs)
	}
	for range 4 {
		gate <- struct{}{}
	}
	if _, err := h.Wait(b); err != nil {
		t.Fatal(err)
	}
	hist, _ := h.History(a)
	var batches, epochs int
	for _, ev := range hist {
		switch ev.(type) {
		case train.BatchDone:
			batches++
		case train.EpochDone:
			epochs++
		}
	}
	if epochs != 2 || batches != 2 {
		t.Errorf("history of %s: %d epochs, %d batch reports; want 2 and 2 (each epoch's batches coalesced to the last)", a, epochs, batches)
	}
	if _, ok := hist[len(hist)-1].(train.RunFinished); !ok {
		t.Errorf("history does not end with RunFinished: %T", hist[len(hist)-1])
	}
	// The watcher saw both runs' important events, in order.
	var finished []string
	for len(finished) < 2 {
		ev := <-events
		if f, ok := ev.(train.RunFinished); ok {
			finished = append(finished, f.RunID())
		}
	}
	if finished[0] != a || finished[1] != b {
		t.Errorf("finished order %v, want [%s %s]", finished, a, b)
	}
	for _, r := range h.Runs() {
		if r.State != StateFinished || r.Last == nil || r.Last.Epoch != 2 {
			t.Errorf("%s: state %s, last %+v", r.ID, r.State, r.Last)
		}
	}
}

func TestHubStopAndFailures(t *testing.T) {
	gate := make(chan struct{})
	h := NewHub(context.Background(), fakeStarter(5, gate))
	a, _ := h.Start(train.RunSpec{Name: "a"}, "local")
	b, _ := h.Start(train.RunSpec{Name: "b"}, "local")
	c, _ := h.Start(train.RunSpec{Name: "bad"}, "local")
	if err := h.Stop(b); err != nil {
		t.Fatal(err)
	}
	gate <- struct{}{}
	if err := h.Stop(a); err != nil {
		t.Fatal(err)
	}
	res, err := h.Wait(a)
	if err != nil || res == nil || res.Epochs != 1 {
		t.Fatalf("stopped run: %+v, %v; want its result after 1 epoch", res, err)
	}
	if _, err := h.Wait(c); err == nil || err.Error() != "bad spec" {
		t.Errorf("failed start: err %v, want bad spec", err)
	}
	states := map[string]RunState{}
	for _, r := range h.Runs() {
		states[r.ID] = r.State
	}
	if states[a] != StateStopped || states[b] != StateStopped || states[c] != StateFailed {
		t.Errorf("states %v", states)
	}
	if err := h.Stop("run-99"); !errors.Is(err, ErrUnknownRun) {
		t.Errorf("unknown run: %v", err)
	}
}

func TestHubSlowWatcherNeverBlocksARun(t *testing.T) {
	gate := make(chan struct{}, 1000)
	for range 1000 {
		gate <- struct{}{}
	}
	h := NewHub(context.Background(), fakeStarter(400, gate))
	events, end := h.Watch(context.Background()) // never read until the run ends
	defer end()
	id, _ := h.Start(train.RunSpec{Name: "a"}, "local")
	done := make(chan struct{})
	go func() { h.Wait(id); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a watcher that does not read blocked the run")
	}
	// The last event queued for the watcher is the RunFinished.
	var last train.Event
	for len(events) > 0 {
		last = <-events
	}
	if _, ok := last.(train.RunFinished); !ok {
		t.Errorf("slow watcher's last event %T, want RunFinished", last)
	}
}

func TestHubShutdown(t *testing.T) {
	gate := make(chan struct{})
	h := NewHub(context.Background(), fakeStarter(5, gate))
	a, _ := h.Start(train.RunSpec{Name: "a"}, "local")
	h.Start(train.RunSpec{Name: "b"}, "local")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Start(train.RunSpec{}, "local"); err == nil {
		t.Error("Start after Shutdown succeeded")
	}
	if r, _ := h.Wait(a); r == nil {
		t.Error("the running run left no result")
	}
}
