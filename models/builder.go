package models

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// value is a node of a graph under construction with the buffer that holds its value.
type value struct {
	n     *G.Node
	buf   []float32
	shape []int // one sample's shape, without the batch axis
	// dep reports whether the value depends on a parameter: only then does its gradient have a
	// consumer, so layers skip computing gradients for values that do not.
	dep bool
}

func (v value) size() int { return prod(v.shape) }

// builder adds one graph's nodes: the training graph (batch statistics, dropout, loss and
// gradients) or the inference graph (running statistics, no dropout, predictions).
type builder struct {
	m     *Model
	g     *G.ExprGraph
	train bool
	batch int
	// app numbers the applications of the trunk (0, or 0 and 1 for a siamese model's two
	// towers): per-application randomness (dropout masks) and sequence lengths depend on it.
	app     int
	bufs    map[*G.Node][]float32
	params  map[*param]*G.Node
	applied []applied // every op added, in order: a topological order for backprop
}

// applied records an op node and its children for backprop.
type applied struct {
	n        *G.Node
	op       *fnOp
	children []*G.Node
}

func newBuilder(m *Model, train bool) *builder {
	return &builder{m: m, g: G.NewGraph(), train: train, batch: m.batch, bufs: map[*G.Node][]float32{}, params: map[*param]*G.Node{}}
}

// alloc returns a float32 tensor of the given full shape and its backing slice.
func (b *builder) alloc(shape ...int) (*tensor.Dense, []float32) {
	buf := make([]float32, prod(shape))
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(buf)), buf
}

// batched prepends the batch axis to a sample shape.
func (b *builder) batched(shape []int) []int { return append([]int{b.batch}, shape...) }

// input adds an input node (the batch, targets or a parameter) backed by t.
func (b *builder) input(name string, t *tensor.Dense) *G.Node {
	n := G.NewTensor(b.g, tensor.Float32, t.Dims(), G.WithShape(t.Shape()...), G.WithValue(t), G.WithName(name))
	b.bufs[n] = t.Data().([]float32)
	return n
}

// opSpec describes an op to add: its output value, the kernel and the derivative.
type opSpec struct {
	name string
	out  G.Value // *tensor.Dense or *G.F32
	buf  []float32
	diff []bool // which children are differentiable; nil means none
	run  func() error
	sym  func(grad *G.Node) (G.Nodes, error)
}

// apply adds an op node over children.
func (b *builder) apply(s opSpec, children ...*G.Node) (*G.Node, error) {
	in := make([]int, len(children))
	for i, c := range children {
		in[i] = c.Dims()
	}
	var out tensor.Shape
	if t, ok := s.out.(*tensor.Dense); ok {
		out = t.Shape().Clone()
	} else {
		out = tensor.ScalarShape()
	}
	diff := s.diff
	if diff == nil {
		diff = make([]bool, len(children))
	}
	op := &fnOp{name: s.name, id: len(b.applied) + 1, in: in, out: out, diff: diff, val: s.out, run: s.run, sym: s.sym}
	n, err := G.ApplyOp(op, children...)
	if err != nil {
		return nil, fmt.Errorf("model graph: %s: %w", s.name, err)
	}
	if s.buf != nil {
		b.bufs[n] = s.buf
	}
	b.applied = append(b.applied, applied{n: n, op: op, children: children})
	return n, nil
}

// backprop adds the gradient ops of the sum of the loss nodes, walking the ops in reverse
// order of addition, and points every trainable parameter's grad at its gradient buffer.
//
// Gorgonia's own Grad is not used: where a value has several consumers (a shared trunk under
// several heads, a siamese tower's weights) it sums the gradients with its generic ops,
// whose buffers are not ours and which allocate per step. Here each such sum is one more
// fnOp, adding the consumers' gradient buffers in a fixed order.
func (b *builder) backprop(losses []*G.Node) error {
	seed := G.NewScalar(b.g, G.Float32, G.WithValue(G.NewF32(1)), G.WithName("seed"))
	contrib := map[*G.Node][]*G.Node{}
	for _, l := range losses {
		contrib[l] = append(contrib[l], seed)
	}
	for i := len(b.applied) - 1; i >= 0; i-- {
		a := b.applied[i]
		gs := contrib[a.n]
		if len(gs) == 0 || a.op.sym == nil {
			continue
		}
		g, err := b.sum(gs, true)
		if err != nil {
			return err
		}
		d, err := a.op.sym(g)
		if err != nil {
			return fmt.Errorf("model graph: gradient of %s: %w", a.op.name, err)
		}
		for j, c := range a.children {
			if j < len(d) && d[j] != nil && a.op.diff[j] {
				contrib[c] = append(contrib[c], d[j])
			}
		}
	}
	for _, p := range b.m.params {
		n, ok := b.params[p]
		if !ok || p.frozen || len(contrib[n]) == 0 {
			continue
		}
		g, err := b.sum(contrib[n], false)
		if err != nil {
			return err
		}
		p.grad = b.bufs[g]
	}
	return nil
}

// sum returns the one gradient node of a value, adding an op that sums several. A batched
// value's gradients are summed over the active samples only; a parameter's over all values.
func (b *builder) sum(gs []*G.Node, batched bool) (*G.Node, error) {
	if len(gs) == 1 {
		return gs[0], nil
	}
	bufs := make([][]float32, len(gs))
	for i, g := range gs {
		buf, err := b.bufOf(g)
		if err != nil {
			return nil, err
		}
		bufs[i] = buf
	}
	t, out := b.alloc(gs[0].Shape()...)
	p := b.m.pool
	per := len(out) / b.batch
	return b.apply(opSpec{name: "gradsum", out: t, buf: out, run: func() error {
		n := len(out)
		if batched {
			n = b.m.active * per
		}
		p.ranges(n, func(_, lo, hi int) {
			copy(out[lo:hi], bufs[0][lo:hi])
			for _, s := range bufs[1:] {
				for j, v := range s[lo:hi] {
					out[lo+j] += v
				}
			}
		})
		return nil
	}}, gs...)
}

// bufOf returns the buffer behind a node added by this builder.
func (b *builder) bufOf(n *G.Node) ([]float32, error) {
	buf, ok := b.bufs[n]
	if !ok {
		return nil, fmt.Errorf("model graph: node %v has no kernel buffer", n)
	}
	return buf, nil
}

// sink adds an op that only orders work: its value is a buffer that an earlier op (its child)
// already filled, such as a weight gradient computed together with an input gradient.
func (b *builder) sink(name string, t *tensor.Dense, child *G.Node) (*G.Node, error) {
	return b.apply(opSpec{name: name, out: t, buf: t.Data().([]float32), run: func() error { return nil }}, child)
}

func prod(s []int) int {
	p := 1
	for _, v := range s {
		p *= v
	}
	return p
}
