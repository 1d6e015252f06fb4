package features

import "math"

// DCTOrtho returns the first k rows of the orthonormal DCT-II matrix of size n as a k x n
// matrix: row c is sqrt((c == 0 ? 1 : 2)/n) * cos(pi*c*(2i+1)/(2n)) over i < n, the basis
// scipy.fftpack.dct(x, type=2, norm='ortho') projects on, so DCTOrtho(n, k) @ x is its first k
// coefficients. k is clamped to 0..n. The values are computed in float64 (see DCTOrthoBasis)
// and rounded to float32.
func DCTOrtho(n, k int) *Matrix {
	b := DCTOrthoBasis(n, k)
	m := NewMatrix(len(b)/max(n, 1), max(n, 0))
	for i, v := range b {
		m.Data[i] = float32(v)
	}
	return m
}

// DCTOrthoBasis is DCTOrtho in float64, row-major (k rows of n), nil when n < 1. MFCC uses it
// so that the cepstrum of float32 log-mel values is accumulated without float32 rounding.
func DCTOrthoBasis(n, k int) []float64 {
	if n < 1 {
		return nil
	}
	k = min(max(k, 0), n)
	b := make([]float64, k*n)
	for c := 0; c < k; c++ {
		scale := math.Sqrt(2 / float64(n))
		if c == 0 {
			scale = math.Sqrt(1 / float64(n))
		}
		for i := 0; i < n; i++ {
			// Reduce c*(2i+1) modulo 4n (a full period) so the angle stays below 2*pi.
			b[c*n+i] = scale * math.Cos(math.Pi*float64((c*(2*i+1))%(4*n))/float64(2*n))
		}
	}
	return b
}

// MFCC computes librosa.feature.mfcc from a log-mel spectrogram (dct_type=2, norm='ortho',
// lifter=0): the first nMFCC orthonormal DCT-II coefficients of each frame of melDB, which
// librosa obtains as power_to_db(melspectrogram) with ref=1.0, amin=1e-10, top_db=80 (the
// PowerToDB defaults). The result is min(nMFCC, melDB.Rows) x melDB.Cols, like scipy's slice;
// dst is reused when its storage is large enough (nil allocates) and returned.
func MFCC(dst, melDB *Matrix, nMFCC int) *Matrix {
	return newDCTPlan(melDB.Rows, nMFCC).apply(dst, melDB)
}

// dctPlan holds the DCT basis and the scratch block of one MFCC configuration. The basis
// rows are even about the middle band for even c and odd for odd c
// (b[c][n-1-i] = (-1)^c b[c][i]), so each frame is folded once into the sums
// x[i] + x[n-1-i] (with the middle band of an odd n) and the differences x[i] - x[n-1-i],
// and every coefficient is a dot product of half the length.
type dctPlan struct {
	n, k  int
	half  [][]float64 // row c: the first (n+1)/2 (even c) or n/2 (odd c) basis values
	block []float64   // dctBlock frames of the folded sums then differences, frame-major
}

// dctBlock frames are folded at a time so that each coefficient is a contiguous dot
// product with four independent float64 accumulators.
const dctBlock = 32

func newDCTPlan(n, k int) *dctPlan {
	n = max(n, 0)
	k = min(max(k, 0), n)
	basis := DCTOrthoBasis(n, k)
	d := &dctPlan{n: n, k: k, half: make([][]float64, k), block: make([]float64, dctBlock*n)}
	for c := range d.half {
		m := (n + 1) / 2
		if c%2 == 1 {
			m = n / 2
		}
		d.half[c] = basis[c*n : c*n+m]
	}
	return d
}

func (d *dctPlan) apply(dst, x *Matrix) *Matrix {
	n, t := d.n, x.Cols
	dst = reuseMatrix(dst, d.k, t)
	if d.k == 0 || t == 0 {
		return dst
	}
	hs, hd := (n+1)/2, n/2 // lengths of the sums and the differences
	for t0 := 0; t0 < t; t0 += dctBlock {
		nf := min(dctBlock, t-t0)
		for i := 0; i < hd; i++ {
			lo := x.Data[i*t+t0 : i*t+t0+nf]
			hi := x.Data[(n-1-i)*t+t0 : (n-1-i)*t+t0+nf]
			for j, a := range lo {
				b := float64(hi[j])
				d.block[j*n+i] = float64(a) + b
				d.block[j*n+hs+i] = float64(a) - b
			}
		}
		if hs > hd { // odd n: the middle band has no partner
			mid := x.Data[hd*t+t0 : hd*t+t0+nf]
			for j, a := range mid {
				d.block[j*n+hd] = float64(a)
			}
		}
		for j := 0; j < nf; j++ {
			sums := d.block[j*n : j*n+hs]
			diffs := d.block[j*n+hs : (j+1)*n]
			for c, b := range d.half {
				v := sums
				if c%2 == 1 {
					v = diffs
				}
				dst.Data[c*t+t0+j] = float32(dot64(b, v))
			}
		}
	}
	return dst
}

// dot64 is the float64 dot product of two equal-length slices, with four accumulators so
// that the additions pipeline.
func dot64(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}
