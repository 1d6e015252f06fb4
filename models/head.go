package models

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// head is one output: optional hidden layers, a linear dense layer, then the kind's loss
// (training graph) or output activation (inference graph). A model's heads write to columns
// [off, off+k) of the concatenated predictions and read targets from columns
// [toff, toff+targetWidth()) of the concatenated targets.
type head struct {
	name      string
	kind      string
	k         int
	layers    []layer
	d         *dense
	off, toff int
}

// targetWidth is the number of target values per sample: one class index for softmax heads,
// one value per output otherwise.
func (h *head) targetWidth() int {
	if h.kind == HeadSoftmax {
		return 1
	}
	return h.k
}

// predictions adds the inference output (class probabilities, sigmoid probabilities or
// values) into columns [off, off+k) of out, which has width values per sample.
func (h *head) predictions(b *builder, logits value, outT *tensor.Dense, out []float32, width int) error {
	_, err := b.apply(opSpec{name: "predict." + h.kind, out: outT, buf: out, run: func() error {
		for i := 0; i < b.m.active; i++ {
			z, p := logits.buf[i*h.k:(i+1)*h.k], out[i*width+h.off:i*width+h.off+h.k]
			switch h.kind {
			case HeadSoftmax:
				softmax(z, p)
			case HeadSigmoid:
				for j, v := range z {
					p[j] = sigmoid(v)
				}
			default:
				copy(p, z)
			}
		}
		return nil
	}}, logits.n)
	return err
}

// softmax writes the softmax of z to p, shifting by the maximum for stability.
func softmax(z, p []float32) {
	mx := z[0]
	for _, v := range z {
		mx = max(mx, v)
	}
	var s float64
	for j, v := range z {
		e := math.Exp(float64(v - mx))
		p[j] = float32(e)
		s += e
	}
	inv := float32(1 / s)
	for j := range p {
		p[j] *= inv
	}
}

// loss adds the training loss, averaged over the batch's samples (and outputs, for the sigmoid
// and linear heads, as Keras does), and its gradient. The targets buffer has tw values per
// sample, this head's from column toff.
func (h *head) loss(b *builder, logits value, targets *G.Node, all []float32, tw int) (*G.Node, *G.F32, error) {
	lv := G.NewF32(0)
	probs := make([]float32, b.batch*h.k)
	// tbuf holds this head's targets, gathered from the shared buffer at each step.
	tbuf := make([]float32, b.batch*h.targetWidth())
	gather := func(n int) {
		w := h.targetWidth()
		for i := 0; i < n; i++ {
			copy(tbuf[i*w:(i+1)*w], all[i*tw+h.toff:])
		}
	}
	var node *G.Node
	var err error
	node, err = b.apply(opSpec{
		name: "loss." + h.kind, out: lv, diff: []bool{true, false},
		run: func() error {
			n := b.m.active
			gather(n)
			var s float64
			switch h.kind {
			case HeadSoftmax:
				for i := 0; i < n; i++ {
					p := probs[i*h.k : (i+1)*h.k]
					softmax(logits.buf[i*h.k:(i+1)*h.k], p)
					// log of the shifted softmax, computed from the logits so that a vanishing
					// probability gives a large finite loss rather than +Inf.
					z := logits.buf[i*h.k : (i+1)*h.k]
					mx := z[0]
					for _, v := range z {
						mx = max(mx, v)
					}
					var e float64
					for _, v := range z {
						e += math.Exp(float64(v - mx))
					}
					s += float64(mx) + math.Log(e) - float64(z[int(tbuf[i])])
				}
				s /= float64(n)
			case HeadSigmoid:
				for i, z := range logits.buf[:n*h.k] {
					zf, t := float64(z), float64(tbuf[i])
					s += math.Max(zf, 0) - zf*t + math.Log1p(math.Exp(-math.Abs(zf)))
					probs[i] = sigmoid(z)
				}
				s /= float64(n * h.k)
			default:
				for i, z := range logits.buf[:n*h.k] {
					d := float64(z) - float64(tbuf[i])
					s += d * d
				}
				s /= float64(n * h.k)
			}
			*lv = G.F32(s)
			return nil
		},
		sym: func(grad *G.Node) (G.Nodes, error) {
			gt, g := b.alloc(b.batch, h.k)
			gn, err := b.apply(opSpec{name: "loss." + h.kind + ".grad", out: gt, buf: g, run: func() error {
				n := b.m.active
				scale, ok := grad.Value().(*G.F32)
				if !ok {
					return fmt.Errorf("loss gradient seed is %T, want a float32 scalar", grad.Value())
				}
				switch h.kind {
				case HeadSoftmax:
					c := float32(*scale) / float32(n)
					for i := 0; i < n; i++ {
						row := g[i*h.k : (i+1)*h.k]
						for j, p := range probs[i*h.k : (i+1)*h.k] {
							row[j] = p * c
						}
						row[int(tbuf[i])] -= c
					}
				case HeadSigmoid:
					c := float32(*scale) / float32(n*h.k)
					for i, p := range probs[:n*h.k] {
						g[i] = (p - tbuf[i]) * c
					}
				default:
					c := 2 * float32(*scale) / float32(n*h.k)
					for i, z := range logits.buf[:n*h.k] {
						g[i] = (z - tbuf[i]) * c
					}
				}
				return nil
			}}, node, grad)
			return G.Nodes{gn, nil}, err
		},
	}, logits.n, targets)
	return node, lv, err
}

// absDiff adds the siamese merge |a - b| of the two towers' outputs. Its gradient is
// sign(a - b)·g for a and the negation for b (zero where a == b, as PyTorch's abs).
func absDiff(b *builder, a, c value) (value, error) {
	per := a.size()
	yt, y := b.alloc(b.batch, per)
	p := b.m.pool
	out := value{buf: y, shape: []int{per}, dep: a.dep || c.dep}
	var err error
	out.n, err = b.apply(opSpec{
		name: "absdiff", out: yt, buf: y, diff: []bool{a.dep, c.dep},
		run: func() error {
			p.ranges(b.m.active*per, func(_, lo, hi int) {
				for i := lo; i < hi; i++ {
					y[i] = float32(math.Abs(float64(a.buf[i] - c.buf[i])))
				}
			})
			return nil
		},
		sym: func(grad *G.Node) (G.Nodes, error) {
			gy, err := b.bufOf(grad)
			if err != nil {
				return nil, err
			}
			dat, da := b.alloc(b.batch, per)
			dan, err := b.apply(opSpec{name: "absdiff.grad", out: dat, buf: da, run: func() error {
				p.ranges(b.m.active*per, func(_, lo, hi int) {
					for i := lo; i < hi; i++ {
						switch d := a.buf[i] - c.buf[i]; {
						case d > 0:
							da[i] = gy[i]
						case d < 0:
							da[i] = -gy[i]
						default:
							da[i] = 0
						}
					}
				})
				return nil
			}}, out.n, grad)
			if err != nil {
				return nil, err
			}
			dct, dc := b.alloc(b.batch, per)
			dcn, err := b.apply(opSpec{name: "absdiff.grad.neg", out: dct, buf: dc, run: func() error {
				p.ranges(b.m.active*per, func(_, lo, hi int) {
					for i := lo; i < hi; i++ {
						dc[i] = -da[i]
					}
				})
				return nil
			}}, dan)
			return G.Nodes{dan, dcn}, err
		},
	}, a.n, c.n)
	return out, err
}
