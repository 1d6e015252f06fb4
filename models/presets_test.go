package models

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPresetParams checks parameter counts against PyTorch's, computed by hand from the layer
// definitions in shared/bench/torch_reference.py (weights + biases; batch norm: weight + bias).
func TestPresetParams(t *testing.T) {
	cases := []struct {
		name    string
		in      []int
		classes int
		want    int
	}{
		// m1: conv 1→32 (3×2): 32·6+32 = 224; BN 64; conv 32→64: 64·192+64 = 12352; BN 128;
		// conv 64→64: 64·384+64 = 24640; BN 128; conv 64→128: 128·384+128 = 49280; BN 256;
		// dense 128→10: 1290. Total 88362.
		{"gtzan-cnn", []int{1, 216, 13}, 10, 88362},
		// m2: 320 + 18496 + 36928 + (64·21·6)·128+128 = 1032320 + 128·12+12 = 1548. Total 1089612.
		{"kws-cnn", []int{1, 98, 40}, 12, 1089612},
		// mlp on 40 inputs: 40·256+256 + 256·256+256 + 256·5+5 = 10496 + 65792 + 1285.
		{"mlp", []int{40}, 5, 77573},
		// m3: PyTorch's LSTM has two biases per direction (b_ih, b_hh), Hark one (Keras's):
		// layer 1: 2·(512·(128+128) + 512) = 263168; layer 2: 2·(512·(256+128) + 512) = 394240;
		// dense 256·10+10 = 2570. Total 659978 (PyTorch: 662026, 2·2·512 more).
		{"bilstm", []int{60, 128}, 10, 659978},
	}
	for _, c := range cases {
		s, err := Preset(c.name, c.in, c.classes)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Build(s, Options{Batch: 4})
		if err != nil {
			t.Fatal(err)
		}
		if got := m.NumParams(); got != c.want {
			t.Errorf("%s on %v: %d parameters, want %d", c.name, c.in, got, c.want)
		}
	}
}

// TestPresetsTrain builds every preset on an input of the kind it is meant for and takes a
// training step and a prediction with finite results.
func TestPresetsTrain(t *testing.T) {
	inputs := map[string][]int{
		"bilstm": {20, 16}, "genre-cnn": {1, 32, 40}, "gtzan-cnn": {1, 216, 13}, "kws-cnn": {1, 98, 40},
		"mlp": {98, 40}, "multitask-cnn": {1, 32, 40}, "siamese": {1, 105, 105}, "vgg": {1, 40, 30}, "vggish": {1, 96, 64},
	}
	for _, name := range PresetNames() {
		t.Run(name, func(t *testing.T) {
			if name == "vggish" && testing.Short() {
				t.Skip("72M parameters")
			}
			in, ok := inputs[name]
			if !ok {
				t.Fatalf("no test input for preset %s", name)
			}
			s, err := Preset(name, in, 3)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Build(s, Options{Seed: 1, Batch: 2})
			if err != nil {
				t.Fatal(err)
			}
			bt := randomBatch(m, rand.New(rand.NewPCG(1, 1)), 2)
			bt.Lengths = nil
			loss, err := m.StepBatch(bt, 1e-3)
			if err != nil || math.IsNaN(float64(loss)) || math.IsInf(float64(loss), 0) {
				t.Fatalf("step: loss %v, %v", loss, err)
			}
			p, err := m.Predict(nil, bt.X)
			if err != nil || len(p) != 2*m.Outputs() {
				t.Fatalf("predict: %d values, %v", len(p), err)
			}
			for _, v := range p {
				if math.IsNaN(float64(v)) {
					t.Fatal("NaN prediction")
				}
			}
		})
	}
}
