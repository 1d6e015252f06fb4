package main

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/models"
)

// resolveArgs parses RunSpec flags as hark train does and resolves them.
func resolveArgs(t *testing.T, args ...string) (train.RunSpec, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	rf := addRunFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	return rf.resolve()
}

func TestRunSpecFlagsBuildTheSpec(t *testing.T) {
	dir := t.TempDir()
	s, err := resolveArgs(t, "--data", dir, "--layout", "folders", "--task", "regress", "--split", "random:80,10,10",
		"--features", "mel-db:n_mels=40,n-fft=256,hop=80,frames=100,normalize=global,layout=image",
		"--segment", "6x5s", "--model", "gtzan-cnn", "--freeze", "conv2d, 0.dense",
		"--epochs", "7", "--batch", "16", "--lr", "1.5e-4", "--optimizer", "sgd", "--momentum", "0.9",
		"--weight-decay", "1e-4", "--clip-norm", "5", "--schedule", "plateau:factor=0.9,patience=4",
		"--early-stop", "patience=8,monitor=val_metric", "--augment", "noise=0.8:0.1,shift=0.1,gain=6,time-masks=2x10,freq-masks=2x8",
		"--seed", "42", "--threads", "2", "--name", "trial", "--regex", `(?P<label>\d)_.*`, "--preset-regex", "fsdd")
	if err != nil {
		t.Fatal(err)
	}
	want := train.RunSpec{Version: train.SpecVersion, Name: "trial", Seed: 42, Split: "random:0.8,0.1,0.1", Task: "regress"}
	want.Dataset.Spec = dataset.Spec{Root: dir, Layout: "folders", Regex: `(?P<label>\d)_.*`, Preset: "fsdd",
		Segments: dataset.SegmentSpec{Count: 6, Length: 5 * time.Second}}
	want.Features.Config = extract.Default("mel-db")
	want.Features.Config.NMels, want.Features.Config.NFFT, want.Features.Config.Hop = 40, 256, 80
	want.Features.Frames, want.Features.Normalize, want.Features.Layout = 100, "global", "image"
	want.Model = train.ModelRef{Preset: "gtzan-cnn", Freeze: []string{"conv2d", "0.dense"}}
	want.Train = train.TrainConfig{Epochs: 7, Batch: 16, LR: 1.5e-4, Threads: 2,
		Optimizer: models.Optimizer{Kind: "sgd", Momentum: 0.9, WeightDecay: 1e-4, ClipNorm: 5},
		Schedule:  train.Schedule{Kind: "plateau", Factor: 0.9, Patience: 4},
		EarlyStop: train.EarlyStop{Patience: 8, Monitor: "val_metric"}}
	want.Augment = &train.AugmentSpec{NoiseProb: 0.8, NoiseMax: 0.1, Shift: 0.1, GainDB: 6,
		TimeMasks: 2, TimeMaskWidth: 10, FreqMasks: 2, FreqMaskWidth: 8}
	if split, _ := dataset.ParseSplitSpec("random:0.8,0.1,0.1"); split.String() != s.Split {
		t.Errorf("split %q, want the canonical %q", s.Split, split.String())
	}
	want.Split = s.Split
	if !reflect.DeepEqual(s, want) {
		t.Errorf("spec:\n got %+v\nwant %+v", s, want)
	}
}

func TestRunSpecFlagsRejectBadValuesNamingFlagAndValue(t *testing.T) {
	dir := t.TempDir()
	notModel := filepath.Join(dir, "notes.json")
	os.WriteFile(notModel, []byte(`{"hello": 1}`), 0o644)
	cases := []struct {
		flag, value, problem string
	}{
		{"data", filepath.Join(dir, "missing"), "no such file"},
		{"layout", "nope", "unknown layout"},
		{"task", "cluster", "want classify, regress or pairs"},
		{"regex", "(", "regular expression"},
		{"regex", `\d+`, "(?P<label>"},
		{"split", "random:0.5,0.1", "sum"},
		{"split", "nonsense", ""},
		{"features", "loud", "unknown feature kind"},
		{"features", "wave", "not a matrix"},
		{"features", "mfcc:n_mfc=13", "unknown key \"n_mfc\""},
		{"features", "mfcc:n_mfcc=x", "not a whole number"},
		{"features", "mfcc:n_fft", "not key=value"},
		{"features", "mel:n_fft=0", "n_fft 0"},
		{"features", "mel:layout=cube", "layout"},
		{"features", "mel:normalize=zscore", "normalize"},
		{"features", "image:n_mels=3", "does not apply"},
		{"segment", "5 parsecs", "duration"},
		{"model", "resnet", "neither a preset"},
		{"model", notModel, "not a model spec"},
		{"freeze", "conv2d,,dense", "empty selector"},
		{"epochs", "abc", "not a whole number"},
		{"epochs", "0", "must be positive"},
		{"batch", "-3", "must be positive"},
		{"lr", "fast", "not a number"},
		{"lr", "0", "must be positive"},
		{"lr", "NaN", "not a number"},
		{"optimizer", "adagrad", "adam, sgd or rmsprop"},
		{"momentum", "1", "[0, 1)"},
		{"weight-decay", "-1e-4", "below 0"},
		{"clip-norm", "x", "not a number"},
		{"schedule", "cosine", "unknown schedule"},
		{"schedule", "plateau:factor=2", "(0, 1)"},
		{"schedule", "step:gamma=0.5", "needs step=N"},
		{"schedule", "step:step=10,factor=0.5", "unknown step setting"},
		{"early-stop", "patience=x", "not a whole number"},
		{"early-stop", "monitor=val_loss", "needs patience"},
		{"early-stop", "patience=3,monitor=acc", "val_loss or val_metric"},
		{"augment", "noise=0.8", "PROBABILITY:MAX"},
		{"augment", "noise=2:0.1", "[0, 1]"},
		{"augment", "time-masks=2", "COUNTxWIDTH"},
		{"augment", "reverb=1", "unknown augmentation"},
		{"seed", "-1", "non-negative"},
		{"threads", "-1", "at least 0"},
	}
	for _, c := range cases {
		_, err := resolveArgs(t, "--"+c.flag, c.value)
		if err == nil {
			t.Errorf("--%s %q: accepted", c.flag, c.value)
			continue
		}
		msg := err.Error()
		prefix := "--" + c.flag + " \"" + strings.ReplaceAll(c.value, `\`, `\\`) + "\": "
		if !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, c.problem) || strings.Contains(msg, "\n") {
			t.Errorf("--%s %q: message %q, want one line starting %q and saying %q", c.flag, c.value, msg, prefix, c.problem)
		}
	}
}

func TestRecipesResolveAndPassTheEngine(t *testing.T) {
	dir := t.TempDir()
	for _, name := range recipeNames() {
		s, err := resolveArgs(t, "--recipe", name, "--data", dir)
		if err != nil {
			t.Errorf("recipe %s: %v", name, err)
			continue
		}
		if s.Name != name {
			t.Errorf("recipe %s: name %q", name, s.Name)
		}
		if _, err := train.Resolve(s); err != nil {
			t.Errorf("recipe %s: the engine refuses it: %v", name, err)
		}
	}
	// A flag given overrides the recipe's.
	s, err := resolveArgs(t, "--recipe", "gtzan", "--data", dir, "--epochs", "3")
	if err != nil || s.Train.Epochs != 3 || s.Model.Preset != "gtzan-cnn" || s.Dataset.Spec.Segments.Count != 6 {
		t.Errorf("gtzan with --epochs 3: %+v, %v", s.Train, err)
	}
	if _, err := resolveArgs(t, "--recipe", "imagenet"); err == nil || !strings.Contains(err.Error(), "fsdd") {
		t.Errorf("unknown recipe: %v, want the list of recipes", err)
	}
	if !strings.Contains(recipeHelp(), "--segment 6x5s") {
		t.Errorf("recipe help does not show gtzan's flags:\n%s", recipeHelp())
	}
}

func TestSpecFileRoundTripsAndFlagsOverrideIt(t *testing.T) {
	dir := t.TempDir()
	s, err := resolveArgs(t, "--recipe", "kws", "--data", dir, "--seed", "9")
	if err != nil {
		t.Fatal(err)
	}
	b, err := specJSON(s)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "spec.json")
	os.WriteFile(file, b, 0o644)
	back, err := resolveArgs(t, "--spec", file)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, s) {
		t.Errorf("spec file round trip:\n got %+v\nwant %+v", back, s)
	}
	over, err := resolveArgs(t, "--spec", file, "--batch", "8")
	if err != nil || over.Train.Batch != 8 || over.Seed != 9 {
		t.Errorf("--spec with --batch 8: batch %d seed %d, %v", over.Train.Batch, over.Seed, err)
	}
	if _, err := resolveArgs(t, "--spec", file, "--recipe", "kws"); err == nil {
		t.Error("--spec with --recipe accepted")
	}
	os.WriteFile(file, []byte(`{"version": 1, "epochz": 3}`), 0o644)
	if _, err := resolveArgs(t, "--spec", file); err == nil || !strings.Contains(err.Error(), "epochz") {
		t.Errorf("a misspelt spec field: %v", err)
	}
}

func TestModelFlagTellsPresetSpecAndSavedModelApart(t *testing.T) {
	dir := t.TempDir()
	spec, _ := models.Preset("mlp", []int{4}, 2)
	specFile := filepath.Join(dir, "net.json")
	b, _ := specJSON(train.RunSpec{}) // any JSON file that is not a spec
	os.WriteFile(filepath.Join(dir, "other.json"), b, 0o644)
	sb, _ := jsonBytes(spec)
	os.WriteFile(specFile, sb, 0o644)
	m, err := models.Build(spec, models.Options{Seed: 1, Batch: 2})
	if err != nil {
		t.Fatal(err)
	}
	saved := filepath.Join(dir, "model.hark")
	if err := m.SaveFile(saved, models.Meta{Classes: []string{"a", "b"}}); err != nil {
		t.Fatal(err)
	}
	if ref, err := parseModelRef("mlp"); err != nil || ref.Preset != "mlp" {
		t.Errorf("preset: %+v %v", ref, err)
	}
	if ref, err := parseModelRef(specFile); err != nil || ref.Spec == nil || len(ref.Spec.Layers) != len(spec.Layers) {
		t.Errorf("spec file: %+v %v", ref, err)
	}
	if ref, err := parseModelRef(saved); err != nil || ref.From != saved {
		t.Errorf("saved model: %+v %v", ref, err)
	}
	// --freeze and --model combine in either order.
	s, err := resolveArgs(t, "--freeze", "conv2d", "--model", saved)
	if err != nil || s.Model.From != saved || !reflect.DeepEqual(s.Model.Freeze, []string{"conv2d"}) {
		t.Errorf("--freeze with a saved model: %+v %v", s.Model, err)
	}
}

func TestGridExpandsEveryCombination(t *testing.T) {
	axes, err := parseGrid("batch=32,64 weight_decay=1e-4,1e-5 features=mfcc:n_mfcc=13|mel-db")
	if err != nil {
		t.Fatal(err)
	}
	cells := gridCells(axes)
	if len(cells) != 8 {
		t.Fatalf("%d cells, want 8", len(cells))
	}
	if got := cells[0].label(); got != "batch=32 weight-decay=1e-4 features=mfcc:n_mfcc=13" {
		t.Errorf("first cell %q", got)
	}
	if got := cells[7].label(); got != "batch=64 weight-decay=1e-5 features=mel-db" {
		t.Errorf("last cell %q", got)
	}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	rf := addRunFlags(fs)
	fs.Parse([]string{"--batch", "8", "--epochs", "2"})
	s, err := rf.withCell(cells[7]).resolve()
	if err != nil || s.Train.Batch != 64 || s.Train.Epochs != 2 || s.Train.Optimizer.WeightDecay != float32(1e-5) || s.Features.Config.Kind != "mel-db" {
		t.Errorf("cell 7: %+v %v", s.Train, err)
	}
	if again, _ := rf.resolve(); again.Train.Batch != 8 {
		t.Errorf("a cell changed the command line's flags: batch %d", again.Train.Batch)
	}
	for _, bad := range []string{"", "batch", "batch=", "colour=red", "batch=1 batch=2", "data=x,y", "batch=1,,2"} {
		if _, err := parseGrid(bad); err == nil {
			t.Errorf("grid %q accepted", bad)
		}
	}
}

func jsonBytes(v any) ([]byte, error) {
	var b bytes.Buffer
	err := writeJSON(&b, v)
	return b.Bytes(), err
}
