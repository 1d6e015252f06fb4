package render

import (
	"math"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Default size of a drawing whose options leave Width or Height at zero.
const (
	DefaultWidth  = 80
	DefaultHeight = 24
)

// minPlotRows is the plot height below which the chrome gives way, line by line.
const minPlotRows = 2

// chart lays out what Heatmap and Waveform share, top to bottom:
//
//	title                                  legend
//	  8k ┤▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀
//	   0 ┤▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀
//	  Hz └┬───────▲────┬──────▲──◆────┬─────▲──
//	      0            1             2        s
//	t=1.23 s  f=440 Hz  v=-12.3 dB
//
// When the height is short the title goes first, then the x axis line, its labels and the
// readout; when the width is short the y axis goes. Every line is at most w cells wide and
// there are exactly h lines.
type chart struct {
	ch                             chrome
	w, h                           int
	title, xAxis, xLabels, readout bool
	rows, cols                     int // the plot
	labelW                         int // width of the y labels; the plot starts at labelW+1
	yAxis                          bool
}

// newChart lays out the lines of a w x h drawing, the readout line only when wanted.
func newChart(ch chrome, w, h int, readout bool) *chart {
	c := &chart{ch: ch, w: w, h: h, title: true, xAxis: true, xLabels: true, readout: readout}
	for _, drop := range []*bool{&c.title, &c.xAxis, &c.xLabels, &c.readout} {
		if c.h-c.extraLines() >= minPlotRows {
			break
		}
		*drop = false
	}
	c.rows = h - c.extraLines()
	c.cols = w
	return c
}

func (c *chart) extraLines() int {
	n := 0
	for _, on := range []bool{c.title, c.xAxis, c.xLabels, c.readout} {
		if on {
			n++
		}
	}
	return n
}

// fitY makes room for y labels labelW wide, unless that would leave the plot less than half
// the width: then the y axis is left out.
func (c *chart) fitY(labelW int) {
	if c.w-(labelW+1) >= max(c.w/2, 1) {
		c.yAxis, c.labelW, c.cols = true, labelW, c.w-(labelW+1)
	}
}

// plotCell turns column x and line y of the drawing into the plot's column and row (row 0 at
// the top), and false outside the plot.
func (c *chart) plotCell(x, y int) (col, row int, ok bool) {
	col, row = x-c.left(), y
	if c.title {
		row--
	}
	return col, row, col >= 0 && col < c.cols && row >= 0 && row < c.rows
}

// left is the number of cells before the plot.
func (c *chart) left() int {
	if c.yAxis {
		return c.labelW + 1
	}
	return 0
}

// Kinds of mark on the x axis line, in rising precedence.
const (
	markNone = iota
	markTick
	markBeat
	markCursor
)

// frame is everything drawn around the plot.
type frame struct {
	title     string // caller text, one line
	legend    string // right end of the title line, styled
	legendW   int
	yTicks    []tick // cells are plot rows from the bottom
	yCorner   string // under the y labels, on the x axis line
	yCursor   int    // plot row of the cursor from the bottom, or -1
	xTicks    []tick
	xUnit     string
	xMarks    []byte // per plot column: markNone, markTick, markBeat or markCursor
	readout   string
	bodyLines []string // the plot rows, top first, each at most cols wide and closing its style
}

// labelWidth is the width the y labels and the corner caption need.
func labelWidth(ticks []tick, corner string) int {
	w := ansi.StringWidth(corner)
	for _, t := range ticks {
		w = max(w, ansi.StringWidth(t.label))
	}
	return w
}

// render assembles the drawing.
func (c *chart) render(f *frame) string {
	var b strings.Builder
	b.Grow(c.h * (c.w + 16))
	ch := &c.ch
	lines := 0
	newline := func() {
		if lines > 0 {
			b.WriteByte('\n')
		}
		lines++
	}
	if c.title {
		newline()
		c.titleLine(&b, f)
	}
	ylabels := make(map[int]string, len(f.yTicks))
	for _, t := range f.yTicks {
		ylabels[t.cell] = t.label
	}
	for i := range c.rows {
		newline()
		r := c.rows - 1 - i
		if c.yAxis {
			label, ok := ylabels[r]
			b.WriteString(strings.Repeat(" ", c.labelW-ansi.StringWidth(label)))
			ch.styled(&b, ch.text, label)
			switch {
			case r == f.yCursor:
				ch.styled(&b, ch.cursor, ch.cursorMark)
			case ok:
				ch.styled(&b, ch.axis, ch.vtick)
			default:
				ch.styled(&b, ch.axis, ch.vline)
			}
		}
		if i < len(f.bodyLines) {
			b.WriteString(f.bodyLines[i])
		}
	}
	if c.xAxis {
		newline()
		c.axisLine(&b, f)
	}
	if c.xLabels {
		newline()
		ch.styled(&b, ch.text, c.labelLine(f))
	}
	if c.readout {
		newline()
		b.WriteString(truncate(f.readout, c.w, ch.ellipsis))
	}
	return b.String()
}

// titleLine writes the title at the left and the legend flush right, leaving out the legend
// when it does not fit and shortening the title to the room left.
func (c *chart) titleLine(b *strings.Builder, f *frame) {
	ch := &c.ch
	room := c.w
	legend := f.legendW > 0 && f.legendW <= c.w
	if legend {
		room = c.w - f.legendW - 2
	}
	title := clean(f.title)
	if room < min(ansi.StringWidth(title), 3) {
		title = ""
	}
	title = truncate(title, max(room, 0), ch.ellipsis)
	ch.styled(b, ch.title, title)
	if legend {
		b.WriteString(strings.Repeat(" ", c.w-ansi.StringWidth(title)-f.legendW))
		b.WriteString(f.legend)
	}
}

// axisLine writes the x axis: the y corner caption, the corner and a mark per plot column.
func (c *chart) axisLine(b *strings.Builder, f *frame) {
	ch := &c.ch
	if c.yAxis {
		corner := truncate(f.yCorner, c.labelW, "")
		b.WriteString(strings.Repeat(" ", c.labelW-ansi.StringWidth(corner)))
		ch.styled(b, ch.text, corner)
		ch.styled(b, ch.axis, ch.corner)
	}
	glyph := [...]string{ch.hline, ch.htick, ch.beatMark, ch.cursorMark}
	style := [...]string{ch.axis, ch.axis, ch.beat, ch.cursor}
	var run strings.Builder
	for x := 0; x < c.cols; {
		k := markNone
		if x < len(f.xMarks) {
			k = int(f.xMarks[x])
		}
		run.Reset()
		for ; x < c.cols; x++ {
			kx := markNone
			if x < len(f.xMarks) {
				kx = int(f.xMarks[x])
			}
			if style[kx] != style[k] {
				break
			}
			run.WriteString(glyph[kx])
		}
		ch.styled(b, style[k], run.String())
	}
}

// labelLine centres each x label under its tick, drops those that would touch a neighbour or
// leave the line, and puts the unit at the right end when there is room.
func (c *chart) labelLine(f *frame) string {
	line := []byte(strings.Repeat(" ", c.w))
	end := -1 // last used cell
	for _, t := range f.xTicks {
		n := len(t.label)
		start := c.left() + t.cell - (n-1)/2
		start = max(start, 0)
		if start <= end+1 || start+n > c.w {
			continue
		}
		copy(line[start:], t.label)
		end = start + n - 1
	}
	if u := len(f.xUnit); u > 0 && c.w-u > end+1 {
		copy(line[c.w-u:], f.xUnit)
	}
	return strings.TrimRight(string(line), " ")
}

// xMarks builds the marks of the x axis line: ticks, beats (items) and the cursor (an item,
// or -1 for none).
func xMarks(s scale, ticks []tick, beats []int, cursor int) []byte {
	m := make([]byte, s.cells)
	for _, t := range ticks {
		m[t.cell] = markTick
	}
	for _, bt := range beats {
		if float64(bt) < s.lo || float64(bt) >= s.hi {
			continue
		}
		// An item wider than a cell is marked where it starts: that is when the beat falls.
		if c0, c1 := s.itemCells(bt); c0 < c1 {
			m[c0] = max(m[c0], markBeat)
		}
	}
	if cursor >= 0 && float64(cursor) >= s.lo && float64(cursor) < s.hi {
		if x := s.cellOf(float64(cursor) + 0.5); x >= 0 && x < s.cells {
			m[x] = markCursor
		}
	}
	return m
}

// xLabelNeed spaces x labels: two blank cells between neighbours.
func xLabelNeed(w int) int { return w + 2 }

// yLabelNeed spaces y labels by plot height: every other row on short plots, every third on
// taller ones.
func yLabelNeed(rows int) func(int) int {
	return func(int) int {
		if rows > 16 {
			return 3
		}
		return 2
	}
}

// timeUnit and timeText describe positions along a time scale of the given period (seconds
// per item; 0 or less counts items).
func timeUnit(period float64) string {
	if period > 0 {
		return "s"
	}
	return ""
}

func timeText(item int, period float64, itemName string) string {
	if period <= 0 {
		return itemName + "=" + strconv.Itoa(item)
	}
	// Enough decimals to tell neighbouring items apart, up to milliseconds.
	d := min(max(int(math.Ceil(-math.Log10(period)-1e-9)), 0), 3)
	return "t=" + strconv.FormatFloat(float64(item)*period, 'f', d, 64) + " s"
}

// truncate cuts s to at most w cells, ending in tail when it had to cut.
func truncate(s string, w int, tail string) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	if ansi.StringWidth(tail) > w {
		tail = ""
	}
	return ansi.Truncate(s, w, tail)
}

// message centres a short note in the plot area, for data that cannot be drawn.
func message(rows, cols int, text string, ellipsis string) []string {
	lines := make([]string, rows)
	if rows == 0 {
		return lines
	}
	text = truncate(text, cols, ellipsis)
	pad := (cols - ansi.StringWidth(text)) / 2
	lines[(rows-1)/2] = strings.Repeat(" ", max(pad, 0)) + text
	return lines
}
