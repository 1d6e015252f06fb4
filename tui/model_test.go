package tui

import (
	"flag"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/views/common"
	"github.com/hark-audio/hark/views/sessions"
	"github.com/hark-audio/hark/views/tuitest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// newDemo returns a workbench on the small demo dataset at w x h, with its first commands run.
func newDemo(t *testing.T, profile colorprofile.Profile, w, h int) *Model {
	t.Helper()
	dir := tuitest.DemoDir(t)
	m := New(t.Context(), Options{Profile: profile, Engine: common.Engine{
		Demo: func() (string, error) { return dir, nil },
		Open: tuitest.FixedRoot(dataset.Open, "/data/demo"),
	}})
	send(m, tea.WindowSizeMsg{Width: w, Height: h})
	tuitest.Drain(m.update, m.Init())
	return m
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	_, cmd := m.Update(msg)
	return cmd
}

// send delivers msg and runs what follows; it returns the messages seen after msg itself.
func send(m *Model, msg tea.Msg) []tea.Msg {
	return tuitest.Drain(m.update, func() tea.Msg { return msg })[1:]
}

func press(m *Model, keys ...string) (quit bool) {
	for _, k := range keys {
		for _, msg := range send(m, tuitest.Key(k)) {
			if _, ok := msg.(tea.QuitMsg); ok {
				quit = true
			}
		}
	}
	return quit
}

func TestFocusKeys(t *testing.T) {
	m := newDemo(t, colorprofile.ASCII, 80, 24)
	steps := []struct {
		key, want string
	}{
		{"tab", common.PaneInspector}, {"tab", common.PaneTrain}, {"shift+tab", common.PaneInspector},
		{"1", common.PaneDatasets}, {"2", common.PaneInspector}, {"9", common.PaneInspector},
		{"3", common.PaneTrain}, {"4", common.PaneMonitor}, {"5", common.PaneResults}, {"6", common.PaneErrors},
		{"6", common.PaneErrors}, {"tab", sessions.PaneID}, {"tab", common.PaneDatasets}, {"shift+tab", sessions.PaneID},
	}
	for _, s := range steps {
		press(m, s.key)
		if got := m.Focused(); got != s.want {
			t.Fatalf("after %s the focus is on %s, want %s", s.key, got, s.want)
		}
	}
	press(m, "2")
	if !strings.Contains(m.Render(), "[2 Inspector]") {
		t.Errorf("the tab bar does not mark the inspector:\n%s", m.Render())
	}
}

func TestEnterOpensInInspector(t *testing.T) {
	m := newDemo(t, colorprofile.ASCII, 80, 24)
	press(m, "down", "down", "enter")
	if m.Focused() != common.PaneInspector {
		t.Fatalf("enter left the focus on %s", m.Focused())
	}
	v := m.Render()
	if !strings.Contains(v, "clip 3/24 arpeggio/arpeggio_002.wav") || !strings.Contains(v, "t=0.00 s") {
		t.Errorf("the inspector does not show the chosen clip:\n%s", v)
	}
}

func TestHelp(t *testing.T) {
	m := newDemo(t, colorprofile.ASCII, 80, 24)
	press(m, "?")
	if v := m.Render(); !strings.Contains(v, "Keys of Datasets") || !strings.Contains(v, "inspect item") {
		t.Fatalf("? does not show the pane's keys:\n%s", v)
	}
	press(m, "esc")
	if strings.Contains(m.Render(), "Keys of") {
		t.Error("esc did not close the help")
	}
	press(m, "?", "tab")
	if strings.Contains(m.Render(), "Keys of") {
		t.Error("switching panes kept the help open")
	}
	press(m, "?")
	if v := m.Render(); !strings.Contains(v, "Keys of Inspector") || !strings.Contains(v, "beat-sync") {
		t.Errorf("inspector help:\n%s", v)
	}
}

func TestQuit(t *testing.T) {
	m := newDemo(t, colorprofile.ASCII, 80, 24)
	if !press(m, "q") {
		t.Fatal("q did not quit")
	}
	if m.c.Ctx.Err() == nil {
		t.Error("quitting did not cancel the workbench's context")
	}
	m = newDemo(t, colorprofile.ASCII, 80, 24)
	if !press(m, "ctrl+c") {
		t.Fatal("ctrl+c did not quit")
	}
}

// TestTypingIsNotCommands checks that keys typed into the filter stay there.
func TestTypingIsNotCommands(t *testing.T) {
	m := newDemo(t, colorprofile.ASCII, 80, 24)
	if press(m, "/", "q", "2", "?", "tab") {
		t.Fatal("q typed into the filter quit")
	}
	if m.Focused() != common.PaneDatasets || strings.Contains(m.Render(), "Keys of") {
		t.Fatal("keys typed into the filter switched panes or opened the help")
	}
	if !strings.Contains(m.Render(), "/q2?_") {
		t.Errorf("the filter does not hold the typed text:\n%s", m.Render())
	}
	if !press(m, "ctrl+c") {
		t.Error("ctrl+c did not quit while filtering")
	}
}

func TestResize(t *testing.T) {
	m := newDemo(t, colorprofile.TrueColor, 80, 24)
	for _, pane := range []string{"1", "2"} {
		press(m, pane)
		for _, sz := range [][2]int{{80, 24}, {100, 30}, {200, 60}, {40, 10}, {30, 8}, {10, 3}} {
			send(m, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			tuitest.Lines(t, m.Render(), sz[0], sz[1])
		}
	}
	send(m, tea.WindowSizeMsg{Width: 30, Height: 8})
	if !strings.Contains(m.Render(), "hark needs at least") {
		t.Errorf("a too small terminal is not told:\n%s", m.Render())
	}
}

// TestPlainOutput checks that the ASCII profile (NO_COLOR, TERM=dumb) writes no escape at all
// on any screen, and that colour profiles do use them.
func TestPlainOutput(t *testing.T) {
	m := newDemo(t, colorprofile.ASCII, 80, 24)
	screens := map[string]string{}
	for _, step := range []string{"1", "?", "?", "2", "s", "c", "w", "?"} {
		press(m, step)
		screens[step] = m.Render()
	}
	for step, s := range screens {
		if strings.Contains(s, "\x1b") {
			t.Errorf("ASCII screen after %q has escapes:\n%q", step, s)
		}
	}
	send(m, tea.ColorProfileMsg{Profile: colorprofile.TrueColor})
	press(m, "?", "m")
	if !strings.Contains(m.Render(), "\x1b[") {
		t.Error("after a TrueColor profile message the screen has no escapes")
	}
}

func TestGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		m := newDemo(t, colorprofile.ASCII, sz[0], sz[1])
		name := func(s string) string { return fmt.Sprintf("%s_%dx%d", s, sz[0], sz[1]) }
		tuitest.Golden(t, name("datasets"), m.Render(), *update)
		press(m, "down", "enter", "right", "right")
		tuitest.Golden(t, name("inspector"), m.Render(), *update)
		press(m, "?")
		tuitest.Golden(t, name("inspector_help"), m.Render(), *update)
	}
}

// Clicking a tab focuses its pane, in colour and in ASCII, whether or not the tabs are padded;
// the wheel moves as the arrow keys do; NoMouse leaves the mouse to the terminal.
func TestMouse(t *testing.T) {
	for _, c := range []struct {
		profile colorprofile.Profile
		width   int
	}{{colorprofile.ASCII, 120}, {colorprofile.TrueColor, 120}, {colorprofile.TrueColor, 80}} {
		m := newDemo(t, c.profile, c.width, 24)
		if m.View().MouseMode != tea.MouseModeCellMotion {
			t.Fatal("the workbench does not ask for the mouse")
		}
		bar := []rune(ansi.Strip(strings.SplitN(m.Render(), "\n", 2)[0]))
		for i, p := range m.panes {
			title := fmt.Sprintf("%d %s", i+1, p.Title())
			x := strings.Index(string(bar), title)
			if x < 0 {
				t.Fatalf("%v at %d columns: no tab %q in %q", c.profile, c.width, title, string(bar))
			}
			x = len([]rune(string(bar)[:x]))
			for _, at := range []int{x + len(title) - 1, x} { // the label's last and first column
				send(m, tea.MouseClickMsg{X: at, Y: 0, Button: tea.MouseLeft})
				if m.Focused() != p.ID() {
					t.Errorf("%v at %d columns: a click at %d on %q focused %s", c.profile, c.width, at, title, m.Focused())
				}
				send(m, tea.KeyPressMsg{Code: '1', Text: "1"})
			}
			send(m, tea.MouseClickMsg{X: x, Y: 0, Button: tea.MouseLeft})
			bar = []rune(ansi.Strip(strings.SplitN(m.Render(), "\n", 2)[0]))
		}
		send(m, tea.MouseClickMsg{X: 1, Y: 0, Button: tea.MouseLeft}) // on "hark": nothing
		if m.Focused() != sessions.PaneID {
			t.Errorf("a click on the brand moved the focus to %s", m.Focused())
		}
	}

	m := newDemo(t, colorprofile.ASCII, 80, 24)
	send(m, tea.MouseWheelMsg{X: 10, Y: 5, Button: tea.MouseWheelDown})
	send(m, tea.MouseWheelMsg{X: 10, Y: 5, Button: tea.MouseWheelDown})
	wheeled := m.Render()
	k := newDemo(t, colorprofile.ASCII, 80, 24)
	press(k, "down", "down")
	if wheeled != k.Render() {
		t.Errorf("two wheel notches down differ from two down keys:\n%s\nvs\n%s", wheeled, k.Render())
	}
	send(m, tea.MouseWheelMsg{X: 10, Y: 5, Button: tea.MouseWheelUp})
	press(k, "up")
	if m.Render() != k.Render() {
		t.Error("a wheel notch up differs from the up key")
	}

	// A click in the pane reaches it in the pane's coordinates: the item clicked is selected.
	m = newDemo(t, colorprofile.ASCII, 80, 24)
	for y, line := range strings.Split(m.Render(), "\n") {
		if strings.Contains(line, "arpeggio_002.wav") {
			send(m, tea.MouseClickMsg{X: 2, Y: y, Button: tea.MouseLeft})
		}
	}
	if !strings.Contains(m.Render(), "3/24 of 24 items") {
		t.Errorf("a click on the third item did not select it:\n%s", m.Render())
	}

	off := New(t.Context(), Options{NoMouse: true})
	if off.View().MouseMode != tea.MouseModeNone {
		t.Error("NoMouse still asks for the mouse")
	}
}
