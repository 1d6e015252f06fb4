package eval

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// ClassMetrics is one row of the classification report.
type ClassMetrics struct {
	Class     string  `json:"class"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"` // items whose true label is Class
}

// Average is one averaged row of the classification report; Support is the sum of the classes'
// supports.
type Average struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"`
}

// Report holds scikit-learn's classification_report numbers with zero_division=0: a ratio whose
// denominator is zero is 0.
type Report struct {
	Classes []ClassMetrics `json:"report"`
	// Accuracy is the fraction of all items whose predicted label equals the true one
	// (accuracy_score), whatever the label list.
	Accuracy float64 `json:"accuracy"`
	// Micro is the micro average over the listed classes. When MicroIsAccuracy is true (no label
	// list was given, or it is exactly the set of labels in the data) it equals Accuracy and the
	// text report calls it "accuracy", as scikit-learn does; otherwise "micro avg".
	Micro           Average `json:"micro"`
	MicroIsAccuracy bool    `json:"micro_is_accuracy"`
	Macro           Average `json:"macro"`
	Weighted        Average `json:"weighted"`
	// BalancedAccuracy is balanced_accuracy_score: the mean recall over the labels that occur as
	// true labels, computed over all items whatever the label list.
	BalancedAccuracy float64 `json:"balanced_accuracy"`
	// Kappa is cohen_kappa_score (unweighted) over all items whatever the label list; it is NaN
	// when the agreement expected by chance is 1 (a single label everywhere), as in scikit-learn.
	Kappa float64 `json:"kappa"`
}

// NewReport computes the classification report of predicted against true labels. labels selects
// and orders the report's rows; nil means the sorted union of both columns (scikit-learn's
// unique_labels), so labels that only occur as predictions get a row with support 0. It fails when
// the columns differ in length or are empty, or labels is empty or holds a duplicate.
func NewReport(yTrue, yPred, labels []string) (*Report, error) {
	c, err := encode(yTrue, yPred, labels)
	if err != nil {
		return nil, err
	}
	k := len(c.labels)
	tp, nPred, nTrue := make([]int, k), make([]int, k), make([]int, k)
	for i, t := range c.t {
		p := c.p[i]
		if t >= 0 {
			nTrue[t]++
		}
		if p >= 0 {
			nPred[p]++
		}
		if t >= 0 && t == p {
			tp[t]++
		}
	}
	r := &Report{Classes: make([]ClassMetrics, k), MicroIsAccuracy: c.complete}
	var sumTP, sumPred, sumTrue int
	for i := range k {
		r.Classes[i] = ClassMetrics{
			Class:     c.labels[i],
			Precision: ratio(tp[i], nPred[i]),
			Recall:    ratio(tp[i], nTrue[i]),
			F1:        ratio(2*tp[i], nPred[i]+nTrue[i]),
			Support:   nTrue[i],
		}
		sumTP, sumPred, sumTrue = sumTP+tp[i], sumPred+nPred[i], sumTrue+nTrue[i]
	}
	// F1 = 2 TP / (2 TP + FP + FN) = 2 TP / (predicted + true): scikit-learn >= 1.3 computes it from
	// the counts like this; older versions agree to rounding.
	r.Micro = Average{ratio(sumTP, sumPred), ratio(sumTP, sumTrue), ratio(2*sumTP, sumPred+sumTrue), sumTrue}
	r.Macro.Support, r.Weighted.Support = sumTrue, sumTrue
	for _, m := range r.Classes {
		r.Macro.Precision += m.Precision
		r.Macro.Recall += m.Recall
		r.Macro.F1 += m.F1
		w := float64(m.Support)
		r.Weighted.Precision += m.Precision * w
		r.Weighted.Recall += m.Recall * w
		r.Weighted.F1 += m.F1 * w
	}
	r.Macro.Precision /= float64(k)
	r.Macro.Recall /= float64(k)
	r.Macro.F1 /= float64(k)
	if sumTrue > 0 {
		r.Weighted.Precision /= float64(sumTrue)
		r.Weighted.Recall /= float64(sumTrue)
		r.Weighted.F1 /= float64(sumTrue)
	}
	r.Accuracy, r.BalancedAccuracy, r.Kappa = agreement(yTrue, yPred)
	return r, nil
}

// ratio is num/den, or 0 when den is 0 (zero_division=0).
func ratio(num, den int) float64 {
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}

// agreement computes accuracy, balanced accuracy and Cohen's kappa over every label in the data,
// as scikit-learn does (these functions take no label list).
func agreement(yTrue, yPred []string) (accuracy, balanced, kappa float64) {
	c, _ := encode(yTrue, yPred, nil) // the columns were checked by the caller
	k := len(c.labels)
	rowSum, colSum, diag := make([]int64, k), make([]int64, k), make([]int64, k)
	var correct int64
	for i, t := range c.t {
		p := c.p[i]
		rowSum[t]++
		colSum[p]++
		if t == p {
			diag[t]++
			correct++
		}
	}
	n := int64(len(c.t))
	accuracy = float64(correct) / float64(n)
	classes := 0
	for i := range k {
		if rowSum[i] > 0 {
			balanced += float64(diag[i]) / float64(rowSum[i])
			classes++
		}
	}
	balanced /= float64(classes)
	// kappa = 1 - observed disagreement / expected disagreement, with both scaled by n^2 so that
	// they stay integers: observed n (n - correct), expected n^2 - sum_i row_i col_i.
	var chance int64
	for i := range k {
		chance += rowSum[i] * colSum[i]
	}
	if expected := n*n - chance; expected == 0 {
		kappa = math.NaN()
	} else {
		kappa = 1 - float64(n*(n-correct))/float64(expected)
	}
	return accuracy, balanced, kappa
}

// String formats the report exactly as scikit-learn's classification_report with digits=2.
func (r *Report) String() string { return r.Format(2) }

// Format formats the report exactly as scikit-learn's classification_report text with the given
// number of digits (a negative count is taken as 0).
func (r *Report) Format(digits int) string {
	digits = max(digits, 0)
	const lastHeading = "weighted avg"
	width := max(len(lastHeading), digits)
	for _, m := range r.Classes {
		width = max(width, utf8.RuneCountInString(m.Class))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%*s ", width, "")
	for _, h := range []string{"precision", "recall", "f1-score", "support"} {
		fmt.Fprintf(&b, " %9s", h)
	}
	b.WriteString("\n\n")
	row := func(name string, p, rc, f float64, s int) {
		fmt.Fprintf(&b, "%*s  %9.*f %9.*f %9.*f %9d\n", width, name, digits, p, digits, rc, digits, f, s)
	}
	for _, m := range r.Classes {
		row(m.Class, m.Precision, m.Recall, m.F1, m.Support)
	}
	b.WriteString("\n")
	if r.MicroIsAccuracy {
		fmt.Fprintf(&b, "%*s  %9s %9s %9.*f %9d\n", width, "accuracy", "", "", digits, r.Micro.F1, r.Micro.Support)
	} else {
		row("micro avg", r.Micro.Precision, r.Micro.Recall, r.Micro.F1, r.Micro.Support)
	}
	row("macro avg", r.Macro.Precision, r.Macro.Recall, r.Macro.F1, r.Macro.Support)
	row(lastHeading, r.Weighted.Precision, r.Weighted.Recall, r.Weighted.F1, r.Weighted.Support)
	return b.String()
}
