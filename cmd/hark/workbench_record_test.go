package main

import (
	"context"
	"io"
	"path/filepath"
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/sessions"
	"github.com/hark-audio/hark/tui"
	"github.com/hark-audio/hark/views/tuitest"
)

// waitFor polls cond (the program runs in its own goroutines) until it holds or 20 s pass.
func waitFor(t *testing.T, what string, cond func() bool, poke func()) {
	t.Helper()
	deadline := time.Now().Add(liveness)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		if poke != nil {
			poke()
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWorkbenchRecordsSession drives a real workbench program (no terminal) over a hub of
// synthetic runs: the demo dataset opens, a run is queued from the Train pane and finishes, a
// second one is stopped; the session file then reads back with both runs, their epochs, the
// dataset and the stop.
func TestWorkbenchRecordsSession(t *testing.T) {
	demo := tuitest.DemoDir(t)
	gate := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hub := engine.NewHub(ctx, tuitest.Starter(func(id string, spec train.RunSpec) ([]train.Event, *train.Result) {
		return tuitest.TrainEvents(id, spec, 5, 3), tuitest.ClassifyResult(id, tuitest.DemoClasses(), 4)
	}, gate))
	path := filepath.Join(t.TempDir(), "hark-sessions", "wb.json")
	rec, err := startBenchRecorder(ctx, path, hub.Watch, hub.Runs, false)
	if err != nil {
		t.Fatal(err)
	}
	_, opt := workbenchOptions(ctx, hub, rec, nil)
	opt.Profile = colorprofile.ASCII
	opt.Engine.Demo = func() (string, error) { return demo, nil }
	opt.Engine.Open = dataset.Open
	if opt.Sessions.Current != path {
		t.Errorf("the Sessions pane does not know this session: %q", opt.Sessions.Current)
	}
	m := tui.New(ctx, opt)
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(nil), tea.WithOutput(io.Discard),
		tea.WithoutRenderer(), tea.WithWindowSize(80, 24), tea.WithFilter(rec.filter))
	done := make(chan error, 1)
	go func() {
		_, err := p.Run()
		done <- err
	}()

	// Queue a run from the Train pane once the demo dataset is in (enter says "no dataset"
	// before that, so keep pressing it).
	p.Send(tuitest.Key("3"))
	waitFor(t, "a run queued from the Train pane", func() bool { return len(hub.Runs()) == 1 },
		func() { p.Send(tuitest.Key("enter")) })
	for range 5 {
		gate <- struct{}{}
	}
	if _, err := hub.Wait("run-1"); err != nil {
		t.Fatal(err)
	}
	// A second run, stopped after two epochs through the engine call the Monitor makes.
	id, err := opt.Engine.Start(hub.Runs()[0].Spec)
	if err != nil {
		t.Fatal(err)
	}
	gate <- struct{}{}
	gate <- struct{}{}
	waitFor(t, "two epochs of the second run", func() bool {
		for _, r := range hub.Runs() {
			if r.ID == id && r.Last != nil && r.Last.Epoch == 2 {
				return true
			}
		}
		return false
	}, nil)
	if err := opt.Engine.Stop(id); err != nil {
		t.Fatal(err)
	}
	hub.Wait(id)
	p.Quit()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	hub.Shutdown(context.Background())
	if err := rec.close(); err != nil {
		t.Fatal(err)
	}

	s, err := sessions.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	runs := s.Runs()
	if len(runs) != 2 {
		t.Fatalf("%d runs recorded, want 2", len(runs))
	}
	if r := runs[0]; r.Status != sessions.StatusFinished || len(r.Epochs()) != 5 || r.Result == nil || r.Spec.Dataset.Spec.Root == "" {
		t.Errorf("run 1: %s, %d epochs, result %v, dataset %q", r.Status, len(r.Epochs()), r.Result != nil, r.Spec.Dataset.Spec.Root)
	}
	if r := runs[1]; r.Status != sessions.StatusStopped || len(r.Epochs()) != 2 {
		t.Errorf("run 2: %s, %d epochs", r.Status, len(r.Epochs()))
	}
	var kinds []string
	for _, st := range s.Steps {
		kinds = append(kinds, st.Kind)
	}
	if kinds[0] != sessions.StepOpenDataset || !slices.Contains(kinds, sessions.StepStop) {
		t.Errorf("steps %v: want the dataset opened first and the stop", kinds)
	}
	if len(s.Datasets) == 0 || s.Datasets[0].Path != demo || s.Datasets[0].Items == 0 {
		t.Errorf("datasets %+v, want the demo folder %s", s.Datasets, demo)
	}
	for _, r := range runs {
		for _, ev := range r.Events {
			if _, ok := ev.(train.BatchDone); ok {
				t.Fatalf("a batch_done was recorded in %s", r.ID)
			}
		}
	}
}

// TestEmptyWorkbenchSessionRemoved: a workbench in which nothing was trained leaves no file
// at the default path.
func TestEmptyWorkbenchSessionRemoved(t *testing.T) {
	t.Chdir(t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hub := engine.NewHub(ctx, nil)
	path := defaultSessionPath(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
	if path != filepath.Join("hark-sessions", "20250301-090000.json") {
		t.Errorf("default path %s", path)
	}
	rec, err := startBenchRecorder(ctx, path, hub.Watch, hub.Runs, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sessions.Read(path); err != nil {
		t.Fatalf("the file is not written at once: %v", err)
	}
	if err := rec.close(); err != nil {
		t.Fatal(err)
	}
	if _, err := sessions.Read(path); err == nil {
		t.Error("an empty session was kept")
	}
}
