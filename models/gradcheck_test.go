package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// gradSpecs cover every layer type, activation, head and topology, and the conv options
// (stride, padding).
var gradSpecs = []Spec{
	{Name: "conv-bn-pool", Input: []int{2, 9, 7}, Layers: []Layer{
		{Type: LayerConv2D, Filters: 3, Kernel: []int{3, 2}, Stride: []int{2, 1}, Padding: []int{1, 1}, Activation: ActTanh},
		{Type: LayerBatchNorm},
		{Type: LayerMaxPool, Pool: []int{2, 2}, Stride: []int{1, 1}},
		{Type: LayerConv2D, Filters: 4, Kernel: []int{2, 2}, Activation: ActELU},
		{Type: LayerAvgPool, Pool: []int{2, 2}},
		{Type: LayerFlatten},
		{Type: LayerDense, Units: 5, Activation: ActSigmoid},
	}, Head: Head{Kind: HeadSoftmax, Outputs: 3}},
	{Name: "relu-gap-dropout", Input: []int{6, 5}, Layers: []Layer{
		{Type: LayerConv2D, Filters: 4, Kernel: []int{3, 3}, Padding: []int{1, 1}, Activation: ActReLU},
		{Type: LayerConv2D, Filters: 3, Kernel: []int{2, 2}, Stride: []int{2, 2}},
		{Type: LayerGlobalAvgPool},
		{Type: LayerDropout, Rate: 0.3},
	}, Head: Head{Kind: HeadSigmoid, Outputs: 2}},
	{Name: "dense-bn", Input: []int{7}, Layers: []Layer{
		{Type: LayerDense, Units: 6, Activation: ActTanh},
		{Type: LayerBatchNorm, Momentum: 0.9},
		{Type: LayerActivation, Activation: ActELU},
		{Type: LayerDense, Units: 4, Activation: ActReLU},
	}, Head: Head{Kind: HeadLinear, Outputs: 3}},
	{Name: "bilstm-mean", Input: []int{6, 3}, Layers: []Layer{
		{Type: LayerLSTM, Units: 4, Bidirectional: true, Summary: SummaryMean},
	}, Head: Head{Kind: HeadSoftmax, Outputs: 3}},
	{Name: "stacked-lstm-last", Input: []int{5, 2}, Layers: []Layer{
		{Type: LayerLSTM, Units: 3, Bidirectional: true},
		{Type: LayerDropout, Rate: 0.2},
		{Type: LayerLSTM, Units: 3, Summary: SummaryLast},
	}, Head: Head{Kind: HeadLinear, Outputs: 2}},
	{Name: "bilstm-last", Input: []int{4, 3}, Layers: []Layer{
		{Type: LayerLSTM, Units: 3, Bidirectional: true, Summary: SummaryLast},
	}, Head: Head{Kind: HeadSigmoid, Outputs: 1}},
	// A shared trunk under three heads (one with hidden layers) sums three gradients.
	{Name: "multitask", Input: []int{1, 6, 5}, Layers: []Layer{
		{Type: LayerConv2D, Filters: 3, Kernel: []int{3, 3}},
		{Type: LayerBatchNorm, Activation: ActReLU},
		{Type: LayerGlobalAvgPool},
	}, Heads: []Head{
		{Name: "genre", Kind: HeadSoftmax, Outputs: 3},
		{Name: "valence", Kind: HeadLinear, Outputs: 1, Layers: []Layer{{Type: LayerDense, Units: 4, Activation: ActTanh}}},
		{Name: "energy", Kind: HeadLinear, Outputs: 2},
	}},
	// Both towers' weight gradients are summed; |f1 - f2| feeds the head.
	{Name: "siamese", Input: []int{1, 5, 4}, Siamese: true, Layers: []Layer{
		{Type: LayerConv2D, Filters: 3, Kernel: []int{2, 2}, Activation: ActTanh},
		{Type: LayerBatchNorm},
		{Type: LayerMaxPool, Pool: []int{2, 2}},
		{Type: LayerFlatten},
		{Type: LayerDense, Units: 4, Activation: ActSigmoid},
		{Type: LayerDropout, Rate: 0.25},
	}, Head: Head{Kind: HeadSigmoid, Outputs: 1, Layers: []Layer{{Type: LayerDense, Units: 3, Activation: ActELU}}}},
	// Frozen layers: a frozen batch norm normalises with its running statistics.
	{Name: "frozen", Input: []int{1, 5, 5}, Layers: []Layer{
		{Type: LayerConv2D, Filters: 2, Kernel: []int{2, 2}, Frozen: true},
		{Type: LayerBatchNorm, Frozen: true, Activation: ActTanh},
		{Type: LayerConv2D, Filters: 3, Kernel: []int{2, 2}},
		{Type: LayerBatchNorm, Frozen: true},
		{Type: LayerFlatten},
	}, Head: Head{Kind: HeadSoftmax, Outputs: 2}},
}

// randomBatch draws n samples and targets for m's heads; for sequence models it draws lengths
// (some full, one empty) and fills the padding with garbage, which the lengths exclude.
func randomBatch(m *Model, r *rand.Rand, n int) Batch {
	bt := Batch{X: make([]float32, n*m.SampleSize()), Y: make([]float32, n*m.TargetSize())}
	for i := range bt.X {
		bt.X[i] = float32(r.NormFloat64())
	}
	if m.seq {
		steps := m.in[0]
		bt.Lengths = make([]int, n*m.towers)
		for i := range bt.Lengths {
			bt.Lengths[i] = []int{steps, steps - 1, 1, 0, steps - 2}[i%5]
		}
	}
	for i := 0; i < n; i++ {
		for _, h := range m.Heads() {
			for j := 0; j < max(1, h.Outputs*btoi(h.Kind != HeadSoftmax)); j++ {
				y := &bt.Y[i*m.TargetSize()+h.TargetOffset+j]
				switch h.Kind {
				case HeadSoftmax:
					*y = float32(r.IntN(h.Outputs))
				case HeadSigmoid:
					*y = float32(r.IntN(2))
				default:
					*y = float32(r.NormFloat64())
				}
			}
		}
	}
	return bt
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestGradients compares every parameter's analytic gradient with central differences of the
// loss. The network runs in float32, so the difference quotient carries rounding noise of
// about ulp(loss)/h ≈ 1e-4 plus float32 forward noise; with h = 1e-3 (truncation error
// O(h²) ≈ 1e-6 on these smooth losses) a correct gradient agrees within 2e-3 absolute +
// 2% relative, while a wrong one (a missing term, a transposed kernel) is off by its own size.
func TestGradients(t *testing.T) {
	const h = 1e-3
	for _, spec := range gradSpecs {
		t.Run(spec.Name, func(t *testing.T) {
			const n = 5
			m, err := Build(spec, Options{Seed: 3, Batch: n + 2}) // a partial batch, as at an epoch's end
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(4, 5))
			bt := randomBatch(m, r, n)
			if _, err := m.forwardBackward(bt); err != nil {
				t.Fatal(err)
			}
			grads := make([][]float32, len(m.params))
			for i, p := range m.params {
				if p.frozen != (p.grad == nil) {
					t.Fatalf("%s: frozen %v but gradient %v", p.name, p.frozen, p.grad != nil)
				}
				grads[i] = append([]float32(nil), p.grad...)
			}
			loss := func() float64 {
				l, err := m.forwardBackward(bt)
				if err != nil {
					t.Fatal(err)
				}
				return float64(l)
			}
			for pi, p := range m.params {
				if p.frozen {
					continue
				}
				for _, j := range r.Perm(len(p.data))[:min(12, len(p.data))] {
					w := p.data[j]
					p.data[j] = w + h
					lp := loss()
					p.data[j] = w - h
					lm := loss()
					p.data[j] = w
					num, ana := (lp-lm)/(2*h), float64(grads[pi][j])
					if math.Abs(num-ana) > 2e-3+0.02*math.Max(math.Abs(num), math.Abs(ana)) {
						t.Errorf("%s[%d]: analytic %.6g, numeric %.6g", p.name, j, ana, num)
					}
				}
			}
		})
	}
}

func ExamplePreset() {
	s, _ := Preset("gtzan-cnn", []int{1, 216, 13}, 10)
	m, _ := Build(s, Options{Seed: 1, Batch: 64})
	fmt.Println(len(s.Layers), "layers,", m.NumParams(), "parameters")
	// Output: 12 layers, 88362 parameters
}
