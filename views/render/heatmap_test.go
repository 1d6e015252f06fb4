package render

import (
	"math"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"

	"github.com/hark-audio/hark/features"
)

// ramp4x10 is 4 bins x 10 frames holding 10*bin + frame.
func ramp4x10() *features.Matrix {
	m := features.NewMatrix(4, 10)
	for r := range 4 {
		for c := range 10 {
			m.Set(r, c, float32(10*r+c))
		}
	}
	return m
}

func lines(s string) []string { return strings.Split(s, "\n") }

func TestHeatmapReadout(t *testing.T) {
	opt := HeatmapOptions{
		Width: 50, Height: 12, Profile: colorprofile.ASCII, Axis: LinearFreqAxis(8000, 6),
		SR: 8000, Hop: 80, Unit: "dB", Cursor: Cursor{Frame: 7, Bin: 2}, ShowCursor: true,
	}
	out := lines(Heatmap(ramp4x10(), opt))
	if got, want := out[len(out)-1], "t=0.07 s  f=2667 Hz  v=27 dB"; got != want {
		t.Errorf("readout %q, want %q", got, want)
	}
	// Outside the matrix the line stays, empty, so the plot does not jump.
	opt.Cursor.Bin = 4
	out = lines(Heatmap(ramp4x10(), opt))
	if len(out) != 12 || out[len(out)-1] != "" {
		t.Errorf("readout outside the matrix: %q", out[len(out)-1])
	}
	// Without sr and hop, frames are counted.
	opt.Cursor.Bin, opt.SR = 0, 0
	out = lines(Heatmap(ramp4x10(), opt))
	if got, want := out[len(out)-1], "frame=7  f=0 Hz  v=7 dB"; got != want {
		t.Errorf("readout %q, want %q", got, want)
	}
}

// plotRows returns the plot area of an ASCII drawing laid out with a title line and two x axis
// lines below the plot, without the y axis: the columns up to the axis line's corner.
func plotRows(t *testing.T, s string) []string {
	t.Helper()
	ls := lines(s)
	left := strings.IndexByte(ls[len(ls)-2], '+') + 1
	if left == 0 {
		t.Fatalf("no corner on the axis line:\n%s", s)
	}
	rows := ls[1 : len(ls)-2]
	for i, r := range rows {
		rows[i] = r[min(left, len(r)):]
	}
	return rows
}

func TestHeatmapLowBinsAtTheBottom(t *testing.T) {
	m := features.NewMatrix(8, 20)
	for c := range 20 {
		m.Set(0, c, 1) // only the lowest bin is hot
	}
	out := Heatmap(m, HeatmapOptions{Width: 30, Height: 11, Profile: colorprofile.ASCII, Axis: IndexAxis(8, "k")})
	rows := plotRows(t, out)
	if bottom := rows[len(rows)-1]; bottom != strings.Repeat("@", 28) {
		t.Errorf("bottom row %q, want all @:\n%s", bottom, out)
	}
	if top := rows[0]; top != "" {
		t.Errorf("top row %q, want blank:\n%s", top, out)
	}
}

func TestHeatmapConstantIsMidRamp(t *testing.T) {
	m := features.NewMatrix(3, 5)
	for i := range m.Data {
		m.Data[i] = 7
	}
	out := Heatmap(m, HeatmapOptions{Width: 20, Height: 6, Profile: colorprofile.ASCII})
	for _, r := range plotRows(t, out) {
		if r != strings.Repeat("+", 16) {
			t.Errorf("constant matrix row %q, want the middle of the ramp:\n%s", r, out)
		}
	}
}

func TestHeatmapWindow(t *testing.T) {
	m := features.NewMatrix(2, 40)
	for c := 20; c < 40; c++ {
		m.Set(0, c, 1)
		m.Set(1, c, 1)
	}
	// The range comes from the whole matrix (0..1), and only the hot half is drawn.
	out := Heatmap(m, HeatmapOptions{Width: 20, Height: 6, Profile: colorprofile.ASCII, Start: 20})
	for _, r := range plotRows(t, out) {
		if r != strings.Repeat("@", 16) {
			t.Errorf("window row %q, want all @:\n%s", r, out)
		}
	}
}

func TestValueRange(t *testing.T) {
	d := []float32{-100, -50, 0, float32(math.NaN()), float32(math.Inf(1))}
	if lo, hi, ok := valueRange(d, 0, 0, 80); !ok || lo != -80 || hi != 0 {
		t.Errorf("top_db 80: %g, %g, %v", lo, hi, ok)
	}
	if lo, hi, ok := valueRange(d, 0, 0, 0); !ok || lo != -100 || hi != 0 {
		t.Errorf("auto: %g, %g, %v", lo, hi, ok)
	}
	if lo, hi, ok := valueRange(d, -5, 5, 80); !ok || lo != -5 || hi != 5 {
		t.Errorf("fixed: %g, %g, %v", lo, hi, ok)
	}
	if _, _, ok := valueRange([]float32{float32(math.NaN())}, 0, 0, 0); ok {
		t.Error("a range from NaN alone")
	}
}

func TestXMarks(t *testing.T) {
	s := timeScale(0, 100, 50, 0.01) // two frames a cell
	m := xMarks(s, []tick{{10, "0.2"}, {30, "0.6"}}, []int{0, 20, 99, 150, -1}, 61)
	// Beats at frames 0, 20, 99 (150 and -1 lie outside); frame 61's cell 30 holds both a tick
	// and the cursor, which wins.
	want := map[int]byte{0: markBeat, 10: markBeat, 49: markBeat, 30: markCursor}
	for c, k := range m {
		if k != want[c] {
			t.Errorf("cell %d: mark %d, want %d", c, k, want[c])
		}
	}
}

// TestHeatmapColours: the truecolor escapes are the map's own colours, and the cursor is drawn
// in the cursor colour.
func TestHeatmapColours(t *testing.T) {
	opt := HeatmapOptions{Width: 40, Height: 10, Profile: colorprofile.TrueColor,
		Cursor: Cursor{Frame: 3, Bin: 1}, ShowCursor: true}
	out := Heatmap(ramp4x10(), opt)
	for _, want := range []string{"68;1;84m", "253;231;37m", "255;64;64m"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the drawing", want)
		}
	}
	opt.ColorMap = Magma
	if out := Heatmap(ramp4x10(), opt); !strings.Contains(out, "0;229;255m") || !strings.Contains(out, "252;253;191m") {
		t.Error("magma drawing lacks its top colour or its cyan cursor")
	}
}

func TestHeatmapProblems(t *testing.T) {
	cases := map[string]*features.Matrix{
		"no data":                         nil,
		"no frames":                       features.NewMatrix(3, 0),
		"no bins":                         features.NewMatrix(0, 3),
		"bad matrix: 2 x 2 with 3 values": {Rows: 2, Cols: 2, Data: make([]float32, 3)},
	}
	for want, m := range cases {
		if out := Heatmap(m, HeatmapOptions{Width: 60, Height: 8}); !strings.Contains(out, want) {
			t.Errorf("drawing lacks %q:\n%s", want, out)
		}
	}
}

func TestWaveformReadoutAndEnvelope(t *testing.T) {
	y := make([]float32, 100)
	for i := 50; i < 100; i++ {
		y[i] = 1 - 2*float32(i%2) // full-scale square in the second half
	}
	out := lines(Waveform(y, 100, WaveformOptions{Width: 30, Height: 10, Profile: colorprofile.ASCII,
		Cursor: 51, ShowCursor: true}))
	if got, want := out[len(out)-1], "t=0.51 s  y=-1"; got != want {
		t.Errorf("readout %q, want %q", got, want)
	}
	// Rows 1..6 are the plot (after the title): the quiet half leaves the top row empty, the
	// loud half fills it.
	top := out[1]
	left, right := top[:len(top)/2], top[len(top)/2:]
	if strings.ContainsAny(left[5:], "|#'.") || !strings.Contains(right, "|") {
		t.Errorf("top row %q: want the envelope only on the right:\n%s", top, strings.Join(out, "\n"))
	}
}
