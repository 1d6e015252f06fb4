package features

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestLog10Accuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	check := func(x float64) {
		if d := math.Abs(log10(x) - math.Log10(x)); d > 1e-11 {
			t.Fatalf("log10(%g) = %.17g, math.Log10 = %.17g", x, log10(x), math.Log10(x))
		}
	}
	for i := 0; i < 200000; i++ {
		check(math.Exp(rng.Float64()*200 - 100))
	}
	for _, x := range []float64{1, 2, 0.5, math.Sqrt2, math.Nextafter(math.Sqrt2, 0), math.Nextafter(math.Sqrt2, 2),
		1e-10, float64(float32(1e-10)), 1e30, math.MaxFloat64, math.SmallestNonzeroFloat64, 0x1p-1022} {
		check(x)
	}
	for _, x := range []float64{0, -1, math.Inf(1), math.NaN()} {
		if a, b := log10(x), math.Log10(x); !(a == b || (math.IsNaN(a) && math.IsNaN(b))) {
			t.Errorf("log10(%g) = %g, want %g", x, a, b)
		}
	}
}

func TestPowerToDB(t *testing.T) {
	s := &Matrix{Rows: 2, Cols: 3, Data: []float32{1, 10, 100, 1e-12, 0, 1e-3}}
	for _, c := range []struct {
		opt  DBOptions
		want []float64
	}{
		{DBOptions{}, []float64{0, 10, 20, -60, -60, -30}},                            // top_db 80 below 20 dB
		{DBOptions{TopDB: -1}, []float64{0, 10, 20, -100, -100, -30}},                 // no clipping
		{DBOptions{RefMax: true, TopDB: -1}, []float64{-20, -10, 0, -120, -120, -50}}, // ref = max
		{DBOptions{Ref: -10, TopDB: 25}, []float64{-10, 0, 10, -15, -15, -15}},        // |ref|, top_db 25
		{DBOptions{AMin: 1e-5, TopDB: -1}, []float64{0, 10, 20, -50, -50, -30}},       // amin
	} {
		got := PowerToDB(nil, s, c.opt)
		for i, w := range c.want {
			if math.Abs(float64(got.Data[i])-w) > 1e-4 {
				t.Errorf("%+v: [%d] = %g, want %g", c.opt, i, got.Data[i], w)
			}
		}
	}
	// In place, and on a larger random matrix against the definition.
	r := NewMatrix(7, 50)
	rng := rand.New(rand.NewPCG(2, 2))
	for i := range r.Data {
		r.Data[i] = float32(math.Exp(rng.Float64()*40 - 30))
	}
	want := make([]float64, len(r.Data))
	top := math.Inf(-1)
	for i, v := range r.Data {
		want[i] = 10 * math.Log10(math.Max(float64(v), 1e-10))
		top = math.Max(top, want[i])
	}
	for i := range want {
		want[i] = math.Max(want[i], top-80)
	}
	PowerToDB(r, r, DBOptions{})
	for i, w := range want {
		if math.Abs(float64(r.Data[i])-w) > 1e-5*math.Max(1, math.Abs(w)) {
			t.Fatalf("in place [%d] = %g, want %g", i, r.Data[i], w)
		}
	}
	if e := PowerToDB(nil, NewMatrix(3, 0), DBOptions{RefMax: true}); e.Rows != 3 || e.Cols != 0 {
		t.Errorf("empty input: %v", e)
	}
}
