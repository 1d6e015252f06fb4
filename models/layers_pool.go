package models

import (
	"math"

	"github.com/hark-audio/hark/models/internal/vecf"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// pool2d is max or average pooling without padding; windows that do not fit are dropped
// (PyTorch's and Keras's "valid" floor mode).
type pool2d struct {
	max            bool
	c, h, w        int
	kh, kw, sh, sw int
	oh, ow         int
}

// forward pools one sample. Max pooling runs tap by tap over the whole sample: idx holds,
// for every output, the input index of its window's top-left value, so each tap is one
// vectorised gather, compare and blend (vecf.MaxGather) rather than a branch per value, which
// random data mispredicts half the time.
func (l *pool2d) forward(xs, ys []float32, arg []int32, idx []int32, inv float32) {
	h, w, oh, ow, sh, sw := l.h, l.w, l.oh, l.ow, l.sh, l.sw
	if l.max {
		for o := range ys {
			ys[o] = float32(math.Inf(-1))
		}
		copy(arg, idx)
		for i := 0; i < l.kh; i++ {
			for j := 0; j < l.kw; j++ {
				vecf.MaxGather(ys, arg, xs, idx, int32(i*w+j))
			}
		}
		return
	}
	for c := 0; c < l.c; c++ {
		plane := xs[c*h*w : (c+1)*h*w]
		for oy := 0; oy < oh; oy++ {
			o := (c*oh + oy) * ow
			yr := ys[o : o+ow]
			r0 := oy * sh * w
			clear(yr)
			for i := 0; i < l.kh; i++ {
				for j := 0; j < l.kw; j++ {
					off := r0 + i*w + j
					for ox := range yr {
						yr[ox] += plane[off+ox*sw]
					}
				}
			}
			for ox := range yr {
				yr[ox] *= inv
			}
		}
	}
}

// windows returns, for every output of a sample, the input index of its window's top-left.
func (l *pool2d) windows() []int32 {
	idx := make([]int32, 0, l.c*l.oh*l.ow)
	for c := 0; c < l.c; c++ {
		for oy := 0; oy < l.oh; oy++ {
			for ox := 0; ox < l.ow; ox++ {
				idx = append(idx, int32(c*l.h*l.w+oy*l.sh*l.w+ox*l.sw))
			}
		}
	}
	return idx
}

func (l *pool2d) build(b *builder, x value) (value, error) {
	in, outSize := l.c*l.h*l.w, l.c*l.oh*l.ow
	yt, y := b.alloc(b.batch, l.c, l.oh, l.ow)
	// arg holds, for max pooling, the index within the sample of each output's maximum.
	// Average pooling leaves it unused; one buffer keeps forward's signature uniform.
	arg := make([]int32, b.batch*outSize)
	var idx []int32
	if l.max {
		idx = l.windows()
	}
	p := b.m.pool
	name := "avgpool"
	if l.max {
		name = "maxpool"
	}
	inv := 1 / float32(l.kh*l.kw)
	out := value{buf: y, shape: []int{l.c, l.oh, l.ow}, dep: x.dep}
	var err error
	out.n, err = b.apply(opSpec{
		name: name, out: yt, buf: y, diff: []bool{x.dep},
		run: func() error {
			p.ranges(b.m.active, func(_, lo, hi int) {
				for s := lo; s < hi; s++ {
					l.forward(x.buf[s*in:(s+1)*in], y[s*outSize:(s+1)*outSize], arg[s*outSize:(s+1)*outSize], idx, inv)
				}
			})
			return nil
		},
		sym: func(grad *G.Node) (G.Nodes, error) {
			gy, err := b.bufOf(grad)
			if err != nil {
				return nil, err
			}
			dxt, dx := b.alloc(b.batched(x.shape)...)
			n, err := b.apply(opSpec{name: name + ".grad", out: dxt, buf: dx, run: func() error {
				p.ranges(b.m.active, func(_, lo, hi int) {
					for s := lo; s < hi; s++ {
						dxs, gs := dx[s*in:(s+1)*in], gy[s*outSize:(s+1)*outSize]
						clear(dxs)
						if l.max {
							for o, a := range arg[s*outSize : (s+1)*outSize] {
								dxs[a] += gs[o]
							}
							continue
						}
						o := 0
						for c := 0; c < l.c; c++ {
							for oy := 0; oy < l.oh; oy++ {
								for ox := 0; ox < l.ow; ox++ {
									g := gs[o] * inv
									base := c*l.h*l.w + oy*l.sh*l.w + ox*l.sw
									for i := 0; i < l.kh; i++ {
										row := dxs[base+i*l.w : base+i*l.w+l.kw]
										for j := range row {
											row[j] += g
										}
									}
									o++
								}
							}
						}
					}
				})
				return nil
			}}, out.n, grad)
			return G.Nodes{n}, err
		},
	}, x.n)
	return out, err
}

// ---- global average pooling ----

type globalAvgPool struct{ c, inner int }

func (l globalAvgPool) build(b *builder, x value) (value, error) {
	yt, y := b.alloc(b.batch, l.c)
	inv := 1 / float32(l.inner)
	p := b.m.pool
	out := value{buf: y, shape: []int{l.c}, dep: x.dep}
	var err error
	out.n, err = b.apply(opSpec{
		name: "globalavgpool", out: yt, buf: y, diff: []bool{x.dep},
		run: func() error {
			p.ranges(b.m.active*l.c, func(_, lo, hi int) {
				for i := lo; i < hi; i++ {
					var t float32
					for _, v := range x.buf[i*l.inner : (i+1)*l.inner] {
						t += v
					}
					y[i] = t * inv
				}
			})
			return nil
		},
		sym: func(grad *G.Node) (G.Nodes, error) {
			gy, err := b.bufOf(grad)
			if err != nil {
				return nil, err
			}
			dxt, dx := b.alloc(b.batched(x.shape)...)
			n, err := b.apply(opSpec{name: "globalavgpool.grad", out: dxt, buf: dx, run: func() error {
				p.ranges(b.m.active*l.c, func(_, lo, hi int) {
					for i := lo; i < hi; i++ {
						g := gy[i] * inv
						row := dx[i*l.inner : (i+1)*l.inner]
						for j := range row {
							row[j] = g
						}
					}
				})
				return nil
			}}, grad)
			return G.Nodes{n}, err
		},
	}, x.n)
	return out, err
}

// ---- flatten ----

// flatten reshapes to one axis per sample. Its value and its gradient are views of the same
// buffers (no op writes into its input), so it costs no copy.
type flatten struct{}

func (flatten) build(b *builder, x value) (value, error) {
	size := x.size()
	yt := tensor.New(tensor.WithShape(b.batch, size), tensor.WithBacking(x.buf))
	out := value{buf: x.buf, shape: []int{size}, dep: x.dep}
	var err error
	out.n, err = b.apply(opSpec{
		name: "flatten", out: yt, buf: x.buf, diff: []bool{x.dep},
		run: func() error { return nil },
		sym: func(grad *G.Node) (G.Nodes, error) {
			gy, err := b.bufOf(grad)
			if err != nil {
				return nil, err
			}
			dxt := tensor.New(tensor.WithShape(b.batched(x.shape)...), tensor.WithBacking(gy))
			n, err := b.apply(opSpec{name: "flatten.grad", out: dxt, buf: gy, run: func() error { return nil }}, grad)
			return G.Nodes{n}, err
		},
	}, x.n)
	return out, err
}
