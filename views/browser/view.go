package browser

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/views/common"
)

// wideFrom is the width from which classes and problems sit beside the item list rather than
// above it.
const wideFrom = 110

// geometry is where the parts of a ready dataset go in the pane's box.
type geometry struct {
	wide      bool
	whyLines  int // lines given to the layout's explanation
	chartRows int // class rows (stacked layout; the wide one fills its column)
	sideW     int // width of the classes column (wide) or chart (stacked)
	listRows  int // item rows
	// listTop is the line of the first item row and listX the list's first column, for
	// mouse clicks; ready draws the same layout.
	listTop, listX int
}

func (b *Browser) geometry() geometry {
	g := geometry{wide: b.w >= wideFrom, whyLines: 1}
	if g.wide {
		g.whyLines = 2
		g.sideW = max(36, min(64, b.w*2/5))
		// title, summary, why; then the filter line and the table header.
		g.listRows = b.h - 2 - g.whyLines - 2
		g.listTop, g.listX = 2+g.whyLines+2, g.sideW+2
		return g
	}
	s := b.current()
	n := 1
	if s.cat != nil {
		n = max(1, len(s.cat.Classes))
	}
	if b.h >= 12 {
		g.chartRows = min(n, max(3, (b.h-6)/2))
	}
	head := 2 + g.whyLines + 1 // and the split line
	if g.chartRows > 0 {
		head += 1 + g.chartRows
	}
	g.sideW = b.w
	if b.w >= 60 {
		g.sideW = b.w / 2
	}
	g.listRows = b.h - head - 2
	g.listTop = head + 2
	return g
}

// listRows is how many items the list shows at once.
func (b *Browser) listRows() int {
	if b.h <= 0 {
		return 0
	}
	return max(1, b.geometry().listRows)
}

// View implements common.Component.
func (b *Browser) View() string {
	if b.w <= 0 || b.h <= 0 {
		return ""
	}
	st := &b.c.Styles
	s := b.current()
	lines := []string{b.titleLine(s)}
	switch s.state {
	case stateDemo:
		lines = append(lines, "", "Generating the demo dataset (first run only; it is kept in the user cache)...")
	case stateOpening:
		lines = append(lines, "", "Opening "+s.root+" ...")
	case stateFailed:
		lines = append(lines, "", st.Error.Render("Could not open the dataset:"))
		for _, l := range strings.Split(ansi.Wordwrap(s.err.Error(), b.w-2, " /"), "\n") {
			lines = append(lines, "  "+l)
		}
		lines = append(lines, "", st.Subtle.Render("r reopens it; hark inspect DIR says more"))
	case stateReady:
		lines = append(lines, b.ready(s)...)
	}
	return common.Fit(strings.Join(lines, "\n"), b.w, b.h)
}

func (b *Browser) titleLine(s *set) string {
	st := &b.c.Styles
	name := s.name
	if len(b.sets) > 1 {
		name = fmt.Sprintf("Dataset %d/%d: %s", b.cur+1, len(b.sets), name)
	}
	root := s.root
	if s.cat != nil {
		root = s.cat.Root // what the catalog says it opened (a manifest's folder, say)
	}
	return common.Pad(st.Title.Render(name)+"  "+st.Subtle.Render(root), b.w)
}

// ready draws a ready dataset below the title line.
func (b *Browser) ready(s *set) []string {
	st := &b.c.Styles
	g := b.geometry()
	lines := []string{common.Cut(s.info.line, b.w, st.Ellipsis)}
	why := "why: " + s.cat.Why
	wrapped := strings.Split(ansi.Wordwrap(why, b.w, " "), "\n")
	if len(wrapped) > g.whyLines {
		wrapped = wrapped[:g.whyLines]
		last := g.whyLines - 1
		wrapped[last] = common.Cut(wrapped[last]+" "+st.Ellipsis, b.w, st.Ellipsis)
	}
	for i := range g.whyLines {
		l := ""
		if i < len(wrapped) {
			l = st.Subtle.Render(wrapped[i])
		}
		lines = append(lines, l)
	}
	split := b.splitLine(s, b.w)
	if g.wide {
		// The split, classes and problems on the left, the item list on the right.
		listW := b.w - g.sideW - 2
		side := b.side(s, g.sideW, b.h-len(lines))
		body := joinColumns(side, g.sideW, b.list(s, listW, g.listRows), listW)
		return append(lines, body...)
	}
	list := b.list(s, b.w, g.listRows)
	lines = append(lines, split)
	if g.chartRows > 0 {
		chartW := g.sideW
		probW := b.w - chartW - 2
		left := append([]string{b.chartHeading(s, chartW)}, b.chart(s, chartW, g.chartRows)...)
		if probW >= 20 {
			right := b.problems(s, probW, g.chartRows+1)
			lines = append(lines, joinColumns(left, chartW, right, probW)...)
		} else {
			lines = append(lines, left...)
		}
	}
	return append(lines, list...)
}

// side is the wide layout's left column: the class chart, then the problems.
func (b *Browser) side(s *set, w, h int) []string {
	probRows := min(len(s.cat.Problems)+len(s.cat.Notes)+len(s.cat.Applied), max(1, h/3)) + 1
	chartRows := max(1, h-probRows-5)
	lines := append(b.splitLines(s, w, 2), "", b.chartHeading(s, w))
	lines = append(lines, b.chart(s, w, chartRows)...)
	lines = append(lines, "")
	return append(lines, b.problems(s, w, h-len(lines))...)
}

// chartHeading is the class chart's title, with the split's column names over its counts.
func (b *Browser) chartHeading(s *set, w int) string {
	st := &b.c.Styles
	title := st.Title.Render(fmt.Sprintf("Classes (%d)", len(s.info.classes)))
	if splitW := s.splitWidth(); splitW > 0 && len(s.info.classes) > 0 {
		countW := 0
		for _, c := range s.info.classes {
			countW = max(countW, len(fmt.Sprint(c.Count)))
		}
		nameW := min(s.info.maxName, max(6, w/3))
		if w-nameW-countW-3-splitW >= 4 {
			return common.Spread(title, st.Subtle.Render(s.splitCells(s.split.cols)), w)
		}
	}
	return title
}

// splitLine is the split's one line: its spec, its part sizes, the part the list keeps.
func (b *Browser) splitLine(s *set, w int) string { return b.splitLines(s, w, 1)[0] }

// splitLines is the split's text wrapped in exactly n lines of w cells, the last one cut.
func (b *Browser) splitLines(s *set, w, n int) []string {
	st := &b.c.Styles
	text := s.splitLine()
	wrapped := strings.Split(ansi.Wordwrap(text, w, ""), "\n")
	if len(wrapped) > n {
		rest := strings.Join(wrapped[n-1:], " ")
		wrapped = append(wrapped[:n-1], rest)
	}
	out := make([]string, n)
	for i := range n {
		if i < len(wrapped) {
			out[i] = common.Cut(strings.TrimSpace(wrapped[i]), w, st.Ellipsis)
			if s.splitErr != nil {
				out[i] = st.Error.Render(out[i])
			}
		}
	}
	return out
}

// chart draws the classes as a bar chart in at most rows lines. When they do not all fit, the
// largest are shown and the last line counts the rest.
func (b *Browser) chart(s *set, w, rows int) []string {
	st := &b.c.Styles
	classes := s.info.classes
	if len(classes) == 0 {
		return []string{st.Subtle.Render("no classes (" + string(s.cat.Task) + " task)")}
	}
	shown := classes
	more := 0
	if len(classes) > rows {
		shown = append([]dataset.Class(nil), classes...)
		sort.SliceStable(shown, func(i, j int) bool { return shown[i].Count > shown[j].Count })
		more = len(classes) - (rows - 1)
		shown = shown[:rows-1]
	}
	top := 0
	for _, c := range classes {
		top = max(top, c.Count)
	}
	countW := len(fmt.Sprint(top))
	nameW := min(s.info.maxName, max(6, w/3))
	splitW := s.splitWidth()
	if w-nameW-countW-3-splitW < 4 {
		splitW = 0 // too narrow: the split line still gives the totals
	}
	barW := w - nameW - countW - 3 - splitW
	lines := make([]string, 0, rows)
	for _, c := range shown {
		name := common.Pad(common.Cut(c.Name, nameW, st.Ellipsis), nameW)
		l := name + " "
		if barW > 0 {
			l += st.BarOf(float64(c.Count)/float64(max(1, top)), barW) + " "
		}
		l += fmt.Sprintf("%*d", countW, c.Count)
		if splitW > 0 {
			counts := s.split.byClass[c.Name]
			cells := make([]string, len(counts))
			for k, n := range counts {
				cells[k] = fmt.Sprint(n)
			}
			l += st.Subtle.Render(s.splitCells(cells))
		}
		lines = append(lines, l)
	}
	if more > 0 {
		lines = append(lines, st.Subtle.Render(fmt.Sprintf("... %d more classes", more)))
	}
	return lines
}

// problems lists the files that could not be used, then notes and applied rules, in at most
// rows lines including the heading.
func (b *Browser) problems(s *set, w, rows int) []string {
	st := &b.c.Styles
	cat := s.cat
	lines := []string{st.Title.Render(fmt.Sprintf("Problems (%d)", len(cat.Problems)))}
	if rows <= 0 {
		return nil
	}
	var body []string
	for _, p := range cat.Problems {
		body = append(body, st.Error.Render(common.Cut(relProblem(cat.Root, p), w, st.Ellipsis)))
	}
	if len(cat.Problems) == 0 {
		body = append(body, st.Subtle.Render("none: every file opened"))
	}
	for _, a := range cat.Applied {
		body = append(body, common.Cut(a.Rule+": "+a.Detail, w, st.Ellipsis))
	}
	for _, n := range cat.Notes {
		body = append(body, st.Subtle.Render(common.Cut("note: "+n, w, st.Ellipsis)))
	}
	if len(body) > rows-1 && rows > 1 {
		extra := len(body) - (rows - 2)
		body = append(body[:rows-2], st.Subtle.Render(fmt.Sprintf("... %d more (hark inspect lists all)", extra)))
	}
	return append(lines, body...)
}

// relProblem writes a problem with its path relative to the dataset root.
func relProblem(root string, p dataset.Problem) string {
	path := p.Path
	if rel, err := filepath.Rel(root, p.Path); err == nil && !strings.HasPrefix(rel, "..") {
		path = rel
	}
	if p.Line > 0 {
		path = fmt.Sprintf("%s:%d", path, p.Line)
	}
	return path + ": " + p.Err.Error()
}

// list draws the filter line, the table header and rows item (or pair) rows in width w.
func (b *Browser) list(s *set, w, rows int) []string {
	st := &b.c.Styles
	what, total := "items", len(s.cat.Items)
	if s.showPairs {
		what, total = "pairs", len(s.cat.Pairs)
	}
	var filter string
	switch {
	case b.filtering:
		filter = "/" + s.filter + "_"
	case s.filter != "":
		filter = "filter: " + s.filter + st.Subtle.Render("  (/ edits, esc clears)")
	case s.showPairs:
		filter = st.Subtle.Render("/ filters by id, same/different")
	default:
		filter = st.Subtle.Render("/ filters by id, label, group")
	}
	count := fmt.Sprintf("%d of %d %s", len(s.visible), total, what)
	if len(s.visible) > 0 {
		count = fmt.Sprintf("%d/%d of %d %s", s.cursor+1, len(s.visible), total, what)
	}
	if s.only != "" {
		count = s.only + " only: " + count
	}
	lines := []string{common.Spread(filter, st.Subtle.Render(count), w)}

	if s.showPairs {
		return append(lines, b.pairRows(s, w, rows)...)
	}
	cols := b.columns(s, w)
	lines = append(lines, st.Header.Render(common.Pad(cols.row("  ", "ID", "LABEL", "GROUP", "SPLIT", "DUR", "RATE"), w)))
	if len(s.visible) == 0 {
		return append(lines, st.Subtle.Render("  no item matches the filter"))
	}
	end := min(len(s.visible), s.offset+rows)
	for i := s.offset; i < end; i++ {
		it := s.cat.Items[s.visible[i]]
		dur, rate := itemCells(it)
		part := s.part(s.visible[i], false)
		if part == "" {
			part = "-"
		}
		if i == s.cursor {
			lines = append(lines, st.Selected.Render(common.Pad(cols.row(st.Pointer, it.ID, it.Label, it.Group, part, dur, rate), w)))
			continue
		}
		lines = append(lines, common.Pad(cols.row("  ", it.ID, it.Label, it.Group, part, dur, rate), w))
	}
	return lines
}

// pairRows draws the pair table: both items, same or different, the pair's split.
func (b *Browser) pairRows(s *set, w, rows int) []string {
	st := &b.c.Styles
	const sameW = 9 // "different"
	idW := max(4, (w-2-1-sameW-1-splitW-2)/2)
	row := func(pointer, a, bb, same, part string) string {
		return pointer + common.Pad(cutLeft(a, idW), idW) + " " + common.Pad(cutLeft(bb, idW), idW) +
			" " + common.Pad(same, sameW) + " " + common.Pad(part, splitW)
	}
	lines := []string{st.Header.Render(common.Pad(row("  ", "A", "B", "SAME", "SPLIT"), w))}
	if len(s.visible) == 0 {
		return append(lines, st.Subtle.Render("  no pair matches the filter"))
	}
	end := min(len(s.visible), s.offset+rows)
	for i := s.offset; i < end; i++ {
		p := s.cat.Pairs[s.visible[i]]
		part := s.part(s.visible[i], true)
		if part == "" {
			part = "-"
		}
		a, bb := s.cat.Items[p.A].ID, s.cat.Items[p.B].ID
		if i == s.cursor {
			lines = append(lines, st.Selected.Render(common.Pad(row(st.Pointer, a, bb, sameText(p.Same), part), w)))
			continue
		}
		lines = append(lines, common.Pad(row("  ", a, bb, sameText(p.Same), part), w))
	}
	return lines
}

// columns are the item table's column widths; split is 0 when there is no room for it.
type columns struct{ id, label, group, split int }

const durW, rateW, splitW = 8, 7, 5

func (b *Browser) columns(s *set, w int) columns {
	c := columns{label: max(5, s.info.labelW), group: s.info.groupW, split: splitW}
	if c.group > 0 {
		c.group = max(5, c.group)
	}
	fixed := 2 + c.label + 1 + durW + 1 + rateW + c.split + 1
	if c.group > 0 {
		fixed += c.group + 1
	}
	c.id = w - fixed - 1
	if c.id < 12 && c.group > 0 { // narrow: the group goes first
		c.id += c.group + 1
		c.group = 0
	}
	if c.id < 12 { // then the split
		c.id += c.split + 1
		c.split = 0
	}
	c.id = max(4, min(c.id, max(s.info.idW, 2)))
	return c
}

func (c columns) row(pointer, id, label, group, split, dur, rate string) string {
	var b strings.Builder
	b.WriteString(pointer)
	b.WriteString(common.Pad(cutLeft(id, c.id), c.id))
	b.WriteString(" ")
	b.WriteString(common.Pad(common.Cut(label, c.label, "~"), c.label))
	if c.group > 0 {
		b.WriteString(" ")
		b.WriteString(common.Pad(common.Cut(group, c.group, "~"), c.group))
	}
	if c.split > 0 {
		b.WriteString(" ")
		b.WriteString(common.Pad(split, c.split))
	}
	fmt.Fprintf(&b, " %*s %*s", durW, dur, rateW, rate)
	return b.String()
}

// cutLeft keeps the end of a long ID (the file name says more than the folders above it).
func cutLeft(s string, w int) string {
	r := []rune(s)
	if len(r) <= w || w < 2 {
		return s
	}
	return "~" + string(r[len(r)-w+1:])
}

// itemCells gives an item's duration and rate columns; images and arrays show their shape.
func itemCells(it dataset.Item) (dur, rate string) {
	dur, rate = "-", "-"
	if it.Duration > 0 {
		dur = secs(it.Duration) + "s"
	}
	if it.SampleRate > 0 {
		rate = fmt.Sprint(it.SampleRate)
	}
	if len(it.Shape) > 0 {
		dims := make([]string, len(it.Shape))
		for i, d := range it.Shape {
			dims[i] = fmt.Sprint(d)
		}
		dur = strings.Join(dims, "x")
	}
	return dur, rate
}

// joinColumns puts two columns of lines side by side with a two-cell gap.
func joinColumns(left []string, lw int, right []string, rw int) []string {
	n := max(len(left), len(right))
	out := make([]string, n)
	for i := range n {
		var l, r string
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out[i] = common.Pad(l, lw) + "  " + common.Pad(r, rw)
	}
	return out
}
