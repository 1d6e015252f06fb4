package trainform

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/views/common"
	"github.com/hark-audio/hark/views/tuitest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func (f *Form) update(msg tea.Msg) tea.Cmd {
	_, cmd := f.Update(msg)
	return cmd
}

func send(f *Form, msg tea.Msg) []tea.Msg {
	return tuitest.Drain(f.update, func() tea.Msg { return msg })[1:]
}

func press(f *Form, keys ...string) []tea.Msg {
	var out []tea.Msg
	for _, k := range keys {
		out = append(out, send(f, tuitest.Key(k))...)
	}
	return out
}

// newForm returns a form whose engine records the specs it is asked to start.
func newForm(t *testing.T, w, h int) (*Form, *[]train.RunSpec) {
	t.Helper()
	var started []train.RunSpec
	c := common.NewCommon(t.Context(), colorprofile.ASCII)
	c.Engine.Start = func(s train.RunSpec) (string, error) {
		if s.Name == "bad" {
			return "", errors.New("bad spec")
		}
		started = append(started, s)
		return fmt.Sprintf("run-%d", len(started)), nil
	}
	f := New(c)
	f.SetSize(w, h)
	return f, &started
}

func demoCatalog() common.CatalogMsg {
	cat := &dataset.Catalog{Root: "/data/demo", Layout: "folders", Task: dataset.Classify,
		Classes: []dataset.Class{{Name: "a", Count: 2}, {Name: "b", Count: 2}}}
	return common.CatalogMsg{Spec: dataset.Spec{Root: "/data/demo"}, Catalog: cat}
}

func TestStartNeedsDatasetThenQueues(t *testing.T) {
	f, started := newForm(t, 80, 22)
	press(f, "enter")
	if len(*started) != 0 || !strings.Contains(f.status, "no dataset") {
		t.Fatalf("enter without a dataset: started %d, status %q", len(*started), f.status)
	}
	send(f, demoCatalog())
	msgs := press(f, "enter")
	if len(*started) != 1 {
		t.Fatalf("enter started %d runs, want 1", len(*started))
	}
	q, ok := msgs[0].(common.RunQueuedMsg)
	if !ok || q.ID != "run-1" || q.Err != nil {
		t.Fatalf("enter gave %#v, want RunQueuedMsg run-1", msgs[0])
	}
	s := (*started)[0]
	if s.Dataset.Spec.Root != "/data/demo" || s.Version != train.SpecVersion || s.Name == "" {
		t.Errorf("spec %+v: want the demo root, the spec version and a name", s)
	}
	press(f, "enter")
	if len(*started) != 2 || !strings.Contains(f.View(), "run-2 queued") {
		t.Errorf("a second enter did not queue a second run:\n%s", f.View())
	}
}

func TestRecipesAndFields(t *testing.T) {
	f, started := newForm(t, 80, 22)
	send(f, demoCatalog())
	press(f, "f3") // gtzan
	s := f.Spec()
	if s.Model.Preset != "gtzan-cnn" || s.Train.LR != 1.5e-4 || s.Train.EarlyStop.Patience != 8 ||
		s.Features.Config.NMFCC != 13 || s.Dataset.Spec.Segments.Length != 5*time.Second || s.Train.Schedule.Factor != 0.9 {
		t.Fatalf("F3 did not apply the gtzan recipe: %+v", s)
	}
	// Down to the learning rate, one step up, then type a batch size.
	for f.rows[f.cursor].label != "learning rate" {
		press(f, "down")
	}
	press(f, "right")
	if got := f.Spec().Train.LR; got != 3e-4 {
		t.Errorf("right on lr 1.5e-4 gave %g, want 3e-4", got)
	}
	if f.recipe != -1 {
		t.Error("changing a field did not mark the settings custom")
	}
	press(f, "down", "down", "e")
	if !f.CapturesInput() {
		t.Fatal("e on batch did not start typing")
	}
	press(f, "ctrl+u", "4", "8", "enter")
	if got := f.Spec().Train.Batch; got != 48 || f.CapturesInput() {
		t.Errorf("typed batch 48: got %d (editing %v)", got, f.CapturesInput())
	}
	press(f, "e", "ctrl+u", "x", "enter")
	if !f.statusErr || !f.CapturesInput() || f.Spec().Train.Batch != 48 {
		t.Errorf("a bad batch was accepted or not reported: status %q", f.status)
	}
	press(f, "esc")
	press(f, "enter")
	if len(*started) != 1 || (*started)[0].Train.Batch != 48 || (*started)[0].Model.Preset != "gtzan-cnn" {
		t.Fatalf("started %+v", *started)
	}
	// Every recipe gives a spec that names a preset of the model zoo.
	for i, r := range Recipes() {
		press(f, fmt.Sprintf("f%d", i+1))
		if f.Spec().Model.Preset == "" || f.recipe != i {
			t.Errorf("recipe %s: %+v", r.Name, f.Spec())
		}
	}
}

func TestReadOnly(t *testing.T) {
	f, started := newForm(t, 80, 22)
	f.c.ReadOnly = true
	send(f, demoCatalog())
	press(f, "enter")
	if len(*started) != 0 || f.status != common.ReadOnlyMessage {
		t.Errorf("read-only enter: started %d, status %q", len(*started), f.status)
	}
}

func TestGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 22}, {120, 38}} {
		f, _ := newForm(t, sz[0], sz[1])
		send(f, demoCatalog())
		press(f, "f2", "down", "down")
		v := f.View()
		tuitest.Lines(t, v, sz[0], sz[1])
		tuitest.Golden(t, fmt.Sprintf("kws_%dx%d", sz[0], sz[1]), v, *update)
	}
}
