package render

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// ColorMap names a perceptual colour map from matplotlib. The zero value is Viridis.
type ColorMap int

const (
	// Viridis runs from dark purple through teal and green to yellow (matplotlib's default).
	Viridis ColorMap = iota
	// Magma runs from black through purple and salmon to light yellow.
	Magma
	// Inferno runs from black through purple, red and orange to pale yellow.
	Inferno
)

// ColorMaps lists every colour map, in the order of their constants.
func ColorMaps() []ColorMap { return []ColorMap{Viridis, Magma, Inferno} }

// String returns the map's lower-case name, as ParseColorMap accepts it.
func (c ColorMap) String() string {
	switch c {
	case Viridis:
		return "viridis"
	case Magma:
		return "magma"
	case Inferno:
		return "inferno"
	}
	return fmt.Sprintf("ColorMap(%d)", int(c))
}

// ParseColorMap returns the colour map with the given name (case-insensitive).
func ParseColorMap(name string) (ColorMap, error) {
	for _, c := range ColorMaps() {
		if strings.EqualFold(name, c.String()) {
			return c, nil
		}
	}
	return Viridis, fmt.Errorf("render: unknown colour map %q (want viridis, magma or inferno)", name)
}

// ctlPoints is a colour map's control table: entries 0, 16, 32, ..., 240 and 255 of
// matplotlib's 256-entry listed map (lib/matplotlib/_cm_listed.py), rounded to 8 bits.
// Linear interpolation between them, rounded to 8 bits, stays within 7/255 per channel of
// every entry of the full table (the test checks the worst ones), which a terminal cell hardly
// shows; 17 points instead of 256 keep the tables short enough to read.
type ctlPoints [17][3]uint8

func (c ColorMap) table() ctlPoints {
	switch c {
	case Magma:
		return ctlPoints{
			{0, 0, 4}, {10, 8, 34}, {29, 17, 71}, {54, 16, 107}, {81, 18, 124}, {106, 28, 129},
			{131, 38, 129}, {156, 46, 127}, {183, 55, 121}, {208, 65, 111}, {231, 82, 99},
			{245, 107, 92}, {252, 137, 97}, {254, 167, 114}, {254, 196, 136}, {253, 226, 163},
			{252, 253, 191},
		}
	case Inferno:
		return ctlPoints{
			{0, 0, 4}, {11, 7, 36}, {33, 12, 74}, {61, 9, 101}, {87, 16, 110}, {113, 25, 110},
			{138, 34, 106}, {163, 44, 97}, {188, 55, 84}, {210, 70, 68}, {228, 90, 49},
			{241, 115, 29}, {249, 142, 9}, {252, 172, 17}, {249, 203, 53}, {242, 234, 105},
			{252, 255, 164},
		}
	}
	return ctlPoints{
		{68, 1, 84}, {72, 24, 106}, {71, 45, 123}, {66, 64, 134}, {59, 82, 139}, {51, 99, 141},
		{44, 114, 142}, {38, 130, 142}, {33, 145, 140}, {31, 160, 136}, {40, 174, 128},
		{63, 188, 115}, {94, 201, 98}, {132, 212, 75}, {173, 220, 48}, {216, 226, 25},
		{253, 231, 37},
	}
}

// RGB returns the colour at position t in [0, 1] (clamped; NaN counts as 0).
func (c ColorMap) RGB(t float64) color.RGBA {
	if !(t > 0) {
		t = 0
	}
	x := math.Min(t, 1) * 255
	// Control point k sits at table entry 16k, except the last at 255.
	k := min(int(x/16), 15)
	lo, width := float64(16*k), 16.0
	if k == 15 {
		width = 15
	}
	f := (x - lo) / width
	tab := c.table()
	p, q := tab[k], tab[k+1]
	mix := func(a, b uint8) uint8 { return uint8(math.Round(float64(a) + f*(float64(b)-float64(a)))) }
	return color.RGBA{R: mix(p[0], q[0]), G: mix(p[1], q[1]), B: mix(p[2], q[2]), A: 255}
}

// ansi16 is the map redrawn in the 16 ANSI colours, darkest first: the nearest of the 16 to
// each colour would not rise steadily in lightness (viridis' dark purple is nearest magenta).
func (c ColorMap) ansi16() []ansi.BasicColor {
	if c == Magma || c == Inferno {
		return []ansi.BasicColor{ansi.Black, ansi.Magenta, ansi.Red, ansi.BrightRed, ansi.Yellow, ansi.BrightYellow, ansi.BrightWhite}
	}
	return []ansi.BasicColor{ansi.Black, ansi.Blue, ansi.Cyan, ansi.Green, ansi.BrightGreen, ansi.Yellow, ansi.BrightYellow}
}

// cursorRGB is the colour that marks the cursor: one that the map itself never comes near,
// so that it stands out wherever it lies.
func (c ColorMap) cursorRGB() color.RGBA {
	if c == Magma || c == Inferno {
		return color.RGBA{R: 0, G: 229, B: 255, A: 255} // cyan: these maps have no blue-green
	}
	return color.RGBA{R: 255, G: 64, B: 64, A: 255} // red: viridis has no red
}
