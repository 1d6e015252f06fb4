package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sbinet/npyio"

	"github.com/hark-audio/hark/engine/demo"
	"github.com/hark-audio/hark/internal/testshared"
)

func runHark(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

// TestFeaturesNpyMatchesLibrosa runs the command end to end on a reference input and compares
// the .npy it writes with librosa's output, within the manifest's tolerance.
func TestFeaturesNpyMatchesLibrosa(t *testing.T) {
	ref := testshared.Path(t, "reference", "librosa")
	var manifest struct {
		Cases []struct {
			ID        string
			Output    string
			Tolerance struct{ Abs, Rel float64 }
		}
	}
	raw, err := os.ReadFile(filepath.Join(ref, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		t.Fatal(err)
	}
	runs := []struct {
		id   string
		args []string
	}{
		{"synth_chords.mfcc", []string{"--kind", "mfcc", "--n-mfcc", "13"}},
		{"synth_kick.chroma_stft", []string{"--kind", "chroma"}},
		{"fsdd_3_jackson_10.melspectrogram", []string{"--kind", "mel", "--n-fft", "512", "--hop", "128", "--n-mels", "40"}},
		{"synth_chords.beat_sync_mel", []string{"--kind", "mel", "--beat-sync", "median"}},
	}
	for _, r := range runs {
		var c = manifest.Cases[0]
		found := false
		for _, mc := range manifest.Cases {
			if mc.ID == r.id {
				c, found = mc, true
			}
		}
		if !found {
			t.Fatalf("case %s not in the manifest", r.id)
		}
		input := filepath.Join(ref, "inputs", strings.SplitN(r.id, ".", 2)[0]+".wav")
		out := filepath.Join(t.TempDir(), "out.npy")
		code, _, stderr := runHark(append([]string{"features", input, "--npy", out}, r.args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", r.id, code, stderr)
		}
		got, want := readNpy(t, out), readNpy(t, filepath.Join(ref, c.Output))
		if len(got) != len(want) {
			t.Fatalf("%s: %d values, want %d", r.id, len(got), len(want))
		}
		for i := range want {
			if d := math.Abs(float64(got[i] - want[i])); d > c.Tolerance.Abs+c.Tolerance.Rel*math.Abs(float64(want[i])) {
				t.Fatalf("%s: element %d is %g, librosa %g (tolerance abs %g rel %g)", r.id, i, got[i], want[i], c.Tolerance.Abs, c.Tolerance.Rel)
			}
		}
	}
}

func readNpy(t *testing.T, path string) []float32 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var v []float32
	if err := npyio.Read(f, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

func TestFeaturesErrorsAndExitCodes(t *testing.T) {
	dir := t.TempDir()
	if _, err := demo.Generate(dir, demo.Options{PerClass: 1, Seconds: 0.5}); err != nil {
		t.Fatal(err)
	}
	clip := filepath.Join(dir, "drums", "drums_000.wav")
	cases := []struct {
		args     []string
		code     int
		inStderr string
	}{
		{[]string{"features", "--help"}, 0, ""},
		{[]string{"features", clip}, 2, "choose exactly one of"},
		{[]string{"features", clip, "--json", "--kind", "spectrum"}, 1, `unknown feature kind "spectrum"`},
		{[]string{"features", clip, "--json", "--n-fft", "0"}, 1, "n_fft 0"},
		{[]string{"features", clip, "--json", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"features", filepath.Join(dir, "nope.wav"), "--json"}, 1, "nope.wav"},
		{[]string{"features", clip, "--json"}, 0, ""},
	}
	for _, tc := range cases {
		code, _, stderr := runHark(tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.inStderr) {
			t.Errorf("hark %s: exit %d, stderr %q; want exit %d and %q", strings.Join(tc.args, " "), code, stderr, tc.code, tc.inStderr)
		}
	}

	// A folder with one broken file: the others are written, the broken one is named, exit 1.
	if err := os.WriteFile(filepath.Join(dir, "drums", "zz_broken.wav"), []byte("RIFF"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "npy")
	code, _, stderr := runHark("features", dir, "--kind", "mfcc", "--npy", out, "--threads", "2")
	if code != 1 || !strings.Contains(stderr, "zz_broken.wav") || !strings.Contains(stderr, "1 of 7 files failed") {
		t.Errorf("folder with a broken file: exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "vowel", "vowel_000.npy")); err != nil {
		t.Errorf("the good files were not all written: %v", err)
	}
	code, stdout, _ := runHark("features", dir, "--kind", "onset", "--json")
	var doc struct {
		Files    []map[string]any
		Problems []map[string]string
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || code != 1 {
		t.Fatalf("folder --json: exit %d, %v", code, err)
	}
	if len(doc.Files) != 6 || len(doc.Problems) != 1 || !strings.Contains(doc.Problems[0]["path"], "zz_broken.wav") {
		t.Errorf("folder --json: %d files, problems %v", len(doc.Files), doc.Problems)
	}
}

func TestFeaturesRenderFitsAndIsASCIIWithoutColour(t *testing.T) {
	dir := t.TempDir()
	if _, err := demo.Generate(dir, demo.Options{PerClass: 1, Seconds: 0.5}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NO_COLOR", "1")
	for _, kind := range []string{"wave", "stft", "mel-db", "mfcc", "chroma", "beats", "vggish"} {
		code, stdout, stderr := runHark("features", filepath.Join(dir, "chords", "chords_000.wav"), "--kind", kind, "--render", "--width", "60", "--height", "16")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", kind, code, stderr)
		}
		lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
		if len(lines) > 16 {
			t.Errorf("%s: %d lines, want at most 16", kind, len(lines))
		}
		for _, l := range lines {
			if len([]rune(l)) > 60 {
				t.Errorf("%s: line wider than 60: %q", kind, l)
			}
			for _, r := range l {
				if r > 126 || (r < 32 && r != '\t') {
					t.Fatalf("%s: non-ASCII output with NO_COLOR: %q", kind, l)
				}
			}
		}
	}
}
