package render

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hark-audio/hark/features"
)

func TestRoundest(t *testing.T) {
	cases := []struct {
		a, b, minStep float64
		want          float64
		ok            bool
	}{
		{410, 470, 0, 450, true},
		{0.3, 0.45, 0, 0.4, true},
		{-5, 5, 0, 0, true},
		{1.8, 2.3, 0, 2, true},
		{2.3, 1.8, 0, 2, true}, // reversed
		{101, 102, 1, 101, true},
		{0.2, 0.7, 1, 0, false}, // no whole number inside
		{1003.2, 1004, 0, 1004 - 0.5, true},
		{5, 5, 0, 0, false}, // empty
		{7000, 9000, 0, 8000, true},
		{-470, -410, 0, -450, true},
	}
	for _, tc := range cases {
		got, _, ok := roundest(tc.a, tc.b, tc.minStep)
		if ok != tc.ok || ok && math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("roundest(%g, %g, %g) = %g, %v; want %g, %v", tc.a, tc.b, tc.minStep, got, ok, tc.want, tc.ok)
		}
	}
}

func TestFormatTick(t *testing.T) {
	cases := []struct {
		v, step float64
		compact bool
		want    string
	}{
		{1500, 500, true, "1.5k"},
		{2000, 1000, true, "2k"},
		{10000, 2000, true, "10k"},
		{1050, 50, true, "1050"},
		{1500, 500, false, "1500"},
		{0.1 + 0.2, 0.1, false, "0.3"},
		{math.Copysign(0, -1), 1, false, "0"},
		{0.5005, 0.0005, false, "0.5005"},
		{-0.5, 0.5, false, "-0.5"},
		{3, 1, false, "3"},
	}
	for _, tc := range cases {
		if got := formatTick(tc.v, tc.step, tc.compact); got != tc.want {
			t.Errorf("formatTick(%g, %g, %v) = %q, want %q", tc.v, tc.step, tc.compact, got, tc.want)
		}
	}
}

func TestFormatValue(t *testing.T) {
	cases := map[float64]string{
		-12.34: "-12.3", 440: "440", 440.4: "440", 0.0163: "0.0163", 1.5e6: "1.5e+06", 3.14159: "3.14",
		123.4: "123", 0: "0", math.Copysign(0, -1): "0", -80: "-80", 2e-5: "2e-05",
		math.NaN(): "NaN", math.Inf(1): "+Inf", math.Inf(-1): "-Inf",
	}
	for v, want := range cases {
		if got := formatValue(v); got != want {
			t.Errorf("formatValue(%g) = %q, want %q", v, got, want)
		}
	}
}

// parseTick reads a tick label back ("1.5k" is 1500).
func parseTick(t *testing.T, s string) float64 {
	t.Helper()
	mul := 1.0
	if k, ok := strings.CutSuffix(s, "k"); ok {
		s, mul = k, 1000
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("tick label %q: %v", s, err)
	}
	return v * mul
}

// TestTicksAreWhereTheySay checks, for every kind of numeric axis and many plot sizes, that
// each tick's value lies within the cell it labels, that values rise with the cells, and that
// ticks keep their spacing.
func TestTicksAreWhereTheySay(t *testing.T) {
	axes := map[string]struct {
		a Axis
		n int
	}{
		"linear": {LinearFreqAxis(22050, 2048), 1025},
		"odd":    {LinearFreqAxis(16000, 400), 201},
		"mel":    {MelAxis(128, 0, 11025, false), 128},
		"htk":    {MelAxis(40, 300, 8000, true), 40},
		"index":  {IndexAxis(20, "mfcc"), 20},
		"none":   {Axis{}, 7},
	}
	for name, ax := range axes {
		for cells := 1; cells <= 80; cells++ {
			s := ax.a.scale(ax.n, cells)
			need := yLabelNeed(cells)
			ticks := s.ticks(need)
			w := s.cellWidth()
			for i, tk := range ticks {
				v := parseTick(t, tk.label)
				lo, hi := s.val(s.lo+float64(tk.cell)*w), s.val(s.lo+float64(tk.cell+1)*w)
				// The label is rounded to its step; allow that rounding at the cell's edges.
				if slack := 1e-9 * math.Max(1, math.Abs(v)); v < lo-slack || v >= hi+slack {
					t.Errorf("%s, %d cells: tick %q in cell %d whose values run %g..%g", name, cells, tk.label, tk.cell, lo, hi)
				}
				if i > 0 {
					prev := ticks[i-1]
					if tk.cell-prev.cell < need(0) || parseTick(t, prev.label) >= v {
						t.Errorf("%s, %d cells: ticks %v then %v", name, cells, prev, tk)
					}
				}
			}
			if cells >= 6 && len(ticks) < 2 {
				t.Errorf("%s, %d cells: only %d ticks: %v", name, cells, len(ticks), ticks)
			}
		}
	}
}

func TestTimeTicks(t *testing.T) {
	period := 512.0 / 22050
	s := timeScale(100, 1393, 150, period)
	ticks := s.ticks(xLabelNeed)
	if len(ticks) < 4 {
		t.Fatalf("ticks %v", ticks)
	}
	for i, tk := range ticks {
		v := parseTick(t, tk.label)
		frame := v/period + 0.5 // the index-space position of time v
		if c := s.cellOf(frame); c != tk.cell {
			t.Errorf("tick %q in cell %d, its time falls in cell %d", tk.label, tk.cell, c)
		}
		if i > 0 && tk.cell-ticks[i-1].cell < xLabelNeed(len(tk.label)) {
			t.Errorf("ticks %v and %v too close", ticks[i-1], tk)
		}
	}
}

func TestChromaAxis(t *testing.T) {
	a := ChromaAxis(12)
	if want := []string{"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"}; !slices.Equal(a.Labels, want) {
		t.Errorf("ChromaAxis(12) labels %v", a.Labels)
	}
	b := ChromaAxis(24)
	if b.Labels[0] != "C" || b.Labels[1] != "" || b.Labels[2] != "C#" || b.Labels[23] != "" || b.Centers[3] != 1.5 {
		t.Errorf("ChromaAxis(24) = %+v", b)
	}
	// Twelve bins on three rows, four a row: each row names its first natural note.
	got := []string{}
	for _, tk := range a.scale(12, 3).ticks(yLabelNeed(3)) {
		got = append(got, tk.label)
	}
	if want := []string{"C", "E", "A"}; !slices.Equal(got, want) {
		t.Errorf("chroma ticks on 3 rows: %v, want %v", got, want)
	}
}

func TestDescribe(t *testing.T) {
	cases := []struct {
		a    Axis
		i, n int
		want string
	}{
		{LinearFreqAxis(22050, 2048), 41, 1025, "f=441 Hz"},
		{LinearFreqAxis(8000, 6), 2, 4, "f=2667 Hz"},
		{ChromaAxis(12), 9, 12, "note=A"},
		{ChromaAxis(24), 3, 24, "note=1.50"},
		{IndexAxis(20, "mfcc"), 3, 20, "mfcc=3"},
		{Axis{}, 5, 10, "bin=5"},
		{LinearFreqAxis(22050, 2048).forRows(10), 5, 10, "bin=5"}, // wrong length: by index
	}
	for _, tc := range cases {
		if got := tc.a.describe(tc.i, tc.n); got != tc.want {
			t.Errorf("describe(%d of %d) = %q, want %q", tc.i, tc.n, got, tc.want)
		}
	}
}

func TestMelAxisCentres(t *testing.T) {
	a := MelAxis(40, 0, 8000, false)
	f := features.MelFrequencies(42, 0, 8000, false)
	if !slices.Equal(a.Centers, f[1:41]) || a.Unit != "Hz" {
		t.Errorf("MelAxis(40) centres %v, want mel_frequencies(42)[1:41] = %v", a.Centers, f[1:41])
	}
	if got := MelAxis(0, 0, 8000, false); len(got.Centers) != 0 {
		t.Errorf("MelAxis(0) = %+v", got)
	}
}

func TestClean(t *testing.T) {
	if got := clean("a\nb\x1b[31m\u009bc"); got != "a b [31m c" {
		t.Errorf("clean = %q", got)
	}
}
