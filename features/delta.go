package features

import (
	"fmt"
	"math"
)

// Delta computes librosa.feature.delta(x, width, order, axis=-1, mode='interp'): the
// Savitzky-Golay estimate (scipy.signal.savgol_filter with polyorder = deriv = order) of the
// order-th derivative of each row along the frames. Interior frames are the least-squares
// derivative filter over width frames (for order 1, sum_k k*x[t+k] / sum_k k^2); in the first
// and last width/2 frames the polynomial fitted to the first or last width frames is
// differentiated, and since its degree equals the order the derivative is constant there: it
// equals the interior value at frame width/2, resp. Cols-1-width/2. Sums run in float64.
//
// width must be odd and at least 3, order at least 1 and below width, and x must have at
// least width frames (librosa raises otherwise). dst is reused when its storage is large enough
// (nil allocates) and returned; it must not share storage with x.
func Delta(dst, x *Matrix, width, order int) (*Matrix, error) {
	switch {
	case width < 3 || width%2 != 1:
		return nil, fmt.Errorf("features: delta width %d: must be an odd integer >= 3", width)
	case order < 1 || order >= width:
		return nil, fmt.Errorf("features: delta order %d: must be in 1..width-1 (%d)", order, width-1)
	case x.Cols < width:
		return nil, fmt.Errorf("features: delta width %d exceeds the %d frames of the input", width, x.Cols)
	}
	c := savgolCoeffs(width, order)
	h := width / 2
	t := x.Cols
	dst = reuseMatrix(dst, x.Rows, t)
	for r := 0; r < x.Rows; r++ {
		in := x.Data[r*t : (r+1)*t]
		out := dst.Data[r*t : (r+1)*t]
		for i := h; i < t-h; i++ {
			out[i] = float32(dotf32(c, in[i-h:i+h+1]))
		}
		for i := 0; i < h; i++ {
			out[i] = out[h]
			out[t-1-i] = out[t-1-h]
		}
	}
	return dst, nil
}

// dotf32 is the float64 dot product of float64 weights and float32 samples.
func dotf32(w []float64, x []float32) float64 {
	x = x[:len(w)]
	var s float64
	for i, v := range w {
		s += v * float64(x[i])
	}
	return s
}

// savgolCoeffs returns the weights c_j, j = -h..h (h = width/2), with which sum_j c_j x[t+j] is
// the order-th derivative at t of the degree-order least-squares polynomial through the width
// samples around t: c_j = order! * sum_p inv(G)[order][p] j^p with G[p][q] = sum_j j^(p+q),
// the same minimum-norm solution scipy.signal.savgol_coeffs obtains with lstsq.
func savgolCoeffs(width, order int) []float64 {
	h := width / 2
	np := order + 1
	// Gauss-Jordan on [G | I] in float64; G is a small, symmetric positive definite Hankel
	// matrix of power sums.
	g := make([][]float64, np)
	for p := range g {
		g[p] = make([]float64, 2*np)
		for q := 0; q < np; q++ {
			for j := -h; j <= h; j++ {
				g[p][q] += math.Pow(float64(j), float64(p+q))
			}
		}
		g[p][np+p] = 1
	}
	for col := 0; col < np; col++ {
		piv := col
		for r := col + 1; r < np; r++ {
			if math.Abs(g[r][col]) > math.Abs(g[piv][col]) {
				piv = r
			}
		}
		g[col], g[piv] = g[piv], g[col]
		inv := 1 / g[col][col]
		for q := range g[col] {
			g[col][q] *= inv
		}
		for r := 0; r < np; r++ {
			if r != col && g[r][col] != 0 {
				f := g[r][col]
				for q := range g[r] {
					g[r][q] -= f * g[col][q]
				}
			}
		}
	}
	fact := 1.0
	for i := 2; i <= order; i++ {
		fact *= float64(i)
	}
	c := make([]float64, width)
	for j := -h; j <= h; j++ {
		var s float64
		for p := 0; p < np; p++ {
			s += g[order][np+p] * math.Pow(float64(j), float64(p))
		}
		c[j+h] = fact * s
	}
	return c
}
