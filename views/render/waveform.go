package render

import (
	"math"
	"strings"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// WaveformOptions configures Waveform. The zero value draws 80 x 24 cells in ASCII, the whole
// signal, scaled to its peak.
type WaveformOptions struct {
	// Width and Height bound the whole drawing in terminal cells; zero means DefaultWidth or
	// DefaultHeight, and a negative size draws nothing.
	Width, Height int
	// Profile chooses colour or ASCII, as for HeatmapOptions.
	Profile colorprofile.Profile
	// ColorMap colours the envelope: the peak envelope in its middle tone, the RMS band inside
	// it in a brighter one.
	ColorMap ColorMap
	// Title is written at the top left; the peak and RMS of the samples drawn go top right.
	Title string
	// Start and End select the samples [Start, End) to draw; an End of 0 means the last.
	Start, End int
	// Amplitude is the top of the y axis (the bottom is its negative); 0 or less means the
	// peak magnitude of the whole signal, so that quiet clips fill the height (1 for silence).
	// Finding that peak reads every sample: a view redrawn often can pass it instead.
	Amplitude float64
	// Blocks draws each column with half-blocks; by default columns are braille dots, which
	// have twice the horizontal and four times the vertical resolution of a cell.
	Blocks bool
	// Beats are sample indices, marked on the x axis (the beat at frame f with hop h is
	// sample f*h).
	Beats []int
	// Cursor is a sample index, drawn as a vertical line, marked on the x axis and read out
	// ("t=1.234 s  y=-0.532") when ShowCursor is set.
	Cursor     int
	ShowCursor bool
}

// waveLayout is where Waveform puts things: the chart (its y labels fitted), the samples
// shown, the amplitude at the top of the y axis, and the time scale of the plot.
type waveLayout struct {
	c           *chart
	start, end  int
	period, amp float64
	xs          scale
	yTicks      []tick
}

func layoutWaveform(ch chrome, y []float32, sr int, opt WaveformOptions, w, h int) waveLayout {
	l := waveLayout{c: newChart(ch, w, h, opt.ShowCursor)}
	l.start, l.end = window(opt.Start, opt.End, len(y))
	if sr > 0 {
		l.period = 1 / float64(sr)
	}
	l.amp = opt.Amplitude
	if !(l.amp > 0) || math.IsInf(l.amp, 0) {
		l.amp = peak(y)
	}
	if !(l.amp > 0) {
		l.amp = 1
	}
	ident := func(v float64) float64 { return v }
	ys := scale{cells: l.c.rows, lo: -l.amp, hi: l.amp, val: ident, inv: ident}
	l.yTicks = ys.ticks(yLabelNeed(l.c.rows))
	l.c.fitY(labelWidth(l.yTicks, ""))
	l.xs = timeScale(float64(l.start), float64(l.end), l.c.cols, l.period)
	return l
}

// WaveformAt returns the sample that Waveform(y, sr, opt) draws at column x of line row of its
// drawing (the sample under the centre of that column), and false off the plot.
func WaveformAt(y []float32, sr int, opt WaveformOptions, x, row int) (int, bool) {
	w, h := size(opt.Width, opt.Height)
	if w <= 0 || h <= 0 {
		return 0, false
	}
	l := layoutWaveform(newChrome(opt.Profile, opt.ColorMap), y, sr, opt, w, h)
	col, _, ok := l.c.plotCell(x, row)
	if !ok || l.end <= l.start {
		return 0, false
	}
	return max(l.start, min(l.end-1, l.xs.nearest(col))), true
}

// Waveform draws the signal y at sample rate sr (seconds on the x axis; 0 or less counts
// samples) as its min/max envelope per column, within opt.Width x opt.Height cells, under
// the same rules as Heatmap: exactly Height lines, each closing its own escapes, never a panic.
// Between samples the signal is taken as linear, so a zoomed-in view is a continuous trace.
func Waveform(y []float32, sr int, opt WaveformOptions) string {
	w, h := size(opt.Width, opt.Height)
	if w <= 0 || h <= 0 {
		return ""
	}
	ch := newChrome(opt.Profile, opt.ColorMap)
	l := layoutWaveform(ch, y, sr, opt, w, h)
	c, n, start, end, period, amp, xs := l.c, len(y), l.start, l.end, l.period, l.amp, l.xs

	f := &frame{title: opt.Title, yCursor: -1, xUnit: timeUnit(period)}
	f.yTicks = l.yTicks
	f.xTicks = xs.ticks(xLabelNeed)
	cur := -1
	if opt.ShowCursor && opt.Cursor >= start && opt.Cursor < end {
		cur = opt.Cursor
	}
	f.xMarks = xMarks(xs, f.xTicks, opt.Beats, cur)
	if opt.ShowCursor && opt.Cursor >= 0 && opt.Cursor < n {
		f.readout = timeText(opt.Cursor, period, "sample") + "  y=" + formatValue(float64(y[opt.Cursor]))
	}
	if end <= start {
		f.bodyLines = message(c.rows, c.cols, "no samples", ch.ellipsis)
		return c.render(f)
	}
	wp := wavePlot{y: y, rows: c.rows, cols: c.cols, amp: amp, dx: 2, dy: 4, cursor: -1}
	switch {
	case ch.ascii:
		wp.dx, wp.dy, wp.glyphs = 1, 2, asciiWave
	case opt.Blocks:
		wp.dx, wp.dy, wp.glyphs = 1, 2, blockWave
	}
	if cur >= 0 {
		wp.cursor = xs.cellOf(float64(cur) + 0.5)
	}
	pk, rms := wp.envelope(float64(start), float64(end))
	var b strings.Builder
	ch.styled(&b, ch.text, "peak "+formatValue(pk)+"  rms "+formatValue(rms))
	f.legend, f.legendW = b.String(), ansi.StringWidth(b.String())
	f.bodyLines = wp.paint(&ch, opt.Profile, opt.ColorMap)
	return c.render(f)
}

// peak is the largest finite magnitude in y.
func peak(y []float32) float64 {
	var p float32
	for _, v := range y {
		if v < 0 {
			v = -v
		}
		if v > p && v-v == 0 { // plain comparisons: the max builtin's NaN care costs 5x here
			p = v
		}
	}
	return float64(p)
}

// Glyph sets of a waveform: cells of dx x dy dots.
const (
	brailleWave = iota
	blockWave
	asciiWave
)

// wavePlot paints a waveform's plot area: rows x cols cells of dx x dy dots.
type wavePlot struct {
	y          []float32
	rows, cols int
	amp        float64
	dx, dy     int
	glyphs     int
	cursor     int       // plot column of the cursor, or -1
	dots       []uint8   // per cell, a bit per dot lit (braille's dot order for dx x dy = 2 x 4)
	rms        []float64 // per cell column
}

// at is the signal at index-space position x, linear between sample centres (sample i at
// i+0.5) and held at the ends; a NaN neighbour gives way to the other.
func (wp *wavePlot) at(x float64) float64 {
	n := len(wp.y)
	t := x - 0.5
	i := min(max(int(math.Floor(t)), 0), n-1)
	a := float64(wp.y[i])
	if i+1 >= n || t <= float64(i) {
		return a
	}
	b := float64(wp.y[i+1])
	switch {
	case a != a:
		return b
	case b != b:
		return a
	}
	return a + (t-float64(i))*(b-a)
}

// dotRow is the dot row, from the bottom, showing amplitude v.
func (wp *wavePlot) dotRow(v float64) int {
	d := wp.rows * wp.dy
	return min(max(int(math.Floor((v+wp.amp)/(2*wp.amp)*float64(d))), 0), d-1)
}

// dotBit is the bit of dot (column i, row j from the top) within its cell.
func (wp *wavePlot) dotBit(i, j int) uint8 {
	if wp.dx == 2 {
		return [4][2]uint8{{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}}[j][i]
	}
	return 1 << j
}

// envelope lights, in each dot column over samples [lo, hi), the dots between the smallest and
// the largest value the signal takes there, and measures each cell column's RMS, in one pass
// over the samples; it returns the peak magnitude and the RMS of the finite samples drawn.
func (wp *wavePlot) envelope(lo, hi float64) (pk, rms float64) {
	wp.dots = make([]uint8, wp.rows*wp.cols)
	wp.rms = make([]float64, wp.cols)
	sums := make([]float64, wp.cols)
	counts := make([]int, wp.cols)
	dc, dr := wp.cols*wp.dx, wp.rows*wp.dy
	wd := (hi - lo) / float64(dc)
	for j := range dc {
		a, b := lo+float64(j)*wd, lo+float64(j+1)*wd
		mn, mx := math.Inf(1), math.Inf(-1)
		for _, v := range [2]float64{wp.at(a), wp.at(b)} {
			mn, mx = extend(mn, mx, v)
		}
		// The samples whose centre lies within the column (each falls in exactly one column);
		// a +-Inf sample lights the column to its end but counts in no RMS.
		k := j / wp.dx
		for i := max(int(math.Ceil(a-0.5)), 0); i < len(wp.y) && float64(i)+0.5 < b; i++ {
			v := float64(wp.y[i])
			mn, mx = extend(mn, mx, v)
			if v-v == 0 {
				sums[k] += v * v
				counts[k]++
				if v > pk || -v > pk {
					pk = math.Abs(v)
				}
			}
		}
		if mn > mx {
			continue
		}
		for d := wp.dotRow(mn); d <= wp.dotRow(mx); d++ {
			row := dr - 1 - d
			wp.dots[(row/wp.dy)*wp.cols+k] |= wp.dotBit(j%wp.dx, row%wp.dy)
		}
	}
	var sum float64
	n := 0
	wc := (hi - lo) / float64(wp.cols)
	for k := range wp.cols {
		sum += sums[k]
		n += counts[k]
		switch v := wp.at(lo + (float64(k)+0.5)*wc); {
		case counts[k] > 0:
			wp.rms[k] = math.Sqrt(sums[k] / float64(counts[k]))
		case v-v == 0: // zoomed in past the samples: the trace's own level
			wp.rms[k] = math.Abs(v)
		}
	}
	if n > 0 {
		rms = math.Sqrt(sum / float64(n))
	}
	return pk, rms
}

// extend widens [mn, mx] to hold v unless v is NaN, with plain comparisons, which cost less
// than math.Min and math.Max in this loop over every sample.
func extend(mn, mx, v float64) (float64, float64) {
	if v < mn {
		mn = v
	}
	if v > mx {
		mx = v
	}
	return mn, mx
}

// Colour roles in a waveform.
const (
	waveNone = iota
	wavePeak
	waveRMS
	waveCursor
)

func (wp *wavePlot) paint(ch *chrome, p colorprofile.Profile, cm ColorMap) []string {
	var esc [4]string
	if !ch.ascii {
		fg := func(t float64) string { return ansi.NewStyle().ForegroundColor(p.Convert(cm.RGB(t))).String() }
		esc = [4]string{"", fg(0.45), fg(0.85), ch.cursor}
	}
	lines := make([]string, wp.rows)
	var b strings.Builder
	for r := range wp.rows {
		b.Reset()
		cur := waveNone
		// The amplitude at the middle of this row: inside the column's RMS it is the bright band.
		mid := wp.amp - (float64(r)+0.5)*2*wp.amp/float64(wp.rows)
		for x := range wp.cols {
			bits := wp.dots[r*wp.cols+x]
			role := wavePeak
			if math.Abs(mid) <= wp.rms[x] {
				role = waveRMS
			}
			if x == wp.cursor {
				role = waveCursor
			}
			g := wp.glyph(bits, role, x == wp.cursor)
			if g == " " {
				b.WriteByte(' ')
				continue
			}
			if !ch.ascii && role != cur {
				b.WriteString(esc[role])
				cur = role
			}
			b.WriteString(g)
		}
		if cur != waveNone {
			b.WriteString(ansi.ResetStyle)
		}
		lines[r] = b.String()
		if ch.ascii {
			lines[r] = strings.TrimRight(lines[r], " ")
		}
	}
	return lines
}

// glyph draws a cell's lit dots; an empty cell in the cursor column shows the cursor line.
func (wp *wavePlot) glyph(bits uint8, role int, cursor bool) string {
	if bits == 0 {
		switch {
		case !cursor:
			return " "
		case wp.glyphs == asciiWave:
			return ":"
		}
		return "│"
	}
	switch wp.glyphs {
	case blockWave:
		return [4]string{" ", "▀", "▄", "█"}[bits]
	case asciiWave:
		if bits == 3 && role == waveRMS {
			return "#"
		}
		return [4]string{" ", "'", ".", "|"}[bits]
	}
	return string(rune(0x2800 + int(bits)))
}
