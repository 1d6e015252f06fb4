package features

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestDCTOrthoIsOrthonormal(t *testing.T) {
	for _, n := range []int{1, 2, 13, 40, 128} {
		b := DCTOrthoBasis(n, n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				want := 0.0
				if i == j {
					want = 1
				}
				if d := dot64(b[i*n:(i+1)*n], b[j*n:(j+1)*n]); math.Abs(d-want) > 1e-13 {
					t.Fatalf("n=%d: row %d . row %d = %g, want %g", n, i, j, d, want)
				}
			}
		}
	}
	if m := DCTOrtho(10, 20); m.Rows != 10 || m.Cols != 10 {
		t.Errorf("DCTOrtho(10, 20) is %v, want k clamped to 10", m)
	}
	if b := DCTOrthoBasis(0, 3); b != nil {
		t.Errorf("DCTOrthoBasis(0, 3) = %v, want nil", b)
	}
}

// TestMFCCMatchesDirectSum checks the blocked, symmetric-folded DCT against the definition for
// several band counts (odd and even) and frame counts that are not multiples of the block.
func TestMFCCMatchesDirectSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, c := range []struct{ bands, frames, k int }{{40, 19, 13}, {128, 77, 20}, {57, 33, 57}, {7, 1, 3}, {1, 5, 4}} {
		x := NewMatrix(c.bands, c.frames)
		for i := range x.Data {
			x.Data[i] = float32(rng.Float64()*120 - 100)
		}
		got := MFCC(nil, x, c.k)
		k := min(c.k, c.bands)
		if got.Rows != k || got.Cols != c.frames {
			t.Fatalf("%+v: shape %v", c, got)
		}
		for q := 0; q < k; q++ {
			scale := math.Sqrt(2 / float64(c.bands))
			if q == 0 {
				scale = math.Sqrt(1 / float64(c.bands))
			}
			for f := 0; f < c.frames; f++ {
				var want float64
				for i := 0; i < c.bands; i++ {
					want += scale * math.Cos(math.Pi*float64(q)*float64(2*i+1)/float64(2*c.bands)) * float64(x.At(i, f))
				}
				if g := float64(got.At(q, f)); math.Abs(g-want) > 1e-5*math.Max(1, math.Abs(want)) {
					t.Fatalf("%+v: coefficient %d frame %d = %g, want %g", c, q, f, g, want)
				}
			}
		}
	}
}

func ExampleMFCC() {
	// One frame of 8 bands holding 0, 1, 4, ..., 49: the orthonormal DCT-II gives the scaled
	// mean (c0), a falling slope (c1) and the curvature (c2), as scipy.fftpack.dct(norm='ortho').
	melDB := NewMatrix(8, 1)
	for i := range melDB.Data {
		melDB.Data[i] = float32(i * i)
	}
	m := MFCC(nil, melDB, 3)
	for k := 0; k < m.Rows; k++ {
		fmt.Printf("c%d = %.5f\n", k, m.At(k, 0))
	}
	// Output:
	// c0 = 49.49747
	// c1 = -45.09626
	// c2 = 12.61729
}
