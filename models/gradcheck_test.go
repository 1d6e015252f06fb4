package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// gradSpecs cover every layer type, activation, head and the conv options (stride, padding).
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
}

// TestGradients compares every parameter's analytic gradient with central differences of the
// loss. The network runs in float32, so the difference quotient carries rounding noise of
// about ulp(loss)/h ≈ 1e-5 plus float32 forward noise; with h = 1e-2 (truncation error
// O(h²) ≈ 1e-4 on these smooth losses) a correct gradient agrees within 2e-3 absolute +
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
			x := make([]float32, n*m.SampleSize())
			for i := range x {
				x[i] = float32(r.NormFloat64())
			}
			y := make([]float32, n*m.TargetSize())
			for i := range y {
				switch spec.Head.Kind {
				case HeadSoftmax:
					y[i] = float32(r.IntN(spec.Head.Outputs))
				case HeadSigmoid:
					y[i] = float32(r.IntN(2))
				default:
					y[i] = float32(r.NormFloat64())
				}
			}
			if _, err := m.forwardBackward(x, y); err != nil {
				t.Fatal(err)
			}
			grads := make([][]float32, len(m.params))
			for i, p := range m.params {
				grads[i] = append([]float32(nil), p.grad...)
			}
			loss := func() float64 {
				l, err := m.forwardBackward(x, y)
				if err != nil {
					t.Fatal(err)
				}
				return float64(l)
			}
			for pi, p := range m.params {
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
