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
	m      *Model
	g      *G.ExprGraph
	train  bool
	batch  int
	ops    int
	bufs   map[*G.Node][]float32
	params map[*param]*G.Node
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
	b.ops++
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
	op := &fnOp{name: s.name, id: b.ops, in: in, out: out, diff: diff, val: s.out, run: s.run, sym: s.sym}
	n, err := G.ApplyOp(op, children...)
	if err != nil {
		return nil, fmt.Errorf("model graph: %s: %w", s.name, err)
	}
	if s.buf != nil {
		b.bufs[n] = s.buf
	}
	return n, nil
}

// bufOf returns the buffer behind a node added by this builder.
func (b *builder) bufOf(n *G.Node) ([]float32, error) {
	buf, ok := b.bufs[n]
	if !ok {
		// Gorgonia sums the gradients of a value with several consumers with its own ops, whose
		// buffers are not ours; no layer built so far shares a value.
		return nil, fmt.Errorf("model graph: gradient %v has no kernel buffer (shared values are not supported yet)", n)
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
