package models

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
)

// blobs generates a separable problem: class c puts a bump of height 2 at row 2c of a 1×8×6
// image, on unit Gaussian noise.
func blobs(r *rand.Rand, n, classes int) (x, y []float32) {
	x = make([]float32, n*48)
	y = make([]float32, n)
	for i := 0; i < n; i++ {
		c := r.IntN(classes)
		y[i] = float32(c)
		for j := 0; j < 48; j++ {
			x[i*48+j] = float32(r.NormFloat64())
			if j/6 == 2*c {
				x[i*48+j] += 2
			}
		}
	}
	return x, y
}

func smallCNN() Spec {
	return Spec{Name: "small", Input: []int{1, 8, 6}, Layers: []Layer{
		{Type: LayerConv2D, Filters: 8, Kernel: []int{3, 3}, Padding: []int{1, 1}, Activation: ActReLU},
		{Type: LayerBatchNorm},
		{Type: LayerMaxPool, Pool: []int{2, 2}},
		{Type: LayerFlatten},
		{Type: LayerDense, Units: 16, Activation: ActReLU},
		{Type: LayerDropout, Rate: 0.2},
	}, Head: Head{Kind: HeadSoftmax, Outputs: 4}}
}

// train runs epochs over x, y in batches of the model's size (the last one partial).
func train(t *testing.T, m *Model, x, y []float32, epochs int, lr float32) []float32 {
	var losses []float32
	per, tw, b := m.SampleSize(), m.TargetSize(), m.Batch()
	n := len(y) / tw
	for e := 0; e < epochs; e++ {
		for lo := 0; lo < n; lo += b {
			hi := min(n, lo+b)
			l, err := m.Step(x[lo*per:hi*per], y[lo*tw:hi*tw], lr)
			if err != nil {
				t.Fatal(err)
			}
			losses = append(losses, l)
		}
	}
	return losses
}

func accuracy(t *testing.T, m *Model, x, y []float32) float64 {
	p, err := m.Predict(nil, x)
	if err != nil {
		t.Fatal(err)
	}
	k, ok := m.Outputs(), 0
	for i, c := range y {
		best := 0
		for j := range k {
			if p[i*k+j] > p[i*k+best] {
				best = j
			}
		}
		if best == int(c) {
			ok++
		}
	}
	return float64(ok) / float64(len(y))
}

// TestLearnsSeparable trains a small CNN (conv, batch norm, pool, dense, dropout) on a
// separable problem; held-out accuracy must reach 95% (chance is 25%).
func TestLearnsSeparable(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	x, y := blobs(r, 300, 4) // 300 = 9 batches of 32 and a partial one of 12
	tx, ty := blobs(r, 400, 4)
	m, err := Build(smallCNN(), Options{Seed: 1, Batch: 32})
	if err != nil {
		t.Fatal(err)
	}
	losses := train(t, m, x, y, 8, 3e-3)
	if acc := accuracy(t, m, tx, ty); acc < 0.95 {
		t.Errorf("held-out accuracy %.3f after 8 epochs, want >= 0.95 (losses %v ... %v)", acc, losses[:3], losses[len(losses)-3:])
	}
}

// TestOptimizersLearn checks that every optimizer, with weight decay and clipping, fits a
// linear regression head (MSE) well below the targets' variance.
func TestOptimizersLearn(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	const n = 256
	x := make([]float32, n*4)
	y := make([]float32, n*2)
	for i := 0; i < n; i++ {
		for j := 0; j < 4; j++ {
			x[i*4+j] = float32(r.NormFloat64())
		}
		y[2*i] = x[i*4] - 2*x[i*4+1]
		y[2*i+1] = 0.5*x[i*4+2] + x[i*4+3]
	}
	spec := Spec{Input: []int{4}, Layers: []Layer{{Type: LayerDense, Units: 16, Activation: ActTanh}}, Head: Head{Kind: HeadLinear, Outputs: 2}}
	for _, o := range []Optimizer{
		{Kind: OptAdam, WeightDecay: 1e-4},
		{Kind: OptSGD, Momentum: 0.9, ClipNorm: 5},
		{Kind: OptRMSProp, ClipValue: 1},
	} {
		m, err := Build(spec, Options{Seed: 2, Batch: 32, Optimizer: o})
		if err != nil {
			t.Fatal(err)
		}
		lr := float32(3e-3)
		if o.Kind == OptSGD {
			lr = 1e-2
		}
		losses := train(t, m, x, y, 60, lr)
		// The targets' variance is about 2.6 per output; a fitted model is far below.
		if last := losses[len(losses)-1]; !(last < 0.05) {
			t.Errorf("%s: final MSE %v, want < 0.05 (first %v)", o.Kind, last, losses[0])
		}
	}
}

func snapshot(m *Model) [][]float32 {
	_, data := m.tensors()
	out := make([][]float32, len(data))
	for i, d := range data {
		out[i] = append([]float32(nil), d...)
	}
	return out
}

// TestDeterminism: the same seed gives the same losses and weights bit for bit, whatever the
// thread count; another seed does not.
func TestDeterminism(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	x, y := blobs(r, 70, 4)
	run := func(seed uint64, threads int) ([]float32, [][]float32) {
		m, err := Build(smallCNN(), Options{Seed: seed, Batch: 32, Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		return train(t, m, x, y, 2, 1e-3), snapshot(m)
	}
	l1, w1 := run(5, 1)
	l2, w2 := run(5, 3)
	if !reflect.DeepEqual(l1, l2) || !reflect.DeepEqual(w1, w2) {
		t.Errorf("same seed, 1 vs 3 threads: losses %v vs %v, or weights differ", l1, l2)
	}
	l3, _ := run(6, 1)
	if reflect.DeepEqual(l1, l3) {
		t.Errorf("seeds 5 and 6 gave the same losses %v", l1)
	}
}

// TestPartialBatch: a batch of 5 on a machine compiled for 8 gives exactly what a machine
// compiled for 5 gives: padding never reaches statistics, losses or gradients.
func TestPartialBatch(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	x, y := blobs(r, 5, 4)
	var losses [2]float32
	var weights [2][][]float32
	for i, b := range []int{8, 5} {
		m, err := Build(smallCNN(), Options{Seed: 4, Batch: b})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			// Fill the padding rows with garbage first.
			big := make([]float32, 8*48)
			for j := range big {
				big[j] = 1e3
			}
			if _, err := m.forwardBackward(Batch{X: big, Y: make([]float32, 8)}); err != nil {
				t.Fatal(err)
			}
		}
		if losses[i], err = m.Step(x, y, 1e-2); err != nil {
			t.Fatal(err)
		}
		weights[i] = snapshot(m)
	}
	// The last two tensors are the running statistics, which the garbage pass moved.
	if losses[0] != losses[1] || !reflect.DeepEqual(weights[0][:len(weights[0])-2], weights[1][:len(weights[1])-2]) {
		t.Errorf("batch 5 of 8: loss %v, batch of 5: loss %v (or weights differ)", losses[0], losses[1])
	}
}

// TestSaveLoad: a saved and reloaded model predicts exactly as the original and keeps its meta.
func TestSaveLoad(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	x, y := blobs(r, 64, 4)
	m, err := Build(smallCNN(), Options{Seed: 1, Batch: 16})
	if err != nil {
		t.Fatal(err)
	}
	train(t, m, x, y, 1, 1e-3)
	meta := Meta{Classes: []string{"a", "b", "c", "d"}, Features: json.RawMessage(`{"kind":"mfcc","n_mfcc":13}`),
		Norm: &Norm{Mean: []float32{0.5}, Std: []float32{2}}}
	path := filepath.Join(t.TempDir(), "m.hark")
	if err := m.SaveFile(path, meta); err != nil {
		t.Fatal(err)
	}
	m2, meta2, err := LoadFile(path, Options{Batch: 7})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(meta, meta2) || !reflect.DeepEqual(m.Spec(), m2.Spec()) || m2.Steps() != m.Steps() {
		t.Errorf("meta %+v, spec or steps changed on reload: %+v", meta, meta2)
	}
	p1, _ := m.Predict(nil, x)
	p2, err := m2.Predict(nil, x)
	if err != nil || !reflect.DeepEqual(p1, p2) {
		t.Errorf("predictions differ after reload (err %v)", err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf, Meta{}); err != nil {
		t.Fatal(err)
	}
	trunc := buf.Bytes()[:buf.Len()-10]
	if _, _, err := Load(bytes.NewReader(trunc), Options{}); err == nil {
		t.Error("truncated model loaded without error")
	}
	if _, _, err := Load(bytes.NewReader([]byte("nonsense")), Options{}); err == nil {
		t.Error("garbage loaded without error")
	}
}

// TestBadInput: wrong sizes and labels are errors, not panics.
func TestBadInput(t *testing.T) {
	m, err := Build(smallCNN(), Options{Batch: 4})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 2*48)
	for _, c := range []struct {
		x, y []float32
	}{
		{x[:47], []float32{0}},
		{x, []float32{0}},
		{x, []float32{0, 4}},
		{x, []float32{0, 1.5}},
		{x, []float32{0, float32(math.NaN())}},
		{make([]float32, 5*48), make([]float32, 5)},
	} {
		if _, err := m.Step(c.x, c.y, 1e-3); err == nil {
			t.Errorf("Step(%d inputs, targets %v) gave no error", len(c.x), c.y)
		}
	}
	for _, s := range []Spec{
		{Input: []int{4}, Head: Head{Kind: "nope", Outputs: 2}},
		{Input: []int{4, 4}, Head: Head{Kind: HeadSoftmax, Outputs: 2}},
		{Input: []int{1, 4, 4}, Layers: []Layer{{Type: LayerConv2D, Filters: 2, Kernel: []int{5, 5}}}, Head: Head{Kind: HeadSoftmax, Outputs: 2}},
		{Input: []int{4}, Layers: []Layer{{Type: "lstm"}}, Head: Head{Kind: HeadSoftmax, Outputs: 2}},
	} {
		if _, err := Build(s, Options{}); err == nil {
			t.Errorf("Build(%+v) gave no error", s)
		}
	}
}
