package models

import (
	"fmt"
	"slices"
)

// layerParams returns a compiled layer's parameters.
func layerParams(l layer) []*param {
	switch l := l.(type) {
	case *dense:
		return []*param{l.w, l.bias}
	case *conv:
		return []*param{l.wt, l.bias}
	case *batchNorm:
		return []*param{l.gb}
	case *lstm:
		return []*param{l.wih, l.whh, l.bias}
	}
	return nil
}

// Freeze stops training the trunk layers that match any selector: a layer's name ("0.conv2d",
// or its Name in the spec, such as "conv1") or a layer type ("conv2d" freezes every
// convolution). Frozen layers get no gradient and no update, and a frozen batch norm
// normalises with its running statistics, which it no longer updates (Keras's behaviour for
// trainable=False). The setting is part of the spec, so it is saved with the model. It
// returns the number of layers matched; a selector that matches nothing is an error.
func (m *Model) Freeze(selectors ...string) (int, error) { return m.setFrozen(true, selectors) }

func (m *Model) setFrozen(frozen bool, selectors []string) (int, error) {
	layers := slices.Clone(m.spec.Layers)
	used := make([]bool, len(selectors))
	count := 0
	for i, ls := range layers {
		name := ls.Name
		if name == "" {
			name = fmt.Sprintf("%d.%s", i, ls.Type)
		}
		hit := false
		for j, s := range selectors {
			if s == name || s == ls.Type {
				used[j], hit = true, true
			}
		}
		if !hit {
			continue
		}
		count++
		layers[i].Frozen = frozen
		for _, p := range layerParams(m.layers[i]) {
			p.frozen = frozen
		}
		if bn, ok := m.layers[i].(*batchNorm); ok {
			bn.frozen = frozen
		}
	}
	for j, u := range used {
		if !u {
			return 0, fmt.Errorf("freeze: no trunk layer is named or typed %q", selectors[j])
		}
	}
	m.spec.Layers = layers
	// The graphs depend on what is trained: rebuild them on next use.
	m.train, m.predict = nil, nil
	for _, p := range m.params {
		p.grad = nil
	}
	return count, nil
}

// WithHeads returns a new model with m's trunk (architecture, weights, running statistics and
// frozen layers) under new heads, initialised from opt.Seed and built with opt; its optimizer
// and step count start afresh. This is transfer learning's "replace the head": a single
// unnamed head becomes Spec.Head, several become Spec.Heads.
func (m *Model) WithHeads(heads []Head, opt Options) (*Model, error) {
	s := m.spec
	s.Layers = slices.Clone(m.spec.Layers)
	s.Head, s.Heads = Head{}, nil
	if len(heads) == 1 && heads[0].Name == "" {
		s.Head = heads[0]
	} else {
		s.Heads = slices.Clone(heads)
	}
	nm, err := Build(s, opt)
	if err != nil {
		return nil, fmt.Errorf("replace heads: %w", err)
	}
	for i, p := range m.params[:m.trunkParams] {
		copy(nm.params[i].data, p.data)
	}
	for i, st := range m.states[:m.trunkStates] {
		copy(nm.states[i].data, st.data)
	}
	return nm, nil
}
