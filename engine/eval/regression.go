package eval

import (
	"fmt"
	"math"
	"slices"
)

// RegressionMetrics scores one regression target.
type RegressionMetrics struct {
	Target string `json:"target"`
	N      int    `json:"n"`
	// Spearman is scipy.stats.spearmanr's rank correlation (tied values share their average rank)
	// and Pearson is scipy.stats.pearsonr's correlation; both are NaN when either column is
	// constant, as in SciPy.
	Spearman float64 `json:"spearman"`
	Pearson  float64 `json:"pearson"`
	MSE      float64 `json:"mse"`
	MAE      float64 `json:"mae"`
	// R2 is scikit-learn's r2_score: 1 - SS_res / SS_tot, and when the true values are constant,
	// 1 for a perfect prediction and 0 otherwise.
	R2 float64 `json:"r2"`
}

// Regression scores predictions of one target. It fails when the columns differ in length, hold
// fewer than two items, or hold a value that is not finite.
func Regression(target string, yTrue, yPred []float64) (RegressionMetrics, error) {
	if len(yTrue) != len(yPred) {
		return RegressionMetrics{}, fmt.Errorf("eval: target %q: %d true values but %d predictions", target, len(yTrue), len(yPred))
	}
	if len(yTrue) < 2 {
		return RegressionMetrics{}, fmt.Errorf("eval: target %q: %d items, need at least 2", target, len(yTrue))
	}
	for i := range yTrue {
		if !finite(yTrue[i]) || !finite(yPred[i]) {
			return RegressionMetrics{}, fmt.Errorf("eval: target %q: item %d is not finite (true %v, predicted %v)", target, i, yTrue[i], yPred[i])
		}
	}
	n := float64(len(yTrue))
	m := RegressionMetrics{Target: target, N: len(yTrue)}
	var ssRes, absSum float64
	for i, t := range yTrue {
		d := t - yPred[i]
		ssRes += d * d
		absSum += math.Abs(d)
	}
	m.MSE, m.MAE = ssRes/n, absSum/n
	mean := sum(yTrue) / n
	var ssTot float64
	for _, t := range yTrue {
		ssTot += (t - mean) * (t - mean)
	}
	switch {
	case ssTot != 0:
		m.R2 = 1 - ssRes/ssTot
	case ssRes == 0:
		m.R2 = 1
	}
	m.Pearson = pearson(yTrue, yPred)
	m.Spearman = corrcoef(ranks(yTrue), ranks(yPred))
	return m, nil
}

// RegressionTargets scores every target of a multi-output regression: yTrue[i][j] and yPred[i][j]
// are item i's values of targets[j].
func RegressionTargets(targets []string, yTrue, yPred [][]float64) ([]RegressionMetrics, error) {
	if len(yTrue) != len(yPred) {
		return nil, fmt.Errorf("eval: %d true rows but %d predicted rows", len(yTrue), len(yPred))
	}
	cols := make([][2][]float64, len(targets))
	for i := range yTrue {
		if len(yTrue[i]) != len(targets) || len(yPred[i]) != len(targets) {
			return nil, fmt.Errorf("eval: item %d has %d true and %d predicted values for %d targets", i, len(yTrue[i]), len(yPred[i]), len(targets))
		}
		for j := range targets {
			cols[j][0] = append(cols[j][0], yTrue[i][j])
			cols[j][1] = append(cols[j][1], yPred[i][j])
		}
	}
	out := make([]RegressionMetrics, len(targets))
	for j, name := range targets {
		m, err := Regression(name, cols[j][0], cols[j][1])
		if err != nil {
			return nil, err
		}
		out[j] = m
	}
	return out, nil
}

// pearson follows scipy.stats.pearsonr: centre, scale each column to unit norm, take the dot
// product, clip to [-1, 1]; NaN when a column is constant.
func pearson(x, y []float64) float64 {
	if constant(x) || constant(y) {
		return math.NaN()
	}
	xm, ym := centred(x), centred(y)
	nx, ny := math.Sqrt(dot(xm, xm)), math.Sqrt(dot(ym, ym))
	var r float64
	for i := range xm {
		r += (xm[i] / nx) * (ym[i] / ny)
	}
	return max(-1, min(1, r))
}

// corrcoef follows numpy.corrcoef, which scipy.stats.spearmanr applies to the ranks: the
// covariance (scaled by 1/(n-1)) divided by each standard deviation in turn, clipped to [-1, 1];
// NaN when a column is constant. Mirroring the order of operations gives SciPy's exact values in
// the common cases (1 for identical rankings, where pearson's order gives 1 - 2^-52).
func corrcoef(x, y []float64) float64 {
	if constant(x) || constant(y) {
		return math.NaN()
	}
	xm, ym := centred(x), centred(y)
	f := 1 / float64(len(x)-1)
	sx, sy := math.Sqrt(dot(xm, xm)*f), math.Sqrt(dot(ym, ym)*f)
	return max(-1, min(1, dot(xm, ym)*f/sx/sy))
}

// ranks returns 1-based ranks with ties given their average rank (scipy.stats.rankdata's
// "average" method).
func ranks(x []float64) []float64 {
	order := make([]int, len(x))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case x[a] < x[b]:
			return -1
		case x[a] > x[b]:
			return 1
		}
		return 0
	})
	r := make([]float64, len(x))
	for start := 0; start < len(order); {
		end := start + 1
		for end < len(order) && x[order[end]] == x[order[start]] {
			end++
		}
		// Positions start..end-1 hold ranks start+1..end; their mean is (start+1+end)/2.
		avg := float64(start+1+end) / 2
		for _, i := range order[start:end] {
			r[i] = avg
		}
		start = end
	}
	return r
}

func constant(x []float64) bool {
	for _, v := range x[1:] {
		if v != x[0] {
			return false
		}
	}
	return true
}

func centred(x []float64) []float64 {
	mean := sum(x) / float64(len(x))
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v - mean
	}
	return out
}

func sum(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s
}

func dot(x, y []float64) float64 {
	var s float64
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
