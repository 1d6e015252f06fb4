package browser

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/hark-audio/hark/engine/dataset"
)

// splitSeed seeds the random, group and k-fold splits the pane shows, as `hark inspect --split`
// and the training form do by default.
const splitSeed = 1

// splitInfo is a computed split, in the shape the pane draws it.
type splitInfo struct {
	spec string
	// cols name the parts: train, val, test; or f1..fK for cross-validation, where part k is
	// the items tested in fold k.
	cols []string
	// rows are the per-class sizes (same/different for pairs, "all" for regression), in the
	// order of cols; totals the sizes of each part.
	rows   []dataset.ClassSplit
	counts [][]int
	totals []int
	// byClass finds a class's counts for the class chart.
	byClass map[string][]int
	colW    int // the width of one count column
	// itemPart and pairPart give each item's (pair's) part as an index into cols, -1 for none.
	itemPart, pairPart []int8
	// leftOut counts the pairs a group split left out (their groups in different parts).
	leftOut int
}

// splitMsg carries a computed split (or why it failed) back to the pane.
type splitMsg struct {
	set  int
	cat  *dataset.Catalog
	spec string
	info *splitInfo
	err  error
}

// splitSpecs are the splits the s key steps through for this dataset: the default first, then
// those its layout supports.
func splitSpecs(cat *dataset.Catalog) []string {
	specs := []string{dataset.DefaultSplit(cat)}
	add := func(s string) {
		if !slices.Contains(specs, s) {
			specs = append(specs, s)
		}
	}
	has := cat.Subsets()
	if has[dataset.SubsetTrain] && !has[""] {
		add(dataset.SplitLists)
	}
	if cat.Layout == "fsdd" {
		add(dataset.SplitFSDD)
	}
	folds := map[int]bool{}
	if cat.Task == dataset.Pairs {
		for _, p := range cat.Pairs {
			folds[p.Fold] = true
		}
	} else {
		for _, it := range cat.Items {
			folds[it.Fold] = true
		}
	}
	if len(folds) > 1 && !folds[0] {
		add(dataset.SplitFolds)
	}
	if len(cat.Groups()) >= 2 {
		add("group:0.8,0.2") // for pairs, by their items' groups (people, speakers)
	}
	add("random:0.8,0.1,0.1")
	units := len(cat.Items)
	if cat.Task == dataset.Pairs {
		units = len(cat.Pairs)
	}
	if units >= 5 {
		add("kfold:5")
	}
	return specs
}

// computeSplit is the command that splits set i's catalog by spec.
func (b *Browser) computeSplit(i int) tea.Cmd {
	s := b.sets[i]
	if s.cat == nil || len(s.specs) == 0 || b.c.Engine.Split == nil {
		return nil
	}
	s.split, s.splitErr, s.splitting = nil, nil, true
	cat, text, splitFn := s.cat, s.specs[s.spec], b.c.Engine.Split
	return func() tea.Msg {
		msg := splitMsg{set: i, cat: cat, spec: text}
		spec, err := dataset.ParseSplitSpec(text)
		if err != nil {
			msg.err = err
			return msg
		}
		spec.Seed = splitSeed
		sp, err := splitFn(cat, spec)
		if err != nil {
			msg.err = err
			return msg
		}
		msg.info = newSplitInfo(cat, sp)
		return msg
	}
}

// newSplitInfo lays a split out for drawing: one column per part, or per fold.
func newSplitInfo(cat *dataset.Catalog, sp dataset.Splits) *splitInfo {
	info := &splitInfo{spec: sp.Spec.String(), byClass: map[string][]int{}}
	n := len(cat.Items)
	pairs := cat.Task == dataset.Pairs
	if pairs {
		n = len(cat.Pairs)
	}
	part := make([]int8, n)
	for i := range part {
		part[i] = -1
	}
	if len(sp.Folds) == 1 {
		f := sp.Folds[0]
		info.cols = []string{"train", "val", "test"}
		for k, idx := range [][]int{f.Train, f.Val, f.Test} {
			for _, i := range idx {
				part[i] = int8(k)
			}
		}
		info.totals = []int{len(f.Train), len(f.Val), len(f.Test)}
		info.leftOut = len(f.LeftOut)
		for _, pc := range f.PerClass {
			info.rows = append(info.rows, pc)
			info.counts = append(info.counts, []int{pc.Train, pc.Val, pc.Test})
		}
	} else {
		// Cross-validation: fold k's test part, per class.
		index := map[string]int{}
		for k, f := range sp.Folds {
			info.cols = append(info.cols, "f"+strconv.Itoa(k+1))
			info.totals = append(info.totals, len(f.Test))
			for _, i := range f.Test {
				part[i] = int8(min(k, 127))
			}
			for _, pc := range f.PerClass {
				r, ok := index[pc.Class]
				if !ok {
					r = len(info.rows)
					index[pc.Class] = r
					info.rows = append(info.rows, dataset.ClassSplit{Class: pc.Class})
					info.counts = append(info.counts, make([]int, len(sp.Folds)))
				}
				info.counts[r][k] = pc.Test
			}
		}
	}
	if pairs {
		info.pairPart = part
	} else {
		info.itemPart = part
	}
	top := 0
	for i, r := range info.rows {
		info.byClass[r.Class] = info.counts[i]
	}
	for _, t := range info.totals {
		top = max(top, t)
	}
	info.colW = len(strconv.Itoa(top))
	for _, c := range info.cols {
		info.colW = max(info.colW, len(c))
	}
	return info
}

// part names the part of item (or pair) i, "" when it has none or the split is not there.
func (s *set) part(i int, pairs bool) string {
	if s.split == nil {
		return ""
	}
	parts := s.split.itemPart
	if pairs {
		parts = s.split.pairPart
	}
	if i < 0 || i >= len(parts) || parts[i] < 0 {
		return ""
	}
	return s.split.cols[parts[i]]
}

// splitLine says which split is shown and its sizes, in one line.
func (s *set) splitLine() string {
	spec := ""
	if len(s.specs) > 0 {
		spec = s.specs[s.spec]
	}
	head := fmt.Sprintf("Split %s (%d/%d, seed %d)", spec, s.spec+1, len(s.specs), splitSeed)
	switch {
	case s.splitErr != nil:
		return head + ": " + s.splitErr.Error()
	case s.split == nil:
		return head + ": computing ..."
	}
	var parts []string
	for k, c := range s.split.cols {
		parts = append(parts, fmt.Sprintf("%s %d", c, s.split.totals[k]))
	}
	if s.split.leftOut > 0 {
		parts = append(parts, fmt.Sprintf("%d pairs left out", s.split.leftOut))
	}
	line := head + ": " + strings.Join(parts, ", ")
	if !s.splitMatchesClasses() {
		// Pairs (same/different) and regression ("all") have rows the class chart lacks.
		var rows []string
		for i, r := range s.split.rows {
			nums := make([]string, len(s.split.counts[i]))
			for k, n := range s.split.counts[i] {
				nums[k] = strconv.Itoa(n)
			}
			rows = append(rows, r.Class+" "+strings.Join(nums, "/"))
		}
		line += "; " + strings.Join(rows, ", ")
	}
	return line
}

// splitMatchesClasses reports whether the split's rows are the catalog's classes, so that the
// class chart can carry them.
func (s *set) splitMatchesClasses() bool {
	if s.split == nil || s.cat == nil || s.cat.Task == dataset.Pairs || len(s.cat.Classes) == 0 {
		return false
	}
	for _, c := range s.cat.Classes {
		if _, ok := s.split.byClass[c.Name]; !ok {
			return false
		}
	}
	return true
}

// splitCells writes counts right-aligned in the split's columns.
func (s *set) splitCells(counts []string) string {
	var b strings.Builder
	for _, c := range counts {
		fmt.Fprintf(&b, " %*s", s.split.colW, c)
	}
	return b.String()
}

// splitWidth is how many cells the chart gives the split columns.
func (s *set) splitWidth() int {
	if !s.splitMatchesClasses() {
		return 0
	}
	return len(s.split.cols) * (s.split.colW + 1)
}

// onlyChoices are what the split filter steps through: everything, then each part.
func (s *set) onlyChoices() []string {
	out := []string{""}
	if s.split != nil {
		out = append(out, s.split.cols...)
	}
	return out
}
