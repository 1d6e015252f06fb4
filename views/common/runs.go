package common

import (
	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/train"
)

// Runs are the engine calls about training runs; they are fields of Engine. Any of them may be
// nil (an engine without training): the panes then say that runs are not available.
//
//   - Start queues a run and returns its ID (the root binds the owner: "local", an SSH user).
//   - Stop stops a running run or cancels a queued one.
//   - Runs lists every run the engine knows, oldest first.
//   - History returns a run's events so far (BatchDone coalesced to the latest).
//   - Watch streams every run's events from now on, until end is called or ctx is done.
//
// HubEngine builds them over an engine.Hub.

// HubEngine returns an Engine whose run calls go to h on behalf of owner; its other fields are
// nil, so that it can be merged into another Engine field by field.
func HubEngine(h *engine.Hub, owner string) Engine {
	return Engine{
		Start:   func(spec train.RunSpec) (string, error) { return h.Start(spec, owner) },
		Stop:    h.Stop,
		Runs:    h.Runs,
		History: h.History,
		Watch:   h.Watch,
	}
}

// ReadOnlyMessage is what a pane says when a read-only session asks to start or stop a run.
const ReadOnlyMessage = "read-only session: this key may watch runs but not start or stop them"

// RunEventsMsg delivers the engine's run events to every pane, in order, a batch at a time:
// the root sends at most about twenty a second, and keeps only the latest BatchDone of a run
// among the events it coalesces into one batch.
type RunEventsMsg struct {
	Events []train.Event
}

// RunQueuedMsg reports a run a pane asked the engine to start: its ID, or why it was refused.
type RunQueuedMsg struct {
	ID   string
	Spec train.RunSpec
	Err  error
}

// CatalogMsg reports a dataset the Datasets pane opened: the spec it was opened with and the
// catalog. The Train pane offers it for runs and the Errors pane finds item files in it.
type CatalogMsg struct {
	Spec    dataset.Spec
	Catalog *dataset.Catalog
}

// ShowRunMsg asks the run panes to select a run; when Pane is set the root brings that pane to
// the front.
type ShowRunMsg struct {
	RunID string
	Pane  string
}

// Outcomes of a pair (or binary) decision at a threshold, for ShowErrorsMsg.Outcome.
const (
	OutcomeFP = "FP" // false accept: different, scored above the threshold
	OutcomeFN = "FN" // false reject: same, scored below it
	OutcomeTP = "TP"
	OutcomeTN = "TN"
)

// ShowErrorsMsg asks the Errors pane to step through the items of one cell of a run's result:
// for classification the (True, Pred) cell of the confusion matrix; for pairs the Outcome at
// Threshold. When Focus is set the root brings the Errors pane to the front.
type ShowErrorsMsg struct {
	RunID     string
	Spec      train.RunSpec
	Result    *train.Result
	True      int
	Pred      int
	Outcome   string
	Threshold float64
	Focus     bool
}
