package browser

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/views/common"
	"github.com/hark-audio/hark/views/tuitest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// newDemo returns a Browser on the small demo dataset, opened, at w x h, and the messages the
// opening produced.
func newDemo(t *testing.T, profile colorprofile.Profile, w, h int) (*Browser, []tea.Msg) {
	t.Helper()
	dir := tuitest.DemoDir(t)
	c := common.NewCommon(t.Context(), profile)
	c.Engine.Demo = func() (string, error) { return dir, nil }
	c.Engine.Open = tuitest.FixedRoot(dataset.Open, "/data/demo")
	b := New(c, nil)
	b.SetSize(w, h)
	msgs := tuitest.Drain(b.update, b.Init())
	return b, msgs
}

// update adapts the pane to tuitest.Drain.
func (b *Browser) update(msg tea.Msg) tea.Cmd {
	_, cmd := b.Update(msg)
	return cmd
}

func press(b *Browser, keys ...string) []tea.Msg {
	var msgs []tea.Msg
	for _, k := range keys {
		msgs = append(msgs, tuitest.Drain(b.update, func() tea.Msg { return tuitest.Key(k) })[1:]...)
	}
	return msgs
}

func TestOpensDemoAndPreviewsFirstItem(t *testing.T) {
	b, msgs := newDemo(t, colorprofile.ASCII, 80, 22)
	s := b.current()
	if s.state != stateReady {
		t.Fatalf("state %d, err %v", s.state, s.err)
	}
	if got := len(s.cat.Items); got != 24 {
		t.Fatalf("%d items, want 24 (6 classes x 4)", got)
	}
	if len(s.visible) != 24 {
		t.Errorf("%d visible items, want all 24", len(s.visible))
	}
	var open []common.OpenItemMsg
	for _, m := range msgs {
		if o, ok := m.(common.OpenItemMsg); ok {
			open = append(open, o)
		}
	}
	if len(open) != 1 || open[0].Focus || open[0].Index != 0 || len(open[0].Items) != 24 {
		t.Fatalf("want one quiet preview of item 0 of 24, got %+v", open)
	}
}

func TestCursorAndOpen(t *testing.T) {
	b, _ := newDemo(t, colorprofile.ASCII, 80, 22)
	press(b, "down", "down", "j", "k")
	if got := b.current().cursor; got != 2 {
		t.Errorf("cursor %d after down,down,j,k; want 2", got)
	}
	press(b, "G")
	if got := b.current().cursor; got != 23 {
		t.Errorf("cursor %d after G; want 23", got)
	}
	press(b, "down")
	if got := b.current().cursor; got != 23 {
		t.Errorf("cursor %d after down at the end; want 23", got)
	}
	press(b, "home", "pgdown")
	if got, want := b.current().cursor, b.listRows()-1; got != want {
		t.Errorf("cursor %d after pgdown; want %d", got, want)
	}
	msgs := press(b, "enter")
	if len(msgs) != 1 {
		t.Fatalf("enter gave %d messages, want 1", len(msgs))
	}
	o, ok := msgs[0].(common.OpenItemMsg)
	if !ok || !o.Focus || o.Index != b.current().cursor {
		t.Fatalf("enter gave %#v, want a focusing OpenItemMsg at the cursor", msgs[0])
	}
}

func TestFilter(t *testing.T) {
	b, _ := newDemo(t, colorprofile.ASCII, 80, 22)
	press(b, "/")
	if !b.CapturesInput() {
		t.Fatal("the filter does not capture typed keys")
	}
	// "q" and digits are text while filtering; "drums" has both kinds of letters the
	// pane would otherwise take as keys (j, k are not in it, but r reopens and l switches).
	press(b, "d", "r", "u", "m", "s")
	s := b.current()
	if s.filter != "drums" {
		t.Fatalf("filter %q, want drums", s.filter)
	}
	if len(s.visible) != 4 {
		t.Fatalf("%d items match drums, want 4", len(s.visible))
	}
	for _, i := range s.visible {
		if s.cat.Items[i].Label != "drums" {
			t.Errorf("item %s (label %s) passed the drums filter", s.cat.Items[i].ID, s.cat.Items[i].Label)
		}
	}
	press(b, "space", "g", "2")
	if len(s.visible) != 1 || s.cat.Items[s.visible[0]].Group != "g2" {
		t.Errorf("filter %q kept %d items, want the one drums clip of group g2", s.filter, len(s.visible))
	}
	press(b, "backspace", "backspace", "backspace", "enter")
	if b.CapturesInput() || s.filter != "drums" || len(s.visible) != 4 {
		t.Errorf("after erasing and enter: capturing %v, filter %q, %d items", b.CapturesInput(), s.filter, len(s.visible))
	}
	press(b, "esc")
	if s.filter != "" || len(s.visible) != 24 {
		t.Errorf("esc left filter %q with %d items", s.filter, len(s.visible))
	}
	press(b, "/", "z", "z", "z")
	if len(s.visible) != 0 {
		t.Fatalf("zzz matched %d items", len(s.visible))
	}
	if msgs := press(b, "enter", "enter"); len(msgs) != 0 {
		t.Errorf("enter on an empty list sent %v", msgs)
	}
	if !strings.Contains(b.View(), "no item matches the filter") {
		t.Error("an empty filter result is not said")
	}
}

func TestOpenFailureAndSeveralDatasets(t *testing.T) {
	dir := tuitest.DemoDir(t)
	c := common.NewCommon(t.Context(), colorprofile.ASCII)
	missing := filepath.Join(t.TempDir(), "nothing-here")
	c.Engine.Open = func(spec dataset.Spec) (*dataset.Catalog, error) {
		if spec.Root == missing {
			return nil, fmt.Errorf("%s: %w", missing, errors.New("no such folder"))
		}
		return dataset.Open(spec)
	}
	b := New(c, []string{dir, missing})
	b.SetSize(80, 22)
	tuitest.Drain(b.update, b.Init())
	if b.sets[0].state != stateReady || b.sets[1].state != stateFailed {
		t.Fatalf("states %d, %d; want ready, failed", b.sets[0].state, b.sets[1].state)
	}
	press(b, "right")
	v := b.View()
	for _, want := range []string{"Dataset 2/2: nothing-here", "Could not open the dataset:", "nothing-here: no such"} {
		if !strings.Contains(v, want) {
			t.Errorf("view of a failed dataset lacks %q:\n%s", want, v)
		}
	}
	press(b, "right")
	if b.cur != 0 {
		t.Errorf("right from the last dataset went to %d, want 0", b.cur)
	}
}

// TestViewFits checks the size contract at sizes from tiny to large, in every state.
func TestViewFits(t *testing.T) {
	b, _ := newDemo(t, colorprofile.TrueColor, 80, 22)
	for _, sz := range [][2]int{{20, 3}, {40, 8}, {80, 22}, {109, 30}, {110, 30}, {200, 58}} {
		b.SetSize(sz[0], sz[1])
		tuitest.Lines(t, b.View(), sz[0], sz[1])
	}
	c := common.NewCommon(t.Context(), colorprofile.ASCII)
	loading := New(c, []string{"/no/such/dir"})
	loading.SetSize(60, 10)
	tuitest.Lines(t, loading.View(), 60, 10)
}

func TestGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 22}, {120, 38}} {
		b, _ := newDemo(t, colorprofile.ASCII, sz[0], sz[1])
		press(b, "down", "down")
		tuitest.Golden(t, fmt.Sprintf("demo_%dx%d", sz[0], sz[1]), b.View(), *update)
		press(b, "/", "c", "h")
		tuitest.Golden(t, fmt.Sprintf("filter_%dx%d", sz[0], sz[1]), b.View(), *update)
	}
}
