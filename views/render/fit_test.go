package render

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/hark-audio/hark/features"
)

var profiles = []colorprofile.Profile{
	colorprofile.Unknown, colorprofile.ASCII,
	colorprofile.ANSI, colorprofile.ANSI256, colorprofile.TrueColor,
}

// checkFits is the property every drawing keeps: exactly h lines, none wider than w, no
// control character but ESC, every line that opens an escape closing it, and in ASCII no
// escape and no byte above 0x7f.
func checkFits(t *testing.T, what string, out string, w, h int, p colorprofile.Profile) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) != h {
		t.Fatalf("%s: %d lines, want %d:\n%s", what, len(lines), h, out)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Fatalf("%s: line %d is %d cells wide, more than %d:\n%q", what, i+1, lw, w, l)
		}
		for _, r := range l {
			if r < 0x20 && r != 0x1b || r == 0x7f {
				t.Fatalf("%s: line %d holds control character %U: %q", what, i+1, r, l)
			}
		}
		if !sgrClosed(l) {
			t.Fatalf("%s: line %d leaves a style open: %q", what, i+1, l)
		}
		if !colorful(p) {
			for j := range len(l) {
				if l[j] >= 0x80 || l[j] == 0x1b {
					t.Fatalf("%s: ASCII line %d holds byte %#x: %q", what, i+1, l[j], l)
				}
			}
		}
	}
}

var sgrPattern = regexp.MustCompile(`\x1b\[([0-9;]*)m`)

// sgrClosed reports whether the SGR escapes of line leave every attribute at its default.
func sgrClosed(line string) bool {
	var fg, bg, bold bool
	for _, m := range sgrPattern.FindAllStringSubmatch(line, -1) {
		ps := strings.Split(m[1], ";")
		for i := 0; i < len(ps); i++ {
			switch p, _ := strconv.Atoi(ps[i]); {
			case p == 0:
				fg, bg, bold = false, false, false
			case p == 1:
				bold = true
			case p == 22:
				bold = false
			case p == 39:
				fg = false
			case p == 49:
				bg = false
			case p == 38 || p == 48:
				if i+1 < len(ps) && ps[i+1] == "5" {
					i += 2
				} else {
					i += 4
				}
				fg, bg = fg || p == 38, bg || p == 48
			case p >= 30 && p <= 37 || p >= 90 && p <= 97:
				fg = true
			case p >= 40 && p <= 47 || p >= 100 && p <= 107:
				bg = true
			}
		}
	}
	return !fg && !bg && !bold
}

// awkward are matrices that must draw without trouble: empty, degenerate and non-finite.
func awkward() map[string]*features.Matrix {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	ms := map[string]*features.Matrix{
		"nil":      nil,
		"0x0":      features.NewMatrix(0, 0),
		"128x0":    features.NewMatrix(128, 0),
		"0x50":     features.NewMatrix(0, 50),
		"1x1":      {Rows: 1, Cols: 1, Data: []float32{3}},
		"constant": features.NewMatrix(12, 30),
		"short":    {Rows: 4, Cols: 4, Data: make([]float32, 3)},
		"negative": {Rows: -2, Cols: 3},
		"allnan":   {Rows: 2, Cols: 2, Data: []float32{nan, nan, nan, nan}},
		"inf":      {Rows: 2, Cols: 3, Data: []float32{inf, -inf, 1, nan, 0, -1}},
		"chirp":    chirpDB(128, 400),
		"tall":     chirpDB(1025, 7),
	}
	r := rand.New(rand.NewPCG(1, 2))
	noisy := features.NewMatrix(20, 33)
	for i := range noisy.Data {
		switch r.IntN(10) {
		case 0:
			noisy.Data[i] = nan
		case 1:
			noisy.Data[i] = inf
		case 2:
			noisy.Data[i] = -inf
		default:
			noisy.Data[i] = float32(r.NormFloat64() * 1e6)
		}
	}
	ms["noisy"] = noisy
	return ms
}

func TestHeatmapFits(t *testing.T) {
	sizes := [][2]int{{1, 1}, {2, 1}, {1, 5}, {3, 3}, {5, 2}, {8, 4}, {20, 6}, {20, 3}, {12, 24}, {33, 7},
		{40, 10}, {80, 24}, {81, 25}, {120, 40}, {200, 60}}
	for name, m := range awkward() {
		rows := 0
		if m != nil {
			rows = max(m.Rows, 0)
		}
		axes := []Axis{{}, IndexAxis(rows, "mfcc"), ChromaAxis(rows), LinearFreqAxis(22050, 2*max(rows-1, 0)),
			MelAxis(rows, 0, 8000, true), {Name: "x\ty", Unit: "\x1b[31mHz", Labels: make([]string, rows)}}
		for ai, ax := range axes {
			for _, sz := range sizes {
				for _, p := range profiles {
					opt := HeatmapOptions{
						Width: sz[0], Height: sz[1], Profile: p, Title: "A long title\nwith a newline", Unit: "dB",
						Axis: ax, SR: 22050, Hop: 512, TopDB: 80, Beats: []int{-3, 0, 5, 1 << 40},
						Cursor: Cursor{Frame: 2, Bin: 1}, ShowCursor: ai%2 == 0, Resample: Resample(ai % 2),
					}
					what := fmt.Sprintf("%s axis %d %dx%d %v", name, ai, sz[0], sz[1], p)
					checkFits(t, what, Heatmap(m, opt), sz[0], sz[1], p)
					opt.Start, opt.End, opt.SR = 3, 2, 0
					checkFits(t, what+" window", Heatmap(m, opt), sz[0], sz[1], p)
				}
			}
		}
	}
}

func TestHeatmapFitsRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	m := chirpDB(64, 257)
	for range 2000 {
		w, h := 1+r.IntN(220), 1+r.IntN(70)
		p := profiles[r.IntN(len(profiles))]
		opt := HeatmapOptions{
			Width: w, Height: h, Profile: p, Title: "Mel", Unit: "dB", Axis: MelAxis(64, 0, 8000, false),
			SR: 1 + r.IntN(48000), Hop: r.IntN(2048), Start: r.IntN(300) - 20, End: r.IntN(300) - 20,
			Cursor: Cursor{Frame: r.IntN(300), Bin: r.IntN(70)}, ShowCursor: r.IntN(2) == 0,
			Beats: []int{r.IntN(257), r.IntN(257)}, Resample: Resample(r.IntN(2)), Min: r.Float64() * 10,
		}
		what := fmt.Sprintf("%+v", opt)
		checkFits(t, what, Heatmap(m, opt), w, h, p)
	}
}

func TestWaveformFits(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	signals := map[string][]float32{
		"nil":     nil,
		"one":     {0.5},
		"silence": make([]float32, 100),
		"inf":     {inf, -inf, nan, 0.2, nan},
		"chirp":   chirpSignal(5000, 8000, 1000),
	}
	for name, y := range signals {
		for _, sz := range [][2]int{{1, 1}, {3, 2}, {7, 3}, {20, 6}, {40, 10}, {80, 24}, {200, 60}} {
			for _, p := range profiles {
				for _, blocks := range []bool{false, true} {
					opt := WaveformOptions{Width: sz[0], Height: sz[1], Profile: p, Title: "Wave", Blocks: blocks,
						Beats: []int{-1, 0, 10, 1 << 40}, Cursor: 3, ShowCursor: !blocks}
					what := fmt.Sprintf("%s %dx%d %v blocks=%v", name, sz[0], sz[1], p, blocks)
					checkFits(t, what, Waveform(y, 8000, opt), sz[0], sz[1], p)
					opt.Start, opt.End, opt.Amplitude = 2, 3, math.Inf(1)
					checkFits(t, what+" window", Waveform(y, 0, opt), sz[0], sz[1], p)
				}
			}
		}
	}
}

func TestNegativeSizeDrawsNothing(t *testing.T) {
	if s := Heatmap(chirpDB(4, 4), HeatmapOptions{Width: -1}); s != "" {
		t.Errorf("Heatmap with width -1 = %q, want empty", s)
	}
	if s := Waveform([]float32{1}, 1, WaveformOptions{Height: -1}); s != "" {
		t.Errorf("Waveform with height -1 = %q, want empty", s)
	}
	if got := strings.Count(Heatmap(chirpDB(4, 4), HeatmapOptions{}), "\n") + 1; got != DefaultHeight {
		t.Errorf("zero options draw %d lines, want %d", got, DefaultHeight)
	}
}

// FuzzHeatmap draws arbitrary shapes, windows and values at arbitrary sizes; every drawing
// must fit (go test -fuzz FuzzHeatmap -fuzztime 30s).
func FuzzHeatmap(f *testing.F) {
	f.Add(80, 24, 12, 40, 0, 0, uint64(1), uint8(5), true)
	f.Add(3, 2, 1, 1, -5, 3, uint64(2), uint8(0), false)
	f.Add(200, 60, 128, 1300, 100, 900, uint64(3), uint8(4), true)
	f.Fuzz(func(t *testing.T, w, h, rows, cols, start, end int, seed uint64, prof uint8, cursor bool) {
		w, h = w%250, h%80
		if w <= 0 || h <= 0 || rows < 0 || cols < 0 || rows*cols > 1<<18 || rows > 1<<12 || cols > 1<<12 {
			t.Skip()
		}
		r := rand.New(rand.NewPCG(seed, seed))
		m := features.NewMatrix(rows, cols)
		for i := range m.Data {
			m.Data[i] = []float32{0, 1, -1, float32(math.NaN()), float32(math.Inf(1)), float32(r.NormFloat64())}[r.IntN(6)]
		}
		p := profiles[int(prof)%len(profiles)]
		opt := HeatmapOptions{Width: w, Height: h, Profile: p, Title: "fuzz", Axis: ChromaAxis(rows),
			SR: 22050, Hop: 512, Start: start, End: end, Beats: []int{start, end, r.IntN(cols + 1)},
			Cursor: Cursor{Frame: r.IntN(cols + 1), Bin: r.IntN(rows + 1)}, ShowCursor: cursor}
		checkFits(t, fmt.Sprintf("%+v", opt), Heatmap(m, opt), w, h, p)
		y := m.Data
		wopt := WaveformOptions{Width: w, Height: h, Profile: p, Start: start, End: end, Blocks: cursor,
			Cursor: r.IntN(len(y) + 1), ShowCursor: !cursor}
		checkFits(t, fmt.Sprintf("waveform %+v", wopt), Waveform(y, 8000, wopt), w, h, p)
		// Any cell of the drawings maps to a cursor inside the data shown, or to none.
		x, row := r.IntN(w+2)-1, r.IntN(h+2)-1
		s, e := window(start, end, cols)
		if c, ok := HeatmapAt(m, opt, x, row); ok && (c.Frame < s || c.Frame >= e || c.Bin < 0 || c.Bin >= rows) {
			t.Errorf("HeatmapAt(%d, %d) = %+v outside frames [%d, %d) and %d bins", x, row, c, s, e, rows)
		}
		s, e = window(start, end, len(y))
		if i, ok := WaveformAt(y, 8000, wopt, x, row); ok && (i < s || i >= e) {
			t.Errorf("WaveformAt(%d, %d) = %d outside samples [%d, %d)", x, row, i, s, e)
		}
	})
}
