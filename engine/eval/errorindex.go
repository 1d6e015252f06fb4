package eval

import (
	"cmp"
	"fmt"
	"slices"
)

// Entry is one item in a cell of the error index.
type Entry struct {
	ID         string
	True       int
	Pred       int
	Confidence float64   // the predicted class's probability
	Probs      []float64 // all class probabilities, in class order
}

// ErrorIndex files every classified item under its (true, predicted) cell of the confusion matrix,
// most confident first, so that the workbench can step through the errors of any cell.
type ErrorIndex struct {
	classes []string
	cells   [][][]Entry // [true][pred]
}

// NewErrorIndex builds the index; the predicted class is each item's most probable class. It fails
// when an item's true class is out of range or it does not have one finite probability per class.
func NewErrorIndex(classes []string, items []Classified) (*ErrorIndex, error) {
	k := len(classes)
	x := &ErrorIndex{classes: slices.Clone(classes), cells: make([][][]Entry, k)}
	for i := range x.cells {
		x.cells[i] = make([][]Entry, k)
	}
	for _, it := range items {
		if err := it.check(k, false); err != nil {
			return nil, fmt.Errorf("eval: error index: %w", err)
		}
		pred, conf := it.Predicted()
		x.cells[it.True][pred] = append(x.cells[it.True][pred],
			Entry{ID: it.ID, True: it.True, Pred: pred, Confidence: conf, Probs: slices.Clone(it.Probs)})
	}
	for _, row := range x.cells {
		for _, cell := range row {
			slices.SortFunc(cell, func(a, b Entry) int {
				if c := cmp.Compare(b.Confidence, a.Confidence); c != 0 {
					return c
				}
				return cmp.Compare(a.ID, b.ID)
			})
		}
	}
	return x, nil
}

// Classes returns the class list the indices refer to.
func (x *ErrorIndex) Classes() []string { return slices.Clone(x.classes) }

// Cell returns the items of true class t predicted as class p, most confident first (equal
// confidences by ID); nil when the cell is empty or out of range. The slice is the index's own:
// callers must not modify it.
func (x *ErrorIndex) Cell(t, p int) []Entry {
	if t < 0 || p < 0 || t >= len(x.cells) || p >= len(x.cells) {
		return nil
	}
	return x.cells[t][p]
}
