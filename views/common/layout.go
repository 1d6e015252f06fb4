package common

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Fit cuts or pads s to exactly h lines of exactly w cells, so that a pane's view always fills
// its box: longer lines are cut (escapes kept balanced), shorter ones padded with spaces,
// missing lines added empty and extra lines dropped.
func Fit(s string, w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	var b strings.Builder
	for i := 0; i < h; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(lines) {
			b.WriteString(Pad(lines[i], w))
		} else {
			b.WriteString(strings.Repeat(" ", w))
		}
	}
	return b.String()
}

// Pad cuts or pads one line to exactly w cells.
func Pad(line string, w int) string {
	n := ansi.StringWidth(line)
	if n > w {
		line = ansi.Truncate(line, w, "")
		n = ansi.StringWidth(line)
	}
	if n < w {
		line += strings.Repeat(" ", w-n)
	}
	return line
}

// Cut shortens one line of plain text to at most w cells, ending it with tail when it had to
// be cut.
func Cut(line string, w int, tail string) string {
	if ansi.StringWidth(line) <= w {
		return line
	}
	if ansi.StringWidth(tail) >= w {
		return ansi.Truncate(line, w, "")
	}
	return ansi.Truncate(line, w, tail)
}

// BarOf draws a horizontal bar of frac (0..1) of w cells with the styles' glyphs, padded with
// spaces to w cells: eighths of a cell where the glyphs allow, whole cells in ASCII.
func (s Styles) BarOf(frac float64, w int) string {
	if w <= 0 {
		return ""
	}
	frac = max(0, min(1, frac))
	eighths := int(frac*float64(w*8) + 0.5)
	if len(s.BarEighth) == 0 {
		eighths = (eighths + 4) / 8 * 8
	}
	full, part := eighths/8, eighths%8
	bar := strings.Repeat(s.BarFull, full)
	if part > 0 {
		bar += s.BarEighth[part-1]
	}
	cells := full
	if part > 0 {
		cells++
	}
	return s.Bar.Render(bar) + strings.Repeat(" ", w-cells)
}

// Spread writes left and right on one line of exactly w cells, right flush with the edge;
// left is cut first when both do not fit, and right is dropped when it alone does not fit.
func Spread(left, right string, w int) string {
	rw := ansi.StringWidth(right)
	if rw+1 >= w {
		return Pad(left, w)
	}
	return Pad(left, w-rw-1) + " " + right
}
