package models

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Layer types understood by Build.
const (
	LayerDense         = "dense"         // Units, Activation
	LayerConv2D        = "conv2d"        // Filters, Kernel, Stride, Padding, Activation
	LayerBatchNorm     = "batchnorm"     // Momentum, Epsilon
	LayerActivation    = "activation"    // Activation
	LayerMaxPool       = "maxpool"       // Pool, Stride
	LayerAvgPool       = "avgpool"       // Pool, Stride
	LayerGlobalAvgPool = "globalavgpool" // none
	LayerDropout       = "dropout"       // Rate
	LayerFlatten       = "flatten"       // none
)

// Activations for Layer.Activation.
const (
	ActLinear  = ""
	ActReLU    = "relu"
	ActELU     = "elu" // alpha 1
	ActTanh    = "tanh"
	ActSigmoid = "sigmoid"
)

// Head kinds: the last dense layer, its output activation and the loss it trains with.
const (
	HeadSoftmax = "softmax" // softmax + cross-entropy; targets are class indices
	HeadSigmoid = "sigmoid" // sigmoid + binary cross-entropy; targets are 0/1 per output
	HeadLinear  = "linear"  // identity + mean squared error; targets are real values
)

// Spec is a network architecture: plain data that round-trips through JSON and is what a run
// or a saved model records. Recurrent layers, multitask heads and siamese towers are later
// extensions: they add layer types and fields (a list of named heads, a Siamese flag) without
// changing the meaning of the fields here.
type Spec struct {
	// Name is informative (the preset's name, or the user's).
	Name string `json:"name,omitempty"`
	// Input is the shape of one sample without the batch axis: [C, H, W] for images and
	// spectrograms (channels first, as PyTorch), [T, F] for sequences, [F] for vectors.
	Input []int `json:"input"`
	// Layers is the trunk, applied in order.
	Layers []Layer `json:"layers"`
	// Head maps the trunk's output to the predictions.
	Head Head `json:"head"`
}

// Layer is one trunk layer; which fields matter depends on Type (see the Layer* constants).
// Zero values mean the documented defaults.
type Layer struct {
	Type string `json:"type"`
	// Units is the output width of a dense layer.
	Units int `json:"units,omitempty"`
	// Filters is the number of output channels of a convolution.
	Filters int `json:"filters,omitempty"`
	// Kernel is the convolution window [height, width].
	Kernel []int `json:"kernel,omitempty"`
	// Stride is [vertical, horizontal]; default [1, 1] for convolutions and the window for pools.
	Stride []int `json:"stride,omitempty"`
	// Padding is zero padding [top/bottom, left/right] for convolutions; default none ("valid").
	Padding []int `json:"padding,omitempty"`
	// Pool is the pooling window [height, width].
	Pool []int `json:"pool,omitempty"`
	// Activation is fused into dense and convolution layers, or applied by an activation layer.
	Activation string `json:"activation,omitempty"`
	// Rate is the dropout probability.
	Rate float32 `json:"rate,omitempty"`
	// Momentum is Keras's batch-norm momentum: running = Momentum*running + (1-Momentum)*batch
	// (default 0.99, which is PyTorch's momentum 0.01).
	Momentum float32 `json:"momentum,omitempty"`
	// Epsilon is added to the variance in batch norm (default 1e-3, Keras's).
	Epsilon float32 `json:"epsilon,omitempty"`
}

// Head is the output layer: a dense layer with Outputs units, the kind's activation and loss.
type Head struct {
	Kind    string `json:"kind"`
	Outputs int    `json:"outputs"`
}

// ParseShape parses a sample shape written as "1x216x13" (CxHxW), "98x40" (TxF) or "40".
func ParseShape(s string) ([]int, error) {
	parts := strings.Split(strings.ToLower(strings.TrimSpace(s)), "x")
	if len(parts) > 3 {
		return nil, fmt.Errorf("shape %q: at most three dimensions (CxHxW)", s)
	}
	out := make([]int, len(parts))
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("shape %q: %q is not a positive integer", s, p)
		}
		out[i] = v
	}
	return out, nil
}

// LoadSpec reads a JSON spec file.
func LoadSpec(path string) (Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Spec{}, fmt.Errorf("model spec: %w", err)
	}
	var s Spec
	if err := json.Unmarshal(b, &s); err != nil {
		return Spec{}, fmt.Errorf("model spec %s: %w", path, err)
	}
	return s, nil
}

func pair(v []int, def [2]int, what string, li int) ([2]int, error) {
	switch len(v) {
	case 0:
		return def, nil
	case 1:
		v = []int{v[0], v[0]}
	case 2:
	default:
		return def, fmt.Errorf("layer %d: %s %v: want [h, w]", li, what, v)
	}
	return [2]int{v[0], v[1]}, nil
}

func checkActivation(a string) error {
	switch a {
	case ActLinear, ActReLU, ActELU, ActTanh, ActSigmoid:
		return nil
	}
	return fmt.Errorf("unknown activation %q (want relu, elu, tanh, sigmoid or empty)", a)
}
