package eval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The cross-check: random seeded cases, scored here and by scikit-learn/SciPy in one Python run,
// compared to 1e-12 (and the report text exactly).
//
// It needs a python3 that imports sklearn and scipy (Debian: python3-sklearn python3-scipy). It
// tries $HARK_PYTHON, then python3 on PATH, then /usr/bin/python3 (pyenv shims often shadow the
// system interpreter that has the Debian packages), and skips when none works.

const crossTol = 1e-12

func findPython(t *testing.T) string {
	t.Helper()
	var tried []string
	for _, cand := range []string{os.Getenv("HARK_PYTHON"), "python3", "/usr/bin/python3"} {
		if cand == "" {
			continue
		}
		path, err := exec.LookPath(cand)
		if err != nil {
			tried = append(tried, cand+" (not found)")
			continue
		}
		if err := exec.Command(path, "-c", "import sklearn, scipy").Run(); err != nil {
			tried = append(tried, path+" (no sklearn/scipy)")
			continue
		}
		return path
	}
	t.Skipf("skipping the scikit-learn cross-check: no python3 with sklearn and scipy (tried %s); "+
		"install the Debian packages python3-sklearn python3-scipy or set HARK_PYTHON", strings.Join(tried, ", "))
	return ""
}

// crossScript reads the cases as JSON on stdin and writes scikit-learn's and SciPy's numbers as
// JSON on stdout; NaN becomes null.
const crossScript = `
import json, sys, warnings
import numpy as np
from scipy import stats
from scipy.optimize import brentq
from sklearn import metrics as M
warnings.simplefilter("ignore")

def f(x):
    x = float(x)
    return None if x != x else x

def fl(a):
    return [f(x) for x in a]

cases = json.load(sys.stdin)
import sklearn, scipy
out = {"versions": [sklearn.__version__, scipy.__version__], "cls": [], "reg": [], "roc": []}
for c in cases["cls"]:
    yt, yp, labels = c["true"], c["pred"], c["labels"]
    p, r, f1, s = M.precision_recall_fscore_support(yt, yp, labels=labels, average=None, zero_division=0)
    avg = {}
    for a in ("micro", "macro", "weighted"):
        avg[a] = fl(M.precision_recall_fscore_support(yt, yp, labels=labels, average=a, zero_division=0)[:3])
    cm_labels = labels if labels is not None else sorted(set(yt) | set(yp))
    try:
        cm = M.confusion_matrix(yt, yp, labels=cm_labels).tolist()
    except ValueError:
        cm = None  # scikit-learn refuses a label list with no true label in it
    out["cls"].append({
        "p": fl(p), "r": fl(r), "f": fl(f1), "s": [int(x) for x in s], "float_support": s.dtype.kind == "f",
        "avg": avg,
        "acc": f(M.accuracy_score(yt, yp)),
        "bal": f(M.balanced_accuracy_score(yt, yp)),
        "kappa": f(M.cohen_kappa_score(yt, yp)),
        "cm": cm,
        "text2": M.classification_report(yt, yp, labels=labels, zero_division=0),
        "textd": M.classification_report(yt, yp, labels=labels, zero_division=0, digits=c["digits"]),
    })
for c in cases["reg"]:
    x, y = np.array(c["true"]), np.array(c["pred"])
    out["reg"].append({
        "spearman": f(stats.spearmanr(x, y).correlation),
        "pearson": f(stats.pearsonr(x, y)[0]),
        "mse": f(M.mean_squared_error(x, y)),
        "mae": f(M.mean_absolute_error(x, y)),
        "r2": f(M.r2_score(x, y)),
    })
for c in cases["roc"]:
    y, s = np.array(c["pos"], dtype=bool), np.array(c["score"])
    fpr, tpr, thr = M.roc_curve(y, s, drop_intermediate=False)
    # EER by root finding, independently of the closed form: along the polyline parameter u
    # (point index, fractional between points), FRR - FAR falls from 1 to -1.
    idx = np.arange(len(fpr), dtype=float)
    u = brentq(lambda u: (1 - np.interp(u, idx, tpr)) - np.interp(u, idx, fpr), 0.0, idx[-1], xtol=1e-14)
    # Accuracy at accept-nothing, then at every distinct score, descending; the first maximum.
    accs = [M.accuracy_score(y, np.zeros_like(y))] + [M.accuracy_score(y, s >= t) for t in thr[1:]]
    best = int(np.argmax(accs))
    out["roc"].append({
        "auc": f(M.roc_auc_score(y, s)), "fpr": fl(fpr), "tpr": fl(tpr), "thr": fl(thr[1:]),
        "eer": f(np.interp(u, idx, fpr)),
        "best_acc": f(accs[best]), "best_thr": None if best == 0 else f(thr[best]),
    })
json.dump(out, sys.stdout)
`

// nf is a JSON number where null means NaN.
type nf float64

func (x *nf) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*x = nf(math.NaN())
		return nil
	}
	var v float64
	err := json.Unmarshal(b, &v)
	*x = nf(v)
	return err
}

type clsCase struct {
	True   []string `json:"true"`
	Pred   []string `json:"pred"`
	Labels []string `json:"labels"`
	Digits int      `json:"digits"`
}

type regCase struct {
	True []float64 `json:"true"`
	Pred []float64 `json:"pred"`
}

type rocCase struct {
	Pos   []bool    `json:"pos"`
	Score []float64 `json:"score"`
}

type crossOut struct {
	Versions [2]string
	Cls      []crossCls
	Reg      []crossReg
	Roc      []crossROC
}

type crossCls struct {
	P, R, F      []nf
	S            []int
	FloatSupport bool `json:"float_support"`
	Avg          map[string][3]nf
	Acc, Bal     nf
	Kappa        nf
	CM           [][]int
	Text2, TextD string
}

type crossReg struct{ Spearman, Pearson, MSE, MAE, R2 nf }

type crossROC struct {
	AUC           nf
	FPR, TPR, Thr []nf
	EER           nf
	BestAcc       nf  `json:"best_acc"`
	BestThr       *nf `json:"best_thr"`
}

// crossNames are class names of different lengths, one longer than "weighted avg" and one not
// ASCII, so that the text report's column width is exercised.
func crossNames() []string {
	return []string{"a", "b", "cat", "dog", "Ünïcode", "a much longer class", "10"}
}

func genCls(rng *rand.Rand) clsCase {
	names := crossNames()
	pool := slices.Clone(names)
	rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	k := 1 + rng.IntN(len(pool))
	trueSet := pool[:max(1, k-rng.IntN(2))] // sometimes a label only predictions use
	n := 1 + rng.IntN(40)
	c := clsCase{Digits: rng.IntN(6)}
	for range n {
		t := trueSet[rng.IntN(len(trueSet))]
		p := t
		if rng.Float64() < 0.5 {
			p = pool[rng.IntN(k)]
		}
		c.True, c.Pred = append(c.True, t), append(c.Pred, p)
	}
	switch rng.IntN(3) {
	case 1: // the data's own labels, in a shuffled order
		c.Labels = uniqueSorted(c.True, c.Pred)
		rng.Shuffle(len(c.Labels), func(i, j int) { c.Labels[i], c.Labels[j] = c.Labels[j], c.Labels[i] })
	case 2: // a random non-empty selection of all names, present or not
		perm := rng.Perm(len(names))
		for _, i := range perm[:1+rng.IntN(len(perm))] {
			c.Labels = append(c.Labels, names[i])
		}
	}
	return c
}

func genReg(rng *rand.Rand) regCase {
	n := 2 + rng.IntN(40)
	var c regCase
	levels := 0 // continuous values, or ties among a few levels
	if rng.IntN(2) == 0 {
		levels = 1 + rng.IntN(5)
	}
	val := func() float64 {
		if levels > 0 {
			return float64(rng.IntN(levels))
		}
		return rng.NormFloat64()
	}
	for range n {
		t := val()
		c.True = append(c.True, t)
		c.Pred = append(c.Pred, 0.5*t+val())
	}
	return c
}

func genROC(rng *rand.Rand) rocCase {
	n := 2 + rng.IntN(60)
	var c rocCase
	tied := rng.IntN(2) == 0
	for i := range n {
		pos := i == 0 || (i > 1 && rng.IntN(2) == 0) // item 0 positive, item 1 negative
		s := rng.Float64()
		if pos {
			s += 0.3
		}
		if tied {
			s = math.Round(s*5) / 5
		}
		c.Pos, c.Score = append(c.Pos, pos), append(c.Score, s)
	}
	return c
}

func TestCrossCheckSklearn(t *testing.T) {
	py := findPython(t)
	rng := rand.New(rand.NewPCG(20240607, 1))
	in := struct {
		Cls []clsCase `json:"cls"`
		Reg []regCase `json:"reg"`
		Roc []rocCase `json:"roc"`
	}{}
	for range 300 {
		in.Cls = append(in.Cls, genCls(rng))
		in.Reg = append(in.Reg, genReg(rng))
		in.Roc = append(in.Roc, genROC(rng))
	}
	js, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", crossScript)
	cmd.Stdin = bytes.NewReader(js)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	var out crossOut
	if err := json.Unmarshal(stdout, &out); err != nil {
		t.Fatalf("python output: %v", err)
	}
	quirks, ties := 0, 0
	for i, c := range in.Cls {
		quirk, tie := checkCls(t, fmt.Sprintf("classification case %d %+v", i, c), c, out.Cls[i])
		if quirk {
			quirks++
		}
		if tie {
			ties++
		}
	}
	for i, c := range in.Reg {
		checkReg(t, fmt.Sprintf("regression case %d", i), c, out.Reg[i])
	}
	for i, c := range in.Roc {
		checkROC(t, fmt.Sprintf("ROC case %d", i), c, out.Roc[i])
	}
	t.Logf("scikit-learn %s, SciPy %s: %d classification, %d regression, %d ROC cases agree to %g; "+
		"%d reports needed the float-support normalisation, %d print a rounding tie differently",
		out.Versions[0], out.Versions[1], len(in.Cls), len(in.Reg), len(in.Roc), crossTol, quirks, ties)
}

func checkCls(t *testing.T, name string, c clsCase, sk crossCls) (quirk, tieDiffers bool) {
	t.Helper()
	r, err := NewReport(c.True, c.Pred, c.Labels)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return false, false
	}
	for j, m := range r.Classes {
		if !near(m.Precision, float64(sk.P[j]), crossTol) || !near(m.Recall, float64(sk.R[j]), crossTol) ||
			!near(m.F1, float64(sk.F[j]), crossTol) || m.Support != sk.S[j] {
			t.Errorf("%s: row %d = %+v, sklearn %v %v %v %v", name, j, m, sk.P[j], sk.R[j], sk.F[j], sk.S[j])
		}
	}
	for avg, got := range map[string]Average{"micro": r.Micro, "macro": r.Macro, "weighted": r.Weighted} {
		w := sk.Avg[avg]
		if !near(got.Precision, float64(w[0]), crossTol) || !near(got.Recall, float64(w[1]), crossTol) || !near(got.F1, float64(w[2]), crossTol) {
			t.Errorf("%s: %s = %+v, sklearn %v", name, avg, got, w)
		}
	}
	for what, v := range map[string][2]float64{
		"accuracy":          {r.Accuracy, float64(sk.Acc)},
		"balanced accuracy": {r.BalancedAccuracy, float64(sk.Bal)},
		"kappa":             {r.Kappa, float64(sk.Kappa)},
	} {
		if !near(v[0], v[1], crossTol) {
			t.Errorf("%s: %s = %v, sklearn %v", name, what, v[0], v[1])
		}
	}
	// The text is checked with scikit-learn's own numbers put into a copy of the report, so that the
	// formatting is compared exactly; the numbers themselves agree to crossTol above, and where one
	// of them prints differently it must sit on a rounding tie (10/16 = 0.625 prints as 0.62, while
	// scikit-learn < 1.3 computes 2PR/(P+R) = 0.6250000000000001 and prints 0.63).
	skr := *r
	skr.Classes = slices.Clone(r.Classes)
	for j := range skr.Classes {
		skr.Classes[j].Precision, skr.Classes[j].Recall, skr.Classes[j].F1 = float64(sk.P[j]), float64(sk.R[j]), float64(sk.F[j])
	}
	for _, a := range []struct {
		dst  *Average
		name string
	}{{&skr.Micro, "micro"}, {&skr.Macro, "macro"}, {&skr.Weighted, "weighted"}} {
		v := sk.Avg[a.name]
		a.dst.Precision, a.dst.Recall, a.dst.F1 = float64(v[0]), float64(v[1]), float64(v[2])
	}
	want2, wantD := sk.Text2, sk.TextD
	if sk.FloatSupport {
		// scikit-learn 1.2 prints supports as floats ("1.0") when no item among the listed labels is
		// predicted correctly (its multilabel_confusion_matrix then starts from np.zeros), a quirk
		// Hark does not copy: compare with the supports written as integers.
		floatSupport := regexp.MustCompile(`(?m) (\d+)\.0$`)
		want2, wantD = floatSupport.ReplaceAllString(want2, "   $1"), floatSupport.ReplaceAllString(wantD, "   $1")
		quirk = true
	}
	if got := skr.String(); got != want2 {
		t.Errorf("%s: text\n%s\nsklearn\n%s", name, got, want2)
	}
	if got := skr.Format(c.Digits); got != wantD {
		t.Errorf("%s: text with %d digits\n%s\nsklearn\n%s", name, c.Digits, got, wantD)
	}
	ours, theirs := reportValues(r), reportValues(&skr)
	for j := range ours {
		for _, d := range []int{2, c.Digits} {
			a, b := fmt.Sprintf("%.*f", d, ours[j]), fmt.Sprintf("%.*f", d, theirs[j])
			if a == b {
				continue
			}
			scaled := ours[j] * math.Pow(10, float64(d))
			if math.Abs(scaled-math.Floor(scaled)-0.5) > 1e-9 {
				t.Errorf("%s: value %d prints as %s, sklearn %s, and is not a rounding tie", name, j, a, b)
			}
			tieDiffers = true
		}
	}
	m, err := NewConfusion(c.True, c.Pred, c.Labels)
	if err != nil {
		t.Errorf("%s: confusion: %v", name, err)
	} else if sk.CM != nil && !equalInts(m.Counts, sk.CM) {
		t.Errorf("%s: confusion %v, sklearn %v", name, m.Counts, sk.CM)
	}
	return quirk, tieDiffers
}

func checkReg(t *testing.T, name string, c regCase, sk crossReg) {
	t.Helper()
	m, err := Regression("t", c.True, c.Pred)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	for what, v := range map[string][2]float64{
		"spearman": {m.Spearman, float64(sk.Spearman)},
		"pearson":  {m.Pearson, float64(sk.Pearson)},
		"mse":      {m.MSE, float64(sk.MSE)},
		"mae":      {m.MAE, float64(sk.MAE)},
		"r2":       {m.R2, float64(sk.R2)},
	} {
		if !near(v[0], v[1], crossTol) {
			t.Errorf("%s: %s = %.17g, SciPy/sklearn %.17g (true %v pred %v)", name, what, v[0], v[1], c.True, c.Pred)
		}
	}
}

func checkROC(t *testing.T, name string, c rocCase, sk crossROC) {
	t.Helper()
	items := make([]Scored, len(c.Pos))
	for i := range items {
		items[i] = Scored{fmt.Sprint(i), c.Pos[i], c.Score[i]}
	}
	r, err := NewROC(items)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	checkNear(t, name+" auc", r.AUC(), float64(sk.AUC), crossTol)
	curve := r.Curve()
	if len(curve) != len(sk.FPR) {
		t.Errorf("%s: %d curve points, sklearn %d", name, len(curve), len(sk.FPR))
		return
	}
	for j, p := range curve {
		if p.FPR != float64(sk.FPR[j]) || p.TPR != float64(sk.TPR[j]) || (j > 0 && p.Threshold != float64(sk.Thr[j-1])) {
			t.Errorf("%s: point %d = %+v, sklearn (%v, %v)", name, j, p, sk.FPR[j], sk.TPR[j])
		}
	}
	eer, _ := r.EER()
	checkNear(t, name+" eer", eer, float64(sk.EER), crossTol)
	best := r.BestAccuracy()
	checkNear(t, name+" best accuracy", best.Accuracy, float64(sk.BestAcc), crossTol)
	if sk.BestThr == nil {
		if best.TP+best.FP != 0 {
			t.Errorf("%s: best %+v, sklearn accepts nothing", name, best)
		}
	} else if best.Threshold != float64(*sk.BestThr) {
		t.Errorf("%s: best threshold %v, sklearn %v", name, best.Threshold, *sk.BestThr)
	}
}

// reportValues lists the report's printed numbers in order.
func reportValues(r *Report) []float64 {
	var v []float64
	for _, m := range r.Classes {
		v = append(v, m.Precision, m.Recall, m.F1)
	}
	for _, a := range []Average{r.Micro, r.Macro, r.Weighted} {
		v = append(v, a.Precision, a.Recall, a.F1)
	}
	return v
}
