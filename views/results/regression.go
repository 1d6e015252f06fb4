package results

import (
	"fmt"
	"math"
	"strings"

	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/views/common"
)

// regression draws predicted against true values of one target as a density scatter, with
// every target's correlations.
func (m *Results) regression(res *train.Result, h int) string {
	st := &m.c.Styles
	ts := targets(res)
	var lines []string
	var tabs []string
	for i, t := range ts {
		label := fmt.Sprintf("%s rho %.3f", t, res.Spearman[t])
		if p, ok := res.Pearson[t]; ok {
			label += fmt.Sprintf(" r %.3f", p)
		}
		switch {
		case i == m.target && st.ASCII:
			label = "[" + label + "]"
		case i == m.target:
			label = st.Selected.Render(" " + label + " ")
		default:
			label = " " + label + " "
		}
		tabs = append(tabs, label)
	}
	lines = append(lines, common.Pad(strings.Join(tabs, " "), m.w))
	if len(ts) == 0 {
		return common.Fit(st.Subtle.Render("this result has no regression targets"), m.w, h)
	}
	m.target = min(m.target, len(ts)-1)
	yt, yp := common.RegressionPoints(res, ts[m.target], len(ts))
	if len(yt) == 0 {
		lines = append(lines, "", st.Subtle.Render("the result carries no per-item values for "+ts[m.target]+" to plot"))
		return common.Fit(strings.Join(lines, "\n"), m.w, h)
	}
	lines = append(lines, scatter(yt, yp, m.w, h-2, st.ASCII)...)
	lines = append(lines, st.Subtle.Render(fmt.Sprintf("x: true %s, y: predicted; %d items; left/right: target", ts[m.target], len(yt))))
	return common.Fit(strings.Join(lines, "\n"), m.w, h)
}

// scatter draws (x, y) points as a density grid with axes, in h lines of w cells; the diagonal
// y = x is dotted where no point lies.
func scatter(x, y []float64, w, h int, ascii bool) []string {
	const labelW = 8
	gw, gh := max(4, w-labelW-1), max(3, h-1)
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range x {
		lo, hi = min(lo, x[i], y[i]), max(hi, x[i], y[i])
	}
	if hi <= lo {
		hi = lo + 1
	}
	grid := make([]int, gw*gh)
	top := 0
	for i := range x {
		c := int((x[i] - lo) / (hi - lo) * float64(gw-1))
		r := gh - 1 - int((y[i]-lo)/(hi-lo)*float64(gh-1))
		grid[r*gw+c]++
		top = max(top, grid[r*gw+c])
	}
	ramp := []string{"·", "░", "▒", "▓", "█"}
	if ascii {
		ramp = []string{".", "o", "O", "@", "#"}
	}
	var out []string
	for r := range gh {
		var b strings.Builder
		label := ""
		switch r {
		case 0:
			label = fmt.Sprintf("%.3g", hi)
		case gh - 1:
			label = fmt.Sprintf("%.3g", lo)
		}
		b.WriteString(fmt.Sprintf("%*s|", labelW, label))
		for c := range gw {
			n := grid[r*gw+c]
			switch {
			case n > 0:
				b.WriteString(ramp[min(len(ramp)-1, 1+(n-1)*(len(ramp)-1)/max(1, top))])
			case gh-1-r == int(math.Round(float64(c)*float64(gh-1)/float64(gw-1))):
				b.WriteString(" ")
			default:
				b.WriteString(" ")
			}
		}
		out = append(out, b.String())
	}
	axis := strings.Repeat(" ", labelW) + "+" + strings.Repeat("-", gw)
	return append(out, axis)
}
