package models

import (
	"math"
	"math/rand/v2"

	"github.com/hark-audio/hark/models/internal/vecf"

	G "gorgonia.org/gorgonia"
)

// ---- batch norm ----

// batchNorm normalises each channel (axis 0 of the sample shape), then applies an optional
// fused activation. Training uses the batch's mean and biased variance and updates the running
// statistics the Keras way: running = momentum*running + (1-momentum)*batch. Evaluation uses
// the running statistics, and so does training once the layer is frozen (Keras's behaviour for
// a batch-norm layer with trainable=False, which fine-tuning relies on).
type batchNorm struct {
	c, inner        int // channels and values per channel per sample
	momentum, eps   float32
	act             string
	frozen          bool
	gb              *param // row 0: scale (gamma), row 1: shift (beta)
	runMean, runVar []float32
}

func newBatchNorm(name string, shape []int, momentum, eps float32, act string) *batchNorm {
	c := shape[0]
	bn := &batchNorm{c: c, inner: prod(shape[1:]), momentum: momentum, eps: eps, act: act, gb: newParam(name+".gamma_beta", false, 2, c),
		runMean: make([]float32, c), runVar: make([]float32, c)}
	for i := 0; i < c; i++ {
		bn.gb.data[i] = 1
		bn.runVar[i] = 1
	}
	return bn
}

// moments returns channel c's mean and biased variance over the first n samples of x, summed
// in float64 by vectorised kernels, sample by sample in order.
func (l *batchNorm) moments(x []float32, n, c int) (mean, variance float64) {
	per := l.c * l.inner
	var s float64
	for i := 0; i < n; i++ {
		s += vecf.Sum64(x[i*per+c*l.inner : i*per+(c+1)*l.inner])
	}
	cnt := float64(n * l.inner)
	mean = s / cnt
	var ss float64
	for i := 0; i < n; i++ {
		ss += vecf.SqDev64(x[i*per+c*l.inner:i*per+(c+1)*l.inner], mean)
	}
	return mean, ss / cnt
}

func (l *batchNorm) build(b *builder, x value) (value, error) {
	yt, y := b.alloc(b.batched(x.shape)...)
	gbn := b.param(l.gb)
	p := b.m.pool
	batchStats := b.train && !l.frozen
	// The statistics this application normalised with, for its backward pass.
	mean, invStd := make([]float32, l.c), make([]float32, l.c)
	per := l.c * l.inner
	out := value{buf: y, shape: x.shape, dep: x.dep || trainable(l.gb)}
	var err error
	out.n, err = b.apply(opSpec{
		name: "batchnorm", out: yt, buf: y, diff: []bool{x.dep, true},
		run: func() error {
			n := b.m.active
			p.ranges(l.c, func(_, lo, hi int) {
				for c := lo; c < hi; c++ {
					mu, inv := l.runMean[c], float32(1/math.Sqrt(float64(l.runVar[c]+l.eps)))
					if batchStats {
						m, vr := l.moments(x.buf, n, c)
						l.runMean[c] = l.momentum*l.runMean[c] + (1-l.momentum)*float32(m)
						l.runVar[c] = l.momentum*l.runVar[c] + (1-l.momentum)*float32(vr)
						mu, inv = float32(m), float32(1/math.Sqrt(vr+float64(l.eps)))
					}
					mean[c], invStd[c] = mu, inv
					// (x - mean)·γ/σ + β as one multiply-add, with a fused ReLU.
					g := l.gb.data[c] * inv
					sh := l.gb.data[l.c+c] - mu*g
					for i := 0; i < n; i++ {
						off := i*per + c*l.inner
						dst := y[off : off+l.inner]
						vecf.Affine(dst, x.buf[off:off+l.inner], g, sh, l.act == ActReLU)
						if l.act != ActReLU {
							activate(l.act, dst)
						}
					}
				}
			})
			return nil
		},
		sym: func(grad *G.Node) (G.Nodes, error) { return l.backward(b, x, y, mean, invStd, batchStats, grad, out.n) },
	}, x.n, gbn)
	return out, err
}

func (l *batchNorm) backward(b *builder, x value, y, mean, invStd []float32, batchStats bool, grad, yn *G.Node) (G.Nodes, error) {
	gy, err := b.bufOf(grad)
	if err != nil {
		return nil, err
	}
	dxt, dx := b.alloc(b.batched(x.shape)...)
	dgt, dg := b.alloc(2, l.c)
	gpre := gy
	if l.act != ActLinear {
		gpre = make([]float32, len(y))
	}
	p := b.m.pool
	per := l.c * l.inner
	back, err := b.apply(opSpec{
		name: "batchnorm.grad", out: dxt, buf: dx,
		run: func() error {
			n := b.m.active
			if l.act != ActLinear {
				p.ranges(n, func(_, lo, hi int) {
					actGrad(l.act, y[lo*per:hi*per], gy[lo*per:], gpre[lo*per:])
				})
			}
			p.ranges(l.c, func(_, lo, hi int) {
				for c := lo; c < hi; c++ {
					mu, inv := mean[c], invStd[c]
					var sg, sgx float64
					for i := 0; i < n; i++ {
						off := i*per + c*l.inner
						a, b := vecf.GradSums64(gpre[off:off+l.inner], x.buf[off:], mu, inv)
						sg, sgx = sg+a, sgx+b
					}
					dg[c], dg[l.c+c] = float32(sgx), float32(sg)
					if !x.dep {
						continue
					}
					k := l.gb.data[c] * inv
					var mg, mgx float32
					if batchStats {
						// The batch's mean and variance depend on x too.
						cnt := float32(n * l.inner)
						mg, mgx = float32(sg)/cnt, float32(sgx)/cnt
					}
					// k·(g - mg - (x-mean)·inv·mgx) as a·g + b·x + c.
					a, bx := k, -k*inv*mgx
					c0 := -k*mg - bx*mu
					for i := 0; i < n; i++ {
						off := i*per + c*l.inner
						vecf.Combine(dx[off:off+l.inner], gpre[off:], x.buf[off:], a, bx, c0)
					}
				}
			})
			return nil
		},
	}, x.n, yn, grad)
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
}

func (l *dropout) build(b *builder, x value) (value, error) {
	if !b.train {
		return x, nil
	}
	yt, y := b.alloc(b.batched(x.shape)...)
	per := x.size()
	mask := make([]float32, b.batch*per)
	salt := l.salt ^ uint64(b.app)<<56 // a siamese model's two towers draw different masks
	src := rand.NewPCG(0, 0)
	rng := rand.New(src)
	keep := 1 / (1 - l.rate)
	out := value{buf: y, shape: x.shape, dep: x.dep}
	var err error
	out.n, err = b.apply(opSpec{
		name: "dropout", out: yt, buf: y, diff: []bool{x.dep},
		run: func() error {
			n := b.m.active
			src.Seed(b.m.seed^salt, b.m.step)
			for i, v := range x.buf[:n*per] {
				if rng.Float32() < l.rate {
					mask[i] = 0
				} else {
					mask[i] = keep
				}
				y[i] = v * mask[i]
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
				for i, m := range mask[:b.m.active*per] {
					dx[i] = gy[i] * m
				}
				return nil
			}}, grad)
			return G.Nodes{n}, err
		},
	}, x.n)
	return out, err
}
