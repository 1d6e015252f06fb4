package errors

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/views/common"
	"github.com/hark-audio/hark/views/featureview"
)

// barsW is the width of the probability bars column.
const barsW = 34

// meansFrom is the body height from which the class means show under the item.
const meansFrom = 24

// View implements common.Component.
func (m *Errors) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	st := &m.c.Styles
	if m.res == nil {
		msg := "Nothing chosen yet: in Results (press 5) move to a cell of the confusion matrix and press enter."
		return common.Fit("\n"+st.Subtle.Render(ansi.Wordwrap(msg, m.w, " ")), m.w, m.h)
	}
	if m.pairs {
		return m.pairView()
	}
	return m.classView()
}

func (m *Errors) classView() string {
	st := &m.c.Styles
	res := m.res
	tName, pName := name(res.Classes, m.t), name(res.Classes, m.p)
	what := "misclassified"
	if m.t == m.p {
		what = "correct"
	}
	cell := m.cell()
	head := fmt.Sprintf("%s  true %s, predicted %s: %d %s", m.runID, st.Title.Render(tName), st.Title.Render(pName), len(cell), what)
	lines := []string{common.Pad(head, m.w)}
	switch {
	case m.idxErr != nil:
		lines = append(lines, st.Error.Render("cannot index the items: "+m.idxErr.Error()))
		return common.Fit(strings.Join(lines, "\n"), m.w, m.h)
	case m.index == nil:
		lines = append(lines, st.Subtle.Render("indexing the items ..."))
		return common.Fit(strings.Join(lines, "\n"), m.w, m.h)
	case len(cell) == 0:
		lines = append(lines, "", st.Subtle.Render("no items in this cell: arrows choose another, e goes to the next cell with errors"))
		return common.Fit(strings.Join(lines, "\n"), m.w, m.h)
	}
	m.pos = min(m.pos, len(cell)-1)
	e := cell[m.pos]
	item := fmt.Sprintf("item %d/%d  %s  confidence %.3f", m.pos+1, len(cell), e.ID, e.Confidence)
	lines = append(lines, common.Cut(item, m.w, st.Ellipsis))
	bodyH := m.h - 3
	featW := m.w - barsW - 1
	if featW < 30 {
		featW = m.w
	}
	var left []string
	panels := []struct {
		title string
		out   *outcome
		what  string
	}{{"item " + e.ID, m.itemOutcome(e.ID), "the item's features"}}
	if m.means && bodyH >= meansFrom {
		panels = append(panels,
			struct {
				title string
				out   *outcome
				what  string
			}{"mean of true " + tName, m.meanOutcome(m.t), "the mean of " + tName},
			struct {
				title string
				out   *outcome
				what  string
			}{"mean of predicted " + pName, m.meanOutcome(m.p), "the mean of " + pName})
	}
	ph := bodyH / len(panels)
	for i, pn := range panels {
		h := ph
		if i == len(panels)-1 {
			h = bodyH - ph*(len(panels)-1)
		}
		left = append(left, m.panel(pn.title, pn.out, pn.what, featW, h))
	}
	body := strings.Split(strings.Join(left, "\n"), "\n")
	if featW < m.w {
		bars := m.bars(e.Probs, e.True, e.Pred, bodyH)
		for i := range body {
			body[i] = common.Pad(body[i], featW) + " " + bars[i]
		}
	}
	lines = append(lines, body...)
	status := st.Subtle.Render("n/p: items (most confident first), arrows: cell, e: next errors, m: means, enter: Inspector")
	if m.status != "" {
		status = st.Error.Render(m.status)
	}
	lines = append(lines, common.Cut(status, m.w, st.Ellipsis))
	return common.Fit(strings.Join(lines, "\n"), m.w, m.h)
}

func name(classes []string, i int) string {
	if i >= 0 && i < len(classes) {
		return classes[i]
	}
	return fmt.Sprint(i)
}

// itemOutcome is the computed feature of an item, nil while it computes.
func (m *Errors) itemOutcome(id string) *outcome {
	c, i, ok := m.lookup(id)
	if !ok {
		return &outcome{err: fmt.Errorf("item %s is not in an open dataset (open %s in Datasets)", id, m.spec.Dataset.Spec.Root)}
	}
	if o, ok := m.feats[featKey(c.cat.Items[i].Path, m.config())]; ok {
		return &o
	}
	return nil
}

func (m *Errors) meanOutcome(class int) *outcome {
	if o, ok := m.meanC[m.meanKey(class)]; ok {
		return &o
	}
	if len(m.classPaths(class)) == 0 {
		return &outcome{err: fmt.Errorf("no item of the class is in an open dataset")}
	}
	return nil
}

// panel draws one feature in w x h cells, or what stands in for it.
func (m *Errors) panel(title string, o *outcome, what string, w, h int) string {
	st := &m.c.Styles
	switch {
	case o == nil:
		return common.Fit(st.Subtle.Render("computing "+what+" ..."), w, h)
	case o.err != nil:
		return common.Fit(st.Error.Render(ansi.Wordwrap(o.err.Error(), w, " /")), w, h)
	case h < 3:
		return common.Fit(title, w, h)
	}
	return featureview.Draw(o.res, m.drawConfig(), featureview.Options{Width: w, Height: h, Profile: m.c.Profile, Title: title, NoBeats: true})
}

// drawConfig is the config the drawing describes (a plain one for images).
func (m *Errors) drawConfig() extract.Config { return m.config() }

// bars draws the class probabilities, the most probable first, in h lines of barsW cells.
func (m *Errors) bars(probs []float64, t, p, h int) []string {
	st := &m.c.Styles
	order := make([]int, len(probs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return probs[order[a]] > probs[order[b]] })
	lines := []string{st.Title.Render("probabilities")}
	const nameW = 10
	barW := barsW - nameW - 9
	for _, c := range order {
		if len(lines) >= h {
			break
		}
		mark := "  "
		switch {
		case c == t && c == p:
			mark = "TP"
		case c == t:
			mark = "T "
		case c == p:
			mark = "P "
		}
		line := fmt.Sprintf("%s %-*s ", mark, nameW, common.Cut(name(m.res.Classes, c), nameW, "~")) + st.BarOf(probs[c], barW) + fmt.Sprintf(" %.2f", probs[c])
		if c == t {
			line = st.Label.Render(line[:2]) + line[2:]
		}
		lines = append(lines, line)
	}
	lines = append(lines, st.Subtle.Render("T true class, P predicted"))
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i := range lines {
		lines[i] = common.Pad(lines[i], barsW)
	}
	return lines[:h]
}

// pairView shows the pairs of one outcome, both items side by side with the score.
func (m *Errors) pairView() string {
	st := &m.c.Styles
	var tabs []string
	for _, o := range []struct{ name, what string }{
		{common.OutcomeFP, "false accepts"}, {common.OutcomeFN, "false rejects"}, {common.OutcomeTP, "true accepts"}, {common.OutcomeTN, "true rejects"},
	} {
		n := map[string]int{common.OutcomeFP: len(m.outcomes.FP), common.OutcomeFN: len(m.outcomes.FN),
			common.OutcomeTP: len(m.outcomes.TP), common.OutcomeTN: len(m.outcomes.TN)}[o.name]
		label := fmt.Sprintf("%s %s %d", o.name, o.what, n)
		switch {
		case o.name == m.outcome && st.ASCII:
			label = "[" + label + "]"
		case o.name == m.outcome:
			label = st.Selected.Render(" " + label + " ")
		default:
			label = " " + label + " "
		}
		tabs = append(tabs, label)
	}
	lines := []string{
		common.Pad(fmt.Sprintf("%s  pairs at threshold %.3f", m.runID, m.threshold), m.w),
		common.Pad(strings.Join(tabs, ""), m.w),
	}
	if m.pairErr != nil {
		lines = append(lines, st.Error.Render(m.pairErr.Error()))
		return common.Fit(strings.Join(lines, "\n"), m.w, m.h)
	}
	list := m.pairList()
	if len(list) == 0 {
		lines = append(lines, "", st.Subtle.Render("no pairs here: f shows the next outcome"))
		return common.Fit(strings.Join(lines, "\n"), m.w, m.h)
	}
	m.pos = min(m.pos, len(list)-1)
	it := list[m.pos]
	truth := "different"
	if it.Positive {
		truth = "same"
	}
	lines = append(lines, common.Cut(fmt.Sprintf("pair %d/%d  %s  truly %s  score %.3f", m.pos+1, len(list), it.ID, truth, it.Score), m.w, st.Ellipsis))
	ids := splitPair(it.ID)
	bodyH := m.h - len(lines) - 1
	pw := m.w/2 - 1
	var cols [][]string
	for _, id := range ids {
		cols = append(cols, strings.Split(m.panel(id, m.itemOutcome(id), "the features of "+id, pw, bodyH), "\n"))
	}
	for i := range bodyH {
		line := ""
		for j, c := range cols {
			if j > 0 {
				line = common.Pad(line, pw+2)
			}
			line += c[i]
		}
		lines = append(lines, line)
	}
	lines = append(lines, common.Cut(st.Subtle.Render("n/p: pairs (most confident decision first), f: outcome, enter: first item in Inspector"), m.w, st.Ellipsis))
	return common.Fit(strings.Join(lines, "\n"), m.w, m.h)
}
