package train

import (
	"github.com/hark-audio/hark/engine/augment"
	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/models"
)

// SpecVersion is the version of the RunSpec format; a session stores it with every spec.
const SpecVersion = 1

// RunSpec is everything a run depends on, as plain data: the same RunSpec on the same binary
// gives the same metrics bit for bit. It is exactly what a session file stores, so replaying a
// run is Start(the recorded RunSpec). Zero values mean the documented defaults.
type RunSpec struct {
	Version int `json:"version"`
	// Name is a label for people (the workbench's run list, grid cells); it changes nothing.
	Name string `json:"name,omitempty"`
	// Dataset says which data, how to read it, and the content fingerprint it had.
	Dataset DatasetRef `json:"dataset"`
	// Task is classify, regress or pairs; "" is the catalog's own task. A catalog with labels
	// and regression targets (a manifest) can be trained either way.
	Task string `json:"task,omitempty"`
	// Split is a dataset.ParseSplitSpec string. "" is the dataset's own lists when every item
	// (or pair) has a list-defined subset, else a seeded stratified "random:0.8,0.1,0.1"; the
	// run records what it chose. When the split has no validation part (fsdd, lists without a
	// validation list), a seeded, stratified tenth of the training clips is held out for
	// validation (RunStarted.ValFrom says so). Cross-validation kinds are not a single run.
	Split string `json:"split,omitempty"`
	// Features is the feature configuration of every input.
	Features FeatureSpec `json:"features"`
	// Model is the network: a preset or a full architecture, optionally started from a trained
	// model (transfer learning).
	Model ModelRef `json:"model"`
	// Train is the optimisation: epochs, batch, optimizer, schedule, early stopping.
	Train TrainConfig `json:"train"`
	// Augment, when not nil, perturbs training inputs (never validation or test ones).
	Augment *AugmentSpec `json:"augment,omitempty"`
	// Seed drives every random choice: split, initialisation, shuffling, dropout, augmentation.
	Seed uint64 `json:"seed"`
}

// DatasetRef names a dataset and how to open it.
type DatasetRef struct {
	// Spec is the dataset.Spec the catalog is opened with (root, layout, rules, segments, pairs).
	Spec dataset.Spec `json:"spec"`
	// Fingerprint is a content hash of the items used (paths, sizes, labels), recorded when the
	// run starts; replay refuses to compare metrics when the data changed.
	Fingerprint string `json:"fingerprint,omitempty"`
}

// FeatureSpec is the feature configuration plus how features become fixed-size inputs.
type FeatureSpec struct {
	// Config is the extraction (kind, sample rate, n_fft, hop, mels, ...). Kind "image" reads
	// images (pairs of faces) as grayscale ImageSize x ImageSize; kind "npy" reads precomputed
	// matrices (.npy files of shape (bins, frames)). The zero value is mel-db with librosa's
	// defaults; fields whose zero value is invalid (n_fft, hop, n_mels, ...) get librosa's.
	Config extract.Config `json:"config"`
	// Frames pads (zeros, after normalisation, at the end) or crops every matrix to this many
	// frames; 0 means the longest in the training split (the run records it).
	Frames int `json:"frames,omitempty"`
	// Layout is how a matrix of (bins, frames) is fed: "image" (1 x frames x bins, for
	// convolutions; the default) or "sequence" (frames x bins, for recurrent layers).
	Layout string `json:"layout,omitempty"`
	// Normalize standardises each feature bin with statistics of the training split only
	// ("bin", the default for audio), over all values ("global", the default for images), or
	// not at all ("none"). The statistics are saved with the model (models.Norm: one mean and
	// deviation per bin, or a single one for "global").
	Normalize string `json:"normalize,omitempty"`
	// ImageSize is the side of the square grayscale image for image datasets (default 105).
	ImageSize int `json:"image_size,omitempty"`
}

// ModelRef is the network to train.
type ModelRef struct {
	// Preset is a models.PresetNames() name, adapted to the input shape and class count.
	Preset string `json:"preset,omitempty"`
	// Spec, when not nil, is a full architecture and wins over Preset.
	Spec *models.Spec `json:"spec,omitempty"`
	// From is a saved model (a checkpoint of an earlier run) to start from: its weights are
	// loaded, Freeze is applied and, when the task differs, its heads are replaced.
	From string `json:"from,omitempty"`
	// Freeze lists layer selectors (models.Model.Freeze) kept fixed while fine-tuning.
	Freeze []string `json:"freeze,omitempty"`
}

// TrainConfig is the optimisation.
type TrainConfig struct {
	// Epochs is the most epochs to run (default 30).
	Epochs int `json:"epochs,omitempty"`
	// Batch is the batch size (default 32).
	Batch int `json:"batch,omitempty"`
	// LR is the initial learning rate (default 1e-3).
	LR float64 `json:"lr,omitempty"`
	// Optimizer is the update rule: kind (adam, sgd, rmsprop), momentum, weight decay, clipping.
	Optimizer models.Optimizer `json:"optimizer"`
	// Schedule changes the learning rate between epochs.
	Schedule Schedule `json:"schedule"`
	// EarlyStop stops when the monitored value has not improved for Patience epochs and
	// restores the best weights.
	EarlyStop EarlyStop `json:"early_stop"`
	// Threads bounds the kernels' goroutines (0 = all cores); results do not depend on it.
	Threads int `json:"threads,omitempty"`
	// CheckpointEvery saves a resumable checkpoint every N epochs (0 = every epoch).
	CheckpointEvery int `json:"checkpoint_every,omitempty"`
}

// Schedule kinds.
const (
	ScheduleNone    = ""
	SchedulePlateau = "plateau"
	ScheduleStep    = "step"
)

// Schedule is a learning-rate schedule.
type Schedule struct {
	// Kind is "" (constant), "plateau" (reduce on plateau) or "step".
	Kind string `json:"kind,omitempty"`
	// Factor multiplies the rate on a plateau (default 0.1); Patience is the epochs without
	// improvement of Monitor before it does (default 10); MinLR bounds it below.
	Factor   float64 `json:"factor,omitempty"`
	Patience int     `json:"patience,omitempty"`
	Monitor  string  `json:"monitor,omitempty"`
	MinLR    float64 `json:"min_lr,omitempty"`
	// Step and Gamma: the rate is multiplied by Gamma (default 0.1) every Step epochs.
	Step  int     `json:"step,omitempty"`
	Gamma float64 `json:"gamma,omitempty"`
}

// EarlyStop configures early stopping. Patience 0 disables it.
type EarlyStop struct {
	// Monitor is "val_loss" (default) or "val_metric" (accuracy, mean Spearman, AUC).
	Monitor  string `json:"monitor,omitempty"`
	Patience int    `json:"patience,omitempty"`
}

// AugmentSpec configures training-time augmentation: engine/augment's Config (noise, shift,
// gain, SpecAugment masks); all draws come from the run's seed.
type AugmentSpec = augment.Config

// ParseRunSpec decodes a RunSpec from JSON, rejecting unknown fields and versions.
func ParseRunSpec(data []byte) (RunSpec, error) {
	var s RunSpec
	if err := strictUnmarshal(data, &s); err != nil {
		return RunSpec{}, err
	}
	if s.Version != SpecVersion {
		return RunSpec{}, &VersionError{Got: s.Version}
	}
	return s, nil
}
