package trainform

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/views/common"
)

// sideFrom is the width from which the queued runs and the spec show beside the form.
const sideFrom = 110

// formWidth is the form's width when the side column shows.
const formWidth = 64

// View implements common.Component.
func (f *Form) View() string {
	if f.w <= 0 || f.h <= 0 {
		return ""
	}
	st := &f.c.Styles
	fw := f.w
	if f.w >= sideFrom {
		fw = formWidth
	}
	var keys []string
	for i, r := range Recipes() {
		keys = append(keys, fmt.Sprintf("F%d %s", i+1, r.Name))
	}
	lines := []string{
		common.Spread(st.Title.Render("New run"), st.Subtle.Render(strings.Join(keys, " ")), fw),
		"",
	}
	rows := f.listRows()
	for i := f.offset; i < min(len(f.rows), f.offset+rows); i++ {
		lines = append(lines, f.row(i, fw))
	}
	for len(lines) < rows+2 {
		lines = append(lines, "")
	}
	hint := f.rows[f.cursor].hint
	if f.editing {
		hint = "type the value; enter keeps it, esc cancels"
	}
	lines = append(lines, common.Cut(st.Subtle.Render(hint), fw, st.Ellipsis))
	switch {
	case f.status != "" && f.statusErr:
		lines = append(lines, common.Cut(st.Error.Render(f.status), fw, st.Ellipsis))
	case f.status != "":
		lines = append(lines, common.Cut(f.status, fw, st.Ellipsis))
	default:
		lines = append(lines, st.Subtle.Render("enter queues the run; runs go one after another"))
	}
	left := common.Fit(strings.Join(lines, "\n"), fw, f.h)
	if f.w < sideFrom {
		return left
	}
	right := strings.Split(common.Fit(f.side(f.w-fw-2), f.w-fw-2, f.h), "\n")
	ll := strings.Split(left, "\n")
	for i := range ll {
		ll[i] += "  " + right[i]
	}
	return strings.Join(ll, "\n")
}

// row draws field i.
func (f *Form) row(i, w int) string {
	st := &f.c.Styles
	r := f.rows[i]
	value := r.get(f)
	if f.editing && i == f.cursor {
		value = f.buffer + "_"
	}
	label := fmt.Sprintf("%-14s", r.label)
	var line string
	if i == f.cursor {
		if st.ASCII {
			line = st.Pointer + label + " <" + value + ">"
		} else {
			line = st.Pointer + st.Label.Render(label) + st.Selected.Render(" "+value+" ")
		}
	} else {
		line = "  " + st.Label.Render(label) + " " + value
	}
	return common.Pad(line, w)
}

// side lists the runs queued from this pane and the spec the form would start.
func (f *Form) side(w int) string {
	st := &f.c.Styles
	lines := []string{st.Title.Render("Runs started here")}
	if len(f.mine) == 0 {
		lines = append(lines, st.Subtle.Render("none yet"))
	}
	for i := max(0, len(f.mine)-6); i < len(f.mine); i++ {
		r := f.book.Get(f.mine[i])
		line := fmt.Sprintf("%-8s %-8s %s", r.Info.ID, r.StateGlyph(), r.Info.Spec.Name)
		if last := r.Info.Last; last != nil && !r.Done() {
			line += fmt.Sprintf("  epoch %d/%d", last.Epoch, last.Epochs)
		}
		lines = append(lines, common.Cut(line, w, st.Ellipsis))
	}
	lines = append(lines, "", st.Title.Render("Run spec")+st.Subtle.Render(" (what a session stores)"))
	spec, err := f.RunSpec()
	if err != nil {
		spec = f.spec
	}
	// Only the parts the form sets; the fingerprint is filled in when the run starts.
	view := struct {
		Name     string `json:"name"`
		Dataset  any    `json:"dataset"`
		Split    string `json:"split,omitempty"`
		Features any    `json:"features"`
		Model    any    `json:"model"`
		Train    any    `json:"train"`
		Augment  any    `json:"augment,omitempty"`
		Seed     uint64 `json:"seed"`
	}{spec.Name, datasetView(spec), spec.Split, spec.Features, spec.Model, spec.Train, spec.Augment, spec.Seed}
	b, _ := json.Marshal(view)
	lines = append(lines, wrapJSON(string(b), w)...)
	return strings.Join(lines, "\n")
}

// wrapJSON breaks compact JSON into lines of at most w cells, at commas where it can.
func wrapJSON(s string, w int) []string {
	var out []string
	for len(s) > w && w > 8 {
		cut := strings.LastIndex(s[:w], ",")
		if cut < w/2 {
			cut = w - 1
		}
		out = append(out, s[:cut+1])
		s = s[cut+1:]
	}
	return append(out, s)
}

// datasetView is the part of the dataset spec the form sets.
func datasetView(s train.RunSpec) any {
	d := s.Dataset.Spec
	v := map[string]any{"root": d.Root}
	if d.Layout != "" {
		v["layout"] = d.Layout
	}
	if d.Segments.Length > 0 {
		v["segments"] = map[string]any{"length": d.Segments.Length.String(), "count": d.Segments.Count}
	}
	return v
}
