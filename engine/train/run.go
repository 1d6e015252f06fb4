package train

import (
	"context"
	"sync"
)

// Run is a started training job. Its events arrive on Events, which is closed after the
// RunFinished event; Stop cancels it (the best model so far is still evaluated and saved);
// Wait blocks until it has finished.
type Run struct {
	id     string
	spec   RunSpec
	events chan Event
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex
	result *Result
	err    error
}

// ID returns the run's ID.
func (r *Run) ID() string { return r.id }

// Spec returns the spec the run was started with.
func (r *Run) Spec() RunSpec { return r.spec }

// Events returns the run's event stream. Exactly one reader should drain it; the engine's hub
// fans it out to every watcher.
func (r *Run) Events() <-chan Event { return r.events }

// Stop asks the run to stop after the current batch. It returns at once.
func (r *Run) Stop() { r.cancel() }

// Done is closed when the run has finished and sent its last event.
func (r *Run) Done() <-chan struct{} { return r.done }

// Wait blocks until the run has finished and returns its result, or the error that ended it.
func (r *Run) Wait() (*Result, error) {
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.result, r.err
}

// Work is the body of a run: it trains, sending its events (RunStarted first, then BatchDone,
// EpochDone and EvalDone) through emit, and returns the result. ctx is cancelled by Stop.
// Launch sends RunFinished itself.
type Work func(ctx context.Context, emit func(Event)) (*Result, error)

// Launch registers a run and starts its work in a goroutine. The Run exists, with its ID and
// event stream, before the goroutine starts, so a caller can never miss its first event.
// Stopping (ctx cancelled) is not an error: a work function that returns its result with
// ctx.Err() set has been stopped and the result is kept.
func Launch(ctx context.Context, id string, spec RunSpec, work Work) *Run {
	ctx, cancel := context.WithCancel(ctx)
	r := &Run{id: id, spec: spec, events: make(chan Event, 64), cancel: cancel, done: make(chan struct{})}
	emit := func(ev Event) { r.events <- ev }
	go func() {
		defer cancel()
		res, err := work(ctx, emit)
		fin := RunFinished{Header: Header{Run: id, Time: now()}, Result: res}
		stopped := ctx.Err() != nil && (err == nil || err == context.Canceled)
		if stopped {
			err = nil
			fin.Stopped = true
		}
		if err != nil {
			fin.Err = err.Error()
		}
		r.mu.Lock()
		r.result, r.err = res, err
		r.mu.Unlock()
		r.events <- fin
		close(r.events)
		close(r.done)
	}()
	return r
}
