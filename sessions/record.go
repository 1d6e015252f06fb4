package sessions

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/internal/atomicfile"
)

func harkVersion() string { return engine.Version }

// Meta is what a new session's header says. Its zero value is fine.
type Meta struct {
	// Name is a label for people.
	Name string
	// Command is the command line that records the session (headless commands).
	Command []string
	// Created defaults to the time NewRecorder is called.
	Created time.Time
	// Now stamps steps and Updated; it defaults to time.Now. Tests set it.
	Now func() time.Time
	// NoHash leaves artifacts unhashed (the file's path and size only).
	NoHash bool
}

// Recorder writes a session file as work goes on. Every change is written at once, and
// atomically (a temporary file in the same folder, fsync, rename, fsync of the folder): at any
// moment, whatever kills the process, the file on disk is a complete, valid session holding
// every step and event recorded before the last write. Events are written when they arrive:
// run_started, each epoch_done, eval_done and run_finished (batch_done events are not
// recorded). A Recorder is safe for concurrent use: the engine's hub delivers events from its
// own goroutine while the workbench adds steps from another.
type Recorder struct {
	mu      sync.Mutex
	path    string
	s       Session
	now     func() time.Time
	noHash  bool
	closed  bool
	err     error // the last write error, reported again by Close
	writes  int
	written int // bytes of the last write
}

// NewRecorder starts a new session file at path, replacing any file there, and writes its
// header at once (so that an unwritable path fails here, before any work is done).
func NewRecorder(path string, meta ...Meta) (*Recorder, error) {
	var m Meta
	if len(meta) > 0 {
		m = meta[0]
	}
	now := m.Now
	if now == nil {
		now = time.Now
	}
	created := m.Created
	if created.IsZero() {
		created = now()
	}
	r := &Recorder{path: path, now: now, noHash: m.NoHash, s: Session{
		Format: Format, Version: FormatVersion, Hark: harkVersion(),
		Created: created.UTC(), Name: m.Name, Command: m.Command,
		Datasets: []DatasetRef{}, Steps: []Step{},
	}}
	if err := r.flush(); err != nil {
		return nil, err
	}
	return r, nil
}

// OpenRecorder continues an existing session file (to add more runs to it, or to resume an
// interrupted run: record the resumed run's events with the same run ID and they are appended
// to the recorded ones). The file must read back without error.
func OpenRecorder(path string, meta ...Meta) (*Recorder, error) {
	s, err := Read(path)
	if err != nil {
		return nil, err
	}
	var m Meta
	if len(meta) > 0 {
		m = meta[0]
	}
	now := m.Now
	if now == nil {
		now = time.Now
	}
	s.Checksum, s.Integrity, s.File = "", "", ""
	if s.Datasets == nil {
		s.Datasets = []DatasetRef{}
	}
	if s.Steps == nil {
		s.Steps = []Step{}
	}
	s.Hark = harkVersion()
	return &Recorder{path: path, now: now, noHash: m.NoHash, s: *s}, nil
}

// Path returns the session file's path.
func (r *Recorder) Path() string { return r.path }

// Session returns a copy of the session as recorded so far.
func (r *Recorder) Session() (*Session, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	data, err := Marshal(&r.s)
	if err != nil {
		return nil, err
	}
	s, err := Parse(data, r.path)
	if err != nil {
		return nil, err
	}
	s.File = r.path
	return s, nil
}

// Stats returns how many times the file was written and the size of the last write.
func (r *Recorder) Stats() (writes, bytes int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.writes, r.written
}

// OpenDataset records that a dataset was opened and returns its index in Session.Datasets. A
// dataset already referenced (same path and layout) is reused, its fingerprint and item count
// filled in when they were unknown.
func (r *Recorder) OpenDataset(ref DatasetRef) (int, error) {
	if ref.Path == "" {
		return 0, errors.New("session: open dataset: empty path")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	i := r.dataset(ref)
	r.s.Steps = append(r.s.Steps, Step{Kind: StepOpenDataset, Time: r.stamp(), Dataset: &i})
	return i, r.flush()
}

// Features records a feature configuration chosen in the workbench.
func (r *Recorder) Features(fs train.FeatureSpec) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.s.Steps = append(r.s.Steps, Step{Kind: StepFeatures, Time: r.stamp(), Features: &fs})
	return r.flush()
}

// StartRun records a run step with the spec it is started with, before its events arrive.
// (Record creates the step itself on a run_started event of an unknown run, so calling
// StartRun is only needed to keep the spec exactly as given.)
func (r *Recorder) StartRun(id string, spec train.RunSpec) error {
	if id == "" {
		return errors.New("session: start run: empty run ID")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.run(id) != nil {
		return fmt.Errorf("session: start run: a run %q is already recorded", id)
	}
	r.addRun(id, spec)
	return r.flush()
}

// Stop records that the user stopped a run.
func (r *Recorder) Stop(id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.run(id) == nil {
		return fmt.Errorf("session: stop: no run %q recorded", id)
	}
	r.s.Steps = append(r.s.Steps, Step{Kind: StepStop, Time: r.stamp(), RunID: id})
	return r.flush()
}

// Evaluate records the evaluation of a run's model; dataset is a DatasetRef when other data
// than the run's were used (nil otherwise).
func (r *Recorder) Evaluate(id string, dataset *DatasetRef, split string, res *train.Result) error {
	if res == nil {
		return errors.New("session: evaluate: nil result")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.run(id) == nil {
		return fmt.Errorf("session: evaluate: no run %q recorded", id)
	}
	ev := &Evaluation{Split: split, Result: res}
	if dataset != nil && dataset.Path != "" {
		i := r.dataset(*dataset)
		ev.Dataset = &i
	}
	r.s.Steps = append(r.s.Steps, Step{Kind: StepEvaluate, Time: r.stamp(), RunID: id, Eval: ev})
	return r.flush()
}

// Record records one engine event (a value or a pointer). batch_done events are ignored;
// every other event is written to the file before Record returns. An event of a run not yet
// recorded starts one when it is run_started, and is an error otherwise. A checkpoint named by
// an epoch_done event and the model named by the final result are recorded as artifacts with
// their SHA-256.
func (r *Recorder) Record(ev train.Event) error {
	ev, err := deref(ev)
	if err != nil {
		return err
	}
	if _, ok := ev.(train.BatchDone); ok {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return fmt.Errorf("session %s: record after Close", r.path)
	}
	id := ev.RunID()
	run := r.run(id)
	if run == nil {
		st, ok := ev.(train.RunStarted)
		if !ok {
			return fmt.Errorf("session %s: %s event of run %q, which was never started", r.path, EventKind(ev), id)
		}
		run = r.addRun(id, st.Spec)
	}
	finished := false
	if n := len(run.Events); n > 0 {
		_, finished = run.Events[n-1].(train.RunFinished)
	}
	switch e := ev.(type) {
	case train.RunStarted:
		// A fresh start replaces whatever the run had; a resumed run (ResumedFrom > 0) keeps
		// the epochs up to the checkpoint it resumed from.
		kept := []train.Event{e}
		for _, old := range run.Events {
			if ep, ok := old.(train.EpochDone); ok && ep.Epoch <= e.ResumedFrom {
				kept = append(kept, ep)
			}
		}
		run.Events, run.Status, run.Error, run.Result = kept, StatusRunning, "", nil
		if ref := (DatasetRef{Path: e.Spec.Dataset.Spec.Root, Layout: e.Spec.Dataset.Spec.Layout, Fingerprint: e.Spec.Dataset.Fingerprint}); ref.Path != "" {
			r.dataset(ref)
		}
	case train.EpochDone:
		if finished {
			return fmt.Errorf("session %s: run %q: epoch %d after run_finished", r.path, id, e.Epoch)
		}
		if eps := run.Epochs(); len(eps) > 0 && e.Epoch <= eps[len(eps)-1].Epoch {
			return fmt.Errorf("session %s: run %q: epoch %d after epoch %d", r.path, id, e.Epoch, eps[len(eps)-1].Epoch)
		}
		run.Events = append(run.Events, e)
		if e.Checkpoint != "" {
			r.artifact(run, ArtifactCheckpoint, e.Checkpoint, e.Epoch)
		}
	case train.EvalDone:
		if finished {
			return fmt.Errorf("session %s: run %q: eval_done after run_finished", r.path, id)
		}
		run.Events = append(run.Events, e)
		if e.Result != nil {
			run.Result = e.Result
		}
	case train.RunFinished:
		if finished {
			return fmt.Errorf("session %s: run %q: a second run_finished", r.path, id)
		}
		run.Events = append(run.Events, e)
		switch {
		case e.Err != "":
			run.Status, run.Error = StatusFailed, e.Err
		case e.Stopped:
			run.Status = StatusStopped
		default:
			run.Status = StatusFinished
		}
		if e.Result != nil {
			run.Result = e.Result
		}
		if run.Result != nil && run.Result.Model != "" {
			r.artifact(run, ArtifactModel, run.Result.Model, 0)
		}
	default:
		return fmt.Errorf("session %s: unknown event type %T", r.path, ev)
	}
	return r.flush()
}

// Flush writes the file again (every method already does; Flush retries after an error).
func (r *Recorder) Flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.flush()
}

// Close writes the file a last time and stops recording. Runs still running stay "running"
// in the file (interrupted). It returns the error of the last failed write, if any.
func (r *Recorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return r.err
	}
	r.closed = true
	return r.flush()
}

func deref(ev train.Event) (train.Event, error) {
	switch e := ev.(type) {
	case nil:
		return nil, errors.New("session: nil event")
	case *train.RunStarted:
		return *e, nil
	case *train.BatchDone:
		return *e, nil
	case *train.EpochDone:
		return *e, nil
	case *train.EvalDone:
		return *e, nil
	case *train.RunFinished:
		return *e, nil
	}
	return ev, nil
}

func (r *Recorder) stamp() time.Time { return r.now().UTC() }

func (r *Recorder) run(id string) *Run {
	for i := range r.s.Steps {
		if run := r.s.Steps[i].Run; run != nil && run.ID == id {
			return run
		}
	}
	return nil
}

func (r *Recorder) addRun(id string, spec train.RunSpec) *Run {
	run := &Run{ID: id, Spec: spec, Status: StatusRunning, Events: []train.Event{}}
	if spec.Dataset.Spec.Root != "" {
		ref := DatasetRef{Path: spec.Dataset.Spec.Root, Layout: spec.Dataset.Spec.Layout, Fingerprint: spec.Dataset.Fingerprint}
		if !r.hasDataset(ref) {
			i := r.dataset(ref)
			r.s.Steps = append(r.s.Steps, Step{Kind: StepOpenDataset, Time: r.stamp(), Dataset: &i})
		}
	}
	r.s.Steps = append(r.s.Steps, Step{Kind: StepRun, Time: r.stamp(), Run: run})
	return run
}

func sameDataset(a, b DatasetRef) bool {
	return a.Path == b.Path && (a.Layout == b.Layout || a.Layout == "" || b.Layout == "") &&
		(a.Fingerprint == b.Fingerprint || a.Fingerprint == "" || b.Fingerprint == "")
}

func (r *Recorder) hasDataset(ref DatasetRef) bool {
	for _, d := range r.s.Datasets {
		if sameDataset(d, ref) {
			return true
		}
	}
	return false
}

// dataset returns the index of ref in the session's datasets, adding it when it is new and
// filling in unknown fields of a known one.
func (r *Recorder) dataset(ref DatasetRef) int {
	for i := range r.s.Datasets {
		d := &r.s.Datasets[i]
		if sameDataset(*d, ref) {
			if d.Layout == "" {
				d.Layout = ref.Layout
			}
			if d.Fingerprint == "" {
				d.Fingerprint = ref.Fingerprint
			}
			if d.Items == 0 {
				d.Items = ref.Items
			}
			return i
		}
	}
	r.s.Datasets = append(r.s.Datasets, ref)
	return len(r.s.Datasets) - 1
}

// artifact records (or updates, for the same kind and path) a file with its hash.
func (r *Recorder) artifact(run *Run, kind, path string, epoch int) {
	a := Artifact{Kind: kind, Path: path, Epoch: epoch}
	if r.noHash {
		if fi, err := os.Stat(path); err == nil {
			a.Size = fi.Size()
		}
	} else {
		a.SHA256, a.Size, a.Error = hashFile(path)
	}
	for i := range run.Artifacts {
		if run.Artifacts[i].Kind == kind && run.Artifacts[i].Path == path {
			run.Artifacts[i] = a
			return
		}
	}
	run.Artifacts = append(run.Artifacts, a)
}

// HashFile returns the hex SHA-256 of a file, as recorded for artifacts.
func HashFile(path string) (string, error) {
	sum, _, msg := hashFile(path)
	if msg != "" {
		return "", errors.New(msg)
	}
	return sum, nil
}

func hashFile(path string) (sum string, size int64, errMsg string) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err.Error()
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err.Error()
	}
	return hex.EncodeToString(h.Sum(nil)), n, ""
}

// flush writes the session atomically. Callers hold r.mu.
func (r *Recorder) flush() error {
	r.s.Updated = r.stamp()
	data, err := Marshal(&r.s)
	if err == nil {
		err = atomicfile.WriteFile(r.path, data)
	}
	if err != nil {
		r.err = fmt.Errorf("session %s: %w", r.path, err)
		return r.err
	}
	r.err = nil
	r.writes++
	r.written = len(data)
	return nil
}
