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

// A click moves the cursor to the confusion cell drawn where it lands (found here from the
// drawing: the row's index at the left, the column's number over it), in every layout; a click
// on the cursor's cell opens it in Errors.
func TestClickConfusionCell(t *testing.T) {
	for _, c := range []struct {
		w, h       int
		normalized bool
	}{{80, 22, false}, {140, 30, false}, {140, 30, true}, {60, 14, false}} {
		m := newResults(t, colorprofile.ASCII, c.w, c.h)
		res := tuitest.ClassifyResult("run-1", tuitest.DemoClasses(), 4)
		send(m, finished("run-1", res))
		if c.normalized {
			press(m, "n")
		}
		// at returns the last column of cell (tr, pr) and its line; the cell's first column is
		// x-cellW+1, cellW being the distance between two column numbers.
		var cellW int
		at := func(tr, pr int) (x, y int) {
			t.Helper()
			lines := strings.Split(m.View(), "\n")
			hdr := -1
			for i, l := range lines {
				if strings.HasPrefix(l, "confusion") {
					hdr = i + 1
					break
				}
			}
			if hdr < 0 {
				t.Fatalf("%dx%d: no matrix:\n%s", c.w, c.h, m.View())
			}
			end := func(p int) int {
				num := fmt.Sprintf(" %d", p)
				return strings.Index(lines[hdr]+" ", num+" ") + len(num) - 1 // the number's last column
			}
			x, cellW = end(pr), end(1)-end(0)
			for i := hdr + 1; i < len(lines); i++ {
				if strings.HasPrefix(lines[i], fmt.Sprintf("%2d ", tr)) {
					return x, i
				}
			}
			t.Fatalf("%dx%d: row %d is not drawn:\n%s", c.w, c.h, tr, m.View())
			return 0, 0
		}
		for i, cell := range [][2]int{{0, 0}, {2, 1}, {1, 3}, {3, 0}} {
			x, y := at(cell[0], cell[1])
			if i%2 == 1 {
				x -= cellW - 1 // the cell's first column
			}
			if msgs := send(m, common.ClickMsg{X: x, Y: y}); len(msgs) != 0 {
				t.Errorf("%dx%d: a click on cell %v sent %v", c.w, c.h, cell, msgs)
			}
			if tr, pr := m.Cell(); tr != cell[0] || pr != cell[1] {
				t.Errorf("%dx%d: a click on cell %v at (%d,%d) moved to (%d,%d)", c.w, c.h, cell, x, y, tr, pr)
			}
		}
		x, y := at(3, 0)
		msgs := send(m, common.ClickMsg{X: x, Y: y})
		if len(msgs) != 1 {
			t.Fatalf("%dx%d: a second click gave %v", c.w, c.h, msgs)
		}
		if se, ok := msgs[0].(common.ShowErrorsMsg); !ok || se.True != 3 || se.Pred != 0 {
			t.Errorf("%dx%d: a second click gave %#v", c.w, c.h, msgs[0])
		}
		if msgs := send(m, common.ClickMsg{X: 0, Y: 0}); len(msgs) != 0 {
			t.Errorf("a click on the header sent %v", msgs)
		}
		if tr, pr := m.Cell(); tr != 3 || pr != 0 {
			t.Errorf("a click on the header moved the cursor to (%d,%d)", tr, pr)
		}
	}
}

// A click on either score histogram moves the threshold to the column clicked: the threshold
// mark is then drawn there, and the rates follow.
func TestPairsClickThreshold(t *testing.T) {
	m := newResults(t, colorprofile.ASCII, 80, 22)
	send(m, finished("run-2", tuitest.PairResult("run-2", 40)))
	m.View() // clicks land on what was drawn
	markCol := func(y int) int {
		return strings.Index(strings.Split(m.View(), "\n")[y], "|")
	}
	for _, c := range [][2]int{{30, 3}, {60, 12}, {10, 4}} { // same, different, the first column
		before := m.Threshold()
		send(m, common.ClickMsg{X: c[0], Y: c[1]})
		if got := markCol(c[1]); got != c[0] || m.Threshold() == before {
			t.Errorf("a click at (%d,%d): threshold %v (was %v), marked at column %d", c[0], c[1], m.Threshold(), before, got)
		}
	}
	thr := m.Threshold()
	for _, off := range [][2]int{{5, 3}, {40, 0}, {40, 21}} { // the labels, the header, the rates
		send(m, common.ClickMsg{X: off[0], Y: off[1]})
		if m.Threshold() != thr {
			t.Errorf("a click at (%d,%d) moved the threshold to %v", off[0], off[1], m.Threshold())
		}
	}
}
