package features

import (
	"math"
	"slices"
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
// Hann window of win samples, autocorrelated (lags 0..win-1) and divided by its largest value
// (the lag-0 energy); all-zero frames stay zero. The result has win entries, written into dst
// when it has the capacity; an empty env or win < 1 gives NaN entries (the mean of no frames).
//
// librosa transforms every frame. Here the frames' spectra slide along the envelope instead
// (O(win) per frame rather than O(win log win)): with a transform of size 2*win, moving the
// frame one sample is one rotation per bin, and the Hann window is a three-tap filter across
// bins. Normalising by the lag-0 energy commutes with the inverse transform, so the frames'
// normalised power spectra are summed and transformed back once. Spectra are recomputed
// exactly every tempogramAnchor frames, after all-zero frames and when the energy falls far
// below what the slide has carried, so rounding never builds up.
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
	if win == 1 {
		// scipy's one-point Hann window is [1]: each frame normalises to 1 unless it is zero.
		nonzero := 0
		for _, v := range env {
			if v != 0 {
				nonzero++
			}
		}
		dst[0] = float64(nonzero) / float64(n)
		return dst
	}
	ts := newTempogramSlider(rampPad(env, win/2), win)
	acc := make([]float64, win+1)
	for t := range n {
		pw, energy := ts.frame(t)
		if energy == 0 {
			continue
		}
		inv := 1 / energy
		for f, v := range pw {
			acc[f] += v * inv
		}
	}
	coef := make([]complex128, win+1)
	for f, v := range acc {
		coef[f] = complex(v, 0)
	}
	ac := ts.fft.Inverse(nil, coef) // includes the 1/(2*win) of the inverse transform
	for k := range dst {
		dst[k] = ac[k] / float64(n)
	}
	return dst
}

// tempogramAnchor bounds how many frames a sliding spectrum is carried before it is recomputed.
const tempogramAnchor = 512

// tempogramSlider holds the 2*win-point spectrum X of the frame x[t:t+win] of the padded
// envelope with its first sample left out (the Hann window is 0 there, and a loud sample that
// the window ignores must not swamp faint ones in rounding), bins 0..win with two mirrored
// guard bins on each side, and slides it along x.
type tempogramSlider struct {
	x          []float32
	win        int
	fft        *RealFFT
	re, im     []float64 // X[f] at index f+2
	rotRe      []float64 // X_{t+1}[f] = exp(i*pi*f/win) * (X_t[f] + (-1)^f x[t+win]) - x[t+1]
	rotIm      []float64
	pw         []float64 // |Y[f]|^2 of the Hann-windowed frame
	buf        []float64
	coef       []complex128
	valid      bool    // X holds frame last
	last       int     // frame X holds
	carried    int     // slides since the last exact transform
	peak       float64 // largest energy since the last exact transform
	nonzero    int     // non-zero samples in x[countedFor+1 : countedFor+win], which the window weighs
	countedFor int     // frame nonzero counts; -1 before the first
}

func newTempogramSlider(x []float32, win int) *tempogramSlider {
	fft, _ := NewRealFFT(2 * win) // only lengths below 1 fail
	ts := &tempogramSlider{x: x, win: win, fft: fft,
		re: make([]float64, win+5), im: make([]float64, win+5),
		rotRe: make([]float64, win+1), rotIm: make([]float64, win+1),
		pw: make([]float64, win+1), buf: make([]float64, win), coef: make([]complex128, win+1),
		countedFor: -1}
	for f := range ts.rotRe {
		ts.rotIm[f], ts.rotRe[f] = math.Sincos(math.Pi * float64(f) / float64(win))
	}
	return ts
}

// frame returns |Y|^2 for bins 0..win of the Hann-windowed frame t and the frame's energy
// sum_j (w_j x_j)^2, which is its lag-0 autocorrelation; the energy is 0 for an all-zero frame.
// Frames must be requested in increasing order.
func (ts *tempogramSlider) frame(t int) ([]float64, float64) {
	x, win := ts.x, ts.win
	// The periodic Hann window is 0 at j = 0, so only x[t+1 : t+win] count.
	if ts.countedFor == t-1 && t > 0 {
		if x[t] != 0 {
			ts.nonzero--
		}
		if x[t+win-1] != 0 {
			ts.nonzero++
		}
	} else {
		ts.nonzero = 0
		for _, v := range x[t+1 : t+win] {
			if v != 0 {
				ts.nonzero++
			}
		}
	}
	ts.countedFor = t
	if ts.nonzero == 0 {
		ts.valid = false
		return ts.pw, 0
	}
	exact := !ts.valid || ts.last != t-1 || ts.carried >= tempogramAnchor
	if exact {
		ts.transform(t)
	} else {
		ts.slide(t)
	}
	energy := ts.windowed()
	if !exact && energy < 1e-6*ts.peak {
		// The slide's rounding is relative to the louder frames it carried: start afresh.
		ts.transform(t)
		energy = ts.windowed()
	}
	ts.peak = max(ts.peak, energy)
	return ts.pw, energy
}

// transform computes X for frame t exactly.
func (ts *tempogramSlider) transform(t int) {
	ts.buf[0] = 0
	for j, v := range ts.x[t+1 : t+ts.win] {
		ts.buf[j+1] = float64(v)
	}
	ts.fft.Forward(ts.coef, ts.buf) // zero-padded to 2*win
	for f, c := range ts.coef {
		ts.re[f+2], ts.im[f+2] = real(c), imag(c)
	}
	ts.valid, ts.last, ts.carried, ts.peak = true, t, 0, 0
}

// slide moves X from frame t-1 to frame t.
func (ts *tempogramSlider) slide(t int) {
	out, in := float64(ts.x[t]), float64(ts.x[t-1+ts.win])
	nb := ts.win + 1
	re, im := ts.re[2:2+nb], ts.im[2:2+nb]
	cr, ci := ts.rotRe[:nb], ts.rotIm[:nb]
	// (-1)^f alternates the sign of the incoming sample: even and odd bins in pairs.
	f := 0
	for ; f+1 < nb; f += 2 {
		r, i := re[f]+in, im[f]
		re[f], im[f] = r*cr[f]-i*ci[f]-out, r*ci[f]+i*cr[f]
		r, i = re[f+1]-in, im[f+1]
		re[f+1], im[f+1] = r*cr[f+1]-i*ci[f+1]-out, r*ci[f+1]+i*cr[f+1]
	}
	if f < nb {
		r, i := re[f]+in, im[f]
		re[f], im[f] = r*cr[f]-i*ci[f]-out, r*ci[f]+i*cr[f]
	}
	ts.last = t
	ts.carried++
}

// windowed fills pw with |Y|^2, Y[f] = X[f]/2 - (X[f-2] + X[f+2])/4 (the periodic Hann window,
// 1/2 - cos(2 pi j/win)/2, as a filter across the bins of a 2*win-point transform), and returns
// the frame's energy by Parseval.
func (ts *tempogramSlider) windowed() float64 {
	win := ts.win
	re, im := ts.re, ts.im
	// Mirror guards: X[-k] = conj X[k], X[win+k] = conj X[win-k].
	re[1], im[1] = re[3], -im[3]
	re[0], im[0] = re[4], -im[4]
	re[win+3], im[win+3] = re[win+1], -im[win+1]
	re[win+4], im[win+4] = re[win], -im[win]
	nb := win + 1
	pw := ts.pw[:nb]
	rl, rc, rr := re[:nb], re[2:2+nb], re[4:4+nb]
	il, ic, ir := im[:nb], im[2:2+nb], im[4:4+nb]
	var sum float64
	for f := range pw {
		yr := 0.5*rc[f] - 0.25*(rl[f]+rr[f])
		yi := 0.5*ic[f] - 0.25*(il[f]+ir[f])
		p := yr*yr + yi*yi
		pw[f] = p
		sum += p
	}
	// Bins 1..win-1 stand for their mirror images too.
	sum = 2*sum - ts.pw[0] - ts.pw[win]
	return sum / float64(2*win)
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
