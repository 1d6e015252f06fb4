package render

import (
	"fmt"
	"math"
	"strings"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/hark-audio/hark/features"
)

// Cursor is a cell of a matrix: a frame (column) and a bin (row).
type Cursor struct {
	Frame, Bin int
}

// HeatmapOptions configures Heatmap. The zero value draws 80 x 24 cells in ASCII with viridis,
// rows labelled by index, frames counted on the x axis and the value range of the data.
type HeatmapOptions struct {
	// Width and Height bound the whole drawing in terminal cells, axes, title, legend and
	// readout included; zero means DefaultWidth or DefaultHeight, and a negative size draws
	// nothing.
	Width, Height int
	// Profile chooses the escapes: TrueColor, ANSI256 or ANSI draw colour half-blocks; any
	// lower profile (the zero value among them) draws an ASCII intensity ramp with ASCII axes.
	// See ProfileFromEnv.
	Profile colorprofile.Profile
	// ColorMap is the colour map for colour profiles (viridis by default).
	ColorMap ColorMap
	// Title is written at the top left.
	Title string
	// Axis describes the rows: LinearFreqAxis, MelAxis, ChromaAxis, IndexAxis.
	Axis Axis
	// SR and Hop put the x axis in seconds (frame f at f*Hop/SR, as librosa.frames_to_time);
	// when either is 0 or less, frames are counted instead.
	SR, Hop int
	// Start and End select the frames [Start, End) to draw, for zooming and scrolling; an End
	// of 0 means the last frame. Ticks, beats and the cursor keep the matrix's frame numbers.
	Start, End int
	// Min and Max fix the colour range when Min < Max; otherwise it runs from the smallest to
	// the largest finite value of the whole matrix (not only the frames drawn, so that the
	// colours hold still while scrolling).
	Min, Max float64
	// TopDB, when positive, raises an automatic range's bottom to its top minus TopDB, as
	// librosa.power_to_db(top_db=80) does, so that dB features show their upper 80 dB.
	TopDB float64
	// Unit names the values in the legend and the readout ("dB").
	Unit string
	// Resample chooses how cells combine where the matrix is denser than the drawing.
	Resample Resample
	// Beats are frame indices, marked on the x axis.
	Beats []int
	// Cursor is highlighted in the plot, marked on both axes and read out under the x axis
	// ("t=1.23 s  f=440 Hz  v=-12.3 dB") when ShowCursor is set; the readout line is kept,
	// empty, while the cursor lies outside the matrix, so that the layout holds still.
	Cursor     Cursor
	ShowCursor bool
}

// Heatmap draws m (rows = bins, low frequencies at the bottom; columns = frames) in exactly
// opt.Height lines of at most opt.Width cells, joined by newlines with none at the end. Every
// line closes its own escapes, so the result can be placed inside other layouts.
// Non-finite values do not disturb it: NaN is drawn as background (a space in ASCII) and
// infinities as the ends of the range. It never panics; data it cannot draw (a nil or
// inconsistent matrix, no frames, no bins) is said in the plot area.
func Heatmap(m *features.Matrix, opt HeatmapOptions) string {
	w, h := size(opt.Width, opt.Height)
	if w <= 0 || h <= 0 {
		return ""
	}
	ch := newChrome(opt.Profile, opt.ColorMap)
	l := layoutHeatmap(ch, m, opt, w, h)
	c, rows, cols, data, start, end, period, ax, ys, xs := l.c, l.rows, l.cols, l.data, l.start, l.end, l.period, l.ax, l.ys, l.xs
	problem := l.problem
	lo, hi, haveRange := valueRange(data, opt.Min, opt.Max, opt.TopDB)
	unit := clean(opt.Unit)

	f := &frame{title: opt.Title, yCursor: -1, xUnit: timeUnit(period)}
	f.yTicks, f.yCorner = l.yTicks, ax.corner()
	f.xTicks = xs.ticks(xLabelNeed)

	cur := opt.Cursor
	onMatrix := opt.ShowCursor && cur.Bin >= 0 && cur.Bin < rows && cur.Frame >= 0 && cur.Frame < cols
	shown := onMatrix && cur.Frame >= start && cur.Frame < end
	curFrame := -1
	if shown {
		curFrame = cur.Frame
		f.yCursor = ys.cellOf(float64(cur.Bin) + 0.5)
	}
	f.xMarks = xMarks(xs, f.xTicks, opt.Beats, curFrame)
	if onMatrix {
		v := formatValue(float64(data[cur.Bin*cols+cur.Frame]))
		if unit != "" {
			v += " " + unit
		}
		f.readout = timeText(cur.Frame, period, "frame") + "  " + ax.describe(cur.Bin, rows) + "  v=" + v
	}

	var pal *palette
	if !ch.ascii {
		pal = newPalette(opt.Profile, opt.ColorMap)
	}
	if haveRange {
		f.legend, f.legendW = legend(&ch, pal, lo, hi, unit, w)
	}
	switch {
	case problem != "":
		f.bodyLines = message(c.rows, c.cols, problem, ch.ellipsis)
	case end <= start:
		f.bodyLines = message(c.rows, c.cols, "no frames", ch.ellipsis)
	case rows == 0:
		f.bodyLines = message(c.rows, c.cols, "no bins", ch.ellipsis)
	default:
		hp := heatPlot{rows: c.rows, cols: c.cols, lo: float32(lo), hi: float32(hi)}
		ph := c.rows
		if !ch.ascii {
			ph *= 2 // half-blocks: two pixels a cell
		}
		pys := scale{cells: ph, lo: 0, hi: float64(rows)}
		if haveRange {
			hp.pix = resample(data, cols, pys, xs, hp.lo, hp.hi, opt.Resample)
		}
		if shown {
			r0, r1 := pys.itemCells(cur.Bin)
			x0, x1 := xs.itemCells(cur.Frame)
			hp.cursor, hp.cursorRows, hp.cursorCols = true, [2]int{ph - r1, ph - r0}, [2]int{x0, x1}
		}
		if ch.ascii {
			f.bodyLines = hp.ascii()
		} else {
			f.bodyLines = hp.blocks(pal)
		}
	}
	return c.render(f)
}

// size applies the default size to zero dimensions.
func size(w, h int) (int, int) {
	if w == 0 {
		w = DefaultWidth
	}
	if h == 0 {
		h = DefaultHeight
	}
	return w, h
}

// heatLayout is where Heatmap puts things: the chart (its y labels fitted), the matrix, the
// frames shown, and the bin (ys) and time (xs) scales of the plot.
type heatLayout struct {
	c                      *chart
	rows, cols, start, end int
	data                   []float32
	problem                string
	period                 float64
	ax                     Axis
	ys, xs                 scale
	yTicks                 []tick
}

func layoutHeatmap(ch chrome, m *features.Matrix, opt HeatmapOptions, w, h int) heatLayout {
	l := heatLayout{c: newChart(ch, w, h, opt.ShowCursor)}
	l.rows, l.cols, l.data, l.problem = matrixData(m)
	l.start, l.end = window(opt.Start, opt.End, l.cols)
	if opt.SR > 0 && opt.Hop > 0 {
		l.period = float64(opt.Hop) / float64(opt.SR)
	}
	l.ax = opt.Axis.forRows(l.rows)
	l.ys = l.ax.scale(l.rows, l.c.rows)
	l.yTicks = l.ys.ticks(yLabelNeed(l.c.rows))
	l.c.fitY(labelWidth(l.yTicks, l.ax.corner()))
	l.xs = timeScale(float64(l.start), float64(l.end), l.c.cols, l.period)
	return l
}

// HeatmapAt returns the frame and bin that Heatmap(m, opt) draws at column x and line y of its
// drawing (the item under the centre of that cell), and false off the plot or when there is
// nothing drawn there. A mouse click on a drawing becomes a cursor with it.
func HeatmapAt(m *features.Matrix, opt HeatmapOptions, x, y int) (Cursor, bool) {
	w, h := size(opt.Width, opt.Height)
	if w <= 0 || h <= 0 {
		return Cursor{}, false
	}
	l := layoutHeatmap(newChrome(opt.Profile, opt.ColorMap), m, opt, w, h)
	col, row, ok := l.c.plotCell(x, y)
	if !ok || l.problem != "" || l.rows == 0 || l.end <= l.start {
		return Cursor{}, false
	}
	frame := max(l.start, min(l.end-1, l.xs.nearest(col)))
	bin := max(0, min(l.rows-1, l.ys.nearest(l.c.rows-1-row)))
	return Cursor{Frame: frame, Bin: bin}, true
}

// matrixData checks m; a problem is a short note for the plot area.
func matrixData(m *features.Matrix) (rows, cols int, data []float32, problem string) {
	switch {
	case m == nil:
		return 0, 0, nil, "no data"
	case m.Rows < 0 || m.Cols < 0 || (m.Rows > 0 && m.Cols > len(m.Data)/m.Rows):
		return 0, 0, nil, fmt.Sprintf("bad matrix: %d x %d with %d values", m.Rows, m.Cols, len(m.Data))
	}
	return m.Rows, m.Cols, m.Data[:m.Rows*m.Cols], ""
}

// window clips the requested items [start, end) to [0, n); an end of 0 or less means n.
func window(start, end, n int) (int, int) {
	if end <= 0 || end > n {
		end = n
	}
	start = min(max(start, 0), end)
	return start, end
}

// valueRange is the colour range: [min, max] when min < max (both finite), else the finite
// extremes of d with the bottom raised to top-topDB when topDB > 0; ok is false when there is
// no range (no finite value).
func valueRange(d []float32, lo, hi, topDB float64) (float64, float64, bool) {
	if lo < hi && !math.IsInf(lo, 0) && !math.IsInf(hi, 0) {
		return lo, hi, true
	}
	mn, mx := float32(math.Inf(1)), float32(math.Inf(-1))
	for _, v := range d {
		// Plain comparisons: the min and max builtins' NaN care costs several times more here.
		if v-v != 0 { // NaN or infinite
			continue
		}
		if v < mn {
			mn = v
		}
		if v > mx {
			mx = v
		}
	}
	if mn > mx {
		return 0, 0, false
	}
	lo, hi = float64(mn), float64(mx)
	if topDB > 0 {
		lo = math.Max(lo, hi-topDB)
	}
	return lo, hi, true
}

// asciiRamp is the ASCII intensity ramp, darkest first.
const asciiRamp = " .:-=+*#%@"

// legend is the colour bar: "-80 ▌▌▌▌▌▌▌▌ 0 dB", or in ASCII "-80 [ .:-=+*#%@] 0 dB", the bar
// narrowed to fit about a fifth of the width.
func legend(ch *chrome, pal *palette, lo, hi float64, unit string, w int) (string, int) {
	var b strings.Builder
	tail := formatValue(hi)
	if unit != "" {
		tail += " " + unit
	}
	ch.styled(&b, ch.text, formatValue(lo)+" ")
	bw := min(max(w/5, 4), 16)
	if ch.ascii {
		bw = min(bw, len(asciiRamp))
		b.WriteByte('[')
		for i := range bw {
			b.WriteByte(asciiRamp[i*(len(asciiRamp)-1)/(bw-1)])
		}
		b.WriteByte(']')
	} else {
		// Two colours a cell: the left half-block in the foreground, the right in the background.
		for i := range bw {
			l := func(half int) int { return int(float64(2*i+half) / float64(2*bw-1) * (levels - 1)) }
			b.WriteString(pal.fg[l(0)])
			b.WriteString(pal.bg[l(1)])
			b.WriteString("▌")
		}
		b.WriteString(ch.reset)
	}
	ch.styled(&b, ch.text, " "+tail)
	s := b.String()
	return s, ansi.StringWidth(s)
}

// heatPlot paints the plot area of a heatmap from its pixels: rows x cols cells, with two
// pixel rows a cell in colour and one in ASCII.
type heatPlot struct {
	rows, cols int
	pix        []float32 // pixel rows top first; nil when the data has no finite value
	lo, hi     float32
	// cursor is set when the pixels [cursorRows) x [cursorCols) show the cursor.
	cursor                 bool
	cursorRows, cursorCols [2]int
}

// level quantises pixel (p, x): 0..levels-1 on the colour map, cursorLevel, or noLevel.
func (hp *heatPlot) level(p, x int) int {
	if hp.cursor && p >= hp.cursorRows[0] && p < hp.cursorRows[1] &&
		x >= hp.cursorCols[0] && x < hp.cursorCols[1] {
		return cursorLevel
	}
	if hp.pix == nil {
		return noLevel
	}
	v := hp.pix[p*hp.cols+x]
	switch {
	case v != v:
		return noLevel
	case hp.hi == hp.lo:
		return levels / 2 // a constant matrix: the middle of the map
	}
	l := int((v-hp.lo)/(hp.hi-hp.lo)*(levels-1) + 0.5)
	return min(max(l, 0), levels-1)
}

func (hp *heatPlot) ascii() []string {
	lines := make([]string, hp.rows)
	buf := make([]byte, hp.cols)
	for r := range lines {
		for x := range buf {
			switch l := hp.level(r, x); l {
			case cursorLevel:
				buf[x] = 'X'
			case noLevel:
				buf[x] = ' '
			default:
				buf[x] = asciiRamp[l*len(asciiRamp)/levels]
			}
		}
		lines[r] = strings.TrimRight(string(buf), " ")
	}
	return lines
}

func (hp *heatPlot) blocks(pal *palette) []string {
	var b strings.Builder
	b.Grow(hp.rows * hp.cols * 24)
	ends := make([]int, hp.rows)
	cw := cellWriter{b: &b, pal: pal, fg: noLevel, bg: noLevel}
	for r := range hp.rows {
		for x := range hp.cols {
			cw.cell(hp.level(2*r, x), hp.level(2*r+1, x))
		}
		cw.endLine()
		ends[r] = b.Len()
	}
	// One string for the whole plot; the lines are slices of it.
	s := b.String()
	lines := make([]string, hp.rows)
	start := 0
	for r, e := range ends {
		lines[r], start = s[start:e], e
	}
	return lines
}

// cellWriter writes half-block cells, emitting a colour escape only when the colour in force
// changes. Colours are palette ids; noLevel is the terminal's default.
type cellWriter struct {
	b      *strings.Builder
	pal    *palette
	fg, bg int
}

func (w *cellWriter) id(l int) int {
	if l == noLevel {
		return noLevel
	}
	return int(w.pal.id[l])
}

func (w *cellWriter) setFg(l int) {
	if id := w.id(l); w.fg != id {
		if l == noLevel {
			w.b.WriteString("\x1b[39m")
		} else {
			w.b.WriteString(w.pal.fg[l])
		}
		w.fg = id
	}
}

func (w *cellWriter) setBg(l int) {
	if id := w.id(l); w.bg != id {
		if l == noLevel {
			w.b.WriteString("\x1b[49m")
		} else {
			w.b.WriteString(w.pal.bg[l])
		}
		w.bg = id
	}
}

// cell writes one cell showing the upper pixel up and the lower pixel dn, choosing among a
// space (background), a full block (foreground) and the two half-blocks whichever needs the
// fewest escapes.
func (w *cellWriter) cell(up, dn int) {
	iu, id := w.id(up), w.id(dn)
	switch {
	case iu == id && iu != noLevel && w.bg == iu:
		w.b.WriteByte(' ')
	case iu == id && iu != noLevel && w.fg == iu:
		w.b.WriteString("█")
	case iu == id:
		w.setBg(up)
		w.b.WriteByte(' ')
	case iu == noLevel:
		w.setFg(dn)
		w.setBg(noLevel)
		w.b.WriteString("▄")
	case id == noLevel:
		w.setFg(up)
		w.setBg(noLevel)
		w.b.WriteString("▀")
	case btoi(w.fg != id)+btoi(w.bg != iu) < btoi(w.fg != iu)+btoi(w.bg != id):
		w.setFg(dn)
		w.setBg(up)
		w.b.WriteString("▄")
	default:
		w.setFg(up)
		w.setBg(dn)
		w.b.WriteString("▀")
	}
}

// endLine closes the line's colours, so that each line stands alone.
func (w *cellWriter) endLine() {
	if w.fg != noLevel || w.bg != noLevel {
		w.b.WriteString(ansi.ResetStyle)
		w.fg, w.bg = noLevel, noLevel
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
