package audio

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/dsp/fourier"
)

// tone is amp*sin(2*pi*f*t) sampled n times at sr.
func tone(n, sr int, f, amp float64) []float32 {
	y := make([]float32, n)
	for i := range y {
		y[i] = float32(amp * math.Sin(2*math.Pi*f*float64(i)/float64(sr)))
	}
	return y
}

// blackmanHarris is the 4-term Blackman-Harris window (sidelobes below -92 dB, falling
// further away from the main lobe), so tone levels can be read 100 dB below a strong tone.
func blackmanHarris(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		x := 2 * math.Pi * float64(i) / float64(n-1)
		w[i] = 0.35875 - 0.48829*math.Cos(x) + 0.14128*math.Cos(2*x) - 0.01168*math.Cos(3*x)
	}
	return w
}

// toneAmp estimates the amplitude of the component of y at frequency f (Hz, rate sr) with a
// Blackman-Harris-windowed single-frequency DFT.
func toneAmp(y []float32, sr int, f float64) float64 {
	w := blackmanHarris(len(y))
	var s complex128
	var ws float64
	for i, v := range y {
		s += complex(w[i]*float64(v), 0) * cmplx.Exp(complex(0, -2*math.Pi*f*float64(i)/float64(sr)))
		ws += w[i]
	}
	return 2 * cmplx.Abs(s) / ws
}

// peakHz is the frequency of the largest bin of the windowed spectrum of y.
func peakHz(y []float32, sr int) float64 {
	w := blackmanHarris(len(y))
	x := make([]float64, len(y))
	for i, v := range y {
		x[i] = w[i] * float64(v)
	}
	c := fourier.NewFFT(len(x)).Coefficients(nil, x)
	best := 0
	for k := range c {
		if cmplx.Abs(c[k]) > cmplx.Abs(c[best]) {
			best = k
		}
	}
	return float64(best) * float64(sr) / float64(len(x))
}

func db(x float64) float64 { return 20 * math.Log10(x) }

var ratePairs = [][2]int{{44100, 22050}, {22050, 16000}, {8000, 16000}, {48000, 44100}, {16000, 22050}}

// steady is the middle of a resampled clip, away from the edges where the filter sees the
// zeros outside the input.
func steady(y []float32) []float32 { return y[len(y)/4 : len(y)/4+8192] }

// TestResampleKeepsTones: tones in the passband keep their frequency (peak bin) and level.
// The passband ripple is documented as below 0.0001 dB; the issue asks for 0.1 dB. The level
// estimate itself is good to about 1e-5 dB here.
func TestResampleKeepsTones(t *testing.T) {
	const maxRippleDB = 0.0001
	for _, p := range ratePairs {
		from, to := p[0], p[1]
		ny := float64(min(from, to)) / 2
		for _, frac := range []float64{0.05, 0.3, 0.6, 0.85, 0.9} {
			f := frac * ny
			t.Run(fmt.Sprintf("%d-%d/%.0fHz", from, to, f), func(t *testing.T) {
				in := tone(from*2, from, f, 0.5)
				out := Resample(nil, in, from, to)
				y := steady(out)
				binHz := float64(to) / float64(len(y))
				if got := peakHz(y, to); math.Abs(got-f) > binHz {
					t.Errorf("peak at %.1f Hz, want %.1f Hz (bin %.2f Hz)", got, f, binHz)
				}
				ratio := db(toneAmp(y, to, f) / toneAmp(steady(in), from, f))
				if math.Abs(ratio) > maxRippleDB {
					t.Errorf("level changed by %.5f dB, more than %g dB", ratio, maxRippleDB)
				}
			})
		}
	}
}

// TestResampleNoAliasing: downsampling, a tone between the new Nyquist and 1.5 times it must
// leave (almost) nothing in the output; upsampling, the image of a tone above the old Nyquist
// must be as weak. Documented: stopband attenuation at least 100 dB (the issue asks for 60).
func TestResampleNoAliasing(t *testing.T) {
	const minAttenDB = 100
	for _, p := range ratePairs {
		from, to := p[0], p[1]
		ny := float64(min(from, to)) / 2
		for _, frac := range []float64{1.0, 1.01, 1.1, 1.3, 1.5} {
			var f, image float64 // input tone; where its alias/image would appear in the output
			if to < from {
				f = frac * ny
				if f >= float64(from)/2 {
					continue
				}
				image = math.Abs(float64(to) - f)
			} else {
				image = frac * ny
				f = float64(from) - image
				if f <= 0 || image >= float64(to)/2 {
					continue
				}
			}
			t.Run(fmt.Sprintf("%d-%d/%.0fHz", from, to, f), func(t *testing.T) {
				in := tone(from*2, from, f, 0.5)
				y := steady(Resample(nil, in, from, to))
				atten := -db(toneAmp(y, to, image) / 0.5)
				t.Logf("tone %.1f Hz -> %.1f Hz: %.1f dB below the input", f, image, atten)
				if atten < minAttenDB {
					t.Errorf("alias/image at %.1f Hz only %.1f dB down, want >= %d dB", image, atten, minAttenDB)
				}
			})
		}
	}
}

// TestResampleFilterResponse measures the frequency response of the filters of 2:1 and 1:2
// conversion densely: passband (to 0.91 x the lower Nyquist) within 0.0001 dB, stopband (from
// the lower Nyquist to the higher one) at least 109 dB down, as the doc comment states.
func TestResampleFilterResponse(t *testing.T) {
	for _, p := range [][2]int{{44100, 22050}, {22050, 44100}} {
		r, err := NewResampler(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		// The rows interleave into one prototype sampled every 1/l input samples; its
		// response at f cycles per input sample, divided by l, is the DC-normalised gain.
		resp := func(f float64) float64 {
			var s complex128
			for ph := 0; ph < r.phases; ph++ {
				for j, c := range r.table[ph*r.taps : (ph+1)*r.taps] {
					tt := float64(ph)/float64(r.phases) + float64(r.half-1-j)
					s += complex(float64(c), 0) * cmplx.Exp(complex(0, -2*math.Pi*f*tt))
				}
			}
			return cmplx.Abs(s) / float64(r.l)
		}
		ny := 0.5 * float64(min(p[0], p[1])) / float64(p[0]) // lower Nyquist, cycles per input sample
		const steps = 4000
		var maxDev, minAtten = 0.0, math.Inf(1)
		for i := 0; i <= steps; i++ {
			maxDev = math.Max(maxDev, math.Abs(db(resp(resPassEdge*ny*float64(i)/steps))))
			f := ny + (float64(r.l)*0.5-ny)*float64(i)/steps
			minAtten = math.Min(minAtten, -db(resp(f)))
		}
		t.Logf("%d -> %d Hz: %d taps, passband deviation %.2g dB, stopband >= %.1f dB", p[0], p[1], r.taps, maxDev, minAtten)
		if maxDev > 0.0001 || minAtten < 109 {
			t.Errorf("%d -> %d Hz: passband deviation %.2g dB (max 0.0001), stopband %.1f dB (min 109)", p[0], p[1], maxDev, minAtten)
		}
	}
}

// TestResampleMatchesSox compares Resample with sox's "rate -h" (the 20-bit design that
// libsoxr, librosa's default resampler, was extracted from) on a sum of random tones below
// 0.8 x the lower Nyquist: same length, same alignment, and away from the clip's ends
// differences more than 100 dB below the signal (measured 108-129 dB; closer to the band edge
// the two passbands part: 96 dB at 0.85 for 16 kHz -> 22.05 kHz). Skips without sox (Debian
// package sox).
func TestResampleMatchesSox(t *testing.T) {
	needTool(t, "sox", "sox")
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(5, 6))
	for _, p := range ratePairs {
		from, to := p[0], p[1]
		ny := float64(min(from, to)) / 2
		x := make([]float32, 3*from)
		for range 40 {
			f, ph := 20+rng.Float64()*(0.8*ny-20), rng.Float64()*2*math.Pi
			for i := range x {
				x[i] += float32(0.02 * math.Sin(2*math.Pi*f*float64(i)/float64(from)+ph))
			}
		}
		data := make([]byte, 0, 4*len(x))
		for _, v := range x {
			data = binary.LittleEndian.AppendUint32(data, math.Float32bits(v))
		}
		in, out := filepath.Join(dir, "in.wav"), filepath.Join(dir, "out.wav")
		if err := os.WriteFile(in, riffWAV(0, chunk{id: "fmt ", body: fmtBody(wavTagFloat, 1, from, 32, false, 0)}, chunk{id: "data", body: data}), 0o644); err != nil {
			t.Fatal(err)
		}
		run(t, "sox", in, "-e", "floating-point", "-b", "32", out, "rate", "-h", fmt.Sprint(to))
		ref, err := Load(out)
		if err != nil {
			t.Fatal(err)
		}
		y := Resample(nil, x, from, to)
		if len(y) != len(ref.Data) {
			t.Fatalf("%d -> %d Hz: %d samples, sox %d", from, to, len(y), len(ref.Data))
		}
		// The first and last 0.1 s differ: the two filters have different lengths, so they
		// ring differently at the clip's abrupt start and end.
		edge := to / 10
		if snr := snrDB(ref.Data[edge:len(y)-edge], y[edge:len(y)-edge]); snr < 100 {
			t.Errorf("%d -> %d Hz: %.1f dB SNR against sox rate -h, want >= 100", from, to, snr)
		} else {
			t.Logf("%d -> %d Hz: %.1f dB SNR against sox rate -h", from, to, snr)
		}
	}
}

// TestResampleLength: the output has ceil(n*to/from) samples, like soxr via librosa.
func TestResampleLength(t *testing.T) {
	for _, p := range append(ratePairs, [2]int{44100, 44099}, [2]int{22050, 22050}) {
		r, err := NewResampler(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		for n := range 3000 {
			want := (n*p[1] + p[0] - 1) / p[0]
			if got := len(r.Resample(nil, make([]float32, n))); got != want {
				t.Fatalf("%d -> %d Hz, %d samples: got %d, want %d", p[0], p[1], n, got, want)
			}
		}
	}
}

// TestResampleInterpolatedPhases covers rate pairs whose reduced ratio has more than
// resMaxPhases phases, which interpolate between filter rows.
func TestResampleInterpolatedPhases(t *testing.T) {
	from, to := 44100, 44099
	if g := gcd(from, to); to/g <= resMaxPhases {
		t.Fatalf("%d -> %d does not exercise interpolation", from, to)
	}
	for _, f := range []float64{1000, 15000} {
		y := steady(Resample(nil, tone(from*2, from, f, 0.5), from, to))
		if ratio := db(toneAmp(y, to, f) / 0.5); math.Abs(ratio) > 0.001 {
			t.Errorf("%.0f Hz: level changed by %.5f dB", f, ratio)
		}
		// A pure tone resampled exactly has no other component: the residual after removing
		// the ideal tone measures the interpolation error.
		ideal := steady(tone(to*2, to, f, 0.5))
		var e, s float64
		for i := range y {
			d := float64(y[i] - ideal[i])
			e += d * d
			s += float64(ideal[i]) * float64(ideal[i])
		}
		snr := 10 * math.Log10(s/e)
		t.Logf("%.0f Hz: SNR %.1f dB against the ideal tone", f, snr)
		if snr < 100 {
			t.Errorf("%.0f Hz: SNR %.1f dB against the ideal tone, want >= 100", f, snr)
		}
	}
}

func TestResampleRejectsBadRates(t *testing.T) {
	for _, p := range [][2]int{{0, 16000}, {16000, 0}, {-1, 8000}, {1, 2000}} {
		if _, err := NewResampler(p[0], p[1]); err == nil {
			t.Errorf("NewResampler(%d, %d) accepted", p[0], p[1])
		}
		if y := Resample(nil, make([]float32, 10), p[0], p[1]); len(y) != 0 {
			t.Errorf("Resample(%d, %d) returned %d samples", p[0], p[1], len(y))
		}
	}
}

func BenchmarkResample(b *testing.B) {
	for _, p := range [][2]int{{44100, 22050}, {22050, 16000}, {8000, 16000}} {
		b.Run(fmt.Sprintf("30s_%d-%d", p[0], p[1]), func(b *testing.B) {
			in := tone(30*p[0], p[0], 440, 0.5)
			r, err := NewResampler(p[0], p[1])
			if err != nil {
				b.Fatal(err)
			}
			dst := make([]float32, r.OutLen(len(in)))
			b.SetBytes(int64(4 * len(in)))
			b.ResetTimer()
			for b.Loop() {
				dst = r.Resample(dst, in)
			}
		})
	}
	b.Run("design_22050-16000", func(b *testing.B) {
		for b.Loop() {
			if _, err := NewResampler(22050, 16000); err != nil {
				b.Fatal(err)
			}
		}
	})
}
