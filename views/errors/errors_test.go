package errors

import (
	"flag"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/features"
	"github.com/hark-audio/hark/views/common"
	"github.com/hark-audio/hark/views/tuitest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func (m *Errors) update(msg tea.Msg) tea.Cmd {
	_, cmd := m.Update(msg)
	return cmd
}

func send(m *Errors, msg tea.Msg) []tea.Msg {
	return tuitest.Drain(m.update, func() tea.Msg { return msg })[1:]
}

func press(m *Errors, keys ...string) []tea.Msg {
	var out []tea.Msg
	for _, k := range keys {
		out = append(out, send(m, tuitest.Key(k))...)
	}
	return out
}

// demoCatalog has the items the synthetic results name, 4 per class.
func demoCatalog() common.CatalogMsg {
	cat := &dataset.Catalog{Root: "/data/demo", Layout: "folders", Task: dataset.Classify}
	for _, c := range tuitest.DemoClasses() {
		for j := range 4 {
			id := fmt.Sprintf("%s/%s_%03d.wav", c, c, j)
			cat.Items = append(cat.Items, dataset.Item{ID: id, Path: "/data/demo/" + id, Label: c})
		}
	}
	return common.CatalogMsg{Spec: dataset.Spec{Root: "/data/demo"}, Catalog: cat}
}

// newErrors returns the pane with an engine that makes a small matrix per file, different
// per file, and counts the calls.
func newErrors(t *testing.T, p colorprofile.Profile, w, h int) (*Errors, *atomic.Int64) {
	var calls atomic.Int64
	c := common.NewCommon(t.Context(), p)
	c.Engine.Extract = func(path string, cfg extract.Config) (*extract.Result, error) {
		calls.Add(1)
		m := features.NewMatrix(16, 40)
		seed := float64(len(path) + int(path[len(path)-5]))
		for r := range 16 {
			for col := range 40 {
				m.Set(r, col, float32(-60+60*math.Abs(math.Sin(seed+float64(r*col)/37))))
			}
		}
		return &extract.Result{Kind: cfg.Kind, SR: 22050, Hop: 512, Matrix: m}, nil
	}
	m := New(c)
	m.SetSize(w, h)
	send(m, demoCatalog())
	return m, &calls
}

func show(t, p int) common.ShowErrorsMsg {
	res := tuitest.ClassifyResult("run-1", tuitest.DemoClasses(), 4)
	msg := common.ShowErrorsMsg{RunID: "run-1", Result: res, True: t, Pred: p, Focus: true}
	msg.Spec.Dataset.Spec.Root = "/data/demo"
	msg.Spec.Features.Config = extract.Default("mel-db")
	return msg
}

func TestStepsThroughCellMostConfidentFirst(t *testing.T) {
	m, calls := newErrors(t, colorprofile.ASCII, 80, 22)
	send(m, show(0, 0))
	cell := m.cell()
	if len(cell) < 2 {
		t.Fatalf("cell (0,0) has %d items", len(cell))
	}
	for i := 1; i < len(cell); i++ {
		if cell[i].Confidence > cell[i-1].Confidence {
			t.Fatalf("cell not most confident first: %v", cell)
		}
	}
	if calls.Load() == 0 {
		t.Fatal("the item's features were not computed")
	}
	press(m, "n", "n", "n", "n", "n")
	if _, _, pos := m.Position(); pos != len(cell)-1 {
		t.Errorf("n went past the end: %d of %d", pos, len(cell))
	}
	press(m, "p")
	if _, _, pos := m.Position(); pos != len(cell)-2 {
		t.Errorf("p: position %d", pos)
	}
	press(m, "e")
	tr, pr, pos := m.Position()
	if tr == pr || pos != 0 || len(m.cell()) == 0 {
		t.Errorf("e went to (%d,%d) pos %d, want a non-empty error cell", tr, pr, pos)
	}
	v := m.View()
	if !strings.Contains(v, "misclassified") || !strings.Contains(v, "probabilities") {
		t.Errorf("view:\n%s", v)
	}
	msgs := press(m, "enter")
	if o, ok := msgs[0].(common.OpenItemMsg); !ok || !o.Focus || o.Catalog.Items[o.Items[0]].ID != m.cell()[0].ID {
		t.Errorf("enter gave %#v, want the item in the Inspector", msgs[0])
	}
}

func TestPairs(t *testing.T) {
	m, _ := newErrors(t, colorprofile.ASCII, 80, 22)
	res := tuitest.PairResult("run-2", 20)
	send(m, common.ShowErrorsMsg{RunID: "run-2", Result: res, Outcome: common.OutcomeFP, Threshold: *res.Threshold})
	fp := len(m.pairList())
	if fp == 0 {
		t.Fatal("no false accepts at the EER threshold")
	}
	for _, it := range m.pairList() {
		if it.Positive || it.Score < *res.Threshold {
			t.Errorf("false accept %+v is not a different pair above the threshold", it)
		}
	}
	press(m, "f")
	if m.outcome != common.OutcomeFN {
		t.Errorf("f went to %s, want FN", m.outcome)
	}
	if v := m.View(); !strings.Contains(v, "score") || !strings.Contains(v, "truly same") {
		t.Errorf("pair view:\n%s", v)
	}
}

func TestGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 22}, {120, 38}} {
		m, _ := newErrors(t, colorprofile.ASCII, sz[0], sz[1])
		send(m, show(0, 1))
		tuitest.Lines(t, m.View(), sz[0], sz[1])
		tuitest.Golden(t, fmt.Sprintf("cell_%dx%d", sz[0], sz[1]), m.View(), *update)
		res := tuitest.PairResult("run-2", 20)
		send(m, common.ShowErrorsMsg{RunID: "run-2", Result: res, Outcome: common.OutcomeFP, Threshold: *res.Threshold})
		tuitest.Lines(t, m.View(), sz[0], sz[1])
		tuitest.Golden(t, fmt.Sprintf("pairs_%dx%d", sz[0], sz[1]), m.View(), *update)
	}
	m, _ := newErrors(t, colorprofile.TrueColor, 80, 22)
	send(m, show(0, 1))
	for _, sz := range [][2]int{{80, 22}, {200, 58}, {40, 8}, {20, 3}} {
		m.SetSize(sz[0], sz[1])
		tuitest.Lines(t, m.View(), sz[0], sz[1])
	}
}
