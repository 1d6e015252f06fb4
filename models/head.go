package models

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// head is the output layer: a linear dense layer, then the kind's loss (training graph) or
// output activation (inference graph).
type head struct {
	kind string
	k    int
	d    *dense
}

// targetWidth is the number of target values per sample: one class index for softmax heads,
// one value per output otherwise.
func (h *head) targetWidth() int {
	if h.kind == HeadSoftmax {
		return 1
	}
	return h.k
}

// predictions adds the inference output: class probabilities, sigmoid probabilities or values.
func (h *head) predictions(b *builder, logits value) (*G.Node, []float32, error) {
	pt, probs := b.alloc(b.batch, h.k)
	n, err := b.apply(opSpec{name: "predict." + h.kind, out: pt, buf: probs, run: func() error {
		n := b.m.active
		switch h.kind {
		case HeadSoftmax:
			for i := 0; i < n; i++ {
				softmax(logits.buf[i*h.k:(i+1)*h.k], probs[i*h.k:(i+1)*h.k])
			}
		case HeadSigmoid:
			for i, v := range logits.buf[:n*h.k] {
				probs[i] = sigmoid(v)
			}
		default:
			copy(probs, logits.buf[:n*h.k])
		}
		return nil
	}}, logits.n)
	return n, probs, err
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
// and linear heads, as Keras does), and its gradient.
func (h *head) loss(b *builder, logits value, targets *G.Node, tbuf []float32) (*G.Node, *G.F32, error) {
	lv := G.NewF32(0)
	probs := make([]float32, b.batch*h.k)
	var node *G.Node
	var err error
	node, err = b.apply(opSpec{
		name: "loss." + h.kind, out: lv, diff: []bool{true, false},
		run: func() error {
			n := b.m.active
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
