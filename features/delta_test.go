package features

import (
	"math"
	"testing"
)

func TestSavgolCoefficients(t *testing.T) {
	for _, c := range []struct {
		width, order int
		want         []float64
	}{
		{5, 1, []float64{-2. / 10, -1. / 10, 0, 1. / 10, 2. / 10}},
		{9, 1, []float64{-4. / 60, -3. / 60, -2. / 60, -1. / 60, 0, 1. / 60, 2. / 60, 3. / 60, 4. / 60}},
		{5, 2, []float64{2. / 7, -1. / 7, -2. / 7, -1. / 7, 2. / 7}},
		{7, 2, []float64{5. / 42, 0, -3. / 42, -4. / 42, -3. / 42, 0, 5. / 42}},
		{3, 2, []float64{1, -2, 1}},
	} {
		got := savgolCoeffs(c.width, c.order)
		for i := range c.want {
			if math.Abs(got[i]-c.want[i]) > 1e-13 {
				t.Errorf("width %d order %d: %v, want %v", c.width, c.order, got, c.want)
				break
			}
		}
	}
}

func TestDeltaOfPolynomials(t *testing.T) {
	// Row 0 is a line (slope 3), row 1 a parabola 0.5 t^2: order 1 gives the slope everywhere
	// for the line and t for the parabola (exact for a quadratic with a symmetric window,
	// constant at the edges); order 2 gives 1 for the parabola everywhere.
	const n = 20
	x := NewMatrix(2, n)
	for i := 0; i < n; i++ {
		x.Set(0, i, float32(3*i-7))
		x.Set(1, i, float32(0.5*float64(i*i)))
	}
	d1, err := Delta(nil, x, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := Delta(nil, x, 7, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if math.Abs(float64(d1.At(0, i))-3) > 1e-5 {
			t.Errorf("delta of a line at %d = %g, want 3", i, d1.At(0, i))
		}
		want := float64(min(max(i, 2), n-3)) // edges hold the first and last interior value
		if math.Abs(float64(d1.At(1, i))-want) > 1e-4 {
			t.Errorf("delta of a parabola at %d = %g, want %g", i, d1.At(1, i), want)
		}
		if math.Abs(float64(d2.At(1, i))-1) > 1e-4 || math.Abs(float64(d2.At(0, i))) > 1e-4 {
			t.Errorf("second delta at %d = %g, %g, want 0, 1", i, d2.At(0, i), d2.At(1, i))
		}
	}
}

func TestDeltaValidation(t *testing.T) {
	x := NewMatrix(3, 9)
	for _, c := range []struct{ width, order int }{{2, 1}, {4, 1}, {1, 1}, {9, 0}, {3, 3}, {11, 1}} {
		if _, err := Delta(nil, x, c.width, c.order); err == nil {
			t.Errorf("Delta(width %d, order %d) on 9 frames succeeded, want an error", c.width, c.order)
		}
	}
	if _, err := Delta(nil, x, 9, 1); err != nil {
		t.Errorf("width equal to the frame count: %v", err)
	}
}
