package render

import (
	"math"
	"slices"
	"testing"
)

// resampleRow draws a one-row matrix onto cells pixels.
func resampleRow(d []float32, cells int, lo, hi float32, mode Resample) []float32 {
	xs := scale{cells: cells, lo: 0, hi: float64(len(d))}
	ys := scale{cells: 1, lo: 0, hi: 1}
	return resample(d, len(d), ys, xs, lo, hi, mode)
}

func near(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool {
		return x == y || math.Abs(float64(x-y)) < 1e-6 || x != x && y != y
	})
}

func TestResample(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	cases := []struct {
		name   string
		d      []float32
		cells  int
		lo, hi float32
		mode   Resample
		want   []float32
	}{
		{"halve", []float32{0, 1, 2, 3}, 2, 0, 3, Area, []float32{0.5, 2.5}},
		// Cell 0 covers [0, 4/3): all of item 0 and a third of item 1.
		{"thirds", []float32{0, 1, 2, 3}, 3, 0, 3, Area, []float32{0.25, 1.5, 2.75}},
		{"max", []float32{0, 1, 2, 3}, 2, 0, 3, Max, []float32{1, 3}},
		{"max keeps a spike", []float32{0, 0, 9, 0, 0, 0}, 2, 0, 9, Max, []float32{9, 0}},
		{"nearest when upsampling", []float32{5, 7}, 4, 0, 10, Area, []float32{5, 5, 7, 7}},
		{"NaN skipped", []float32{nan, 2}, 1, 0, 3, Area, []float32{2}},
		{"all NaN", []float32{nan, nan}, 1, 0, 3, Area, []float32{nan}},
		{"clipped before averaging", []float32{inf, 0}, 1, 0, 1, Area, []float32{0.5}},
		{"clipped low", []float32{-100, 0}, 1, -10, 0, Area, []float32{-5}},
	}
	for _, tc := range cases {
		if got := resampleRow(tc.d, tc.cells, tc.lo, tc.hi, tc.mode); !near(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestResampleOrientation: bin 0 (the lowest) lands in the bottom pixel row, which is last.
func TestResampleOrientation(t *testing.T) {
	d := []float32{1, 1, 1, 0, 0, 0} // 2 bins x 3 frames: bin 0 hot
	got := resample(d, 3, scale{cells: 4, lo: 0, hi: 2}, scale{cells: 3, lo: 0, hi: 3}, 0, 1, Area)
	want := []float32{0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1}
	if !near(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestResampleWindow: a scale starting at frame 2 reads frames from there.
func TestResampleWindow(t *testing.T) {
	d := []float32{0, 1, 2, 3, 4, 5}
	got := resample(d, 6, scale{cells: 1, lo: 0, hi: 1}, scale{cells: 2, lo: 2, hi: 6}, 0, 5, Area)
	if want := []float32{2.5, 4.5}; !near(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
