package augment_test

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hark-audio/hark/engine/augment"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/features"
)

// signal is a deterministic test clip of n samples in (-0.5, 0.5).
func signal(n int) []float32 {
	y := make([]float32, n)
	for i := range y {
		y[i] = float32(0.4*math.Sin(float64(i)*0.05) + 0.05*math.Sin(float64(i)*1.7))
	}
	return y
}

func TestValidate(t *testing.T) {
	cases := []struct {
		c    augment.Config
		want string
	}{
		{augment.Config{NoiseProb: 1.5}, "noise_prob 1.5"},
		{augment.Config{NoiseMax: -1}, "noise_max -1"},
		{augment.Config{Shift: math.NaN()}, "shift NaN"},
		{augment.Config{GainDB: -3}, "gain_db -3"},
		{augment.Config{TimeMasks: 2}, "time_masks 2"},
		{augment.Config{FreqMasks: 1, FreqMaskWidth: -1}, "frequency masks 1 of width -1"},
	}
	for _, tc := range cases {
		if err := tc.c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want an error containing %q", tc.c, err, tc.want)
		}
	}
	full := augment.Config{NoiseProb: 0.8, NoiseMax: 0.1, Shift: 0.1, GainDB: 6, TimeMasks: 2, TimeMaskWidth: 10, FreqMasks: 2, FreqMaskWidth: 8}
	if err := full.Validate(); err != nil || (augment.Config{}).Validate() != nil {
		t.Errorf("valid configs rejected: %v", err)
	}
	if (augment.Config{}).WaveLevel() || (augment.Config{}).Masks() || !full.WaveLevel() || !full.Masks() {
		t.Error("WaveLevel/Masks disagree with the config")
	}
}

func TestDeterminism(t *testing.T) {
	cfg := augment.Config{NoiseProb: 0.8, NoiseMax: 0.3, Shift: 0.1, GainDB: 6, TimeMasks: 2, TimeMaskWidth: 10, FreqMasks: 2, FreqMaskWidth: 8}
	noise := [][]float32{signal(30000), signal(100)}
	y := signal(16000)
	run := func(seed, stream uint64) ([]float32, augment.WaveDraw, *features.Matrix, augment.MaskDraw) {
		rng := augment.NewRand(seed, stream)
		out, wd := augment.Wave(nil, y, 16000, cfg, noise, rng)
		m := &features.Matrix{Rows: 40, Cols: 100, Data: slices.Clone(out[:4000])}
		md := augment.Mask(m, cfg, rng)
		return out, wd, m, md
	}
	distinct := 0
	for seed := range uint64(20) {
		a1, w1, m1, d1 := run(seed, 3)
		a2, w2, m2, d2 := run(seed, 3)
		if !slices.Equal(a1, a2) || w1 != w2 || !reflect.DeepEqual(m1, m2) || !reflect.DeepEqual(d1, d2) {
			t.Fatalf("seed %d: two runs differ", seed)
		}
		if b, wb, _, _ := run(seed, 4); !slices.Equal(a1, b) || w1 != wb {
			distinct++
		}
	}
	if distinct < 19 {
		t.Errorf("only %d of 20 seeds drew differently on another stream", distinct)
	}
}

func TestShift(t *testing.T) {
	const sr, n = 1000, 500
	y := make([]float32, n)
	for i := range y {
		y[i] = float32(i+1) / 1000
	}
	cfg := augment.Config{Shift: 0.2} // up to 200 samples either way
	seen := map[int]bool{}
	rng := augment.NewRand(1, 0)
	for range 2000 {
		out, d := augment.Wave(nil, y, sr, cfg, nil, rng)
		if d.Shift < -200 || d.Shift > 200 {
			t.Fatalf("shift %d outside ±200", d.Shift)
		}
		seen[d.Shift] = true
		for i, v := range out {
			want := float32(0)
			if j := i - d.Shift; j >= 0 && j < n {
				want = y[j]
			}
			if v != want {
				t.Fatalf("shift %d: out[%d] = %g, want %g", d.Shift, i, v, want)
			}
		}
	}
	if !seen[-200] || !seen[200] || !seen[0] || len(seen) < 380 {
		t.Errorf("%d distinct shifts; want nearly all of -200..200 including both ends", len(seen))
	}
	// In place, and shifts longer than the clip.
	in := slices.Clone(y)
	out, d := augment.Wave(in, in, sr, augment.Config{Shift: 0.05}, nil, augment.NewRand(2, 0))
	if &out[0] != &in[0] || out[max(0, d.Shift)] != y[max(0, -d.Shift)] {
		t.Errorf("in-place shift %d wrong", d.Shift)
	}
	out, _ = augment.Wave(nil, y[:10], sr, augment.Config{Shift: 1}, nil, augment.NewRand(3, 0))
	if len(out) != 10 {
		t.Errorf("short clip: %d samples", len(out))
	}
}

func TestGainIsExact(t *testing.T) {
	y := signal(1000)
	cfg := augment.Config{GainDB: 6}
	rng := augment.NewRand(5, 0)
	var lo, hi float64
	for range 500 {
		out, d := augment.Wave(nil, y, 16000, cfg, nil, rng)
		if math.Abs(d.GainDB) > 6 {
			t.Fatalf("gain %g dB outside ±6", d.GainDB)
		}
		lo, hi = min(lo, d.GainDB), max(hi, d.GainDB)
		g := float32(math.Pow(10, d.GainDB/20))
		for i := range y {
			if out[i] != y[i]*g {
				t.Fatalf("gain %g dB: out[%d] = %g, want %g", d.GainDB, i, out[i], y[i]*g)
			}
		}
		// The energy ratio is the gain in dB.
		var ey, eo float64
		for i := range y {
			ey += float64(y[i]) * float64(y[i])
			eo += float64(out[i]) * float64(out[i])
		}
		if got := 10 * math.Log10(eo/ey); math.Abs(got-d.GainDB) > 1e-5 {
			t.Fatalf("energy changed by %g dB, want %g", got, d.GainDB)
		}
	}
	if lo > -5.5 || hi < 5.5 {
		t.Errorf("gains drawn in [%g, %g]; want most of [-6, 6]", lo, hi)
	}
	// A loud clip is clipped to [-1, 1].
	loud, _ := augment.Wave(nil, []float32{0.9, -0.9}, 16000, augment.Config{GainDB: 200}, nil, augment.NewRand(0, 0))
	for _, v := range loud {
		if v < -1 || v > 1 {
			t.Errorf("sample %g outside [-1, 1]", v)
		}
	}
}

// TestNoiseStatistics mixes a constant noise clip into silence, so each output sample is the
// drawn volume: the mixing rate must be NoiseProb and the volume uniform on [0, NoiseMax].
func TestNoiseStatistics(t *testing.T) {
	const draws = 4000
	cfg := augment.Config{NoiseProb: 0.6, NoiseMax: 0.2}
	ones := make([]float32, 3000)
	for i := range ones {
		ones[i] = 1
	}
	ramp := make([]float32, 3000)
	for i := range ramp {
		ramp[i] = float32(i) / 3000
	}
	noise := [][]float32{ones, ramp}
	silence := make([]float32, 1000)
	rng := augment.NewRand(11, 0)
	var mixed int
	var vols []float64
	for range draws {
		out, d := augment.Wave(nil, silence, 16000, cfg, noise, rng)
		if d.Noise < 0 {
			if slices.ContainsFunc(out, func(v float32) bool { return v != 0 }) {
				t.Fatal("noise added although none was drawn")
			}
			continue
		}
		mixed++
		if d.NoiseOffset < 0 || d.NoiseOffset > 2000 {
			t.Fatalf("offset %d: the stretch must fit in the noise clip", d.NoiseOffset)
		}
		v := float32(d.NoiseVolume)
		for i, s := range out {
			if want := v * noise[d.Noise][d.NoiseOffset+i]; s != want {
				t.Fatalf("out[%d] = %g, want %g", i, s, want)
			}
		}
		vols = append(vols, d.NoiseVolume)
	}
	p := float64(mixed) / draws
	if sd := math.Sqrt(0.6 * 0.4 / draws); math.Abs(p-0.6) > 4*sd {
		t.Errorf("noise mixed in %.3f of clips, want 0.6 ± %.3f", p, 4*sd)
	}
	// Uniform on [0, 0.2]: every tenth of the range holds about a tenth of the volumes.
	var bins [10]int
	for _, v := range vols {
		if v < 0 || v > 0.2 {
			t.Fatalf("volume %g outside [0, 0.2]", v)
		}
		bins[min(9, int(v/0.02))]++
	}
	for i, c := range bins {
		want := float64(len(vols)) / 10
		if math.Abs(float64(c)-want) > 5*math.Sqrt(want) {
			t.Errorf("volumes in [%.2f, %.2f): %d, want about %.0f", 0.02*float64(i), 0.02*float64(i+1), c, want)
		}
	}
	// A noise clip shorter than the clip loops.
	out, d := augment.Wave(nil, make([]float32, 25), 16000, augment.Config{NoiseProb: 1, NoiseMax: 1}, [][]float32{{1, 2, 3}}, augment.NewRand(4, 0))
	for i, s := range out {
		if want := min(1, float32(d.NoiseVolume)*float32(1+(d.NoiseOffset+i)%3)); s != want {
			t.Fatalf("looped noise: out[%d] = %g, want %g", i, s, want)
		}
	}
}

func TestMasksWithinBounds(t *testing.T) {
	cfg := augment.Config{TimeMasks: 3, TimeMaskWidth: 12, FreqMasks: 2, FreqMaskWidth: 50}
	rng := augment.NewRand(8, 0)
	for trial := range 300 {
		rows, cols := 1+trial%40, trial%70
		m := features.NewMatrix(rows, cols)
		for i := range m.Data {
			m.Data[i] = float32(i%97) + 1000
		}
		orig := slices.Clone(m.Data)
		d := augment.Mask(m, cfg, rng)
		if cols > 0 && (len(d.Time) != 3 || len(d.Freq) != 2) {
			t.Fatalf("%d time and %d frequency masks, want 3 and 2", len(d.Time), len(d.Freq))
		}
		masked := make([]bool, len(m.Data))
		for _, s := range d.Time {
			if s.Width < 0 || s.Width > 12 || s.Start < 0 || s.Start+s.Width > cols {
				t.Fatalf("time mask %+v outside %d frames", s, cols)
			}
			for r := range rows {
				for c := s.Start; c < s.Start+s.Width; c++ {
					masked[r*cols+c] = true
				}
			}
		}
		for _, s := range d.Freq {
			if s.Width < 0 || s.Width > min(50, rows) || s.Start < 0 || s.Start+s.Width > rows {
				t.Fatalf("frequency mask %+v outside %d bins", s, rows)
			}
			for r := s.Start; r < s.Start+s.Width; r++ {
				for c := range cols {
					masked[r*cols+c] = true
				}
			}
		}
		for i, v := range m.Data {
			if masked[i] && v != d.Value || !masked[i] && v != orig[i] {
				t.Fatalf("cell %d = %g (masked %v, mean %g, was %g)", i, v, masked[i], d.Value, orig[i])
			}
		}
	}
}

// writeWAV writes mono 16-bit PCM.
func writeWAV(t *testing.T, path string, sr int, y []float32) {
	t.Helper()
	le := binary.LittleEndian
	b := append([]byte("RIFF"), le.AppendUint32(nil, uint32(36+2*len(y)))...)
	b = append(b, "WAVEfmt "...)
	for _, v := range []uint32{16, 1 | 1<<16, uint32(sr), uint32(2 * sr), 2 | 16<<16} {
		b = le.AppendUint32(b, v)
	}
	b = append(b, "data"...)
	b = le.AppendUint32(b, uint32(2*len(y)))
	for _, v := range y {
		b = le.AppendUint16(b, uint16(int16(math.Round(float64(v)*32767))))
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPreview(t *testing.T) {
	dir := t.TempDir()
	clip, noise := filepath.Join(dir, "clip.wav"), filepath.Join(dir, "noise.wav")
	writeWAV(t, clip, 16000, signal(16000))
	writeWAV(t, noise, 16000, signal(40000))
	cfg := extract.Default("mel-db")
	cfg.NMels = 40
	aug := augment.Config{NoiseProb: 1, NoiseMax: 0.1, Shift: 0.1, GainDB: 3, TimeMasks: 2, TimeMaskWidth: 5, FreqMasks: 1, FreqMaskWidth: 6}
	a, err := augment.Preview(clip, cfg, aug, 42, []string{noise})
	if err != nil {
		t.Fatal(err)
	}
	b, err := augment.Preview(clip, cfg, aug, 42, []string{noise})
	if err != nil {
		t.Fatal(err)
	}
	a.Before.Elapsed, b.Before.Elapsed, a.After.Elapsed, b.After.Elapsed = 0, 0, 0, 0
	if !reflect.DeepEqual(a, b) {
		t.Error("the same seed gave two previews")
	}
	ex, _ := extract.NewExtractor(cfg)
	want, err := ex.File(clip)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Before.Matrix.Data, want.Matrix.Data) {
		t.Error("Before differs from extract.File")
	}
	if a.Wave.Noise != 0 || len(a.Masks) != 1 || len(a.Masks[0].Time) != 2 || slices.Equal(a.Clip, a.Original) {
		t.Errorf("draw %+v, masks %+v: want noise, two time masks and a changed clip", a.Wave, a.Masks)
	}
	if !strings.Contains(a.Wave.Describe(a.SR), "noise 0 at") {
		t.Errorf("Describe = %q", a.Wave.Describe(a.SR))
	}
	if _, err := augment.Preview(clip, cfg, aug, 42, []string{filepath.Join(dir, "absent.wav")}); err == nil || !strings.Contains(err.Error(), "absent.wav") {
		t.Errorf("absent noise clip: %v", err)
	}
	if _, err := augment.Preview(clip, cfg, augment.Config{GainDB: -1}, 42, nil); err == nil || !strings.Contains(err.Error(), "gain_db") {
		t.Errorf("invalid config: %v", err)
	}
}
