package results

import (
	"flag"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/views/common"
	"github.com/hark-audio/hark/views/tuitest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func (m *Results) update(msg tea.Msg) tea.Cmd {
	_, cmd := m.Update(msg)
	return cmd
}

func send(m *Results, msg tea.Msg) []tea.Msg {
	return tuitest.Drain(m.update, func() tea.Msg { return msg })[1:]
}

func press(m *Results, keys ...string) []tea.Msg {
	var out []tea.Msg
	for _, k := range keys {
		out = append(out, send(m, tuitest.Key(k))...)
	}
	return out
}

func finished(id string, res *train.Result) common.RunEventsMsg {
	return common.RunEventsMsg{Events: []train.Event{
		train.RunStarted{Header: train.Header{Run: id}, Spec: train.RunSpec{Name: "demo run"}},
		train.RunFinished{Header: train.Header{Run: id}, Result: res},
	}}
}

func newResults(t *testing.T, p colorprofile.Profile, w, h int) *Results {
	m := New(common.NewCommon(t.Context(), p))
	m.SetSize(w, h)
	return m
}

func TestConfusionCursorAndOpen(t *testing.T) {
	m := newResults(t, colorprofile.ASCII, 80, 22)
	res := tuitest.ClassifyResult("run-1", tuitest.DemoClasses(), 4)
	send(m, finished("run-1", res))
	if m.Selected() != "run-1" {
		t.Fatalf("selected %q", m.Selected())
	}
	tr, pr := m.Cell()
	if tr == pr || res.Confusion[tr][pr] == 0 {
		t.Fatalf("starts on cell (%d,%d), want the largest off-diagonal cell", tr, pr)
	}
	press(m, "home")
	press(m, "up", "up", "up", "up", "up", "up", "left", "left", "left", "left", "left", "left", "down", "right")
	if tr, pr := m.Cell(); tr != 1 || pr != 1 {
		t.Fatalf("cell (%d,%d) after moves, want (1,1)", tr, pr)
	}
	press(m, "right")
	msgs := press(m, "enter")
	if len(msgs) != 1 {
		t.Fatalf("enter gave %d messages", len(msgs))
	}
	se, ok := msgs[0].(common.ShowErrorsMsg)
	if !ok || se.True != 1 || se.Pred != 2 || !se.Focus || se.Result != res {
		t.Fatalf("enter gave %#v, want ShowErrorsMsg of cell (1,2)", msgs[0])
	}
	v := m.View()
	press(m, "n")
	if !m.normalized || m.View() == v || !strings.Contains(m.View(), "row-normalised") {
		t.Error("n did not switch to the row-normalised matrix")
	}
}

func TestPairsThreshold(t *testing.T) {
	m := newResults(t, colorprofile.ASCII, 80, 22)
	res := tuitest.PairResult("run-2", 40)
	send(m, finished("run-2", res))
	if m.Threshold() != *res.Threshold {
		t.Fatalf("threshold %v, want the result's %v", m.Threshold(), *res.Threshold)
	}
	far := func() string {
		for _, l := range strings.Split(m.View(), "\n") {
			if strings.Contains(l, "false accept") {
				return l
			}
		}
		return ""
	}
	before := far()
	press(m, "right", "right", "right", "right", "right")
	if m.Threshold() <= *res.Threshold || far() == before {
		t.Errorf("right did not raise the threshold and change the rates: %v\n%s\n%s", m.Threshold(), before, far())
	}
	r := m.roc.At(m.Threshold())
	if !strings.Contains(far(), fmt.Sprintf("(%d/%d different accepted)", r.FP, r.FP+r.TN)) {
		t.Errorf("rates line %q does not match the ROC %+v", far(), r)
	}
	press(m, "e")
	if m.Threshold() != *res.Threshold {
		t.Errorf("e went to %v, want the EER threshold %v", m.Threshold(), *res.Threshold)
	}
	msgs := press(m, "enter")
	if se, ok := msgs[0].(common.ShowErrorsMsg); !ok || se.Outcome != common.OutcomeFP || se.Threshold != m.Threshold() {
		t.Errorf("enter gave %#v", msgs[0])
	}
}

func TestGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 22}, {120, 38}} {
		m := newResults(t, colorprofile.ASCII, sz[0], sz[1])
		send(m, finished("run-1", tuitest.ClassifyResult("run-1", tuitest.DemoClasses(), 4)))
		tuitest.Lines(t, m.View(), sz[0], sz[1])
		tuitest.Golden(t, fmt.Sprintf("confusion_%dx%d", sz[0], sz[1]), m.View(), *update)
		send(m, finished("run-2", tuitest.PairResult("run-2", 40)))
		tuitest.Lines(t, m.View(), sz[0], sz[1])
		tuitest.Golden(t, fmt.Sprintf("pairs_%dx%d", sz[0], sz[1]), m.View(), *update)
	}
	// Colour: cells are shaded, and the box holds.
	m := newResults(t, colorprofile.TrueColor, 80, 22)
	send(m, finished("run-1", tuitest.ClassifyResult("run-1", tuitest.DemoClasses(), 4)))
	tuitest.Lines(t, m.View(), 80, 22)
	if !strings.Contains(m.View(), "\x1b[") {
		t.Error("the colour matrix has no colour")
	}
	for _, sz := range [][2]int{{40, 8}, {200, 58}, {20, 3}} {
		m.SetSize(sz[0], sz[1])
		tuitest.Lines(t, m.View(), sz[0], sz[1])
	}
}
