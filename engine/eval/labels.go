package eval

import (
	"fmt"
	"slices"
)

// coded is a pair of label columns encoded against a label list, the way scikit-learn resolves its
// labels argument: the list is either given or the sorted union of both columns.
type coded struct {
	labels []string
	t, p   []int // index into labels, -1 for a label outside them
	// outside counts items with a true or predicted label outside labels.
	outside int
	// complete is scikit-learn's micro_is_accuracy: the labels were not given, or they are exactly
	// the set of labels found in the data.
	complete bool
}

// encode checks the columns and encodes them; labels nil means the sorted union of both columns.
func encode(yTrue, yPred, labels []string) (coded, error) {
	if len(yTrue) != len(yPred) {
		return coded{}, fmt.Errorf("eval: %d true labels but %d predicted labels", len(yTrue), len(yPred))
	}
	if len(yTrue) == 0 {
		return coded{}, fmt.Errorf("eval: no items to evaluate")
	}
	present := uniqueSorted(yTrue, yPred)
	given := labels != nil
	if !given {
		labels = present
	}
	if len(labels) == 0 {
		return coded{}, fmt.Errorf("eval: the label list is empty")
	}
	index := make(map[string]int, len(labels))
	for i, l := range labels {
		if _, dup := index[l]; dup {
			return coded{}, fmt.Errorf("eval: label %q appears twice in the label list", l)
		}
		index[l] = i
	}
	c := coded{labels: labels, t: make([]int, len(yTrue)), p: make([]int, len(yPred))}
	lookup := func(l string) int {
		if i, ok := index[l]; ok {
			return i
		}
		return -1
	}
	for i := range yTrue {
		c.t[i], c.p[i] = lookup(yTrue[i]), lookup(yPred[i])
		if c.t[i] < 0 || c.p[i] < 0 {
			c.outside++
		}
	}
	c.complete = !given || (c.outside == 0 && len(present) == len(labels))
	return c, nil
}

// uniqueSorted is scikit-learn's unique_labels for string labels: the sorted union (byte order,
// which for UTF-8 is NumPy's code point order).
func uniqueSorted(a, b []string) []string {
	u := make([]string, 0, len(a)+len(b))
	u = append(u, a...)
	u = append(u, b...)
	slices.Sort(u)
	return slices.Compact(u)
}
