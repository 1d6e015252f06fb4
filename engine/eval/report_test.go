package eval

import (
	"math"
	"strings"
	"testing"
)

func TestReportHandComputed(t *testing.T) {
	// "d" occurs only as a prediction: a row with support 0.
	r, err := NewReport([]string{"a", "b", "b", "c"}, []string{"a", "b", "c", "d"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []ClassMetrics{
		{"a", 1, 1, 1, 1},
		{"b", 1, 0.5, 2.0 / 3, 2},
		{"c", 0, 0, 0, 1},
		{"d", 0, 0, 0, 0},
	}
	if len(r.Classes) != len(want) {
		t.Fatalf("%d rows, want %d", len(r.Classes), len(want))
	}
	for i, w := range want {
		g := r.Classes[i]
		if g.Class != w.Class || g.Support != w.Support {
			t.Errorf("row %d = %+v, want %+v", i, g, w)
		}
		checkNear(t, w.Class+" precision", g.Precision, w.Precision, 1e-15)
		checkNear(t, w.Class+" recall", g.Recall, w.Recall, 1e-15)
		checkNear(t, w.Class+" f1", g.F1, w.F1, 1e-15)
	}
	checkNear(t, "accuracy", r.Accuracy, 0.5, 0)
	if !r.MicroIsAccuracy {
		t.Error("MicroIsAccuracy = false without a label list")
	}
	checkNear(t, "micro f1", r.Micro.F1, 0.5, 0)
	checkNear(t, "macro precision", r.Macro.Precision, 0.5, 1e-15)
	checkNear(t, "macro recall", r.Macro.Recall, 0.375, 1e-15)
	checkNear(t, "macro f1", r.Macro.F1, 5.0/12, 1e-15)
	checkNear(t, "weighted precision", r.Weighted.Precision, 0.75, 1e-15)
	checkNear(t, "weighted recall", r.Weighted.Recall, 0.5, 1e-15)
	checkNear(t, "weighted f1", r.Weighted.F1, 7.0/12, 1e-15)
	if r.Macro.Support != 4 || r.Weighted.Support != 4 {
		t.Errorf("average supports %d, %d, want 4", r.Macro.Support, r.Weighted.Support)
	}
	// Recalls of the true classes a, b, c: 1, 0.5, 0.
	checkNear(t, "balanced accuracy", r.BalancedAccuracy, 0.5, 1e-15)
	// rows (true) a1 b2 c1 d0, columns (pred) 1 each: chance 4, expected 16-4, observed 4*2.
	checkNear(t, "kappa", r.Kappa, 1.0/3, 1e-15)

	// Text from scikit-learn 1.2.1: classification_report(y_true, y_pred, zero_division=0).
	const sk = "              precision    recall  f1-score   support\n\n" +
		"           a       1.00      1.00      1.00         1\n" +
		"           b       1.00      0.50      0.67         2\n" +
		"           c       0.00      0.00      0.00         1\n" +
		"           d       0.00      0.00      0.00         0\n\n" +
		"    accuracy                           0.50         4\n" +
		"   macro avg       0.50      0.38      0.42         4\n" +
		"weighted avg       0.75      0.50      0.58         4\n"
	if got := r.String(); got != sk {
		t.Errorf("String() =\n%q\nwant\n%q", got, sk)
	}
}

func TestReportLabelSubset(t *testing.T) {
	// The item predicted "d" still counts in c's support; the micro average covers a, b, c only.
	r, err := NewReport([]string{"a", "b", "b", "c"}, []string{"a", "b", "c", "d"}, []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	if r.MicroIsAccuracy {
		t.Error("MicroIsAccuracy = true for a label list that is not the data's label set")
	}
	checkNear(t, "micro precision", r.Micro.Precision, 2.0/3, 1e-15)
	checkNear(t, "micro recall", r.Micro.Recall, 0.5, 1e-15)
	checkNear(t, "micro f1", r.Micro.F1, 4.0/7, 1e-15)
	checkNear(t, "macro f1", r.Macro.F1, 5.0/9, 1e-15)
	checkNear(t, "weighted f1", r.Weighted.F1, 7.0/12, 1e-15)
	// Text from scikit-learn 1.2.1 with labels=["a", "b", "c"], digits=3.
	const sk = "              precision    recall  f1-score   support\n\n" +
		"           a      1.000     1.000     1.000         1\n" +
		"           b      1.000     0.500     0.667         2\n" +
		"           c      0.000     0.000     0.000         1\n\n" +
		"   micro avg      0.667     0.500     0.571         4\n" +
		"   macro avg      0.667     0.500     0.556         4\n" +
		"weighted avg      0.750     0.500     0.583         4\n"
	if got := r.Format(3); got != sk {
		t.Errorf("Format(3) =\n%q\nwant\n%q", got, sk)
	}
}

func TestReportLabelOrderAndAbsentClass(t *testing.T) {
	yt := []string{"cat", "dog", "dog"}
	yp := []string{"cat", "dog", "cat"}
	// The same set in another order keeps "accuracy"; rows follow the given order.
	r, err := NewReport(yt, yp, []string{"dog", "cat"})
	if err != nil {
		t.Fatal(err)
	}
	if !r.MicroIsAccuracy || r.Classes[0].Class != "dog" || r.Classes[1].Class != "cat" {
		t.Errorf("got rows %v, micro is accuracy %v", r.Classes, r.MicroIsAccuracy)
	}
	// An extra class with no items gets a zero row, counts in the macro average, and the heading
	// becomes "micro avg".
	r, err = NewReport(yt, yp, []string{"cat", "dog", "owl"})
	if err != nil {
		t.Fatal(err)
	}
	owl := r.Classes[2]
	if owl != (ClassMetrics{"owl", 0, 0, 0, 0}) {
		t.Errorf("owl row = %+v", owl)
	}
	// cat: P 1/2 R 1 F 2/3; dog: P 1 R 1/2 F 2/3; owl 0.
	checkNear(t, "macro f1", r.Macro.F1, (2.0/3+2.0/3)/3, 1e-15)
	if r.MicroIsAccuracy || !strings.Contains(r.String(), "   micro avg ") {
		t.Errorf("want a micro avg row:\n%s", r)
	}
}

func TestReportDigitsAndWidth(t *testing.T) {
	// A class name longer than "weighted avg" widens the first column. Text from scikit-learn 1.2.1
	// with digits=1.
	r, err := NewReport([]string{"a rather long name", "b"}, []string{"a rather long name", "a rather long name"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const want1 = "                    precision    recall  f1-score   support\n\n" +
		"a rather long name        0.5       1.0       0.7         1\n" +
		"                 b        0.0       0.0       0.0         1\n\n" +
		"          accuracy                            0.5         2\n" +
		"         macro avg        0.2       0.5       0.3         2\n" +
		"      weighted avg        0.2       0.5       0.3         2\n"
	if got := r.Format(1); got != want1 {
		t.Errorf("Format(1) =\n%s\nwant\n%s", got, want1)
	}
	if r.Format(-3) != r.Format(0) {
		t.Error("negative digits not taken as 0")
	}
}

func TestReportKappaUndefined(t *testing.T) {
	r, err := NewReport([]string{"a", "a"}, []string{"a", "a"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(r.Kappa) || r.Accuracy != 1 || r.BalancedAccuracy != 1 {
		t.Errorf("kappa %v accuracy %v balanced %v, want NaN 1 1", r.Kappa, r.Accuracy, r.BalancedAccuracy)
	}
}

func TestReportErrors(t *testing.T) {
	for name, c := range map[string]struct{ yt, yp, labels []string }{
		"length":    {[]string{"a"}, []string{"a", "b"}, nil},
		"empty":     {nil, nil, nil},
		"no labels": {[]string{"a"}, []string{"a"}, []string{}},
		"duplicate": {[]string{"a"}, []string{"a"}, []string{"a", "a"}},
	} {
		if _, err := NewReport(c.yt, c.yp, c.labels); err == nil {
			t.Errorf("%s: no error", name)
		}
		if _, err := NewConfusion(c.yt, c.yp, c.labels); err == nil {
			t.Errorf("%s: NewConfusion: no error", name)
		}
	}
}

func TestConfusion(t *testing.T) {
	yt, yp := []string{"a", "b", "b", "c"}, []string{"a", "b", "c", "d"}
	m, err := NewConfusion(yt, yp, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int{{1, 0, 0, 0}, {0, 1, 1, 0}, {0, 0, 0, 1}, {0, 0, 0, 0}}
	if !equalInts(m.Counts, want) || m.Excluded != 0 || strings.Join(m.Classes, "") != "abcd" {
		t.Errorf("confusion = %v %v excluded %d", m.Classes, m.Counts, m.Excluded)
	}
	n := m.Normalized()
	if n[1][1] != 0.5 || n[1][2] != 0.5 || n[2][3] != 1 || n[3][0] != 0 || n[0][0] != 1 {
		t.Errorf("normalised = %v", n)
	}
	// With a label list the (c, d) item falls outside and is excluded.
	m, err = NewConfusion(yt, yp, []string{"c", "a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	want = [][]int{{0, 0, 0}, {0, 1, 0}, {1, 0, 1}}
	if !equalInts(m.Counts, want) || m.Excluded != 1 {
		t.Errorf("confusion = %v excluded %d", m.Counts, m.Excluded)
	}
}

func equalInts(a, b [][]int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}
