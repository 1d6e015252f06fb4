package render

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hark-audio/hark/features"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// chirpDB is a synthetic log-power spectrogram (dB, top 0, floor -80): a harmonic tone whose
// fundamental glides upward over the clip, with a broadband click every 25 frames.
func chirpDB(rows, cols int) *features.Matrix {
	m := features.NewMatrix(rows, cols)
	for c := range cols {
		f0 := 3 + 0.25*float64(rows)*float64(c)/float64(max(cols, 1))
		click := c%25 == 0
		for r := range rows {
			p := 1e-8
			for k := 1; k <= 6; k++ {
				d := float64(r) - float64(k)*f0
				p += math.Exp(-d*d/2) / float64(k*k)
			}
			if click {
				p += 1e-3 * math.Exp(-float64(r)/float64(rows))
			}
			m.Set(r, c, float32(math.Max(10*math.Log10(p), -80)))
		}
	}
	return m
}

// chirpSignal is a synthetic signal: a rising sine with a decaying amplitude envelope that
// restarts every beat samples.
func chirpSignal(n, sr, beat int) []float32 {
	y := make([]float32, n)
	phase := 0.0
	for i := range y {
		f := 200 + 1800*float64(i)/float64(n)
		phase += 2 * math.Pi * f / float64(sr)
		env := 0.9 * math.Exp(-6*float64(i%beat)/float64(beat))
		y[i] = float32(env*math.Sin(phase) + 0.02*math.Sin(float64(i)*0.37))
	}
	return y
}

// golden compares got with testdata/name.golden, or rewrites the file under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v (run go test -update to create it)", path, err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs from line %d:\n got: %q\nwant: %q\n(run go test -update after checking the new output)", path, i+1, g, w)
			}
		}
	}
}
