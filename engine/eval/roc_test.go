package eval

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// sixItems: positives score 0.9, 0.8, 0.4; negatives 0.7, 0.4, 0.2 (a tie at 0.4).
func sixItems() []Scored {
	return []Scored{
		{"p1", true, 0.9}, {"n1", false, 0.7}, {"p2", true, 0.8},
		{"n2", false, 0.4}, {"p3", true, 0.4}, {"n3", false, 0.2},
	}
}

func mustROC(t *testing.T, items []Scored) *ROC {
	t.Helper()
	r, err := NewROC(items)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestROCCurveAndAUC(t *testing.T) {
	r := mustROC(t, sixItems())
	want := []Point{
		{math.Inf(1), 0, 0}, {0.9, 0, 1.0 / 3}, {0.8, 0, 2.0 / 3},
		{0.7, 1.0 / 3, 2.0 / 3}, {0.4, 2.0 / 3, 1}, {0.2, 1, 1},
	}
	if got := r.Curve(); !slices.Equal(got, want) {
		t.Errorf("curve = %v, want %v", got, want)
	}
	// Pairs (positive, negative) ordered correctly: 3 + 3 + (0 + 1/2 + 1) = 7.5 of 9.
	checkNear(t, "auc", r.AUC(), 7.5/9, 1e-15)
	// Perfect separation and perfect inversion.
	checkNear(t, "perfect auc", mustROC(t, []Scored{{"a", true, 2}, {"b", false, 1}}).AUC(), 1, 0)
	checkNear(t, "inverted auc", mustROC(t, []Scored{{"a", true, 1}, {"b", false, 2}}).AUC(), 0, 0)
	checkNear(t, "all tied auc", mustROC(t, []Scored{{"a", true, 1}, {"b", false, 1}, {"c", false, 1}}).AUC(), 0.5, 0)
}

func TestROCAt(t *testing.T) {
	r := mustROC(t, sixItems())
	for _, c := range []struct {
		thr            float64
		tp, fp, tn, fn int
	}{
		{0.75, 2, 0, 3, 1},
		{0.4, 3, 2, 1, 0}, // the threshold itself is accepted
		{1.0, 0, 0, 3, 3},
		{-1, 3, 3, 0, 0},
		{math.Inf(1), 0, 0, 3, 3},
		{math.NaN(), 0, 0, 3, 3},
	} {
		got := r.At(c.thr)
		if got.TP != c.tp || got.FP != c.fp || got.TN != c.tn || got.FN != c.fn {
			t.Errorf("At(%v) = %+v, want tp %d fp %d tn %d fn %d", c.thr, got, c.tp, c.fp, c.tn, c.fn)
		}
		checkNear(t, "FAR", got.FAR, float64(c.fp)/3, 0)
		checkNear(t, "FRR", got.FRR, float64(c.fn)/3, 0)
		checkNear(t, "accuracy", got.Accuracy, float64(c.tp+c.tn)/6, 0)
	}
}

// TestROCAtMatchesScan checks the binary search against a plain count over random items with
// many ties, at thresholds on, between and beyond the scores.
func TestROCAtMatchesScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		n := 2 + rng.IntN(40)
		items := make([]Scored, n)
		for i := range items {
			items[i] = Scored{ID: string(rune('a' + i)), Positive: i%2 == 0, Score: float64(rng.IntN(8)) / 4}
		}
		r := mustROC(t, items)
		for range 20 {
			thr := float64(rng.IntN(40)-4) / 16
			var tp, fp int
			for _, it := range items {
				if it.Score >= thr {
					if it.Positive {
						tp++
					} else {
						fp++
					}
				}
			}
			if got := r.At(thr); got.TP != tp || got.FP != fp {
				t.Fatalf("At(%v) = tp %d fp %d, scan gives %d %d", thr, got.TP, got.FP, tp, fp)
			}
		}
	}
}

func TestEER(t *testing.T) {
	for _, c := range []struct {
		name         string
		items        []Scored
		eer, thr     float64
		far, frr     float64
		acceptsCount int
	}{
		// At 0.7: FAR = FRR = 1/3 exactly, a ROC point.
		{"on a point", sixItems(), 1.0 / 3, 0.7, 1.0 / 3, 1.0 / 3, 3},
		// (FAR, FRR) goes (0, 2/3) at 0.9 to (1/2, 0) at 0.5 (a tie of a positive pair and a negative):
		// the segment meets FAR = FRR at alpha = 4/7, error 2/7; 0.5 is nearer (|gap| 3 < 4).
		{"interpolated", []Scored{{"a", true, 0.9}, {"b", true, 0.5}, {"c", true, 0.5}, {"d", false, 0.5}, {"e", false, 0.1}},
			2.0 / 7, 0.5, 0.5, 0, 4},
		// A vertical segment: (1/2, 2/3) at 0.8 to (1/2, 1/3) at 0.6, crossing at 1/2; the gaps tie
		// and the lower threshold wins.
		{"vertical", []Scored{{"a", true, 0.9}, {"b", false, 0.8}, {"c", true, 0.6}, {"d", true, 0.5}, {"e", false, 0.3}},
			0.5, 0.6, 0.5, 1.0 / 3, 3},
		// Every negative above every positive: at 0.9 FAR reaches 1 while FRR is still 1.
		{"inverted", []Scored{{"a", true, 0.1}, {"b", false, 0.9}}, 1, 0.9, 1, 1, 1},
		// Perfect separation: zero error at the lowest positive score.
		{"perfect", []Scored{{"a", true, 0.9}, {"b", true, 0.8}, {"c", false, 0.3}}, 0, 0.8, 0, 0, 2},
	} {
		r := mustROC(t, c.items)
		eer, op := r.EER()
		checkNear(t, c.name+" eer", eer, c.eer, 1e-15)
		if op.Threshold != c.thr || op.TP+op.FP != c.acceptsCount {
			t.Errorf("%s: op = %+v, want threshold %v accepting %d", c.name, op, c.thr, c.acceptsCount)
		}
		checkNear(t, c.name+" op FAR", op.FAR, c.far, 1e-15)
		checkNear(t, c.name+" op FRR", op.FRR, c.frr, 1e-15)
	}
}

func TestBestAccuracy(t *testing.T) {
	// tp - fp over the thresholds: 0 (none), 1, 2, 1, 1, 0: best at 0.8, accuracy 5/6.
	b := mustROC(t, sixItems()).BestAccuracy()
	if b.Threshold != 0.8 || b.TP != 2 || b.FP != 0 {
		t.Errorf("best = %+v, want threshold 0.8", b)
	}
	checkNear(t, "accuracy", b.Accuracy, 5.0/6, 0)
	// Accepting nothing is best: a finite threshold just above the top score.
	b = mustROC(t, []Scored{{"a", true, 0.1}, {"b", false, 0.9}, {"c", false, 0.8}}).BestAccuracy()
	if b.TP+b.FP != 0 || !(b.Threshold > 0.9) || math.IsInf(b.Threshold, 0) {
		t.Errorf("best = %+v, want nothing accepted at a finite threshold above 0.9", b)
	}
	checkNear(t, "accuracy", b.Accuracy, 2.0/3, 0)
}

func TestOutcomes(t *testing.T) {
	r := mustROC(t, sixItems())
	ids := func(s []Scored) []string {
		var out []string
		for _, it := range s {
			out = append(out, it.ID)
		}
		return out
	}
	o := r.Outcomes(0.5)
	for name, c := range map[string][2][]string{
		"TP": {ids(o.TP), {"p1", "p2"}},
		"FP": {ids(o.FP), {"n1"}},
		"TN": {ids(o.TN), {"n3", "n2"}}, // lowest score first
		"FN": {ids(o.FN), {"p3"}},
	} {
		if !slices.Equal(c[0], c[1]) {
			t.Errorf("%s = %v, want %v", name, c[0], c[1])
		}
	}
	// Equal scores keep ID order in both directions.
	r = mustROC(t, []Scored{{"c", false, 0.3}, {"a", false, 0.3}, {"b", false, 0.3}, {"z", true, 0.9}, {"y", true, 0.9}})
	o = r.Outcomes(0.5)
	if got := ids(o.TN); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("TN = %v", got)
	}
	if got := ids(o.TP); !slices.Equal(got, []string{"y", "z"}) {
		t.Errorf("TP = %v", got)
	}
}

func TestROCErrors(t *testing.T) {
	for name, items := range map[string][]Scored{
		"empty":         nil,
		"only positive": {{"a", true, 1}},
		"only negative": {{"a", false, 1}, {"b", false, 2}},
		"nan":           {{"a", true, math.NaN()}, {"b", false, 1}},
		"inf":           {{"a", true, math.Inf(-1)}, {"b", false, 1}},
	} {
		if _, err := NewROC(items); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
