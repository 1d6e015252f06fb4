package train

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/models"
)

// network builds the model the spec asks for on the prepared data's input shape: a preset, a
// full spec, or a saved model to fine-tune (its heads replaced when the task needs others).
func (r *runner) network(d *data) (*models.Model, error) {
	ref := r.spec.Model
	in := d.shape(r.spec.Features.Layout)
	opt := models.Options{Seed: r.spec.Seed, Batch: r.spec.Train.Batch, Threads: r.threads(), Optimizer: r.spec.Train.Optimizer}
	want := d.heads()
	if ref.From != "" {
		m, _, err := models.LoadFile(ref.From, opt)
		if err != nil {
			return nil, fmt.Errorf("model.from: %w", err)
		}
		if got := m.Spec().Input; !slices.Equal(got, in) {
			return nil, fmt.Errorf("model.from %s: the model reads inputs of shape %v, these features give %v", ref.From, got, in)
		}
		if d.task == dataset.Pairs != m.Spec().Siamese {
			return nil, fmt.Errorf("model.from %s: task %s needs a siamese model (siamese=%t)", ref.From, d.task, m.Spec().Siamese)
		}
		if !sameHeads(m.Spec().AllHeads(), want) {
			if m, err = m.WithHeads(want, opt); err != nil {
				return nil, fmt.Errorf("model.from %s: %w", ref.From, err)
			}
		}
		return r.freeze(m)
	}
	var spec models.Spec
	switch {
	case ref.Spec != nil:
		spec = *ref.Spec
		spec.Layers = slices.Clone(spec.Layers)
		if len(spec.Input) == 0 {
			spec.Input = in
		}
		if !slices.Equal(spec.Input, in) {
			return nil, fmt.Errorf("model.spec: input shape %v, but the features give %v (features.frames, n_mels and layout decide it)", spec.Input, in)
		}
	default:
		var err error
		if spec, err = models.Preset(ref.Preset, in, max(1, len(d.classes))); err != nil {
			return nil, fmt.Errorf("model.preset: %w", err)
		}
	}
	if d.task == dataset.Pairs && !spec.Siamese {
		return nil, fmt.Errorf("model: task pairs needs a siamese model (preset siamese, or a spec with siamese set)")
	}
	if d.task != dataset.Pairs && spec.Siamese {
		return nil, fmt.Errorf("model: a siamese model needs a pair task, not %s", d.task)
	}
	if !sameHeads(spec.AllHeads(), want) {
		// Keep the hidden layers of the spec's head, change its output to the task's.
		old := spec.AllHeads()
		for i := range want {
			switch {
			case len(want) == len(old):
				want[i].Layers = old[i].Layers
			case len(old) > 1 && len(want) > 1:
				// A multitask preset on other targets: every new head gets the
				// preset's head layers.
				want[i].Layers = old[0].Layers
			}
		}
		spec.Head, spec.Heads = models.Head{}, nil
		if len(want) == 1 && want[0].Name == "" {
			spec.Head = want[0]
		} else {
			spec.Heads = want
		}
	}
	m, err := models.Build(spec, opt)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	return r.freeze(m)
}

func (r *runner) freeze(m *models.Model) (*models.Model, error) {
	if len(r.spec.Model.Freeze) > 0 {
		if _, err := m.Freeze(r.spec.Model.Freeze...); err != nil {
			return nil, fmt.Errorf("model.freeze: %w", err)
		}
	}
	return m, nil
}

// heads are the output heads the task needs: softmax over the classes, one sigmoid output for
// pairs, linear outputs for regression (one named head per target when the model has named
// heads, else one head with an output per target).
func (d *data) heads() []models.Head {
	switch d.task {
	case dataset.Pairs:
		return []models.Head{{Kind: models.HeadSigmoid, Outputs: 1}}
	case dataset.Regress:
		if d.namedTargets {
			hs := make([]models.Head, len(d.targets))
			for i, t := range d.targets {
				hs[i] = models.Head{Name: t, Kind: models.HeadLinear, Outputs: 1}
			}
			return hs
		}
		return []models.Head{{Kind: models.HeadLinear, Outputs: len(d.targets)}}
	}
	return []models.Head{{Kind: models.HeadSoftmax, Outputs: len(d.classes)}}
}

// sameHeads reports whether the heads have the kinds, outputs and names wanted (their hidden
// layers may differ).
func sameHeads(have, want []models.Head) bool {
	if len(have) != len(want) {
		return false
	}
	for i := range have {
		if have[i].Kind != want[i].Kind || have[i].Outputs != want[i].Outputs || have[i].Name != want[i].Name {
			return false
		}
	}
	return true
}

// meta is what the saved model carries: class names or target names, the feature spec and
// the normalisation of the inputs and of the regression targets.
func (r *runner) meta(d *data) models.Meta {
	fs, _ := json.Marshal(r.spec.Features) // plain data always marshals
	return models.Meta{Classes: d.classes, Targets: d.targets, Features: fs, Norm: d.norm, TargetNorm: d.targetNorm}
}

// recurrentModel reports whether a model reads sequences with lengths.
func recurrentModel(m *models.Model) bool {
	for _, l := range m.Spec().Layers {
		if l.Type == models.LayerLSTM {
			return true
		}
	}
	return false
}
