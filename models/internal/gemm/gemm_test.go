package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func naive(a, b Matrix, c []float32, ldc int, acc bool) {
	for i := 0; i < a.Rows; i++ {
		for j := 0; j < b.Cols; j++ {
			var s float64
			for p := 0; p < a.Cols; p++ {
				s += float64(a.at(i, p)) * float64(b.at(p, j))
			}
			if acc {
				s += float64(c[i*ldc+j])
			}
			c[i*ldc+j] = float32(s)
		}
	}
}

func randMat(r *rand.Rand, rows, cols int, trans bool) Matrix {
	d := make([]float32, rows*cols)
	for i := range d {
		d[i] = float32(r.NormFloat64())
	}
	if trans {
		return RowMajor(d, cols, rows).T()
	}
	return RowMajor(d, rows, cols)
}

// TestMul compares every kernel against a float64 triple loop over shapes that exercise the
// edge tiles and the k, m and n blocking, with both operand layouts and both write modes.
func TestMul(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	shapes := [][3]int{{1, 1, 1}, {3, 5, 7}, {8, 32, 6}, {33, 70, 300}, {130, 40, 600}, {64, 2100, 20}, {9, 17, 0}}
	for _, k := range kernels() {
		w := newWorkspace(k)
		for _, s := range shapes {
			for _, ta := range []bool{false, true} {
				for _, tb := range []bool{false, true} {
					for _, acc := range []bool{false, true} {
						name := fmt.Sprintf("%dx%d/%v/%v/%v/%v", k.mr, k.nr, s, ta, tb, acc)
						a := randMat(r, s[0], s[2], ta)
						b := randMat(r, s[2], s[1], tb)
						ldc := s[1] + 3
						got := make([]float32, s[0]*ldc)
						for i := range got {
							got[i] = float32(r.NormFloat64())
						}
						want := append([]float32(nil), got...)
						naive(a, b, want, ldc, acc)
						w.Mul(got, ldc, a, b, acc)
						for i := 0; i < s[0]; i++ {
							for j := 0; j < ldc; j++ {
								g, x := got[i*ldc+j], want[i*ldc+j]
								// float32 sums of up to 600 unit-variance products: relative to
								// sqrt(k) the rounding error stays below 1e-5.
								tol := 1e-5 * float32(math.Sqrt(float64(s[2])+1)) * 4
								if math.Abs(float64(g-x)) > float64(tol) {
									t.Fatalf("%s: C[%d,%d] = %v, want %v", name, i, j, g, x)
								}
							}
						}
					}
				}
			}
		}
	}
}

func BenchmarkMul(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range [][3]int{{64, 2332, 192}, {128, 808, 384}, {64, 384, 2332}} {
		for _, k := range kernels() {
			b.Run(fmt.Sprintf("%dx%dx%d/kernel%dx%d", s[0], s[1], s[2], k.mr, k.nr), func(b *testing.B) {
				w := newWorkspace(k)
				a := randMat(r, s[0], s[2], false)
				bm := randMat(r, s[2], s[1], false)
				c := make([]float32, s[0]*s[1])
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					w.Mul(c, s[1], a, bm, false)
				}
				b.ReportMetric(2*float64(s[0]*s[1]*s[2])*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
