package render

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/colorprofile"
)

// BenchmarkHeatmap draws a 30 s mel spectrogram (128 x 1300) as the inspector does, at 200x60
// and 80x24, in each profile; the inspector's budget is well under 16 ms a frame.
func BenchmarkHeatmap(b *testing.B) {
	m := chirpDB(128, 1300)
	for _, sz := range [][2]int{{200, 60}, {80, 24}} {
		for _, p := range []colorprofile.Profile{colorprofile.TrueColor, colorprofile.ANSI256, colorprofile.ANSI, colorprofile.ASCII} {
			opt := HeatmapOptions{
				Width: sz[0], Height: sz[1], Profile: p, Title: "Mel spectrogram", Unit: "dB", TopDB: 80,
				Axis: MelAxis(128, 0, 11025, false), SR: 22050, Hop: 512, Beats: []int{100, 200, 300},
				Cursor: Cursor{Frame: 600, Bin: 40}, ShowCursor: true,
			}
			b.Run(fmt.Sprintf("%dx%d/%v", sz[0], sz[1], p), func(b *testing.B) {
				for b.Loop() {
					_ = Heatmap(m, opt)
				}
			})
		}
	}
}

// BenchmarkWaveform draws 30 s at 22,050 Hz at 200x60.
func BenchmarkWaveform(b *testing.B) {
	const sr = 22050
	y := chirpSignal(30*sr, sr, sr/2)
	for _, blocks := range []bool{false, true} {
		opt := WaveformOptions{Width: 200, Height: 60, Profile: colorprofile.TrueColor, Title: "Waveform",
			Blocks: blocks, Cursor: sr, ShowCursor: true}
		b.Run(fmt.Sprintf("200x60/blocks=%v", blocks), func(b *testing.B) {
			for b.Loop() {
				_ = Waveform(y, sr, opt)
			}
		})
	}
}
