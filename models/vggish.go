package models

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/sbinet/npyio"
)

// VGGishLayerNames are the names of the vggish preset's convolution and dense layers, those of
// the scopes of the released TensorFlow checkpoint (vggish_model.ckpt):
// conv1 (64), pool, conv2 (128), pool, conv3_1, conv3_2 (256), pool, conv4_1, conv4_2 (512),
// pool, flatten (512×6×4 on 96×64), fc1_1, fc1_2 (4096, ReLU), fc2 (the 128-dimensional
// embedding, linear as in the current vggish_slim.py). Convolutions are 3×3, padded ("SAME"),
// with ReLU; pools are 2×2.
var VGGishLayerNames = []string{"conv1", "conv2", "conv3_1", "conv3_2", "conv4_1", "conv4_2", "fc1_1", "fc1_2", "fc2"}

func vggishLayers(in []int) ([]Layer, error) {
	h, w, err := imageSize(in)
	if err != nil {
		return nil, err
	}
	if h < 16 || w < 16 {
		return nil, fmt.Errorf("VGGish needs at least 16x16 (four 2x2 pools), got %dx%d", h, w)
	}
	conv := func(name string, filters int) Layer {
		return Layer{Type: LayerConv2D, Name: name, Filters: filters, Kernel: []int{3, 3}, Padding: []int{1, 1}, Activation: ActReLU}
	}
	pool := Layer{Type: LayerMaxPool, Pool: []int{2, 2}}
	return []Layer{
		conv("conv1", 64), pool,
		conv("conv2", 128), pool,
		conv("conv3_1", 256), conv("conv3_2", 256), pool,
		conv("conv4_1", 512), conv("conv4_2", 512), pool,
		{Type: LayerFlatten},
		{Type: LayerDense, Name: "fc1_1", Units: 4096, Activation: ActReLU},
		{Type: LayerDense, Name: "fc1_2", Units: 4096, Activation: ActReLU},
		{Type: LayerDense, Name: "fc2", Units: 128},
	}, nil
}

// LoadNPYWeights loads pretrained weights from a folder of .npy files, one pair per
// convolution or dense layer of the trunk: NAME.weights.npy and NAME.biases.npy, where NAME is
// the layer's name (for the vggish preset, VGGishLayerNames). Layouts are TensorFlow's, as the
// released VGGish checkpoint stores them:
//
//   - convolution weights [kh, kw, in_channels, filters] (HWIO), biases [filters];
//   - dense weights [inputs, units], biases [units]. A dense layer right after a flatten of a
//     [C, H, W] value takes TensorFlow's flatten order (h, w, c) and is reordered to Hark's
//     (c, h, w).
//
// float32 or float64 little-endian arrays in C order are accepted. A checkpoint is dumped to
// this form with, per variable v (e.g. vggish/conv3/conv3_1/weights):
// numpy.save(v.name.split('/')[-2] + '.' + v.name.split('/')[-1].split(':')[0] + '.npy', value).
// Layers without files keep their weights (a new head); a file with the wrong shape, or a
// weights file without its biases, is an error. It returns the names of the layers loaded.
func (m *Model) LoadNPYWeights(dir string) ([]string, error) {
	var loaded []string
	shape := m.in
	var flattened []int // the [C, H, W] shape a flatten layer just consumed
	for i, ls := range m.spec.Layers {
		l := m.layers[i]
		name := ls.Name
		if name == "" {
			name = fmt.Sprintf("%d.%s", i, ls.Type)
		}
		switch l := l.(type) {
		case *conv:
			ok, err := loadPair(dir, name, l.wt.data, l.bias.data, []int{l.kh, l.kw, l.cin, l.cout}, func(src []float32) {
				// HWIO to OIHW.
				for o := 0; o < l.cout; o++ {
					for c := 0; c < l.cin; c++ {
						for y := 0; y < l.kh; y++ {
							for x := 0; x < l.kw; x++ {
								l.wt.data[((o*l.cin+c)*l.kh+y)*l.kw+x] = src[((y*l.kw+x)*l.cin+c)*l.cout+o]
							}
						}
					}
				}
			})
			if err != nil {
				return loaded, err
			}
			if ok {
				loaded = append(loaded, name)
			}
		case *dense:
			perm := flattened
			ok, err := loadPair(dir, name, l.w.data, l.bias.data, []int{l.in, l.out}, func(src []float32) {
				if len(perm) != 3 {
					copy(l.w.data, src)
					return
				}
				c, h, w := perm[0], perm[1], perm[2]
				for ci := 0; ci < c; ci++ {
					for y := 0; y < h; y++ {
						for x := 0; x < w; x++ {
							copy(l.w.data[((ci*h+y)*w+x)*l.out:][:l.out], src[((y*w+x)*c+ci)*l.out:])
						}
					}
				}
			})
			if err != nil {
				return loaded, err
			}
			if ok {
				loaded = append(loaded, name)
			}
		}
		flattened = nil
		if _, ok := l.(flatten); ok && len(shape) == 3 {
			flattened = shape
		}
		shape = m.layerShape(i, shape)
	}
	return loaded, nil
}

// layerShape is the output shape of trunk layer i, whose input has shape in.
func (m *Model) layerShape(i int, in []int) []int {
	switch l := m.layers[i].(type) {
	case *conv:
		return []int{l.cout, l.oh, l.ow}
	case *dense:
		return []int{l.out}
	case flatten:
		return []int{prod(in)}
	case *pool2d:
		return []int{l.c, l.oh, l.ow}
	case globalAvgPool:
		return []int{l.c}
	case *lstm:
		if l.summary != SummaryNone {
			return []int{l.dirs * l.h}
		}
		return []int{l.t, l.dirs * l.h}
	}
	return in
}

// loadPair reads NAME.weights.npy (of shape want, handed to set in that layout) and
// NAME.biases.npy into bias. It reports false when neither file exists.
func loadPair(dir, name string, w, bias []float32, want []int, set func([]float32)) (bool, error) {
	wp, bp := filepath.Join(dir, name+".weights.npy"), filepath.Join(dir, name+".biases.npy")
	ws, werr := readNPY(wp, len(w))
	bs, berr := readNPY(bp, len(bias))
	if errors.Is(werr, fs.ErrNotExist) && errors.Is(berr, fs.ErrNotExist) {
		return false, nil
	}
	if werr != nil {
		return false, fmt.Errorf("layer %s: %w", name, werr)
	}
	if berr != nil {
		return false, fmt.Errorf("layer %s: %w", name, berr)
	}
	if !slices.Equal(ws.shape, want) {
		return false, fmt.Errorf("layer %s: %s has shape %v, want %v", name, wp, ws.shape, want)
	}
	if !slices.Equal(bs.shape, []int{len(bias)}) {
		return false, fmt.Errorf("layer %s: %s has shape %v, want [%d]", name, bp, bs.shape, len(bias))
	}
	set(ws.data)
	copy(bias, bs.data)
	return true, nil
}

type npyArray struct {
	shape []int
	data  []float32
}

// readNPY reads a float32 or float64 little-endian C-order .npy file of up to max values.
func readNPY(path string, max int) (npyArray, error) {
	f, err := os.Open(path)
	if err != nil {
		return npyArray{}, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	r, err := npyio.NewReader(br)
	if err != nil {
		return npyArray{}, fmt.Errorf("%s: %w", path, err)
	}
	h := r.Header.Descr
	if h.Fortran {
		return npyArray{}, fmt.Errorf("%s: Fortran-order arrays are not supported; save with numpy.ascontiguousarray", path)
	}
	size := 8
	switch h.Type {
	case "<f4":
		size = 4
	case "<f8":
	default:
		return npyArray{}, fmt.Errorf("%s: dtype %s, want <f4 or <f8", path, h.Type)
	}
	n := prod(h.Shape)
	if n > max {
		return npyArray{}, fmt.Errorf("%s: %d values (shape %v), the layer has %d", path, n, h.Shape, max)
	}
	raw := make([]byte, n*size)
	if _, err := io.ReadFull(br, raw); err != nil {
		return npyArray{}, fmt.Errorf("%s: data: %w", path, err)
	}
	out := make([]float32, n)
	for i := range out {
		if size == 4 {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		} else {
			out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
		}
	}
	return npyArray{shape: append([]int(nil), h.Shape...), data: out}, nil
}
