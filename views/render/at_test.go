package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/hark-audio/hark/features"
)

// markAt finds the cursor's marks in a drawing laid out by c: the column of the mark on the x
// axis line (below the plot) and the line of the mark in the y axis column (-1 when none).
func markAt(t *testing.T, drawing, mark string, c *chart) (x, y int) {
	t.Helper()
	lines := strings.Split(ansi.Strip(drawing), "\n")
	top := 0
	if c.title {
		top = 1
	}
	axis := []rune(lines[top+c.rows])
	x, y = -1, -1
	for i := c.left(); i < len(axis); i++ {
		if string(axis[i]) == mark {
			x = i
			break
		}
	}
	if x < 0 {
		t.Fatalf("no cursor mark %q on the x axis:\n%s", mark, drawing)
	}
	for i := top; c.left() > 0 && i < top+c.rows; i++ {
		if r := []rune(lines[i]); len(r) >= c.left() && string(r[c.left()-1]) == mark {
			y = i
		}
	}
	return x, y
}

// HeatmapAt and WaveformAt invert the drawing: the cell where the cursor is drawn maps back to
// the cursor, whatever the size, zoom, profile and axis.
func TestHeatmapAtInvertsTheCursor(t *testing.T) {
	m := &features.Matrix{Rows: 40, Cols: 300, Data: make([]float32, 40*300)}
	for i := range m.Data {
		m.Data[i] = float32(i % 97)
	}
	for _, c := range []struct {
		w, h, start, end int
		cur              Cursor
		profile          colorprofile.Profile
		axis             Axis
	}{
		{80, 24, 0, 0, Cursor{Frame: 123, Bin: 17}, colorprofile.ASCII, MelAxis(40, 0, 8000, false)},
		{120, 40, 0, 0, Cursor{Frame: 7, Bin: 39}, colorprofile.TrueColor, IndexAxis(40, "coef")},
		{100, 30, 100, 130, Cursor{Frame: 111, Bin: 0}, colorprofile.ANSI256, LinearFreqAxis(16000, 78)},
		{60, 14, 250, 300, Cursor{Frame: 299, Bin: 25}, colorprofile.ASCII, IndexAxis(40, "bin")},
	} {
		opt := HeatmapOptions{Width: c.w, Height: c.h, Profile: c.profile, Axis: c.axis, SR: 16000, Hop: 160,
			Start: c.start, End: c.end, Cursor: c.cur, ShowCursor: true}
		name := fmt.Sprintf("%dx%d %v [%d,%d)", c.w, c.h, c.profile, c.start, c.end)
		l := layoutHeatmap(newChrome(c.profile, opt.ColorMap), m, opt, c.w, c.h)
		mark := "*"
		if c.profile != colorprofile.ASCII {
			mark = "◆"
		}
		x, y := markAt(t, Heatmap(m, opt), mark, l.c)
		if y < 0 {
			t.Fatalf("%s: no cursor mark on the y axis", name)
		}
		// A cell may show several frames or bins: the one under its centre comes back, and a
		// cursor there is drawn in the same cell.
		got, ok := HeatmapAt(m, opt, x, y)
		again := opt
		again.Cursor = got
		x2, y2 := markAt(t, Heatmap(m, again), mark, l.c)
		if !ok || x2 != x || y2 != y || abs(got.Frame-c.cur.Frame) > 4 || abs(got.Bin-c.cur.Bin) > 2 {
			t.Errorf("%s: the cursor's cell (%d,%d) maps to %+v, %v, drawn at (%d,%d); want near %+v", name, x, y, got, ok, x2, y2, c.cur)
		}
		for _, off := range [][2]int{{0, y}, {x, 0}, {c.w, y}, {x, c.h - 1}} {
			if got, ok := HeatmapAt(m, opt, off[0], off[1]); ok {
				t.Errorf("%s: (%d,%d) is off the plot but maps to %+v", name, off[0], off[1], got)
			}
		}
	}
	if _, ok := HeatmapAt(nil, HeatmapOptions{Width: 80, Height: 20}, 40, 10); ok {
		t.Error("a missing matrix maps a cell")
	}
}

func TestWaveformAtInvertsTheCursor(t *testing.T) {
	y := make([]float32, 16000)
	for i := range y {
		y[i] = float32(i%200)/100 - 1
	}
	for _, c := range []struct {
		w, h, start, end, cur int
		profile               colorprofile.Profile
	}{
		{80, 20, 0, 0, 12345, colorprofile.ASCII},
		{120, 30, 1000, 1200, 1100, colorprofile.TrueColor},
		{60, 12, 15000, 16000, 15999, colorprofile.ASCII},
	} {
		opt := WaveformOptions{Width: c.w, Height: c.h, Profile: c.profile, Start: c.start, End: c.end, Cursor: c.cur, ShowCursor: true}
		mark := "*"
		if c.profile != colorprofile.ASCII {
			mark = "◆"
		}
		l := layoutWaveform(newChrome(c.profile, opt.ColorMap), y, 8000, opt, c.w, c.h)
		x, _ := markAt(t, Waveform(y, 8000, opt), mark, l.c)
		got, ok := WaveformAt(y, 8000, opt, x, c.h/2)
		again := opt
		again.Cursor = got
		if x2, _ := markAt(t, Waveform(y, 8000, again), mark, l.c); x2 != x {
			t.Errorf("%dx%d: a cursor at %d is drawn at column %d, not %d", c.w, c.h, got, x2, x)
		}
		// A column shows several samples when zoomed out: the cursor's column maps to the sample
		// under its centre, within one column's worth of samples of the cursor.
		span := c.end - c.start
		if span <= 0 {
			span = len(y)
		}
		perCol := span/(c.w-8) + 1
		if !ok || got < c.cur-perCol || got > c.cur+perCol {
			t.Errorf("%dx%d [%d,%d): the cursor's column %d maps to %d, %v; want about %d", c.w, c.h, c.start, c.end, x, got, ok, c.cur)
		}
		if _, ok := WaveformAt(y, 8000, opt, 0, c.h/2); ok {
			t.Errorf("%dx%d: the y labels map to a sample", c.w, c.h)
		}
	}
}

func abs(v int) int { return max(v, -v) }
