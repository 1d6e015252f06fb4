package common

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/train"
)

// RunBook is one pane's picture of the engine's runs, kept up to date from the engine's run list
// (Engine.Runs), each run's history (Engine.History) and the live events (RunEventsMsg). Every
// update is idempotent, so that a history that overlaps the live events, or arrives after
// them, gives the same picture.
type RunBook struct {
	order []string
	runs  map[string]*RunView
}

// RunView is what a RunBook knows of one run.
type RunView struct {
	Info    engine.RunInfo
	Started *train.RunStarted
	// Epochs holds the epoch reports by epoch: Epochs[i] reports epoch i+1, and has Epoch 0
	// while that report is missing (a history not read yet).
	Epochs   []train.EpochDone
	Batch    *train.BatchDone
	Finished *train.RunFinished
	// Version changes whenever Epochs does, so that views can cache what they draw from it.
	Version int
	// HistoryAsked is set by the pane once it asked for the run's history.
	HistoryAsked bool
}

// IDs lists the runs, oldest first.
func (b *RunBook) IDs() []string { return b.order }

// Len is the number of runs.
func (b *RunBook) Len() int { return len(b.order) }

// Get returns a run, or nil.
func (b *RunBook) Get(id string) *RunView { return b.runs[id] }

// At returns the i-th run, oldest first.
func (b *RunBook) At(i int) *RunView {
	if i < 0 || i >= len(b.order) {
		return nil
	}
	return b.runs[b.order[i]]
}

// Index returns the position of a run, -1 when unknown.
func (b *RunBook) Index(id string) int { return slices.Index(b.order, id) }

// ensure returns the run with id, adding it when new.
func (b *RunBook) ensure(id string) (*RunView, bool) {
	if r, ok := b.runs[id]; ok {
		return r, false
	}
	if b.runs == nil {
		b.runs = map[string]*RunView{}
	}
	r := &RunView{Info: engine.RunInfo{ID: id, State: engine.StateQueued}}
	b.runs[id] = r
	i, _ := slices.BinarySearchFunc(b.order, id, compareIDs)
	b.order = slices.Insert(b.order, i, id)
	return r, true
}

// compareIDs orders run IDs by their trailing number ("run-2" before "run-10"), then as text.
func compareIDs(a, b string) int {
	na, oka := trailingNumber(a)
	nb, okb := trailingNumber(b)
	if oka && okb && strings.TrimRight(a, "0123456789") == strings.TrimRight(b, "0123456789") {
		return cmp.Compare(na, nb)
	}
	return cmp.Compare(a, b)
}

func trailingNumber(s string) (int, bool) {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	n, err := strconv.Atoi(s[i:])
	return n, err == nil
}

// SetInfos merges the engine's run list. A run's events count for more than the list when the
// two disagree on the state, since the list may be older than the events already applied.
func (b *RunBook) SetInfos(infos []engine.RunInfo) (added []string) {
	for _, in := range infos {
		r, isNew := b.ensure(in.ID)
		if isNew {
			added = append(added, in.ID)
		}
		known := r.Info
		r.Info = in
		if rank(known.State) > rank(in.State) {
			r.Info.State, r.Info.Result, r.Info.Err = known.State, known.Result, known.Err
		}
		if in.Last != nil {
			r.setEpoch(*in.Last)
		}
	}
	return added
}

// rank orders the states a run goes through.
func rank(s engine.RunState) int {
	switch s {
	case engine.StateQueued:
		return 0
	case engine.StateRunning:
		return 1
	}
	return 2
}

// Queued records a run a pane just queued.
func (b *RunBook) Queued(id string, spec train.RunSpec) {
	r, isNew := b.ensure(id)
	if isNew {
		r.Info.Spec = spec
	}
}

// Apply records one event and returns its run and whether the run was new.
func (b *RunBook) Apply(ev train.Event) (*RunView, bool) {
	r, isNew := b.ensure(ev.RunID())
	switch ev := ev.(type) {
	case train.RunStarted:
		e := ev
		r.Started = &e
		r.Info.Spec = ev.Spec
		if rank(r.Info.State) < 1 {
			r.Info.State = engine.StateRunning
		}
		if r.Info.Started.IsZero() {
			r.Info.Started = ev.Time
		}
	case train.BatchDone:
		if r.Batch == nil || ev.Epoch > r.Batch.Epoch || (ev.Epoch == r.Batch.Epoch && ev.Batch >= r.Batch.Batch) {
			e := ev
			r.Batch = &e
		}
		if rank(r.Info.State) < 1 {
			r.Info.State = engine.StateRunning
		}
	case train.EpochDone:
		r.setEpoch(ev)
		if r.Info.Last == nil || ev.Epoch >= r.Info.Last.Epoch {
			e := ev
			r.Info.Last = &e
		}
	case train.RunFinished:
		e := ev
		r.Finished = &e
		r.Info.Result = ev.Result
		switch {
		case ev.Err != "":
			r.Info.State, r.Info.Err = engine.StateFailed, ev.Err
		case ev.Stopped:
			r.Info.State = engine.StateStopped
		default:
			r.Info.State = engine.StateFinished
		}
	}
	return r, isNew
}

func (r *RunView) setEpoch(ev train.EpochDone) {
	if ev.Epoch < 1 {
		return
	}
	for len(r.Epochs) < ev.Epoch {
		r.Epochs = append(r.Epochs, train.EpochDone{})
	}
	r.Epochs[ev.Epoch-1] = ev
	r.Version++
}

// Done reports whether the run has ended (finished, stopped or failed).
func (r *RunView) Done() bool { return rank(r.Info.State) == 2 }

// Result is the run's final result, once it has one.
func (r *RunView) Result() *train.Result {
	if r.Info.Result != nil {
		return r.Info.Result
	}
	if r.Finished != nil {
		return r.Finished.Result
	}
	return nil
}

// Title names a run for lists: its ID and, when it has one, its name.
func (r *RunView) Title() string {
	if r.Info.Spec.Name != "" {
		return r.Info.ID + " " + r.Info.Spec.Name
	}
	return r.Info.ID
}

// StateGlyph is a short mark of the run's state for lists ("run", "ok", ...).
func (r *RunView) StateGlyph() string {
	switch r.Info.State {
	case engine.StateQueued:
		return "queued"
	case engine.StateRunning:
		return "running"
	case engine.StateFinished:
		return "done"
	case engine.StateStopped:
		return "stopped"
	case engine.StateFailed:
		return "failed"
	}
	return string(r.Info.State)
}
