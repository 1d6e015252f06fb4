package featureview

import (
	"fmt"

	"github.com/charmbracelet/colorprofile"

	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/features"
	"github.com/hark-audio/hark/views/render"
)

// Options are the drawing choices shared by every kind.
type Options struct {
	Width, Height int
	Profile       colorprofile.Profile
	ColorMap      render.ColorMap
	Title         string
	// Start and End select frames (samples for wave) to draw; End 0 means the last.
	Start, End int
	Cursor     render.Cursor // frame and bin (for wave: Frame is the sample index)
	ShowCursor bool
	// NoBeats hides the beat marks a result carries.
	NoBeats bool
	// Unit, when set, names the values instead of the kind's own unit: for a matrix the caller
	// rescaled, such as an stft it turned into decibels.
	Unit string
}

// Draw renders r, computed with cfg, in opt.Width x opt.Height cells.
func Draw(r *extract.Result, cfg extract.Config, opt Options) string {
	switch r.Kind {
	case "wave", "beats":
		return render.Waveform(r.Wave, r.SR, waveOptions(r, cfg, opt))
	case "vggish":
		return drawVGGish(r, title(r, cfg, opt), opt)
	}
	return render.Heatmap(r.Matrix, heatOptions(r, cfg, opt))
}

// At returns the cursor that Draw(r, cfg, opt) draws at column x and line y of its drawing
// (Frame is a sample for the waveform views, a column for the others), and false off the plot
// and for VGGish examples: a mouse click becomes the cursor there.
func At(r *extract.Result, cfg extract.Config, opt Options, x, y int) (render.Cursor, bool) {
	switch r.Kind {
	case "wave", "beats":
		s, ok := render.WaveformAt(r.Wave, r.SR, waveOptions(r, cfg, opt), x, y)
		return render.Cursor{Frame: s}, ok
	case "vggish":
		return render.Cursor{}, false
	}
	return render.HeatmapAt(r.Matrix, heatOptions(r, cfg, opt), x, y)
}

// title is the caller's title followed by what the drawing shows.
func title(r *extract.Result, cfg extract.Config, opt Options) string {
	t := opt.Title
	if t != "" {
		t += "  "
	}
	return t + describe(r, cfg)
}

// waveOptions draws a wave result, or a beats result as marks over the waveform they were
// tracked in.
func waveOptions(r *extract.Result, cfg extract.Config, opt Options) render.WaveformOptions {
	wo := render.WaveformOptions{
		Width: opt.Width, Height: opt.Height, Profile: opt.Profile, ColorMap: opt.ColorMap,
		Title: title(r, cfg, opt), Start: opt.Start, End: opt.End, Cursor: opt.Cursor.Frame, ShowCursor: opt.ShowCursor,
	}
	if r.Kind == "beats" {
		wo.Beats = make([]int, len(r.Beats))
		for i, f := range r.Beats {
			wo.Beats[i] = f * r.Hop
		}
	}
	return wo
}

// heatOptions draws a matrix result with the axis and unit of its kind.
func heatOptions(r *extract.Result, cfg extract.Config, opt Options) render.HeatmapOptions {
	beats := r.Beats
	if opt.NoBeats || cfg.BeatSync != "" {
		beats = nil // beat-synchronous columns are the beats themselves
	}
	ho := render.HeatmapOptions{
		Width: opt.Width, Height: opt.Height, Profile: opt.Profile, ColorMap: opt.ColorMap,
		Title: title(r, cfg, opt), SR: r.SR, Hop: r.Hop, Start: opt.Start, End: opt.End,
		Beats: beats, Cursor: opt.Cursor, ShowCursor: opt.ShowCursor,
	}
	if cfg.BeatSync != "" {
		ho.SR, ho.Hop = 0, 0 // columns are beat intervals, not frames
	}
	rows := r.Matrix.Rows
	switch r.Kind {
	case "stft":
		ho.Axis = render.LinearFreqAxis(r.SR, cfg.NFFT)
		if cfg.Power == 1 {
			ho.Unit = "|X|"
		} else {
			ho.Unit = fmt.Sprintf("|X|^%g", cfg.Power)
		}
	case "mel":
		ho.Axis = render.MelAxis(rows, cfg.FMin, fmax(cfg, r.SR), cfg.HTK)
		ho.Unit = "power"
	case "mel-db":
		ho.Axis = render.MelAxis(rows, cfg.FMin, fmax(cfg, r.SR), cfg.HTK)
		ho.Unit = "dB"
	case "mfcc", "mfcc-delta":
		ho.Axis = render.IndexAxis(rows, "coef")
	case "chroma":
		ho.Axis = render.ChromaAxis(rows)
	case "onset":
		ho.Axis = render.IndexAxis(rows, "onset")
	}
	if opt.Unit != "" {
		ho.Unit = opt.Unit
	}
	return ho
}

func fmax(cfg extract.Config, sr int) float64 {
	if cfg.FMax > 0 {
		return cfg.FMax
	}
	return float64(sr) / 2
}

// describe is the title's parameter summary, so a drawing says what it shows.
func describe(r *extract.Result, cfg extract.Config) string {
	var s string
	switch r.Kind {
	case "wave":
		s = fmt.Sprintf("wave %d Hz", r.SR)
	case "beats":
		s = fmt.Sprintf("beats: tempo %.1f BPM, %d beats (hop %d)", r.Tempo, len(r.Beats), r.Hop)
	case "vggish":
		s = fmt.Sprintf("vggish %d examples of 96x64", len(r.Examples))
	case "mel", "mel-db":
		s = fmt.Sprintf("%s %d mels n_fft %d hop %d", r.Kind, cfg.NMels, cfg.NFFT, cfg.Hop)
	case "mfcc", "mfcc-delta":
		s = fmt.Sprintf("%s %d coefs %d mels n_fft %d hop %d", r.Kind, cfg.NMFCC, cfg.NMels, cfg.NFFT, cfg.Hop)
	default:
		s = fmt.Sprintf("%s n_fft %d hop %d", r.Kind, cfg.NFFT, cfg.Hop)
	}
	if cfg.BeatSync != "" {
		s += fmt.Sprintf(", beat-synchronous (%s over %d beats)", cfg.BeatSync, len(r.Beats))
	}
	return s
}

// drawVGGish lays the examples end to end in time (each is 0.96 s) as one mel image.
func drawVGGish(r *extract.Result, title string, opt Options) string {
	n := len(r.Examples)
	m := features.NewMatrix(64, 96*n)
	for e, ex := range r.Examples {
		// An example is 96 frames x 64 bands; the drawing wants bands as rows.
		for f := 0; f < ex.Rows; f++ {
			for b := 0; b < ex.Cols; b++ {
				m.Set(b, e*96+f, ex.At(f, b))
			}
		}
	}
	return render.Heatmap(m, render.HeatmapOptions{
		Width: opt.Width, Height: opt.Height, Profile: opt.Profile, ColorMap: opt.ColorMap,
		Title: title, SR: 16000, Hop: 160, Axis: render.MelAxis(64, 125, 7500, true), Unit: "log",
		Start: opt.Start, End: opt.End, Cursor: opt.Cursor, ShowCursor: opt.ShowCursor,
	})
}
