package features

import "math"

// HannWindow returns the Hann window of length n exactly as scipy.signal.get_window('hann', n,
// fftbins=periodic) computes it (librosa's default STFT window is the periodic one): the
// periodic window is the symmetric window of length n+1 without its last sample, and each value
// is 0.5 + 0.5*cos(x) over x = linspace(-pi, pi). n <= 1 gives ones, as scipy does; n < 0 gives nil.
func HannWindow(n int, periodic bool) []float64 {
	if n < 0 {
		return nil
	}
	w := make([]float64, n)
	if n <= 1 {
		for i := range w {
			w[i] = 1
		}
		return w
	}
	m := n // points in the symmetric window that is evaluated
	if periodic {
		m = n + 1
	}
	// numpy.linspace(-pi, pi, m): start + i*step, with the last point exactly pi.
	step := (math.Pi - -math.Pi) / float64(m-1)
	for i := range w {
		x := float64(i)*step + -math.Pi
		if i == m-1 {
			x = math.Pi
		}
		w[i] = 0.5 + 0.5*math.Cos(x)
	}
	return w
}
