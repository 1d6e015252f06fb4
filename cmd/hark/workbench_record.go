package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/sessions"
	"github.com/hark-audio/hark/views/common"
)

// benchRecorder records a workbench session: the datasets the Datasets pane opens (seen as
// common.CatalogMsg by the program's filter), every run the hub starts with its events (a hub
// watcher), and the stops asked for. One goroutine writes, in the order things happened; each
// write is atomic, so the file is valid at every moment. Recording errors are kept, not
// shown while the workbench draws; the first is reported when it exits.
type benchRecorder struct {
	rec  *sessions.Recorder
	runs func() []engine.RunInfo // the hub's run list, for the spec each run was queued with

	in     chan any // CatalogMsg, train.Event or stopStep
	done   chan struct{}
	endHub func()

	mu       sync.Mutex
	err      error
	closed   bool
	hasRuns  bool
	removeIf bool // remove the file at the end when it holds no run
}

// stopStep is a stop the user asked for.
type stopStep struct{ id string }

// defaultSessionPath is ./hark-sessions/<date-time>.json, not taken yet.
func defaultSessionPath(now time.Time) string {
	base := filepath.Join("hark-sessions", now.Format("20060102-150405"))
	path := base + ".json"
	for i := 2; ; i++ {
		if _, err := os.Stat(path); os.IsNotExist(err) {
			return path
		}
		path = fmt.Sprintf("%s-%d.json", base, i)
	}
}

// startBenchRecorder starts recording to path, watching hub (through watch and runs). With
// removeIfEmpty, a session in which no run was started is removed at the end, so that merely
// opening the workbench leaves no file behind.
func startBenchRecorder(ctx context.Context, path string, watch func(context.Context) (<-chan train.Event, func()),
	runs func() []engine.RunInfo, removeIfEmpty bool) (*benchRecorder, error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	rec, err := sessions.NewRecorder(path, sessions.Meta{Name: "workbench"})
	if err != nil {
		return nil, err
	}
	b := &benchRecorder{rec: rec, runs: runs, in: make(chan any, 1024), done: make(chan struct{}), removeIf: removeIfEmpty}
	ch, end := watch(context.WithoutCancel(ctx))
	b.endHub = end
	go b.forward(ch)
	go b.loop()
	return b, nil
}

// Path is the session file.
func (b *benchRecorder) Path() string { return b.rec.Path() }

// forward hands the hub's events to the writer; it ends when the watch is ended.
func (b *benchRecorder) forward(ch <-chan train.Event) {
	for ev := range ch {
		switch ev.(type) {
		case train.BatchDone, train.Preparing:
			continue // progress: not part of a session
		}
		b.in <- ev
	}
	close(b.in)
}

// filter is the program's message filter: it notes the datasets opened and passes every
// message on unchanged.
func (b *benchRecorder) filter(_ tea.Model, msg tea.Msg) tea.Msg {
	if m, ok := msg.(common.CatalogMsg); ok && m.Catalog != nil {
		b.send(m)
	}
	return msg
}

// stopped notes a stop the user asked for.
func (b *benchRecorder) stopped(id string) { b.send(stopStep{id: id}) }

func (b *benchRecorder) send(x any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	select {
	case b.in <- x:
	default:
		b.fail(fmt.Errorf("session %s: too much to record at once; a step was lost", b.Path()))
	}
}

func (b *benchRecorder) fail(err error) {
	if err != nil && b.err == nil {
		b.err = err
	}
}

func (b *benchRecorder) check(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fail(err)
}

// loop writes each step as it comes.
func (b *benchRecorder) loop() {
	defer close(b.done)
	known := map[string]bool{}
	// ensure records the run step with the spec the run was queued with, before its first
	// event (a run that failed to start, or was cancelled in the queue, has no run_started).
	ensure := func(id string) {
		if known[id] {
			return
		}
		known[id] = true
		b.mu.Lock()
		b.hasRuns = true
		b.mu.Unlock()
		for _, in := range b.runs() {
			if in.ID == id {
				b.check(b.rec.StartRun(id, in.Spec))
				return
			}
		}
	}
	for x := range b.in {
		switch x := x.(type) {
		case common.CatalogMsg:
			root := x.Spec.Root
			if root == "" {
				root = x.Catalog.Root
			}
			_, err := b.rec.OpenDataset(sessions.DatasetRef{Path: root, Layout: x.Catalog.Layout, Items: len(x.Catalog.Items)})
			b.check(err)
		case stopStep:
			ensure(x.id)
			b.check(b.rec.Stop(x.id))
		case train.Event:
			ensure(x.RunID())
			b.check(b.rec.Record(x))
		}
	}
}

// close ends the watch once the hub has shut down (so that the last run's final events are
// in), writes the file a last time, and returns the first recording error. A session of no
// runs is removed when asked.
func (b *benchRecorder) close() error {
	b.mu.Lock()
	b.closed = true // nothing more is sent; the watch's end closes the queue
	b.mu.Unlock()
	b.endHub()
	<-b.done
	b.mu.Lock()
	err, empty := b.err, !b.hasRuns
	b.mu.Unlock()
	if cerr := b.rec.Close(); err == nil {
		err = cerr
	}
	if empty && b.removeIf && err == nil {
		os.Remove(b.Path())
		os.Remove(filepath.Dir(b.Path())) // only when empty
	}
	return err
}
