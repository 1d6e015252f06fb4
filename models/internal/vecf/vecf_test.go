package vecf

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExpf compares the scalar expf with float64 exp over its range.
func TestExpf(t *testing.T) {
	for x := float32(-87); x <= 88; x += 0.0137 {
		e := math.Exp(float64(x))
		if g := float64(expf(x)); math.Abs(g-e) > 3e-7*e {
			t.Fatalf("expf(%v) = %v, want %v", x, g, e)
		}
	}
}

// TestActivations checks Logistic and Tanh (the build's kernel, assembly or Go) against
// float64 math, with and without bias, over lengths that leave tails, arguments beyond the
// clamping range, and in place.
func TestActivations(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 8, 9, 64, 131} {
		src := make([]float32, n)
		bias := make([]float32, n)
		for i := range src {
			src[i] = float32(r.NormFloat64() * 8)
			bias[i] = float32(r.NormFloat64())
		}
		if n > 2 {
			src[0], src[1] = 200, -200
		}
		for _, b := range [][]float32{nil, bias} {
			lg, th := make([]float32, n), append([]float32(nil), src...)
			Logistic(lg, src, b)
			Tanh(th, th, b)
			for i, v := range src {
				x := float64(v)
				if b != nil {
					x += float64(b[i])
				}
				if w := 1 / (1 + math.Exp(-x)); math.Abs(float64(lg[i])-w) > 2e-7 {
					t.Fatalf("n %d: Logistic(%v) = %v, want %v", n, x, lg[i], w)
				}
				if w := math.Tanh(x); math.Abs(float64(th[i])-w) > 3e-7 {
					t.Fatalf("n %d: Tanh(%v) = %v, want %v", n, x, th[i], w)
				}
			}
		}
	}
}

func BenchmarkLogistic(b *testing.B) {
	src := make([]float32, 4096)
	for i := range src {
		src[i] = float32(i%200)/10 - 10
	}
	dst := make([]float32, len(src))
	for range b.N {
		Logistic(dst, src, nil)
	}
	b.ReportMetric(float64(len(src)*b.N)/b.Elapsed().Seconds()/1e6, "Mvalues/s")
}

// TestMaxGather compares MaxGather (the build's kernel) with a plain loop, for increasing
// index tables of several strides, lengths with tails, ties and NaNs.
func TestMaxGather(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 7, 8, 13, 64, 70} {
		for _, stride := range []int{1, 2, 3} {
			idx := make([]int32, n)
			for i := range idx {
				idx[i] = int32(i*stride + i/5) // rows of 5 outputs with a gap between rows
			}
			const off = 3
			x := make([]float32, int(idx[n-1])+off+1)
			y := make([]float32, n)
			arg := make([]int32, n)
			for i := range x {
				x[i] = float32(r.IntN(5)) // many ties
			}
			for i := range y {
				y[i], arg[i] = float32(r.IntN(5)), -1
			}
			x[off] = float32(math.NaN())
			wy, wa := append([]float32(nil), y...), append([]int32(nil), arg...)
			for i := range wy {
				if v := x[idx[i]+off]; v > wy[i] {
					wy[i], wa[i] = v, idx[i]+off
				}
			}
			MaxGather(y, arg, x, idx, off)
			for i := range y {
				if y[i] != wy[i] || arg[i] != wa[i] {
					t.Fatalf("n %d stride %d: [%d] = %v@%d, want %v@%d", n, stride, i, y[i], arg[i], wy[i], wa[i])
				}
			}
		}
	}
}

// TestNormKernels compares the batch-norm kernels (the build's, assembly or Go) with plain
// float64 loops over lengths that leave tails.
func TestNormKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 7, 8, 15, 16, 17, 100, 2568} {
		x, g := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i], g[i] = float32(r.NormFloat64()*3+1), float32(r.NormFloat64())
		}
		var s, sq, sg, sgx float64
		for i, v := range x {
			s += float64(v)
			sq += (float64(v) - 0.5) * (float64(v) - 0.5)
			sg += float64(g[i])
			sgx += float64(g[i]) * (float64(v) - 0.25) * 1.5
		}
		near := func(a, b, tol float64) bool { return math.Abs(a-b) <= tol*(1+math.Abs(b)) }
		if got := Sum64(x); !near(got, s, 1e-12) {
			t.Errorf("n %d: Sum64 %v, want %v", n, got, s)
		}
		if got := SqDev64(x, 0.5); !near(got, sq, 1e-12) {
			t.Errorf("n %d: SqDev64 %v, want %v", n, got, sq)
		}
		// The product g·(x-mean)·inv is rounded to float32 per value.
		if a, b := GradSums64(g, x, 0.25, 1.5); !near(a, sg, 1e-12) || !near(b, sgx, 1e-6) {
			t.Errorf("n %d: GradSums64 %v %v, want %v %v", n, a, b, sg, sgx)
		}
		for _, relu := range []bool{false, true} {
			dst := make([]float32, n)
			Affine(dst, x, 1.5, -0.5, relu)
			for i, v := range x {
				w := float64(v)*1.5 - 0.5
				if relu {
					w = math.Max(w, 0)
				}
				if !near(float64(dst[i]), w, 1e-6) {
					t.Fatalf("n %d relu %v: Affine[%d] = %v, want %v", n, relu, i, dst[i], w)
				}
			}
		}
		dst := make([]float32, n)
		Combine(dst, g, x, 2, -0.5, 0.25)
		for i := range dst {
			if w := 2*float64(g[i]) - 0.5*float64(x[i]) + 0.25; !near(float64(dst[i]), w, 1e-6) {
				t.Fatalf("n %d: Combine[%d] = %v, want %v", n, i, dst[i], w)
			}
		}
		ReLUGrad(dst, x, g)
		for i := range dst {
			w := float32(0)
			if x[i] > 0 {
				w = g[i]
			}
			if dst[i] != w {
				t.Fatalf("n %d: ReLUGrad[%d] = %v, want %v", n, i, dst[i], w)
			}
		}
	}
}
