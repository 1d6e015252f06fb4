package extract

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sbinet/npyio/npy"

	"github.com/hark-audio/hark/engine/demo"
)

func TestValidateNamesTheBadParameter(t *testing.T) {
	cases := []struct {
		mod  func(*Config)
		want string
	}{
		{func(c *Config) { c.Kind = "spectrum" }, `unknown feature kind "spectrum"`},
		{func(c *Config) { c.NFFT = 0 }, "n_fft 0"},
		{func(c *Config) { c.Hop = -3 }, "hop -3"},
		{func(c *Config) { c.Win = 4096 }, "win 4096"},
		{func(c *Config) { c.FMax = 10; c.FMin = 20 }, "fmax 10"},
		{func(c *Config) { c.DeltaWidth = 4 }, "delta width 4"},
		{func(c *Config) { c.MelNorm = "3" }, `mel norm "3"`},
		{func(c *Config) { c.Ref = "min" }, `ref "min"`},
		{func(c *Config) { c.TopDB = 0 }, "top_db 0"},
		{func(c *Config) { c.Kind = "mfcc"; c.NMFCC = 200 }, "n_mfcc 200"},
		{func(c *Config) { c.Kind = "wave"; c.BeatSync = "median" }, "beat sync applies to matrix kinds"},
	}
	for _, tc := range cases {
		c := Default("mel")
		tc.mod(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate() = %v, want an error containing %q", err, tc.want)
		}
	}
	for _, k := range Kinds() {
		if err := Default(k).Validate(); err != nil {
			t.Errorf("Default(%q) is invalid: %v", k, err)
		}
	}
}

func demoFiles(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	if _, err := demo.Generate(dir, demo.Options{PerClass: 1, Seconds: 1}); err != nil {
		t.Fatal(err)
	}
	files, err := AudioFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(demo.Classes()) {
		t.Fatalf("AudioFiles found %d files, want %d", len(files), len(demo.Classes()))
	}
	return files
}

// TestNpyShapesAreLibrosas writes every kind and reads the header back with npyio: the shape
// must be librosa's ((bins, frames), (frames,) for onset, (n,) for wave and beats).
func TestNpyShapesAreLibrosas(t *testing.T) {
	file := demoFiles(t)[0]
	frames := 1 + 16000/512
	want := map[string][]int{
		"wave": {16000}, "stft": {1025, frames}, "mel": {128, frames}, "mel-db": {128, frames},
		"mfcc": {20, frames}, "mfcc-delta": {20, frames}, "chroma": {12, frames}, "onset": {frames},
		"vggish": {1, 96, 64},
	}
	for kind, shape := range want {
		ex, err := NewExtractor(Default(kind))
		if err != nil {
			t.Fatal(err)
		}
		r, err := ex.File(file)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		out := filepath.Join(t.TempDir(), "sub", kind+".npy")
		if err := r.WriteNpyFile(out); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		rd, err := npy.NewReader(f)
		if err != nil {
			t.Fatalf("%s: npyio cannot read our file: %v", kind, err)
		}
		if got := rd.Header.Descr.Shape; !equalInts(got, shape) || rd.Header.Descr.Type != "<f4" {
			t.Errorf("%s: npy shape %v type %s, want %v <f4", kind, got, rd.Header.Descr.Type, shape)
		}
		var data []float32
		if err := rd.Read(&data); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if n := prod(shape); len(data) != n {
			t.Errorf("%s: %d values, want %d", kind, len(data), n)
		}
		f.Close()
	}
}

func TestNpyLoadsInNumpy(t *testing.T) {
	py, err := exec.LookPath("/usr/bin/python3")
	if err != nil || exec.Command(py, "-c", "import numpy").Run() != nil {
		t.Skip("python3 with numpy (Debian python3-numpy) is absent; npyio's reader checks the format instead")
	}
	file := demoFiles(t)[0]
	cfg := Default("beats")
	ex, _ := NewExtractor(cfg)
	r, err := ex.File(file)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "b.npy")
	if err := r.WriteNpyFile(out); err != nil {
		t.Fatal(err)
	}
	ex, _ = NewExtractor(Default("mel"))
	m, _ := ex.File(file)
	out2 := filepath.Join(t.TempDir(), "m.npy")
	if err := m.WriteNpyFile(out2); err != nil {
		t.Fatal(err)
	}
	got, err := exec.Command(py, "-c", `import numpy as np, sys
b = np.load(sys.argv[1]); m = np.load(sys.argv[2])
print(b.dtype, b.shape, list(b), m.dtype, m.shape, float(m[3, 5]))`, out, out2).CombinedOutput()
	if err != nil {
		t.Fatalf("numpy.load failed: %v\n%s", err, got)
	}
	want := "int64 (" + itoa(len(r.Beats)) + ",) " + intsList(r.Beats) + " float32 (128, 32) "
	if !strings.HasPrefix(string(got), want) {
		t.Errorf("numpy read %q, want prefix %q", got, want)
	}
}

func TestFilesKeepsOrderAndReportsBadFiles(t *testing.T) {
	files := demoFiles(t)
	bad := filepath.Join(t.TempDir(), "broken.wav")
	if err := os.WriteFile(bad, []byte("RIFF\x10\x00\x00\x00WAVEjunk"), 0o644); err != nil {
		t.Fatal(err)
	}
	paths := append([]string{files[0], bad}, files[1:]...)
	var got []FileResult
	err := Files(context.Background(), paths, Default("mfcc"), 2, func(r FileResult) { got = append(got, r) })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(paths) {
		t.Fatalf("%d results for %d paths", len(got), len(paths))
	}
	for i, r := range got {
		if r.Path != paths[i] {
			t.Errorf("result %d is %s, want %s (order must follow the input)", i, r.Path, paths[i])
		}
		if (r.Err != nil) != (r.Path == bad) {
			t.Errorf("%s: err %v", r.Path, r.Err)
		}
	}
	if e := got[1].Err; e == nil || !strings.Contains(e.Error(), "broken.wav") {
		t.Errorf("the error %v does not name the file", e)
	}
}

func TestJSONDocument(t *testing.T) {
	file := demoFiles(t)[0]
	for _, kind := range []string{"mfcc", "beats", "onset"} {
		ex, _ := NewExtractor(Default(kind))
		r, err := ex.File(file)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := json.NewEncoder(&buf).Encode(r.JSON()); err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc["kind"] != kind || doc["sr"] != float64(16000) || doc["hop"] != float64(512) {
			t.Errorf("%s: header fields %v %v %v", kind, doc["kind"], doc["sr"], doc["hop"])
		}
		if kind == "beats" {
			if _, ok := doc["tempo"].(float64); !ok {
				t.Errorf("beats: no tempo in %v", doc)
			}
			continue
		}
		if _, ok := doc["data"].([]any); !ok {
			t.Errorf("%s: no data array", kind)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func prod(s []int) int {
	n := 1
	for _, v := range s {
		n *= v
	}
	return n
}

func itoa(v int) string { b, _ := json.Marshal(v); return string(b) }

func intsList(v []int) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = itoa(x)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
