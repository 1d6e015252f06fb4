package models

import (
	"fmt"
	"math/rand/v2"
)

// ExampleModel_WithHeads is the genre-to-emotion transfer: keep a trained trunk, put a
// regression head with three outputs on it, freeze every convolution and fine-tune the rest.
func ExampleModel_WithHeads() {
	genre, _ := Build(Spec{Input: []int{1, 8, 6}, Layers: []Layer{
		{Type: LayerConv2D, Filters: 4, Kernel: []int{3, 3}, Activation: ActReLU},
		{Type: LayerBatchNorm},
		{Type: LayerGlobalAvgPool},
	}, Head: Head{Kind: HeadSoftmax, Outputs: 10}}, Options{Seed: 1, Batch: 8})
	emotion, _ := genre.WithHeads([]Head{{Kind: HeadLinear, Outputs: 3}}, Options{Seed: 2, Batch: 8})
	n, _ := emotion.Freeze(LayerConv2D)
	r := rand.New(rand.NewPCG(1, 1))
	x, y := make([]float32, 8*48), make([]float32, 8*3)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	if _, err := emotion.Step(x, y, 1e-3); err != nil {
		fmt.Println(err)
	}
	fmt.Println(n, "frozen;", emotion.Outputs(), "outputs per sample;", emotion.Steps(), "step")
	// Output: 1 frozen; 3 outputs per sample; 1 step
}
