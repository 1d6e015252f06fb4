package sessions

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/hark-audio/hark/views/common"
)

// wideFrom is the width from which the list shows the file and status columns.
const wideFrom = 110

// detailRows is the lines under the list: the session under the cursor, and the status.
const detailRows = 3

// listRows is how many sessions the list shows at once.
func (m *Sessions) listRows() int { return max(1, m.h-2-detailRows) }

// View implements common.Component.
func (m *Sessions) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	if m.cmp != nil {
		return m.viewCompare()
	}
	st := &m.c.Styles
	lines := []string{m.titleLine(), m.header()}
	rows := m.listRows()
	switch {
	case !m.scanned:
		lines = append(lines, st.Subtle.Render(" looking for session files ..."))
	case len(m.entries) == 0:
		lines = append(lines, st.Subtle.Render(" No session files yet in "+m.dirsText()+"."),
			st.Subtle.Render(" The workbench records one as you work; `hark train --session FILE` writes one too."))
	case len(m.shown) == 0:
		lines = append(lines, st.Subtle.Render(" No session matches the filter (esc clears it)."))
	default:
		if m.cursor < m.offset {
			m.offset = m.cursor
		}
		if m.cursor >= m.offset+rows {
			m.offset = m.cursor - rows + 1
		}
		m.offset = max(0, min(m.offset, len(m.shown)-rows))
		for i := m.offset; i < len(m.shown) && i < m.offset+rows; i++ {
			lines = append(lines, m.row(i))
		}
	}
	for len(lines) < 2+rows {
		lines = append(lines, "")
	}
	lines = append(lines, m.details()...)
	return common.Fit(strings.Join(lines, "\n"), m.w, m.h)
}

func (m *Sessions) dirsText() string {
	if len(m.cfg.Dirs) == 0 {
		return "no folder"
	}
	return strings.Join(m.cfg.Dirs, ", ")
}

func (m *Sessions) titleLine() string {
	st := &m.c.Styles
	left := st.Title.Render("Sessions") + st.Subtle.Render(fmt.Sprintf("  %d in %s", len(m.entries), m.dirsText()))
	if len(m.shown) != len(m.entries) {
		left += st.Subtle.Render(fmt.Sprintf(" (%d shown)", len(m.shown)))
	}
	right := ""
	switch {
	case m.filtering:
		right = "filter: " + m.filter + "_"
	case m.filter != "":
		right = "filter: " + m.filter
	}
	if n := len(m.selected); n > 0 {
		right = strings.TrimSpace(fmt.Sprintf("%d selected  %s", n, right))
	}
	return common.Spread(" "+left, right, m.w)
}

// columns are the list's column widths; dataset takes what is left.
type columns struct {
	file, dataset, model, task, runs, best, status int
}

func (m *Sessions) cols() columns {
	c := columns{model: 12, task: 8, runs: 4, best: 15}
	fixed := 4 + 16 + 1 + c.model + 1 + c.task + 1 + c.runs + 1 + c.best + 1
	if m.w >= wideFrom {
		c.file, c.status = 22, 9
		fixed += c.file + 1 + c.status + 1
	}
	c.dataset = max(6, m.w-fixed)
	if m.w >= wideFrom {
		c.dataset = min(c.dataset, 40)
	}
	return c
}

func (m *Sessions) header() string {
	c := m.cols()
	cells := []string{"    " + fit("date", 16)}
	if c.file > 0 {
		cells = append(cells, fit("file", c.file))
	}
	cells = append(cells, fit("dataset", c.dataset), fit("model", c.model), fit("task", c.task), fit("runs", c.runs), fit("best", c.best))
	if c.status > 0 {
		cells = append(cells, fit("status", c.status))
	}
	return m.c.Styles.Header.Render(strings.TrimRight(strings.Join(cells, " "), " "))
}

// fit pads or cuts s to w cells.
func fit(s string, w int) string { return common.Pad(common.Cut(s, w, "~"), w) }

func (m *Sessions) row(i int) string {
	st := &m.c.Styles
	e := &m.entries[m.shown[i]]
	c := m.cols()
	// The mark column: * for selected, + for this workbench's own session.
	mark := []byte("  ")
	if slices.Contains(m.selected, e.path) {
		mark[0] = '*'
	}
	if e.path == m.cfg.Current {
		mark[1] = '+'
	}
	ptr := "  "
	if i == m.cursor {
		ptr = st.Pointer
	}
	cells := []string{ptr + string(mark)}
	if e.err != nil {
		cells[0] += fit("unreadable", 16)
		cells = append(cells, common.Cut(filepath.Base(e.path)+": "+firstLine(e.err.Error()), max(1, m.w-20), "~"))
		line := strings.Join(cells, " ")
		if i == m.cursor {
			return st.Selected.Render(common.Pad(line, m.w))
		}
		return st.Error.Render(line)
	}
	s := &e.sum
	cells[0] += fit(s.Created.In(m.cfg.Location).Format("2006-01-02 15:04"), 16)
	if c.file > 0 {
		cells = append(cells, fit(filepath.Base(e.path), c.file))
	}
	ds := "-"
	if s.Dataset != "" {
		ds = filepath.Base(s.Dataset)
	}
	cells = append(cells, fit(ds, c.dataset), fit(orDash(s.Model), c.model), fit(orDash(s.Task), c.task),
		fit(strconv.Itoa(s.Runs), c.runs), fit(best(s.Metric, s.Best), c.best))
	if c.status > 0 {
		status := orDash(s.Status)
		switch {
		case e.path == m.cfg.Current:
			status = "this one"
		case s.Status == "running":
			status = "cut short" // a running run in a file nobody writes: interrupted
		}
		cells = append(cells, fit(status, c.status))
	}
	line := strings.TrimRight(strings.Join(cells, " "), " ")
	if i == m.cursor {
		return st.Selected.Render(common.Pad(line, m.w))
	}
	return line
}

// details describes the session under the cursor, then the status line.
func (m *Sessions) details() []string {
	st := &m.c.Styles
	out := []string{st.Subtle.Render(strings.Repeat(st.Rule, m.w)), "", ""}
	p := m.current()
	if i := m.find(p); p != "" && i >= 0 {
		e := &m.entries[i]
		if e.err != nil {
			out[1] = st.Error.Render(" " + common.Cut(e.err.Error(), m.w-2, st.Ellipsis))
		} else {
			s := &e.sum
			line := fmt.Sprintf(" %s  hark %s, %d run(s)", p, s.Hark, s.Runs)
			if p == m.cfg.Current {
				line = fmt.Sprintf(" %s  (+ this workbench's, recording), %d run(s)", p, s.Runs)
			}
			if s.BestRun != "" {
				line += fmt.Sprintf("; best %s (%s, %d epochs", s.BestRun, orDash(s.Status), s.Epochs)
				if s.Best != nil {
					line += fmt.Sprintf(", %s %.4f %s", s.Metric, *s.Best, s.From)
				}
				line += ")"
			}
			out[1] = common.Cut(line, m.w, st.Ellipsis)
			if s.Integrity != "" && s.Integrity != "ok" {
				out[1] = st.Warning.Render(common.Cut(fmt.Sprintf(" %s: checksum %s, edited after Hark wrote it", p, s.Integrity), m.w, st.Ellipsis))
			}
		}
	}
	switch {
	case m.status != "" && m.isErr:
		out[2] = st.Error.Render(" " + common.Cut(m.status, m.w-2, st.Ellipsis))
	case m.status != "":
		out[2] = st.Subtle.Render(" " + common.Cut(m.status, m.w-2, st.Ellipsis))
	default:
		out[2] = st.Subtle.Render(" space selects, c compares the selected, enter opens, p plays back")
	}
	return out
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// best writes a headline metric shortly: "acc 0.9840".
func best(metric string, v *float64) string {
	if v == nil {
		return "-"
	}
	short := map[string]string{"accuracy": "acc", "mean_spearman": "spearman", "macro_f1": "f1", "auc": "auc"}[metric]
	if short == "" {
		short = metric
	}
	return fmt.Sprintf("%s %.4f", short, *v)
}
