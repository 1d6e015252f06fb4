package render_test

import (
	"fmt"
	"math"

	"github.com/charmbracelet/colorprofile"

	"github.com/hark-audio/hark/features"
	"github.com/hark-audio/hark/views/render"
)

// A tiny chromagram drawn in ASCII, as with NO_COLOR or TERM=dumb: note names up the side,
// seconds along the bottom, the colour range top right and the cursor's readout underneath.
func ExampleHeatmap() {
	m := features.NewMatrix(12, 24)
	for f := range 24 {
		m.Set((f/6)*2, f, 1)          // C, D, E, F# in turn, a quarter of the clip each
		m.Set(((f/6)*2+7)%12, f, 0.5) // and their fifth, softer
	}
	fmt.Println(render.Heatmap(m, render.HeatmapOptions{
		Width: 34, Height: 18, Profile: colorprofile.ASCII, Title: "Chroma",
		Axis: render.ChromaAxis(12), SR: 22050, Hop: 4410, Beats: []int{0, 6, 12, 18},
		Cursor: render.Cursor{Frame: 7, Bin: 2}, ShowCursor: true,
	}))
	// Output:
	// Chroma                0 [ .-+#@] 1
	//  B+               ++++++++
	// A#+
	//  A+        +++++++
	//   |        +++++++
	// G#+
	//  G+++++++++
	// F#+                       @@@@@@@@
	//  F+
	//  E+               @@@@@@@@
	// D#+
	//   |
	//  D*        @X@@@@@
	// C#+                       ++++++++
	//  C+@@@@@@@@
	//   +^------+^*---+-^----+--^--+----
	//    0      1     2      3     4   s
	// t=1.4 s  note=D  v=1
}

// A zoomed-in waveform in ASCII draws the trace itself: two periods of a decaying sine.
func ExampleWaveform() {
	y := make([]float32, 8000)
	for i := range y {
		y[i] = float32(math.Sin(2*math.Pi*float64(i)/40) * math.Exp(-float64(i)/80))
	}
	fmt.Println(render.Waveform(y, 8000, render.WaveformOptions{
		Width: 44, Height: 10, Profile: colorprofile.ASCII, Title: "Decay", End: 80,
	}))
	// Output:
	// Decay                  peak 0.883  rms 0.463
	//  |  .#'''|
	//  | .#    '#.             ..#'#.
	//  |.#       #.          .|'    '#.
	// 0+'         #.        .#        '#.        .
	//  |           |.      #'           '|..  .#''
	//  |            '#.  .|'               ''''
	//  |              ''''
	//  ++-------+--------+-------+-------+--------
	//   0     0.002    0.004   0.006   0.008     s
}

func ExampleProfileFromEnv() {
	fmt.Println(render.ProfileFromEnv([]string{"TERM=xterm-256color", "COLORTERM=truecolor"}, true))
	fmt.Println(render.ProfileFromEnv([]string{"TERM=xterm-256color", "NO_COLOR=1"}, true))
	fmt.Println(render.ProfileFromEnv([]string{"TERM=dumb"}, true))
	// Output:
	// TrueColor
	// Ascii
	// Ascii
}
