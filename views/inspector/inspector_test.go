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
	"github.com/charmbracelet/x/ansi"

	"github.com/hark-audio/hark/engine/augment"
	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/features"
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
	cat, err := dataset.Open(dataset.Spec{Root: demoRoot})
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

func TestAugmentation(t *testing.T) {
	f := newFixture(t, colorprofile.ASCII, 140, 22)
	var previews atomic.Int64
	real := f.m.c.Engine.Augment
	f.m.c.Engine.Augment = func(path string, cfg extract.Config, aug augment.Config, seed uint64, noise []string) (*augment.Comparison, error) {
		previews.Add(1)
		return real(path, cfg, aug, seed, noise)
	}
	f.open(0)
	// a starts the preview in a command: Update itself computes nothing.
	_, cmd := f.m.Update(tuitest.Key("a"))
	if cmd == nil || previews.Load() != 0 || !strings.Contains(f.m.View(), "computing the mel spectrogram before and after augmentation") {
		t.Fatalf("a did not start a preview:\n%s", f.m.View())
	}
	f.send(cmd())
	if previews.Load() != 1 {
		t.Fatalf("%d previews, want 1", previews.Load())
	}
	// The description is the engine's own for the same arguments.
	want, err := augment.Preview(f.cat.Items[0].Path, f.m.config(), augConfig(f.cat), 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := f.m.View()
	for _, s := range []string{"augmentation seed 1: " + want.Wave.Describe(want.SR), "time masks", "freq masks", "before", "after", "aug seed 1"} {
		if !strings.Contains(v, s) {
			t.Errorf("augmented view lacks %q:\n%s", s, v)
		}
	}
	if strings.Contains(v, "noise") {
		t.Error("noise drawn for a catalog without noise files")
	}
	tuitest.Lines(t, v, 140, 22)
	f.press("A")
	if previews.Load() != 2 || f.m.seed != 2 || !strings.Contains(f.m.View(), "augmentation seed 2: ") {
		t.Errorf("A: %d previews, seed %d", previews.Load(), f.m.seed)
	}
	// The cursor still moves and reads the clip before augmentation.
	f.press("right", "up")
	if f.m.frame != 1 || f.m.bin(128) != 1 {
		t.Errorf("cursor frame %d bin %d in the augmented view", f.m.frame, f.m.bin(128))
	}
	f.press("a", "a")
	if previews.Load() != 2 {
		t.Errorf("toggling back and forth made %d previews, want 2 (cached)", previews.Load())
	}
	f.press("a")
	if strings.Contains(f.m.View(), "augmentation seed") {
		t.Error("a did not turn the augmentation off")
	}
}

func TestAugmentationWithNoise(t *testing.T) {
	f := newFixture(t, colorprofile.ASCII, 120, 22)
	cat := *f.cat
	cat.Noise = []dataset.Item{f.cat.Items[5]} // any clip will do as background noise
	f.cat = &cat
	if cfg := augConfig(f.cat); !cfg.Noise() {
		t.Fatalf("no noise in %+v", cfg)
	}
	f.open(0)
	f.press("a")
	if v := f.m.View(); !strings.Contains(v, "noise 0 at") || !strings.Contains(v, "bass_001.wav") {
		t.Errorf("the noise drawn is not said:\n%s", v)
	}
}

func TestAugmentationError(t *testing.T) {
	f := newFixture(t, colorprofile.ASCII, 80, 22)
	f.m.c.Engine.Augment = func(string, extract.Config, augment.Config, uint64, []string) (*augment.Comparison, error) {
		return nil, errors.New("no such noise")
	}
	f.open(0)
	f.press("w", "a")
	if v := f.m.View(); !strings.Contains(v, "could not compute the waveform and beats before and after") || !strings.Contains(v, "no such") {
		t.Errorf("error not shown:\n%s", v)
	}
}

// imagePairs opens a small image pair dataset: three people with two 16x12 PNG faces each,
// 3 same and 3 different pairs.
func imagePairs(t *testing.T) *dataset.Catalog {
	t.Helper()
	dir := tuitest.ImagePairsDir(t)
	cat, err := dataset.Open(dataset.Spec{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Pairs) != 6 {
		t.Fatalf("%d pairs, want 6", len(cat.Pairs))
	}
	return cat
}

func TestImageItem(t *testing.T) {
	f := newFixture(t, colorprofile.ASCII, 80, 22)
	cat := imagePairs(t)
	f.send(common.OpenItemMsg{Catalog: cat, Items: []int{0, 1}, Index: 0})
	if f.calls.Load() != 0 {
		t.Errorf("an image went to the audio engine %d times", f.calls.Load())
	}
	v := f.m.View()
	for _, want := range []string{"clip 1/2", "faces/ann/ann_1.png", "12x16", "image, grayscale"} {
		if !strings.Contains(v, want) {
			t.Errorf("image view lacks %q:\n%s", want, v)
		}
	}
	// Audio keys do nothing to an image and start nothing.
	for _, k := range []string{"a", "b", "right", "+", "v"} {
		if _, cmd := f.m.Update(tuitest.Key(k)); cmd != nil {
			if msgs := tuitest.Drain(func(tea.Msg) tea.Cmd { return nil }, cmd); len(msgs) > 0 {
				t.Errorf("%s on an image started %v", k, msgs)
			}
		}
	}
	tuitest.Lines(t, f.m.View(), 80, 22)
}

func TestImagePair(t *testing.T) {
	f := newFixture(t, colorprofile.ASCII, 80, 22)
	cat := imagePairs(t)
	f.send(common.OpenItemMsg{Catalog: cat, Items: []int{0, 3}, Index: 1, Pairs: true})
	v := f.m.View()
	for _, want := range []string{"pair 2/2 different", "A faces/ann/ann_1.png", "B faces/bob/bob_2.png", "A left, B right"} {
		if !strings.Contains(v, want) {
			t.Errorf("pair view lacks %q:\n%s", want, v)
		}
	}
	if _, ok := f.m.cache.get(imageKey(cat.Items[cat.Pairs[3].B].Path)); !ok {
		t.Error("the pair's second image was not loaded")
	}
	f.press("p")
	if !strings.Contains(f.m.View(), "pair 1/2 same") {
		t.Errorf("p did not go to the first pair:\n%s", f.m.View())
	}
	for _, sz := range [][2]int{{20, 3}, {40, 8}, {80, 22}, {200, 58}} {
		f.m.SetSize(sz[0], sz[1])
		tuitest.Lines(t, f.m.View(), sz[0], sz[1])
	}
}

func TestAudioPair(t *testing.T) {
	f := newFixture(t, colorprofile.ASCII, 80, 22)
	cat := *f.cat
	cat.Pairs = []dataset.Pair{{A: 0, B: 5, Same: false}}
	f.send(common.OpenItemMsg{Catalog: &cat, Items: []int{0}, Index: 0, Pairs: true})
	if v := f.m.View(); !strings.Contains(v, "pair 1/1 different") || !strings.Contains(v, "clip A") {
		t.Errorf("audio pair view:\n%s", v)
	}
	if n := f.computed("x"); n != 2 {
		t.Errorf("x made %d extractions, want 2 (clip B's waveform and mel)", n)
	}
	if it, _ := f.m.item(); it.ID != cat.Items[5].ID || !strings.Contains(f.m.View(), "clip B") {
		t.Errorf("x inspects %s", it.ID)
	}
}

func TestDrawImage(t *testing.T) {
	m := features.NewMatrix(4, 2) // 2 wide, 4 tall: drawn 2 cells by 2 rows
	for i := range m.Data {
		m.Data[i] = float32(i) / 7
	}
	lines := drawImage(m, 6, 5, colorprofile.ASCII)
	if len(lines) != 5 {
		t.Fatalf("%d lines", len(lines))
	}
	// 2x4 pixels fit 5 cells of 10 pixels tall at scale 2.5 -> 5x10: every row is drawn.
	if got := lines[0]; len(got) != 6 || got[0] != ' ' || got[5] != ' ' {
		t.Errorf("first line %q", got)
	}
	if lines[4][0] == ' ' || lines[0] == lines[4] {
		t.Errorf("the image does not get lighter downwards: %q", lines)
	}
	for _, p := range []colorprofile.Profile{colorprofile.ANSI, colorprofile.ANSI256, colorprofile.TrueColor} {
		for _, l := range drawImage(m, 6, 5, p) {
			if w := ansi.StringWidth(l); w != 6 {
				t.Errorf("profile %v: line %q is %d cells", p, l, w)
			}
		}
	}
}

func TestAugImageGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 22}, {120, 38}} {
		f := newFixture(t, colorprofile.ASCII, sz[0], sz[1])
		f.open(2)
		f.press("a", "right", "right")
		tuitest.Golden(t, fmt.Sprintf("aug_mel_%dx%d", sz[0], sz[1]), f.m.View(), *update)
		f.press("w", "A")
		tuitest.Golden(t, fmt.Sprintf("aug_wave_%dx%d", sz[0], sz[1]), f.m.View(), *update)
		cat := imagePairs(t)
		cat.Root = "/data/faces"
		f.send(common.OpenItemMsg{Catalog: cat, Items: []int{0, 3}, Index: 1, Pairs: true})
		tuitest.Golden(t, fmt.Sprintf("image_pair_%dx%d", sz[0], sz[1]), f.m.View(), *update)
		f.send(common.OpenItemMsg{Catalog: cat, Items: []int{0}, Index: 0})
		tuitest.Golden(t, fmt.Sprintf("image_%dx%d", sz[0], sz[1]), f.m.View(), *update)
	}
}

// marks finds the cursor in a view: the column of the mark on the x axis (two lines above the
// readout) and the line of the mark in the y axis column (-1 for none).
func marks(t *testing.T, view string) (x, y int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	read := -1
	for i, l := range lines {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "t=") || strings.HasPrefix(l, "frame=") {
			read = i
		}
	}
	if read < 2 {
		t.Fatalf("no readout:\n%s", view)
	}
	axis := lines[read-2]
	x = strings.Index(axis, "*")
	yAxis := strings.IndexAny(axis, "+")
	y = -1
	for i := 0; i < read-2 && yAxis >= 0; i++ {
		if len(lines[i]) > yAxis && lines[i][yAxis] == '*' {
			y = i
		}
	}
	return x, y
}

// A click on the drawing puts the cursor there: the time in every view, and the bin in the
// matrix views; the cursor is then drawn in the cell clicked.
func TestClickMovesTheCursor(t *testing.T) {
	f := newFixture(t, colorprofile.ASCII, 80, 22)
	f.open(0)
	f.m.View() // clicks land on what was drawn
	f.send(common.ClickMsg{X: 40, Y: 9})
	if x, y := marks(t, f.m.View()); x != 40 || y != 9 {
		t.Errorf("mel: a click at (40,9) drew the cursor at (%d,%d):\n%s", x, y, f.m.View())
	}
	if f.m.frame == 0 || f.m.bin(f.m.rows()) == 0 {
		t.Errorf("mel: frame %d, bin %d after the click", f.m.frame, f.m.bin(f.m.rows()))
	}
	f.send(common.ClickMsg{X: 0, Y: 9})  // on the y labels: nothing
	f.send(common.ClickMsg{X: 40, Y: 0}) // on the header: nothing
	if x, y := marks(t, f.m.View()); x != 40 || y != 9 {
		t.Errorf("clicks off the plot moved the cursor to (%d,%d)", x, y)
	}
	// The waveform's cursor is a frame (512 samples, about two columns here): the nearest one.
	f.press("w")
	f.m.View()
	f.send(common.ClickMsg{X: 25, Y: 8})
	if x, _ := marks(t, f.m.View()); x < 24 || x > 26 {
		t.Errorf("waveform: a click at column 25 drew the cursor at %d:\n%s", x, f.m.View())
	}
	// Beat-synchronous: a column is a beat interval; the cursor goes to its first frame and is
	// drawn in the interval's middle, where a click changes nothing.
	f.press("m", "b")
	f.m.View()
	tl, _ := f.m.timeline()
	f.send(common.ClickMsg{X: 60, Y: 12})
	x, y := marks(t, f.m.View())
	frame := f.m.frame
	if y != 12 || !slices.Contains(tl.bounds, frame) || frame == 0 {
		t.Errorf("beat-sync: a click at (60,12) drew the cursor at (%d,%d), frame %d (beats %v):\n%s", x, y, frame, tl.bounds, f.m.View())
	}
	f.send(common.ClickMsg{X: x, Y: y})
	if f.m.frame != frame {
		t.Errorf("beat-sync: a click on the cursor moved it from frame %d to %d", frame, f.m.frame)
	}
}
