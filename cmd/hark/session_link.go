package main

import (
	"fmt"

	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/sessions"
)

// This file is where the train, eval and predict commands meet the sessions package.

// sessionRun is what eval and predict need of a recorded run.
type sessionRun struct {
	id    string
	spec  train.RunSpec
	model string
}

// lastSessionRun reads a session file and returns its last run that saved a model.
func lastSessionRun(path string) (sessionRun, error) {
	s, err := sessions.Read(path)
	if err != nil {
		return sessionRun{}, fmt.Errorf("--session %q: %v", path, err)
	}
	runs := s.Runs()
	for i := len(runs) - 1; i >= 0; i-- {
		if m := runs[i].Model(); m != "" {
			return sessionRun{id: runs[i].ID, spec: runs[i].ReplaySpec(), model: m}, nil
		}
	}
	if len(runs) == 0 {
		return sessionRun{}, fmt.Errorf("--session %q: the session holds no training run", path)
	}
	return sessionRun{}, fmt.Errorf("--session %q: none of its %d runs saved a model", path, len(runs))
}

// sessionRecorder records a headless command's runs to a session file; a nil one records
// nothing. Recording errors are reported once and do not stop the work.
type sessionRecorder struct {
	rec    *sessions.Recorder
	warn   func(error)
	warned bool
}

// newSessionRecorder starts recording to path ("" records nothing), replacing the file.
func newSessionRecorder(path string, command []string, warn func(error)) (*sessionRecorder, error) {
	if path == "" {
		return nil, nil
	}
	rec, err := sessions.NewRecorder(path, sessions.Meta{Command: command})
	if err != nil {
		return nil, err
	}
	return &sessionRecorder{rec: rec, warn: warn}, nil
}

func (r *sessionRecorder) record(ev train.Event) {
	if r == nil {
		return
	}
	if _, ok := ev.(train.Preparing); ok {
		return // progress, like batch_done: not part of a session
	}
	r.check(r.rec.Record(ev))
}

func (r *sessionRecorder) check(err error) {
	if err != nil && !r.warned && r.warn != nil {
		r.warned = true
		r.warn(err)
	}
}

func (r *sessionRecorder) close() error {
	if r == nil {
		return nil
	}
	return r.rec.Close()
}

// recordEvaluation adds an evaluate step for run id to an existing session file.
func recordEvaluation(path, id string, data *sessions.DatasetRef, split string, res *train.Result) error {
	rec, err := sessions.OpenRecorder(path)
	if err != nil {
		return err
	}
	if err := rec.Evaluate(id, data, split, res); err != nil {
		rec.Close()
		return err
	}
	return rec.Close()
}
