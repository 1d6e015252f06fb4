package common

import (
	"strconv"
	"strings"

	"github.com/hark-audio/hark/engine/eval"
	"github.com/hark-audio/hark/engine/train"
)

// Task names as results carry them.
const (
	TaskClassify = "classify"
	TaskRegress  = "regress"
	TaskPairs    = "pairs"
)

// PositiveLabel reports whether a pair's or binary item's true label means "same" (positive).
func PositiveLabel(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "same", "1", "true", "yes", "positive", "match", "pos":
		return true
	}
	return false
}

// PairScores returns a pair (or binary) result's scored items from its prediction rows: the
// true label says same or different (PositiveLabel), the score is the model's.
func PairScores(res *train.Result) []eval.Scored {
	if res == nil {
		return nil
	}
	out := make([]eval.Scored, 0, len(res.Predictions))
	for _, r := range res.Predictions {
		out = append(out, eval.Scored{ID: r.ID, Positive: PositiveLabel(r.True), Score: r.Score})
	}
	return out
}

// RegressionPoints returns the true and predicted values of a regression result's prediction
// rows whose true and predicted fields are numbers. Results carry one row per item for one
// target; for several targets a row's ID ends in "#target" and only target's rows are taken.
func RegressionPoints(res *train.Result, target string, targets int) (yTrue, yPred []float64) {
	if res == nil {
		return nil, nil
	}
	for _, r := range res.Predictions {
		if targets > 1 && !strings.HasSuffix(r.ID, "#"+target) {
			continue
		}
		t, err1 := strconv.ParseFloat(r.True, 64)
		p, err2 := strconv.ParseFloat(r.Pred, 64)
		if err1 == nil && err2 == nil {
			yTrue, yPred = append(yTrue, t), append(yPred, p)
		}
	}
	return yTrue, yPred
}
