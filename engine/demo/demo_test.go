package demo

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"
)

func TestGenerateIsDeterministicAndComplete(t *testing.T) {
	opt := Options{Seed: 7, PerClass: 3, Seconds: 0.5}
	a, b := t.TempDir(), t.TempDir()
	clipsA, err := Generate(a, opt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(b, opt); err != nil {
		t.Fatal(err)
	}
	if want := len(Classes()) * 3; len(clipsA) != want {
		t.Fatalf("got %d clips, want %d", len(clipsA), want)
	}
	for _, c := range clipsA {
		x, err := os.ReadFile(filepath.Join(a, c.Path))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, c.Path))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed", c.Path)
		}
		if want := 44 + 2*8000; len(x) != want {
			t.Errorf("%s: %d bytes, want %d (0.5 s of 16-bit mono at 16 kHz)", c.Path, len(x), want)
		}
		if c.Tempo < 80 || c.Tempo > 160 || c.Brightness < 0 || c.Brightness > 1 {
			t.Errorf("%s: targets out of range: tempo %v brightness %v", c.Path, c.Tempo, c.Brightness)
		}
	}
	other := t.TempDir()
	if _, err := Generate(other, Options{Seed: 8, PerClass: 3, Seconds: 0.5}); err != nil {
		t.Fatal(err)
	}
	x, _ := os.ReadFile(filepath.Join(a, clipsA[0].Path))
	y, _ := os.ReadFile(filepath.Join(other, clipsA[0].Path))
	if bytes.Equal(x, y) {
		t.Error("a different seed produced the same clip")
	}

	f, err := os.Open(filepath.Join(a, TargetsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(clipsA)+1 || rows[0][0] != "path" || rows[0][4] != "brightness" {
		t.Fatalf("targets.csv: %d rows, header %v", len(rows), rows[0])
	}
}

func TestClipsAreAudibleAndUnclipped(t *testing.T) {
	dir := t.TempDir()
	clips, err := Generate(dir, Options{PerClass: 2, Seconds: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clips {
		raw, err := os.ReadFile(filepath.Join(dir, c.Path))
		if err != nil {
			t.Fatal(err)
		}
		peak := 0
		for i := 44; i+1 < len(raw); i += 2 {
			v := int(int16(uint16(raw[i]) | uint16(raw[i+1])<<8))
			peak = max(peak, v, -v)
		}
		// finish() scales the peak to a gain in [0.3, 0.9] of full scale.
		if peak < 9000 || peak > 29500 {
			t.Errorf("%s: peak %d outside the expected gain range", c.Path, peak)
		}
	}
}
