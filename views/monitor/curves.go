package monitor

import (
	"math"
	"strings"

	"github.com/guptarohit/asciigraph"

	"github.com/hark-audio/hark/views/common"
)

// Series colours: basic ANSI colours (codes below 16), which every colour profile shows and
// the user's theme adapts. Raw values are dotted in the plain colour, smoothed ones drawn as
// lines in the bright one.
const (
	colTrainRaw = asciigraph.AnsiColor(4)  // blue
	colTrainEMA = asciigraph.AnsiColor(12) // bright blue
	colValRaw   = asciigraph.AnsiColor(3)  // yellow
	colValEMA   = asciigraph.AnsiColor(11) // bright yellow
)

// asciiLine is a line character set of plain ASCII, for NO_COLOR and TERM=dumb.
func asciiLine() asciigraph.CharSet {
	return asciigraph.CharSet{
		Horizontal: "-", VerticalLine: "|", ArcDownRight: "+", ArcDownLeft: "+", ArcUpRight: "+",
		ArcUpLeft: "+", EndCap: "-", StartCap: "-", UpRight: "+", DownHorizontal: "+",
	}
}

// axisASCII replaces the box-drawing characters asciigraph draws its axis with.
var axisASCII = strings.NewReplacer("┤", "|", "┼", "+", "└", "+", "┬", "+", "│", "|", "─", "-")

// EMA returns the exponential moving average of v with weight w of the previous average
// (0 returns v itself), as TensorBoard smooths: NaNs are skipped and keep their place, and the
// first value starts the average (debiased, so that early values are not pulled to zero).
func EMA(v []float64, w float64) []float64 {
	out := make([]float64, len(v))
	var acc, norm float64
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			out[i] = math.NaN()
			continue
		}
		acc = w*acc + (1-w)*x
		norm = w*norm + (1 - w)
		out[i] = acc / norm
	}
	return out
}

// curve is one chart's data: a training and a validation series.
type curve struct {
	title      string
	train, val []float64
}

// drawChart draws c in exactly h lines of at most w cells: a caption line and the graph.
func drawChart(c curve, ema float64, smooth bool, w, h int, st *common.Styles) string {
	if w < 20 || h < 3 {
		return common.Fit(c.title, w, h)
	}
	legend := st.Title.Render(c.title) + "  " + mark(st, colTrainEMA, "train") + "  " + mark(st, colValEMA, "val")
	switch {
	case smooth && ema > 0 && st.ASCII:
		legend = st.Title.Render(c.title) + "  train -  val *  (smoothed; raw: train . val :)"
	case smooth && ema > 0:
		legend += st.Subtle.Render("  (lines: EMA, dots: raw)")
	case st.ASCII:
		legend = st.Title.Render(c.title) + "  train -  val *"
	}
	if !hasFinite(c.train) && !hasFinite(c.val) {
		return common.Fit(legend+"\n\n"+st.Subtle.Render("  waiting for the first epoch ..."), w, h)
	}
	// asciigraph needs two points to draw a line; one epoch is drawn as a flat segment.
	train, val := widen(c.train), widen(c.val)
	var data [][]float64
	var colors []asciigraph.AnsiColor
	var chars []asciigraph.CharSet
	// Train and validation differ by colour, or in ASCII by their characters.
	line, vline := asciigraph.DefaultCharSet, asciigraph.DefaultCharSet
	dots, vdots := asciigraph.CreateCharSet("·"), asciigraph.CreateCharSet("·")
	if st.ASCII {
		line, vline = asciiLine(), asciigraph.CreateCharSet("*")
		dots, vdots = asciigraph.CreateCharSet("."), asciigraph.CreateCharSet(":")
	}
	add := func(v []float64, col asciigraph.AnsiColor, cs asciigraph.CharSet) {
		if hasFinite(v) {
			data, colors, chars = append(data, v), append(colors, col), append(chars, cs)
		}
	}
	if smooth && ema > 0 {
		add(train, colTrainRaw, dots)
		add(val, colValRaw, vdots)
		add(EMA(train, ema), colTrainEMA, line)
		add(EMA(val, ema), colValEMA, vline)
	} else {
		add(train, colTrainEMA, line)
		add(val, colValEMA, vline)
	}
	opts := []asciigraph.Option{
		asciigraph.Height(h - 2), asciigraph.Width(max(2, w-11)), asciigraph.SeriesChars(chars...),
		asciigraph.YAxisValueFormatter(yLabel),
	}
	if !st.ASCII {
		opts = append(opts, asciigraph.SeriesColors(colors...))
	}
	g := asciigraph.PlotMany(data, opts...)
	if st.ASCII {
		g = axisASCII.Replace(g)
	}
	return common.Fit(legend+"\n"+g, w, h)
}

func mark(st *common.Styles, col asciigraph.AnsiColor, name string) string {
	return col.String() + "──" + asciigraph.Default.String() + " " + name
}

// yLabel writes axis values in 7 cells.
func yLabel(v float64) string {
	a := math.Abs(v)
	switch {
	case a == 0 || (a >= 0.001 && a < 1000):
		return padLeft(trimFloat(v, 3), 7)
	default:
		return padLeft(strings.Replace(formatE(v), "e-0", "e-", 1), 7)
	}
}

func hasFinite(v []float64) bool {
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			return true
		}
	}
	return false
}

func widen(v []float64) []float64 {
	if len(v) == 1 {
		return []float64{v[0], v[0]}
	}
	return v
}
