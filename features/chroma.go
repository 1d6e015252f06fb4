package features

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas/gonum"
)

// ChromaConfig describes a chroma filterbank with librosa.filters.chroma's parameters and its
// defaults ctroct=5, octwidth=2, norm=2, base_c=True.
type ChromaConfig struct {
	SampleRate int
	NFFT       int
	// NChroma is the number of pitch classes; 0 means 12.
	NChroma int
	// Tuning is the deviation from A440 in fractions of a chroma bin. librosa.feature.chroma_stft
	// estimates it when given tuning=None; Hark takes it explicitly, 0 by default.
	Tuning float64
}

func (cfg ChromaConfig) nChroma() int {
	if cfg.NChroma == 0 {
		return 12
	}
	return cfg.NChroma
}

// ChromaFilterbank returns librosa.filters.chroma(sr, n_fft, n_chroma, tuning) as an
// NChroma x (NFFT/2+1) float32 matrix: Gaussian bumps in log frequency around each pitch
// class, each FFT bin's column normalised to unit L2 norm, weighted by a Gaussian over octaves
// centred on octave 5 (about 880 Hz) with a half-width of 2 octaves, rows starting at C.
// It is computed in float64 and rounded once, like librosa.
func ChromaFilterbank(cfg ChromaConfig) (*Matrix, error) {
	nc := cfg.nChroma()
	switch {
	case cfg.SampleRate <= 0:
		return nil, fmt.Errorf("features: chroma filterbank sample rate %d: must be positive", cfg.SampleRate)
	case cfg.NFFT < 2:
		return nil, fmt.Errorf("features: chroma filterbank n_fft %d: must be at least 2", cfg.NFFT)
	case nc < 1:
		return nil, fmt.Errorf("features: chroma filterbank n_chroma %d: must be positive", nc)
	case math.IsNaN(cfg.Tuning) || math.IsInf(cfg.Tuning, 0):
		return nil, fmt.Errorf("features: chroma filterbank tuning %g: must be finite", cfg.Tuning)
	}
	const ctroct, octwidth = 5.0, 2.0
	n := cfg.NFFT
	nb := n/2 + 1
	fnc := float64(nc)
	// frqbins[k]: bin k's frequency in chroma steps above A0 (27.5 Hz at tuning 0), from
	// numpy.linspace(0, sr, n_fft, endpoint=False); the 0 Hz bin gets a made-up value 1.5
	// octaves below bin 1. Columns up to nb are all that survive librosa's final slice, and
	// every step below is per column, so only those are computed (plus one for the bin widths).
	freqs := linspace(0, float64(cfg.SampleRate), n, false)
	a440 := 440.0 * math.Pow(2.0, cfg.Tuning/fnc)
	ncols := min(nb+1, n)
	frq := make([]float64, ncols)
	for k := 1; k < ncols; k++ {
		frq[k] = fnc * math.Log2(freqs[k]/(a440/16))
	}
	frq[0] = frq[1] - 1.5*fnc
	nc2 := math.RoundToEven(fnc / 2)
	w := NewMatrix(nc, nb)
	col := make([]float64, nc)
	for k := 0; k < nb; k++ {
		bw := 1.0
		if k+1 < n {
			bw = math.Max(frq[k+1]-frq[k], 1.0)
		}
		var norm float64
		for c := range col {
			// numpy.remainder: the result takes the sign of the divisor.
			d := math.Mod(frq[k]-float64(c)+nc2+10*fnc, fnc)
			if d < 0 {
				d += fnc
			}
			d -= nc2
			// Squares as numpy's **2 does them (x*x), not through Pow.
			v := 2 * d / bw
			v = math.Exp(-0.5 * (v * v))
			col[c] = v
			norm += v * v
		}
		norm = math.Sqrt(norm)
		if norm < minNormal32 {
			norm = 1
		}
		o := (frq[k]/fnc - ctroct) / octwidth
		oct := math.Exp(-0.5 * (o * o))
		// base_c: numpy.roll(wts, -3*(n_chroma//12), axis=0) moves row c+shift to row c.
		shift := 3 * (nc / 12)
		for c := range col {
			src := (c + shift) % nc
			w.Data[c*nb+k] = float32(col[src] / norm * oct)
		}
	}
	return w, nil
}

// chromaDropRatio: a weight below chromaDropRatio times its column's sum is skipped. With
// P >= 0 and W >= 0, what a pitch class loses is at most chromaDropRatio * sum_c chroma_c,
// which is at most NChroma * chromaDropRatio times the frame's largest class; after the
// per-frame max normalisation the error is below 2*NChroma*chromaDropRatio (2.4e-8 for 12
// classes, under half an ulp of float32 at 1), while high bins, whose bumps are narrower
// than a semitone, keep only about 7 of their 12 weights.
const chromaDropRatio = 1e-9

// ChromaBank applies a chroma filterbank and the per-frame normalisation of
// librosa.feature.chroma_stft. It is read-only after NewChromaBank and safe for concurrent use.
type ChromaBank struct {
	cfg     ChromaConfig
	weights *Matrix
	// For bin k, entries start[k]..start[k+1] of class and weight list its kept weights.
	start  []int
	class  []int
	weight []float32
}

// NewChromaBank builds the filterbank of cfg (see ChromaFilterbank).
func NewChromaBank(cfg ChromaConfig) (*ChromaBank, error) {
	w, err := ChromaFilterbank(cfg)
	if err != nil {
		return nil, err
	}
	b := &ChromaBank{cfg: cfg, weights: w, start: make([]int, w.Cols+1)}
	for k := 0; k < w.Cols; k++ {
		var sum float64
		for c := 0; c < w.Rows; c++ {
			sum += float64(w.Data[c*w.Cols+k])
		}
		for c := 0; c < w.Rows; c++ {
			if v := w.Data[c*w.Cols+k]; v != 0 && float64(v) >= chromaDropRatio*sum {
				b.class = append(b.class, c)
				b.weight = append(b.weight, v)
			}
		}
		b.start[k+1] = len(b.class)
	}
	return b, nil
}

// Config returns the bank's configuration.
func (b *ChromaBank) Config() ChromaConfig { return b.cfg }

// Weights returns the full filterbank matrix (NChroma x bins); callers must not modify it.
func (b *ChromaBank) Weights() *Matrix { return b.weights }

// Apply computes librosa.feature.chroma_stft from a bins x frames power spectrogram: the
// filterbank product, then each frame divided by its largest pitch class (norm=inf); frames
// whose largest class is below the smallest normal float32 (silence) are left as they are.
// dst is reused when its storage is large enough (nil allocates) and returned; it must not
// share storage with power. Apply panics if power.Rows is not NFFT/2+1, a programming error
// like a shape mismatch in gonum's mat.
func (b *ChromaBank) Apply(dst, power *Matrix) *Matrix {
	dst, _ = b.apply(dst, power, nil)
	return dst
}

// chromaBinBlock bins are summed in float32 before being added to the float64 totals.
const chromaBinBlock = 64

// apply is Apply with a reusable float64 scratch (NChroma x frames), returned for the next call.
func (b *ChromaBank) apply(dst, power *Matrix, acc []float64) (*Matrix, []float64) {
	nb, nc := b.weights.Cols, b.weights.Rows
	if power.Rows != nb {
		panic(fmt.Sprintf("features: ChromaBank.Apply: spectrogram has %d rows, the filterbank expects %d bins", power.Rows, nb))
	}
	t := power.Cols
	dst = reuseMatrix(dst, nc, t)
	acc = reuse(acc, nc*t)
	clear(acc)
	// Bin-major: each spectrogram row is read once and added into the classes it feeds with
	// gonum's SIMD saxpy, into float32 partial sums (dst) over blocks of chromaBinBlock bins
	// that are then added up in float64. The terms are non-negative, so each partial errs by
	// at most 64 ulps and typically a few, far below librosa's own float32 sums over all bins.
	var impl gonum.Implementation
	part := dst.Data
	for k0 := 0; k0 < nb; k0 += chromaBinBlock {
		clear(part)
		for k := k0; k < min(k0+chromaBinBlock, nb); k++ {
			x := power.Data[k*t : (k+1)*t]
			for i := b.start[k]; i < b.start[k+1]; i++ {
				c := b.class[i]
				impl.Saxpy(t, b.weight[i], x, 1, part[c*t:(c+1)*t], 1)
			}
		}
		for i, v := range part {
			acc[i] += float64(v)
		}
	}
	for j := 0; j < t; j++ {
		var m float64
		for c := 0; c < nc; c++ {
			m = max(m, math.Abs(acc[c*t+j]))
		}
		if float32(m) < minNormal32 {
			m = 1
		}
		for c := 0; c < nc; c++ {
			dst.Data[c*t+j] = float32(acc[c*t+j] / m)
		}
	}
	return dst, acc
}
