package train

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/demo"
)

// TestWaveAugmentationIsSeededPerItem trains with background noise, gain and shift on a
// Speech Commands folder (the demo's classes as words, a noise file in _background_noise_):
// features are computed again from the augmented clips every epoch, and the numbers do not
// depend on the number of threads; without augmentation they differ.
func TestWaveAugmentationIsSeededPerItem(t *testing.T) {
	dir := t.TempDir()
	if _, err := demo.Generate(dir, demo.Options{Seed: 2, PerClass: 8, SampleRate: 8000, Seconds: 1}); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, demo.TargetsFile))
	os.Remove(filepath.Join(dir, "README.txt"))
	noise := filepath.Join(dir, "_background_noise_")
	if err := os.MkdirAll(noise, 0o755); err != nil {
		t.Fatal(err)
	}
	// The noise: one of the demo's own clips, louder, as a stand-in for a recording.
	src, err := filepath.Glob(filepath.Join(dir, "*", "*_000.wav"))
	if err != nil || len(src) == 0 {
		t.Fatalf("no demo clip: %v", err)
	}
	b, err := os.ReadFile(src[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(noise, "hum.wav"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	base := demoSpec(t)
	base.Dataset.Spec = dataset.Spec{Root: dir, Layout: dataset.LayoutSpeechCommands}
	base.Split = "random:0.7,0.15,0.15"
	base.Train.Epochs = 3
	runNumbers := func(s RunSpec) numbers {
		run, err := Start(context.Background(), "aug", s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		res, evs := collect(t, run)
		return numbersOf(res, epochs(evs))
	}
	var got []numbers
	for _, threads := range []int{2, 1} {
		s := base
		s.Augment = &AugmentSpec{NoiseProb: 1, NoiseMax: 0.5, GainDB: 6, Shift: 0.1}
		s.Train.Threads = threads
		got = append(got, runNumbers(s))
	}
	if !reflect.DeepEqual(got[0], got[1]) {
		t.Errorf("augmented runs on 2 and 1 threads differ:\n%+v\n%+v", got[0], got[1])
	}
	clean := runNumbers(base)
	if reflect.DeepEqual(clean.Epochs, got[0].Epochs) || math.IsNaN(got[0].Epochs[0][1]) {
		t.Errorf("augmentation changed nothing: %+v", clean.Epochs)
	}
	// Noise asked of a dataset without noise files is an error of the run.
	s := demoSpec(t)
	s.Augment = &AugmentSpec{NoiseProb: 0.5, NoiseMax: 0.1}
	run, err := Start(context.Background(), "nonoise", s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range run.Events() {
	}
	if _, err := run.Wait(); err == nil {
		t.Error("noise without noise files: no error")
	}
}
