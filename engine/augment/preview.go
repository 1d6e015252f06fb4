package augment

import (
	"fmt"

	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/features/audio"
)

// LoadNoise decodes noise clips as mono at sr Hz (0 keeps each file's rate), for Wave. Errors
// name the file.
func LoadNoise(paths []string, sr int) ([][]float32, error) {
	out := make([][]float32, len(paths))
	for i, p := range paths {
		y, _, err := audio.LoadMono(p, sr)
		if err != nil {
			return nil, fmt.Errorf("noise clip: %w", err)
		}
		if len(y) == 0 {
			return nil, fmt.Errorf("noise clip %s: no samples", p)
		}
		out[i] = y
	}
	return out, nil
}

// Comparison is one clip before and after augmentation, for the workbench.
type Comparison struct {
	SR             int       // the rate of both clips
	Original, Clip []float32 // the samples before and after Wave
	Before, After  *extract.Result
	Wave           WaveDraw
	// Masks holds what Mask drew on each of After's matrices (one, or one per VGGish example).
	Masks []MaskDraw
}

// Preview loads path as the feature configuration cfg reads it (at cfg.SR, VGGish at 16 kHz),
// augments it with aug using NewRand(seed, 0) and the noise clips at paths noise, and computes
// the features of both the original and the augmented clip; the masks are applied to the
// latter. The same arguments give the same Comparison.
func Preview(path string, cfg extract.Config, aug Config, seed uint64, noise []string) (*Comparison, error) {
	if err := aug.Validate(); err != nil {
		return nil, fmt.Errorf("augment: %w", err)
	}
	ex, err := extract.NewExtractor(cfg)
	if err != nil {
		return nil, err
	}
	sr := cfg.SR
	if cfg.Kind == "vggish" {
		sr = 16000
	}
	y, rate, err := audio.LoadMono(path, sr)
	if err != nil {
		return nil, err
	}
	var nz [][]float32
	if aug.Noise() {
		if nz, err = LoadNoise(noise, rate); err != nil {
			return nil, err
		}
	}
	cmp := &Comparison{SR: rate, Original: y}
	rng := NewRand(seed, 0)
	cmp.Clip, cmp.Wave = Wave(nil, y, rate, aug, nz, rng)
	if cmp.Before, err = ex.Samples(y, rate); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if cmp.After, err = ex.Samples(cmp.Clip, rate); err != nil {
		return nil, fmt.Errorf("%s (augmented): %w", path, err)
	}
	if m := cmp.After.Matrix; m != nil {
		cmp.Masks = append(cmp.Masks, Mask(m, aug, rng))
	}
	for _, m := range cmp.After.Examples {
		cmp.Masks = append(cmp.Masks, Mask(m, aug, rng))
	}
	return cmp, nil
}
