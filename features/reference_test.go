package features

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hark-audio/hark/features/audio"
	"github.com/hark-audio/hark/internal/testshared"
	"github.com/sbinet/npyio"
)

// This file is the manifest harness: TestLibrosaReference visits every case of
// ../shared/reference/librosa/manifest.json, computes it from the case's input WAV (or, for
// filters.*, from its parameters) with the parameters the case states, and compares it with
// librosa's .npy elementwise as |got - want| <= abs + rel*|want|, reporting the worst element.
// Spectral kinds are computed here; the rhythm kinds are answered by rhythmCase, which the
// rhythm code's tests define (rhythm_ref_test.go).

// refManifest is manifest.json.
type refManifest struct {
	Inputs []refInput `json:"inputs"`
	Cases  []refCase  `json:"cases"`
}

// refInput is one input WAV and the analysis parameters its features use.
type refInput struct {
	ID       string `json:"id"`
	Path     string `json:"path"`
	SR       int    `json:"sr"`
	NSamples int    `json:"n_samples"`
	Analysis struct {
		NFFT  int      `json:"n_fft"`
		Hop   int      `json:"hop_length"`
		NMels int      `json:"n_mels"`
		FMin  float64  `json:"fmin"`
		FMax  *float64 `json:"fmax"`
	} `json:"analysis"`
}

// refCase is one reference array.
type refCase struct {
	ID        string    `json:"id"`
	InputID   string    `json:"input_id"`
	Function  string    `json:"function"`
	Params    refParams `json:"params"`
	Output    string    `json:"output"`
	Shape     []int     `json:"shape"`
	Dtype     string    `json:"dtype"`
	Tolerance struct {
		Abs float64 `json:"abs"`
		Rel float64 `json:"rel"`
	} `json:"tolerance"`
}

// refParams are the librosa arguments a case states; absent ones are nil.
type refParams struct {
	SR      *int            `json:"sr"`
	NFFT    *int            `json:"n_fft"`
	Hop     *int            `json:"hop_length"`
	Win     *int            `json:"win_length"`
	Center  *bool           `json:"center"`
	Power   *float64        `json:"power"`
	NMels   *int            `json:"n_mels"`
	FMin    *float64        `json:"fmin"`
	FMax    *float64        `json:"fmax"`
	HTK     *bool           `json:"htk"`
	Norm    json.RawMessage `json:"norm"`
	NMFCC   *int            `json:"n_mfcc"`
	Width   *int            `json:"width"`
	Order   *int            `json:"order"`
	Ref     json.RawMessage `json:"ref"`
	AMin    *float64        `json:"amin"`
	TopDB   *float64        `json:"top_db"`
	NChroma *int            `json:"n_chroma"`
	Tuning  *float64        `json:"tuning"`
	N       *int            `json:"n"`
	Mel     *refParams      `json:"mel"`
}

// refResult is a computed array with its numpy shape.
type refResult struct {
	Shape []int
	Data  []float64
}

// refFunc computes the array of case c from the decoded input y (nil for filters.*).
type refFunc func(t *testing.T, c refCase, in refInput, y []float32) refResult

// spectralCases are the kinds computed in this file, keyed by the case-name suffix.
var spectralCases = map[string]refFunc{
	"stft_mag":          refSTFTMag,
	"melspectrogram":    refMel,
	"melspectrogram_db": refMelDB,
	"mfcc":              refMFCC,
	"mfcc_delta":        refMFCCDelta,
	"chroma_stft":       refChroma,
}

func loadRefManifest(t testing.TB) (string, refManifest) {
	t.Helper()
	dir := testshared.Path(t, "reference", "librosa")
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m refManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	return dir, m
}

func TestLibrosaReference(t *testing.T) {
	dir, m := loadRefManifest(t)
	inputs := map[string]refInput{}
	for _, in := range m.Inputs {
		inputs[in.ID] = in
	}
	signals := map[string][]float32{}
	counts := map[string]int{} // outcome -> cases
	for _, c := range m.Cases {
		kind, fn := refDispatch(c)
		if fn == nil && kind != "" && !isRhythmKind(kind) {
			t.Errorf("%s: no implementation for case kind %q", c.ID, kind)
			counts["unknown"]++
			continue
		}
		var in refInput
		var y []float32
		if c.InputID != "" {
			var ok bool
			if in, ok = inputs[c.InputID]; !ok {
				t.Errorf("%s: unknown input %q", c.ID, c.InputID)
				continue
			}
			if y, ok = signals[in.ID]; !ok {
				var sr int
				var err error
				y, sr, err = audio.LoadMono(filepath.Join(dir, in.Path), 0)
				if err != nil {
					t.Fatalf("%s: %v", in.Path, err)
				}
				if sr != in.SR || len(y) != in.NSamples {
					t.Fatalf("%s: decoded %d samples at %d Hz, manifest says %d at %d", in.Path, len(y), sr, in.NSamples, in.SR)
				}
				signals[in.ID] = y
			}
		}
		outcome := "failed" // unless the subtest reaches its end or skips
		t.Run(c.ID, func(t *testing.T) {
			if fn == nil {
				outcome = "skipped"
				t.Skipf("kind %q belongs to the rhythm code, whose rhythmCase has no function for it yet", kind)
			}
			got := fn(t, c, in, y)
			shape, want := readRefNPY(t, filepath.Join(dir, c.Output))
			if !slices.Equal(shape, c.Shape) {
				t.Fatalf("reference file shape %v, manifest says %v", shape, c.Shape)
			}
			if !slices.Equal(got.Shape, shape) {
				t.Fatalf("shape %v, want %v", got.Shape, shape)
			}
			worst, at, fails, ratio := refCompare(got.Data, want, c.Tolerance.Abs, c.Tolerance.Rel)
			if fails > 0 {
				t.Fatalf("%d of %d values outside abs %g + rel %g; worst |diff| %.3g at %v (got %.9g, want %.9g)",
					fails, len(want), c.Tolerance.Abs, c.Tolerance.Rel, worst, unravel(at, shape), got.Data[at], want[at])
			}
			if len(want) > 0 {
				t.Logf("ok: worst |diff| %.3g at %v (want %.6g; abs tol %g, rel %g) over %d values; at most %.2f of the tolerance",
					worst, unravel(at, shape), want[at], c.Tolerance.Abs, c.Tolerance.Rel, len(want), ratio)
			}
			outcome = "compared"
		})
		counts[outcome]++
	}
	total := counts["compared"] + counts["skipped"] + counts["failed"] + counts["unknown"]
	if total != len(m.Cases) {
		t.Errorf("visited %d of %d cases", total, len(m.Cases))
	}
	t.Logf("%d cases: %d compared within tolerance, %d skipped (rhythm kinds without a function), %d failed",
		len(m.Cases), counts["compared"], counts["skipped"], counts["failed"]+counts["unknown"])
}

// refDispatch returns the case's kind and the function computing it; nil when none exists.
func refDispatch(c refCase) (string, refFunc) {
	if strings.HasPrefix(c.ID, "filters.") {
		name := strings.TrimPrefix(c.ID, "filters.")
		switch {
		case strings.HasPrefix(name, "mel_"):
			return "filters.mel", refMelFilter
		case strings.HasPrefix(name, "chroma_"):
			return "filters.chroma", refChromaFilter
		case strings.HasPrefix(name, "dct2_ortho_"):
			return "filters.dct", refDCT
		}
		return "filters." + name, nil
	}
	kind := strings.TrimPrefix(c.ID, c.InputID+".")
	if fn, ok := spectralCases[kind]; ok {
		return kind, fn
	}
	if isRhythmKind(kind) {
		return kind, rhythmCase(kind)
	}
	return kind, nil
}

// rhythmKinds are answered by rhythmCase (onset strength, tempo, beats, sync).
var rhythmKinds = []string{"onset_strength", "beat_onset_envelope", "beat_tempogram_mean",
	"beat_tempo", "beat_frames", "beat_sync_mel"}

func isRhythmKind(kind string) bool { return slices.Contains(rhythmKinds, kind) }

// readRefNPY reads a float32, float64 or int64 .npy file as float64 values with its shape.
func readRefNPY(t testing.TB, path string) ([]int, []float64) {
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
	var data []float64
	if r.Header.Descr.Fortran {
		t.Fatalf("%s: Fortran-ordered array; the manifest promises C order", path)
	}
	switch r.Header.Descr.Type {
	case "<f4":
		var v []float32
		err = r.Read(&v)
		data = make([]float64, len(v))
		for i, x := range v {
			data[i] = float64(x)
		}
	case "<f8":
		err = r.Read(&data)
	case "<i8":
		var v []int64
		err = r.Read(&v)
		data = make([]float64, len(v))
		for i, x := range v {
			data[i] = float64(x)
		}
	default:
		t.Fatalf("%s: unsupported dtype %s", path, r.Header.Descr.Type)
	}
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	shape := r.Header.Descr.Shape
	if shape == nil {
		shape = []int{}
	}
	return shape, data
}

// refCompare counts the elements outside |got - want| <= abs + rel*|want| (NaN counts as
// outside unless both are NaN) and returns the largest |got - want|, its index, and the largest
// ratio of |got - want| to the element's tolerance (1 means at the limit).
func refCompare(got, want []float64, abs, rel float64) (worst float64, at, fails int, ratio float64) {
	if len(got) != len(want) {
		return math.Inf(1), 0, max(len(got), len(want)), math.Inf(1)
	}
	for i, w := range want {
		g := got[i]
		d := math.Abs(g - w)
		if math.IsNaN(g) && math.IsNaN(w) {
			d = 0
		} else if math.IsNaN(d) {
			d = math.Inf(1)
		}
		tol := abs + rel*math.Abs(w)
		if d > tol {
			fails++
		}
		if d > 0 {
			ratio = max(ratio, d/tol)
		}
		if d > worst || i == 0 {
			worst, at = d, i
		}
	}
	return worst, at, fails, ratio
}

// unravel turns a flat C-order index into per-axis indices.
func unravel(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for a := len(shape) - 1; a >= 0; a-- {
		if shape[a] > 0 {
			idx[a] = i % shape[a]
			i /= shape[a]
		}
	}
	return idx
}

func matrixResult(m *Matrix) refResult {
	d := make([]float64, len(m.Data))
	for i, v := range m.Data {
		d[i] = float64(v)
	}
	return refResult{Shape: []int{m.Rows, m.Cols}, Data: d}
}

// orInt and orFloat read an optional parameter.
func orInt(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

func orFloat(p *float64, def float64) float64 {
	if p == nil {
		return def
	}
	return *p
}

// refSTFTConfig is the STFT a case's parameters describe, defaulting to the input's analysis.
func refSTFTConfig(p refParams, in refInput) STFTConfig {
	nfft := orInt(p.NFFT, in.Analysis.NFFT)
	return STFTConfig{
		NFFT:     nfft,
		Hop:      orInt(p.Hop, in.Analysis.Hop),
		Win:      orInt(p.Win, nfft),
		NoCenter: p.Center != nil && !*p.Center,
	}
}

// refMelNorm maps librosa's norm argument ("slaney", null, 1, 2, inf, p) to MelNorm.
func refMelNorm(t *testing.T, raw json.RawMessage) (MelNorm, float64) {
	s := strings.TrimSpace(string(raw))
	switch s {
	case "", `"slaney"`:
		return MelNormSlaney, 0
	case "null":
		return MelNormNone, 0
	case `"inf"`, "Infinity":
		return MelNormInf, 0
	}
	var p float64
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatalf("mel norm %s: %v", s, err)
	}
	switch p {
	case 1:
		return MelNormL1, 0
	case 2:
		return MelNormL2, 0
	}
	return MelNormP, p
}

func refMelConfig(t *testing.T, p refParams, in refInput) MelConfig {
	norm, pn := refMelNorm(t, p.Norm)
	return MelConfig{
		SampleRate: orInt(p.SR, in.SR),
		NFFT:       orInt(p.NFFT, in.Analysis.NFFT),
		NMels:      orInt(p.NMels, in.Analysis.NMels),
		FMin:       orFloat(p.FMin, in.Analysis.FMin),
		FMax:       orFloat(p.FMax, 0),
		HTK:        p.HTK != nil && *p.HTK,
		Norm:       norm,
		P:          pn,
	}
}

func refPower(t *testing.T, p refParams, in refInput, y []float32, power float64) *Matrix {
	st, err := NewSTFT(refSTFTConfig(p, in))
	if err != nil {
		t.Fatal(err)
	}
	return st.Power(nil, y, power)
}

func refMelMatrix(t *testing.T, p refParams, in refInput, y []float32) *Matrix {
	bank, err := NewMelBank(refMelConfig(t, p, in))
	if err != nil {
		t.Fatal(err)
	}
	return bank.Apply(nil, refPower(t, p, in, y, orFloat(p.Power, 2)))
}

func refSTFTMag(t *testing.T, c refCase, in refInput, y []float32) refResult {
	return matrixResult(refPower(t, c.Params, in, y, 1))
}

func refMel(t *testing.T, c refCase, in refInput, y []float32) refResult {
	return matrixResult(refMelMatrix(t, c.Params, in, y))
}

// refDBOptions maps power_to_db's ref, amin and top_db arguments.
func refDBOptions(t *testing.T, p refParams) DBOptions {
	opt := DBOptions{AMin: orFloat(p.AMin, 1e-10), TopDB: orFloat(p.TopDB, 80)}
	switch s := strings.TrimSpace(string(p.Ref)); s {
	case "", "1", "1.0":
		opt.Ref = 1
	case `"numpy.max"`:
		opt.RefMax = true
	default:
		if err := json.Unmarshal(p.Ref, &opt.Ref); err != nil {
			t.Fatalf("power_to_db ref %s: %v", s, err)
		}
	}
	return opt
}

func refMelDB(t *testing.T, c refCase, in refInput, y []float32) refResult {
	if c.Params.Mel == nil {
		t.Fatal("melspectrogram_db case without mel parameters")
	}
	mel := refMelMatrix(t, *c.Params.Mel, in, y)
	return matrixResult(PowerToDB(nil, mel, refDBOptions(t, c.Params)))
}

func refMFCCMatrix(t *testing.T, p refParams, in refInput, y []float32) *Matrix {
	if p.Mel == nil {
		t.Fatal("mfcc case without mel parameters")
	}
	mel := refMelMatrix(t, *p.Mel, in, y)
	return MFCC(nil, PowerToDB(mel, mel, DBOptions{}), orInt(p.NMFCC, 20))
}

func refMFCC(t *testing.T, c refCase, in refInput, y []float32) refResult {
	return matrixResult(refMFCCMatrix(t, c.Params, in, y))
}

// refMFCCDelta differentiates the input's mfcc case ("input_case": "mfcc (same input)").
func refMFCCDelta(t *testing.T, c refCase, in refInput, y []float32) refResult {
	_, m := loadRefManifest(t)
	i := slices.IndexFunc(m.Cases, func(o refCase) bool { return o.ID == in.ID+".mfcc" })
	if i < 0 {
		t.Fatalf("no %s.mfcc case to take the delta of", in.ID)
	}
	d, err := Delta(nil, refMFCCMatrix(t, m.Cases[i].Params, in, y), orInt(c.Params.Width, 9), orInt(c.Params.Order, 1))
	if err != nil {
		t.Fatal(err)
	}
	return matrixResult(d)
}

func refChroma(t *testing.T, c refCase, in refInput, y []float32) refResult {
	p := c.Params
	bank, err := NewChromaBank(ChromaConfig{
		SampleRate: orInt(p.SR, in.SR),
		NFFT:       orInt(p.NFFT, in.Analysis.NFFT),
		NChroma:    orInt(p.NChroma, 12),
		Tuning:     orFloat(p.Tuning, 0),
	})
	if err != nil {
		t.Fatal(err)
	}
	return matrixResult(bank.Apply(nil, refPower(t, p, in, y, orFloat(p.Power, 2))))
}

func refMelFilter(t *testing.T, c refCase, in refInput, _ []float32) refResult {
	w, err := MelFilterbank(refMelConfig(t, c.Params, in))
	if err != nil {
		t.Fatal(err)
	}
	return matrixResult(w)
}

func refChromaFilter(t *testing.T, c refCase, in refInput, _ []float32) refResult {
	p := c.Params
	w, err := ChromaFilterbank(ChromaConfig{
		SampleRate: orInt(p.SR, 0),
		NFFT:       orInt(p.NFFT, 0),
		NChroma:    orInt(p.NChroma, 12),
		Tuning:     orFloat(p.Tuning, 0),
	})
	if err != nil {
		t.Fatal(err)
	}
	return matrixResult(w)
}

// refDCT compares scipy.fftpack.dct(eye(n), type=2, norm='ortho'), whose element [i, k] is
// basis function k at band i, with DCTOrthoBasis (row k is basis function k) in float64.
func refDCT(t *testing.T, c refCase, _ refInput, _ []float32) refResult {
	n := orInt(c.Params.N, 0)
	b := DCTOrthoBasis(n, n)
	d := make([]float64, n*n)
	for k := 0; k < n; k++ {
		for i := 0; i < n; i++ {
			d[i*n+k] = b[k*n+i]
		}
	}
	return refResult{Shape: []int{n, n}, Data: d}
}
