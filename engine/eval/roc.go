package eval

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
)

// Scored is one item of a binary or pair task: its identity, whether it is truly positive (for
// pairs: the same person, speaker or word) and the model's score, higher meaning more positive.
type Scored struct {
	ID       string
	Positive bool
	Score    float64
}

// ROC holds a binary task's items sorted by score, with cumulative counts at every distinct score,
// so that the rates at any threshold cost a binary search. An item is predicted positive (accepted)
// when its score is at least the threshold, as in scikit-learn's roc_curve.
type ROC struct {
	items []Scored  // by score descending, then ID ascending
	thr   []float64 // distinct scores, descending
	tp    []int     // tp[i]: positives with score >= thr[i]
	fp    []int     // fp[i]: negatives with score >= thr[i]
	pos   int
	neg   int
}

// Rates describes the decisions at one threshold. FAR (false accept rate) is FP / negatives, the
// ROC's false positive rate; FRR (false reject rate) is FN / positives, one minus its true
// positive rate.
type Rates struct {
	Threshold float64 `json:"threshold"`
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	TN        int     `json:"tn"`
	FN        int     `json:"fn"`
	FAR       float64 `json:"far"`
	FRR       float64 `json:"frr"`
	Accuracy  float64 `json:"accuracy"`
}

// Point is one point of the ROC curve.
type Point struct {
	Threshold float64 `json:"threshold"`
	FPR       float64 `json:"fpr"`
	TPR       float64 `json:"tpr"`
}

// NewROC sorts the items, O(n log n). It fails when a score is not finite or when the items do
// not include both a positive and a negative (the curve is undefined, as in scikit-learn).
func NewROC(items []Scored) (*ROC, error) {
	r := &ROC{items: slices.Clone(items)}
	for _, it := range items {
		if !finite(it.Score) {
			return nil, fmt.Errorf("eval: item %q has score %v, want a finite number", it.ID, it.Score)
		}
		if it.Positive {
			r.pos++
		} else {
			r.neg++
		}
	}
	if r.pos == 0 || r.neg == 0 {
		return nil, fmt.Errorf("eval: ROC needs positive and negative items, have %d positive and %d negative", r.pos, r.neg)
	}
	slices.SortFunc(r.items, func(a, b Scored) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	tp, fp := 0, 0
	for i, it := range r.items {
		if it.Positive {
			tp++
		} else {
			fp++
		}
		if i+1 == len(r.items) || r.items[i+1].Score != it.Score {
			r.thr = append(r.thr, it.Score)
			r.tp = append(r.tp, tp)
			r.fp = append(r.fp, fp)
		}
	}
	return r, nil
}

// counts returns the positives and negatives accepted at the threshold, O(log n). A NaN threshold
// accepts nothing, since no score is >= NaN.
func (r *ROC) counts(threshold float64) (tp, fp int) {
	if math.IsNaN(threshold) {
		return 0, 0
	}
	k := sort.Search(len(r.thr), func(i int) bool { return r.thr[i] < threshold })
	if k == 0 {
		return 0, 0
	}
	return r.tp[k-1], r.fp[k-1]
}

// rates builds the Rates for tp accepted positives and fp accepted negatives.
func (r *ROC) rates(threshold float64, tp, fp int) Rates {
	fn, tn := r.pos-tp, r.neg-fp
	return Rates{
		Threshold: threshold,
		TP:        tp, FP: fp, TN: tn, FN: fn,
		FAR:      float64(fp) / float64(r.neg),
		FRR:      float64(fn) / float64(r.pos),
		Accuracy: float64(tp+tn) / float64(r.pos+r.neg),
	}
}

// At returns the rates at a threshold, O(log n): the workbench calls it as a threshold moves.
func (r *ROC) At(threshold float64) Rates {
	tp, fp := r.counts(threshold)
	return r.rates(threshold, tp, fp)
}

// Curve returns the ROC curve at every distinct score, as scikit-learn's
// roc_curve(drop_intermediate=False): a first point (0, 0) with threshold +Inf (scikit-learn >= 1.3;
// older versions put max score + 1 there), then one point per distinct score, descending.
func (r *ROC) Curve() []Point {
	pts := make([]Point, 0, len(r.thr)+1)
	pts = append(pts, Point{Threshold: math.Inf(1)})
	for i, t := range r.thr {
		pts = append(pts, Point{t, float64(r.fp[i]) / float64(r.neg), float64(r.tp[i]) / float64(r.pos)})
	}
	return pts
}

// AUC is the area under the ROC curve by the trapezoid rule over the distinct scores, which is
// scikit-learn's roc_auc_score and the Mann-Whitney probability that a positive outscores a
// negative, ties counting one half. It is computed in integers and divided once.
func (r *ROC) AUC() float64 {
	var area2 int64 // twice the area, in units of one positive times one negative
	prevTP, prevFP := 0, 0
	for i := range r.thr {
		area2 += int64(r.fp[i]-prevFP) * int64(r.tp[i]+prevTP)
		prevTP, prevFP = r.tp[i], r.fp[i]
	}
	return float64(area2) / (2 * float64(r.pos) * float64(r.neg))
}

// EER returns the equal error rate and the operating point nearest to it.
//
// The ROC points (FAR, FRR) at the distinct scores, preceded by (0, 1) for a threshold above every
// score, are joined by straight lines; along them FAR rises and FRR falls, so the polyline crosses
// FAR = FRR exactly once, and the equal error rate is the error at that crossing (the linear
// interpolation that the usual brentq-on-interp1d recipe approximates; here it is solved in closed
// form). The crossing is generally between two scores, which no single threshold achieves, so op is
// the rates at whichever of the two bracketing thresholds has the smaller |FAR - FRR| (the lower
// threshold on a tie).
func (r *ROC) EER() (eer float64, op Rates) {
	// gap(i) = (FRR - FAR) * pos * neg, an integer; gap of the point above every score is pos*neg.
	gap := func(tp, fp int) int64 {
		return int64(r.pos-tp)*int64(r.neg) - int64(fp)*int64(r.pos)
	}
	prevTP, prevFP := 0, 0
	prevGap := int64(r.pos) * int64(r.neg)
	for i, t := range r.thr {
		g := gap(r.tp[i], r.fp[i])
		if g > 0 {
			prevTP, prevFP, prevGap = r.tp[i], r.fp[i], g
			continue
		}
		// The crossing lies on the segment from the previous point (gap > 0) to this one (gap <= 0).
		alpha := float64(prevGap) / float64(prevGap-g)
		eer = (float64(prevFP) + alpha*float64(r.fp[i]-prevFP)) / float64(r.neg)
		// At i == 0 the previous point is the one above every score, and -g <= pos*neg = prevGap
		// always holds there, so thr[i-1] below is only read for i > 0.
		if -g <= prevGap {
			return eer, r.rates(t, r.tp[i], r.fp[i])
		}
		return eer, r.rates(r.thr[i-1], prevTP, prevFP)
	}
	// Unreachable: the last point accepts everything, where gap = -pos*neg < 0.
	return math.NaN(), Rates{}
}

// BestAccuracy returns the rates at the threshold that maximises accuracy, trying every distinct
// score and a threshold just above the highest score (accept nothing); among equals the highest
// threshold wins, so the result is deterministic.
func (r *ROC) BestAccuracy() Rates {
	best := r.rates(math.Nextafter(r.thr[0], math.Inf(1)), 0, 0)
	for i, t := range r.thr {
		if r.tp[i]-r.fp[i] > best.TP-best.FP {
			best = r.rates(t, r.tp[i], r.fp[i])
		}
	}
	return best
}

// Outcomes are a binary task's items split by decision at a threshold. Each list starts with the
// most confident decision: TP and FP by score descending (the false accepts that scored highest
// first), TN and FN by score ascending (the false rejects that scored lowest first); equal scores
// are ordered by ID.
type Outcomes struct {
	Threshold      float64
	TP, FP, TN, FN []Scored
}

// Outcomes splits the items at the threshold, O(n).
func (r *ROC) Outcomes(threshold float64) Outcomes {
	tp, fp := r.counts(threshold)
	accepted := tp + fp
	o := Outcomes{Threshold: threshold}
	for _, it := range r.items[:accepted] {
		if it.Positive {
			o.TP = append(o.TP, it)
		} else {
			o.FP = append(o.FP, it)
		}
	}
	// Walk the rejected items from the lowest score up, one run of equal scores at a time, keeping
	// each run in ID order.
	rejected := r.items[accepted:]
	for end := len(rejected); end > 0; {
		start := end - 1
		for start > 0 && rejected[start-1].Score == rejected[end-1].Score {
			start--
		}
		for _, it := range rejected[start:end] {
			if it.Positive {
				o.FN = append(o.FN, it)
			} else {
				o.TN = append(o.TN, it)
			}
		}
		end = start
	}
	return o
}
