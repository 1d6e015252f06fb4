package render

import (
	"math"
	"testing"
)

// TestColorMapMatchesMatplotlib compares interpolated colours with entries of matplotlib's
// 256-entry tables (lib/matplotlib/_cm_listed.py) that are not control points, including each
// map's worst entry, within the 7/255 the control table promises.
func TestColorMapMatchesMatplotlib(t *testing.T) {
	cases := []struct {
		cm    ColorMap
		index int
		rgb   [3]float64
	}{
		{Viridis, 0, [3]float64{0.267004, 0.004874, 0.329415}},
		{Viridis, 8, [3]float64{0.277018, 0.050344, 0.375715}},
		{Viridis, 100, [3]float64{0.166617, 0.463708, 0.558119}},
		{Viridis, 200, [3]float64{0.440137, 0.811138, 0.340967}},
		{Viridis, 247, [3]float64{0.916242, 0.896091, 0.100717}},
		{Viridis, 255, [3]float64{0.993248, 0.906157, 0.143936}},
		{Magma, 8, [3]float64{0.013708, 0.011771, 0.068667}},
		{Magma, 55, [3]float64{0.258857, 0.059706, 0.457710}},
		{Magma, 100, [3]float64{0.537755, 0.156894, 0.506551}},
		{Magma, 200, [3]float64{0.992785, 0.594891, 0.410283}},
		{Magma, 250, [3]float64{0.988717, 0.955742, 0.712242}},
		{Inferno, 8, [3]float64{0.013995, 0.011225, 0.071862}},
		{Inferno, 100, [3]float64{0.565854, 0.143567, 0.408258}},
		{Inferno, 200, [3]float64{0.985952, 0.615750, 0.025592}},
		{Inferno, 201, [3]float64{0.986502, 0.623105, 0.027814}},
		{Inferno, 250, [3]float64{0.961812, 0.975924, 0.571925}},
	}
	for _, tc := range cases {
		c := tc.cm.RGB(float64(tc.index) / 255)
		got := [3]uint8{c.R, c.G, c.B}
		for k := range 3 {
			if d := math.Abs(float64(got[k]) - 255*tc.rgb[k]); d > 7 {
				t.Errorf("%v entry %d: got %v, matplotlib has %.1f in channel %d (off by %.1f/255)",
					tc.cm, tc.index, got, 255*tc.rgb[k], k, d)
			}
		}
	}
}

func TestColorMapClamps(t *testing.T) {
	for _, cm := range ColorMaps() {
		if cm.RGB(-1) != cm.RGB(0) || cm.RGB(math.NaN()) != cm.RGB(0) || cm.RGB(2) != cm.RGB(1) {
			t.Errorf("%v does not clamp outside [0, 1]", cm)
		}
	}
}

func TestParseColorMap(t *testing.T) {
	for _, cm := range ColorMaps() {
		got, err := ParseColorMap(cm.String())
		if err != nil || got != cm {
			t.Errorf("ParseColorMap(%q) = %v, %v", cm.String(), got, err)
		}
	}
	if got, err := ParseColorMap("MAGMA"); err != nil || got != Magma {
		t.Errorf("ParseColorMap(MAGMA) = %v, %v", got, err)
	}
	if _, err := ParseColorMap("jet"); err == nil {
		t.Error("ParseColorMap(jet) gave no error")
	}
}
