package features

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas/gonum"
)

// MelNorm selects how librosa.filters.mel normalises each triangular filter.
type MelNorm int

const (
	// MelNormSlaney (the zero value, librosa's default norm='slaney') scales each filter by
	// 2/(f[i+2]-f[i]) so that its area, and so the energy per channel, is roughly constant.
	MelNormSlaney MelNorm = iota
	// MelNormNone leaves the triangles with unit peak (norm=None).
	MelNormNone
	// MelNormL1 divides each filter by the sum of its weights (norm=1).
	MelNormL1
	// MelNormL2 divides each filter by its Euclidean norm (norm=2).
	MelNormL2
	// MelNormInf divides each filter by its largest weight (norm=numpy.inf).
	MelNormInf
	// MelNormP divides each filter by its MelConfig.P-norm (norm=P, any P > 0).
	MelNormP
)

// String returns librosa's spelling of the norm.
func (n MelNorm) String() string {
	switch n {
	case MelNormSlaney:
		return "slaney"
	case MelNormNone:
		return "none"
	case MelNormL1:
		return "1"
	case MelNormL2:
		return "2"
	case MelNormInf:
		return "inf"
	case MelNormP:
		return "p"
	}
	return fmt.Sprintf("MelNorm(%d)", int(n))
}

// MelConfig describes a mel filterbank with librosa.filters.mel's parameters. The zero values of
// FMin (0 Hz), FMax (0 means SampleRate/2), HTK (false: the Slaney scale) and Norm (Slaney)
// are librosa's defaults.
type MelConfig struct {
	SampleRate int
	NFFT       int
	NMels      int
	FMin, FMax float64
	HTK        bool
	Norm       MelNorm
	// P is the exponent of MelNormP; it is ignored by the other norms.
	P float64
}

func (cfg MelConfig) fmax() float64 {
	if cfg.FMax == 0 {
		return float64(cfg.SampleRate) / 2
	}
	return cfg.FMax
}

func (cfg MelConfig) validate() error {
	switch {
	case cfg.SampleRate <= 0:
		return fmt.Errorf("features: mel filterbank sample rate %d: must be positive", cfg.SampleRate)
	case cfg.NFFT <= 0:
		return fmt.Errorf("features: mel filterbank n_fft %d: must be positive", cfg.NFFT)
	case cfg.NMels <= 0:
		return fmt.Errorf("features: mel filterbank n_mels %d: must be positive", cfg.NMels)
	case cfg.FMin < 0 || math.IsNaN(cfg.FMin) || math.IsInf(cfg.FMin, 0):
		return fmt.Errorf("features: mel filterbank fmin %g: must be finite and >= 0", cfg.FMin)
	case cfg.FMax < 0 || math.IsNaN(cfg.FMax) || math.IsInf(cfg.FMax, 0):
		return fmt.Errorf("features: mel filterbank fmax %g: must be finite and >= 0", cfg.FMax)
	case cfg.fmax() <= cfg.FMin:
		return fmt.Errorf("features: mel filterbank fmax %g: must exceed fmin %g", cfg.fmax(), cfg.FMin)
	case cfg.Norm < MelNormSlaney || cfg.Norm > MelNormP:
		return fmt.Errorf("features: mel filterbank norm %v: unknown", cfg.Norm)
	case cfg.Norm == MelNormP && !(cfg.P > 0):
		return fmt.Errorf("features: mel filterbank p-norm exponent %g: must be > 0", cfg.P)
	}
	return nil
}

// HzToMel converts a frequency to mels as librosa.hz_to_mel does: the Slaney scale (linear
// below 1 kHz, logarithmic above) or, with htk, 2595*log10(1 + f/700).
func HzToMel(f float64, htk bool) float64 {
	if htk {
		return 2595.0 * math.Log10(1.0+f/700.0)
	}
	const fSp = 200.0 / 3
	mels := f / fSp
	const minLogHz = 1000.0
	const minLogMel = minLogHz / fSp
	logstep := math.Log(6.4) / 27.0
	if f >= minLogHz {
		mels = minLogMel + math.Log(f/minLogHz)/logstep
	}
	return mels
}

// MelToHz is the inverse of HzToMel (librosa.mel_to_hz).
func MelToHz(m float64, htk bool) float64 {
	if htk {
		return 700.0 * (math.Pow(10.0, m/2595.0) - 1.0)
	}
	const fSp = 200.0 / 3
	freq := fSp * m
	const minLogHz = 1000.0
	const minLogMel = minLogHz / fSp
	logstep := math.Log(6.4) / 27.0
	if m >= minLogMel {
		freq = minLogHz * math.Exp(logstep*(m-minLogMel))
	}
	return freq
}

// MelFrequencies returns n frequencies equally spaced on the mel scale from fmin to fmax
// (librosa.mel_frequencies); a mel spectrogram's band i is centred at MelFrequencies(n+2)[i+1].
func MelFrequencies(n int, fmin, fmax float64, htk bool) []float64 {
	return mapSlice(linspace(HzToMel(fmin, htk), HzToMel(fmax, htk), n, true), func(m float64) float64 {
		return MelToHz(m, htk)
	})
}

// FFTFrequencies returns the centre frequency of each of the nfft/2+1 STFT bins
// (librosa.fft_frequencies, numpy.fft.rfftfreq(nfft, 1/sr)).
func FFTFrequencies(sr, nfft int) []float64 {
	val := 1.0 / (float64(nfft) * (1.0 / float64(sr)))
	f := make([]float64, nfft/2+1)
	for k := range f {
		f[k] = float64(k) * val
	}
	return f
}

// linspace reproduces numpy.linspace(start, stop, num, endpoint) value for value:
// start + i*step, with the last point set to stop when endpoint is true.
func linspace(start, stop float64, num int, endpoint bool) []float64 {
	if num <= 0 {
		return nil
	}
	div := num
	if endpoint {
		div = num - 1
	}
	out := make([]float64, num)
	delta := stop - start
	var step float64
	if div > 0 {
		step = delta / float64(div)
	}
	for i := range out {
		if step == 0 && div > 0 {
			out[i] = float64(i)/float64(div)*delta + start
		} else {
			out[i] = float64(i)*step + start
		}
	}
	if endpoint && num > 1 {
		out[num-1] = stop
	}
	return out
}

func mapSlice(s []float64, f func(float64) float64) []float64 {
	for i, v := range s {
		s[i] = f(v)
	}
	return s
}

// MelFilterbank returns librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk, norm) as an
// NMels x (NFFT/2+1) float32 matrix, rounded where librosa rounds: each triangle is stored in
// float32 before the Slaney scaling, which is computed in float64 and rounded again.
func MelFilterbank(cfg MelConfig) (*Matrix, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	nb := cfg.NFFT/2 + 1
	fftf := FFTFrequencies(cfg.SampleRate, cfg.NFFT)
	melf := MelFrequencies(cfg.NMels+2, cfg.FMin, cfg.fmax(), cfg.HTK)
	w := NewMatrix(cfg.NMels, nb)
	for i := 0; i < cfg.NMels; i++ {
		fd0 := melf[i+1] - melf[i]
		fd1 := melf[i+2] - melf[i+1]
		row := w.Row(i)
		for k, f := range fftf {
			lower := -(melf[i] - f) / fd0
			upper := (melf[i+2] - f) / fd1
			row[k] = float32(math.Max(0, math.Min(lower, upper)))
		}
		switch cfg.Norm {
		case MelNormSlaney:
			enorm := 2.0 / (melf[i+2] - melf[i])
			for k, v := range row {
				row[k] = float32(float64(v) * enorm)
			}
		case MelNormNone:
		default:
			normalizeRow(row, cfg.Norm, cfg.P)
		}
	}
	return w, nil
}

// normalizeRow divides row by its norm as librosa.util.normalize does (in float64, leaving rows
// whose norm is below the smallest normal float32 untouched).
func normalizeRow(row []float32, norm MelNorm, p float64) {
	var length float64
	switch norm {
	case MelNormInf:
		for _, v := range row {
			length = math.Max(length, math.Abs(float64(v)))
		}
	case MelNormL1:
		for _, v := range row {
			length += math.Abs(float64(v))
		}
	case MelNormL2:
		for _, v := range row {
			length += float64(v) * float64(v)
		}
		length = math.Sqrt(length)
	case MelNormP:
		for _, v := range row {
			length += math.Pow(math.Abs(float64(v)), p)
		}
		length = math.Pow(length, 1/p)
	}
	if length < minNormal32 {
		return
	}
	for k, v := range row {
		row[k] = float32(float64(v) / length)
	}
}

// minNormal32 is numpy.finfo(numpy.float32).tiny, librosa's default normalisation threshold.
const minNormal32 = 0x1p-126

// MelBank applies a mel filterbank to spectrograms. Each filter is stored as the run of bins
// where it is non-zero, so the cost is proportional to the filters' support rather than to
// NMels x bins. A MelBank is read-only after NewMelBank and safe for concurrent use.
type MelBank struct {
	cfg     MelConfig
	weights *Matrix
	lo, hi  []int // filter m is non-zero only on bins lo[m] <= k < hi[m]
}

// NewMelBank builds the filterbank of cfg (see MelFilterbank).
func NewMelBank(cfg MelConfig) (*MelBank, error) {
	w, err := MelFilterbank(cfg)
	if err != nil {
		return nil, err
	}
	b := &MelBank{cfg: cfg, weights: w, lo: make([]int, w.Rows), hi: make([]int, w.Rows)}
	for m := 0; m < w.Rows; m++ {
		b.lo[m], b.hi[m] = support(w.Row(m))
	}
	return b, nil
}

// support returns the smallest range [lo, hi) outside which row is zero.
func support[T float32 | float64](row []T) (lo, hi int) {
	lo, hi = 0, len(row)
	for lo < hi && row[lo] == 0 {
		lo++
	}
	for hi > lo && row[hi-1] == 0 {
		hi--
	}
	return lo, hi
}

// Config returns the bank's configuration.
func (b *MelBank) Config() MelConfig { return b.cfg }

// Weights returns the filterbank matrix (NMels x bins); callers must not modify it.
func (b *MelBank) Weights() *Matrix { return b.weights }

// Apply computes the mel spectrogram weights @ spec (librosa.feature.melspectrogram given S):
// spec is a bins x frames power (or magnitude) spectrogram, the result NMels x frames. dst is
// reused when its storage is large enough (nil allocates) and returned; it must not share
// storage with spec. Apply panics if spec.Rows is not NFFT/2+1, a programming error like a
// shape mismatch in gonum's mat.
func (b *MelBank) Apply(dst, spec *Matrix) *Matrix {
	nb := b.weights.Cols
	if spec.Rows != nb {
		panic(fmt.Sprintf("features: MelBank.Apply: spectrogram has %d rows, the filterbank expects %d bins", spec.Rows, nb))
	}
	t := spec.Cols
	dst = reuseMatrix(dst, b.weights.Rows, t)
	clear(dst.Data)
	if t == 0 {
		return dst
	}
	// Accumulate whole rows: out_m += w[m,k] * spec_k, vectorised by gonum's SIMD saxpy.
	// Each filter sums a few dozen non-negative terms at most, so float32 accumulation stays
	// within a few ulps, like librosa's own float32 matrix product.
	var impl gonum.Implementation
	for m := 0; m < b.weights.Rows; m++ {
		out := dst.Data[m*t : (m+1)*t]
		w := b.weights.Row(m)
		for k := b.lo[m]; k < b.hi[m]; k++ {
			if w[k] != 0 {
				impl.Saxpy(t, w[k], spec.Data[k*t:(k+1)*t], 1, out, 1)
			}
		}
	}
	return dst
}
