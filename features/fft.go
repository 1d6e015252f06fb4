package features

import (
	"fmt"
	"math"
	"math/cmplx"
)

// The FFT here is a mixed-radix Stockham autosort transform in float64 (radix 4, 2, 3, 5 and a
// direct odd-prime butterfly), with Bluestein's chirp-z algorithm for lengths that have a prime
// factor above maxDirectRadix. Pure Go is scalar, so float64 costs the same as float32 per
// operation and keeps the STFT within rounding of librosa, which transforms in float64 too
// (numpy's pocketfft) before storing complex64.

// maxDirectRadix is the largest prime handled by an O(p^2) butterfly; longer prime factors go
// through Bluestein, whose cost does not grow with the prime.
const maxDirectRadix = 37

// fftStage is one pass of the Stockham transform: radix-r butterflies over sub-transforms of
// length r*m, interleaved with stride s (s*r*m = n).
type fftStage struct {
	r, m, s int
	tw      []complex128 // tw[p*(r-1)+k-1] = exp(-2*pi*i*p*k/(r*m)), p < m, 1 <= k < r
	rootTw  []complex128 // exp(-2*pi*i*k/r), k < r; only for the generic radix
}

// cfft is a forward complex DFT plan of one length (no normalisation, e^{-2 pi i jk/n}).
type cfft struct {
	n      int
	stages []fftStage
	work   []complex128 // ping-pong buffer for the Stockham passes
	blue   *bluestein
	gen    []complex128 // scratch for the generic radix butterfly
}

// bluestein computes a length-n DFT as a circular convolution of length m (a power of two).
type bluestein struct {
	chirp []complex128 // exp(-i*pi*j^2/n), j < n
	kern  []complex128 // FFT of the conjugate chirp, scaled by 1/m
	buf   []complex128
	inner *cfft
}

func newCFFT(n int) *cfft {
	p := &cfft{n: n}
	if n <= 1 {
		return p
	}
	factors := factorize(n)
	if factors[len(factors)-1] > maxDirectRadix {
		p.blue = newBluestein(n)
		return p
	}
	// Radix-4 passes first (fewest operations), then the rest in increasing order.
	var radices []int
	twos := 0
	var odd []int
	for _, f := range factors {
		if f == 2 {
			twos++
		} else {
			odd = append(odd, f)
		}
	}
	for ; twos >= 2; twos -= 2 {
		radices = append(radices, 4)
	}
	if twos == 1 {
		radices = append(radices, 2)
	}
	radices = append(radices, odd...)
	s := 1
	maxR := 0
	for _, r := range radices {
		length := n / s // length of the sub-transforms at this pass
		m := length / r
		st := fftStage{r: r, m: m, s: s, tw: make([]complex128, m*(r-1))}
		for q := 0; q < m; q++ {
			for k := 1; k < r; k++ {
				st.tw[q*(r-1)+k-1] = expi(-2 * math.Pi * float64((q*k)%length) / float64(length))
			}
		}
		if r > 5 {
			st.rootTw = make([]complex128, r)
			for k := range st.rootTw {
				st.rootTw[k] = expi(-2 * math.Pi * float64(k) / float64(r))
			}
		}
		maxR = max(maxR, r)
		p.stages = append(p.stages, st)
		s *= r
	}
	p.work = make([]complex128, n)
	if maxR > 5 {
		p.gen = make([]complex128, 2*maxR)
	}
	return p
}

func newBluestein(n int) *bluestein {
	m := 1
	for m < 2*n-1 {
		m <<= 1
	}
	b := &bluestein{
		chirp: make([]complex128, n),
		kern:  make([]complex128, m),
		buf:   make([]complex128, m),
		inner: newCFFT(m),
	}
	n2 := 2 * int64(n)
	for j := 0; j < n; j++ {
		// j^2 mod 2n keeps the angle small so that cos/sin stay exact to rounding.
		jj := (int64(j) * int64(j)) % n2
		b.chirp[j] = expi(-math.Pi * float64(jj) / float64(n))
	}
	b.kern[0] = cmplx.Conj(b.chirp[0])
	for j := 1; j < n; j++ {
		c := cmplx.Conj(b.chirp[j])
		b.kern[j] = c
		b.kern[m-j] = c
	}
	k := b.inner.transform(b.kern)
	inv := complex(1/float64(m), 0)
	for i := range b.kern {
		b.kern[i] = k[i] * inv
	}
	return b
}

func expi(theta float64) complex128 {
	s, c := math.Sincos(theta)
	return complex(c, s)
}

// factorize returns the prime factors of n in increasing order.
func factorize(n int) []int {
	var f []int
	for p := 2; p*p <= n; p++ {
		for n%p == 0 {
			f = append(f, p)
			n /= p
		}
	}
	if n > 1 {
		f = append(f, n)
	}
	return f
}

// transform computes the DFT of x (length n, overwritten) and returns the slice holding it:
// x itself or the plan's work buffer, whichever the Stockham passes end in, which saves a copy
// for an odd number of passes. x must not be the plan's work buffer.
func (p *cfft) transform(x []complex128) []complex128 {
	if p.n <= 1 {
		return x
	}
	if p.blue != nil {
		p.blue.transform(x)
		return x
	}
	src, dst := x, p.work
	for i := range p.stages {
		st := &p.stages[i]
		switch st.r {
		case 4:
			st.radix4(src, dst)
		case 2:
			st.radix2(src, dst)
		case 3:
			st.radix3(src, dst)
		case 5:
			st.radix5(src, dst)
		default:
			st.radixGeneric(src, dst, p.gen)
		}
		src, dst = dst, src
	}
	return src
}

// inverse is transform for the unnormalised inverse DFT (e^{+2 pi i jk/n}).
func (p *cfft) inverse(x []complex128) []complex128 {
	for i, v := range x {
		x[i] = cmplx.Conj(v)
	}
	r := p.transform(x)
	for i, v := range r {
		r[i] = cmplx.Conj(v)
	}
	return r
}

func (b *bluestein) transform(x []complex128) {
	n := len(b.chirp)
	buf := b.buf
	for j := 0; j < n; j++ {
		buf[j] = x[j] * b.chirp[j]
	}
	clear(buf[n:])
	r := b.inner.transform(buf)
	for i, k := range b.kern {
		buf[i] = r[i] * k
	}
	r = b.inner.inverse(buf)
	for k := 0; k < n; k++ {
		x[k] = r[k] * b.chirp[k]
	}
}

// The butterflies below read x[q + s*(p + j*m)] and write y[q + s*(r*p + k)]: the Stockham
// decimation-in-frequency step, which leaves the output in natural order after the last pass.

func (st *fftStage) radix2(x, y []complex128) {
	m, s := st.m, st.s
	for p := 0; p < m; p++ {
		w := st.tw[p]
		x0 := x[s*p : s*p+s]
		x1 := x[s*(p+m) : s*(p+m)+s]
		y0 := y[s*2*p : s*2*p+s]
		y1 := y[s*(2*p+1) : s*(2*p+1)+s]
		x1, y0, y1 = x1[:len(x0)], y0[:len(x0)], y1[:len(x0)]
		for q, a := range x0 {
			b := x1[q]
			y0[q] = a + b
			y1[q] = (a - b) * w
		}
	}
}

// bfly4 is the radix-4 butterfly, the DFT of (a0, a1, a2, a3), before the twiddles.
func bfly4(a0, a1, a2, a3 complex128) (y0, y1, y2, y3 complex128) {
	t0, t1 := a0+a2, a0-a2
	t2, d := a1+a3, a1-a3
	t3 := complex(imag(d), -real(d)) // -i*d
	return t0 + t2, t1 + t3, t0 - t2, t1 - t3
}

func (st *fftStage) radix4(x, y []complex128) {
	m, s := st.m, st.s
	switch s {
	case 1:
		// First pass: one butterfly per p. Quarter slices of equal length let the compiler drop
		// the bounds checks.
		x0, x1, x2, x3 := x[:m], x[m:2*m], x[2*m:3*m], x[3*m:4*m]
		x1, x2, x3 = x1[:len(x0)], x2[:len(x0)], x3[:len(x0)]
		tw := st.tw[:3*len(x0)]
		y = y[:4*len(x0)]
		for p, a0 := range x0 {
			b0, b1, b2, b3 := bfly4(a0, x1[p], x2[p], x3[p])
			w := tw[3*p : 3*p+3 : 3*p+3]
			yy := y[4*p : 4*p+4 : 4*p+4]
			yy[0], yy[1], yy[2], yy[3] = b0, b1*w[0], b2*w[1], b3*w[2]
		}
		return
	case 4:
		// Second pass of the usual sizes: four interleaved butterflies per p, with fixed
		// offsets instead of per-p sub-slices for so short a run (a quarter faster).
		tw := st.tw[:3*m]
		for p := 0; p < m; p++ {
			w := tw[3*p : 3*p+3 : 3*p+3]
			w1, w2, w3 := w[0], w[1], w[2]
			x0 := x[4*p : 4*p+4 : 4*p+4]
			x1 := x[4*(p+m) : 4*(p+m)+4 : 4*(p+m)+4]
			x2 := x[4*(p+2*m) : 4*(p+2*m)+4 : 4*(p+2*m)+4]
			x3 := x[4*(p+3*m) : 4*(p+3*m)+4 : 4*(p+3*m)+4]
			yy := y[16*p : 16*p+16 : 16*p+16]
			for q := 0; q < 4; q++ {
				b0, b1, b2, b3 := bfly4(x0[q], x1[q], x2[q], x3[q])
				yy[q], yy[4+q], yy[8+q], yy[12+q] = b0, b1*w1, b2*w2, b3*w3
			}
		}
		return
	}
	for p := 0; p < m; p++ {
		w1, w2, w3 := st.tw[3*p], st.tw[3*p+1], st.tw[3*p+2]
		x0 := x[s*p : s*p+s]
		x1 := x[s*(p+m) : s*(p+m)+s]
		x2 := x[s*(p+2*m) : s*(p+2*m)+s]
		x3 := x[s*(p+3*m) : s*(p+3*m)+s]
		y0 := y[s*4*p : s*4*p+s]
		y1 := y[s*(4*p+1) : s*(4*p+1)+s]
		y2 := y[s*(4*p+2) : s*(4*p+2)+s]
		y3 := y[s*(4*p+3) : s*(4*p+3)+s]
		n := len(x0)
		x1, x2, x3 = x1[:n], x2[:n], x3[:n]
		y0, y1, y2, y3 = y0[:n], y1[:n], y2[:n], y3[:n]
		if p == 0 {
			// All twiddles are 1.
			for q, a0 := range x0 {
				y0[q], y1[q], y2[q], y3[q] = bfly4(a0, x1[q], x2[q], x3[q])
			}
			continue
		}
		for q, a0 := range x0 {
			b0, b1, b2, b3 := bfly4(a0, x1[q], x2[q], x3[q])
			y0[q], y1[q], y2[q], y3[q] = b0, b1*w1, b2*w2, b3*w3
		}
	}
}

func (st *fftStage) radix3(x, y []complex128) {
	m, s := st.m, st.s
	const c1 = -0.5                   // cos(2pi/3)
	const s1 = 0.86602540378443864676 // sin(2pi/3)
	for p := 0; p < m; p++ {
		w1, w2 := st.tw[2*p], st.tw[2*p+1]
		x0 := x[s*p : s*p+s]
		x1 := x[s*(p+m) : s*(p+m)+s]
		x2 := x[s*(p+2*m) : s*(p+2*m)+s]
		y0 := y[s*3*p : s*3*p+s]
		y1 := y[s*(3*p+1) : s*(3*p+1)+s]
		y2 := y[s*(3*p+2) : s*(3*p+2)+s]
		n := len(x0)
		x1, x2, y0, y1, y2 = x1[:n], x2[:n], y0[:n], y1[:n], y2[:n]
		for q, a0 := range x0 {
			a1, a2 := x1[q], x2[q]
			t := a1 + a2
			u := a0 + complex(c1, 0)*t
			d := a1 - a2
			v := complex(s1*imag(d), -s1*real(d)) // -i*sin(2pi/3)*d
			y0[q] = a0 + t
			y1[q] = (u + v) * w1
			y2[q] = (u - v) * w2
		}
	}
}

func (st *fftStage) radix5(x, y []complex128) {
	m, s := st.m, st.s
	const c1 = 0.30901699437494742410  // cos(2pi/5)
	const c2 = -0.80901699437494742410 // cos(4pi/5)
	const s1 = 0.95105651629515357212  // sin(2pi/5)
	const s2 = 0.58778525229247312917  // sin(4pi/5)
	for p := 0; p < m; p++ {
		tw := st.tw[4*p : 4*p+4]
		x0 := x[s*p : s*p+s]
		x1 := x[s*(p+m) : s*(p+m)+s]
		x2 := x[s*(p+2*m) : s*(p+2*m)+s]
		x3 := x[s*(p+3*m) : s*(p+3*m)+s]
		x4 := x[s*(p+4*m) : s*(p+4*m)+s]
		y0 := y[s*5*p : s*5*p+s]
		y1 := y[s*(5*p+1) : s*(5*p+1)+s]
		y2 := y[s*(5*p+2) : s*(5*p+2)+s]
		y3 := y[s*(5*p+3) : s*(5*p+3)+s]
		y4 := y[s*(5*p+4) : s*(5*p+4)+s]
		n := len(x0)
		x1, x2, x3, x4 = x1[:n], x2[:n], x3[:n], x4[:n]
		y0, y1, y2, y3, y4 = y0[:n], y1[:n], y2[:n], y3[:n], y4[:n]
		for q, a0 := range x0 {
			a1, a2, a3, a4 := x1[q], x2[q], x3[q], x4[q]
			b1, b4 := a1+a4, a1-a4
			b2, b3 := a2+a3, a2-a3
			u1 := a0 + complex(c1, 0)*b1 + complex(c2, 0)*b2
			u2 := a0 + complex(c2, 0)*b1 + complex(c1, 0)*b2
			// v = -i*(s1*b4 + s2*b3) and -i*(s2*b4 - s1*b3)
			e1 := complex(s1, 0)*b4 + complex(s2, 0)*b3
			e2 := complex(s2, 0)*b4 - complex(s1, 0)*b3
			v1 := complex(imag(e1), -real(e1))
			v2 := complex(imag(e2), -real(e2))
			y0[q] = a0 + b1 + b2
			y1[q] = (u1 + v1) * tw[0]
			y2[q] = (u2 + v2) * tw[1]
			y3[q] = (u2 - v2) * tw[2]
			y4[q] = (u1 - v1) * tw[3]
		}
	}
}

// radixGeneric is the direct O(r^2) butterfly for an odd prime r <= maxDirectRadix.
func (st *fftStage) radixGeneric(x, y, scratch []complex128) {
	r, m, s := st.r, st.m, st.s
	a := scratch[:r]
	root := st.rootTw
	for p := 0; p < m; p++ {
		tw := st.tw[p*(r-1) : (p+1)*(r-1)]
		for q := 0; q < s; q++ {
			for j := 0; j < r; j++ {
				a[j] = x[q+s*(p+j*m)]
			}
			for k := 0; k < r; k++ {
				var sum complex128
				idx := 0
				for j := 0; j < r; j++ {
					sum += a[j] * root[idx]
					idx += k
					if idx >= r {
						idx -= r
					}
				}
				if k > 0 {
					sum *= tw[k-1]
				}
				y[q+s*(r*p+k)] = sum
			}
		}
	}
}

// RealFFT is a plan for the discrete Fourier transform of real sequences of one length, with
// numpy.fft.rfft / irfft conventions: the forward transform is unnormalised and returns the
// n/2+1 non-negative frequencies, the inverse divides by n. Any length n >= 1 is supported.
// A RealFFT holds scratch buffers, so it is not safe for concurrent use.
type RealFFT struct {
	n    int
	half *cfft        // length n/2 transform of the packed even/odd samples (even n)
	full *cfft        // length n transform (odd n)
	tw   []complex128 // exp(-2*pi*i*k/n), k <= n/4 + 1 (even n)
	buf  []complex128 // packed input / output
}

// NewRealFFT returns a plan for real sequences of length n.
func NewRealFFT(n int) (*RealFFT, error) {
	if n < 1 {
		return nil, fmt.Errorf("features: FFT length %d: must be at least 1", n)
	}
	f := &RealFFT{n: n}
	if n%2 == 1 {
		f.full = newCFFT(n)
		f.buf = make([]complex128, n)
		return f, nil
	}
	h := n / 2
	f.half = newCFFT(h)
	f.buf = make([]complex128, h)
	f.tw = make([]complex128, h/2+2)
	for k := range f.tw {
		f.tw[k] = expi(-2 * math.Pi * float64(k) / float64(n))
	}
	return f, nil
}

// Len returns the sequence length n of the plan.
func (f *RealFFT) Len() int { return f.n }

// Forward computes numpy.fft.rfft(x, n): the n/2+1 coefficients X[k] = sum_j x[j] e^{-2 pi i jk/n}.
// Like numpy, a longer x is truncated to n samples and a shorter one is zero-padded. dst is
// reused when its capacity allows (nil allocates) and returned.
func (f *RealFFT) Forward(dst []complex128, x []float64) []complex128 {
	nb := f.n/2 + 1
	dst = reuse(dst, nb)
	if f.full != nil {
		buf := f.buf
		for j := range buf {
			var v float64
			if j < len(x) {
				v = x[j]
			}
			buf[j] = complex(v, 0)
		}
		copy(dst, f.full.transform(buf)[:nb])
		return dst
	}
	buf := f.buf
	for j := range buf {
		var re, im float64
		if 2*j < len(x) {
			re = x[2*j]
		}
		if 2*j+1 < len(x) {
			im = x[2*j+1]
		}
		buf[j] = complex(re, im)
	}
	f.unpack(dst, f.half.transform(buf))
	return dst
}

// unpack turns the length-h transform Z of z[j] = x[2j] + i x[2j+1] into the rfft of
// x: X[k] = E[k] + w^k O[k] with E[k] = (Z[k] + conj Z[h-k])/2 and O[k] = (Z[k] - conj Z[h-k])/(2i);
// bins k and h-k are produced together from the same pair.
func (f *RealFFT) unpack(dst, z []complex128) {
	h := len(z)
	dst = dst[:h+1]
	z0 := z[0]
	dst[0] = complex(real(z0)+imag(z0), 0)
	dst[h] = complex(real(z0)-imag(z0), 0)
	tw := f.tw[:h/2+1]
	for k := 1; k <= h/2; k++ {
		a, b := z[k], z[h-k]
		// E = (a + conj b)/2, O = (a - conj b)/(2i)
		er, ei := 0.5*(real(a)+real(b)), 0.5*(imag(a)-imag(b))
		or, oi := 0.5*(imag(a)+imag(b)), -0.5*(real(a)-real(b))
		w := tw[k]
		wr, wi := real(w), imag(w)
		tr, ti := wr*or-wi*oi, wr*oi+wi*or
		dst[k] = complex(er+tr, ei+ti)
		// Bin h-k: E' = conj E, O' = conj O, twiddle w^{h-k} = -conj(w).
		dst[h-k] = complex(er-tr, ti-ei)
	}
}

// Inverse computes numpy.fft.irfft(X, n): the real sequence of length n whose rfft is X,
// divided by n. The imaginary parts of X[0] (and of X[n/2] for even n) are ignored, and X is
// zero-padded or truncated to n/2+1 coefficients, as numpy does. dst is reused when its
// capacity allows (nil allocates) and returned.
func (f *RealFFT) Inverse(dst []float64, X []complex128) []float64 {
	n := f.n
	dst = reuse(dst, n)
	nb := n/2 + 1
	at := func(k int) complex128 {
		if k < len(X) && k < nb {
			return X[k]
		}
		return 0
	}
	if f.full != nil {
		buf := f.buf
		buf[0] = complex(real(at(0)), 0)
		for k := 1; k < nb; k++ {
			v := at(k)
			buf[k] = v
			buf[n-k] = cmplx.Conj(v)
		}
		r := f.full.inverse(buf)
		inv := 1 / float64(n)
		for j := range dst {
			dst[j] = real(r[j]) * inv
		}
		return dst
	}
	h := n / 2
	z := f.buf
	x0, xh := real(at(0)), real(at(h))
	z[0] = complex(x0+xh, x0-xh) // E[0] + i O[0] with E = (X0+Xh)/2, O = (X0-Xh)/2, times 2
	for k := 1; k <= h/2; k++ {
		a, b := at(k), at(h-k)
		// 2E[k] = a + conj b, 2O[k] = (a - conj b) conj(w^k)
		er, ei := real(a)+real(b), imag(a)-imag(b)
		dr, di := real(a)-real(b), imag(a)+imag(b)
		w := f.tw[k]
		wr, wi := real(w), -imag(w)
		or, oi := dr*wr-di*wi, dr*wi+di*wr
		// Z[k] = E + iO, and Z[h-k] = conj E + i conj O because E[h-k] = conj E[k] and
		// O[h-k] = conj O[k] (w^{-(h-k)} = -w^k).
		z[k] = complex(er-oi, ei+or)
		z[h-k] = complex(er+oi, or-ei)
	}
	z = f.half.inverse(z)
	inv := 1 / float64(n)
	for j := 0; j < h; j++ {
		dst[2*j] = real(z[j]) * inv
		dst[2*j+1] = imag(z[j]) * inv
	}
	return dst
}

// reuse returns s resized to n, reallocating only when its capacity is too small.
func reuse[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
