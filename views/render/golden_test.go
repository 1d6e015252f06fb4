package render

import (
	"testing"

	"github.com/charmbracelet/colorprofile"

	"github.com/hark-audio/hark/features"
)

func TestHeatmapGolden(t *testing.T) {
	mel := chirpDB(128, 300)
	beats := []int{0, 25, 50, 75, 100, 125, 150, 175, 200, 225, 250, 275}
	melOpt := func(w, h int, p colorprofile.Profile) HeatmapOptions {
		return HeatmapOptions{
			Width: w, Height: h, Profile: p, Title: "Mel spectrogram", Unit: "dB", TopDB: 80,
			Axis: MelAxis(128, 0, 11025, false), SR: 22050, Hop: 512, Beats: beats,
		}
	}
	cursor := func(o HeatmapOptions) HeatmapOptions {
		o.Cursor, o.ShowCursor = Cursor{Frame: 120, Bin: 40}, true
		return o
	}
	chroma := features.NewMatrix(12, 40)
	for c := range 40 {
		for r := range 12 {
			chroma.Set(r, c, float32((r*7+c/5)%12)/11)
		}
	}
	mfcc := features.NewMatrix(20, 60)
	for c := range 60 {
		for r := range 20 {
			mfcc.Set(r, c, float32(100-10*r+(c%20)*r/4))
		}
	}
	cases := []struct {
		name string
		m    *features.Matrix
		opt  HeatmapOptions
	}{
		{"heatmap_mel_ascii_80x24", mel, melOpt(80, 24, colorprofile.ASCII)},
		{"heatmap_mel_ascii_cursor_80x24", mel, cursor(melOpt(80, 24, colorprofile.ASCII))},
		{"heatmap_mel_truecolor_80x24", mel, cursor(melOpt(80, 24, colorprofile.TrueColor))},
		{"heatmap_mel_ansi256_60x16", mel, melOpt(60, 16, colorprofile.ANSI256)},
		{"heatmap_mel_ansi_40x12", mel, melOpt(40, 12, colorprofile.ANSI)},
		{"heatmap_mel_ascii_20x6", mel, melOpt(20, 6, colorprofile.ASCII)},
		{"heatmap_stft_ascii_72x20", chirpDB(1025, 100), HeatmapOptions{
			Width: 72, Height: 20, Profile: colorprofile.ASCII, Title: "STFT", Unit: "dB",
			Axis: LinearFreqAxis(22050, 2048), SR: 22050, Hop: 512, Resample: Max,
		}},
		{"heatmap_chroma_ascii_60x16", chroma, HeatmapOptions{
			Width: 60, Height: 16, Profile: colorprofile.ASCII, Title: "Chromagram",
			Axis: ChromaAxis(12), SR: 22050, Hop: 512,
		}},
		{"heatmap_chroma_truecolor_60x16", chroma, HeatmapOptions{
			Width: 60, Height: 16, Profile: colorprofile.TrueColor, Title: "Chromagram", ColorMap: Magma,
			Axis: ChromaAxis(12), SR: 22050, Hop: 512, Cursor: Cursor{Frame: 10, Bin: 9}, ShowCursor: true,
		}},
		{"heatmap_mfcc_ascii_50x14", mfcc, HeatmapOptions{
			Width: 50, Height: 14, Profile: colorprofile.ASCII, Title: "MFCC",
			Axis: IndexAxis(20, "mfcc"),
		}},
		{"heatmap_empty_ascii_40x10", features.NewMatrix(128, 0), melOpt(40, 10, colorprofile.ASCII)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tc.name, Heatmap(tc.m, tc.opt))
		})
	}
}

func TestWaveformGolden(t *testing.T) {
	const sr = 22050
	y := chirpSignal(2*sr, sr, sr/4)
	beats := []int{0, sr / 4, sr / 2, 3 * sr / 4, sr, 5 * sr / 4, 3 * sr / 2, 7 * sr / 4}
	opt := func(w, h int, p colorprofile.Profile) WaveformOptions {
		return WaveformOptions{Width: w, Height: h, Profile: p, Title: "Waveform", Beats: beats,
			Cursor: sr / 2, ShowCursor: true}
	}
	blocks := opt(80, 16, colorprofile.TrueColor)
	blocks.Blocks = true
	zoom := opt(60, 12, colorprofile.ASCII)
	zoom.Start, zoom.End = sr/2, sr/2+60
	cases := []struct {
		name string
		opt  WaveformOptions
	}{
		{"waveform_ascii_80x16", opt(80, 16, colorprofile.ASCII)},
		{"waveform_braille_truecolor_80x16", opt(80, 16, colorprofile.TrueColor)},
		{"waveform_blocks_truecolor_80x16", blocks},
		{"waveform_zoom_ascii_60x12", zoom},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tc.name, Waveform(y, sr, tc.opt))
		})
	}
}
