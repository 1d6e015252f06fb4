package models

import "testing"

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
