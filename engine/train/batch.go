package train

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/hark-audio/hark/models"
)

// batcher assembles batches of examples into reused buffers.
type batcher struct {
	d *data
	// inputs and lengths are what the batches read: d's, or an epoch's augmented ones.
	inputs  [][]float32
	lengths []int
	towers  int // inputs per example
	per     int // values per input
	ny      int // targets per example
	seq     bool
	x, y    []float32
	lens    []int // valid frames of each input of the batch, example by example
	exs     []example
}

func newBatcher(d *data, m *models.Model, bs int) *batcher {
	b := &batcher{d: d, inputs: d.inputs, lengths: d.lengths, towers: d.towers(), per: d.frames * d.bins, ny: m.TargetSize(), seq: recurrentModel(m)}
	b.x = make([]float32, bs*b.towers*b.per)
	b.y = make([]float32, bs*b.ny)
	b.lens = make([]int, bs*b.towers)
	return b
}

// fill loads the examples of exs at idx (idx nil: all of exs) into the buffers.
func (b *batcher) fill(exs []example, idx []int, targets bool) models.Batch {
	b.exs = b.exs[:0]
	if idx == nil {
		b.exs = append(b.exs, exs...)
	} else {
		for _, i := range idx {
			b.exs = append(b.exs, exs[i])
		}
	}
	n := len(b.exs)
	for k, e := range b.exs {
		items := [2]int{e.a, e.b}
		for t, item := range items[:b.towers] {
			copy(b.x[(k*b.towers+t)*b.per:], b.inputs[item])
			b.lens[k*b.towers+t] = b.lengths[item]
		}
		if targets {
			copy(b.y[k*b.ny:], e.y)
		}
	}
	bt := models.Batch{X: b.x[:n*b.towers*b.per]}
	if targets {
		bt.Y = b.y[:n*b.ny]
	}
	if b.seq {
		bt.Lengths = b.lens[:n*b.towers]
	}
	return bt
}

// augmenter perturbs training batches (time shift of the frames, SpecAugment masks) with the
// epoch's own random stream. Masked and shifted-in values are zero: the training mean after
// normalisation.
type augmenter struct {
	spec         *AugmentSpec
	rng          *rand.Rand
	frames, bins int
	maxShift     int
	towers       int
}

func newAugmenter(spec RunSpec, d *data, epoch int) *augmenter {
	a := spec.Augment
	if a == nil {
		return nil
	}
	// With noise or gain, the clip itself is shifted (waveAugmenter); else its frames are.
	frameShift := a.Shift > 0 && !a.WaveLevel()
	if !frameShift && a.TimeMasks == 0 && a.FreqMasks == 0 {
		return nil
	}
	g := &augmenter{spec: a, rng: rand.New(rand.NewPCG(spec.Seed, streamAugment+uint64(epoch))),
		frames: d.frames, bins: d.bins, towers: d.towers()}
	if frameShift {
		sr := spec.Features.Config.SR
		if sr == 0 && len(d.train) > 0 {
			sr = d.items[d.train[0].a].SampleRate
		}
		if hop := spec.Features.Config.Hop; sr > 0 && hop > 0 {
			g.maxShift = int(math.Round(a.Shift * float64(sr) / float64(hop)))
		}
	}
	return g
}

// apply perturbs the first n examples of a filled batch in place; b.lens (and so the batch's
// lengths, which share it) follow the shifts.
func (g *augmenter) apply(bt models.Batch, lens []int, n int) {
	if g == nil {
		return
	}
	per := g.frames * g.bins
	for s := range n * g.towers {
		x := bt.X[s*per : (s+1)*per]
		if g.maxShift > 0 {
			lens[s] = shift(x, g.rng.IntN(2*g.maxShift+1)-g.maxShift, lens[s], g.frames, g.bins)
		}
		for range g.spec.TimeMasks {
			w := g.rng.IntN(g.spec.TimeMaskWidth + 1)
			w = min(w, g.frames)
			t0 := g.rng.IntN(g.frames - w + 1)
			clear(x[t0*g.bins : (t0+w)*g.bins])
		}
		for range g.spec.FreqMasks {
			w := min(g.rng.IntN(g.spec.FreqMaskWidth+1), g.bins)
			f0 := g.rng.IntN(g.bins - w + 1)
			for t := range g.frames {
				clear(x[t*g.bins+f0 : t*g.bins+f0+w])
			}
		}
	}
}

// shift moves the frames of x by s steps (later when positive), filling with zeros, and
// returns the new number of valid frames.
func shift(x []float32, s, valid, frames, bins int) int {
	s = max(-frames, min(frames, s))
	switch {
	case s > 0:
		copy(x[s*bins:], x[:(frames-s)*bins])
		clear(x[:s*bins])
		return min(frames, valid+s)
	case s < 0:
		copy(x, x[-s*bins:])
		clear(x[(frames+s)*bins:])
		return max(0, valid+s)
	}
	return valid
}

// predict runs the model over the examples in batches and returns Outputs values per example.
func predict(m *models.Model, d *data, exs []example) ([]float32, error) {
	if len(exs) == 0 {
		return nil, nil
	}
	bs := m.Batch()
	b := newBatcher(d, m, bs)
	out := make([]float32, 0, len(exs)*m.Outputs())
	var buf []float32
	for lo := 0; lo < len(exs); lo += bs {
		bt := b.fill(exs[lo:min(len(exs), lo+bs)], nil, false)
		var err error
		if buf, err = m.PredictBatch(buf, bt); err != nil {
			return nil, err
		}
		out = append(out, buf...)
	}
	return out, nil
}

func sortedInts(v []int) []int {
	v = slices.Clone(v)
	slices.Sort(v)
	return v
}
