package inspector

import (
	"image/color"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/features"
)

// isImage reports whether an item is an image file (LFW's faces), drawn rather than listened to.
func isImage(it dataset.Item) bool {
	switch strings.ToLower(filepath.Ext(it.Path)) {
	case ".jpg", ".jpeg", ".png", ".gif":
		return true
	}
	return false
}

// imageKey names an image's decoded pixels in the cache.
func imageKey(path string) string { return path + "\x00image" }

// loadImageCmd decodes an image in a command.
func loadImageCmd(path string) tea.Cmd {
	return func() tea.Msg {
		r, err := loadImage(path)
		return computedMsg{key: imageKey(path), out: outcome{res: r, err: err}}
	}
}

// loadImage decodes an image file as grayscale in [0, 1], row 0 at the top, at its own size.
func loadImage(path string) (*extract.Result, error) {
	m, err := extract.Image(path, 0)
	if err != nil {
		return nil, err
	}
	return &extract.Result{Kind: "image", Matrix: m}, nil
}

// asciiRamp runs from dark to light, one character a cell where there is no colour.
const asciiRamp = " .:-=+*#%@"

// drawImage draws a grayscale image (values in [0, 1], row 0 at the top) in at most w x h
// cells, keeping its aspect: with colour each cell is an upper half-block whose foreground is
// the upper pixel and background the lower one, so that pixels are about square; without,
// each cell is a character of a brightness ramp. The lines are exactly w cells wide.
func drawImage(m *features.Matrix, w, h int, profile colorprofile.Profile) []string {
	lines := make([]string, h)
	if m == nil || m.Rows == 0 || m.Cols == 0 || w <= 0 || h <= 0 {
		for i := range lines {
			lines[i] = strings.Repeat(" ", max(0, w))
		}
		return lines
	}
	// Pixels two to a cell vertically: the image is fitted into w x 2h pixels.
	scale := min(float64(w)/float64(m.Cols), float64(2*h)/float64(m.Rows))
	pw := max(1, min(w, int(float64(m.Cols)*scale+0.5)))
	ph := max(2, min(2*h, int(float64(m.Rows)*scale+0.5)))
	ph += ph % 2
	px := boxResample(m, pw, ph)
	colour := profile >= colorprofile.ANSI
	for cy := range h {
		var b strings.Builder
		if cy >= ph/2 {
			lines[cy] = strings.Repeat(" ", w)
			continue
		}
		for cx := range pw {
			up, dn := px[(2*cy)*pw+cx], px[(2*cy+1)*pw+cx]
			if !colour {
				v := (up + dn) / 2
				b.WriteByte(asciiRamp[min(len(asciiRamp)-1, int(v*float32(len(asciiRamp))))])
				continue
			}
			b.WriteString(ansi.NewStyle().ForegroundColor(grayColor(profile, up)).BackgroundColor(grayColor(profile, dn)).String())
			b.WriteString("▀")
		}
		if colour {
			b.WriteString(ansi.ResetStyle)
		}
		b.WriteString(strings.Repeat(" ", w-pw))
		lines[cy] = b.String()
	}
	return lines
}

// grayColor is the gray of v in [0, 1] as the profile can show it: the four grays of the 16
// ANSI colours, or the nearest of 256 or truecolour.
func grayColor(p colorprofile.Profile, v float32) color.Color {
	if p == colorprofile.ANSI {
		ramp := []ansi.BasicColor{ansi.Black, ansi.BrightBlack, ansi.White, ansi.BrightWhite}
		return ramp[min(len(ramp)-1, int(v*float32(len(ramp))))]
	}
	g := uint8(max(0, min(255, int(v*255+0.5))))
	return p.Convert(color.RGBA{R: g, G: g, B: g, A: 255})
}

// boxResample averages m into w x h pixels (each output pixel the mean of the input pixels
// it covers, or the nearest one when enlarging).
func boxResample(m *features.Matrix, w, h int) []float32 {
	out := make([]float32, w*h)
	for y := range h {
		y0 := y * m.Rows / h
		y1 := max(y0+1, (y+1)*m.Rows/h)
		for x := range w {
			x0 := x * m.Cols / w
			x1 := max(x0+1, (x+1)*m.Cols/w)
			var sum float32
			for yy := y0; yy < y1; yy++ {
				row := m.Data[yy*m.Cols:]
				for xx := x0; xx < x1; xx++ {
					sum += row[xx]
				}
			}
			out[y*w+x] = sum / float32((y1-y0)*(x1-x0))
		}
	}
	return out
}
