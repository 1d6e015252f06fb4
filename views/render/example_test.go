package render_test

import (
	"fmt"

	"github.com/charmbracelet/colorprofile"

	"github.com/hark-audio/hark/features"
	"github.com/hark-audio/hark/views/render"
)

// A tiny chromagram drawn in ASCII, as with NO_COLOR or TERM=dumb: note names up the side,
// seconds along the bottom, the colour range top right and the cursor's readout underneath.
func ExampleHeatmap() {
	m := features.NewMatrix(12, 24)
	for f := range 24 {
		m.Set((f/6)*2, f, 1)         // C, D, E, F# in turn, a quarter of the clip each
		m.Set(((f/6)*2+7)%12, f, 0.5) // and their fifth, softer
	}
	fmt.Println(render.Heatmap(m, render.HeatmapOptions{
		Width: 34, Height: 18, Profile: colorprofile.ASCII, Title: "Chroma",
		Axis: render.ChromaAxis(12), SR: 22050, Hop: 4410, Beats: []int{0, 6, 12, 18},
		Cursor: render.Cursor{Frame: 7, Bin: 2}, ShowCursor: true,
	}))
	// Output:
}

// A waveform in ASCII: the peak envelope in '|' around the RMS band in '#'.
func ExampleWaveform() {
	y := make([]float32, 400)
	for i := range y {
		y[i] = float32(i%40-20) / 20 * float32(400-i) / 400 // a decaying sawtooth
	}
	fmt.Println(render.Waveform(y, 8000, render.WaveformOptions{
		Width: 40, Height: 9, Profile: colorprofile.ASCII, Title: "Saw",
	}))
	// Output:
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
