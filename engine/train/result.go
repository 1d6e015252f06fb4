package train

import (
	"github.com/hark-audio/hark/engine/eval"
)

// Result is a finished run's evaluation, in the shape `hark train --json` prints
// (../shared/CLI.md). Values that are undefined (a correlation of a constant) are NaN in Go
// and null in JSON (see Floats).
type Result struct {
	RunID string `json:"run_id"`
	Task  string `json:"task"`
	// Split is the split evaluated ("test", or "val" when there is none).
	Split   string   `json:"split"`
	Classes []string `json:"classes,omitempty"`
	// Metrics holds accuracy, macro_f1, weighted_f1 (classification and pairs), loss, and for
	// regression mean_spearman; for segmented data clip_accuracy (votes per clip).
	Metrics Floats      `json:"metrics"`
	Report  []ReportRow `json:"report,omitempty"`
	// Confusion has rows = true, columns = predicted, in the order of Classes.
	Confusion [][]int `json:"confusion,omitempty"`
	// Spearman, Pearson and MSE are per regression target.
	Spearman Floats `json:"spearman,omitempty"`
	Pearson  Floats `json:"pearson,omitempty"`
	MSE      Floats `json:"mse,omitempty"`
	// AUC, EER and Threshold are for pairs and binary tasks; Threshold is the score above which
	// a pair is "same" (the EER operating point).
	AUC       *float64 `json:"auc,omitempty"`
	EER       *float64 `json:"eer,omitempty"`
	Threshold *float64 `json:"threshold,omitempty"`

	Epochs           int     `json:"epochs"`
	BestEpoch        int     `json:"best_epoch"`
	TrainSeconds     float64 `json:"train_seconds"`
	SamplesPerSecond float64 `json:"samples_per_second"`
	// Model is the saved best model (architecture, weights, classes, features, normalisation).
	Model string `json:"model,omitempty"`
	// Session is the session file the run was recorded in, when there is one.
	Session string `json:"session,omitempty"`
	// Problems are the files and items left out ("path: reason"), as in RunStarted.
	Problems []string `json:"problems,omitempty"`

	// Predictions are one row per evaluated item (id, true, predicted, score), the error index's
	// and --predictions' source.
	Predictions []eval.Row `json:"-"`
	// Items are the classified items with every class probability, for the error index.
	Items []eval.Classified `json:"-"`
}

// ReportRow is one line of the classification report, including the accuracy and the macro
// and weighted averages as rows named "accuracy", "macro avg" and "weighted avg".
type ReportRow struct {
	Class     string  `json:"class"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"`
}
