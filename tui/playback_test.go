package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/sessions"
	"github.com/hark-audio/hark/sessions/playback"
	"github.com/hark-audio/hark/views/common"
	sessview "github.com/hark-audio/hark/views/sessions"
	"github.com/hark-audio/hark/views/tuitest"
)

// recordedSession writes a session of one synthetic run of 6 epochs and reads it back.
func recordedSession(t *testing.T) *sessions.Session {
	t.Helper()
	path := filepath.Join(t.TempDir(), "played.json")
	rec, err := sessions.NewRecorder(path, sessions.Meta{NoHash: true, Now: func() time.Time { return time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	spec := train.RunSpec{Version: train.SpecVersion, Name: "played"}
	spec.Train.Epochs = 6
	evs := tuitest.TrainEvents("run-1", spec, 6, 2)
	for _, ev := range evs {
		if err := rec.Record(ev); err != nil {
			t.Fatal(err)
		}
	}
	last := evs[len(evs)-1].(train.EpochDone)
	fin := train.RunFinished{Header: train.Header{Run: "run-1", Time: last.Time.Add(time.Second)}, Result: tuitest.ClassifyResult("run-1", tuitest.DemoClasses(), 4)}
	if err := rec.Record(fin); err != nil {
		t.Fatal(err)
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := sessions.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPlaybackScrub plays a session back in the workbench (as `hark replay` does), paused:
// > steps the Monitor's curve an epoch on, < steps it back (the run panes start afresh), )
// goes to the end, where Results shows the final result, and space in the Monitor plays it
// again; the bar and the help show the keys.
func TestPlaybackScrub(t *testing.T) {
	dir := tuitest.DemoDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	deck := playback.NewDeck(ctx, playback.Live{})
	if _, _, err := deck.Add(recordedSession(t), playback.Options{Paused: true}); err != nil {
		t.Fatal(err)
	}
	m := New(ctx, Options{Profile: colorprofile.ASCII, Engine: common.Engine{
		Demo: func() (string, error) { return dir, nil }, Open: tuitest.FixedRoot(dataset.Open, "/data/demo"),
		Start: deck.Start, Stop: deck.Stop, Runs: deck.Runs, History: deck.History, Watch: deck.Watch,
	}, Sessions: sessview.Config{Deck: deck}})
	m.resize(80, 24)
	l := newLoop(m)
	l.run(m.Init())
	l.until(t, "the Monitor in front", func() bool { return m.Focused() == common.PaneMonitor })
	if !m.barShown || !strings.Contains(m.Render(), "|| paused x10") {
		t.Fatalf("no playback bar:\n%s", m.Render())
	}
	l.press(t, ">", ">", ">")
	l.until(t, "epoch 3 in the Monitor", func() bool { return strings.Contains(m.Render(), "epoch 3/6") })
	l.press(t, "<")
	l.until(t, "epoch 2 in the Monitor after a step back", func() bool {
		v := m.Render()
		return strings.Contains(v, "epoch 2/6") && !strings.Contains(v, "epoch 3/6")
	})
	l.press(t, "?")
	if v := m.Render(); !strings.Contains(v, "previous epoch") || !strings.Contains(v, "pause/play") {
		t.Errorf("the help does not list the playback keys:\n%s", v)
	}
	tuitest.Golden(t, "playback_help_80x24", m.Render(), *update)
	l.press(t, "?", ")", "5")
	l.until(t, "the final result in Results", func() bool { return strings.Contains(m.Render(), "confusion") })
	if !strings.Contains(m.Render(), "[] ended") {
		t.Errorf("the bar does not say the playback ended:\n%s", m.Render())
	}
	// Space plays again, from the start, in the Monitor: the run panes start afresh.
	l.press(t, "4", "space")
	l.until(t, "playing again from the start", func() bool {
		v := m.Render()
		return strings.Contains(v, "> playing x10") && !strings.Contains(v, "epoch 6/6")
	})
}

// TestSessionsPaneGolden draws the Sessions pane in the workbench, and its help, at 80x24 and
// 120x40, over two recorded sessions in ./hark-sessions.
func TestSessionsPaneGolden(t *testing.T) {
	s := recordedSession(t)
	data, err := sessions.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	// The pane lists ./hark-sessions: scan from a temporary folder, come back for the goldens.
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	tmp := t.TempDir()
	if err := os.MkdirAll(filepath.Join(tmp, "hark-sessions"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"20250101-120000.json", "20250102-090000.json"} {
		if err := os.WriteFile(filepath.Join(tmp, "hark-sessions", name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		m := New(t.Context(), Options{Profile: colorprofile.ASCII, Engine: common.Engine{
			Demo: func() (string, error) { return "", errors.New("no demo here") },
		}, Sessions: sessview.Config{Dirs: []string{sessview.DefaultDir}, Location: time.UTC}})
		send(m, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		os.Chdir(tmp)
		tuitest.Drain(m.update, m.Init())
		press(m, "7", "space", "space")
		os.Chdir(wd)
		name := func(s string) string { return fmt.Sprintf("%s_%dx%d", s, sz[0], sz[1]) }
		if v := m.Render(); !strings.Contains(v, "2 selected") {
			t.Fatalf("sessions pane:\n%s", v)
		}
		tuitest.Golden(t, name("sessions"), m.Render(), *update)
		press(m, "?")
		tuitest.Golden(t, name("sessions_help"), m.Render(), *update)
		press(m, "?", "c")
		tuitest.Golden(t, name("sessions_compare"), m.Render(), *update)
	}
}
