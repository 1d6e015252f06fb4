package train

import (
	"math"
	"testing"

	"github.com/hark-audio/hark/features"
	"github.com/hark-audio/hark/models"
)

func TestInputsLayoutNormalisationAndPadding(t *testing.T) {
	build := func(preset string, input []int) *models.Model {
		t.Helper()
		spec, err := models.Preset(preset, input, 2)
		if err != nil {
			t.Fatal(err)
		}
		m, err := models.Build(spec, models.Options{Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	// 2 bins x 3 frames, as librosa returns it (rows are bins).
	m := &features.Matrix{Rows: 2, Cols: 3, Data: []float32{1, 2, 3, 10, 20, 30}}
	perBin := &models.Norm{Mean: []float32{1, 10}, Std: []float32{2, 10}}
	image := build("mlp", []int{1, 4, 2})
	bt, err := Inputs(image, FeatureSpec{Normalize: NormalizeBin}, perBin, []*features.Matrix{m, m})
	want := []float32{0, 0, 0.5, 1, 1, 2, 0, 0} // frames x bins, the 4th frame zero padding
	if err != nil || len(bt.X) != 16 || !equalFloats(bt.X[:8], want) || !equalFloats(bt.X[8:], want) || bt.Lengths != nil {
		t.Errorf("padded: %v %v %v, want %v twice and no lengths", bt.X, bt.Lengths, err, want)
	}
	// Normalize none ignores the statistics; a recurrent model gets each input's valid frames.
	seq := build("bilstm", []int{4, 2})
	bt, err = Inputs(seq, FeatureSpec{Normalize: NormalizeNone}, perBin, []*features.Matrix{m})
	if want := []float32{1, 10, 2, 20, 3, 30, 0, 0}; err != nil || !equalFloats(bt.X, want) || len(bt.Lengths) != 1 || bt.Lengths[0] != 3 {
		t.Errorf("sequence: %v %v %v, want %v and length 3", bt.X, bt.Lengths, err, want)
	}
	// Cropped, one global statistic.
	bt, err = Inputs(build("mlp", []int{2, 2}), FeatureSpec{Normalize: NormalizeGlobal}, &models.Norm{Mean: []float32{0}, Std: []float32{10}}, []*features.Matrix{m})
	if want := []float32{0.1, 1, 0.2, 2}; err != nil || !equalFloats(bt.X, want) {
		t.Errorf("cropped, global: %v %v, want %v", bt.X, err, want)
	}
	for name, c := range map[string]struct {
		m    *models.Model
		norm *models.Norm
		mat  *features.Matrix
	}{
		"bins that do not fit":       {build("mlp", []int{1, 4, 3}), perBin, m},
		"statistics that do not fit": {image, &models.Norm{Mean: []float32{1, 2, 3}, Std: []float32{1, 1, 1}}, m},
		"no matrix":                  {image, perBin, nil},
		"a NaN":                      {image, perBin, &features.Matrix{Rows: 2, Cols: 1, Data: []float32{1, float32(math.NaN())}}},
	} {
		if _, err := Inputs(c.m, FeatureSpec{Normalize: NormalizeBin}, c.norm, []*features.Matrix{c.mat}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func equalFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-6 {
			return false
		}
	}
	return true
}
