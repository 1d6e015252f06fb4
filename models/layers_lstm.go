package models

import (
	"math"
	"math/rand/v2"

	"github.com/hark-audio/hark/models/internal/gemm"
	"github.com/hark-audio/hark/models/internal/vecf"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// lstm is a (bidirectional) LSTM layer over a zero-padded [T, F] sequence, one fused op for
// the whole sequence forward and one for backpropagation through time.
//
// Gates are PyTorch's order (input, forget, cell, output) with one bias (Keras's). Sample b
// has lengths[b] valid steps; at the steps after them the state and the output are zero, so
// the backward direction starts from a zero state at the last valid step and no padded value
// reaches a valid output, a summary or a gradient.
//
// The input projections of all steps (and both directions) are one GEMM; each step then adds
// h_{t-1}·W_hh with the recurrent weights packed once. The directions, and blocks of samples,
// are independent tasks that run on the pool without a barrier per step.
type lstm struct {
	t, f, h int // steps, input features, units per direction
	dirs    int
	summary string
	wih     *param // [F, dirs·4H]
	whh     *param // [dirs, H, 4H]
	bias    *param // [dirs·4H]
}

func (m *Model) newLSTM(name string, ls Layer, in []int, rng *rand.Rand, errf func(string, ...any) error) (layer, []int, error) {
	if len(in) != 2 {
		return nil, nil, errf("needs a [T, F] sequence input, got %v", in)
	}
	if len(m.in) != 2 || m.in[0] != in[0] {
		return nil, nil, errf("its time axis must be the model input's ([T, F] = %v): sequence lengths are the input's", m.in)
	}
	if ls.Units <= 0 {
		return nil, nil, errf("units %d must be positive", ls.Units)
	}
	switch ls.Summary {
	case SummaryNone, SummaryMean, SummaryLast:
	default:
		return nil, nil, errf("summary %q: want mean, last or empty", ls.Summary)
	}
	l := &lstm{t: in[0], f: in[1], h: ls.Units, dirs: 1, summary: ls.Summary}
	if ls.Bidirectional {
		l.dirs = 2
	}
	h4 := 4 * l.h
	l.wih = newParam(name+".w_ih", true, l.f, l.dirs*h4)
	l.whh = newParam(name+".w_hh", true, l.dirs, l.h, h4)
	l.bias = newParam(name+".b", false, l.dirs*h4)
	// Keras's initialisers: Glorot-uniform input kernel, orthogonal recurrent kernel, zero bias
	// but one for the forget gate.
	glorot(l.wih, l.f, h4, rng)
	for d := 0; d < l.dirs; d++ {
		orthogonalRows(l.whh.data[d*l.h*h4:(d+1)*l.h*h4], l.h, h4, rng)
		for j := l.h; j < 2*l.h; j++ {
			l.bias.data[d*h4+j] = 1
		}
	}
	m.params = append(m.params, l.wih, l.whh, l.bias)
	if l.summary != SummaryNone {
		return l, []int{l.dirs * l.h}, nil
	}
	return l, []int{l.t, l.dirs * l.h}, nil
}

// orthogonalRows fills a rows×cols matrix (rows <= cols) with orthonormal rows: Gram-Schmidt
// on Gaussian rows, in float64.
func orthogonalRows(w []float32, rows, cols int, rng *rand.Rand) {
	q := make([]float64, rows*cols)
	for i := range q {
		q[i] = rng.NormFloat64()
	}
	for i := 0; i < rows; i++ {
		ri := q[i*cols : (i+1)*cols]
		for k := 0; k < i; k++ {
			rk := q[k*cols : (k+1)*cols]
			var d float64
			for j := range ri {
				d += ri[j] * rk[j]
			}
			for j := range ri {
				ri[j] -= d * rk[j]
			}
		}
		var nrm float64
		for _, v := range ri {
			nrm += v * v
		}
		nrm = math.Sqrt(nrm)
		for j, v := range ri {
			ri[j] = v / nrm
			w[i*cols+j] = float32(ri[j])
		}
	}
}

// step returns the time index of processing step s of direction d, and of the step before it
// (-1 or T at the start).
func (l *lstm) step(d, s int) (t, prev int) {
	if d == 0 {
		return s, s - 1
	}
	return l.t - 1 - s, l.t - s
}

// tasks splits the active samples into blocks for the pool: each (direction, block) pair runs
// its whole recurrence alone. Per-sample results do not depend on the blocks.
func (l *lstm) tasks(p *pool, n int) int { return min(n, max(1, p.threads/l.dirs)) }

func (l *lstm) build(b *builder, x value) (value, error) {
	T, F, H, D := l.t, l.f, l.h, l.dirs
	G4, DH := D*4*H, D*H
	gates := make([]float32, b.batch*T*G4) // activated gates per step
	cell := make([]float32, b.batch*T*DH)
	tc := make([]float32, b.batch*T*DH) // tanh(cell)
	var outT *tensor.Dense
	var out, seq []float32
	if l.summary == SummaryNone {
		outT, seq = b.alloc(b.batch, T, DH)
		out = seq
	} else {
		outT, out = b.alloc(b.batch, DH)
		seq = make([]float32, b.batch*T*DH)
	}
	lengths := b.m.lengths[b.app]
	packed := make([]gemm.Packed, D)
	p := b.m.pool
	shape := []int{T, DH}
	if l.summary != SummaryNone {
		shape = []int{DH}
	}
	res := value{buf: out, shape: shape, dep: x.dep || trainable(l.wih, l.whh, l.bias)}
	var err error
	res.n, err = b.apply(opSpec{
		name: "lstm", out: outT, buf: out, diff: []bool{x.dep, true, true, true},
		run: func() error {
			n := b.m.active
			p.mul(gates, G4, gemm.RowMajor(x.buf, n*T, F), gemm.RowMajor(l.wih.data, F, G4), false)
			for d := range packed {
				p.ws[0].Pack(&packed[d], gemm.RowMajor(l.whh.data[d*H*4*H:], H, 4*H))
			}
			nb := l.tasks(p, n)
			p.each(D*nb, func(w, task int) {
				d, blk := task%D, task/D
				l.forward(p.ws[w], &packed[d], d, blk*n/nb, (blk+1)*n/nb, lengths, gates, cell, tc, seq)
			})
			if l.summary != SummaryNone {
				l.summarize(out, seq, lengths, n)
			}
			return nil
		},
		sym: func(grad *G.Node) (G.Nodes, error) {
			return l.backward(b, x, lengths, gates, cell, tc, seq, grad, res.n)
		},
	}, x.n, b.param(l.wih), b.param(l.whh), b.param(l.bias))
	return res, err
}

// forward runs direction d over samples [lo, hi). gates holds the input projections on entry
// and the activated gates on return.
func (l *lstm) forward(ws *gemm.Workspace, whh *gemm.Packed, d, lo, hi int, lengths []int32, gates, cell, tc, seq []float32) {
	T, H := l.t, l.h
	G4, DH := l.dirs*4*H, l.dirs*H
	bias := l.bias.data[d*4*H : (d+1)*4*H]
	for s := 0; s < T; s++ {
		t, tp := l.step(d, s)
		if s > 0 {
			hp := gemm.Matrix{Data: seq[(lo*T+tp)*DH+d*H:], Rows: hi - lo, Cols: H, RowStride: T * DH, ColStride: 1}
			ws.MulPacked(gates[(lo*T+t)*G4+d*4*H:], T*G4, hp, whh, true)
		}
		for b := lo; b < hi; b++ {
			gi, ci := (b*T+t)*G4+d*4*H, (b*T+t)*DH+d*H
			g, c, th, hh := gates[gi:gi+4*H], cell[ci:ci+H], tc[ci:ci+H], seq[ci:ci+H]
			if t >= int(lengths[b]) {
				clear(c)
				clear(th)
				clear(hh)
				continue
			}
			var cp []float32
			if s > 0 {
				cp = cell[(b*T+tp)*DH+d*H:][:H]
			}
			// Gate activations, vectorised: input and forget (logistic), cell (tanh), output.
			vecf.Logistic(g[:2*H], g[:2*H], bias[:2*H])
			vecf.Tanh(g[2*H:3*H], g[2*H:3*H], bias[2*H:3*H])
			vecf.Logistic(g[3*H:], g[3*H:], bias[3*H:])
			gI, gF, gG, gO := g[:H], g[H:2*H], g[2*H:3*H], g[3*H:4*H]
			for j := range c {
				cv := gI[j] * gG[j]
				if cp != nil {
					cv += gF[j] * cp[j]
				}
				c[j] = cv
			}
			vecf.Tanh(th, c, nil)
			for j, tv := range th {
				hh[j] = gO[j] * tv
			}
		}
	}
}

// summarize writes each sample's summary of seq: the mean over its valid steps, or its last
// valid state (the first step's for the backward direction). An empty sequence gives zeros.
func (l *lstm) summarize(out, seq []float32, lengths []int32, n int) {
	T, H, DH := l.t, l.h, l.dirs*l.h
	for b := 0; b < n; b++ {
		o := out[b*DH : (b+1)*DH]
		clear(o)
		L := int(lengths[b])
		if L == 0 {
			continue
		}
		if l.summary == SummaryLast {
			copy(o[:H], seq[(b*T+L-1)*DH:])
			if l.dirs == 2 {
				copy(o[H:], seq[b*T*DH+H:(b*T+1)*DH])
			}
			continue
		}
		for t := 0; t < L; t++ {
			for j, v := range seq[(b*T+t)*DH : (b*T+t+1)*DH] {
				o[j] += v
			}
		}
		inv := 1 / float32(L)
		for j := range o {
			o[j] *= inv
		}
	}
}

// backward adds backpropagation through time: per direction and block of samples, the gate
// gradients step by step (dh_{t-1} = dgates_t·W_hhᵀ with W_hhᵀ packed once), then every
// weight gradient and the input gradient as single GEMMs over all steps.
func (l *lstm) backward(b *builder, x value, lengths []int32, gates, cell, tc, seq []float32, grad, yn *G.Node) (G.Nodes, error) {
	gy, err := b.bufOf(grad)
	if err != nil {
		return nil, err
	}
	T, F, H, D := l.t, l.f, l.h, l.dirs
	G4, DH := D*4*H, D*H
	dgates := make([]float32, b.batch*T*G4)
	dseq := gy
	if l.summary != SummaryNone {
		dseq = make([]float32, b.batch*T*DH)
	}
	hprev := make([]float32, b.batch*T*DH)
	dh := make([]float32, D*b.batch*H) // gradient reaching each direction's previous h
	dc := make([]float32, D*b.batch*H) // and previous cell
	dxt, dx := b.alloc(b.batched(x.shape)...)
	dwiht, dwih := b.alloc(F, G4)
	dwhht, dwhh := b.alloc(D, H, 4*H)
	dbt, db := b.alloc(G4)
	packed := make([]gemm.Packed, D)
	p := b.m.pool
	back, err := b.apply(opSpec{
		name: "lstm.grad", out: dxt, buf: dx,
		run: func() error {
			n := b.m.active
			if l.summary != SummaryNone {
				l.expand(dseq, gy, lengths, n)
			}
			for d := range packed {
				p.ws[0].Pack(&packed[d], gemm.RowMajor(l.whh.data[d*H*4*H:], H, 4*H).T())
			}
			nb := l.tasks(p, n)
			p.each(D*nb, func(w, task int) {
				d, blk := task%D, task/D
				l.bptt(p.ws[w], &packed[d], d, blk*n/nb, (blk+1)*n/nb, lengths, gates, cell, tc, dseq, dgates,
					dh[d*b.batch*H:(d+1)*b.batch*H], dc[d*b.batch*H:(d+1)*b.batch*H])
			})
			rows := n * T
			dg := gemm.RowMajor(dgates, rows, G4)
			if !l.bias.frozen {
				p.ranges(G4, func(_, lo, hi int) {
					clear(db[lo:hi])
					for r := 0; r < rows; r++ {
						for j, v := range dgates[r*G4+lo : r*G4+hi] {
							db[lo+j] += v
						}
					}
				})
			}
			if !l.wih.frozen {
				p.mul(dwih, G4, gemm.RowMajor(x.buf, rows, F).T(), dg, false)
			}
			if !l.whh.frozen {
				l.shiftStates(p, hprev, seq, n)
				for d := 0; d < D; d++ {
					hp := gemm.Matrix{Data: hprev[d*H:], Rows: rows, Cols: H, RowStride: DH, ColStride: 1}
					dgd := gemm.Matrix{Data: dgates[d*4*H:], Rows: rows, Cols: 4 * H, RowStride: G4, ColStride: 1}
					p.mul(dwhh[d*H*4*H:], 4*H, hp.T(), dgd, false)
				}
			}
			if x.dep {
				p.mul(dx, F, dg, gemm.RowMajor(l.wih.data, F, G4).T(), false)
			}
			return nil
		},
	}, x.n, yn, grad)
	if err != nil {
		return nil, err
	}
	return b.gradNodes(x, back, paramGrad{l.wih, dwiht}, paramGrad{l.whh, dwhht}, paramGrad{l.bias, dbt})
}

// expand spreads a summary's gradient over the steps it was computed from.
func (l *lstm) expand(dseq, gs []float32, lengths []int32, n int) {
	T, H, DH := l.t, l.h, l.dirs*l.h
	clear(dseq[:n*T*DH])
	for b := 0; b < n; b++ {
		g := gs[b*DH : (b+1)*DH]
		L := int(lengths[b])
		if L == 0 {
			continue
		}
		if l.summary == SummaryLast {
			copy(dseq[(b*T+L-1)*DH:][:H], g[:H])
			if l.dirs == 2 {
				copy(dseq[b*T*DH+H:(b*T+1)*DH], g[H:])
			}
			continue
		}
		inv := 1 / float32(L)
		for t := 0; t < L; t++ {
			d := dseq[(b*T+t)*DH : (b*T+t+1)*DH]
			for j, v := range g {
				d[j] = v * inv
			}
		}
	}
}

// shiftStates writes, for every (sample, step), the h each direction's step started from:
// the forward direction's from the step before, the backward's from the step after (zero at
// the sequence's ends; the outputs at padded steps are already zero).
func (l *lstm) shiftStates(p *pool, hprev, seq []float32, n int) {
	T, H, DH := l.t, l.h, l.dirs*l.h
	p.ranges(n, func(_, lo, hi int) {
		for b := lo; b < hi; b++ {
			for t := 0; t < T; t++ {
				dst := hprev[(b*T+t)*DH : (b*T+t+1)*DH]
				for d := 0; d < l.dirs; d++ {
					tp := t - 1
					if d == 1 {
						tp = t + 1
					}
					if tp < 0 || tp >= T {
						clear(dst[d*H : (d+1)*H])
					} else {
						copy(dst[d*H:(d+1)*H], seq[(b*T+tp)*DH+d*H:])
					}
				}
			}
		}
	})
}

// bptt runs direction d's backward recurrence over samples [lo, hi), writing the gradients of
// the gate pre-activations into dgates. dh and dc hold, per sample, the gradient flowing into
// the previous step's h and c.
func (l *lstm) bptt(ws *gemm.Workspace, whhT *gemm.Packed, d, lo, hi int, lengths []int32, gates, cell, tc, dseq, dgates, dh, dc []float32) {
	T, H := l.t, l.h
	G4, DH := l.dirs*4*H, l.dirs*H
	clear(dh[lo*H : hi*H])
	clear(dc[lo*H : hi*H])
	for s := T - 1; s >= 0; s-- {
		t, tp := l.step(d, s)
		for b := lo; b < hi; b++ {
			gi, ci := (b*T+t)*G4+d*4*H, (b*T+t)*DH+d*H
			dg := dgates[gi : gi+4*H]
			dhb, dcb := dh[b*H:(b+1)*H], dc[b*H:(b+1)*H]
			if t >= int(lengths[b]) {
				clear(dg)
				clear(dcb)
				continue
			}
			g, th, dy := gates[gi:gi+4*H], tc[ci:ci+H], dseq[ci:ci+H]
			var cp []float32
			if s > 0 {
				cp = cell[(b*T+tp)*DH+d*H:][:H]
			}
			gI, gF, gG, gO := g[:H], g[H:2*H], g[2*H:3*H], g[3*H:4*H]
			dI, dF, dG, dO := dg[:H], dg[H:2*H], dg[2*H:3*H], dg[3*H:4*H]
			for j := range dhb {
				ig, fg, gg, og, tv := gI[j], gF[j], gG[j], gO[j], th[j]
				dhj := dy[j] + dhb[j]
				dcj := dhj*og*(1-tv*tv) + dcb[j]
				var df float32
				if cp != nil {
					df = dcj * cp[j]
				}
				dI[j] = dcj * gg * ig * (1 - ig)
				dF[j] = df * fg * (1 - fg)
				dG[j] = dcj * ig * (1 - gg*gg)
				dO[j] = dhj * tv * og * (1 - og)
				dcb[j] = dcj * fg
			}
		}
		if s > 0 {
			dgm := gemm.Matrix{Data: dgates[(lo*T+t)*G4+d*4*H:], Rows: hi - lo, Cols: 4 * H, RowStride: T * G4, ColStride: 1}
			ws.MulPacked(dh[lo*H:], H, dgm, whhT, false)
		}
	}
}
