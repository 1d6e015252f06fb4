package sessions

import (
	"fmt"
	"time"

	"github.com/hark-audio/hark/engine/train"
)

// Format is the "format" member of every session file.
const Format = "hark-session"

// FormatVersion is the session format this package writes. Readers accept exactly this version
// (older versions will be converted on reading when there are any; newer ones are refused with
// a message that asks for a newer Hark). See docs/session.md for what changes the version.
const FormatVersion = 1

// Step kinds: the "kind" member of a step.
const (
	StepOpenDataset = "open_dataset" // a dataset was opened (Dataset indexes Session.Datasets)
	StepFeatures    = "features"     // a feature configuration was chosen (Features)
	StepRun         = "run"          // a training run (Run): its spec, events, result, artifacts
	StepStop        = "stop"         // the user stopped a run (RunID)
	StepEvaluate    = "evaluate"     // a trained model was evaluated on data (RunID, Eval)
)

// StepKinds lists the step kinds.
func StepKinds() []string {
	return []string{StepOpenDataset, StepFeatures, StepRun, StepStop, StepEvaluate}
}

// Run statuses.
const (
	// StatusRunning is a run still going; in a file read back after the recorder has gone, it
	// means the recording was interrupted (crash, kill): the run holds every finished epoch and
	// can be resumed from its last checkpoint.
	StatusRunning  = "running"
	StatusFinished = "finished"
	StatusStopped  = "stopped" // stopped by the user; its best model was still evaluated
	StatusFailed   = "failed"  // ended by an error (Run.Error)
)

// Session is one session file.
type Session struct {
	// Format is always "hark-session"; Version the format version (FormatVersion).
	Format  string `json:"format"`
	Version int    `json:"version"`
	// Hark is the version of Hark that wrote the file (engine.Version).
	Hark string `json:"hark"`
	// Created is when recording started; Updated when the file was last written (UTC).
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Name is a label for people; Command is the command line that recorded the session, if
	// it was a headless command.
	Name    string   `json:"name,omitempty"`
	Command []string `json:"command,omitempty"`
	// Datasets are the datasets the steps refer to, in the order they were first used.
	Datasets []DatasetRef `json:"datasets"`
	// Steps is what was done, in order.
	Steps []Step `json:"steps"`
	// Checksum is "sha256:" and the hex SHA-256 of the canonical content (the compact JSON of
	// the document without this member); see docs/session.md. It is always the last member.
	Checksum string `json:"checksum,omitempty"`

	// Integrity is set by the reader: "ok", or "mismatch" / "missing" when the file was read
	// with ParseOptions.IgnoreChecksum despite a bad checksum. Never written.
	Integrity string `json:"-"`
	// File is the path the session was read from or is recorded to. Never written.
	File string `json:"-"`
}

// DatasetRef names a dataset a session used.
type DatasetRef struct {
	// Path is the dataset root (a folder, a manifest or a pair list) as given to the engine.
	Path string `json:"path"`
	// Layout is the layout name ("" when it was detected and not yet known).
	Layout string `json:"layout,omitempty"`
	// Fingerprint is the engine's content fingerprint of the items (paths, sizes, labels);
	// replay compares it before re-running anything.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Items is the number of items, when known.
	Items int `json:"items,omitempty"`
}

// Step is one thing done in a session. Kind says which of the other members is set:
// open_dataset: Dataset; features: Features; run: Run; stop: RunID; evaluate: RunID and Eval.
type Step struct {
	Kind string    `json:"kind"`
	Time time.Time `json:"time"`
	// Dataset indexes Session.Datasets (open_dataset).
	Dataset *int `json:"dataset,omitempty"`
	// Features is the feature configuration chosen (features).
	Features *train.FeatureSpec `json:"features,omitempty"`
	// Run is the run (run).
	Run *Run `json:"run,omitempty"`
	// RunID names an earlier run step (stop, evaluate).
	RunID string `json:"run_id,omitempty"`
	// Eval is an evaluation's outcome (evaluate).
	Eval *Evaluation `json:"eval,omitempty"`
}

// Evaluation is the outcome of evaluating a trained model (an evaluate step).
type Evaluation struct {
	// Dataset indexes Session.Datasets when the evaluation used other data than the run.
	Dataset *int `json:"dataset,omitempty"`
	// Split is the split evaluated ("test", "val", "all").
	Split  string        `json:"split,omitempty"`
	Result *train.Result `json:"result"`
}

// Run is one training run as recorded.
type Run struct {
	ID string `json:"id"`
	// Spec is the spec the run was started with. The engine's resolved spec (defaults filled
	// in, fingerprint set) is in the run_started event; Verify replays that one when present.
	Spec train.RunSpec `json:"spec"`
	// Status is running, finished, stopped or failed; Error says why a failed run failed.
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	// Events are the engine's events in the order they came: run_started, one epoch_done per
	// finished epoch, eval_done, run_finished. batch_done events are not recorded (each
	// epoch_done carries the epoch's mean training loss and throughput).
	Events []train.Event `json:"events"`
	// Result is the final evaluation (the run_finished event's, else the last eval_done's).
	Result *train.Result `json:"result,omitempty"`
	// Artifacts are the files the run wrote (checkpoints, the saved model) with their hashes.
	Artifacts []Artifact `json:"artifacts,omitempty"`
}

// Artifact kinds.
const (
	ArtifactCheckpoint = "checkpoint"
	ArtifactModel      = "model"
)

// Artifact is a file a run wrote.
type Artifact struct {
	// Kind is "checkpoint" (resumable state after Epoch) or "model" (the saved best model).
	Kind string `json:"kind"`
	Path string `json:"path"`
	// Epoch is the epoch a checkpoint was written after.
	Epoch int `json:"epoch,omitempty"`
	// SHA256 is the hex SHA-256 of the file's bytes when it was recorded; Size its length.
	SHA256 string `json:"sha256,omitempty"`
	Size   int64  `json:"size,omitempty"`
	// Error says why the file could not be hashed (it was missing or unreadable).
	Error string `json:"error,omitempty"`
}

// Runs returns the session's runs in the order they were started.
func (s *Session) Runs() []*Run {
	var out []*Run
	for i := range s.Steps {
		if s.Steps[i].Run != nil {
			out = append(out, s.Steps[i].Run)
		}
	}
	return out
}

// Run returns the run with the given ID, or nil.
func (s *Session) Run(id string) *Run {
	for _, r := range s.Runs() {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// Epochs returns the run's epoch_done events in order.
func (r *Run) Epochs() []train.EpochDone {
	var out []train.EpochDone
	for _, ev := range r.Events {
		if e, ok := ev.(train.EpochDone); ok {
			out = append(out, e)
		}
	}
	return out
}

// Started returns the run's run_started event, if it was recorded.
func (r *Run) Started() (train.RunStarted, bool) {
	for _, ev := range r.Events {
		if e, ok := ev.(train.RunStarted); ok {
			return e, true
		}
	}
	return train.RunStarted{}, false
}

// Finished returns the run's run_finished event, if it was recorded.
func (r *Run) Finished() (train.RunFinished, bool) {
	for _, ev := range r.Events {
		if e, ok := ev.(train.RunFinished); ok {
			return e, true
		}
	}
	return train.RunFinished{}, false
}

// ReplaySpec is the spec that reproduces the run: the engine's resolved spec from run_started
// (every default filled in by the version that ran it, and the dataset fingerprint) when it was
// recorded, else the spec the run was started with.
func (r *Run) ReplaySpec() train.RunSpec {
	if st, ok := r.Started(); ok {
		return st.Spec
	}
	return r.Spec
}

// Interrupted says whether the recording of the run stopped before the run finished (the
// process was killed or crashed).
func (r *Run) Interrupted() bool { return r.Status == StatusRunning }

// ResumePoint returns the last finished epoch and the checkpoint written after it ("" when no
// checkpoint was recorded): where an interrupted run can continue.
func (r *Run) ResumePoint() (epoch int, checkpoint string) {
	for _, e := range r.Epochs() {
		epoch = e.Epoch
		if e.Checkpoint != "" {
			checkpoint = e.Checkpoint
		}
	}
	return epoch, checkpoint
}

// Task returns the run's task (classify, regress, pairs) from its result or run_started event.
func (r *Run) Task() string {
	if r.Result != nil && r.Result.Task != "" {
		return r.Result.Task
	}
	if st, ok := r.Started(); ok {
		return st.Task
	}
	return ""
}

// Model returns the saved model file of the run (its result's model, else its last recorded
// model artifact), or "" when it saved none.
func (r *Run) Model() string {
	if r.Result != nil && r.Result.Model != "" {
		return r.Result.Model
	}
	for i := len(r.Artifacts) - 1; i >= 0; i-- {
		if r.Artifacts[i].Kind == ArtifactModel {
			return r.Artifacts[i].Path
		}
	}
	return ""
}

// ModelName names the run's network: its preset, the name of its architecture, or "custom".
func (r *Run) ModelName() string {
	switch {
	case r.Spec.Model.Preset != "":
		return r.Spec.Model.Preset
	case r.Spec.Model.Spec != nil && r.Spec.Model.Spec.Name != "":
		return r.Spec.Model.Spec.Name
	case r.Spec.Model.Spec != nil:
		return "custom"
	}
	return ""
}

// Label is the run's name, or its ID when it has none.
func (r *Run) Label() string {
	if r.Spec.Name != "" {
		return r.Spec.Name
	}
	return r.ID
}

func (r *Run) String() string { return fmt.Sprintf("run %q (%s)", r.ID, r.Status) }
