package features

import (
	"math"
	"slices"

	"github.com/hark-audio/hark/internal/npsum"
)

// BeatOptions configure BeatTrack. The zero value is librosa.beat.beat_track's default.
type BeatOptions struct {
	// StartBPM centres the tempo estimator's prior; 0 means 120.
	StartBPM float64
	// Tightness weighs how closely beats keep to the tempo; 0 means 100.
	Tightness float64
	// NoTrim keeps weak leading and trailing beats (librosa's trim=False).
	NoTrim bool
	// BPM, when positive, is used as the tempo instead of estimating it (librosa's bpm=).
	BPM float64
}

// BeatTrack is librosa.beat.beat_track(onset_envelope=env, sr=sr, hop_length=hop): Ellis's
// dynamic-programming beat tracker. It estimates the tempo with TempoEstimate (unless
// opt.BPM is set), then picks the beat frames that best combine onset strength with
// spacing close to that tempo. env is normally OnsetStrength with AggMedian of a 128-band
// mel spectrogram in dB (n_fft 2048), which is what beat_track computes from audio.
//
// The beats are frame indices in increasing order. An envelope with no non-zero value gives
// tempo 0 and no beats, as in librosa; so do a non-positive sr or hop, and a tempo too fast
// for one beat per frame. Arithmetic follows librosa's numba kernels (a float32 normalised envelope,
// float64 scores, first-maximum tie-breaking) so that frames match exactly.
func BeatTrack(env []float32, sr, hop int, opt BeatOptions) (tempo float64, beats []int) {
	if sr <= 0 || hop <= 0 || !slices.ContainsFunc(env, func(v float32) bool { return v != 0 }) {
		return 0, nil
	}
	tempo = opt.BPM
	if !(tempo > 0) {
		tempo = TempoEstimate(env, sr, hop, TempoOptions{StartBPM: opt.StartBPM})
	}
	tightness := opt.Tightness
	if !(tightness > 0) {
		tightness = 100
	}
	// frames per beat, rounded half to even like numpy.round.
	fpb := math.RoundToEven(float64(sr) / float64(hop) * 60 / tempo)
	if !(fpb >= 1) || fpb > math.MaxInt32 {
		return tempo, nil // librosa divides by zero here, or allocates without bound
	}
	p := int(fpb)
	local := beatLocalScore(normalizeOnsets(env), p)
	back, cum := beatDP(local, p, tightness)
	last := lastBeat(cum)
	isBeat := make([]bool, len(env))
	for i := last; i >= 0; i = back[i] {
		isBeat[i] = true
	}
	trimBeats(local, isBeat, !opt.NoTrim)
	for i, b := range isBeat {
		if b {
			beats = append(beats, i)
		}
	}
	return tempo, beats
}

// tinyFloat32 is numpy.finfo(numpy.float32).tiny, the smallest normal float32.
const tinyFloat32 = 0x1p-126

// normalizeOnsets divides env by its sample standard deviation (ddof=1) plus the smallest
// normal float32, all in float32 with numpy's summation order, as numpy computes std of a
// float32 array.
func normalizeOnsets(env []float32) []float32 {
	n := len(env)
	mean := sum32(env) / float32(n)
	dev := make([]float32, n)
	for i, v := range env {
		d := v - mean
		dev[i] = d * d
	}
	variance := sum32(dev) / float32(n-1)
	norm := float32(math.Sqrt(float64(variance))) + tinyFloat32
	out := dev // reuse
	for i, v := range env {
		out[i] = v / norm
	}
	return out
}

// sum32 is numpy.add.reduce of a contiguous float32 array: the reduction runs over buffers of
// 8192 values, each summed pairwise, and adds their sums in order.
func sum32(x []float32) float32 {
	var s float32
	for len(x) > 0 {
		b := x[:min(len(x), 8192)]
		s += npsum.Pairwise(b)
		x = x[len(b):]
	}
	return s
}

// beatLocalScore smooths the normalised envelope with a Gaussian of 2*fpb+1 taps
// (exp(-0.5*(k*32/fpb)^2), k = -fpb..fpb): librosa's hand-written "same" convolution, run in
// float64 (numba picks its float64 kernel because the frames per beat arrive as float64) and,
// by an off-by-one in its bounds, never reading env[0].
func beatLocalScore(env []float32, fpb int) []float64 {
	n := len(env)
	g := make([]float64, min(fpb, n)+1) // g[|k|]; offsets beyond the envelope never occur
	for k := range g {
		z := float64(k) * 32 / float64(fpb)
		g[k] = expCR(-0.5 * (z * z))
	}
	out := make([]float64, n)
	for i := range out {
		var s float64
		// librosa's window index k runs up, so the envelope index j = i+fpb-k runs down.
		for j := min(i+fpb, n-1); j >= max(1, i-fpb); j-- {
			d := j - i
			if d < 0 {
				d = -d
			}
			s += float64(g[d] * float64(env[j]))
		}
		out[i] = s
	}
	return out
}

// beatDP is librosa's __beat_track_dp: for every frame the best predecessor among the frames
// round(fpb/2) to 2*fpb back, scored by its cumulative score minus
// tightness*(log(gap) - log(fpb))^2 and kept on the first strict maximum scanning backwards.
// Frames before the first one whose local score reaches 1% of the maximum start no chain.
func beatDP(local []float64, fpb int, tightness float64) (back []int, cum []float64) {
	n := len(local)
	back = make([]int, n)
	cum = make([]float64, n)
	thresh := 0.01 * slices.Max(local)
	near := int(math.RoundToEven(float64(fpb) / 2))
	far := 2 * fpb
	// librosa's kernel takes tightness as float32.
	logFPB := logCR(float64(fpb))
	tight := float64(float32(tightness))
	// Gaps beyond the envelope never occur; a gap of 0 (fpb 1) scores -Inf, log(0) in numba.
	penalty := make([]float64, min(far, n)+1) // penalty[gap]
	penalty[0] = math.Inf(1)
	for gap := max(near, 1); gap < len(penalty); gap++ {
		d := logCR(float64(gap)) - logFPB
		penalty[gap] = tight * (d * d)
	}
	first := true
	for i, s := range local {
		best, loc := math.Inf(-1), -1
		for l := i - near; l >= i-far && l >= 0; l-- {
			score := cum[l] - penalty[i-l]
			if score > best {
				best, loc = score, l
			}
		}
		if loc >= 0 {
			cum[i] = s + best
		} else {
			cum[i] = s
		}
		if first && s < thresh {
			back[i] = -1
		} else {
			back[i] = loc
			first = false
		}
	}
	return back, cum
}

// lastBeat is librosa's __last_beat: the last local maximum of cum (x[i] > x[i-1] and
// x[i] >= x[i+1], never frame 0, the last frame when it exceeds its predecessor) whose score
// is at least half the median of all local maxima; the last frame when there is none.
func lastBeat(cum []float64) int {
	n := len(cum)
	isMax := func(i int) bool {
		if i == 0 {
			return false
		}
		if i == n-1 {
			return cum[i] > cum[i-1]
		}
		return cum[i] > cum[i-1] && cum[i] >= cum[i+1]
	}
	var peaks []float64
	for i := range n {
		if isMax(i) {
			peaks = append(peaks, cum[i])
		}
	}
	if len(peaks) == 0 {
		return n - 1
	}
	slices.Sort(peaks)
	h := len(peaks) / 2
	median := peaks[h]
	if len(peaks)%2 == 0 {
		median = (peaks[h-1] + peaks[h]) / 2
	}
	thresh := 0.5 * median
	for i := n - 1; i >= 0; i-- {
		if isMax(i) && cum[i] >= thresh {
			return i
		}
	}
	return n - 1
}

// trimBeats is librosa's __trim_beats: with trim, the threshold is half the RMS of the beats'
// local scores smoothed by numpy.hanning(5) (a full convolution cut at [2, len(local)+2), so
// two tail values count); without, it is 0. Beats are then dropped from the first frame on
// while the frame's local score is <= the threshold, and likewise from the last frame back.
func trimBeats(local []float64, isBeat []bool, trim bool) {
	var threshold float64
	if trim {
		var v []float64
		for i, b := range isBeat {
			if b {
				v = append(v, local[i])
			}
		}
		m := len(v)
		// full convolution with [0, .5, 1, .5, 0]: c[j] = .5 v[j-1] + v[j-2] + .5 v[j-3]
		at := func(j int) float64 {
			if j >= 0 && j < m {
				return v[j]
			}
			return 0
		}
		end := min(len(local)+2, m+4)
		var sq float64
		for j := 2; j < end; j++ {
			c := 0.5*at(j-1) + at(j-2) + 0.5*at(j-3)
			sq += c * c
		}
		threshold = 0.5 * math.Sqrt(sq/float64(end-2))
	}
	for i := 0; i < len(local) && local[i] <= threshold; i++ {
		isBeat[i] = false
	}
	for i := len(local) - 1; i >= 0 && local[i] <= threshold; i-- {
		isBeat[i] = false
	}
}

// expCR and logCR are exp and log correctly rounded, through double-double arithmetic.
// librosa's numba kernels call glibc's exp and log, which are correctly rounded for all but
// about 0.1% (exp) and 0.001% (log) of the arguments these kernels use, whereas Go's math.Exp
// and math.Log differ from them in the last bit for 13% and 1%. The last bit matters: onset
// envelopes with runs of zeros make beat paths whose scores are equal but for rounding.

// ln2Hi + ln2Lo is ln 2 to about 107 bits.
const (
	ln2Hi = 0.6931471805599453
	ln2Lo = 2.3190468138462996154948e-17
)

// expCR is exp(a) correctly rounded for |a| <= 700 (math.Exp beyond, where it over- or
// underflows anyway).
func expCR(a float64) float64 {
	if !(math.Abs(a) <= 700) {
		return math.Exp(a)
	}
	h, l := ddExp(a)
	return h + l
}

// logCR is log(x) correctly rounded for positive normal x: one Newton step on math.Log's
// estimate y, log(x) = y + log(x*exp(-y)), with x*exp(-y) - 1 (about 1e-16) in double-double.
func logCR(x float64) float64 {
	y := math.Log(x)
	if !(x >= 0x1p-1022) || math.IsInf(x, 1) || math.Abs(y) > 700 {
		return y
	}
	eh, el := ddExp(-y)
	ph, pl := twoProd(x, eh)
	th, tl := ddAdd(ph-1, 0, pl, x*el) // ph-1 is exact: ph is within an ulp of 1
	s, e := twoSum(y, th)
	return s + (e + tl)
}

// ddExp returns exp(a) as hi+lo to about 100 bits for |a| <= 700: a = k*ln2 + r, then
// expm1(r/256) by its Taylor series and eight squarings of 1+e (as e <- 2e + e^2).
func ddExp(a float64) (hi, lo float64) {
	k := math.RoundToEven(a / ln2Hi)
	ph, pl := twoProd(k, ln2Hi)
	qh, ql := twoProd(k, ln2Lo)
	rh, rl := twoSum(a, -ph)
	rh, rl = ddAdd(rh, rl, -pl, 0)
	rh, rl = ddAdd(rh, rl, -qh, -ql)
	sh, sl := rh/256, rl/256
	// expm1(s) = s*(1 + s/2*(1 + s/3*(...))); |s| < 0.0014, so 11 terms leave < 1e-35.
	th, tl := 1.0, 0.0
	for n := 11.0; n >= 2; n-- {
		mh, ml := ddMul(sh, sl, th, tl)
		dh := mh / n
		eh, el := twoProd(dh, n)
		dl := ((mh - eh) - el + ml) / n
		th, tl = ddAdd(1, 0, dh, dl)
	}
	eh, el := ddMul(sh, sl, th, tl)
	for range 8 {
		qh, ql := ddMul(eh, el, eh, el)
		eh, el = ddAdd(2*eh, 2*el, qh, ql)
	}
	hi, lo = ddAdd(1, 0, eh, el)
	return math.Ldexp(hi, int(k)), math.Ldexp(lo, int(k))
}

// twoSum returns s = fl(a+b) and the rounding error e, a+b = s+e exactly (Knuth).
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	return s, (a - (s - bb)) + (b - bb)
}

// fastTwoSum is twoSum for |a| >= |b| (Dekker).
func fastTwoSum(a, b float64) (s, e float64) {
	s = a + b
	return s, b - (s - a)
}

// twoProd returns p = fl(a*b) and its error, a*b = p+e exactly.
func twoProd(a, b float64) (p, e float64) {
	p = a * b
	return p, math.FMA(a, b, -p)
}

func ddAdd(ah, al, bh, bl float64) (float64, float64) {
	s, e := twoSum(ah, bh)
	return fastTwoSum(s, e+(al+bl))
}

func ddMul(ah, al, bh, bl float64) (float64, float64) {
	p, e := twoProd(ah, bh)
	return fastTwoSum(p, e+(ah*bl+al*bh))
}
