package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hark-audio/hark/engine/train"
)

// RunState is where a run is in its life.
type RunState string

// Run states.
const (
	StateQueued   RunState = "queued"
	StateRunning  RunState = "running"
	StateFinished RunState = "finished"
	StateStopped  RunState = "stopped"
	StateFailed   RunState = "failed"
)

// Starter starts one run; the hub calls it when the run's turn comes. train.Start with the
// run's options is the real one; tests give their own.
type Starter func(ctx context.Context, id string, spec train.RunSpec) (*train.Run, error)

// RunInfo is a run as the hub knows it: what every watcher's run list shows.
type RunInfo struct {
	ID    string
	Spec  train.RunSpec
	State RunState
	// Owner is who started it (an SSH user, "local").
	Owner   string
	Queued  time.Time
	Started time.Time
	// Last is the latest epoch report, nil before the first epoch ends.
	Last *train.EpochDone
	// Result is the final evaluation, once finished or stopped.
	Result *train.Result
	// Err says why a failed run failed.
	Err string
}

// Hub is the engine's job registry: it queues runs and starts them one after another (training
// uses every core, so concurrent runs would only slow each other), keeps every run's events,
// and fans them out to any number of watchers (the local workbench, every SSH session, a
// session recorder). Watchers never slow a run down: a watcher that falls behind loses
// BatchDone events, never the others, and never blocks the hub.
type Hub struct {
	start Starter
	ctx   context.Context

	mu      sync.Mutex
	next    int
	order   []string
	runs    map[string]*hubRun
	queue   []string
	active  string // the running run's ID, "" when idle
	watches map[*watcher]struct{}
	closed  bool
}

type hubRun struct {
	info    RunInfo
	history []train.Event
	run     *train.Run
	done    chan struct{}
}

type watcher struct {
	ch      chan train.Event
	dropped int
}

// NewHub returns a hub that starts runs with start. ctx bounds every run: cancelling it stops
// them all.
func NewHub(ctx context.Context, start Starter) *Hub {
	return &Hub{start: start, ctx: ctx, runs: map[string]*hubRun{}, watches: map[*watcher]struct{}{}}
}

// ErrUnknownRun is returned for a run ID the hub has never seen.
var ErrUnknownRun = errors.New("no such run")

// Start registers a run and queues it; it starts at once when no other run is going. The run
// is visible in Runs, with its ID, before this returns.
func (h *Hub) Start(spec train.RunSpec, owner string) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return "", errors.New("the engine is shutting down")
	}
	h.next++
	id := fmt.Sprintf("run-%d", h.next)
	r := &hubRun{info: RunInfo{ID: id, Spec: spec, State: StateQueued, Owner: owner, Queued: time.Now()}, done: make(chan struct{})}
	h.runs[id] = r
	h.order = append(h.order, id)
	h.queue = append(h.queue, id)
	h.advance()
	return id, nil
}

// advance starts the next queued run when none is active. h.mu is held.
func (h *Hub) advance() {
	for h.active == "" && len(h.queue) > 0 && !h.closed {
		id := h.queue[0]
		h.queue = h.queue[1:]
		r := h.runs[id]
		run, err := h.start(h.ctx, id, r.info.Spec)
		if err != nil {
			r.info.State, r.info.Err = StateFailed, err.Error()
			fin := train.RunFinished{Header: train.Header{Run: id, Time: time.Now().UTC()}, Err: err.Error()}
			r.history = append(r.history, fin)
			h.broadcast(fin)
			close(r.done)
			continue
		}
		r.run = run
		r.info.State, r.info.Started = StateRunning, time.Now()
		h.active = id
		go h.pump(r)
	}
}

// pump moves one run's events into its history and out to the watchers.
func (h *Hub) pump(r *hubRun) {
	for ev := range r.run.Events() {
		h.mu.Lock()
		switch ev := ev.(type) {
		case train.BatchDone:
			// Only the latest BatchDone is worth keeping: it replaces the previous one.
			if n := len(r.history); n > 0 {
				if _, ok := r.history[n-1].(train.BatchDone); ok {
					r.history = r.history[:n-1]
				}
			}
		case train.EpochDone:
			e := ev
			r.info.Last = &e
		case train.RunFinished:
			r.info.Result = ev.Result
			switch {
			case ev.Err != "":
				r.info.State, r.info.Err = StateFailed, ev.Err
			case ev.Stopped:
				r.info.State = StateStopped
			default:
				r.info.State = StateFinished
			}
		}
		r.history = append(r.history, ev)
		h.broadcast(ev)
		h.mu.Unlock()
	}
	h.mu.Lock()
	close(r.done)
	h.active = ""
	h.advance()
	h.mu.Unlock()
}

// broadcast hands ev to every watcher without blocking. h.mu is held.
func (h *Hub) broadcast(ev train.Event) {
	_, batch := ev.(train.BatchDone)
	for w := range h.watches {
		select {
		case w.ch <- ev:
			continue
		default:
		}
		if batch {
			w.dropped++
			continue
		}
		// An important event must arrive: make room by dropping the oldest queued event,
		// which is almost always a BatchDone the watcher has not had time for.
		select {
		case <-w.ch:
			w.dropped++
		default:
		}
		select {
		case w.ch <- ev:
		default:
			w.dropped++
		}
	}
}

// Watch returns a channel of every run's events from now on (read History for the past) and
// a function that ends the watch and closes the channel. The watch also ends when ctx is done.
func (h *Hub) Watch(ctx context.Context) (<-chan train.Event, func()) {
	w := &watcher{ch: make(chan train.Event, 256)}
	h.mu.Lock()
	h.watches[w] = struct{}{}
	h.mu.Unlock()
	var once sync.Once
	end := func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.watches, w)
			close(w.ch)
			h.mu.Unlock()
		})
	}
	stop := context.AfterFunc(ctx, end)
	return w.ch, func() { stop(); end() }
}

// Stop stops a running run (it still evaluates and saves its best model) or cancels a queued
// one.
func (h *Hub) Stop(id string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	r, ok := h.runs[id]
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownRun, id)
	}
	switch {
	case r.run != nil:
		r.run.Stop()
	case r.info.State == StateQueued:
		h.queue = removeString(h.queue, id)
		r.info.State = StateStopped
		fin := train.RunFinished{Header: train.Header{Run: id, Time: time.Now().UTC()}, Stopped: true}
		r.history = append(r.history, fin)
		h.broadcast(fin)
		close(r.done)
	}
	return nil
}

// Runs lists every run, oldest first.
func (h *Hub) Runs() []RunInfo {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]RunInfo, 0, len(h.order))
	for _, id := range h.order {
		out = append(out, h.runs[id].info)
	}
	return out
}

// History returns a run's events so far (BatchDone coalesced to the latest), so that a watcher
// who arrives late draws the same curves as one who watched from the start.
func (h *Hub) History(id string) ([]train.Event, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r, ok := h.runs[id]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownRun, id)
	}
	return append([]train.Event(nil), r.history...), nil
}

// Wait blocks until a run has finished and returns its result.
func (h *Hub) Wait(id string) (*train.Result, error) {
	h.mu.Lock()
	r, ok := h.runs[id]
	h.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownRun, id)
	}
	<-r.done
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.info.Err != "" {
		return r.info.Result, errors.New(r.info.Err)
	}
	return r.info.Result, nil
}

// Shutdown refuses new runs, cancels the queued ones, stops the running one and waits until it
// has saved what it had (or ctx ends).
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closed = true
	queued := append([]string(nil), h.queue...)
	active := h.active
	h.mu.Unlock()
	for _, id := range queued {
		h.Stop(id)
	}
	if active != "" {
		h.Stop(active)
		h.mu.Lock()
		r := h.runs[active]
		h.mu.Unlock()
		select {
		case <-r.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func removeString(list []string, s string) []string {
	out := list[:0]
	for _, v := range list {
		if v != s {
			out = append(out, v)
		}
	}
	return out
}
