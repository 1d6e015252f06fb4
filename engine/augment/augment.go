package augment

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/hark-audio/hark/features"
)

// Config says which augmentations to apply and how strongly. The zero value applies none.
type Config struct {
	// NoiseProb is the probability that a clip gets background noise; NoiseMax the largest
	// volume (the noise clip's scale factor), drawn uniformly from [0, NoiseMax].
	NoiseProb float64 `json:"noise_prob,omitempty"`
	NoiseMax  float64 `json:"noise_max,omitempty"`
	// Shift is the largest time shift in seconds, either way; the gap is filled with zeros.
	Shift float64 `json:"shift,omitempty"`
	// GainDB is the largest gain in decibels, drawn uniformly from [-GainDB, +GainDB].
	GainDB float64 `json:"gain_db,omitempty"`
	// TimeMasks and FreqMasks are how many SpecAugment masks to apply, of up to TimeMaskWidth
	// frames and FreqMaskWidth bins each.
	TimeMasks     int `json:"time_masks,omitempty"`
	TimeMaskWidth int `json:"time_mask_width,omitempty"`
	FreqMasks     int `json:"freq_masks,omitempty"`
	FreqMaskWidth int `json:"freq_mask_width,omitempty"`
}

// Validate reports the first field that cannot work, naming it and its value.
func (c Config) Validate() error {
	switch {
	case !(c.NoiseProb >= 0 && c.NoiseProb <= 1):
		return fmt.Errorf("noise_prob %g: must be between 0 and 1", c.NoiseProb)
	case !(c.NoiseMax >= 0) || math.IsInf(c.NoiseMax, 0):
		return fmt.Errorf("noise_max %g: must be finite and not negative", c.NoiseMax)
	case !(c.Shift >= 0) || math.IsInf(c.Shift, 0):
		return fmt.Errorf("shift %g: must be finite and not negative (seconds)", c.Shift)
	case !(c.GainDB >= 0) || c.GainDB > 200:
		return fmt.Errorf("gain_db %g: must be between 0 and 200", c.GainDB)
	case c.TimeMasks < 0 || c.TimeMaskWidth < 0:
		return fmt.Errorf("time masks %d of width %d: must not be negative", c.TimeMasks, c.TimeMaskWidth)
	case c.FreqMasks < 0 || c.FreqMaskWidth < 0:
		return fmt.Errorf("frequency masks %d of width %d: must not be negative", c.FreqMasks, c.FreqMaskWidth)
	case c.TimeMasks > 0 && c.TimeMaskWidth == 0:
		return fmt.Errorf("time_masks %d: needs a time_mask_width", c.TimeMasks)
	case c.FreqMasks > 0 && c.FreqMaskWidth == 0:
		return fmt.Errorf("freq_masks %d: needs a freq_mask_width", c.FreqMasks)
	}
	return nil
}

// Noise reports whether noise is mixed in at all.
func (c Config) Noise() bool { return c.NoiseProb > 0 && c.NoiseMax > 0 }

// WaveLevel reports whether Wave changes clips (noise, shift or gain): features must then be
// computed from each augmented clip rather than read from the feature cache.
func (c Config) WaveLevel() bool { return c.Noise() || c.Shift > 0 || c.GainDB > 0 }

// Masks reports whether Mask changes feature matrices.
func (c Config) Masks() bool { return c.TimeMasks > 0 || c.FreqMasks > 0 }

// NewRand returns the generator for one stream of a seed: a PCG seeded with (seed, stream).
// A training loop that draws item i of epoch e from NewRand(seed, e<<32|i) augments every item
// the same way whatever the order or the number of workers.
func NewRand(seed, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) }

// WaveDraw is what Wave drew, for display and tests.
type WaveDraw struct {
	Shift       int     // samples; positive delays the clip, negative advances it
	GainDB      float64 // the gain applied (0 when GainDB is off)
	Noise       int     // index of the noise clip mixed in, -1 for none
	NoiseOffset int     // first sample of the noise clip used
	NoiseVolume float64 // its scale factor
}

// Describe says what was drawn in a few words, for clips at sr Hz ("shift -12.5 ms, gain
// +1.3 dB, noise 2 at 0.061").
func (d WaveDraw) Describe(sr int) string {
	var parts []string
	if d.Shift != 0 && sr > 0 {
		parts = append(parts, fmt.Sprintf("shift %+.1f ms", 1000*float64(d.Shift)/float64(sr)))
	}
	if d.GainDB != 0 {
		parts = append(parts, fmt.Sprintf("gain %+.1f dB", d.GainDB))
	}
	if d.Noise >= 0 {
		parts = append(parts, fmt.Sprintf("noise %d at %.3f", d.Noise, d.NoiseVolume))
	}
	if len(parts) == 0 {
		return "unchanged"
	}
	return strings.Join(parts, ", ")
}

// Wave writes the augmented y (mono samples at sr Hz) to dst, resized or allocated when nil or
// too small, and returns it with what was drawn. dst may be y itself. In order, and drawing only
// for the steps that are on: the shift (uniform over whole samples in ±Shift seconds, zero
// fill); the gain (uniform in ±GainDB dB; each sample is multiplied by the float32 of
// 10^(dB/20)); the noise (with probability NoiseProb: a noise clip chosen uniformly, a start
// uniform among those where the clip covers y, or anywhere when it is shorter and then loops,
// and a volume uniform in [0, NoiseMax]). When any of them changed the clip, samples are
// clipped to [-1, 1]. Noise clips must be at sr Hz and not empty; with none, no noise is mixed.
func Wave(dst, y []float32, sr int, cfg Config, noise [][]float32, rng *rand.Rand) ([]float32, WaveDraw) {
	n := len(y)
	if cap(dst) < n {
		dst = make([]float32, n)
	}
	dst = dst[:n]
	d := WaveDraw{Noise: -1}
	if cfg.Shift > 0 {
		most := int(math.Round(cfg.Shift * float64(sr)))
		d.Shift = rng.IntN(2*most+1) - most
	}
	shift(dst, y, d.Shift)
	if !cfg.WaveLevel() {
		return dst, d
	}
	if cfg.GainDB > 0 {
		d.GainDB = (2*rng.Float64() - 1) * cfg.GainDB
		g := float32(math.Pow(10, d.GainDB/20))
		for i := range dst {
			dst[i] *= g
		}
	}
	if cfg.Noise() && len(noise) > 0 && rng.Float64() < cfg.NoiseProb {
		d.Noise = rng.IntN(len(noise))
		nz := noise[d.Noise]
		if len(nz) >= n {
			d.NoiseOffset = rng.IntN(len(nz) - n + 1)
		} else {
			d.NoiseOffset = rng.IntN(len(nz))
		}
		d.NoiseVolume = rng.Float64() * cfg.NoiseMax
		v := float32(d.NoiseVolume)
		j := d.NoiseOffset
		for i := range dst {
			dst[i] += v * nz[j]
			if j++; j == len(nz) {
				j = 0
			}
		}
	}
	for i, s := range dst {
		dst[i] = max(-1, min(1, s))
	}
	return dst, d
}

// shift writes y delayed by s samples (advanced when s < 0) into dst, zero-filling the gap; dst
// and y may be the same slice.
func shift(dst, y []float32, s int) {
	n := len(y)
	switch {
	case s >= n || -s >= n:
		clear(dst)
	case s >= 0:
		copy(dst[s:], y[:n-s])
		clear(dst[:s])
	default:
		copy(dst, y[-s:])
		clear(dst[n+s:])
	}
}

// Span is a run of frames or bins: [Start, Start+Width).
type Span struct{ Start, Width int }

// MaskDraw is what Mask drew: the spans set, and the value they were set to.
type MaskDraw struct {
	Time, Freq []Span
	Value      float32
}

// Mask applies cfg's SpecAugment masks to m in place: TimeMasks runs of columns (frames), then
// FreqMasks runs of rows (bins), each of a width uniform in [0, width] (capped at the matrix's
// size) at a start uniform among those where it fits. Masked cells are set to the mean of m
// before masking, which is 0 once features are standardised and a neutral level (rather than a
// loud 0 dB) before. Masks may overlap.
func Mask(m *features.Matrix, cfg Config, rng *rand.Rand) MaskDraw {
	var d MaskDraw
	if !cfg.Masks() || len(m.Data) == 0 {
		return d
	}
	var sum float64
	for _, v := range m.Data {
		sum += float64(v)
	}
	d.Value = float32(sum / float64(len(m.Data)))
	for range cfg.TimeMasks {
		sp := span(rng, cfg.TimeMaskWidth, m.Cols)
		d.Time = append(d.Time, sp)
		for r := range m.Rows {
			row := m.Row(r)
			for c := sp.Start; c < sp.Start+sp.Width; c++ {
				row[c] = d.Value
			}
		}
	}
	for range cfg.FreqMasks {
		sp := span(rng, cfg.FreqMaskWidth, m.Rows)
		d.Freq = append(d.Freq, sp)
		for r := sp.Start; r < sp.Start+sp.Width; r++ {
			row := m.Row(r)
			for c := range row {
				row[c] = d.Value
			}
		}
	}
	return d
}

func span(rng *rand.Rand, width, size int) Span {
	w := rng.IntN(min(width, size) + 1)
	return Span{Start: rng.IntN(size - w + 1), Width: w}
}
