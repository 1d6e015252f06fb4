package browser

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/views/common"
	"github.com/hark-audio/hark/views/tuitest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// newDemo returns a Browser on the small demo dataset, opened, at w x h, and the messages the
// opening produced.
func newDemo(t *testing.T, profile colorprofile.Profile, w, h int) (*Browser, []tea.Msg) {
	t.Helper()
	dir := demoRoot
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
	dir := demoRoot
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

func TestSplitShownAndCycled(t *testing.T) {
	b, _ := newDemo(t, colorprofile.ASCII, 80, 22)
	s := b.current()
	if want := []string{"random:0.8,0.1,0.1", "group:0.8,0.2", "kfold:5"}; !slices.Equal(s.specs, want) {
		t.Fatalf("split specs %v, want %v", s.specs, want)
	}
	if s.split == nil || s.splitErr != nil {
		t.Fatalf("no split after opening: %v", s.splitErr)
	}
	total := 0
	for _, n := range s.split.totals {
		total += n
	}
	if total != 24 || !slices.Equal(s.split.cols, []string{"train", "val", "test"}) {
		t.Errorf("split parts %v of sizes %v, want train/val/test of 24 items", s.split.cols, s.split.totals)
	}
	// The per-class counts are the engine's: the same as `hark inspect --split` prints.
	want, err := dataset.Split(s.cat, dataset.SplitSpec{Kind: "random", Fractions: []float64{0.8, 0.1, 0.1}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, pc := range want.Folds[0].PerClass {
		if got := s.split.byClass[pc.Class]; !slices.Equal(got, []int{pc.Train, pc.Val, pc.Test}) {
			t.Errorf("class %s: %v, want %d/%d/%d", pc.Class, got, pc.Train, pc.Val, pc.Test)
		}
	}
	for _, i := range want.Folds[0].Test {
		if got := s.part(i, false); got != "test" {
			t.Errorf("item %d is in %q, want test", i, got)
		}
	}
	if v := b.View(); !strings.Contains(v, "Split random:0.8,0.1,0.1 (1/3, seed 1): train 19, val 3, test 2") || !strings.Contains(v, "SPLIT") {
		t.Errorf("view lacks the split:\n%s", v)
	}

	// s computes the next split in a command: nothing changes in Update itself.
	_, cmd := b.Update(tuitest.Key("s"))
	if cmd == nil || s.split != nil || !strings.Contains(b.View(), "group:0.8,0.2 (2/3, seed 1): computing") {
		t.Fatalf("s did not start computing the group split:\n%s", b.View())
	}
	tuitest.Drain(b.update, cmd)
	if s.split == nil || s.split.spec != "group:0.8,0.2" {
		t.Fatalf("group split not shown: %+v", s.split)
	}
	groups := map[string]string{}
	for i, it := range s.cat.Items {
		p := s.part(i, false)
		if g, ok := groups[it.Group]; ok && g != p {
			t.Errorf("group %s is in both %s and %s", it.Group, g, p)
		}
		groups[it.Group] = p
	}
	press(b, "s")
	if s.split == nil || !slices.Equal(s.split.cols, []string{"f1", "f2", "f3", "f4", "f5"}) {
		t.Fatalf("kfold:5 columns: %+v", s.split)
	}
	press(b, "s")
	if s.spec != 0 || s.split.spec != "random:0.8,0.1,0.1" {
		t.Errorf("s wrapped to spec %d (%v)", s.spec, s.split)
	}
	press(b, "S")
	if s.specs[s.spec] != "kfold:5" {
		t.Errorf("S went to %s, want kfold:5", s.specs[s.spec])
	}
}

func TestStaleSplitIgnored(t *testing.T) {
	b, _ := newDemo(t, colorprofile.ASCII, 80, 22)
	s := b.current()
	_, first := b.Update(tuitest.Key("s"))
	_, second := b.Update(tuitest.Key("s"))
	// The second result arrives first; the first, now stale, must not replace it.
	tuitest.Drain(b.update, second)
	tuitest.Drain(b.update, first)
	if s.split == nil || s.split.spec != "kfold:5" {
		t.Fatalf("shown split %+v, want kfold:5", s.split)
	}
}

func TestFilterBySplit(t *testing.T) {
	b, _ := newDemo(t, colorprofile.ASCII, 80, 22)
	s := b.current()
	press(b, "t")
	if s.only != "train" || len(s.visible) != 19 {
		t.Fatalf("t: only %q with %d items, want train with 19", s.only, len(s.visible))
	}
	press(b, "t")
	if s.only != "val" || len(s.visible) != 3 {
		t.Fatalf("t t: only %q with %d items, want val with 3", s.only, len(s.visible))
	}
	for _, i := range s.visible {
		if s.part(i, false) != "val" {
			t.Errorf("item %s listed as val is in %s", s.cat.Items[i].ID, s.part(i, false))
		}
	}
	if v := b.View(); !strings.Contains(v, "val only: 1/3 of 24 items") {
		t.Errorf("view does not say val only:\n%s", v)
	}
	// The text filter and the split filter combine.
	press(b, "t", "/", "d", "r", "u", "m", "s", "enter")
	if s.only != "test" {
		t.Fatalf("only %q, want test", s.only)
	}
	for _, i := range s.visible {
		if it := s.cat.Items[i]; it.Label != "drums" || s.part(i, false) != "test" {
			t.Errorf("%s (%s) passed test+drums", it.ID, s.part(i, false))
		}
	}
	press(b, "esc", "t")
	if s.only != "" || len(s.visible) != 24 {
		t.Errorf("after esc and t: only %q, %d items", s.only, len(s.visible))
	}
	// A split whose parts lack the chosen one drops the split filter.
	press(b, "t", "s", "s")
	if s.split.spec != "kfold:5" || s.only != "" || len(s.visible) != 24 {
		t.Errorf("kfold after only train: only %q, %d items", s.only, len(s.visible))
	}
	press(b, "t", "t")
	if s.only != "f2" || len(s.visible) != s.split.totals[1] {
		t.Errorf("only %q with %d items, want f2 with %d", s.only, len(s.visible), s.split.totals[1])
	}
}

func TestListsSplitIsDefault(t *testing.T) {
	cat := &dataset.Catalog{Task: dataset.Classify, Layout: "speech-commands", Items: []dataset.Item{
		{ID: "a", Label: "x", Subset: "train"}, {ID: "b", Label: "x", Subset: "val"}, {ID: "c", Label: "y", Subset: "test"},
	}}
	if got := splitSpecs(cat); !slices.Equal(got, []string{"lists", "random:0.8,0.1,0.1"}) {
		t.Errorf("specs %v", got)
	}
	cat.Layout = "fsdd"
	cat.Items[2].Subset = ""
	if got := splitSpecs(cat); got[0] != "random:0.8,0.1,0.1" || !slices.Contains(got, "fsdd") || slices.Contains(got, "lists") {
		t.Errorf("fsdd specs %v", got)
	}
}

func newPairs(t *testing.T, w, h int) *Browser {
	t.Helper()
	c := common.NewCommon(t.Context(), colorprofile.ASCII)
	c.Engine.Open = tuitest.FixedRoot(dataset.Open, "/data/faces")
	b := New(c, []string{tuitest.ImagePairsDir(t)})
	b.SetSize(w, h)
	tuitest.Drain(b.update, b.Init())
	if s := b.current(); s.state != stateReady {
		t.Fatalf("pairs dataset: state %d, err %v", s.state, s.err)
	}
	return b
}

func TestPairList(t *testing.T) {
	b := newPairs(t, 80, 22)
	s := b.current()
	if len(s.cat.Pairs) != 6 || s.cat.Task != dataset.Pairs {
		t.Fatalf("%d pairs, task %s", len(s.cat.Pairs), s.cat.Task)
	}
	if s.split == nil || s.split.pairPart == nil {
		t.Fatalf("pair split %+v, err %v", s.split, s.splitErr)
	}
	press(b, "p")
	if !s.showPairs || len(s.visible) != 6 {
		t.Fatalf("p: pairs %v, %d rows", s.showPairs, len(s.visible))
	}
	v := b.View()
	for _, want := range []string{"A ", "SAME", "faces/ann/ann_1.png", "different", "1/6 of 6 pairs"} {
		if !strings.Contains(v, want) {
			t.Errorf("pair list lacks %q:\n%s", want, v)
		}
	}
	press(b, "/", "d", "i", "f", "enter", "down")
	if len(s.visible) != 3 || s.cursor != 1 {
		t.Fatalf("filter dif: %d pairs, cursor %d", len(s.visible), s.cursor)
	}
	msgs := press(b, "enter")
	o, ok := msgs[0].(common.OpenItemMsg)
	if !ok || !o.Pairs || o.Index != 1 || len(o.Items) != 3 || s.cat.Pairs[o.Items[o.Index]].Same {
		t.Fatalf("enter on a pair gave %#v", msgs[0])
	}
	press(b, "esc", "p")
	if s.showPairs || len(s.visible) != 6 || s.cat.Task != dataset.Pairs {
		t.Errorf("back to items: pairs %v, %d items", s.showPairs, len(s.visible))
	}
	// Items of a pair task have no split of their own.
	if got := s.part(0, false); got != "" {
		t.Errorf("item 0 is in %q", got)
	}
	b2, _ := newDemo(t, colorprofile.ASCII, 80, 22)
	press(b2, "p")
	if b2.current().showPairs {
		t.Error("p showed pairs of a dataset without any")
	}
}

func TestSplitGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 22}, {120, 38}} {
		b, _ := newDemo(t, colorprofile.ASCII, sz[0], sz[1])
		press(b, "s", "s", "t", "t")
		tuitest.Golden(t, fmt.Sprintf("kfold_%dx%d", sz[0], sz[1]), b.View(), *update)
		p := newPairs(t, sz[0], sz[1])
		press(p, "p", "down")
		tuitest.Golden(t, fmt.Sprintf("pairs_%dx%d", sz[0], sz[1]), p.View(), *update)
		tuitest.Lines(t, p.View(), sz[0], sz[1])
	}
}

// clickOn clicks, in b's coordinates, the line of b's view that holds text, two columns left
// of it (the list's pointer column, the first of a row); it fails the test when no line does.
func clickOn(t *testing.T, b *Browser, text string) []tea.Msg {
	t.Helper()
	for y, line := range strings.Split(ansi.Strip(b.View()), "\n") {
		if x := strings.Index(line, text); x >= 0 {
			x = max(0, len([]rune(line[:x]))-2)
			return tuitest.Drain(b.update, func() tea.Msg { return common.ClickMsg{X: x, Y: y} })[1:]
		}
	}
	t.Fatalf("%q is not on the screen:\n%s", text, b.View())
	return nil
}

// A click selects the row it lands on, in the narrow (stacked) and the wide layout, items and
// pairs; a click on the selected row opens it; clicks elsewhere do nothing.
func TestClickSelectsAndOpens(t *testing.T) {
	for _, w := range []int{80, 140} {
		b, _ := newDemo(t, colorprofile.ASCII, w, 22)
		s := b.current()
		id := s.cat.Items[s.visible[3]].ID
		if msgs := clickOn(t, b, id); len(msgs) != 0 || s.cursor != 3 {
			t.Fatalf("width %d: a click on %s: cursor %d, messages %v", w, id, s.cursor, msgs)
		}
		msgs := clickOn(t, b, id)
		if o, ok := firstOpen(msgs); !ok || !o.Focus || o.Index != 3 {
			t.Errorf("width %d: a second click on %s gave %v, want it opened", w, id, msgs)
		}
		for _, elsewhere := range []string{"why:", "ID"} { // the explanation, the table header
			if msgs := clickOn(t, b, elsewhere); len(msgs) != 0 || s.cursor != 3 {
				t.Errorf("width %d: a click on %q: cursor %d, messages %v", w, elsewhere, s.cursor, msgs)
			}
		}
		// Scrolled: the rows drawn are the ones clicked.
		press(b, "G")
		last := s.cat.Items[s.visible[len(s.visible)-2]].ID
		clickOn(t, b, last)
		if s.cursor != len(s.visible)-2 {
			t.Errorf("width %d, scrolled: a click on %s put the cursor on %d", w, last, s.cursor)
		}
	}
	b := newPairs(t, 80, 22)
	press(b, "p")
	s := b.current()
	clickOn(t, b, "faces/bob/bob_1.png")
	msgs := clickOn(t, b, "faces/bob/bob_1.png")
	if o, ok := firstOpen(msgs); !ok || !o.Pairs || s.cat.Items[s.cat.Pairs[o.Items[o.Index]].A].ID != "faces/bob/bob_1.png" {
		t.Errorf("two clicks on a pair gave %v", msgs)
	}
}

func firstOpen(msgs []tea.Msg) (common.OpenItemMsg, bool) {
	for _, m := range msgs {
		if o, ok := m.(common.OpenItemMsg); ok {
			return o, true
		}
	}
	return common.OpenItemMsg{}, false
}

// A pair dataset whose items have groups (people) offers the group split, which keeps every
// person in one part and says how many pairs it had to leave out.
func TestPairGroupSplit(t *testing.T) {
	dir := tuitest.LFWDir(t)
	c := common.NewCommon(t.Context(), colorprofile.ASCII)
	b := New(c, []string{dir})
	b.SetSize(100, 22)
	tuitest.Drain(b.update, b.Init())
	s := b.current()
	if s.state != stateReady || len(s.cat.Pairs) != 6 {
		t.Fatalf("LFW fixture: state %d, err %v", s.state, s.err)
	}
	if !slices.Contains(s.specs, "group:0.8,0.2") {
		t.Fatalf("split choices %v lack the group split", s.specs)
	}
	for s.specs[s.spec] != "group:0.8,0.2" {
		press(b, "s")
	}
	if s.splitErr != nil || s.split == nil {
		t.Fatalf("group split: %v", s.splitErr)
	}
	// Three people paired in a ring: one person's pairs with the others cannot be kept.
	line := s.splitLine()
	if !strings.Contains(line, "train 3, val 1, test 0, 2 pairs left out") {
		t.Errorf("split line %q", line)
	}
	press(b, "p")
	left := 0
	for i := range s.cat.Pairs {
		if s.part(i, true) == "" {
			left++
		}
	}
	if left != 2 || !strings.Contains(b.View(), " - ") {
		t.Errorf("%d pairs without a part in the list, want 2 shown as -:\n%s", left, b.View())
	}
}
