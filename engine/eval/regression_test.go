package eval

import (
	"math"
	"testing"
)

func TestRegressionHandComputed(t *testing.T) {
	m, err := Regression("valence", []float64{1, 2, 3, 4}, []float64{1, 3, 2, 5})
	if err != nil {
		t.Fatal(err)
	}
	// Errors 0, -1, 1, -1; SS_tot about 2.5 is 5.
	checkNear(t, "mse", m.MSE, 0.75, 1e-15)
	checkNear(t, "mae", m.MAE, 0.75, 1e-15)
	checkNear(t, "r2", m.R2, 0.4, 1e-15)
	// Centred: x (-1.5, -0.5, 0.5, 1.5), y (-1.75, 0.25, -0.75, 2.25): 5.5 / sqrt(5 * 8.75).
	checkNear(t, "pearson", m.Pearson, 5.5/math.Sqrt(43.75), 1e-15)
	// Ranks of y: 1 3 2 4, sum of squared rank differences 2: 1 - 6*2/(4*15).
	checkNear(t, "spearman", m.Spearman, 0.8, 1e-15)
	if m.N != 4 || m.Target != "valence" {
		t.Errorf("N %d target %q", m.N, m.Target)
	}
}

func TestSpearmanTies(t *testing.T) {
	// Ranks of x with a tie: 1 2.5 2.5 4; centred (-1.5, 0, 0, 1.5) against (-1.5, -0.5, 0.5, 1.5):
	// 4.5 / sqrt(4.5 * 5) = sqrt(0.9).
	m, err := Regression("x", []float64{1, 2, 2, 3}, []float64{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	checkNear(t, "spearman", m.Spearman, math.Sqrt(0.9), 1e-15)
	got := ranks([]float64{3, 1, 4, 1, 5, 1})
	want := []float64{4, 2, 5, 2, 6, 2}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ranks = %v, want %v", got, want)
		}
	}
}

func TestRegressionConstant(t *testing.T) {
	m, err := Regression("c", []float64{2, 2, 2}, []float64{2, 2, 2})
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(m.Pearson) || !math.IsNaN(m.Spearman) || m.R2 != 1 || m.MSE != 0 {
		t.Errorf("constant perfect: %+v, want NaN correlations, R2 1", m)
	}
	m, err = Regression("c", []float64{2, 2, 2}, []float64{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(m.Pearson) || m.R2 != 0 {
		t.Errorf("constant truth: %+v, want NaN Pearson, R2 0", m)
	}
	// SciPy 1.10's pearsonr gives -1 + 2^-52 here too (unit-norm columns, then the dot product).
	checkNear(t, "anticorrelated", must(Regression("a", []float64{1, 2, 3}, []float64{3, 2, 1})).Pearson, -1, 1e-15)
}

func must(m RegressionMetrics, err error) RegressionMetrics {
	if err != nil {
		panic(err)
	}
	return m
}

func TestRegressionErrors(t *testing.T) {
	for name, c := range map[string][2][]float64{
		"length": {{1, 2}, {1}},
		"short":  {{1}, {1}},
		"nan":    {{1, math.NaN()}, {1, 2}},
		"inf":    {{1, 2}, {1, math.Inf(1)}},
	} {
		if _, err := Regression("t", c[0], c[1]); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestRegressionTargets(t *testing.T) {
	yt := [][]float64{{1, 10}, {2, 30}, {3, 20}}
	yp := [][]float64{{1, 10}, {2, 20}, {3, 30}}
	ms, err := RegressionTargets([]string{"energy", "dance"}, yt, yp)
	if err != nil {
		t.Fatal(err)
	}
	// spearmanr gives exactly 1 and 0.5 for these (numpy.corrcoef's order of operations).
	if ms[0].Target != "energy" || ms[0].Spearman != 1 || ms[1].Target != "dance" || ms[1].Spearman != 0.5 {
		t.Errorf("got %+v", ms)
	}
	if _, err := RegressionTargets([]string{"a"}, [][]float64{{1, 2}}, [][]float64{{1}}); err == nil {
		t.Error("ragged rows: no error")
	}
	if _, err := RegressionTargets([]string{"a"}, [][]float64{{1}, {2}}, [][]float64{{1}}); err == nil {
		t.Error("row count mismatch: no error")
	}
}
