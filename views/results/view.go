package results

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/views/common"
	"github.com/hark-audio/hark/views/render"
)

// View implements common.Component.
func (m *Results) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	st := &m.c.Styles
	res := m.result()
	if res == nil {
		msg := "No results yet: a run shows here once it finishes (Train: 3, Monitor: 4)."
		return common.Fit("\n"+st.Subtle.Render(msg), m.w, m.h)
	}
	head := m.header(res)
	m.grid, m.scores = matrixGrid{}, scoreAxis{}
	var body string
	switch task(res) {
	case common.TaskPairs:
		body = m.pairs(res, m.h-2)
	case common.TaskRegress:
		body = m.regression(res, m.h-2)
	default:
		body = m.classification(res, m.h-2)
	}
	return common.Fit(head+"\n"+body, m.w, m.h)
}

// header is the run line and the metrics line.
func (m *Results) header(res *train.Result) string {
	st := &m.c.Styles
	r := m.book.Get(m.sel)
	ids := m.finished()
	idx := 0
	for i, id := range ids {
		if id == m.sel {
			idx = i
		}
	}
	right := fmt.Sprintf("result %d/%d  [ ] runs", idx+1, len(ids))
	left := st.Title.Render(r.Title()) + "  " + r.StateGlyph()
	if res.Split != "" {
		left += st.Subtle.Render("  on " + res.Split)
	}
	var f []string
	for _, k := range []string{"accuracy", "macro_f1", "weighted_f1", "clip_accuracy", "mean_spearman", "loss"} {
		if v, ok := res.Metrics[k]; ok {
			f = append(f, st.Label.Render(k)+" "+fmt.Sprintf("%.3f", v))
		}
	}
	if res.AUC != nil {
		f = append(f, st.Label.Render("auc")+fmt.Sprintf(" %.3f", *res.AUC))
	}
	if res.EER != nil {
		f = append(f, st.Label.Render("eer")+fmt.Sprintf(" %.3f", *res.EER))
	}
	if res.BestEpoch > 0 {
		f = append(f, st.Label.Render("best epoch")+fmt.Sprintf(" %d/%d", res.BestEpoch, res.Epochs))
	}
	return common.Spread(left, st.Subtle.Render(right), m.w) + "\n" + common.Pad(strings.Join(f, st.Subtle.Render(st.Sep)), m.w)
}

// classification draws the confusion matrix and the report, side by side when they fit, else
// one of them (r switches) with the cell line.
func (m *Results) classification(res *train.Result, h int) string {
	st := &m.c.Styles
	k := len(res.Confusion)
	if k == 0 {
		return common.Fit(st.Subtle.Render("this result has no confusion matrix"), m.w, h)
	}
	m.row, m.col = min(m.row, k-1), min(m.col, k-1)
	rep := m.reportTable(res)
	repW := 0
	for _, l := range rep {
		repW = max(repW, ansi.StringWidth(l))
	}
	matH := h - 1
	mat := m.matrix(res, m.w, matH)
	matW := 0
	for _, l := range mat {
		matW = max(matW, ansi.StringWidth(l))
	}
	cell := m.cellLine(res)
	var lines []string
	switch {
	case matW+3+repW <= m.w:
		for i := range max(len(mat), len(rep)) {
			l, r := "", ""
			if i < len(mat) {
				l = mat[i]
			}
			if i < len(rep) {
				r = rep[i]
			}
			lines = append(lines, common.Pad(l, matW+3)+r)
		}
		lines = lines[:min(len(lines), h-1)]
	case len(mat)+len(rep) <= h-1 && !m.report:
		lines = append(append(lines, mat...), rep...)
	case m.report:
		lines = rep
		m.grid.shown = false
	default:
		lines = append(mat, st.Subtle.Render("r shows the classification report"))
	}
	for len(lines) < h-1 {
		lines = append(lines, "")
	}
	lines = append(lines[:h-1], cell)
	return strings.Join(lines, "\n")
}

// cellLine describes the cell under the cursor.
func (m *Results) cellLine(res *train.Result) string {
	st := &m.c.Styles
	n := res.Confusion[m.row][m.col]
	t, p := className(res, m.row), className(res, m.col)
	what := "correct"
	switch {
	case m.row != m.col && n == 1:
		what = "error"
	case m.row != m.col:
		what = "errors"
	}
	line := fmt.Sprintf("true %s, predicted %s: %d %s", t, p, n, what)
	if n > 0 {
		line += st.Subtle.Render("  (enter steps through them)")
	}
	if m.status != "" {
		line = st.Error.Render(m.status)
	}
	return common.Cut(line, m.w, st.Ellipsis)
}

func className(res *train.Result, i int) string {
	if i < len(res.Classes) {
		return res.Classes[i]
	}
	return fmt.Sprint(i)
}

// matrix draws the confusion matrix in at most w x h cells: class names down the left, the
// columns numbered, cells shaded by the row-normalised value. Only the rows and columns that
// fit are drawn, kept around the cursor.
func (m *Results) matrix(res *train.Result, w, h int) []string {
	st := &m.c.Styles
	k := len(res.Confusion)
	maxN := 0
	rowSum := make([]int, k)
	for t, row := range res.Confusion {
		for _, n := range row {
			maxN = max(maxN, n)
			rowSum[t] += n
		}
	}
	cellW := max(4, len(fmt.Sprint(maxN))+2)
	if m.normalized {
		cellW = 5
	}
	labelW := 4
	for _, c := range res.Classes {
		labelW = max(labelW, min(14, ansi.StringWidth(c)))
	}
	labelW += 4 // " 12 " index
	cols := max(1, min(k, (w-labelW-1)/cellW))
	rows := max(1, min(k, h-2))
	c0 := window(m.col, cols, k)
	r0 := window(m.row, rows, k)
	// Below the header's two lines, the title and the column numbers; the classification
	// layouts all start with the matrix, and clear shown when they leave it out.
	m.grid = matrixGrid{shown: true, top: 2 + 2, left: labelW, cellW: cellW, r0: r0, c0: c0, rows: rows, cols: cols}
	title := "confusion (rows true, columns predicted)"
	if m.normalized {
		title = "confusion, row-normalised"
	}
	out := []string{st.Title.Render(title)}
	hdr := strings.Repeat(" ", labelW)
	for c := c0; c < c0+cols; c++ {
		hdr += fmt.Sprintf("%*d", cellW, c)
	}
	out = append(out, st.Header.Render(hdr))
	for t := r0; t < r0+rows; t++ {
		name := common.Cut(className(res, t), labelW-4, "~")
		line := fmt.Sprintf("%2d %-*s ", t, labelW-4, name)
		if t == m.row {
			line = st.Label.Render(line)
		}
		for p := c0; p < c0+cols; p++ {
			n := res.Confusion[t][p]
			frac := 0.0
			if rowSum[t] > 0 {
				frac = float64(n) / float64(rowSum[t])
			}
			text := fmt.Sprint(n)
			if m.normalized {
				text = fmt.Sprintf("%.2f", frac)
			}
			line += m.cell(text, frac, cellW, t == m.row && p == m.col, t == p)
		}
		out = append(out, line)
	}
	return out
}

// window is the first of n visible positions out of k that keeps cur in view, centred.
func window(cur, n, k int) int {
	return max(0, min(cur-n/2, k-n))
}

// shades rank a cell's share in ASCII, from none to all.
const shades = " .:-=+*#%@"

// cell draws one matrix cell of width w: the text on a colour of the viridis map by frac, or
// in ASCII the text with a shade mark; the cursor's cell is bracketed (ASCII) or reversed.
func (m *Results) cell(text string, frac float64, w int, cur, diag bool) string {
	st := &m.c.Styles
	if st.ASCII {
		mark := string(shades[int(math.Round(frac*float64(len(shades)-1)))])
		body := fmt.Sprintf("%*s%s", w-2, text, mark)
		if cur {
			return "[" + body[1:] + "]"
		}
		return body + " "
	}
	rgb := render.Viridis.RGB(frac)
	bg := m.c.Profile.Convert(rgb)
	var fg color.Color = lipgloss.Color("#ffffff")
	if frac > 0.55 {
		fg = lipgloss.Color("#000000")
	}
	s := lipgloss.NewStyle().Background(bg).Foreground(m.c.Profile.Convert(fg))
	if cur {
		s = s.Reverse(true).Bold(true)
	} else if diag {
		s = s.Bold(true)
	}
	return s.Render(fmt.Sprintf("%*s ", w-1, text))
}

// reportTable is the classification report, as scikit-learn prints it.
func (m *Results) reportTable(res *train.Result) []string {
	st := &m.c.Styles
	if len(res.Report) == 0 {
		return nil
	}
	nameW := 12
	for _, r := range res.Report {
		nameW = max(nameW, min(16, ansi.StringWidth(r.Class)))
	}
	out := []string{
		st.Title.Render("classification report"),
		st.Header.Render(fmt.Sprintf("%-*s %9s %6s %8s %7s", nameW, "", "precision", "recall", "f1-score", "support")),
	}
	for _, r := range res.Report {
		name := common.Cut(r.Class, nameW, "~")
		if r.Class == "accuracy" {
			out = append(out, fmt.Sprintf("%-*s %9s %6s %8.2f %7d", nameW, name, "", "", r.F1, r.Support))
			continue
		}
		line := fmt.Sprintf("%-*s %9.2f %6.2f %8.2f %7d", nameW, name, r.Precision, r.Recall, r.F1, r.Support)
		if m.row < len(res.Classes) && r.Class == res.Classes[m.row] {
			line = st.Label.Render(line)
		}
		out = append(out, line)
	}
	return out
}
