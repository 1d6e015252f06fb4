package features

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func randomSignal(seed uint64, n int) []float32 {
	rng := rand.New(rand.NewPCG(seed, 99))
	y := make([]float32, n)
	for i := range y {
		y[i] = float32(rng.Float64()*2 - 1)
	}
	return y
}

// naiveSTFTPower follows librosa's definition literally: pad n_fft//2 zeros on both sides
// (when centred), cut frames of n_fft every hop, multiply by the periodic Hann window of
// win_length centred in n_fft, and take the direct DFT.
func naiveSTFTPower(y []float32, cfg STFTConfig, power float64) [][]float64 {
	win := cfg.Win
	if win == 0 {
		win = cfg.NFFT
	}
	window := make([]float64, cfg.NFFT)
	lpad := (cfg.NFFT - win) / 2
	for i := 0; i < win; i++ {
		window[lpad+i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(win))
	}
	padded := make([]float64, 0, len(y)+cfg.NFFT)
	if !cfg.NoCenter {
		padded = append(padded, make([]float64, cfg.NFFT/2)...)
	}
	for _, v := range y {
		padded = append(padded, float64(v))
	}
	if !cfg.NoCenter {
		padded = append(padded, make([]float64, cfg.NFFT/2)...)
	}
	var frames [][]float64
	for start := 0; start+cfg.NFFT <= len(padded); start += cfg.Hop {
		x := make([]float64, cfg.NFFT)
		for i := range x {
			x[i] = padded[start+i] * window[i]
		}
		spec := directDFT(x)
		p := make([]float64, len(spec))
		for k, c := range spec {
			p[k] = math.Pow(real(c)*real(c)+imag(c)*imag(c), power/2)
		}
		frames = append(frames, p)
	}
	return frames
}

func TestSTFTMatchesDirectDFT(t *testing.T) {
	cases := []struct {
		cfg   STFTConfig
		n     int
		power float64
	}{
		{STFTConfig{NFFT: 512, Hop: 128}, 3000, 2},
		{STFTConfig{NFFT: 400, Hop: 160}, 2000, 2},           // 2^4*5^2
		{STFTConfig{NFFT: 441, Hop: 100}, 2000, 1},           // odd, 3^2*7^2
		{STFTConfig{NFFT: 257, Hop: 64}, 1500, 2},            // odd prime
		{STFTConfig{NFFT: 2 * 89, Hop: 50}, 1000, 2},         // Bluestein half length
		{STFTConfig{NFFT: 512, Hop: 100, Win: 300}, 2500, 2}, // win < n_fft, even padding
		{STFTConfig{NFFT: 512, Hop: 128, Win: 301}, 2500, 1}, // odd window in even n_fft
		{STFTConfig{NFFT: 255, Hop: 77, Win: 100}, 1800, 2},  // odd n_fft, shorter window
		{STFTConfig{NFFT: 256, Hop: 256, NoCenter: true}, 2000, 2},
		{STFTConfig{NFFT: 300, Hop: 7, NoCenter: true}, 700, 0.5},
		{STFTConfig{NFFT: 1024, Hop: 300}, 100, 2}, // clip shorter than a frame
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%d:%+v", i, c.cfg), func(t *testing.T) {
			y := randomSignal(uint64(i), c.n)
			st, err := NewSTFT(c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			got := st.Power(nil, y, c.power)
			want := naiveSTFTPower(y, c.cfg, c.power)
			if got.Cols != len(want) || got.Cols != st.Frames(c.n) || got.Rows != c.cfg.NFFT/2+1 {
				t.Fatalf("shape (%d, %d), Frames %d; want (%d, %d)", got.Rows, got.Cols, st.Frames(c.n), c.cfg.NFFT/2+1, len(want))
			}
			var peak float64
			for _, f := range want {
				for _, v := range f {
					peak = max(peak, v)
				}
			}
			for tt, f := range want {
				for k, w := range f {
					g := float64(got.At(k, tt))
					if math.Abs(g-w) > 1e-6*peak+1e-6*w {
						t.Fatalf("bin %d frame %d: %g, want %g (peak %g)", k, tt, g, w, peak)
					}
				}
			}
		})
	}
}

// TestSTFTParseval checks the energy of every frame: with the window w, sum_k c_k |X_k|^2 / n
// (c_k = 1 for the DC and Nyquist bins, 2 otherwise) equals sum_i (w_i x_i)^2.
func TestSTFTParseval(t *testing.T) {
	for _, nfft := range []int{2048, 1000, 999} {
		cfg := STFTConfig{NFFT: nfft, Hop: nfft / 3}
		y := randomSignal(uint64(nfft), 20000)
		st, _ := NewSTFT(cfg)
		p := st.Power(nil, y, 2)
		w := HannWindow(nfft, true)
		for tt := 0; tt < p.Cols; tt++ {
			var e float64
			for i, wi := range w {
				if j := tt*cfg.Hop - nfft/2 + i; j >= 0 && j < len(y) {
					e += (wi * float64(y[j])) * (wi * float64(y[j]))
				}
			}
			var s float64
			for k := 0; k < p.Rows; k++ {
				c := 2.0
				if k == 0 || (nfft%2 == 0 && k == nfft/2) {
					c = 1
				}
				s += c * float64(p.At(k, tt))
			}
			s /= float64(nfft)
			if math.Abs(s-e) > 1e-5*e {
				t.Fatalf("n_fft %d frame %d: spectral energy %g, signal energy %g", nfft, tt, s, e)
			}
		}
	}
}

func TestSTFTFramesAndValidation(t *testing.T) {
	st, _ := NewSTFT(STFTConfig{NFFT: 2048, Hop: 512})
	for n, want := range map[int]int{0: 1, 1: 1, 511: 1, 512: 2, 661500: 1 + 661500/512} {
		if got := st.Frames(n); got != want {
			t.Errorf("Frames(%d) = %d, want %d", n, got, want)
		}
	}
	odd, _ := NewSTFT(STFTConfig{NFFT: 5, Hop: 2})
	// Centred odd n_fft: 2*(5/2) = 4 padding samples, so 1 + (n + 4 - 5)/2 frames.
	for n, want := range map[int]int{0: 0, 1: 1, 2: 1, 3: 2} {
		if got := odd.Frames(n); got != want {
			t.Errorf("odd n_fft: Frames(%d) = %d, want %d", n, got, want)
		}
	}
	nc, _ := NewSTFT(STFTConfig{NFFT: 100, Hop: 10, NoCenter: true})
	for n, want := range map[int]int{99: 0, 100: 1, 109: 1, 110: 2} {
		if got := nc.Frames(n); got != want {
			t.Errorf("not centred: Frames(%d) = %d, want %d", n, got, want)
		}
	}
	for _, bad := range []STFTConfig{{NFFT: 0, Hop: 1}, {NFFT: 8, Hop: 0}, {NFFT: 8, Hop: 2, Win: 9}, {NFFT: 8, Hop: 2, Win: -1}} {
		if _, err := NewSTFT(bad); err == nil {
			t.Errorf("NewSTFT(%+v) succeeded, want an error", bad)
		}
	}
}

func TestSTFTReusesDestination(t *testing.T) {
	st, _ := NewSTFT(STFTConfig{NFFT: 64, Hop: 16})
	big := st.Power(nil, randomSignal(1, 4000), 2)
	data := &big.Data[0]
	small := st.Power(big, randomSignal(2, 100), 2)
	if small != big || &small.Data[0] != data || small.Cols != st.Frames(100) {
		t.Errorf("Power did not reuse its destination")
	}
}

func TestHannWindow(t *testing.T) {
	w := HannWindow(4, true)
	want := []float64{0, 0.5, 1, 0.5}
	for i := range want {
		if math.Abs(w[i]-want[i]) > 1e-15 {
			t.Fatalf("periodic Hann(4) = %v, want %v", w, want)
		}
	}
	w = HannWindow(5, false)
	want = []float64{0, 0.5, 1, 0.5, 0}
	for i := range want {
		if math.Abs(w[i]-want[i]) > 1e-15 {
			t.Fatalf("symmetric Hann(5) = %v, want %v", w, want)
		}
	}
	if w := HannWindow(1, true); len(w) != 1 || w[0] != 1 {
		t.Errorf("Hann(1) = %v, want [1] as scipy", w)
	}
}

func ExampleNewSTFT() {
	// A 1 kHz tone at 8 kHz: its energy lands in bin 1000/(8000/16) = 2 of a 16-point STFT.
	y := make([]float32, 64)
	for i := range y {
		y[i] = float32(math.Sin(2 * math.Pi * 1000 * float64(i) / 8000))
	}
	st, err := NewSTFT(STFTConfig{NFFT: 16, Hop: 8})
	if err != nil {
		panic(err)
	}
	mag := st.Power(nil, y, 1)
	fmt.Println(mag)
	for k := 0; k < mag.Rows; k++ {
		fmt.Printf("bin %d: %.2f\n", k, mag.At(k, 4))
	}
	// Output:
	// Matrix(9, 9)
	// bin 0: 0.00
	// bin 1: 2.00
	// bin 2: 4.00
	// bin 3: 2.00
	// bin 4: 0.00
	// bin 5: 0.00
	// bin 6: 0.00
	// bin 7: 0.00
	// bin 8: 0.00
}
