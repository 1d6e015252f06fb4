package features

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func asFloat64s[T float32 | int](x []T) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

func readRefNPY32(t testing.TB, path string) []float32 {
	_, d := readRefNPY(t, path)
	out := make([]float32, len(d))
	for i, v := range d {
		out[i] = float32(v)
	}
	return out
}

func readRefNPYMatrix(t testing.TB, path string) *Matrix {
	shape, d := readRefNPY(t, path)
	if len(shape) != 2 {
		t.Fatalf("%s: shape %v, want 2-D", path, shape)
	}
	m := NewMatrix(shape[0], shape[1])
	for i, v := range d {
		m.Data[i] = float32(v)
	}
	return m
}

// TestRhythmReferencesFromFeatures checks every rhythm case of the manifest that can be
// computed from librosa's own intermediate arrays: tempogram, tempo and beats from librosa's
// beat envelope, beat-synchronous mel from librosa's mel and beats, onset strength from
// librosa's mel (and the beat envelope where the analysis mel is the one beat_track uses).
// It pins the rhythm code independently of this package's STFT and mel (only PowerToDB is
// shared, for the onset input); the end-to-end checks from audio run with the rest of the
// manifest in reference_test.go.
func TestRhythmReferencesFromFeatures(t *testing.T) {
	dir, m := loadRefManifest(t)
	path := func(id, name string) string { return filepath.Join(dir, "features", id, name+".npy") }
	checked := map[string]bool{}
	want := 0
	for _, in := range m.Inputs {
		a := in.Analysis
		fullBand := a.FMax == nil || *a.FMax == float64(in.SR)/2
		beatMel := a.NFFT == 2048 && a.NMels == 128 && fullBand
		for _, c := range m.Cases {
			if c.InputID != in.ID {
				continue
			}
			suffix := strings.TrimPrefix(c.ID, in.ID+".")
			if !isRhythmKind(suffix) {
				continue
			}
			if suffix == "beat_onset_envelope" && !beatMel {
				continue // needs a 2048-point, 128-band mel that only the audio pipeline makes
			}
			want++
			t.Run(c.ID, func(t *testing.T) {
				shape, ref := readRefNPY(t, filepath.Join(dir, c.Output))
				if !slices.Equal(shape, c.Shape) {
					t.Fatalf("reference shape %v, manifest says %v", shape, c.Shape)
				}
				var got []float64
				switch suffix {
				case "onset_strength", "beat_onset_envelope":
					opt := OnsetOptions{NFFT: a.NFFT, Hop: a.Hop}
					if suffix == "beat_onset_envelope" {
						opt.Aggregate = AggMedian
					}
					mel := readRefNPYMatrix(t, path(in.ID, "melspectrogram"))
					db := PowerToDB(nil, mel, DBOptions{Ref: 1, AMin: 1e-10, TopDB: 80})
					got = asFloat64s(OnsetStrength(nil, db, opt))
				case "beat_tempogram_mean":
					env := readRefNPY32(t, path(in.ID, "beat_onset_envelope"))
					got = MeanTempogram(nil, env, TempoWindow(in.SR, a.Hop, 8))
				case "beat_tempo":
					env := readRefNPY32(t, path(in.ID, "beat_onset_envelope"))
					tempo, _ := BeatTrack(env, in.SR, a.Hop, BeatOptions{})
					got = []float64{tempo}
				case "beat_frames":
					env := readRefNPY32(t, path(in.ID, "beat_onset_envelope"))
					_, beats := BeatTrack(env, in.SR, a.Hop, BeatOptions{})
					got = asFloat64s(beats)
				case "beat_sync_mel":
					mel := readRefNPYMatrix(t, path(in.ID, "melspectrogram"))
					_, b := readRefNPY(t, path(in.ID, "beat_frames"))
					beats := make([]int, len(b))
					for i, v := range b {
						beats[i] = int(v)
					}
					s := Sync(nil, mel, beats, AggMedian)
					if s.Rows != shape[0] || s.Cols != shape[1] {
						t.Fatalf("shape (%d, %d), want %v", s.Rows, s.Cols, shape)
					}
					got = asFloat64s(s.Data)
				}
				worst, at, fails, _ := refCompare(got, ref, c.Tolerance.Abs, c.Tolerance.Rel)
				if fails > 0 {
					t.Fatalf("%d of %d values outside abs %g + rel %g; worst |diff| %.3g at %d (got %.9g, want %.9g)",
						fails, len(ref), c.Tolerance.Abs, c.Tolerance.Rel, worst, at, got[at], ref[at])
				}
				t.Logf("worst |diff| %.3g over %d values (abs tol %g)", worst, len(ref), c.Tolerance.Abs)
				checked[c.ID] = true
			})
		}
	}
	if len(checked) != want || want < 35 {
		t.Errorf("checked %d of %d rhythm cases; the manifest should yield at least 35 here", len(checked), want)
	}
}

// clickMelDB is a deterministic stand-in for a mel spectrogram in dB of a clip with an
// onset every period frames: every band jumps at the onset and decays after it, plus noise.
func clickMelDB(seed uint64, bands, frames int, period float64) *Matrix {
	rng := rand.New(rand.NewPCG(seed, 3))
	m := NewMatrix(bands, frames)
	for r := range bands {
		base := -60 + 20*math.Sin(float64(r)/9)
		for c := range frames {
			since := math.Mod(float64(c), period)
			m.Data[r*frames+c] = float32(base + 30*math.Exp(-since/4) + rng.NormFloat64())
		}
	}
	return m
}

// BenchmarkBeatTrack is librosa.beat.beat_track on the onset envelope of a 30 s clip at
// 22,050 Hz, hop 512 (1,292 frames): tempo estimation (the tempogram) and the dynamic programme.
func BenchmarkBeatTrack(b *testing.B) {
	const frames = 1 + 30*22050/512
	env := OnsetStrength(nil, clickMelDB(1, 128, frames, 21.5), OnsetOptions{NFFT: 2048, Hop: 512, Aggregate: AggMedian})
	b.Run("tempo", func(b *testing.B) {
		for b.Loop() {
			TempoEstimate(env, 22050, 512, TempoOptions{})
		}
	})
	b.Run("track", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			BeatTrack(env, 22050, 512, BeatOptions{})
		}
	})
}

// clickEnvelope is an onset envelope with a unit click every period frames from frame first.
func clickEnvelope(frames int, first, period float64) []float32 {
	env := make([]float32, frames)
	for f := first; f < float64(frames); f += period {
		if i := int(math.Round(f)); i < frames {
			env[i] = 1
		}
	}
	return env
}

// TestBeatTrackClickTrains tracks click trains at known tempi for many rates and hops. These
// exact envelopes were also run through librosa's beat tracker (outside this repository): it
// returned the same tempo and frames for all 100 of them. librosa may settle on half or double
// the tempo and puts an occasional beat beside the clicks, so the checks here are that the
// tempo's lag is the click period (or half or twice it) rounded either way, and that nearly
// all beats fall on clicks.
func TestBeatTrackClickTrains(t *testing.T) {
	for _, sr := range []int{8000, 16000, 22050, 44100, 48000} {
		for _, hop := range []int{128, 256, 441, 512, 1024} {
			for _, bpm := range []float64{96, 120, 135, 150} {
				fps := float64(sr) / float64(hop)
				period := fps * 60 / bpm
				frames := int(20 * fps)
				env := clickEnvelope(frames, 3+period/3, period)
				name := fmt.Sprintf("sr=%d hop=%d bpm=%g", sr, hop, bpm)
				tempo, beats := BeatTrack(env, sr, hop, BeatOptions{})
				lag := 60 * fps / tempo
				level := 0.0 // the metrical level the tempo picked
				for _, m := range []float64{0.5, 1, 2} {
					if math.Abs(lag-m*period) < 1 && math.Abs(lag-math.Round(lag)) < 1e-9 {
						level = m
					}
				}
				if level == 0 {
					t.Errorf("%s: tempo %g (lag %g) for a click period of %g frames", name, tempo, lag, period)
					continue
				}
				if want := int(float64(frames)/(level*period)) - 2; len(beats) < want {
					t.Errorf("%s: %d beats, want at least %d", name, len(beats), want)
				}
				onClick := 0
				for _, b := range beats {
					if env[b] == 1 || b > 0 && env[b-1] == 1 || b+1 < frames && env[b+1] == 1 {
						onClick++
					}
				}
				if onClick < len(beats)*9/10 {
					t.Errorf("%s: %d of %d beats on a click", name, onClick, len(beats))
				}
				// Given the tempo, the same beats come back.
				if t2, b2 := BeatTrack(env, sr, hop, BeatOptions{BPM: tempo}); t2 != tempo || !slices.Equal(b2, beats) {
					t.Errorf("%s: with BPM set: %g %v, want %g %v", name, t2, b2, tempo, beats)
				}
			}
		}
	}
}

func TestBeatTrackDegenerateInputs(t *testing.T) {
	for _, env := range [][]float32{nil, {}, {0}, make([]float32, 1000)} {
		if tempo, beats := BeatTrack(env, 22050, 512, BeatOptions{}); tempo != 0 || beats != nil {
			t.Errorf("no onsets (%d frames): %g %v", len(env), tempo, beats)
		}
	}
	env := clickEnvelope(500, 3, 21.5)
	for _, c := range [][2]int{{0, 512}, {22050, 0}, {-1, 512}, {22050, -512}} {
		if tempo, beats := BeatTrack(env, c[0], c[1], BeatOptions{}); tempo != 0 || beats != nil {
			t.Errorf("sr %d hop %d: %g %v", c[0], c[1], tempo, beats)
		}
	}
	// A tempo window of one frame has only the infinite lag-0 tempo: no beats, no panic.
	if tempo, beats := BeatTrack(env, 100, 500, BeatOptions{}); !math.IsInf(tempo, 1) || beats != nil {
		t.Errorf("one-frame tempo window: %g %v", tempo, beats)
	}
	// Absurd given tempi neither panic nor allocate without bound.
	for _, bpm := range []float64{1e-300, 1e300, math.Inf(1), math.NaN()} {
		BeatTrack(env, 22050, 512, BeatOptions{BPM: bpm})
	}
	// Short, odd and signed envelopes: beats are increasing frames of the envelope.
	rng := rand.New(rand.NewPCG(9, 9))
	for range 2000 {
		env := make([]float32, 1+rng.IntN(60))
		for i := range env {
			switch rng.IntN(4) {
			case 0:
				env[i] = float32(rng.NormFloat64())
			case 1:
				env[i] = float32(rng.IntN(3))
			case 2:
				env[i] = float32(math.NaN())
			}
		}
		sr := []int{8000, 22050, 44100}[rng.IntN(3)]
		hop := []int{64, 256, 512, 2048}[rng.IntN(4)]
		_, beats := BeatTrack(env, sr, hop, BeatOptions{Tightness: rng.Float64() * 200, NoTrim: rng.IntN(2) == 0})
		if !slices.IsSorted(beats) || len(beats) > 0 && (beats[0] < 0 || beats[len(beats)-1] >= len(env)) {
			t.Fatalf("env %v sr %d hop %d: beats %v", env, sr, hop, beats)
		}
	}
}

// directMeanTempogram is librosa's tempogram written out: pad with linear ramps, window, direct
// autocorrelation, divide by the largest lag, average the frames.
func directMeanTempogram(env []float32, win int) []float64 {
	x := rampPad(env, win/2)
	w := HannWindow(win, true)
	out := make([]float64, win)
	frame := make([]float64, win)
	ac := make([]float64, win)
	for t := range env {
		for j := range frame {
			frame[j] = float64(x[t+j]) * w[j]
		}
		top := 0.0
		for k := range ac {
			ac[k] = 0
			for j := k; j < win; j++ {
				ac[k] += frame[j] * frame[j-k]
			}
			top = max(top, math.Abs(ac[k]))
		}
		if top < 0x1p-1022 {
			top = 1
		}
		for k := range out {
			out[k] += ac[k] / top
		}
	}
	for k := range out {
		out[k] /= float64(len(env))
	}
	return out
}

func TestMeanTempogramMatchesDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	envs := map[string]func(n int) []float32{
		"dense": func(n int) []float32 {
			e := make([]float32, n)
			for i := range e {
				e[i] = float32(rng.Float64())
			}
			return e
		},
		"zero runs": func(n int) []float32 {
			e := make([]float32, n)
			for i := range e {
				if (i/40)%3 == 1 && rng.IntN(2) == 0 {
					e[i] = float32(rng.Float64() * 5)
				}
			}
			return e
		},
		"loud then faint": func(n int) []float32 {
			e := make([]float32, n)
			for i := range e {
				e[i] = float32(rng.Float64() * 1e-6)
				if i < n/3 {
					e[i] = float32(rng.Float64() * 1e4)
				}
			}
			return e
		},
		"signed": func(n int) []float32 {
			e := make([]float32, n)
			for i := range e {
				e[i] = float32(rng.NormFloat64())
			}
			return e
		},
		"one click": func(n int) []float32 {
			e := make([]float32, n)
			e[n/2] = 3
			return e
		},
	}
	for name, gen := range envs {
		for _, win := range []int{1, 2, 3, 4, 7, 64, 129} {
			for _, n := range []int{1, 2, 5, 60, 1500} {
				env := gen(n)
				got, want := MeanTempogram(nil, env, win), directMeanTempogram(env, win)
				worst, at, fails, _ := refCompare(got, want, 1e-12, 0)
				if fails > 0 {
					t.Errorf("%s win=%d n=%d: %d values off, worst |diff| %.3g at lag %d", name, win, n, fails, worst, at)
				} else if testing.Verbose() && n == 1500 {
					t.Logf("%s win=%d n=%d: worst |diff| %.2g", name, win, n, worst)
				}
			}
		}
	}
	if tg := MeanTempogram(nil, nil, 4); len(tg) != 4 || !math.IsNaN(tg[0]) {
		t.Errorf("empty envelope: %v", tg)
	}
	if tg := MeanTempogram(nil, []float32{1}, 0); len(tg) != 0 {
		t.Errorf("empty window: %v", tg)
	}
}

func TestTempoHelpers(t *testing.T) {
	if w := TempoWindow(22050, 512, 8); w != 344 {
		t.Errorf("TempoWindow(22050, 512, 8) = %d, want 344", w)
	}
	if w := TempoWindow(8000, 128, 8); w != 500 {
		t.Errorf("TempoWindow(8000, 128, 8) = %d, want 500", w)
	}
	if w := TempoWindow(0, 512, 8); w != 0 {
		t.Errorf("TempoWindow with sr 0 = %d", w)
	}
	f := TempoFrequencies(nil, 4, 22050, 512)
	if !math.IsInf(f[0], 1) || f[1] != 60*22050/512.0 || f[3] != 60*22050/(512*3.0) {
		t.Errorf("TempoFrequencies = %v", f)
	}
	if got := TempoEstimate(nil, 22050, 512, TempoOptions{}); got != 0 {
		t.Errorf("tempo of nothing = %g", got)
	}
	// With a flat (all-zero) envelope the prior alone decides: the lag nearest 120 BPM.
	if got := TempoEstimate(make([]float32, 100), 22050, 512, TempoOptions{}); math.Abs(got-120) > 3 {
		t.Errorf("prior-only tempo = %g", got)
	}
	// MaxTempo excludes fast lags; +Inf keeps all but lag 0.
	env := clickEnvelope(1000, 2, 5) // 258 BPM at 22050/512
	if got := TempoEstimate(env, 22050, 512, TempoOptions{MaxTempo: 200}); got >= 200 {
		t.Errorf("MaxTempo 200 gave %g", got)
	}
	if got := TempoEstimate(env, 22050, 512, TempoOptions{MaxTempo: math.Inf(1), StartBPM: 250}); math.Abs(got-258.4) > 0.1 {
		t.Errorf("unlimited tempo = %g, want 258.4", got)
	}
}

func TestCorrectlyRoundedExpLog(t *testing.T) {
	// Values where glibc and Go's math package round differently from the exact result;
	// the wanted values are the exact results rounded (computed in 40-digit decimal).
	for _, c := range []struct{ x, exp float64 }{
		{-81.92000000000002, 2.6460377906875844e-36}, // glibc: ...848e-36
		{-65.3061224489796, 4.344215751056344e-29},   // glibc: ...343e-29
		{-512, 4.377491037053051e-223},
		{-1, 0.36787944117144233},
		{0, 1},
	} {
		if got := expCR(c.x); got != c.exp {
			t.Errorf("expCR(%v) = %v, want %v", c.x, got, c.exp)
		}
	}
	for _, c := range []struct{ x, log float64 }{
		{3, 1.0986122886681098},
		{9170, 9.12369256525051}, // glibc: ...511
		{1, 0},
		{0.5, -0.6931471805599453},
	} {
		if got := logCR(c.x); got != c.log {
			t.Errorf("logCR(%v) = %v, want %v", c.x, got, c.log)
		}
	}
	// Elsewhere they stay within two ulps of math.Exp and math.Log (Go's own error bound).
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		a := -700 * rng.Float64()
		if e, m := expCR(a), math.Exp(a); math.Abs(e-m) > 2*math.Abs(math.Nextafter(m, 0)-m) {
			t.Fatalf("expCR(%v) = %v, math.Exp %v", a, e, m)
		}
		x := math.Exp(50 * rng.NormFloat64())
		if l, m := logCR(x), math.Log(x); math.Abs(l-m) > 2*math.Abs(math.Nextafter(m, 0)-m)+1e-300 {
			t.Fatalf("logCR(%v) = %v, math.Log %v", x, l, m)
		}
	}
}

func ExampleBeatTrack() {
	// An onset envelope of 10 s at 22,050 Hz with hop 512 (43 frames a second), with a click
	// every 21 frames (123 BPM) from frame 5 on.
	env := make([]float32, 431)
	for f := 5; f < len(env); f += 21 {
		env[f] = 1
	}
	tempo, beats := BeatTrack(env, 22050, 512, BeatOptions{})
	fmt.Printf("%.2f BPM\n%v\n", tempo, beats)
	// Output:
	// 123.05 BPM
	// [5 26 47 68 89 110 131 152 173 194 215 236 257 278 299 320 341 362 383 404 425]
}

// tieEnvelope is a sparse envelope of small whole numbers with runs of zeros: beat paths
// through it often score equal but for rounding, which is where exactness is tested.
func tieEnvelope(seed uint64, n int) []float32 {
	rng := rand.New(rand.NewPCG(seed, 0x7e5))
	env := make([]float32, n)
	for i := 3; i < n; i++ {
		if rng.IntN(12) == 0 {
			env[i] = float32(1 + rng.IntN(3))
		}
	}
	return env
}

// TestBeatTrackTieBreaking pins tempo and beats on envelopes full of near-ties. The expected
// values come from librosa 0.11's beat tracker (its beat.py numba kernels and the tempo code of
// feature/rhythm.py) run on these envelopes with the manifest's numpy 1.24.2 and numba 0.56.4
// (glibc 2.36) outside this repository. Seeds 81 and 113 are settled by the last bit of the
// Gaussian window and the log penalties: with math.Exp and math.Log instead of the correctly
// rounded expCR and logCR their beats differ.
func TestBeatTrackTieBreaking(t *testing.T) {
	for _, c := range []struct {
		seed             uint64
		n, sr, hop       int
		tightness, tempo float64
		beats            []int
	}{
		{81, 466, 8000, 256, 100, 133.92857142857142, []int{62, 77, 91, 105, 120, 136, 149, 161, 175, 189, 202, 215, 229, 243, 256, 270, 285, 300, 314, 328, 342, 356, 369, 382, 397, 411, 426, 441}},
		{113, 530, 22050, 256, 400, 109.95678191489361, []int{20, 65, 112, 159, 206, 255, 300, 346, 394, 442, 486}},
		{1, 598, 44100, 1024, 33.3, 135.99917763157896, []int{41, 58, 75, 92, 112, 132, 148, 170, 191, 210, 228, 246, 264, 281, 297, 316, 334, 351, 370, 383, 398, 416, 436, 455, 473, 492, 509, 526, 544}},
		{4, 476, 44100, 512, 33.3, 123.046875, []int{16, 57, 99, 141, 179, 212, 251, 285, 319, 360, 400, 444, 474}},
		{5, 491, 22050, 512, 400, 92.28515625, []int{33, 61, 88, 115, 142, 169, 196, 223, 249, 275, 301, 328, 355, 383, 411, 438, 464}},
		{6, 288, 8000, 512, 50, 52.083333333333336, []int{63, 78, 96, 118, 135, 153, 171, 193, 213, 232, 250, 266, 284}},
		{8, 235, 8000, 441, 100, 72.56235827664399, []int{33, 48, 63, 78, 93, 108, 123, 139, 155, 172, 189, 205, 221}},
		{9, 266, 16000, 441, 100, 145.12471655328798, []int{74, 91, 107, 124, 140, 155, 173, 190, 204, 218, 233, 249, 264}},
	} {
		tempo, beats := BeatTrack(tieEnvelope(c.seed, c.n), c.sr, c.hop, BeatOptions{Tightness: c.tightness})
		if tempo != c.tempo || !slices.Equal(beats, c.beats) {
			t.Errorf("seed %d (sr %d, hop %d, tightness %g): tempo %v, beats %v\nwant %v, %v",
				c.seed, c.sr, c.hop, c.tightness, tempo, beats, c.tempo, c.beats)
		}
	}
}

func TestSum32MatchesNumpy(t *testing.T) {
	// numpy.add.reduce(numpy.arange(n, dtype=numpy.float32) / 3) on numpy 1.24.2, whose float32
	// sums are pairwise within buffers of 8192 values.
	for _, c := range []struct {
		n    int
		want float32
	}{{7, 7}, {100, 1650}, {1000, 166500}, {9000, 13498500}, {20000, 66663332}} {
		x := make([]float32, c.n)
		for i := range x {
			x[i] = float32(i) / 3
		}
		if got := sum32(x); got != c.want {
			t.Errorf("n=%d: sum %v, want %v", c.n, got, c.want)
		}
	}
}
