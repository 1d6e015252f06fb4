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
	LayerLSTM          = "lstm"          // Units, Bidirectional, Summary
)

// Sequence summaries for Layer.Summary of a recurrent layer.
const (
	SummaryNone = ""     // the whole sequence, [T, units] (zero at padded steps)
	SummaryMean = "mean" // the mean over the valid steps
	SummaryLast = "last" // the last valid step's state (for a backward direction: the first step's)
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
// or a saved model records.
//
// Topologies: a trunk (Layers) under one head (Head) or several named heads (Heads, for
// multitask learning: the losses are summed, the predictions and targets of the heads are
// concatenated per sample in head order); with Siamese set, the trunk is a tower applied to
// both members of a pair and the heads see |f1 - f2|.
type Spec struct {
	// Name is informative (the preset's name, or the user's).
	Name string `json:"name,omitempty"`
	// Input is the shape of one sample without the batch axis: [C, H, W] for images and
	// spectrograms (channels first, as PyTorch), [T, F] for sequences, [F] for vectors. For a
	// siamese model it is the shape of one member of a pair; a sample is the two members one
	// after the other.
	Input []int `json:"input"`
	// Layers is the trunk, applied in order.
	Layers []Layer `json:"layers"`
	// Head maps the trunk's output to the predictions when Heads is empty.
	Head Head `json:"head,omitzero"`
	// Heads, when not empty, replaces Head: one head per target, each with a unique Name.
	Heads []Head `json:"heads,omitempty"`
	// Siamese applies the trunk to both members of each sample with shared weights and feeds
	// |f1 - f2| to the heads.
	Siamese bool `json:"siamese,omitempty"`
}

// AllHeads returns the model's heads: Heads, or the single Head.
func (s Spec) AllHeads() []Head {
	if len(s.Heads) > 0 {
		return s.Heads
	}
	return []Head{s.Head}
}

// Layer is one trunk layer; which fields matter depends on Type (see the Layer* constants).
// Zero values mean the documented defaults.
type Layer struct {
	Type string `json:"type"`
	// Name names the layer's parameters (default "INDEX.TYPE", e.g. "0.conv2d"); Freeze and the
	// .npy weight loader select layers by it.
	Name string `json:"name,omitempty"`
	// Frozen layers are not trained (see Model.Freeze).
	Frozen bool `json:"frozen,omitempty"`
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
	// Activation is fused into dense, convolution and batch-norm layers, or applied by an
	// activation layer.
	Activation string `json:"activation,omitempty"`
	// Rate is the dropout probability.
	Rate float32 `json:"rate,omitempty"`
	// Momentum is Keras's batch-norm momentum: running = Momentum*running + (1-Momentum)*batch
	// (default 0.99, which is PyTorch's momentum 0.01).
	Momentum float32 `json:"momentum,omitempty"`
	// Epsilon is added to the variance in batch norm (default 1e-3, Keras's).
	Epsilon float32 `json:"epsilon,omitempty"`
	// Bidirectional runs a recurrent layer over the sequence in both directions and
	// concatenates the two (forward first), as PyTorch and Keras's Bidirectional do.
	Bidirectional bool `json:"bidirectional,omitempty"`
	// Summary turns a recurrent layer's sequence into one vector (SummaryMean, SummaryLast);
	// empty keeps the sequence.
	Summary string `json:"summary,omitempty"`
}

// Head is an output: optional hidden Layers on the trunk's output, then a dense layer with
// Outputs units, the kind's activation and loss.
type Head struct {
	// Name identifies the head of a multitask model (a target's name, e.g. "valence"); it names
	// the head's parameters ("head.NAME.w"). A single head may leave it empty ("head.w").
	Name    string  `json:"name,omitempty"`
	Kind    string  `json:"kind"`
	Outputs int     `json:"outputs"`
	Layers  []Layer `json:"layers,omitempty"`
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
