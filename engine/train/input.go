package train

import (
	"fmt"

	"github.com/hark-audio/hark/features"
	"github.com/hark-audio/hark/models"
)

// Inputs turns feature matrices (bins x frames each, as librosa returns them; one per clip or
// segment) into a batch for m exactly as training and evaluation build theirs: each matrix
// transposed to time steps x bins, standardised with norm as fs.Normalize says, and cropped or
// zero-padded at the end to the model's frames; a recurrent model's batch carries each input's
// valid frames (as training's batches do, rather than leaving the model to infer them from
// trailing zeros). `hark predict` uses it, so that a file is predicted exactly as the same clip
// is evaluated.
func Inputs(m *models.Model, fs FeatureSpec, norm *models.Norm, mats []*features.Matrix) (models.Batch, error) {
	input := m.Spec().Input
	size := m.SampleSize()
	if len(input) == 0 || input[len(input)-1] == 0 {
		return models.Batch{}, fmt.Errorf("the model's input %v is not time steps x bins", input)
	}
	bins := input[len(input)-1]
	frames := size / bins
	if fs.Normalize == NormalizeNone {
		norm = nil
	}
	if norm != nil && (len(norm.Mean) != len(norm.Std) || len(norm.Mean) != 1 && len(norm.Mean) != bins) {
		return models.Batch{}, fmt.Errorf("normalisation statistics of %d values do not fit %d feature bins", len(norm.Mean), bins)
	}
	bt := models.Batch{X: make([]float32, 0, len(mats)*size)}
	recurrent := recurrentModel(m)
	for _, fm := range mats {
		x, err := transpose(fm)
		if err != nil {
			return models.Batch{}, err
		}
		if x.bins != bins {
			return models.Batch{}, fmt.Errorf("features of %d bins do not fit the model's input %v", x.bins, input)
		}
		bt.X = append(bt.X, fitFrames(x.data, x.frames, frames, bins, norm)...)
		if recurrent {
			bt.Lengths = append(bt.Lengths, min(x.frames, frames))
		}
	}
	return bt, nil
}

// fitFrames standardises the valid frames of x (time steps x bins) with norm (one statistic
// per bin, or one for all; nil leaves them) and pads with zeros or crops to frames frames.
func fitFrames(x []float32, valid, frames, bins int, norm *models.Norm) []float32 {
	out := make([]float32, frames*bins)
	n := min(valid, frames) * bins
	copy(out, x[:n])
	if norm != nil {
		k := len(norm.Mean)
		for j := range out[:n] {
			b := j % bins % k
			out[j] = (out[j] - norm.Mean[b]) / norm.Std[b]
		}
	}
	return out
}
