package inspector

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/views/common"
	"github.com/hark-audio/hark/views/tuitest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixture is an Inspector on the small demo dataset whose engine counts extractions.
type fixture struct {
	m     *Inspector
	cat   *dataset.Catalog
	calls atomic.Int64
}

func newFixture(t *testing.T, profile colorprofile.Profile, w, h int) *fixture {
	t.Helper()
	cat, err := dataset.Open(dataset.Spec{Root: tuitest.DemoDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{cat: cat}
	c := common.NewCommon(t.Context(), profile)
	real := c.Engine.Extract
	c.Engine.Extract = func(path string, cfg extract.Config) (*extract.Result, error) {
		f.calls.Add(1)
		return real(path, cfg)
	}
	f.m = New(c)
	f.m.SetSize(w, h)
	return f
}

func (f *fixture) send(msg tea.Msg) []tea.Msg {
	return tuitest.Drain(func(msg tea.Msg) tea.Cmd {
		_, cmd := f.m.Update(msg)
		return cmd
	}, func() tea.Msg { return msg })
}

// open shows item i of the whole catalog and waits for its features.
func (f *fixture) open(i int) {
	items := make([]int, len(f.cat.Items))
	for j := range items {
		items[j] = j
	}
	f.send(common.OpenItemMsg{Catalog: f.cat, Items: items, Index: i})
}

func (f *fixture) press(keys ...string) {
	for _, k := range keys {
		f.send(tuitest.Key(k))
	}
}

// computed counts the extractions the keys started.
func (f *fixture) computed(keys ...string) int64 {
	before := f.calls.Load()
	f.press(keys...)
	return f.calls.Load() - before
}

func TestNoClip(t *testing.T) {
	f := newFixture(t, colorprofile.ASCII, 80, 22)
	if v := f.m.View(); !strings.Contains(v, "No clip yet") {
		t.Errorf("empty inspector says:\n%s", v)
	}
}

func TestComputesOnceAndCaches(t *testing.T) {
	f := newFixture(t, colorprofile.ASCII, 80, 22)
	f.open(0)
	if got := f.calls.Load(); got != 2 {
		t.Fatalf("opening a clip made %d extractions, want 2 (waveform with beats, mel)", got)
	}
	v := f.m.View()
	for _, want := range []string{"clip 1/24", "arpeggio/arpeggio_000.wav", "[mel]", "mel-db 128 mels", "t=0.00 s"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if n := f.computed("c"); n != 1 {
		t.Errorf("chroma made %d extractions, want 1", n)
	}
	if n := f.computed("m", "c", "w", "v", "v", "V"); n != 1 {
		t.Errorf("revisiting views made %d extractions, want 1 (the spectrogram, new)", n)
	}
	if n := f.computed("right", "up", "+", "-", "pgdown"); n != 0 {
		t.Errorf("moving the cursor made %d extractions, want 0", n)
	}
	// Redraws reuse the drawing: View twice gives the identical string without drawing again.
	v1 := f.m.View()
	before := f.m.drawn
	if v2 := f.m.View(); v2 != v1 || f.m.drawn != before {
		t.Error("a second View of an unchanged pane drew something else")
	}
}

func TestCursorReadout(t *testing.T) {
	f := newFixture(t, colorprofile.ASCII, 80, 22)
	f.open(0)
	// A 1 s clip at 16 kHz has 1 + 16000/512 = 32 frames of 32 ms.
	f.press("right")
	if f.m.frame != 1 || !strings.Contains(f.m.View(), "t=0.03 s") {
		t.Errorf("after right: frame %d, view:\n%s", f.m.frame, f.m.View())
	}
	f.press("left", "left")
	if f.m.frame != 0 {
		t.Errorf("left at the start went to frame %d", f.m.frame)
	}
	f.press("end")
	if f.m.frame != 31 || !strings.Contains(f.m.View(), "t=0.99 s") {
		t.Errorf("after end: frame %d, view:\n%s", f.m.frame, f.m.View())
	}
	f.press("home", "up", "up", "up")
	if got := f.m.bin(128); got != 3 {
		t.Errorf("three ups put the cursor on bin %d, want 3", got)
	}
	f.press("down")
	if got := f.m.bin(128); got != 2 {
		t.Errorf("down put the cursor on bin %d, want 2", got)
	}
	// The bin keeps its place in the range when the view changes: 2 of 127 in mel is 0 of 11.
	f.press("c")
	if got := f.m.bin(12); got != 0 {
		t.Errorf("bin %d in chroma, want 0", got)
	}
}

func TestZoomAndScroll(t *testing.T) {
	f := newFixture(t, colorprofile.ASCII, 80, 22)
	f.open(0)
	f.press("end", "+")
	if f.m.zoom != 2 || f.m.span(32) != 16 || f.m.start != 16 {
		t.Fatalf("zoom %d span %d start %d; want 2, 16, 16", f.m.zoom, f.m.span(32), f.m.start)
	}
	if !strings.Contains(f.m.View(), "zoom 2x") {
		t.Error("the header does not say zoom 2x")
	}
	f.press("+", "+", "+")
	if f.m.zoom != 4 {
		t.Errorf("zoom %d after more +, want 4 (8 frames is the narrowest window)", f.m.zoom)
	}
	f.press("pgup")
	if f.m.start != 20 || f.m.frame != 27 {
		t.Errorf("pgup: start %d frame %d; want 20, 27", f.m.start, f.m.frame)
	}
	f.press("home")
	if f.m.start != 0 || f.m.frame != 0 {
		t.Errorf("home: start %d frame %d; want the window to follow the cursor", f.m.start, f.m.frame)
	}
	f.press("z")
	if f.m.zoom != 1 || f.m.start != 0 {
		t.Errorf("z: zoom %d start %d", f.m.zoom, f.m.start)
	}
}

func TestBeatSync(t *testing.T) {
	f := newFixture(t, colorprofile.ASCII, 80, 22)
	f.open(0)
	if n := f.computed("b"); n != 1 {
		t.Fatalf("beat-sync made %d extractions, want 1", n)
	}
	cfg := f.m.config()
	if cfg.BeatSync != "mean" {
		t.Errorf("mel beat-sync aggregates by %q, want mean", cfg.BeatSync)
	}
	tl, ok := f.m.timeline()
	if !ok || !tl.sync {
		t.Fatal("no beat-synchronous timeline")
	}
	r := f.m.result()
	if r.Matrix.Cols != len(tl.bounds)-1 {
		t.Errorf("synced matrix has %d columns, the timeline %d intervals", r.Matrix.Cols, len(tl.bounds)-1)
	}
	f.press("right")
	if f.m.frame != tl.bounds[1] {
		t.Errorf("right went to frame %d, want the first beat %d", f.m.frame, tl.bounds[1])
	}
	if !strings.Contains(f.m.View(), "sync on") {
		t.Error("the header does not say sync on")
	}
	f.press("c")
	if got := f.m.config().BeatSync; got != "median" {
		t.Errorf("chroma beat-sync aggregates by %q, want median", got)
	}
}

func TestTimelineColumns(t *testing.T) {
	tl := timeline{frames: 32, sync: true, bounds: syncBounds([]int{5, 12, 12, 40, -1}, 32)}
	if want := []int{0, 5, 12, 32}; !slices.Equal(tl.bounds, want) {
		t.Fatalf("bounds %v, want %v", tl.bounds, want)
	}
	for f, want := range map[int]int{0: 0, 4: 0, 5: 1, 11: 1, 12: 2, 31: 2} {
		if got := tl.column(f); got != want {
			t.Errorf("frame %d is in column %d, want %d", f, got, want)
		}
	}
	if got := tl.next(31, 1); got != 12 {
		t.Errorf("next from the last interval went to %d, want its start 12", got)
	}
	if got := tl.prev(3, 1); got != 0 {
		t.Errorf("prev from the first interval went to %d", got)
	}
}

func TestClips(t *testing.T) {
	f := newFixture(t, colorprofile.ASCII, 80, 22)
	f.open(0)
	f.press("right", "right", "+")
	if n := f.computed("n"); n != 2 {
		t.Errorf("next clip made %d extractions, want 2", n)
	}
	if f.m.pos != 1 || f.m.frame != 0 || f.m.zoom != 1 {
		t.Errorf("next clip: pos %d frame %d zoom %d; want 1, 0, 1", f.m.pos, f.m.frame, f.m.zoom)
	}
	if !strings.Contains(f.m.View(), "arpeggio_001.wav") {
		t.Error("the view does not show the next clip")
	}
	if n := f.computed("p", "p"); n != 0 {
		t.Errorf("going back made %d extractions, want 0 (cached)", n)
	}
	if f.m.pos != 0 {
		t.Errorf("p at the first clip: pos %d", f.m.pos)
	}
}

func TestParameters(t *testing.T) {
	f := newFixture(t, colorprofile.ASCII, 80, 22)
	f.open(0)
	if n := f.computed("]"); n != 1 || f.m.nfft != 4096 {
		t.Errorf("]: %d extractions, n_fft %d; want 1, 4096", n, f.m.nfft)
	}
	if n := f.computed("]"); n != 0 || f.m.nfft != 4096 {
		t.Errorf("] at the largest: %d extractions, n_fft %d", n, f.m.nfft)
	}
	f.press("{", "[", "[")
	if cfg := f.m.config(); cfg.NMels != 64 || cfg.NFFT != 1024 {
		t.Errorf("config n_mels %d n_fft %d; want 64, 1024", cfg.NMels, cfg.NFFT)
	}
	if r := f.m.result(); r == nil || r.Matrix.Rows != 64 {
		t.Errorf("the mel result has not 64 rows: %+v", r)
	}
	if v := f.m.View(); !strings.Contains(v, "n_fft 1024 mels 64") {
		t.Errorf("header does not show the parameters:\n%s", v)
	}
}

func TestStep(t *testing.T) {
	vals := []int{512, 1024, 2048}
	for _, c := range []struct{ v, dir, want int }{
		{512, -1, 512}, {512, 1, 1024}, {2048, 1, 2048}, {1000, 1, 1024}, {1000, -1, 512}, {4000, 1, 4000},
	} {
		if got := step(vals, c.v, c.dir); got != c.want {
			t.Errorf("step(%d, %d) = %d, want %d", c.v, c.dir, got, c.want)
		}
	}
}

func TestComputeError(t *testing.T) {
	f := newFixture(t, colorprofile.ASCII, 80, 22)
	f.m.c.Engine.Extract = func(path string, cfg extract.Config) (*extract.Result, error) {
		f.calls.Add(1)
		return nil, fmt.Errorf("%s: %w", path, errors.New("not a WAV file"))
	}
	f.open(0)
	if v := f.m.View(); !strings.Contains(v, "could not compute the waveform and beats") || !strings.Contains(v, "not a WAV") {
		t.Errorf("error not shown:\n%s", v)
	}
	if n := f.computed("right", "+"); n != 0 {
		t.Errorf("a failed clip was computed again %d times", n)
	}
}

func TestViewFits(t *testing.T) {
	f := newFixture(t, colorprofile.TrueColor, 80, 22)
	f.open(0)
	for _, k := range []string{"w", "s", "m", "f", "c"} {
		f.press(k)
		for _, sz := range [][2]int{{20, 3}, {40, 8}, {80, 22}, {200, 58}} {
			f.m.SetSize(sz[0], sz[1])
			tuitest.Lines(t, f.m.View(), sz[0], sz[1])
		}
	}
}

func TestGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 22}, {120, 38}} {
		f := newFixture(t, colorprofile.ASCII, sz[0], sz[1])
		f.open(2)
		f.press("right", "right", "right", "up", "up")
		tuitest.Golden(t, fmt.Sprintf("mel_%dx%d", sz[0], sz[1]), f.m.View(), *update)
		f.press("c", "b")
		tuitest.Golden(t, fmt.Sprintf("chroma_sync_%dx%d", sz[0], sz[1]), f.m.View(), *update)
		f.press("b", "w", "+")
		tuitest.Golden(t, fmt.Sprintf("wave_zoom_%dx%d", sz[0], sz[1]), f.m.View(), *update)
	}
}

func TestWhileComputing(t *testing.T) {
	f := newFixture(t, colorprofile.ASCII, 80, 22)
	_, cmd := f.m.Update(common.OpenItemMsg{Catalog: f.cat, Items: []int{0, 1}, Index: 0})
	if cmd == nil {
		t.Fatal("opening a clip started nothing")
	}
	if v := f.m.View(); !strings.Contains(v, "computing the waveform and beats of arpeggio/arpeggio_000.wav") {
		t.Errorf("view while computing:\n%s", v)
	}
	// Keys before the results arrive change nothing that needs them, and do not fail.
	for _, k := range []string{"right", "up", "+", "pgdown", "end", "b", "n"} {
		f.m.Update(tuitest.Key(k))
	}
	tuitest.Lines(t, f.m.View(), 80, 22)
}

func TestEngineWithoutResult(t *testing.T) {
	f := newFixture(t, colorprofile.ASCII, 80, 22)
	f.m.c.Engine.Extract = func(string, extract.Config) (*extract.Result, error) { return nil, nil }
	f.open(0)
	if v := f.m.View(); !strings.Contains(v, "the engine returned no beats") {
		t.Errorf("a missing result is not said:\n%s", v)
	}
}
