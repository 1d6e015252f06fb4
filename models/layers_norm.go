package models

import (
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
)

// ---- batch norm ----

// batchNorm normalises each channel (axis 0 of the sample shape). Training uses the batch's
// mean and biased variance and updates the running statistics the Keras way:
// running = momentum*running + (1-momentum)*batch. Evaluation uses the running statistics.
type batchNorm struct {
	c, inner        int // channels and values per channel per sample
	momentum, eps   float32
	gb              *param // row 0: scale (gamma), row 1: shift (beta)
	runMean, runVar []float32
	mean, invStd    []float32 // the last training batch's statistics, for the backward pass
}

func newBatchNorm(name string, shape []int, momentum, eps float32) *batchNorm {
	c := shape[0]
	bn := &batchNorm{c: c, inner: prod(shape[1:]), momentum: momentum, eps: eps, gb: newParam(name+".gamma_beta", false, 2, c),
		runMean: make([]float32, c), runVar: make([]float32, c), mean: make([]float32, c), invStd: make([]float32, c)}
	for i := 0; i < c; i++ {
		bn.gb.data[i] = 1
		bn.runVar[i] = 1
	}
	return bn
}

func (l *batchNorm) build(b *builder, x value) (value, error) {
	yt, y := b.alloc(b.batched(x.shape)...)
	gbn := b.param(l.gb)
	p := b.m.pool
	train := b.train
	per := l.c * l.inner
	out := value{buf: y, shape: x.shape, dep: true}
	var err error
	out.n, err = b.apply(opSpec{
		name: "batchnorm", out: yt, buf: y, diff: []bool{x.dep, true},
		run: func() error {
			n := b.m.active
			p.ranges(l.c, func(_, lo, hi int) {
				for c := lo; c < hi; c++ {
					mean, inv := l.runMean[c], float32(1/math.Sqrt(float64(l.runVar[c]+l.eps)))
					if train {
						var s float64
						for i := 0; i < n; i++ {
							for _, v := range x.buf[i*per+c*l.inner : i*per+(c+1)*l.inner] {
								s += float64(v)
							}
						}
						cnt := float64(n * l.inner)
						mu := s / cnt
						var ss float64
						for i := 0; i < n; i++ {
							for _, v := range x.buf[i*per+c*l.inner : i*per+(c+1)*l.inner] {
								d := float64(v) - mu
								ss += d * d
							}
						}
						vr := ss / cnt
						l.runMean[c] = l.momentum*l.runMean[c] + (1-l.momentum)*float32(mu)
						l.runVar[c] = l.momentum*l.runVar[c] + (1-l.momentum)*float32(vr)
						mean, inv = float32(mu), float32(1/math.Sqrt(vr+float64(l.eps)))
						l.mean[c], l.invStd[c] = mean, inv
					}
					g, sh := l.gb.data[c]*inv, l.gb.data[l.c+c]
					for i := 0; i < n; i++ {
						off := i*per + c*l.inner
						dst := y[off : off+l.inner]
						for j, v := range x.buf[off : off+l.inner] {
							dst[j] = (v-mean)*g + sh
						}
					}
				}
			})
			return nil
		},
		sym: func(grad *G.Node) (G.Nodes, error) { return l.backward(b, x, grad) },
	}, x.n, gbn)
	return out, err
}

func (l *batchNorm) backward(b *builder, x value, grad *G.Node) (G.Nodes, error) {
	gy, err := b.bufOf(grad)
	if err != nil {
		return nil, err
	}
	dxt, dx := b.alloc(b.batched(x.shape)...)
	dgt, dg := b.alloc(2, l.c)
	p := b.m.pool
	per := l.c * l.inner
	back, err := b.apply(opSpec{
		name: "batchnorm.grad", out: dxt, buf: dx,
		run: func() error {
			n := b.m.active
			p.ranges(l.c, func(_, lo, hi int) {
				for c := lo; c < hi; c++ {
					mean, inv := l.mean[c], l.invStd[c]
					var sg, sgx float64
					for i := 0; i < n; i++ {
						off := i*per + c*l.inner
						g := gy[off : off+l.inner]
						for j, v := range x.buf[off : off+l.inner] {
							sg += float64(g[j])
							sgx += float64(g[j]) * float64((v-mean)*inv)
						}
					}
					dg[c], dg[l.c+c] = float32(sgx), float32(sg)
					if !x.dep {
						continue
					}
					cnt := float32(n * l.inner)
					k := l.gb.data[c] * inv
					mg, mgx := float32(sg)/cnt, float32(sgx)/cnt
					for i := 0; i < n; i++ {
						off := i*per + c*l.inner
						g, d := gy[off:off+l.inner], dx[off:off+l.inner]
						for j, v := range x.buf[off : off+l.inner] {
							d[j] = k * (g[j] - mg - (v-mean)*inv*mgx)
						}
					}
				}
			})
			return nil
		},
	}, x.n, grad)
	if err != nil {
		return nil, err
	}
	return b.gradNodes(x, back, paramGrad{l.gb, dgt})
}

// ---- activation ----

type activation struct{ act string }

func (l activation) build(b *builder, x value) (value, error) {
	yt, y := b.alloc(b.batched(x.shape)...)
	p := b.m.pool
	per := x.size()
	out := value{buf: y, shape: x.shape, dep: x.dep}
	var err error
	out.n, err = b.apply(opSpec{
		name: "activation." + l.act, out: yt, buf: y, diff: []bool{x.dep},
		run: func() error {
			p.ranges(b.m.active, func(_, lo, hi int) {
				copy(y[lo*per:hi*per], x.buf[lo*per:hi*per])
				activate(l.act, y[lo*per:hi*per])
			})
			return nil
		},
		sym: func(grad *G.Node) (G.Nodes, error) {
			gy, err := b.bufOf(grad)
			if err != nil {
				return nil, err
			}
			dxt, dx := b.alloc(b.batched(x.shape)...)
			n, err := b.apply(opSpec{name: "activation.grad", out: dxt, buf: dx, run: func() error {
				p.ranges(b.m.active, func(_, lo, hi int) {
					actGrad(l.act, y[lo*per:hi*per], gy[lo*per:], dx[lo*per:])
				})
				return nil
			}}, out.n, grad)
			return G.Nodes{n}, err
		},
	}, x.n)
	return out, err
}

// ---- dropout ----

// dropout zeroes each value with probability rate during training and scales the rest by
// 1/(1-rate) (inverted dropout), so evaluation is the identity. The mask of step s comes from
// a PCG stream seeded with (model seed ^ layer salt, s): runs replay exactly and a resumed run
// needs only the step counter.
type dropout struct {
	rate float32
	salt uint64
	mask []float32
}

func (l *dropout) build(b *builder, x value) (value, error) {
	if !b.train {
		return x, nil
	}
	yt, y := b.alloc(b.batched(x.shape)...)
	per := x.size()
	l.mask = make([]float32, b.batch*per)
	src := rand.NewPCG(0, 0)
	rng := rand.New(src)
	keep := 1 / (1 - l.rate)
	out := value{buf: y, shape: x.shape, dep: x.dep}
	var err error
	out.n, err = b.apply(opSpec{
		name: "dropout", out: yt, buf: y, diff: []bool{x.dep},
		run: func() error {
			n := b.m.active
			src.Seed(b.m.seed^l.salt, b.m.step)
			for i, v := range x.buf[:n*per] {
				if rng.Float32() < l.rate {
					l.mask[i] = 0
				} else {
					l.mask[i] = keep
				}
				y[i] = v * l.mask[i]
			}
			return nil
		},
		sym: func(grad *G.Node) (G.Nodes, error) {
			gy, err := b.bufOf(grad)
			if err != nil {
				return nil, err
			}
			dxt, dx := b.alloc(b.batched(x.shape)...)
			n, err := b.apply(opSpec{name: "dropout.grad", out: dxt, buf: dx, run: func() error {
				for i, m := range l.mask[:b.m.active*per] {
					dx[i] = gy[i] * m
				}
				return nil
			}}, grad)
			return G.Nodes{n}, err
		},
	}, x.n)
	return out, err
}
