package features

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestChromaApplyMatchesDenseProduct compares Apply, which skips negligible weights and sums
// in float32, with the full filterbank product in float64, on spectra chosen to stress the
// skipped weights: white, a single low bin (where the octave weighting is smallest), and
// alternating loud and quiet bins.
func TestChromaApplyMatchesDenseProduct(t *testing.T) {
	for _, cfg := range []ChromaConfig{
		{SampleRate: 22050, NFFT: 2048},
		{SampleRate: 8000, NFFT: 511, NChroma: 24, Tuning: 0.25},
		{SampleRate: 44100, NFFT: 4096, NChroma: 7},
	} {
		t.Run(fmt.Sprintf("%+v", cfg), func(t *testing.T) {
			bank, err := NewChromaBank(cfg)
			if err != nil {
				t.Fatal(err)
			}
			w := bank.Weights()
			nb := w.Cols
			rng := rand.New(rand.NewPCG(6, 6))
			const frames = 40
			spec := NewMatrix(nb, frames)
			for f := 0; f < frames; f++ {
				for k := 0; k < nb; k++ {
					var v float64
					switch f % 4 {
					case 0:
						v = rng.ExpFloat64()
					case 1:
						if k == 1+f%5 {
							v = 1e3
						}
					case 2:
						v = math.Pow(10, float64(k%7)) * rng.Float64()
					case 3: // silence stays zero
					}
					spec.Set(k, f, float32(v))
				}
			}
			got := bank.Apply(nil, spec)
			for f := 0; f < frames; f++ {
				raw := make([]float64, w.Rows)
				var mx float64
				for c := range raw {
					for k := 0; k < nb; k++ {
						raw[c] += float64(w.At(c, k)) * float64(spec.At(k, f))
					}
					mx = max(mx, raw[c])
				}
				for c, r := range raw {
					want := r
					if mx > 0 {
						want = r / mx
					}
					if g := float64(got.At(c, f)); math.Abs(g-want) > 1e-6 {
						t.Fatalf("class %d frame %d: %g, want %g", c, f, g, want)
					}
				}
			}
		})
	}
}

func TestChromaOfATone(t *testing.T) {
	// A 440 Hz tone is pitch class A: row 9 when rows start at C.
	const sr = 22050
	y := make([]float32, sr)
	for i := range y {
		y[i] = float32(0.5 * math.Sin(2*math.Pi*440*float64(i)/sr))
	}
	st, _ := NewSTFT(STFTConfig{NFFT: 4096, Hop: 1024})
	bank, err := NewChromaBank(ChromaConfig{SampleRate: sr, NFFT: 4096})
	if err != nil {
		t.Fatal(err)
	}
	ch := bank.Apply(nil, st.Power(nil, y, 2))
	mid := ch.Cols / 2
	for c := 0; c < 12; c++ {
		v := ch.At(c, mid)
		if (c == 9) != (v == 1) {
			t.Errorf("class %d = %g; want only class 9 (A) at 1", c, v)
		}
	}
}

func TestChromaConfigValidation(t *testing.T) {
	for _, cfg := range []ChromaConfig{
		{SampleRate: 0, NFFT: 2048},
		{SampleRate: 22050, NFFT: 1},
		{SampleRate: 22050, NFFT: 2048, NChroma: -1},
		{SampleRate: 22050, NFFT: 2048, Tuning: math.Inf(1)},
	} {
		if _, err := ChromaFilterbank(cfg); err == nil {
			t.Errorf("ChromaFilterbank(%+v) succeeded, want an error", cfg)
		}
	}
}
