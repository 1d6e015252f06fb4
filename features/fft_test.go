package features

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

// directDFT is the O(n^2) definition, with the angle reduced modulo n so that it stays exact.
func directDFT(x []float64) []complex128 {
	n := len(x)
	out := make([]complex128, n/2+1)
	for k := range out {
		var s complex128
		for j, v := range x {
			s += complex(v, 0) * expi(-2*math.Pi*float64((j*k)%n)/float64(n))
		}
		out[k] = s
	}
	return out
}

// fftTestSizes covers powers of two and four, the radix 3 and 5 passes, the generic odd-prime
// butterfly, odd lengths (full complex path) and Bluestein lengths (a prime factor > 37).
var fftTestSizes = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 20, 24, 25, 27, 30, 31, 32,
	37, 41, 45, 49, 60, 64, 74, 82, 96, 100, 121, 125, 128, 200, 243, 256, 400, 441, 500, 512, 735, 882,
	1000, 1009, 1024, 1536, 2000, 2039, 2048, 2 * 1009}

func TestRealFFTMatchesDirectDFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range fftTestSizes {
		x := make([]float64, n)
		var norm float64
		for i := range x {
			x[i] = rng.NormFloat64()
			norm += x[i] * x[i]
		}
		f, err := NewRealFFT(n)
		if err != nil {
			t.Fatal(err)
		}
		got := f.Forward(nil, x)
		want := directDFT(x)
		// Rounding of an FFT grows like eps*log(n)*||x||; the direct sum like eps*n*||x||.
		tol := 1e-13 * math.Sqrt(norm) * float64(n)
		for k := range want {
			if d := cmplx.Abs(got[k] - want[k]); d > tol {
				t.Fatalf("n=%d bin %d: got %v want %v (|diff| %.3g > %.3g)", n, k, got[k], want[k], d, tol)
			}
		}
		back := f.Inverse(nil, got)
		for j := range x {
			if d := math.Abs(back[j] - x[j]); d > 1e-12*math.Sqrt(norm) {
				t.Fatalf("n=%d: inverse(forward(x))[%d] = %v, want %v", n, j, back[j], x[j])
			}
		}
	}
}

func TestRealFFTParseval(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{2048, 2047, 1000, 4099} {
		f, err := NewRealFFT(n)
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float64, n)
		var e float64
		for i := range x {
			x[i] = rng.Float64()*2 - 1
			e += x[i] * x[i]
		}
		X := f.Forward(nil, x)
		// sum |x|^2 = (1/n) sum over all n bins |X|^2; the rfft holds each interior bin once.
		var s float64
		for k, c := range X {
			a := real(c)*real(c) + imag(c)*imag(c)
			if k == 0 || (n%2 == 0 && k == n/2) {
				s += a
			} else {
				s += 2 * a
			}
		}
		s /= float64(n)
		if math.Abs(s-e) > 1e-10*e {
			t.Errorf("n=%d: Parseval: spectrum energy %v, signal energy %v", n, s, e)
		}
	}
}

func TestRealFFTPadsAndTruncatesLikeNumpy(t *testing.T) {
	f, _ := NewRealFFT(8)
	short := f.Forward(nil, []float64{1, 2, 3})
	want := directDFT([]float64{1, 2, 3, 0, 0, 0, 0, 0})
	for k := range want {
		if cmplx.Abs(short[k]-want[k]) > 1e-12 {
			t.Fatalf("zero padding: bin %d = %v, want %v", k, short[k], want[k])
		}
	}
	long := f.Forward(nil, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	want = directDFT([]float64{1, 2, 3, 4, 5, 6, 7, 8})
	for k := range want {
		if cmplx.Abs(long[k]-want[k]) > 1e-12 {
			t.Fatalf("truncation: bin %d = %v, want %v", k, long[k], want[k])
		}
	}
	if _, err := NewRealFFT(0); err == nil {
		t.Error("NewRealFFT(0) succeeded, want an error")
	}
}
