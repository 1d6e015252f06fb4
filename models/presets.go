package models

import "fmt"

// PresetNames lists the presets Preset knows.
func PresetNames() []string {
	return []string{"bilstm", "genre-cnn", "gtzan-cnn", "kws-cnn", "mlp", "multitask-cnn", "siamese", "vgg", "vggish"}
}

// softmaxPreset wraps a trunk builder into a preset with a softmax head.
func softmaxPreset(trunk func(in []int) ([]Layer, error)) func([]int, int) (Spec, error) {
	return func(in []int, classes int) (Spec, error) {
		ls, err := trunk(in)
		return Spec{Layers: ls, Head: Head{Kind: HeadSoftmax, Outputs: classes}}, err
	}
}

// preset returns a named preset's builder.
func preset(name string) func(in []int, classes int) (Spec, error) {
	switch name {
	case "mlp":
		return softmaxPreset(mlpLayers)
	case "kws-cnn":
		return softmaxPreset(kwsLayers)
	case "gtzan-cnn":
		return softmaxPreset(gtzanLayers)
	case "vgg":
		return softmaxPreset(vggLayers)
	case "bilstm":
		return softmaxPreset(bilstmLayers)
	case "genre-cnn":
		return softmaxPreset(genreLayers)
	case "vggish":
		return softmaxPreset(vggishLayers)
	case "multitask-cnn":
		return multitaskPreset
	case "siamese":
		return siamesePreset
	}
	return nil
}

// Preset returns a named architecture adapted to the sample shape input with a softmax head of
// classes outputs (multitask-cnn and siamese have their own heads and ignore classes):
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
//     average pooling, dense 128 + ReLU and dropout 0.3;
//   - bilstm: two bidirectional LSTM layers of 128 units on a [T, F] sequence, the mean over
//     the valid steps (shared/bench m3; the music seed adds a dropout layer of 0.2 between the
//     LSTM layers);
//   - genre-cnn: the music seed's 2D CNN on mel spectrograms, up to four blocks of a padded
//     3×3 convolution (16, 32, 64, 128 filters), batch norm with ReLU and a 2×2 max pool (1
//     along an axis already down to 1), then global average pooling and dropout 0.3;
//   - multitask-cnn: genre-cnn's trunk under three regression heads, "valence", "energy"
//     and "danceability" (each a dense 64 + ReLU, then one linear output; MSE, summed);
//   - siamese: the face-verification seed's tower (Koch et al.'s: 10×10, 7×7, 4×4, 4×4
//     convolutions with ReLU and 2×2 max pools between them, flatten, dense + sigmoid) with
//     half its filters (32, 64, 64, 128) and a 1024-unit embedding, kernels scaled by
//     min(H, W)/105 (at least 2; blocks that no longer fit are dropped), applied to both
//     members of a pair; |f1 - f2| into a sigmoid output (binary cross-entropy);
//   - vggish: the VGGish network on 96×64 log-mel examples (see VGGishLayerNames), then the
//     softmax head.
//
// A [T, F] input is treated as one channel of T×F for the convolutional presets.
func Preset(name string, input []int, classes int) (Spec, error) {
	f := preset(name)
	if f == nil {
		return Spec{}, fmt.Errorf("unknown model preset %q (known: %v)", name, PresetNames())
	}
	s, err := f(input, classes)
	if err != nil {
		return Spec{}, fmt.Errorf("preset %s on input %v: %w", name, input, err)
	}
	s.Name, s.Input = name, append([]int(nil), input...)
	return s, nil
}

// imageSize returns the height and width of a [C, H, W] or [T, F] input.
func imageSize(in []int) (h, w int, err error) {
	switch len(in) {
	case 3:
		return in[1], in[2], nil
	case 2:
		return in[0], in[1], nil
	}
	return 0, 0, fmt.Errorf("needs a [C, H, W] or [T, F] input")
}

func bilstmLayers(in []int) ([]Layer, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("needs a [T, F] sequence input")
	}
	return []Layer{
		{Type: LayerLSTM, Units: 128, Bidirectional: true},
		{Type: LayerLSTM, Units: 128, Bidirectional: true, Summary: SummaryMean},
	}, nil
}

func genreLayers(in []int) ([]Layer, error) {
	h, w, err := imageSize(in)
	if err != nil {
		return nil, err
	}
	var ls []Layer
	for _, f := range []int{16, 32, 64, 128} {
		if h < 2 && w < 2 {
			break
		}
		ph, pw := min(2, h), min(2, w)
		ls = append(ls,
			Layer{Type: LayerConv2D, Filters: f, Kernel: []int{3, 3}, Padding: []int{1, 1}},
			Layer{Type: LayerBatchNorm, Activation: ActReLU},
			Layer{Type: LayerMaxPool, Pool: []int{ph, pw}})
		h, w = h/ph, w/pw
	}
	if len(ls) == 0 {
		return nil, fmt.Errorf("input is 1x1")
	}
	return append(ls, Layer{Type: LayerGlobalAvgPool}, Layer{Type: LayerDropout, Rate: 0.3}), nil
}

func multitaskPreset(in []int, _ int) (Spec, error) {
	ls, err := genreLayers(in)
	var heads []Head
	for _, t := range []string{"valence", "energy", "danceability"} {
		heads = append(heads, Head{Name: t, Kind: HeadLinear, Outputs: 1, Layers: []Layer{{Type: LayerDense, Units: 64, Activation: ActReLU}}})
	}
	return Spec{Layers: ls, Heads: heads}, err
}

func siamesePreset(in []int, _ int) (Spec, error) {
	h, w, err := imageSize(in)
	if err != nil {
		return Spec{}, err
	}
	scale := float64(min(h, w)) / 105
	var ls []Layer
	for i, blk := range []struct{ filters, kernel int }{{32, 10}, {64, 7}, {64, 4}, {128, 4}} {
		k := max(2, int(float64(blk.kernel)*scale+0.5))
		if h < k || w < k {
			break
		}
		if i > 0 {
			if h/2 < k || w/2 < k {
				break
			}
			ls = append(ls, Layer{Type: LayerMaxPool, Pool: []int{2, 2}})
			h, w = h/2, w/2
		}
		ls = append(ls, Layer{Type: LayerConv2D, Filters: blk.filters, Kernel: []int{k, k}, Activation: ActReLU})
		h, w = h-k+1, w-k+1
	}
	if len(ls) == 0 {
		return Spec{}, fmt.Errorf("input is smaller than 2x2")
	}
	ls = append(ls, Layer{Type: LayerFlatten}, Layer{Type: LayerDense, Units: 1024, Activation: ActSigmoid})
	return Spec{Layers: ls, Siamese: true, Head: Head{Kind: HeadSigmoid, Outputs: 1}}, nil
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
	h, w, err := imageSize(in)
	if err != nil {
		return nil, err
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
