package eval

// Confusion is a confusion matrix: Counts[i][j] is the number of items whose true class is
// Classes[i] and whose predicted class is Classes[j] (scikit-learn's confusion_matrix).
type Confusion struct {
	Classes []string `json:"classes"`
	Counts  [][]int  `json:"counts"`
	// Excluded counts items whose true or predicted label is not in Classes; like scikit-learn,
	// they are left out of the matrix.
	Excluded int `json:"excluded"`
}

// NewConfusion counts the (true, predicted) pairs. labels orders the rows and columns; nil means
// the sorted union of the labels found in both columns. It fails when the columns differ in length,
// are empty, or labels holds a duplicate.
func NewConfusion(yTrue, yPred, labels []string) (*Confusion, error) {
	c, err := encode(yTrue, yPred, labels)
	if err != nil {
		return nil, err
	}
	m := &Confusion{Classes: c.labels, Counts: make([][]int, len(c.labels)), Excluded: c.outside}
	for i := range m.Counts {
		m.Counts[i] = make([]int, len(c.labels))
	}
	for i, t := range c.t {
		if p := c.p[i]; t >= 0 && p >= 0 {
			m.Counts[t][p]++
		}
	}
	return m, nil
}

// Normalized returns the matrix with each row divided by its sum, so that row i holds the
// fractions of class i's items given to each predicted class (scikit-learn's normalize="true");
// a row with no items is all zeros.
func (m *Confusion) Normalized() [][]float64 {
	out := make([][]float64, len(m.Counts))
	for i, row := range m.Counts {
		out[i] = make([]float64, len(row))
		sum := 0
		for _, v := range row {
			sum += v
		}
		if sum == 0 {
			continue
		}
		for j, v := range row {
			out[i][j] = float64(v) / float64(sum)
		}
	}
	return out
}
