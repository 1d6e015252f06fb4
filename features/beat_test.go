package features

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hark-audio/hark/internal/testshared"
	"github.com/sbinet/npyio"
)

// rhythmManifest is the part of ../shared/reference/librosa/manifest.json the rhythm tests read.
type rhythmManifest struct {
	Inputs []struct {
		ID       string `json:"id"`
		Path     string `json:"path"`
		SR       int    `json:"sr"`
		Analysis struct {
			NFFT  int      `json:"n_fft"`
			Hop   int      `json:"hop_length"`
			NMels int      `json:"n_mels"`
			FMax  *float64 `json:"fmax"`
		} `json:"analysis"`
	} `json:"inputs"`
	Cases []struct {
		ID        string `json:"id"`
		InputID   string `json:"input_id"`
		Output    string `json:"output"`
		Shape     []int  `json:"shape"`
		Tolerance struct {
			Abs float64 `json:"abs"`
			Rel float64 `json:"rel"`
		} `json:"tolerance"`
	} `json:"cases"`
}

// rhythmSuffixes are the manifest case kinds this file's code answers for.
var rhythmSuffixes = []string{"onset_strength", "beat_onset_envelope", "beat_tempogram_mean",
	"beat_tempo", "beat_frames", "beat_sync_mel"}

func loadRhythmManifest(t testing.TB) (dir string, m rhythmManifest) {
	t.Helper()
	dir = testshared.Path(t, "reference", "librosa")
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	return dir, m
}

// readNPY reads a float32, float64 or int64 .npy file as float64 values with its shape.
func readNPY(t testing.TB, path string) (shape []int, data []float64) {
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
	shape = r.Header.Descr.Shape
	switch r.Header.Descr.Type {
	case "<f4":
		var v []float32
		err = r.Read(&v)
		for _, x := range v {
			data = append(data, float64(x))
		}
	case "<f8":
		err = r.Read(&data)
	case "<i8":
		var v []int64
		err = r.Read(&v)
		for _, x := range v {
			data = append(data, float64(x))
		}
	default:
		t.Fatalf("%s: unexpected dtype %s", path, r.Header.Descr.Type)
	}
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return shape, data
}

func readNPY32(t testing.TB, path string) []float32 {
	_, d := readNPY(t, path)
	out := make([]float32, len(d))
	for i, v := range d {
		out[i] = float32(v)
	}
	return out
}

func readNPYMatrix(t testing.TB, path string) *Matrix {
	shape, d := readNPY(t, path)
	if len(shape) != 2 {
		t.Fatalf("%s: shape %v, want 2-D", path, shape)
	}
	m := NewMatrix(shape[0], shape[1])
	for i, v := range d {
		m.Data[i] = float32(v)
	}
	return m
}

// closeness compares got with want elementwise as numpy.allclose(got, want, rtol=rel,
// atol=abs) and returns a description of the first failure and the worst |got-want|.
func closeness(got, want []float64, abs, rel float64) (worst float64, fail string) {
	if len(got) != len(want) {
		return math.Inf(1), fmt.Sprintf("length %d, want %d", len(got), len(want))
	}
	for i := range got {
		d := math.Abs(got[i] - want[i])
		if d != d {
			d = math.Inf(1)
		}
		worst = max(worst, d)
		if d > abs+rel*math.Abs(want[i]) && fail == "" {
			fail = fmt.Sprintf("[%d] = %g, want %g (|diff| %g > %g)", i, got[i], want[i], d, abs+rel*math.Abs(want[i]))
		}
	}
	return worst, fail
}

func f64s[T float32 | int](x []T) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// dbRef1 is librosa.power_to_db(s, ref=1.0, amin=1e-10, top_db=80) in float32, the input
// onset_strength takes; it lets these tests run on reference mel spectrograms alone.
func dbRef1(s *Matrix) *Matrix {
	out := NewMatrix(s.Rows, s.Cols)
	top := float32(math.Inf(-1))
	for i, v := range s.Data {
		out.Data[i] = float32(10 * math.Log10(float64(max(v, 1e-10))))
		top = max(top, out.Data[i])
	}
	for i, v := range out.Data {
		out.Data[i] = max(v, top-80)
	}
	return out
}

// TestRhythmReferencesFromFeatures checks every rhythm case of the manifest that can be
// computed from librosa's own intermediate arrays: tempogram, tempo and beats from librosa's
// beat envelope, beat-synchronous mel from librosa's mel and beats, onset strength from
// librosa's mel (and the beat envelope where the analysis mel is the one beat_track uses).
// It pins the rhythm code independently of this package's STFT and mel; the end-to-end
// checks from audio run with the rest of the manifest in reference_test.go.
func TestRhythmReferencesFromFeatures(t *testing.T) {
	dir, m := loadRhythmManifest(t)
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
			if !slices.Contains(rhythmSuffixes, suffix) {
				continue
			}
			if suffix == "beat_onset_envelope" && !beatMel {
				continue // needs a 2048-point, 128-band mel that only the audio pipeline makes
			}
			want++
			t.Run(c.ID, func(t *testing.T) {
				shape, ref := readNPY(t, filepath.Join(dir, c.Output))
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
					mel := readNPYMatrix(t, path(in.ID, "melspectrogram"))
					got = f64s(OnsetStrength(nil, dbRef1(mel), opt))
				case "beat_tempogram_mean":
					env := readNPY32(t, path(in.ID, "beat_onset_envelope"))
					got = MeanTempogram(nil, env, TempoWindow(in.SR, a.Hop, 8))
				case "beat_tempo":
					env := readNPY32(t, path(in.ID, "beat_onset_envelope"))
					tempo, _ := BeatTrack(env, in.SR, a.Hop, BeatOptions{})
					got = []float64{tempo}
				case "beat_frames":
					env := readNPY32(t, path(in.ID, "beat_onset_envelope"))
					_, beats := BeatTrack(env, in.SR, a.Hop, BeatOptions{})
					got = f64s(beats)
				case "beat_sync_mel":
					mel := readNPYMatrix(t, path(in.ID, "melspectrogram"))
					_, b := readNPY(t, path(in.ID, "beat_frames"))
					beats := make([]int, len(b))
					for i, v := range b {
						beats[i] = int(v)
					}
					s := Sync(nil, mel, beats, AggMedian)
					if s.Rows != shape[0] || s.Cols != shape[1] {
						t.Fatalf("shape (%d, %d), want %v", s.Rows, s.Cols, shape)
					}
					got = f64s(s.Data)
				}
				worst, fail := closeness(got, ref, c.Tolerance.Abs, c.Tolerance.Rel)
				if fail != "" {
					t.Fatalf("%s (tolerance abs %g rel %g)", fail, c.Tolerance.Abs, c.Tolerance.Rel)
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
