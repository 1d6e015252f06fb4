package train

import (
	"time"
)

// Event is one thing a run reports. Every event carries its run's ID; the concrete types are
// Preparing, RunStarted, BatchDone, EpochDone, EvalDone and RunFinished. Events are values: receivers may
// keep them.
type Event interface {
	RunID() string
}

// Header is what every event carries.
type Header struct {
	Run  string    `json:"run"`
	Time time.Time `json:"time"`
}

// RunID implements Event.
func (h Header) RunID() string { return h.Run }

// RunStarted is sent once, first: the resolved spec (defaults filled in, fingerprint set) and
// the facts of the data.
type RunStarted struct {
	Header
	Spec RunSpec `json:"spec"`
	// Task is classify, regress or pairs.
	Task string `json:"task"`
	// Classes are the class names in output order (classification); Targets the regression
	// targets.
	Classes []string `json:"classes,omitempty"`
	Targets []string `json:"targets,omitempty"`
	// Sizes counts the examples of each split ("train", "val", "test").
	Sizes map[string]int `json:"sizes"`
	// Input is one example's shape; Params the model's trainable parameters.
	Input  []int `json:"input"`
	Params int   `json:"params"`
	// ResumedFrom is the epoch a resumed run starts after (0 for a fresh run).
	ResumedFrom int `json:"resumed_from,omitempty"`
	// ValFrom says where the validation examples come from: "split" (the split's own),
	// "train" (a seeded, stratified tenth of the training part, when the split has none) or
	// "" (none).
	ValFrom string `json:"val_from,omitempty"`
	// Problems are the files and items that could not be used ("path: reason"), from opening
	// the dataset and from computing features; the run goes on without them.
	Problems []string `json:"problems,omitempty"`
}

// Preparing reports data preparation before RunStarted: Stage is "open" (scanning the
// dataset), "features" (audio features) or "images"; Done of Total units are finished. Like
// BatchDone, they are coalesced to about ten a second.
type Preparing struct {
	Header
	Stage string `json:"stage"`
	Done  int    `json:"done"`
	Total int    `json:"total"`
}

// BatchDone reports training progress within an epoch. The run coalesces them: at most about
// ten per second reach the channel, each with the latest numbers.
type BatchDone struct {
	Header
	Epoch   int     `json:"epoch"` // 1-based
	Batch   int     `json:"batch"` // batches done in this epoch
	Batches int     `json:"batches"`
	Loss    float64 `json:"loss"` // mean training loss of the epoch so far
	// SamplesPerSecond is the training throughput over the epoch so far.
	SamplesPerSecond float64 `json:"samples_per_second"`
}

// EpochDone reports one finished epoch.
type EpochDone struct {
	Header
	Epoch     int     `json:"epoch"` // 1-based
	Epochs    int     `json:"epochs"`
	TrainLoss float64 `json:"train_loss"`
	ValLoss   float64 `json:"val_loss"`
	// Metric names the task metric (accuracy, spearman, auc); TrainMetric and ValMetric are its
	// values on the training and validation splits.
	Metric      string  `json:"metric"`
	TrainMetric float64 `json:"train_metric"`
	ValMetric   float64 `json:"val_metric"`
	LR          float64 `json:"lr"`
	Seconds     float64 `json:"seconds"`
	// SamplesPerSecond is the training throughput of the epoch.
	SamplesPerSecond float64 `json:"samples_per_second"`
	// Best is the best epoch so far by the early-stopping monitor; Wait is the epochs since it
	// (early stopping fires when Wait reaches the patience).
	Best int `json:"best"`
	Wait int `json:"wait"`
	// Checkpoint is the file written after this epoch, if any.
	Checkpoint string `json:"checkpoint,omitempty"`
}

// EvalDone reports the evaluation of the final (best) model on a split.
type EvalDone struct {
	Header
	Split  string  `json:"split"` // "test", or "val" when there is no test split
	Result *Result `json:"result"`
}

// RunFinished is sent once, last. Err is "" on success; Stopped is true when the run was
// stopped by the user (its best model is still evaluated and saved).
type RunFinished struct {
	Header
	Err     string  `json:"error,omitempty"`
	Stopped bool    `json:"stopped,omitempty"`
	Result  *Result `json:"result,omitempty"`
}
