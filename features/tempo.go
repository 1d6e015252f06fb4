package features

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/dsp/fourier"
)

// TempoOptions configure TempoEstimate. The zero value is librosa.feature.tempo's default:
// a log-normal prior centred on 120 BPM with a standard deviation of one octave, an 8 s
// autocorrelation window and nothing above 320 BPM.
type TempoOptions struct {
	// StartBPM centres the prior; 0 means 120.
	StartBPM float64
	// StdBPM is the prior's standard deviation in octaves; 0 means 1.
	StdBPM float64
	// ACSize is the autocorrelation window in seconds; 0 means 8.
	ACSize float64
	// MaxTempo excludes faster tempi; 0 means 320, math.Inf(1) means no limit.
	MaxTempo float64
}

func (o TempoOptions) withDefaults() TempoOptions {
	if o.StartBPM <= 0 {
		o.StartBPM = 120
	}
	if o.StdBPM <= 0 {
		o.StdBPM = 1
	}
	if o.ACSize <= 0 {
		o.ACSize = 8
	}
	if o.MaxTempo <= 0 {
		o.MaxTempo = 320
	}
	return o
}

// TempoWindow is the autocorrelation window, in frames, that covers acSize seconds:
// librosa.time_to_frames(acSize, sr=sr, hop_length=hop), i.e. floor(floor(acSize*sr)/hop).
// It is 0 when sr or hop is not positive.
func TempoWindow(sr, hop int, acSize float64) int {
	if sr <= 0 || hop <= 0 || !(acSize > 0) {
		return 0
	}
	return int(acSize*float64(sr)) / hop
}

// TempoFrequencies returns librosa.tempo_frequencies(n, sr=sr, hop_length=hop): the tempo in
// BPM of each autocorrelation lag, 60*sr/(hop*k), with +Inf for lag 0. It is written into dst
// when dst has the capacity.
func TempoFrequencies(dst []float64, n, sr, hop int) []float64 {
	n = max(n, 0)
	dst = slices.Grow(dst[:0], n)[:n]
	for k := range dst {
		dst[k] = 60 * float64(sr) / (float64(hop) * float64(k))
	}
	if n > 0 {
		dst[0] = math.Inf(1)
	}
	return dst
}

// MeanTempogram returns the autocorrelation tempogram of env averaged over its frames:
// numpy.mean(librosa.feature.tempogram(onset_envelope=env, win_length=win), axis=1). Each
// frame is env padded by win/2 linear ramps from zero on both sides, windowed with a periodic
// Hann window of win samples, autocorrelated (lags 0..win-1) and divided by its largest value;
// all-zero frames stay zero. The result has win entries, written into dst when it has the
// capacity; an empty env or win < 1 gives NaN entries (the mean of no frames).
func MeanTempogram(dst []float64, env []float32, win int) []float64 {
	win = max(win, 0)
	dst = slices.Grow(dst[:0], win)[:win]
	n := len(env)
	if n == 0 || win == 0 {
		for k := range dst {
			dst[k] = math.NaN()
		}
		return dst
	}
	padded := rampPad(env, win/2)
	w := hannPeriodic64(win)

	// The linear autocorrelation of a win-sample frame is the inverse transform of its power
	// spectrum at any size >= 2*win-1. Normalising each frame by its lag-0 value (the maximum
	// of an autocorrelation) commutes with the inverse transform, so the frames' normalised
	// power spectra are summed and transformed back once.
	size := fftSize(2*win - 1)
	fft := fourier.NewFFT(size)
	frame := make([]float64, size)
	coef := make([]complex128, size/2+1)
	acc := make([]complex128, size/2+1)
	for t := range n {
		var energy float64
		for j, v := range padded[t : t+win] {
			x := float64(v) * w[j]
			frame[j] = x
			energy += x * x
		}
		if energy == 0 {
			continue
		}
		fft.Coefficients(coef, frame)
		inv := 1 / energy
		for f, c := range coef {
			re, im := real(c), imag(c)
			acc[f] += complex((re*re+im*im)*inv, 0)
		}
	}
	ac := fft.Sequence(nil, acc)
	scale := 1 / (float64(size) * float64(n))
	for k := range dst {
		dst[k] = ac[k] * scale
	}
	return dst
}

// TempoEstimate is librosa.feature.tempo(onset_envelope=env, sr=sr, hop_length=hop) with its
// default aggregate (the mean tempogram): the lag that maximises log1p(1e6*tempogram) plus a
// log-normal prior in log2(BPM), with every lag faster than MaxTempo excluded, converted to
// BPM. It returns 0 when env is empty, sr or hop is not positive, or the window is empty.
func TempoEstimate(env []float32, sr, hop int, opt TempoOptions) float64 {
	opt = opt.withDefaults()
	win := TempoWindow(sr, hop, opt.ACSize)
	if len(env) == 0 || win < 1 {
		return 0
	}
	tg := MeanTempogram(nil, env, win)
	bpms := TempoFrequencies(nil, win, sr, hop)
	// librosa kills every lag before the first one slower than MaxTempo (none when no lag is).
	first := 0
	for k, b := range bpms {
		if b < opt.MaxTempo {
			first = k
			break
		}
	}
	logStart := math.Log2(opt.StartBPM)
	best, bestK := math.Inf(-1), 0
	for k := range win {
		prior := math.Inf(-1)
		if k >= first {
			z := (math.Log2(bpms[k]) - logStart) / opt.StdBPM
			prior = -0.5 * z * z
		}
		score := math.Log1p(1e6*tg[k]) + prior
		if score != score {
			// numpy.argmax stops at the first NaN; log1p gives one where an envelope with
			// negative values has a negative mean autocorrelation.
			return bpms[k]
		}
		if score > best { // otherwise the first maximum
			best, bestK = score, k
		}
	}
	return bpms[bestK]
}

// rampPad pads env by p samples on each side as numpy.pad(mode="linear_ramp", end_values=0)
// does: ramps from 0 towards the edge values, computed in float64 and stored as float32.
func rampPad(env []float32, p int) []float32 {
	n := len(env)
	out := make([]float32, n+2*p)
	copy(out[p:], env)
	left, right := float64(env[0])/float64(p), float64(env[n-1])/float64(p)
	for i := range p {
		out[i] = float32(float64(i) * left)
		out[n+2*p-1-i] = float32(float64(i) * right)
	}
	return out
}

// hannPeriodic64 is scipy.signal.get_window("hann", n, fftbins=True) in float64:
// 0.5 + 0.5*cos(-pi + 2*pi*j/n), with scipy's linspace arithmetic.
func hannPeriodic64(n int) []float64 {
	w := make([]float64, n)
	step := 2 * math.Pi / float64(n)
	for j := range w {
		w[j] = 0.5 + 0.5*math.Cos(-math.Pi+float64(j)*step)
	}
	return w
}

// fftSize is the smallest n' >= n whose only prime factors are 2, 3 and 5, the sizes gonum's
// FFTPACK transforms fastest.
func fftSize(n int) int {
	for m := max(n, 1); ; m++ {
		r := m
		for _, p := range [...]int{2, 3, 5} {
			for r%p == 0 {
				r /= p
			}
		}
		if r == 1 {
			return m
		}
	}
}
