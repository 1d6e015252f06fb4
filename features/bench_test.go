package features

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// benchClip is a deterministic music-like test signal: a kick every 0.5 s (120 BPM), a
// three-note chord changing every 2 s, and a little noise, at amplitude below 1.
func benchClip(sr int, seconds float64) []float32 {
	n := int(seconds * float64(sr))
	y := make([]float32, n)
	rng := rand.New(rand.NewPCG(7, 11))
	chords := [][3]float64{{261.63, 329.63, 392.00}, {220.00, 261.63, 329.63}, {174.61, 220.00, 261.63}, {196.00, 246.94, 293.66}}
	for i := range y {
		t := float64(i) / float64(sr)
		ch := chords[int(t/2)%len(chords)]
		v := 0.0
		for _, f := range ch {
			v += 0.1 * math.Sin(2*math.Pi*f*t)
		}
		beat := math.Mod(t, 0.5)
		v += 0.6 * math.Exp(-beat*30) * math.Sin(2*math.Pi*(60+200*math.Exp(-beat*40))*beat)
		v += 0.01 * rng.NormFloat64()
		y[i] = float32(v)
	}
	return y
}

var benchDurations = []float64{5, 30}

// BenchmarkSTFT is the power spectrogram alone, per FFT size (30 s at 22,050 Hz, hop n_fft/4).
func BenchmarkSTFT(b *testing.B) {
	y := benchClip(22050, 30)
	for _, nfft := range []int{512, 1024, 2048, 2047, 4096} {
		b.Run(fmt.Sprintf("n_fft=%d", nfft), func(b *testing.B) {
			st, err := NewSTFT(STFTConfig{NFFT: nfft, Hop: 512})
			if err != nil {
				b.Fatal(err)
			}
			dst := st.Power(nil, y, 2)
			b.ReportAllocs()
			for b.Loop() {
				st.Power(dst, y, 2)
			}
		})
	}
}

// BenchmarkFFT is one real FFT per size, against which the STFT's per-frame cost is read.
func BenchmarkFFT(b *testing.B) {
	for _, n := range []int{512, 2048, 2000, 2047, 4096} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			f, err := NewRealFFT(n)
			if err != nil {
				b.Fatal(err)
			}
			x := make([]float64, n)
			for i := range x {
				x[i] = math.Sin(float64(i))
			}
			dst := f.Forward(nil, x)
			b.ReportAllocs()
			for b.Loop() {
				f.Forward(dst, x)
			}
		})
	}
}

// benchSpec returns the 2048/512 power spectrogram of a clip of the given length.
func benchSpec(b *testing.B, seconds float64) *Matrix {
	st, err := NewSTFT(STFTConfig{NFFT: 2048, Hop: 512})
	if err != nil {
		b.Fatal(err)
	}
	return st.Power(nil, benchClip(22050, seconds), 2)
}

func BenchmarkMel(b *testing.B) {
	bank, err := NewMelBank(MelConfig{SampleRate: 22050, NFFT: 2048, NMels: 128})
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range benchDurations {
		b.Run(fmt.Sprintf("%gs", d), func(b *testing.B) {
			spec := benchSpec(b, d)
			dst := bank.Apply(nil, spec)
			b.ReportAllocs()
			for b.Loop() {
				bank.Apply(dst, spec)
			}
		})
	}
}

func BenchmarkPowerToDB(b *testing.B) {
	bank, _ := NewMelBank(MelConfig{SampleRate: 22050, NFFT: 2048, NMels: 128})
	for _, d := range benchDurations {
		b.Run(fmt.Sprintf("%gs", d), func(b *testing.B) {
			mel := bank.Apply(nil, benchSpec(b, d))
			dst := PowerToDB(nil, mel, DBOptions{})
			b.ReportAllocs()
			for b.Loop() {
				PowerToDB(dst, mel, DBOptions{})
			}
		})
	}
}

// BenchmarkMFCC is the DCT of a dB mel spectrogram (the plan the Analyzer keeps).
func BenchmarkMFCC(b *testing.B) {
	bank, _ := NewMelBank(MelConfig{SampleRate: 22050, NFFT: 2048, NMels: 128})
	for _, d := range benchDurations {
		b.Run(fmt.Sprintf("%gs", d), func(b *testing.B) {
			db := PowerToDB(nil, bank.Apply(nil, benchSpec(b, d)), DBOptions{})
			plan := newDCTPlan(128, 20)
			dst := plan.apply(nil, db)
			b.ReportAllocs()
			for b.Loop() {
				plan.apply(dst, db)
			}
		})
	}
}

func BenchmarkChroma(b *testing.B) {
	bank, err := NewChromaBank(ChromaConfig{SampleRate: 22050, NFFT: 2048})
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range benchDurations {
		b.Run(fmt.Sprintf("%gs", d), func(b *testing.B) {
			spec := benchSpec(b, d)
			dst := bank.Apply(nil, spec)
			b.ReportAllocs()
			for b.Loop() {
				bank.Apply(dst, spec)
			}
		})
	}
}

func BenchmarkDelta(b *testing.B) {
	bank, _ := NewMelBank(MelConfig{SampleRate: 22050, NFFT: 2048, NMels: 128})
	for _, d := range benchDurations {
		b.Run(fmt.Sprintf("%gs", d), func(b *testing.B) {
			mfcc := MFCC(nil, PowerToDB(nil, bank.Apply(nil, benchSpec(b, d)), DBOptions{}), 20)
			dst, err := Delta(nil, mfcc, 9, 1)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				Delta(dst, mfcc, 9, 1)
			}
		})
	}
}

// BenchmarkAnalyzer is the target: STFT, mel, MFCC, chroma and beat tracking of a
// clip at 22,050 Hz (n_fft 2048, hop 512, 128 mels, 20 MFCCs, 12 chroma) from one STFT, on
// one goroutine, with the buffers of the previous clip reused. "spectral" leaves out the beats.
func BenchmarkAnalyzer(b *testing.B) {
	a, err := NewAnalyzer(AnalyzerConfig{SampleRate: 22050})
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range benchDurations {
		y := benchClip(22050, d)
		for _, w := range []struct {
			name string
			want Feature
		}{
			{"spectral", FeatMel | FeatMFCC | FeatChroma},
			{"all", FeatMel | FeatMFCC | FeatChroma | FeatBeats},
		} {
			b.Run(fmt.Sprintf("%s/%gs", w.name, d), func(b *testing.B) {
				f := a.Analyze(nil, y, w.want)
				b.ReportAllocs()
				for b.Loop() {
					a.Analyze(f, y, w.want)
				}
			})
		}
	}
}

func BenchmarkVGGishExamples(b *testing.B) {
	y := benchClip(16000, 10)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := VGGishExamples(y, 16000); err != nil {
			b.Fatal(err)
		}
	}
}
