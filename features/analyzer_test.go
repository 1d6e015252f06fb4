package features

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func equalMatrix(t *testing.T, name string, got, want *Matrix) {
	t.Helper()
	if got == nil || got.Rows != want.Rows || got.Cols != want.Cols || !slices.Equal(got.Data, want.Data) {
		t.Errorf("%s: the Analyzer's result differs from the standalone computation (%v vs %v)", name, got, want)
	}
}

// TestAnalyzerMatchesStandaloneFunctions checks that every feature of one Analyze pass is
// exactly what the standalone plans compute, including librosa's separate onset spectrogram
// for beats when the analysis parameters differ from it.
func TestAnalyzerMatchesStandaloneFunctions(t *testing.T) {
	const sr = 22050
	y := benchClip(sr, 8)
	beatSpec := func(hop int) *Matrix {
		st, _ := NewSTFT(STFTConfig{NFFT: 2048, Hop: hop})
		bank, _ := NewMelBank(MelConfig{SampleRate: sr, NFFT: 2048, NMels: 128})
		return PowerToDB(nil, bank.Apply(nil, st.Power(nil, y, 2)), DBOptions{})
	}
	for _, cfg := range []AnalyzerConfig{
		{SampleRate: sr}, // librosa's defaults: the beat spectrogram is the analysis one
		{SampleRate: sr, STFT: STFTConfig{NFFT: 1024, Hop: 256}, NMels: 64, FMin: 30, FMax: 8000, HTK: true,
			NMFCC: 13, NChroma: 24, DB: DBOptions{RefMax: true, TopDB: 60}},
		{SampleRate: sr, STFT: STFTConfig{NFFT: 2048, Hop: 512, NoCenter: true}},
	} {
		a, err := NewAnalyzer(cfg)
		if err != nil {
			t.Fatal(err)
		}
		c := a.Config()
		got := a.Analyze(nil, y, FeatAll)

		st, _ := NewSTFT(c.STFT)
		spec := st.Power(nil, y, 2)
		mel, _ := NewMelBank(MelConfig{SampleRate: sr, NFFT: c.STFT.NFFT, NMels: c.NMels, FMin: c.FMin, FMax: c.FMax, HTK: c.HTK})
		melS := mel.Apply(nil, spec)
		db1 := PowerToDB(nil, melS, DBOptions{})
		chroma, _ := NewChromaBank(ChromaConfig{SampleRate: sr, NFFT: c.STFT.NFFT, NChroma: c.NChroma})

		if got.Frames != spec.Cols {
			t.Errorf("Frames = %d, want %d", got.Frames, spec.Cols)
		}
		equalMatrix(t, "spectrogram", got.Spectrogram, spec)
		equalMatrix(t, "mel", got.Mel, melS)
		equalMatrix(t, "mel dB", got.MelDB, PowerToDB(nil, melS, c.DB))
		equalMatrix(t, "MFCC", got.MFCC, MFCC(nil, db1, c.NMFCC))
		equalMatrix(t, "chroma", got.Chroma, chroma.Apply(nil, spec))
		onsetOpt := OnsetOptions{NFFT: c.STFT.NFFT, Hop: c.STFT.Hop}
		if c.STFT.NoCenter {
			onsetOpt = OnsetOptions{}
		}
		if want := OnsetStrength(nil, db1, onsetOpt); !slices.Equal(got.Onset, want) {
			t.Errorf("onset strength differs")
		}
		env := OnsetStrength(nil, beatSpec(c.STFT.Hop), OnsetOptions{NFFT: 2048, Hop: c.STFT.Hop, Aggregate: AggMedian})
		tempo, beats := BeatTrack(env, sr, c.STFT.Hop, BeatOptions{})
		if got.Tempo != tempo || !slices.Equal(got.Beats, beats) {
			t.Errorf("beats: tempo %g %v, want %g %v", got.Tempo, got.Beats, tempo, beats)
		}
		if len(beats) < 10 {
			t.Errorf("only %d beats in 8 s of a 120 BPM clip", len(beats))
		}
	}
}

func TestAnalyzerReusesBuffers(t *testing.T) {
	a, err := NewAnalyzer(AnalyzerConfig{SampleRate: 22050})
	if err != nil {
		t.Fatal(err)
	}
	y := benchClip(22050, 3)
	want := FeatMel | FeatMelDB | FeatMFCC | FeatChroma
	f := a.Analyze(nil, y, want)
	if f.Spectrogram == nil || f.Mel == nil || f.Onset != nil || f.Beats != nil {
		t.Errorf("fields: spectrogram and mel are computed on the way and kept, onset and beats not asked for")
	}
	first := slices.Clone(f.MFCC.Data)
	if n := testing.AllocsPerRun(3, func() { a.Analyze(f, y, want) }); n != 0 {
		t.Errorf("Analyze with a reused destination allocates %v times", n)
	}
	if !slices.Equal(f.MFCC.Data, first) {
		t.Error("a second pass over the same clip changed the MFCCs")
	}
	short := a.Analyze(f, y[:100], FeatMFCC)
	if short.Frames != 1 || short.MFCC.Cols != 1 || short.Chroma != nil || short.MelDB != nil {
		t.Errorf("short clip: %d frames, MFCC %v, chroma %v", short.Frames, short.MFCC, short.Chroma)
	}
}

func TestAnalyzerValidation(t *testing.T) {
	for _, cfg := range []AnalyzerConfig{
		{},
		{SampleRate: 22050, STFT: STFTConfig{NFFT: 100, Win: 200}},
		{SampleRate: 22050, NMels: -1},
		{SampleRate: 22050, NMFCC: -3},
		{SampleRate: 22050, Power: -1},
		{SampleRate: 22050, FMin: 20000},
	} {
		if _, err := NewAnalyzer(cfg); err == nil {
			t.Errorf("NewAnalyzer(%+v) succeeded, want an error", cfg)
		}
	}
}

// TestAnalyzerRandomConfigurations runs seeded random parameter sets (odd and prime n_fft,
// short windows, hops longer than the frame, clips shorter than a frame, extreme band counts)
// through every feature and checks the shapes librosa would return; none may panic.
func TestAnalyzerRandomConfigurations(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	rates := []int{8000, 11025, 16000, 22050, 44100}
	for i := 0; i < 25; i++ {
		sr := rates[rng.IntN(len(rates))]
		nfft := 2 + rng.IntN(700)
		cfg := AnalyzerConfig{
			SampleRate: sr,
			STFT:       STFTConfig{NFFT: nfft, Hop: 1 + rng.IntN(nfft), Win: 1 + rng.IntN(nfft), NoCenter: rng.IntN(3) == 0},
			NMels:      1 + rng.IntN(150),
			HTK:        rng.IntN(2) == 0,
			Norm:       MelNorm(rng.IntN(5)),
			NMFCC:      1 + rng.IntN(40),
			NChroma:    1 + rng.IntN(36),
			Tuning:     rng.Float64() - 0.5,
		}
		if rng.IntN(2) == 0 {
			cfg.FMin = rng.Float64() * 200
			cfg.FMax = cfg.FMin + 1 + rng.Float64()*float64(sr)/2
		}
		a, err := NewAnalyzer(cfg)
		if err != nil {
			t.Fatalf("%+v: %v", cfg, err)
		}
		y := randomSignal(uint64(i), rng.IntN(sr))
		f := a.Analyze(nil, y, FeatAll)
		nb, frames := nfft/2+1, a.Frames(len(y))
		check := func(name string, m *Matrix, rows int) {
			if m == nil || m.Rows != rows || m.Cols != frames {
				t.Fatalf("%+v, %d samples: %s is %v, want (%d, %d)", cfg, len(y), name, m, rows, frames)
			}
		}
		check("spectrogram", f.Spectrogram, nb)
		check("mel", f.Mel, cfg.NMels)
		check("mel dB", f.MelDB, cfg.NMels)
		check("MFCC", f.MFCC, min(cfg.NMFCC, cfg.NMels))
		check("chroma", f.Chroma, cfg.NChroma)
		if !cfg.STFT.NoCenter && len(f.Onset) != frames {
			t.Fatalf("%+v: %d onset frames, want %d", cfg, len(f.Onset), frames)
		}
		for _, b := range f.Beats {
			if b < 0 || b >= 1+len(y)/cfg.STFT.Hop {
				t.Fatalf("%+v: beat frame %d out of range", cfg, b)
			}
		}
	}
}
