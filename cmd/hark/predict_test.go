package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hark-audio/hark/engine/demo"
	"github.com/hark-audio/hark/engine/eval"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/features"
	"github.com/hark-audio/hark/models"
)

// tinyModel saves an untrained MLP over 16 frames x 13 MFCCs (0.25 s segments at 8 kHz, hop
// 128) for the demo classes, with a run spec beside it when segment > 0.
func tinyModel(t *testing.T, segment time.Duration) string {
	t.Helper()
	dir := t.TempDir()
	fs := train.FeatureSpec{Config: extract.Default("mfcc"), Frames: 16, Layout: "image", Normalize: "bin"}
	fs.Config.NMFCC, fs.Config.NFFT, fs.Config.Hop = 13, 256, 128
	spec := models.Spec{Name: "tiny", Input: []int{1, 16, 13},
		Layers: []models.Layer{{Type: models.LayerFlatten}, {Type: models.LayerDense, Units: 8, Activation: models.ActReLU}},
		Head:   models.Head{Kind: models.HeadSoftmax, Outputs: len(demo.Classes())}}
	m, err := models.Build(spec, models.Options{Seed: 3, Batch: 4, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	fj, _ := json.Marshal(fs)
	norm := &models.Norm{Mean: make([]float32, 13), Std: make([]float32, 13)}
	for i := range norm.Std {
		norm.Mean[i], norm.Std[i] = -10, 50
	}
	path := filepath.Join(dir, runModelFile)
	if err := m.SaveFile(path, models.Meta{Classes: demo.Classes(), Features: fj, Norm: norm}); err != nil {
		t.Fatal(err)
	}
	if segment > 0 {
		rs := train.RunSpec{Version: train.SpecVersion, Features: fs}
		rs.Dataset.Spec.Root = "somewhere"
		rs.Dataset.Spec.Segments.Length = segment
		if err := writeJSONFile(filepath.Join(dir, runSpecFile), rs); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func predictRun(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := runPredict(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestPredictSegmentsAndVotes(t *testing.T) {
	data := demoData(t)
	model := tinyModel(t, 250*time.Millisecond)
	clip := filepath.Join(data, "bass", "bass_001.wav")
	code, stdout, stderr := predictRun("--model", model, clip, "--json", "--threads", "1")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc predictJSON
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if len(doc.Files) != 1 || doc.Task != "classify" || doc.Segment != 0.25 || len(doc.Classes) != 6 {
		t.Fatalf("doc: %+v", doc)
	}
	f := doc.Files[0]
	if len(f.Segments) != 4 || f.Duration != 1 || f.Seconds <= 0 {
		t.Fatalf("file: %d segments, %v s, %v s predicting", len(f.Segments), f.Duration, f.Seconds)
	}
	total := 0.0
	for _, p := range f.Percent {
		total += p
	}
	if math.Abs(total-100) > 1e-9 || f.Percent[f.Pred] == 0 {
		t.Errorf("percentages %v (sum %v), verdict %q", f.Percent, total, f.Pred)
	}
	// Each segment is the model's output on that segment's features, laid out as training does
	// (written out here independently of train.Inputs: transposed, standardised, padded).
	pm, err := loadPredictor(model, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range f.Segments {
		y := sliceWAV(t, clip, s.Start, s.End)
		r, err := pm.ex.Samples(y, 8000)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := pm.model.Predict(nil, referenceInput(pm.meta.Norm, r.Matrix, 16))
		for j, c := range doc.Classes {
			if math.Abs(float64(p[j])-s.Probs[c]) > 1e-6 {
				t.Errorf("segment %d class %s: %v, direct %v", s.Index, c, s.Probs[c], p[j])
			}
		}
	}

	// --segment overrides the model's; none predicts whole files; text shows the verdict.
	code, stdout, _ = predictRun("--model", model, "--segment", "0.5s", clip, "--json")
	json.Unmarshal([]byte(stdout), &doc)
	if code != exitOK || len(doc.Files[0].Segments) != 2 {
		t.Errorf("--segment 0.5s: exit %d, %d segments", code, len(doc.Files[0].Segments))
	}
	// --render draws the waveform, with the segments marked, and the mel spectrogram.
	t.Setenv("NO_COLOR", "1")
	code, stdout, _ = predictRun("--model", model, clip, "--render", "--width", "90", "--height", "24")
	if code != exitOK || !strings.Contains(stdout, "waveform, 4 segments") || !strings.Contains(stdout, "mel-db 64 mels n_fft 256 hop 64") || !strings.Contains(stdout, "=> ") {
		t.Errorf("--render: exit %d\n%s", code, stdout)
	}
	if code, _, errs := predictRun("--model", model, clip, "--render", "--json"); code != exitUsage || !strings.Contains(errs, "choose one") {
		t.Errorf("--render --json: exit %d, %q", code, errs)
	}
	code, stdout, _ = predictRun("--model", model, "--segment", "none", clip, filepath.Join(data, "drums"))
	if code != exitOK || !strings.Contains(stdout, "=>") || !strings.Contains(stdout, "5 files predicted") {
		t.Errorf("text, whole files and a folder: exit %d\n%s", code, stdout)
	}
}

// referenceInput is one model sample of frames x bins from a bins x frames matrix: each value
// standardised with its bin's statistics (or the global ones), frames past the matrix zero.
func referenceInput(norm *models.Norm, m *features.Matrix, frames int) []float32 {
	out := make([]float32, frames*m.Rows)
	for t := 0; t < min(frames, m.Cols); t++ {
		for b := 0; b < m.Rows; b++ {
			v := m.Data[b*m.Cols+t]
			if norm != nil {
				k := b % len(norm.Mean)
				v = (v - norm.Mean[k]) / norm.Std[k]
			}
			out[t*m.Rows+b] = v
		}
	}
	return out
}

// sliceWAV decodes a mono 8 kHz demo clip's samples between two times.
func sliceWAV(t *testing.T, path string, from, to float64) []float32 {
	t.Helper()
	ex, _ := extract.NewExtractor(extract.Config{Kind: "wave", NFFT: 2048, Hop: 512, Power: 2, NMels: 128, MelNorm: "slaney", TopDB: 80, Ref: "1", NMFCC: 20, DeltaWidth: 9, NChroma: 12})
	r, err := ex.File(path)
	if err != nil {
		t.Fatal(err)
	}
	return r.Wave[int(from*8000):int(to*8000)]
}

func TestPredictErrors(t *testing.T) {
	data := demoData(t)
	model := tinyModel(t, 0)
	clip := filepath.Join(data, "bass", "bass_001.wav")
	notModel := filepath.Join(t.TempDir(), "x.hark")
	os.WriteFile(notModel, []byte("hello"), 0o644)
	code, out, _ := predictRun("--help")
	if code != exitOK || !strings.Contains(out, "Usage: hark predict") || !strings.Contains(out, "-segment") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{clip}, exitUsage, "give the model"},
		{[]string{"--model", model}, exitUsage, "no AUDIO"},
		{[]string{"--model", model, "--frobnicate", clip}, exitUsage, "frobnicate"},
		{[]string{"--model", notModel, clip}, exitUser, "not a saved Hark model"},
		{[]string{"--model", model, "--run", "x", clip}, exitUser, "give only one"},
		{[]string{"--model", model, "--segment", "soon", clip}, exitUser, `--segment "soon"`},
		{[]string{"--run", t.TempDir(), clip}, exitUser, "no model.hark"},
	} {
		code, _, errs := predictRun(c.args...)
		if code != c.code || !strings.Contains(errs, c.msg) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", c.args, code, errs, c.code, c.msg)
		}
	}
	// A bad file is reported, the others are still predicted, and the exit status says so.
	bad := filepath.Join(t.TempDir(), "broken.wav")
	os.WriteFile(bad, []byte("RIFF....WAVEjunk"), 0o644)
	code, out, errs := predictRun("--model", model, bad, clip, "--json")
	var doc predictJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != exitUser || len(doc.Files) != 1 || len(doc.Problems) != 1 || !strings.Contains(errs, "broken.wav") {
		t.Errorf("bad file: exit %d, %v, %+v, stderr %q", code, err, doc, errs)
	}
}

// TestPredictAgreesWithEval trains a small recurrent model on clips shorter than its input (so
// every input is standardised, then padded, and the LSTM must stop at each clip's last frame),
// then predicts every clip whole and checks each verdict and score against what `hark eval`
// wrote for the clip: predict reads a file exactly as evaluation reads a clip.
func TestPredictAgreesWithEval(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	data := demoData(t)
	dir := t.TempDir()
	arch := filepath.Join(dir, "lstm.json")
	os.WriteFile(arch, []byte(`{"name": "small-lstm", "input": [], "layers": [{"type": "lstm", "units": 6, "summary": "last"}], "head": {"kind": "softmax"}}`), 0o644)
	out := filepath.Join(dir, "run")
	code, _, errs := trainRun(t, trainEnv{start: train.Start}, "--data", data, "--layout", "folders",
		"--split", "random:0.5,0.25,0.25", "--features", "mfcc:n_mfcc=13,n_fft=256,hop=128,frames=80,layout=sequence",
		"--model", arch, "--epochs", "2", "--batch", "8", "--threads", "1", "--out", out)
	if code != exitOK {
		t.Fatalf("train: exit %d\n%s", code, errs)
	}
	preds := filepath.Join(dir, "p.csv")
	var eo, ee bytes.Buffer
	if code := runEval([]string{"--run", out, "--data", data, "--layout", "folders", "--predictions", preds}, &eo, &ee); code != exitOK {
		t.Fatalf("eval: exit %d\n%s", code, ee.String())
	}
	f, err := os.Open(preds)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := eval.ReadPredictions(f, preds)
	f.Close()
	if err != nil || len(rows) != 24 {
		t.Fatalf("eval's predictions: %d rows, %v", len(rows), err)
	}
	clips := make([]string, len(rows))
	for i, r := range rows {
		clips[i] = filepath.Join(data, filepath.FromSlash(r.ID))
	}
	code, stdout, stderr := predictRun(append([]string{"--run", out, "--segment", "none", "--json", "--threads", "1"}, clips...)...)
	var doc predictJSON
	if code != exitOK || json.Unmarshal([]byte(stdout), &doc) != nil || len(doc.Files) != len(rows) {
		t.Fatalf("predict: exit %d, %d files\n%s", code, len(doc.Files), stderr)
	}
	for i, r := range rows {
		got := doc.Files[i]
		if got.Pred != r.Pred || math.Abs(got.Score-r.Score) > 1e-5 {
			t.Errorf("%s: predict says %s (%.6f), eval %s (%.6f)", r.ID, got.Pred, got.Score, r.Pred, r.Score)
		}
	}
}
