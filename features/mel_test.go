package features

import (
	"fmt"
	"math"
	"testing"
)

func TestMelScaleRoundTrip(t *testing.T) {
	for _, htk := range []bool{false, true} {
		for _, f := range []float64{0, 1, 100, 999.9, 1000, 1000.1, 4000, 11025, 22050, 96000} {
			if got := MelToHz(HzToMel(f, htk), htk); math.Abs(got-f) > 1e-9*max(f, 1) {
				t.Errorf("htk=%v: MelToHz(HzToMel(%g)) = %g", htk, f, got)
			}
		}
	}
	// Slaney: linear 3 mel per 200 Hz below 1 kHz (15 mel at 1 kHz), log above.
	if m := HzToMel(1000, false); m != 15 {
		t.Errorf("HzToMel(1000) = %g, want 15", m)
	}
	if m := HzToMel(6400, false); math.Abs(m-42) > 1e-12 {
		t.Errorf("HzToMel(6400) = %g, want 42 (15 + 27 at 6.4 kHz)", m)
	}
	if m := HzToMel(700, true); math.Abs(m-2595*math.Log10(2)) > 1e-9 {
		t.Errorf("htk HzToMel(700) = %g", m)
	}
}

// TestMelFilterbankProperties checks, for assorted configurations, that every filter is a
// non-negative triangle over one contiguous run of bins, that the norms do what they say, and
// that the Slaney norm gives each resolved filter unit area in Hz.
func TestMelFilterbankProperties(t *testing.T) {
	configs := []MelConfig{
		{SampleRate: 22050, NFFT: 2048, NMels: 128},
		{SampleRate: 16000, NFFT: 400, NMels: 80, FMin: 80, FMax: 7600},
		{SampleRate: 44100, NFFT: 1023, NMels: 40, HTK: true},
		{SampleRate: 8000, NFFT: 512, NMels: 20, Norm: MelNormNone},
		{SampleRate: 8000, NFFT: 512, NMels: 20, Norm: MelNormL1},
		{SampleRate: 8000, NFFT: 512, NMels: 20, Norm: MelNormL2},
		{SampleRate: 8000, NFFT: 512, NMels: 20, Norm: MelNormInf},
		{SampleRate: 8000, NFFT: 512, NMels: 20, Norm: MelNormP, P: 3},
	}
	for _, cfg := range configs {
		t.Run(fmt.Sprintf("%+v", cfg), func(t *testing.T) {
			w, err := MelFilterbank(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if w.Rows != cfg.NMels || w.Cols != cfg.NFFT/2+1 {
				t.Fatalf("shape %v", w)
			}
			df := float64(cfg.SampleRate) / float64(cfg.NFFT)
			for m := 0; m < w.Rows; m++ {
				row := w.Row(m)
				lo, hi := support(row)
				if lo == hi {
					continue // an empty filter, which librosa warns about at high n_mels
				}
				// Rising then falling, never negative, no gaps.
				peak := lo
				for k := lo; k < hi; k++ {
					if row[k] < 0 || (k > lo && k < hi-1 && row[k] == 0) {
						t.Fatalf("filter %d: bad weight %g at bin %d (support %d..%d)", m, row[k], k, lo, hi)
					}
					if row[k] > row[peak] {
						peak = k
					}
				}
				for k := lo + 1; k <= peak; k++ {
					if row[k] < row[k-1] {
						t.Fatalf("filter %d not rising before its peak at bin %d", m, k)
					}
				}
				for k := peak + 1; k < hi; k++ {
					if row[k] > row[k-1] {
						t.Fatalf("filter %d not falling after its peak at bin %d", m, k)
					}
				}
				var l1, l2, lp, linf float64
				for _, v := range row {
					a := float64(v)
					l1 += a
					l2 += a * a
					lp += math.Pow(a, 3)
					linf = max(linf, a)
				}
				check := func(name string, got float64) {
					if math.Abs(got-1) > 1e-6 {
						t.Errorf("filter %d: %s norm %g, want 1", m, name, got)
					}
				}
				switch cfg.Norm {
				case MelNormNone:
					if linf > 1 {
						t.Errorf("filter %d: unnormalised peak %g > 1", m, linf)
					}
				case MelNormL1:
					check("L1", l1)
				case MelNormL2:
					check("L2", math.Sqrt(l2))
				case MelNormInf:
					check("inf", linf)
				case MelNormP:
					check("L3", math.Cbrt(lp))
				case MelNormSlaney:
					if hi-lo >= 20 && !cfg.HTK { // well resolved: the sampled area is the integral
						if a := l1 * df; math.Abs(a-1) > 0.02 {
							t.Errorf("filter %d: Slaney area %g Hz, want about 1", m, a)
						}
					}
				}
			}
		})
	}
}

func TestMelBankApplyMatchesDenseProduct(t *testing.T) {
	cfg := MelConfig{SampleRate: 16000, NFFT: 400, NMels: 40, FMin: 20, FMax: 7000}
	bank, err := NewMelBank(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := NewSTFT(STFTConfig{NFFT: 400, Hop: 160})
	spec := st.Power(nil, randomSignal(5, 16000), 2)
	got := bank.Apply(nil, spec)
	w := bank.Weights()
	for m := 0; m < w.Rows; m++ {
		for tt := 0; tt < spec.Cols; tt++ {
			var want float64
			for k := 0; k < w.Cols; k++ {
				want += float64(w.At(m, k)) * float64(spec.At(k, tt))
			}
			if g := float64(got.At(m, tt)); math.Abs(g-want) > 1e-6*want {
				t.Fatalf("mel %d frame %d: %g, want %g", m, tt, g, want)
			}
		}
	}
	empty := bank.Apply(nil, NewMatrix(201, 0))
	if empty.Rows != 40 || empty.Cols != 0 {
		t.Errorf("zero frames: got %v", empty)
	}
}

func TestMelConfigValidation(t *testing.T) {
	good := MelConfig{SampleRate: 16000, NFFT: 512, NMels: 40}
	for _, mod := range []func(*MelConfig){
		func(c *MelConfig) { c.SampleRate = 0 },
		func(c *MelConfig) { c.NFFT = -1 },
		func(c *MelConfig) { c.NMels = 0 },
		func(c *MelConfig) { c.FMin = -1 },
		func(c *MelConfig) { c.FMin = 9000 }, // above the default fmax sr/2
		func(c *MelConfig) { c.FMax = math.NaN() },
		func(c *MelConfig) { c.Norm = MelNormP },
		func(c *MelConfig) { c.Norm = 42 },
	} {
		cfg := good
		mod(&cfg)
		if _, err := MelFilterbank(cfg); err == nil {
			t.Errorf("MelFilterbank(%+v) succeeded, want an error", cfg)
		}
	}
}

func ExampleMelFilterbank() {
	// Four Slaney mel bands over a 16-point FFT at 8 kHz: each row is one triangular filter
	// over the 9 FFT bins (0, 500, ..., 4000 Hz).
	w, err := MelFilterbank(MelConfig{SampleRate: 8000, NFFT: 16, NMels: 4})
	if err != nil {
		panic(err)
	}
	for m := 0; m < w.Rows; m++ {
		fmt.Printf("%.5f\n", w.Row(m))
	}
	// Output:
	// [0.00000 0.00199 0.00000 0.00000 0.00000 0.00000 0.00000 0.00000 0.00000]
	// [0.00000 0.00013 0.00170 0.00007 0.00000 0.00000 0.00000 0.00000 0.00000]
	// [0.00000 0.00000 0.00014 0.00126 0.00065 0.00000 0.00000 0.00000 0.00000]
	// [0.00000 0.00000 0.00000 0.00000 0.00041 0.00079 0.00053 0.00026 0.00000]
}
