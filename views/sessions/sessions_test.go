package sessions

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/hark-audio/hark/engine/train"
	session "github.com/hark-audio/hark/sessions"
	"github.com/hark-audio/hark/sessions/playback"
	"github.com/hark-audio/hark/views/common"
	"github.com/hark-audio/hark/views/tuitest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// pkgDir is the package's folder, taken before the tests move into their temporary ones.
var pkgDir, _ = os.Getwd()

// golden is tuitest.Golden on the package's testdata folder wherever the test runs.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(pkgDir, "testdata", name+".golden")
	if *update {
		must(t, os.MkdirAll(filepath.Dir(path), 0o755))
		must(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("view differs from %s (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// runSpec is a small classification spec on dataset root.
func runSpec(name, root, preset string, batch int) train.RunSpec {
	s := train.RunSpec{Version: train.SpecVersion, Name: name}
	s.Dataset.Spec.Root = root
	s.Model.Preset, s.Features.Config.Kind = preset, "mfcc"
	s.Train.Epochs, s.Train.Batch, s.Train.LR = 8, batch, 1e-3
	return s
}

// writeSession records a session of the given runs (epochs each, synthetic curves) created at
// created, into path.
func writeSession(t testing.TB, path string, created time.Time, epochs int, specs ...train.RunSpec) {
	t.Helper()
	rec, err := session.NewRecorder(path, session.Meta{Created: created, Now: func() time.Time { return created }, NoHash: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, spec := range specs {
		id := "run-" + string(rune('1'+i))
		evs := tuitest.TrainEvents(id, spec, epochs+i, 2)
		for j, ev := range evs { // one run after the other, ten minutes apart
			evs[j] = shift(ev, i)
			if err := rec.Record(evs[j]); err != nil {
				t.Fatal(err)
			}
		}
		res := tuitest.ClassifyResult(id, tuitest.DemoClasses(), 4+i)
		fin := train.RunFinished{Header: train.Header{Run: id, Time: evs[len(evs)-1].(train.EpochDone).Time.Add(time.Second)}, Result: res}
		if err := rec.Record(fin); err != nil {
			t.Fatal(err)
		}
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
}

// shift moves an event's time by i ten-minute steps and makes run i's curves its own.
func shift(ev train.Event, i int) train.Event {
	d := time.Duration(i) * 10 * time.Minute
	switch e := ev.(type) {
	case train.RunStarted:
		e.Time = e.Time.Add(d)
		return e
	case train.BatchDone:
		e.Time = e.Time.Add(d)
		return e
	case train.EpochDone:
		e.Time = e.Time.Add(d)
		e.ValMetric *= 1 - 0.08*float64(i)
		e.ValLoss *= 1 + 0.1*float64(i)
		return e
	}
	return ev
}

var day = time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)

// fixtures writes into a fresh working folder: hark-sessions/ with two sessions, a broken one
// and a dataset manifest that is not a session, and data/ with one more session; it returns
// the folders to list, as a workbench gives them.
func fixtures(t *testing.T) []string {
	t.Helper()
	t.Chdir(t.TempDir())
	must(t, os.MkdirAll("hark-sessions", 0o755))
	must(t, os.MkdirAll("data/fsdd", 0o755))
	writeSession(t, "hark-sessions/20250301-093000.json", day, 6,
		runSpec("cnn-b32", "/data/fsdd", "fsdd-cnn", 32), runSpec("cnn-b64", "/data/fsdd", "fsdd-cnn", 64))
	writeSession(t, "hark-sessions/20250302-101500.json", day.Add(24*time.Hour+45*time.Minute), 5,
		runSpec("kws-vgg", "/data/speech_commands", "kws-vgg", 32))
	writeSession(t, "data/fsdd/grid-b128.json", day.Add(-48*time.Hour), 4,
		runSpec("cnn-b128", "/data/fsdd", "fsdd-cnn", 128))
	must(t, os.WriteFile("hark-sessions/broken.json", []byte(`{"format": "hark-session", "version": 1, "steps": [`), 0o644))
	must(t, os.WriteFile("data/fsdd/labels.json", []byte(`{"0_jackson_0.wav": {"label": "0"}}`), 0o644))
	return []string{DefaultDir, "data/fsdd"}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newPane(t *testing.T, cfg Config, profile colorprofile.Profile, w, h int) *Sessions {
	t.Helper()
	c := common.NewCommon(t.Context(), profile)
	cfg.Location = time.UTC
	m := New(c, cfg)
	m.SetSize(w, h)
	tuitest.Drain(m.update, m.Init())
	return m
}

func (m *Sessions) update(msg tea.Msg) tea.Cmd {
	_, cmd := m.Update(msg)
	return cmd
}

// press hands keys to the pane and returns the messages its commands sent.
func press(m *Sessions, keys ...string) []tea.Msg {
	var seen []tea.Msg
	for _, k := range keys {
		msg := tuitest.Key(k)
		seen = append(seen, tuitest.Drain(m.update, func() tea.Msg { return msg })...)
	}
	return seen
}

func TestListsSessions(t *testing.T) {
	dirs := fixtures(t)
	m := newPane(t, Config{Dirs: dirs, Current: "hark-sessions/20250302-101500.json"}, colorprofile.ASCII, 80, 22)
	var got []string
	for _, e := range m.entries {
		got = append(got, e.path)
	}
	want := []string{"hark-sessions/20250302-101500.json", "hark-sessions/20250301-093000.json", "data/fsdd/grid-b128.json", "hark-sessions/broken.json"}
	if !slices.Equal(got, want) {
		t.Fatalf("listed %v, want %v (newest first, unreadable last, the manifest left out)", got, want)
	}
	if m.entries[3].err == nil || !strings.Contains(m.entries[3].err.Error(), "broken.json") {
		t.Errorf("the broken file's error does not name it: %v", m.entries[3].err)
	}
	s := m.entries[1].sum
	if s.Runs != 2 || s.Model != "fsdd-cnn" || s.Task != "classify" || s.Best == nil {
		t.Errorf("summary of the fsdd session: %+v", s)
	}
	tuitest.Lines(t, m.View(), 80, 22)
	golden(t, "list_80x22", m.View())
	press(m, "down")
	m.SetSize(120, 38)
	tuitest.Lines(t, m.View(), 120, 38)
	golden(t, "list_120x38", m.View())
}

func TestFilter(t *testing.T) {
	m := newPane(t, Config{Dirs: fixtures(t)}, colorprofile.ASCII, 80, 22)
	press(m, "/")
	if !m.CapturesInput() {
		t.Fatal("typing a filter does not capture input")
	}
	press(m, "k", "w", "s")
	if len(m.shown) != 1 || m.current() != "hark-sessions/20250302-101500.json" {
		t.Fatalf("filter kws shows %v", m.shown)
	}
	press(m, "enter")
	if m.CapturesInput() || m.filter != "kws" {
		t.Fatalf("enter does not keep the filter: %q capturing %v", m.filter, m.CapturesInput())
	}
	press(m, "esc")
	if len(m.shown) != 4 {
		t.Fatalf("esc leaves %d shown", len(m.shown))
	}
	press(m, "/", "f", "s", "d", "d", "backspace", " ", "1", "2", "8", "esc")
	if m.filter != "" || len(m.shown) != 4 {
		t.Fatalf("esc while typing does not cancel: %q", m.filter)
	}
}

func TestCompare(t *testing.T) {
	m := newPane(t, Config{Dirs: fixtures(t)}, colorprofile.ASCII, 80, 22)
	// One session with one run cannot be compared alone.
	press(m, "c")
	if m.Comparing() || !m.isErr {
		t.Fatal("a single run was compared")
	}
	// Select the fsdd session (two runs) and the grid cell, then compare: three runs.
	press(m, "down", "space", "space")
	if got := m.Selected(); !slices.Equal(got, []string{"hark-sessions/20250301-093000.json", "data/fsdd/grid-b128.json"}) {
		t.Fatalf("selected %v", got)
	}
	press(m, "space") // the broken file cannot be selected
	if len(m.Selected()) != 2 || !m.isErr {
		t.Fatalf("the unreadable file was selected: %v", m.Selected())
	}
	press(m, "c")
	if !m.Comparing() {
		t.Fatalf("no comparison: %s", m.status)
	}
	c := m.cmp
	if len(c.series) != 3 || len(c.table.Rows) != 3 {
		t.Fatalf("%d series, %d rows", len(c.series), len(c.table.Rows))
	}
	if !slices.Contains(c.table.Params, "train.batch") {
		t.Errorf("the batch size that differs is not a column: %v", c.table.Params)
	}
	if len(c.series[1].val) != 7 || len(c.series[2].val) != 4 {
		t.Errorf("series lengths %d, %d: want the epochs of each run", len(c.series[1].val), len(c.series[2].val))
	}
	if d := c.table.Rows[1].Delta["accuracy"]; d == 0 {
		t.Errorf("no difference of accuracy from the first run: %v", c.table.Rows[1].Delta)
	}
	tuitest.Lines(t, m.View(), 80, 22)
	golden(t, "compare_80x22", m.View())
	press(m, "right")
	if c.scroll == 0 {
		t.Error("the wide table does not scroll")
	}
	press(m, "left", "v")
	if !c.loss {
		t.Error("v does not switch to the loss")
	}
	m.SetSize(120, 38)
	tuitest.Lines(t, m.View(), 120, 38)
	golden(t, "compare_loss_120x38", m.View())
	press(m, "esc")
	if m.Comparing() {
		t.Error("esc does not go back to the list")
	}
	press(m, "esc")
	if len(m.Selected()) != 0 {
		t.Error("esc does not clear the selection")
	}
}

// paneWithDeck is an 80x22 pane over dirs whose sessions open on a playback deck.
func paneWithDeck(t *testing.T, dirs []string) (*Sessions, *playback.Deck) {
	t.Helper()
	deck := playback.NewDeck(t.Context(), playback.Live{})
	return newPane(t, Config{Dirs: dirs, Deck: deck}, colorprofile.ASCII, 80, 22), deck
}

func TestOpenAndPlay(t *testing.T) {
	dirs := fixtures(t)
	m, deck := paneWithDeck(t, dirs)
	press(m, "down") // the fsdd session: its best run is run-2
	msgs := press(m, "enter")
	var show *common.ShowRunMsg
	for _, msg := range msgs {
		if s, ok := msg.(common.ShowRunMsg); ok {
			show = &s
		}
		if _, ok := msg.(ResetRunsMsg); ok {
			t.Error("opening a new session resets the run panes")
		}
	}
	best := m.entries[1].sum.BestRun
	if show == nil || show.RunID != "20250301-093000/"+best || show.Pane != common.PaneMonitor {
		t.Fatalf("open sent %+v, want the best run %s in the Monitor", show, best)
	}
	runs := deck.Runs()
	if len(runs) != 2 || runs[1].Result == nil {
		t.Fatalf("the deck's runs after open: %+v", runs)
	}
	// Playing it again goes back to the start: the run panes start afresh.
	msgs = press(m, "p")
	if !slices.ContainsFunc(msgs, func(msg tea.Msg) bool { _, ok := msg.(ResetRunsMsg); return ok }) {
		t.Errorf("playing an opened session again sent no reset: %v", msgs)
	}
	if st := deck.Active().State(); st.Pos > 3 {
		t.Errorf("playback did not restart: %+v", st)
	}
	// Without a deck, opening says why not.
	m2 := newPane(t, Config{Dirs: dirs}, colorprofile.ASCII, 80, 22)
	press(m2, "enter")
	if !m2.isErr || !strings.Contains(m2.status, "cannot open") {
		t.Errorf("status %q", m2.status)
	}
}

func TestBar(t *testing.T) {
	dirs := fixtures(t)
	s, err := session.Read(filepath.Join(dirs[0], "20250301-093000.json"))
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	deck := playback.NewDeck(ctx, playback.Live{})
	c := common.NewCommon(ctx, colorprofile.ASCII)
	b := NewBar(c, deck)
	if b.Shown() {
		t.Fatal("the bar shows with nothing playing")
	}
	if _, _, err := deck.Add(s, playback.Options{Paused: true}); err != nil {
		t.Fatal(err)
	}
	b.Update(nil)
	if !b.Shown() || b.Init() == nil {
		t.Fatal("the bar does not show a playback")
	}
	if _, ok := b.HandleKey(tuitest.Key("x"), common.PaneMonitor); ok {
		t.Error("the bar took a key that is not its own")
	}
	if _, ok := b.HandleKey(tuitest.Key("space"), common.PaneErrors); ok {
		t.Error("the bar took space outside the Monitor")
	}
	for range 3 {
		if cmd, ok := b.HandleKey(tuitest.Key(">"), common.PaneResults); !ok || cmd != nil {
			t.Fatal("> is not a forward step")
		}
	}
	if st := b.State(); st.Epoch != 3 || !st.Paused || st.Run != "run-1" {
		t.Fatalf("after 3 steps: %+v", st)
	}
	cmd, _ := b.HandleKey(tuitest.Key("<"), common.PaneResults)
	if cmd == nil {
		t.Fatal("a step back asks for no reset")
	}
	if _, ok := cmd().(ResetRunsMsg); !ok {
		t.Fatal("a step back does not reset the run panes")
	}
	b.HandleKey(tuitest.Key("F"), common.PaneMonitor)
	if st := b.State(); st.Epoch != 2 || st.Speed != 20 {
		t.Fatalf("after < and F: %+v", st)
	}
	golden(t, "bar_80", b.View(80))
	b.HandleKey(tuitest.Key(")"), common.PaneMonitor)
	if st := b.State(); !st.Ended {
		t.Fatalf(") does not go to the end: %+v", st)
	}
	golden(t, "bar_end_120", b.View(120))
}

// A click selects the session drawn on the line clicked; a click on the selected one opens it.
func TestClickSelectsAndOpens(t *testing.T) {
	dirs := fixtures(t)
	m, _ := paneWithDeck(t, dirs)
	click := func(text string) []tea.Msg {
		t.Helper()
		for y, line := range strings.Split(m.View(), "\n") {
			if strings.Contains(line, text) {
				return tuitest.Drain(m.update, func() tea.Msg { return common.ClickMsg{X: 1, Y: y} })[1:]
			}
		}
		t.Fatalf("%q is not on the screen:\n%s", text, m.View())
		return nil
	}
	if msgs := click("2025-02-27"); len(msgs) != 0 || m.current() != "data/fsdd/grid-b128.json" {
		t.Fatalf("a click on the grid session selected %s, sent %v", m.current(), msgs)
	}
	click("2025-03-01")
	msgs := click("2025-03-01")
	if !slices.ContainsFunc(msgs, func(msg tea.Msg) bool { s, ok := msg.(common.ShowRunMsg); return ok && s.Pane == common.PaneMonitor }) {
		t.Errorf("a second click on the fsdd session sent %v, want it opened", msgs)
	}
	if msgs := click("date "); len(msgs) != 0 || m.current() != "hark-sessions/20250301-093000.json" {
		t.Errorf("a click on the header moved to %s, sent %v", m.current(), msgs)
	}
}
