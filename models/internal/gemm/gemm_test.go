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

// TestMulPacked: a prepacked right operand gives exactly Mul's result, over shapes that span
// several k and n blocks, and a Packed is reusable for a different shape.
func TestMulPacked(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, k := range kernels() {
		w := newWorkspace(k)
		var p Packed
		for _, s := range [][3]int{{5, 512, 128}, {64, 2100, 300}, {7, 3, 600}, {3, 4, 0}} {
			for _, tb := range []bool{false, true} {
				a := randMat(r, s[0], s[2], false)
				b := randMat(r, s[2], s[1], tb)
				init := make([]float32, s[0]*s[1])
				for i := range init {
					init[i] = float32(r.NormFloat64())
				}
				for _, acc := range []bool{false, true} {
					want := append([]float32(nil), init...)
					got := append([]float32(nil), init...)
					w.Mul(want, s[1], a, b, acc)
					w.Pack(&p, b)
					w.MulPacked(got, s[1], a, &p, acc)
					for i := range want {
						if got[i] != want[i] {
							t.Fatalf("kernel %dx%d %v trans %v acc %v: C[%d] = %v, Mul gives %v", k.mr, k.nr, s, tb, acc, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}

// TestMulNT compares MulNT (the build's kernel) with the float64 triple loop over shapes with
// edge tiles, k tails and several k blocks.
func TestMulNT(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, s := range [][3]int{{1, 1, 1}, {4, 3, 8}, {5, 7, 13}, {8, 6, 16}, {12, 8, 40}, {192, 64, 2332}, {9, 10, 0}} {
		for _, acc := range []bool{false, true} {
			a := randMat(r, s[0], s[2], false)
			bt := randMat(r, s[1], s[2], false)
			ldc := s[1] + 2
			got := make([]float32, s[0]*ldc)
			for i := range got {
				got[i] = float32(r.NormFloat64())
			}
			want := append([]float32(nil), got...)
			naive(a, bt.T(), want, ldc, acc)
			for _, ks := range append(ntKernels(), ntSpec{}) {
				got := append([]float32(nil), got...)
				mulNT(ks, new([6][]float32), got, ldc, a, bt, acc)
				tol := 1e-5 * float32(math.Sqrt(float64(s[2])+1)) * 4
				for i := 0; i < s[0]; i++ {
					for j := 0; j < ldc; j++ {
						if g, x := got[i*ldc+j], want[i*ldc+j]; math.Abs(float64(g-x)) > float64(tol) {
							t.Fatalf("kernel %dx%d %v acc %v: C[%d,%d] = %v, want %v", ks.tm, ks.tn, s, acc, i, j, g, x)
						}
					}
				}
			}
		}
	}
}

func BenchmarkMulNT(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	a := randMat(r, 192, 2332, false)
	bt := randMat(r, 64, 2332, false)
	c := make([]float32, 64*192)
	w := NewWorkspace()
	b.ReportAllocs()
	for range b.N {
		w.MulNT(c, 64, a, bt, false)
	}
	b.ReportMetric(2*64*192*2332*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// TestRowOffsets: operands whose rows overlap (a convolution's input windows, given by row
// offsets) multiply as their explicit copies do, as Mul's B and as MulNT's A.
func TestRowOffsets(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, k := range kernels() {
		w := newWorkspace(k)
		for _, s := range [][3]int{{5, 40, 6}, {64, 300, 192}, {7, 13, 9}} {
			rows, cols := s[2], s[1]
			data := make([]float32, rows*3+cols)
			for i := range data {
				data[i] = float32(r.NormFloat64())
			}
			off := make([]int, rows)
			for i := range off {
				off[i] = i*3 - i%2 // increasing, overlapping windows
			}
			win := Matrix{Data: data, Rows: rows, Cols: cols, ColStride: 1, RowOff: off}
			flat := make([]float32, rows*cols)
			for i := 0; i < rows; i++ {
				copy(flat[i*cols:(i+1)*cols], data[off[i]:])
			}
			a := randMat(r, s[0], rows, false)
			want := make([]float32, s[0]*cols)
			got := make([]float32, s[0]*cols)
			w.Mul(want, cols, a, RowMajor(flat, rows, cols), false)
			w.Mul(got, cols, a, win, false)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("kernel %dx%d %v: Mul with row offsets differs at %d: %v vs %v", k.mr, k.nr, s, i, got[i], want[i])
				}
			}
			g := randMat(r, s[0], cols, false)
			want = make([]float32, rows*s[0])
			got = make([]float32, rows*s[0])
			w.MulNT(want, s[0], RowMajor(flat, rows, cols), g, false)
			w.MulNT(got, s[0], win, g, false)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%v: MulNT with row offsets differs at %d: %v vs %v", s, i, got[i], want[i])
				}
			}
		}
	}
}
