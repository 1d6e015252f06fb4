package features

import (
	"math"
	"slices"
	"strconv"
)

// Aggregate selects how OnsetStrength combines mel bands and how Sync combines frames.
// The zero value, AggMean, is librosa's default for both onset_strength and util.sync;
// beat_track builds its envelope with AggMedian. Values other than AggMedian act as AggMean.
type Aggregate int

const (
	// AggMean is numpy.mean.
	AggMean Aggregate = iota
	// AggMedian is numpy.median: the middle value, or for an even count the float32 mean of the
	// two middle values.
	AggMedian
)

// String names the aggregate as librosa's Python does.
func (a Aggregate) String() string {
	switch a {
	case AggMean:
		return "mean"
	case AggMedian:
		return "median"
	}
	return "Aggregate(" + strconv.Itoa(int(a)) + ")"
}

// OnsetOptions configure OnsetStrength. The zero value is librosa.onset.onset_strength's
// default (lag 1, mean over bands) for a spectrogram computed with center=False.
type OnsetOptions struct {
	// Lag is the frame distance of the difference; values below 1 mean 1.
	Lag int
	// NFFT and Hop are the frame parameters of the spectrogram. When both are positive the
	// envelope is shifted right by NFFT/(2*Hop) frames and cut to the spectrogram's length, as
	// librosa does for centred frames (center=True, its default); leave either zero for
	// center=False.
	NFFT, Hop int
	// Aggregate combines the mel bands of each frame (librosa's aggregate=).
	Aggregate Aggregate
}

// onsetBlock is how many frames OnsetStrength gathers before selecting medians: a block of
// 64 frames x 128 bands (32 KiB) stays in L1 while the band-major matrix is read row by row.
const onsetBlock = 64

// OnsetStrength computes librosa.onset.onset_strength (max_size=1, detrend=False) from a
// mel spectrogram in dB (power_to_db with ref=1.0, as librosa feeds it): frame t of the result
// aggregates max(0, S[m, t] - S[m, t-Lag]) over the mel bands m, after a left pad of
// Lag (+ NFFT/(2*Hop) when centred) zero frames. Sums run in float32 band by band, like numpy.
//
// The result has melDB.Cols entries (librosa's center=True); without centring it has
// Lag + max(Cols-Lag, 0). It is written into dst when dst has the capacity, else allocated.
// A spectrogram with no bands gives NaN frames after the padding, as numpy does.
func OnsetStrength(dst []float32, melDB *Matrix, opt OnsetOptions) []float32 {
	lag := max(opt.Lag, 1)
	pad := lag
	centred := opt.NFFT > 0 && opt.Hop > 0
	if centred {
		pad += opt.NFFT / (2 * opt.Hop)
	}
	bands, n := 0, 0
	if melDB != nil {
		bands, n = melDB.Rows, melDB.Cols
	}
	diffs := max(n-lag, 0) // frames with a difference
	length := pad + diffs
	if centred {
		length = min(length, n)
	} else {
		length = lag + diffs
	}
	dst = slices.Grow(dst[:0], length)[:length]
	head := min(pad, length)
	clear(dst[:head])
	out := dst[head:] // differences that survive the truncation
	if len(out) == 0 {
		return dst
	}
	if bands == 0 {
		for i := range out {
			out[i] = float32(math.NaN())
		}
		return dst
	}
	switch opt.Aggregate {
	case AggMedian:
		onsetMedian(out, melDB, lag)
	default:
		onsetMean(out, melDB, lag)
	}
	return dst
}

// onsetMean averages the rectified differences over bands, accumulating in float32 in band
// order as numpy's reduction over the band axis does.
func onsetMean(out []float32, s *Matrix, lag int) {
	clear(out)
	for m := range s.Rows {
		row := s.Row(m)
		cur, prev := row[lag:lag+len(out)], row[:len(out)]
		for t, v := range cur {
			out[t] += max(v-prev[t], 0)
		}
	}
	inv := float32(s.Rows)
	for t := range out {
		out[t] /= inv
	}
}

// onsetMedian takes the median of the rectified differences over bands, a block of frames
// at a time so that the band-major matrix is read along its rows.
func onsetMedian(out []float32, s *Matrix, lag int) {
	bands := s.Rows
	buf := make([]float32, onsetBlock*bands)
	for t0 := 0; t0 < len(out); t0 += onsetBlock {
		nb := min(onsetBlock, len(out)-t0)
		for m := range bands {
			row := s.Row(m)
			cur, prev := row[t0+lag:t0+lag+nb], row[t0:t0+nb]
			for j, v := range cur {
				buf[j*bands+m] = max(v-prev[j], 0)
			}
		}
		for j := range nb {
			out[t0+j] = medianRectified(buf[j*bands : (j+1)*bands])
		}
	}
}

// medianRectified is the numpy median of non-negative values or NaN (it reorders x).
// Rectified differences are mostly zero in steady passages, so counting zeros first often
// settles it.
func medianRectified(x []float32) float32 {
	zeros := 0
	for _, v := range x {
		if v == 0 {
			zeros++
		} else if v != v {
			return v
		}
	}
	if zeros > len(x)/2 {
		return 0
	}
	return median32(x)
}

// median32 is numpy.median of float32 values (it reorders x): the middle value, or the
// float32 mean of the two middle values for an even count. NaN values propagate.
func median32(x []float32) float32 {
	n := len(x)
	if n == 0 {
		return float32(math.NaN())
	}
	for _, v := range x {
		if v != v {
			return v
		}
	}
	hi := n / 2
	selectKth(x, hi)
	if n%2 == 1 {
		return x[hi]
	}
	lo := x[0] // the largest of x[:hi], all of which are <= x[hi] after selection
	for _, v := range x[1:hi] {
		lo = max(lo, v)
	}
	return (lo + x[hi]) / 2
}

// selectKth reorders x (no NaN) so that x[k] is the k-th smallest, x[:k] <= x[k] <= x[k+1:]
// (Hoare partitioning around a median-of-three pivot; deterministic, linear on average).
func selectKth(x []float32, k int) {
	lo, hi := 0, len(x)-1
	for hi > lo {
		if hi-lo < 16 {
			insertionSort32(x[lo : hi+1])
			return
		}
		mid := lo + (hi-lo)/2
		if x[mid] < x[lo] {
			x[mid], x[lo] = x[lo], x[mid]
		}
		if x[hi] < x[lo] {
			x[hi], x[lo] = x[lo], x[hi]
		}
		if x[hi] < x[mid] {
			x[hi], x[mid] = x[mid], x[hi]
		}
		p := x[mid]
		i, j := lo, hi
		for i <= j {
			for x[i] < p {
				i++
			}
			for x[j] > p {
				j--
			}
			if i <= j {
				x[i], x[j] = x[j], x[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return // j < k < i: x[k] equals the pivot and is in place
		}
	}
}

func insertionSort32(x []float32) {
	for i := 1; i < len(x); i++ {
		v := x[i]
		j := i
		for j > 0 && x[j-1] > v {
			x[j] = x[j-1]
			j--
		}
		x[j] = v
	}
}
