package models

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/hark-audio/hark/models/internal/gemm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// layer is one compiled spec layer: it owns its parameters and state and adds its ops to a graph.
type layer interface {
	build(b *builder, x value) (value, error)
}

// param is a trainable tensor shared by the training and inference graphs.
type param struct {
	name  string
	t     *tensor.Dense
	data  []float32
	decay bool // kernels get weight decay; biases and batch-norm scales do not
	// frozen parameters are not trained: no gradient is computed and the optimizer skips them.
	frozen bool
	grad   []float32 // set by builder.backprop; nil while frozen or unused
}

func newParam(name string, decay bool, shape ...int) *param {
	data := make([]float32, prod(shape))
	return &param{name: name, t: tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data)), data: data, decay: decay}
}

// glorot fills a kernel with Glorot (Xavier) uniform values, Keras's default initialiser.
func glorot(p *param, fanIn, fanOut int, rng *rand.Rand) {
	limit := math.Sqrt(6 / float64(fanIn+fanOut))
	for i := range p.data {
		p.data[i] = float32((2*rng.Float64() - 1) * limit)
	}
}

// param returns the graph's input node for a parameter, adding it on first use.
func (b *builder) param(p *param) *G.Node {
	if n, ok := b.params[p]; ok {
		return n
	}
	n := b.input(p.name, p.t)
	b.params[p] = n
	return n
}

// ---- dense ----

type dense struct {
	in, out int
	act     string
	w, bias *param
}

func newDense(name string, in, out int, act string, rng *rand.Rand) *dense {
	d := &dense{in: in, out: out, act: act, w: newParam(name+".w", true, in, out), bias: newParam(name+".b", false, out)}
	glorot(d.w, in, out, rng)
	return d
}

func (d *dense) build(b *builder, x value) (value, error) {
	if x.size() != d.in {
		return value{}, fmt.Errorf("dense: input has %d values per sample, want %d", x.size(), d.in)
	}
	yt, y := b.alloc(b.batch, d.out)
	wn, bn := b.param(d.w), b.param(d.bias)
	p := b.m.pool
	out := value{buf: y, shape: []int{d.out}, dep: x.dep || trainable(d.w, d.bias)}
	var err error
	out.n, err = b.apply(opSpec{
		name: "dense", out: yt, buf: y, diff: []bool{x.dep, true, true},
		run: func() error {
			n := b.m.active
			p.mul(y, d.out, gemm.RowMajor(x.buf, n, d.in), gemm.RowMajor(d.w.data, d.in, d.out), false)
			p.ranges(n, func(_, lo, hi int) {
				for i := lo; i < hi; i++ {
					row := y[i*d.out : (i+1)*d.out]
					for j, v := range d.bias.data {
						row[j] += v
					}
					activate(d.act, row)
				}
			})
			return nil
		},
		sym: func(grad *G.Node) (G.Nodes, error) { return d.backward(b, x, y, grad, out.n) },
	}, x.n, wn, bn)
	return out, err
}

func (d *dense) backward(b *builder, x value, y []float32, grad, yn *G.Node) (G.Nodes, error) {
	gy, err := b.bufOf(grad)
	if err != nil {
		return nil, err
	}
	dxt, dx := b.alloc(b.batched(x.shape)...)
	gpre := gy
	if d.act != ActLinear {
		gpre = make([]float32, b.batch*d.out)
	}
	dwt, dw := b.alloc(d.in, d.out)
	dbt, db := b.alloc(d.out)
	p := b.m.pool
	back, err := b.apply(opSpec{
		name: "dense.grad", out: dxt, buf: dx,
		run: func() error {
			n := b.m.active
			if d.act != ActLinear {
				p.ranges(n, func(_, lo, hi int) {
					actGrad(d.act, y[lo*d.out:hi*d.out], gy[lo*d.out:], gpre[lo*d.out:])
				})
			}
			if !d.bias.frozen {
				clear(db)
				for i := 0; i < n; i++ {
					for j, v := range gpre[i*d.out : (i+1)*d.out] {
						db[j] += v
					}
				}
			}
			if !d.w.frozen {
				p.mul(dw, d.out, gemm.RowMajor(x.buf, n, d.in).T(), gemm.RowMajor(gpre, n, d.out), false)
			}
			if x.dep {
				p.mul(dx, d.in, gemm.RowMajor(gpre, n, d.out), gemm.RowMajor(d.w.data, d.in, d.out).T(), false)
			}
			return nil
		},
	}, x.n, yn, grad)
	if err != nil {
		return nil, err
	}
	return b.gradNodes(x, back, paramGrad{d.w, dwt}, paramGrad{d.bias, dbt})
}

// gradNodes returns a layer's derivative nodes: the input gradient (the back node itself, when
// the input depends on parameters) and one sink per trainable parameter's gradient (nil for
// frozen ones).
func (b *builder) gradNodes(x value, back *G.Node, grads ...paramGrad) (G.Nodes, error) {
	out := G.Nodes{nil}
	if x.dep {
		out[0] = back
	}
	for _, g := range grads {
		if g.p.frozen {
			out = append(out, nil)
			continue
		}
		n, err := b.sink(g.p.name+".grad", g.t, back)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// trainable reports whether any of ps is trained, so that a layer's output depends on parameters.
func trainable(ps ...*param) bool {
	for _, p := range ps {
		if !p.frozen {
			return true
		}
	}
	return false
}

// paramGrad pairs a parameter with the tensor its gradient is written to.
type paramGrad struct {
	p *param
	t *tensor.Dense
}

// ---- conv2d ----

type conv struct {
	cin, h, w, cout        int
	kh, kw, sh, sw, ph, pw int
	oh, ow                 int
	act                    string
	wt, bias               *param
}

func (c *conv) k() int   { return c.cin * c.kh * c.kw }
func (c *conv) ohw() int { return c.oh * c.ow }

// im2col writes one sample's patches as a K×(OH·OW) matrix, row (ci, i, j) holding the input
// under kernel tap (i, j) of channel ci for every output position (zero in the padding).
func (c *conv) im2col(x, col []float32) {
	ohw := c.ohw()
	for ci := 0; ci < c.cin; ci++ {
		plane := x[ci*c.h*c.w : (ci+1)*c.h*c.w]
		for i := 0; i < c.kh; i++ {
			for j := 0; j < c.kw; j++ {
				row := col[((ci*c.kh+i)*c.kw+j)*ohw:][:ohw]
				for oy := 0; oy < c.oh; oy++ {
					dst := row[oy*c.ow : (oy+1)*c.ow]
					iy := oy*c.sh + i - c.ph
					if iy < 0 || iy >= c.h {
						clear(dst)
						continue
					}
					src := plane[iy*c.w : (iy+1)*c.w]
					if c.sw == 1 {
						// Output columns whose input column ox+j-pw falls inside the row.
						lo := max(0, c.pw-j)
						hi := min(c.ow, c.w+c.pw-j)
						clear(dst[:lo])
						if hi > lo {
							copy(dst[lo:hi], src[lo+j-c.pw:])
						} else {
							hi = lo
						}
						clear(dst[hi:])
						continue
					}
					for ox := range dst {
						ix := ox*c.sw + j - c.pw
						if ix < 0 || ix >= c.w {
							dst[ox] = 0
						} else {
							dst[ox] = src[ix]
						}
					}
				}
			}
		}
	}
}

// col2im adds a K×(OH·OW) patch-gradient matrix back onto one sample's input gradient.
func (c *conv) col2im(col, dx []float32) {
	clear(dx[:c.cin*c.h*c.w])
	ohw := c.ohw()
	for ci := 0; ci < c.cin; ci++ {
		plane := dx[ci*c.h*c.w : (ci+1)*c.h*c.w]
		for i := 0; i < c.kh; i++ {
			for j := 0; j < c.kw; j++ {
				row := col[((ci*c.kh+i)*c.kw+j)*ohw:][:ohw]
				for oy := 0; oy < c.oh; oy++ {
					iy := oy*c.sh + i - c.ph
					if iy < 0 || iy >= c.h {
						continue
					}
					dst := plane[iy*c.w : (iy+1)*c.w]
					src := row[oy*c.ow : (oy+1)*c.ow]
					if c.sw == 1 {
						lo, hi := max(0, c.pw-j), min(c.ow, c.w+c.pw-j)
						if hi > lo {
							d := dst[lo+j-c.pw : hi+j-c.pw]
							for k, v := range src[lo:hi] {
								d[k] += v
							}
						}
						continue
					}
					for ox, v := range src {
						ix := ox*c.sw + j - c.pw
						if ix >= 0 && ix < c.w {
							dst[ix] += v
						}
					}
				}
			}
		}
	}
}

func (c *conv) build(b *builder, x value) (value, error) {
	k, ohw := c.k(), c.ohw()
	in := c.cin * c.h * c.w
	yt, y := b.alloc(b.batch, c.cout, c.oh, c.ow)
	wn, bn := b.param(c.wt), b.param(c.bias)
	p := b.m.pool
	var offs []int
	if c.implicit() {
		_, _, np := c.wide()
		offs = c.windows()
		p.reserve(c.cout*np + c.padSize())
	} else {
		p.reserve(k * ohw)
	}
	out := value{buf: y, shape: []int{c.cout, c.oh, c.ow}, dep: x.dep || trainable(c.wt, c.bias)}
	var err error
	out.n, err = b.apply(opSpec{
		name: "conv2d", out: yt, buf: y, diff: []bool{x.dep, true, true},
		run: func() error {
			p.ranges(b.m.active, func(w, lo, hi int) {
				for s := lo; s < hi; s++ {
					xs, ys := x.buf[s*in:(s+1)*in], y[s*c.cout*ohw:(s+1)*c.cout*ohw]
					if c.implicit() {
						c.forwardImplicit(p.ws[w], xs, ys, p.scratch[w], offs)
						continue
					}
					col := p.scratch[w][:k*ohw]
					c.im2col(xs, col)
					p.ws[w].Mul(ys, ohw, gemm.RowMajor(c.wt.data, c.cout, k), gemm.RowMajor(col, k, ohw), false)
					for o, bv := range c.bias.data {
						biasActivate(c.act, ys[o*ohw:(o+1)*ohw], bv)
					}
				}
			})
			return nil
		},
		sym: func(grad *G.Node) (G.Nodes, error) { return c.backward(b, x, y, offs, grad, out.n) },
	}, x.n, wn, bn)
	return out, err
}

// backward adds one op that, shard by shard, forms the pre-activation gradient, the bias and
// kernel gradients (recomputing the patches rather than keeping every sample's) and the input
// gradient; the weight gradients are then the shard partials summed in shard order.
func (c *conv) backward(b *builder, x value, y []float32, offs []int, grad, yn *G.Node) (G.Nodes, error) {
	gy, err := b.bufOf(grad)
	if err != nil {
		return nil, err
	}
	k, ohw := c.k(), c.ohw()
	in, outSize := c.cin*c.h*c.w, c.cout*ohw
	dxt, dx := b.alloc(b.batched(x.shape)...)
	dwt, dw := b.alloc(c.wt.t.Shape()...)
	dbt, db := b.alloc(c.cout)
	pw := make([]float32, shards*c.cout*k)
	pb := make([]float32, shards*c.cout)
	p := b.m.pool
	// The kernel gradient is formed transposed (K×cout): MulNT's tile takes six patch rows by
	// four output channels, and K is a multiple of six (a 3×2 kernel) more often than cout is.
	dwT := make([]float32, k*c.cout)
	if c.implicit() {
		_, _, np := c.wide()
		p.reserve(c.cout*np + k*np + 2*c.padSize() + outSize)
	} else {
		p.reserve(outSize + 2*k*ohw)
	}
	back, err := b.apply(opSpec{
		name: "conv2d.grad", out: dxt, buf: dx,
		run: func() error {
			n := b.m.active
			ns := min(shards, n)
			p.each(ns, func(w, s int) {
				swT, sb := pw[s*c.cout*k:(s+1)*c.cout*k], pb[s*c.cout:(s+1)*c.cout]
				clear(sb)
				lo, hi := s*n/ns, (s+1)*n/ns
				for i := lo; i < hi; i++ {
					if c.implicit() {
						c.backwardImplicit(p.ws[w], x.buf[i*in:(i+1)*in], y[i*outSize:(i+1)*outSize], gy[i*outSize:(i+1)*outSize],
							dx[i*in:(i+1)*in], sb, swT, p.scratch[w], offs, i == lo, x.dep)
						continue
					}
					c.backwardExplicit(p.ws[w], x.buf[i*in:(i+1)*in], y[i*outSize:(i+1)*outSize], gy[i*outSize:(i+1)*outSize],
						dx[i*in:(i+1)*in], sb, swT, p.scratch[w], i == lo, x.dep)
				}
			})
			sumShards(p, dwT, pw, ns)
			p.ranges(c.cout, func(_, lo, hi int) {
				for o := lo; o < hi; o++ {
					for r := 0; r < k; r++ {
						dw[o*k+r] = dwT[r*c.cout+o]
					}
				}
			})
			sumShards(p, db, pb, ns)
			return nil
		},
	}, x.n, yn, grad)
	if err != nil {
		return nil, err
	}
	return b.gradNodes(x, back, paramGrad{c.wt, dwt}, paramGrad{c.bias, dbt})
}

// backwardExplicit is backwardImplicit for strided convolutions, through im2col and col2im.
// scratch holds cout·ohw + 2·K·ohw values.
func (c *conv) backwardExplicit(ws *gemm.Workspace, xs, ys, gys, dxs, sb, swT, scratch []float32, first, needDX bool) {
	k, ohw := c.k(), c.ohw()
	outSize := c.cout * ohw
	gpre, col, dcol := scratch[:outSize], scratch[outSize:outSize+k*ohw], scratch[outSize+k*ohw:outSize+2*k*ohw]
	actGrad(c.act, ys, gys, gpre)
	for o := range sb {
		var t float32
		for _, v := range gpre[o*ohw : (o+1)*ohw] {
			t += v
		}
		sb[o] += t
	}
	if !c.wt.frozen {
		c.im2col(xs, col)
		ws.MulNT(swT, c.cout, gemm.RowMajor(col, k, ohw), gemm.RowMajor(gpre, c.cout, ohw), !first)
	}
	if needDX {
		ws.Mul(dcol, ohw, gemm.RowMajor(c.wt.data, c.cout, k).T(), gemm.RowMajor(gpre, c.cout, ohw), false)
		c.col2im(dcol, dxs)
	}
}

// sumShards writes dst[j] = Σ_s parts[s*len(dst)+j] for s < ns, in shard order.
func sumShards(p *pool, dst, parts []float32, ns int) {
	m := len(dst)
	p.ranges(m, func(_, lo, hi int) {
		copy(dst[lo:hi], parts[lo:hi])
		for s := 1; s < ns; s++ {
			src := parts[s*m+lo : s*m+hi]
			for j, v := range src {
				dst[lo+j] += v
			}
		}
	})
}
