package sessions

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/guptarohit/asciigraph"

	session "github.com/hark-audio/hark/sessions"
	"github.com/hark-audio/hark/views/common"
)

// comparison is the compare view: the runs of the selected sessions, their validation curves
// overlaid and the table of their settings and metrics.
type comparison struct {
	files  []string
	table  session.Table
	lines  []string // the table as text
	series []series
	loss   bool // curves of the validation loss instead of the validation metric
	scroll int  // the table's horizontal scroll, in cells
}

// series is one run's curves.
type series struct {
	label     string
	metric    string
	val, loss []float64
}

// compare opens the comparison of the selected sessions (or, with none selected, of the runs
// of the session under the cursor).
func (m *Sessions) compare() {
	paths := m.selected
	if len(paths) == 0 && m.current() != "" {
		paths = []string{m.current()}
	}
	var ss []*session.Session
	for _, p := range paths {
		if i := m.find(p); i >= 0 && m.entries[i].err == nil {
			ss = append(ss, m.entries[i].s)
		}
	}
	runs := 0
	for _, s := range ss {
		runs += len(s.Runs())
	}
	if runs < 2 {
		m.setStatus("select two or more sessions with space (or one with several runs), then press c", true)
		return
	}
	m.setStatus("", false)
	m.cmp = newComparison(paths, ss)
}

func newComparison(paths []string, ss []*session.Session) *comparison {
	c := &comparison{files: paths, table: session.Compare(ss...)}
	c.lines = strings.Split(strings.TrimRight(c.table.String(), "\n"), "\n")
	for i, s := range ss {
		name := strings.TrimSuffix(filepath.Base(paths[i]), filepath.Ext(paths[i]))
		for _, r := range s.Runs() {
			sr := series{label: name + ":" + r.Label()}
			if len(ss) == 1 {
				sr.label = r.Label()
			}
			for _, e := range r.Epochs() {
				for len(sr.val) < e.Epoch-1 { // a missing epoch is a gap
					sr.val, sr.loss = append(sr.val, math.NaN()), append(sr.loss, math.NaN())
				}
				sr.val, sr.loss = append(sr.val, e.ValMetric), append(sr.loss, e.ValLoss)
				sr.metric = e.Metric
			}
			c.series = append(c.series, sr)
		}
	}
	return c
}

func (m *Sessions) compareKey(msg tea.KeyPressMsg) {
	k, c := &m.keys, m.cmp
	switch {
	case key.Matches(msg, k.Back):
		m.cmp = nil
	case key.Matches(msg, k.Series):
		c.loss = !c.loss
	case key.Matches(msg, k.ScrollL):
		c.scroll = max(0, c.scroll-m.w/2)
	case key.Matches(msg, k.ScrollR):
		if c.scroll+m.w < c.width() {
			c.scroll += m.w / 2
		}
	}
}

// width is the table's width in cells.
func (c *comparison) width() int {
	w := 0
	for _, l := range c.lines {
		w = max(w, ansi.StringWidth(l))
	}
	return w
}

// Series colours (basic ANSI colours, shown by every colour profile) and, for plain ASCII,
// the characters that tell the series apart.
var (
	seriesColors = []asciigraph.AnsiColor{asciigraph.AnsiColor(4), asciigraph.AnsiColor(3), asciigraph.AnsiColor(2),
		asciigraph.AnsiColor(5), asciigraph.AnsiColor(6), asciigraph.AnsiColor(1), asciigraph.AnsiColor(12), asciigraph.AnsiColor(11)}
	seriesASCII = []string{"*", "+", "o", "x", "#", "@", "%", "&"}
)

// axisASCII replaces the box-drawing characters asciigraph draws its axis with.
var axisASCII = strings.NewReplacer("┤", "|", "┼", "+", "└", "+", "┬", "+", "│", "|", "─", "-", "╭", "+", "╮", "+", "╰", "+", "╯", "+")

// viewCompare draws the comparison in w x h.
func (m *Sessions) viewCompare() string {
	st, c := &m.c.Styles, m.cmp
	what := "validation loss"
	if !c.loss {
		what = "validation " + c.metricName()
	}
	head := st.Title.Render(fmt.Sprintf("Compare %d run(s) of %d session(s)", len(c.series), len(c.files))) +
		st.Subtle.Render(": "+what+" per epoch")
	lines := []string{common.Pad(head, m.w)}
	legend := m.legend()
	hint := 0
	if c.scroll > 0 || c.width() > m.w {
		hint = 1
	}
	tableRows := min(len(c.lines), max(3, m.h/2-1))
	chartRows := m.h - len(lines) - len(legend) - tableRows - 1 - hint
	if chartRows < 4 { // too short for a chart: the table alone
		chartRows = 0
		tableRows = m.h - len(lines) - 1 - hint
	}
	if chartRows > 0 {
		lines = append(lines, strings.Split(m.chart(chartRows), "\n")...)
		lines = append(lines, legend...)
	}
	lines = append(lines, "")
	for i := 0; i < tableRows && i < len(c.lines); i++ {
		lines = append(lines, ansi.Cut(c.lines[i], c.scroll, c.scroll+m.w))
	}
	if hint > 0 {
		lines = append(lines, st.Subtle.Render(fmt.Sprintf("table columns %d-%d of %d: left/right scroll", c.scroll+1, min(c.width(), c.scroll+m.w), c.width())))
	}
	return common.Fit(strings.Join(lines, "\n"), m.w, m.h)
}

// metricName is the runs' validation metric ("metric" when they differ).
func (c *comparison) metricName() string {
	name := ""
	for _, s := range c.series {
		switch {
		case s.metric == "":
		case name == "":
			name = s.metric
		case name != s.metric:
			return "metric (mixed: " + name + ", " + s.metric + ")"
		}
	}
	if name == "" {
		return "metric"
	}
	return name
}

// legend is one line (or more, when wide) naming each series in its colour or character.
func (m *Sessions) legend() []string {
	st, c := &m.c.Styles, m.cmp
	var items []string
	for i, s := range c.series {
		mark := seriesColors[i%len(seriesColors)].String() + "──" + asciigraph.Default.String()
		if st.ASCII {
			mark = strings.Repeat(seriesASCII[i%len(seriesASCII)], 2)
		}
		items = append(items, fmt.Sprintf("%s %d %s", mark, i+1, s.label))
	}
	var lines []string
	line := ""
	for _, it := range items {
		if line != "" && ansi.StringWidth(line)+2+ansi.StringWidth(it) > m.w {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += "  "
		}
		line += it
	}
	if line != "" {
		lines = append(lines, line)
	}
	if len(lines) > 3 {
		lines = append(lines[:2], st.Subtle.Render(fmt.Sprintf("... and more: %d runs in all", len(items))))
	}
	return lines
}

// chart draws the curves in h lines.
func (m *Sessions) chart(h int) string {
	st, c := &m.c.Styles, m.cmp
	var data [][]float64
	var colors []asciigraph.AnsiColor
	var chars []asciigraph.CharSet
	for i, s := range c.series {
		v := s.val
		if c.loss {
			v = s.loss
		}
		if !finite(v) {
			continue
		}
		if len(v) == 1 {
			v = []float64{v[0], v[0]}
		}
		data = append(data, v)
		colors = append(colors, seriesColors[i%len(seriesColors)])
		cs := asciigraph.DefaultCharSet
		if st.ASCII {
			cs = asciigraph.CreateCharSet(seriesASCII[i%len(seriesASCII)])
		}
		chars = append(chars, cs)
	}
	if len(data) == 0 {
		return common.Fit(st.Subtle.Render("  no epochs recorded"), m.w, h)
	}
	epochs := 0
	for _, d := range data {
		epochs = max(epochs, len(d))
	}
	opts := []asciigraph.Option{asciigraph.Height(h - 2), asciigraph.Width(max(2, m.w-11)), asciigraph.SeriesChars(chars...),
		asciigraph.YAxisValueFormatter(yLabel), asciigraph.Caption(fmt.Sprintf("epochs 1-%d", epochs))}
	if !st.ASCII {
		opts = append(opts, asciigraph.SeriesColors(colors...))
	}
	g := asciigraph.PlotMany(data, opts...)
	if st.ASCII {
		g = axisASCII.Replace(g)
	}
	return common.Fit(g, m.w, h)
}

func finite(v []float64) bool {
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			return true
		}
	}
	return false
}

// yLabel writes axis values in 7 cells.
func yLabel(v float64) string {
	s := fmt.Sprintf("%.3f", v)
	if a := math.Abs(v); a != 0 && (a < 0.001 || a >= 1000) {
		s = fmt.Sprintf("%.1e", v)
	}
	if len(s) < 7 {
		s = strings.Repeat(" ", 7-len(s)) + s
	}
	return s
}
