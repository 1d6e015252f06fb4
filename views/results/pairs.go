package results

import (
	"fmt"
	"math"
	"strings"

	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/views/common"
)

// pairs draws the score distributions of same and different pairs as two histograms over the
// same bins, the threshold marked in both, and the rates at the threshold.
func (m *Results) pairs(res *train.Result, h int) string {
	st := &m.c.Styles
	m.ensureROC()
	if m.roc == nil {
		msg := "no pair scores to show"
		if m.rocErr != nil {
			msg += ": " + m.rocErr.Error()
		}
		return common.Fit(st.Subtle.Render(msg), m.w, h)
	}
	items := common.PairScores(res)
	lo, hi := scoreRange(items)
	const labelW = 10
	bins := max(8, m.w-labelW-1)
	same, diff := make([]int, bins), make([]int, bins)
	bin := func(s float64) int { return max(0, min(bins-1, int((s-lo)/(hi-lo)*float64(bins)))) }
	for _, it := range items {
		if it.Positive {
			same[bin(it.Score)]++
		} else {
			diff[bin(it.Score)]++
		}
	}
	thrCol := int(math.Round((m.threshold - lo) / (hi - lo) * float64(bins)))
	histH := max(2, (h-5)/2)
	// Below the header's two lines: both histograms, for clicks.
	m.scores = scoreAxis{shown: true, top: 2, rows: 2 * histH, left: labelW, bins: bins, lo: lo, hi: hi}
	var lines []string
	lines = append(lines, m.histogram("same", same, histH, thrCol, labelW)...)
	lines = append(lines, m.histogram("different", diff, histH, thrCol, labelW)...)
	// The score axis.
	axis := fmt.Sprintf("%-*s%-*.2f", labelW, "score", bins/2, lo)
	axis += fmt.Sprintf("%*.2f", bins-bins/2, hi)
	lines = append(lines, st.Subtle.Render(axis))
	r := m.roc.At(m.threshold)
	rates := fmt.Sprintf("threshold %.3f  %s %.1f%% (%d/%d different accepted)  %s %.1f%% (%d/%d same rejected)  accuracy %.3f",
		m.threshold, st.Label.Render("false accept"), 100*r.FAR, r.FP, r.FP+r.TN,
		st.Label.Render("false reject"), 100*r.FRR, r.FN, r.FN+r.TP, r.Accuracy)
	lines = append(lines, common.Cut(rates, m.w, st.Ellipsis))
	eer, _ := m.roc.EER()
	lines = append(lines, common.Cut(st.Subtle.Render(fmt.Sprintf("AUC %.3f  EER %.3f  left/right move the threshold, e: EER, a: best accuracy, enter: the pairs", m.roc.AUC(), eer)), m.w, st.Ellipsis))
	return common.Fit(strings.Join(lines, "\n"), m.w, h)
}

// histogram draws counts as vertical bars h rows high, with the threshold column marked.
func (m *Results) histogram(name string, counts []int, h, thrCol, labelW int) []string {
	st := &m.c.Styles
	top := 1
	total := 0
	for _, c := range counts {
		top = max(top, c)
		total += c
	}
	eighths := []string{" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}
	lines := make([]string, h)
	for row := range h {
		var b strings.Builder
		label := ""
		switch row {
		case 0:
			label = name
		case 1:
			label = fmt.Sprintf("n=%d", total)
		}
		b.WriteString(fmt.Sprintf("%-*s", labelW, label))
		for col, c := range counts {
			// Eighths of a cell filled in this row, counted from the bottom.
			level := float64(c) / float64(top) * float64(h*8)
			fill := int(math.Round(level)) - (h-1-row)*8
			fill = max(0, min(8, fill))
			if c > 0 && row == h-1 && fill == 0 {
				fill = 1 // a non-empty bin always shows
			}
			var g string
			if st.ASCII {
				g = " "
				if fill >= 4 {
					g = "#"
				} else if fill > 0 {
					g = "."
				}
			} else {
				g = eighths[fill]
			}
			if col == thrCol {
				if g == " " || st.ASCII {
					g = "|"
				}
				g = st.Warning.Render(g)
			} else if !st.ASCII {
				g = st.Bar.Render(g)
			}
			b.WriteString(g)
		}
		lines[row] = b.String()
	}
	return lines
}
