package models

import "fmt"

// PresetNames lists the presets Preset knows.
func PresetNames() []string { return []string{"gtzan-cnn", "kws-cnn", "mlp", "vgg"} }

// presetTrunk returns a preset's trunk builder (the head is added by Preset).
func presetTrunk(name string) func(in []int) ([]Layer, error) {
	switch name {
	case "mlp":
		return mlpLayers
	case "kws-cnn":
		return kwsLayers
	case "gtzan-cnn":
		return gtzanLayers
	case "vgg":
		return vggLayers
	}
	return nil
}

// Preset returns a named architecture adapted to the sample shape input with a softmax head of
// classes outputs:
//
//   - mlp: flatten, two dense layers of 256 with ReLU and dropout 0.2 (keyword spotting's
//     fully connected baseline);
//   - kws-cnn: three 3×3 convolutions (32, 64, 64) with ReLU, 2×2 max pools after the first
//     two, dense 128 + ReLU, dropout 0.35 (shared/bench m2);
//   - gtzan-cnn: the GTZAN seed's MFCC network, four 3×2 convolutions (32, 64, 64, 128) with
//     ReLU then batch norm, max pools 3×2 (stride 2×1, then 3×2), global average pooling,
//     dropout 0.2 (shared/bench m1; 88,362 parameters on 1×216×13 with 10 classes);
//   - vgg: up to three VGG blocks (two padded 3×3 convolutions with ReLU and batch norm, 2×2
//     max pool) of 32, 64 and 128 filters, as many as the input's size allows, then global
//     average pooling, dense 128 + ReLU and dropout 0.3.
//
// A [T, F] input is treated as one channel of T×F for the convolutional presets.
func Preset(name string, input []int, classes int) (Spec, error) {
	f := presetTrunk(name)
	if f == nil {
		return Spec{}, fmt.Errorf("unknown model preset %q (known: %v)", name, PresetNames())
	}
	layers, err := f(input)
	if err != nil {
		return Spec{}, fmt.Errorf("preset %s on input %v: %w", name, input, err)
	}
	return Spec{Name: name, Input: append([]int(nil), input...), Layers: layers, Head: Head{Kind: HeadSoftmax, Outputs: classes}}, nil
}

func mlpLayers([]int) ([]Layer, error) {
	return []Layer{
		{Type: LayerFlatten},
		{Type: LayerDense, Units: 256, Activation: ActReLU},
		{Type: LayerDropout, Rate: 0.2},
		{Type: LayerDense, Units: 256, Activation: ActReLU},
		{Type: LayerDropout, Rate: 0.2},
	}, nil
}

func convLayer(filters, kh, kw int) Layer {
	return Layer{Type: LayerConv2D, Filters: filters, Kernel: []int{kh, kw}, Activation: ActReLU}
}

func kwsLayers([]int) ([]Layer, error) {
	return []Layer{
		convLayer(32, 3, 3), {Type: LayerMaxPool, Pool: []int{2, 2}},
		convLayer(64, 3, 3), {Type: LayerMaxPool, Pool: []int{2, 2}},
		convLayer(64, 3, 3),
		{Type: LayerFlatten},
		{Type: LayerDense, Units: 128, Activation: ActReLU},
		{Type: LayerDropout, Rate: 0.35},
	}, nil
}

func gtzanLayers([]int) ([]Layer, error) {
	bn := Layer{Type: LayerBatchNorm}
	return []Layer{
		convLayer(32, 3, 2), bn,
		convLayer(64, 3, 2), {Type: LayerMaxPool, Pool: []int{3, 2}, Stride: []int{2, 1}}, bn,
		convLayer(64, 3, 2), bn,
		convLayer(128, 3, 2), bn,
		{Type: LayerMaxPool, Pool: []int{3, 2}},
		{Type: LayerGlobalAvgPool},
		{Type: LayerDropout, Rate: 0.2},
	}, nil
}

func vggLayers(in []int) ([]Layer, error) {
	h, w := 0, 0
	switch len(in) {
	case 3:
		h, w = in[1], in[2]
	case 2:
		h, w = in[0], in[1]
	default:
		return nil, fmt.Errorf("vgg needs a [C, H, W] or [T, F] input")
	}
	var ls []Layer
	for _, f := range []int{32, 64, 128} {
		if h < 2 || w < 2 {
			break
		}
		c := Layer{Type: LayerConv2D, Filters: f, Kernel: []int{3, 3}, Padding: []int{1, 1}, Activation: ActReLU}
		ls = append(ls, c, Layer{Type: LayerBatchNorm}, c, Layer{Type: LayerBatchNorm}, Layer{Type: LayerMaxPool, Pool: []int{2, 2}})
		h, w = h/2, w/2
	}
	if len(ls) == 0 {
		return nil, fmt.Errorf("input is smaller than 2x2")
	}
	return append(ls, Layer{Type: LayerGlobalAvgPool}, Layer{Type: LayerDense, Units: 128, Activation: ActReLU}, Layer{Type: LayerDropout, Rate: 0.3}), nil
}
