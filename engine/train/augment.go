package train

import (
	"context"
	"fmt"
	"math"

	"github.com/hark-audio/hark/engine/augment"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/features/audio"
)

// streamWave seeds the wave-level augmentation: item i of epoch e draws from
// augment.NewRand(Seed^streamWave, e<<32|i), so what it draws depends on neither the order of
// the items nor the number of workers.
const streamWave = 0x77617665

// waveAugmenter perturbs the training clips themselves (background noise, gain and, with
// them, the time shift: engine/augment.Wave) and computes their features again, every epoch.
type waveAugmenter struct {
	cfg   augment.Config
	seed  uint64
	fc    extract.Config
	noise [][]float32
	rate  int // the sample rate the noise clips were loaded at
}

// newWaveAugmenter returns nil when the spec asks for no wave-level augmentation. It loads the
// catalog's background-noise clips (at the feature rate, else the first training clip's);
// asking for noise from a dataset without any is an error.
func (r *runner) newWaveAugmenter(d *data) (*waveAugmenter, error) {
	a := r.spec.Augment
	if a == nil || !a.WaveLevel() || len(d.train) == 0 {
		return nil, nil
	}
	w := &waveAugmenter{cfg: *a, seed: r.spec.Seed ^ streamWave, fc: r.spec.Features.Config}
	if !w.cfg.Noise() {
		return w, nil
	}
	if len(d.noise) == 0 {
		return nil, fmt.Errorf("augment.noise_prob: the dataset has no background-noise files (Speech Commands' _background_noise_) to mix in")
	}
	w.rate = w.fc.SR
	if w.rate == 0 {
		w.rate = d.items[d.train[0].a].SampleRate
	}
	for _, nz := range d.noise {
		y, _, err := audio.LoadMono(nz.Path, w.rate)
		if err != nil || len(y) == 0 {
			d.problems = append(d.problems, fmt.Sprintf("%s: background noise unusable: %v (skipped)", nz.Path, err))
			continue
		}
		w.noise = append(w.noise, y)
	}
	if len(w.noise) == 0 {
		return nil, fmt.Errorf("augment.noise_prob: none of the dataset's %d background-noise files could be read", len(d.noise))
	}
	return w, nil
}

// epoch returns the training inputs of an epoch: every training item's clip augmented with
// its own draws, its features computed, normalised and padded as the clean ones were. An item
// whose audio cannot be decoded again keeps its clean input.
func (w *waveAugmenter) epoch(ctx context.Context, d *data, epoch, threads int) ([][]float32, []int, error) {
	inputs, lengths := append([][]float32(nil), d.inputs...), append([]int(nil), d.lengths...)
	items := d.usedItems(d.train)
	pool := make(chan *extract.Extractor, threads)
	err := parallel(ctx, len(items), threads, func(k int) {
		var ex *extract.Extractor
		select {
		case ex = <-pool:
		default:
			var err error
			if ex, err = extract.NewExtractor(w.fc); err != nil {
				return
			}
		}
		defer func() { pool <- ex }()
		i := items[k]
		if x, n, ok := w.item(ex, d, i, epoch); ok {
			inputs[i], lengths[i] = x, n
		}
	})
	return inputs, lengths, err
}

// item augments one clip and computes its input.
func (w *waveAugmenter) item(ex *extract.Extractor, d *data, i, epoch int) ([]float32, int, bool) {
	it := d.items[i]
	y, rate, err := audio.LoadMono(it.Path, w.fc.SR)
	if err != nil {
		return nil, 0, false
	}
	if it.Length > 0 {
		start := int(math.Round(it.Offset.Seconds() * float64(rate)))
		n := int(math.Round(it.Length.Seconds() * float64(rate)))
		if start+n > len(y) {
			return nil, 0, false
		}
		y = y[start : start+n]
	}
	noise := w.noise
	if rate != w.rate {
		noise = nil // a clip at another rate than the noise (features at the files' own rates)
	}
	z, _ := augment.Wave(nil, y, rate, w.cfg, noise, augment.NewRand(w.seed, uint64(epoch)<<32|uint64(i)))
	res, err := ex.Samples(z, rate)
	if err != nil {
		return nil, 0, false
	}
	m, err := fromResult(res)
	if err != nil || m.bins != d.bins || m.frames == 0 {
		return nil, 0, false
	}
	return d.fit(m.data, m.frames), min(m.frames, d.frames), true
}
