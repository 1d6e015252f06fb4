package models

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// fnOp is the one gorgonia op type behind every layer: it runs a kernel over buffers that the
// layer allocated when the graph was built and returns the same output value every time, so a
// compiled tape machine allocates nothing per step. Its derivative (sym, called by
// builder.backprop) builds more fnOps.
//
// Ops read their inputs from the captured buffers rather than from the Values gorgonia passes:
// the Values are exactly those buffers (every node's value is a buffer owned by an op or a
// parameter), and capturing them spares an interface conversion per input per step.
type fnOp struct {
	name string
	id   int // unique within the graph, so gorgonia's hash-consing never merges two layers
	in   []int
	out  tensor.Shape
	diff []bool
	val  G.Value
	run  func() error
	sym  func(grad *G.Node) (G.Nodes, error)
}

func tensorType(dims int) hm.Type {
	if dims == 0 {
		return G.Float32
	}
	return G.TensorType{Dims: dims, Of: G.Float32}
}

func (o *fnOp) Arity() int { return len(o.in) }

func (o *fnOp) Type() hm.Type {
	ts := make([]hm.Type, 0, len(o.in)+1)
	for _, d := range o.in {
		ts = append(ts, tensorType(d))
	}
	ts = append(ts, tensorType(len(o.out)))
	return hm.NewFnType(ts...)
}

func (o *fnOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return o.out.Clone(), nil }

func (o *fnOp) Do(...G.Value) (G.Value, error) {
	if err := o.run(); err != nil {
		return nil, fmt.Errorf("%s: %w", o.name, err)
	}
	return o.val, nil
}

func (o *fnOp) ReturnsPtr() bool      { return false }
func (o *fnOp) CallsExtern() bool     { return false }
func (o *fnOp) OverwritesInput() int  { return -1 }
func (o *fnOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "hark.%s#%d", o.name, o.id) }
func (o *fnOp) String() string        { return o.name }

func (o *fnOp) Hashcode() uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}

var _ G.Op = (*fnOp)(nil)
