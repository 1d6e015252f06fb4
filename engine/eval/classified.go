package eval

import "fmt"

// Classified is one evaluated item of a classification task: its identity, its true class (an
// index into the class list) and the model's class probabilities in class-list order.
type Classified struct {
	ID    string
	True  int
	Probs []float64
}

// Predicted returns the predicted class (the most probable; the first on a tie, as NumPy's argmax)
// and its probability.
func (c Classified) Predicted() (class int, confidence float64) {
	if len(c.Probs) == 0 {
		return 0, 0
	}
	for i, p := range c.Probs {
		if p > c.Probs[class] {
			class = i
		}
	}
	return class, c.Probs[class]
}

// check validates the item against k classes (its message is for the caller to wrap); unknownTrue allows True == -1 (no known label).
func (c Classified) check(k int, unknownTrue bool) error {
	if len(c.Probs) != k {
		return fmt.Errorf("item %q has %d probabilities for %d classes", c.ID, len(c.Probs), k)
	}
	if c.True >= k || c.True < -1 || (c.True == -1 && !unknownTrue) {
		return fmt.Errorf("item %q has true class %d, want 0..%d", c.ID, c.True, k-1)
	}
	for i, p := range c.Probs {
		if !finite(p) {
			return fmt.Errorf("item %q has probability %v for class %d", c.ID, p, i)
		}
	}
	return nil
}

// ClassRows turns classified items into predictions CSV rows: the true and predicted class names
// and, as the score, the predicted class's probability.
func ClassRows(classes []string, items []Classified) ([]Row, error) {
	rows := make([]Row, len(items))
	for i, it := range items {
		if err := it.check(len(classes), false); err != nil {
			return nil, fmt.Errorf("eval: %w", err)
		}
		pred, conf := it.Predicted()
		rows[i] = Row{ID: it.ID, True: classes[it.True], Pred: classes[pred], Score: conf}
	}
	return rows, nil
}

// Columns splits rows into their true and predicted label columns, the input of NewReport and
// NewConfusion.
func Columns(rows []Row) (yTrue, yPred []string) {
	yTrue, yPred = make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		yTrue[i], yPred[i] = r.True, r.Pred
	}
	return yTrue, yPred
}
