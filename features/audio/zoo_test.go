package audio

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hark-audio/hark/internal/testshared"
	"github.com/sbinet/npyio"
)

// zooManifest is the part of ../shared/reference/wav-zoo/manifest.json the tests read.
type zooManifest struct {
	Cases []zooCase `json:"cases"`
}

type zooCase struct {
	ID            string `json:"id"`
	File          string `json:"file"`
	ExpectedError bool   `json:"expected_error"`
	ErrorMessage  string `json:"error_message"`
	Output        string `json:"output"`
	Shape         []int  `json:"shape"`
	SampleRate    int    `json:"samplerate"`
	SoundfileInfo *struct {
		Subtype string `json:"subtype"`
	} `json:"soundfile_info"`
	Tolerance struct {
		Abs float64 `json:"abs"`
		Rel float64 `json:"rel"`
	} `json:"tolerance"`
}

func readZoo(t testing.TB) (string, zooManifest) {
	dir := testshared.Path(t, "reference", "wav-zoo")
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m zooManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("wav-zoo manifest: %v", err)
	}
	return dir, m
}

// readNPY reads a float32 .npy file and its shape.
func readNPY(t *testing.T, path string) ([]float32, []int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := npyio.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var data []float32
	if err := r.Read(&data); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return data, r.Header.Descr.Shape
}

// TestWAVZoo decodes every case of the wav-zoo manifest: each must equal soundfile.read(
// dtype='float32', always_2d=True) bit for bit (the manifest's tolerance is 0), or fail
// where the manifest expects libsndfile to fail.
func TestWAVZoo(t *testing.T) {
	dir, m := readZoo(t)
	if len(m.Cases) != 33 {
		t.Errorf("manifest has %d cases, the zoo has 33", len(m.Cases))
	}
	for _, c := range m.Cases {
		t.Run(c.ID, func(t *testing.T) {
			path := filepath.Join(dir, c.File)
			clip, err := Load(path)
			info, perr := Probe(path)
			if c.ExpectedError {
				if err == nil || perr == nil {
					t.Fatalf("Load err = %v, Probe err = %v; libsndfile says %q", err, perr, c.ErrorMessage)
				}
				if !errors.Is(err, ErrUnknownFormat) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupported) {
					t.Errorf("error %v wraps none of ErrUnknownFormat, ErrMalformed, ErrUnsupported", err)
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("error %q does not name the file", err)
				}
				t.Logf("rejected as expected: %v (libsndfile: %s)", err, c.ErrorMessage)
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if perr != nil {
				t.Fatalf("Probe: %v", perr)
			}
			if info != clip.Info {
				t.Errorf("Probe %+v != Load's Info %+v", info, clip.Info)
			}
			want, shape := readNPY(t, filepath.Join(dir, c.Output))
			if len(shape) != 2 || shape[0] != c.Shape[0] || shape[1] != c.Shape[1] {
				t.Fatalf(".npy shape %v, manifest %v", shape, c.Shape)
			}
			if got := []int{int(clip.Info.Frames), clip.Info.Channels}; got[0] != shape[0] || got[1] != shape[1] {
				t.Fatalf("decoded %d frames x %d channels, want %v", got[0], got[1], shape)
			}
			if clip.Info.SampleRate != c.SampleRate {
				t.Errorf("sample rate %d, want %d", clip.Info.SampleRate, c.SampleRate)
			}
			if len(clip.Data) != len(want) {
				t.Fatalf("%d samples, want %d", len(clip.Data), len(want))
			}
			bad := 0
			for i, w := range want {
				g := clip.Data[i]
				ok := math.Float32bits(g) == math.Float32bits(w)
				if !ok && (c.Tolerance.Abs > 0 || c.Tolerance.Rel > 0) {
					ok = math.Abs(float64(g)-float64(w)) <= c.Tolerance.Abs+c.Tolerance.Rel*math.Abs(float64(w))
				}
				if !ok {
					if bad < 5 {
						t.Errorf("sample %d (frame %d, channel %d) = %v (%08x), want %v (%08x)",
							i, i/shape[1], i%shape[1], g, math.Float32bits(g), w, math.Float32bits(w))
					}
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d samples differ", bad, len(want))
			}
		})
	}
}
