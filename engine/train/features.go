package train

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"sort"
	"sync/atomic"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/features"
	"github.com/hark-audio/hark/features/audio"
	"github.com/sbinet/npyio"
)

// matrix is one item's feature as time steps x bins, row-major (the transpose of librosa's
// bins x frames), or an image as rows x columns.
type matrix struct {
	data         []float32
	frames, bins int
}

// features computes the input of every item an example reads. Items that fail are reported
// as problems and their examples dropped; the rest go on. It resolves Features.Frames.
func (r *runner) features(ctx context.Context, d *data) error {
	fs := r.spec.Features
	var all []example
	all = append(append(append(all, d.train...), d.val...), d.test...)
	need := d.usedItems(all)
	mats := make([]matrix, len(d.items))
	errs := make([]error, len(d.items))
	var err error
	switch fs.Config.Kind {
	case KindImage:
		err = r.images(ctx, d.items, need, fs.ImageSize, mats, errs)
	case KindNpy:
		err = parallel(ctx, len(need), r.threads(), func(k int) {
			mats[need[k]], errs[need[k]] = loadNpy(d.items[need[k]].Path)
		})
	default:
		err = r.audio(ctx, d.items, need, fs.Config, mats, errs)
	}
	if err != nil {
		return err
	}
	// Every input must have the same number of bins; the first usable item sets it.
	d.bins = 0
	for _, i := range need {
		if errs[i] == nil && mats[i].bins > 0 && mats[i].frames > 0 {
			d.bins = mats[i].bins
			break
		}
	}
	d.inputs, d.lengths = make([][]float32, len(d.items)), make([]int, len(d.items))
	for _, i := range need {
		m, it := mats[i], d.items[i]
		switch {
		case errs[i] != nil:
			d.problems = append(d.problems, fmt.Sprintf("%s: %v (skipped)", it.Path, errs[i]))
		case m.frames == 0:
			d.problems = append(d.problems, fmt.Sprintf("%s: no feature frames (skipped)", itemName(it)))
		case m.bins != d.bins:
			d.problems = append(d.problems, fmt.Sprintf("%s: %d feature bins, the others have %d (skipped)", itemName(it), m.bins, d.bins))
		default:
			d.inputs[i], d.lengths[i] = m.data, m.frames
		}
	}
	d.drop()
	d.frames = fs.Frames
	if d.frames == 0 {
		for _, i := range d.usedItems(d.train) {
			d.frames = max(d.frames, d.lengths[i])
		}
		r.spec.Features.Frames = d.frames
	}
	return nil
}

// itemName names an item in a message: its file, and the segment for a segment.
func itemName(it dataset.Item) string {
	if it.Parent != "" {
		return fmt.Sprintf("%s [segment %s at %v]", it.Path, it.ID, it.Offset)
	}
	return it.Path
}

// audio extracts the feature of the needed items: whole files through the options' extractor
// (a cache) or directly, segments by decoding each file once and cutting its segments.
func (r *runner) audio(ctx context.Context, items []dataset.Item, need []int, cfg extract.Config, mats []matrix, errs []error) error {
	var whole []int
	segs := map[string][]int{}
	for _, i := range need {
		if items[i].Length > 0 {
			segs[items[i].Path] = append(segs[items[i].Path], i)
		} else {
			whole = append(whole, i)
		}
	}
	total := len(whole) + len(segs)
	var done int
	if len(whole) > 0 {
		paths := make([]string, len(whole))
		for k, i := range whole {
			paths[k] = items[i].Path
		}
		ext := r.opt.Extract
		if ext == nil {
			ext = directExtract(r.threads())
		}
		results, ferrs := ext(ctx, paths, cfg, func(n, _ int) { r.progress("features", n, total) })
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(results) != len(paths) || len(ferrs) != len(paths) {
			return fmt.Errorf("features: the extractor returned %d results and %d errors for %d files", len(results), len(ferrs), len(paths))
		}
		for k, i := range whole {
			if ferrs[k] != nil {
				errs[i] = ferrs[k]
				continue
			}
			mats[i], errs[i] = fromResult(results[k])
		}
		done = len(whole)
	}
	if len(segs) == 0 {
		return nil
	}
	files := make([]string, 0, len(segs))
	for p := range segs {
		files = append(files, p)
	}
	sort.Strings(files)
	exs := make(chan *extract.Extractor, r.threads())
	var finished atomic.Int64
	return parallel(ctx, len(files), r.threads(), func(k int) {
		var ex *extract.Extractor
		select {
		case ex = <-exs:
		default:
			var err error
			if ex, err = extract.NewExtractor(cfg); err != nil {
				for _, i := range segs[files[k]] {
					errs[i] = err
				}
				return
			}
		}
		defer func() { exs <- ex }()
		cutSegments(ex, items, segs[files[k]], cfg.SR, mats, errs)
		r.progress("features", done+int(finished.Add(1)), total)
	})
}

// cutSegments decodes one file and computes the feature of each of its segments.
func cutSegments(ex *extract.Extractor, items []dataset.Item, idx []int, sr int, mats []matrix, errs []error) {
	path := items[idx[0]].Path
	y, rate, err := audio.LoadMono(path, sr)
	if err != nil {
		for _, i := range idx {
			errs[i] = err
		}
		return
	}
	for _, i := range idx {
		it := items[i]
		start := int(math.Round(it.Offset.Seconds() * float64(rate)))
		n := int(math.Round(it.Length.Seconds() * float64(rate)))
		if start+n > len(y) {
			errs[i] = fmt.Errorf("segment %s runs past the end of the audio (%d of %d samples)", it.ID, start+n, len(y))
			continue
		}
		res, err := ex.Samples(y[start:start+n], rate)
		if err != nil {
			errs[i] = fmt.Errorf("segment %s: %w", it.ID, err)
			continue
		}
		mats[i], errs[i] = fromResult(res)
	}
}

// directExtract extracts whole files in parallel without a cache.
func directExtract(threads int) ExtractFunc {
	return func(ctx context.Context, paths []string, cfg extract.Config, progress func(done, total int)) ([]*extract.Result, []error) {
		results, errs := make([]*extract.Result, len(paths)), make([]error, len(paths))
		k := 0
		err := extract.Files(ctx, paths, cfg, threads, func(fr extract.FileResult) {
			results[k], errs[k] = fr.Result, fr.Err
			k++
			progress(k, len(paths))
		})
		for ; k < len(paths); k++ {
			errs[k] = err
		}
		return results, errs
	}
}

// fromResult transposes a feature result's matrix (bins x frames) into time steps x bins.
func fromResult(res *extract.Result) (matrix, error) {
	if res == nil {
		return matrix{}, fmt.Errorf("the feature is not a matrix")
	}
	return transpose(res.Matrix)
}

// transpose turns a feature matrix (bins x frames) into time steps x bins, refusing NaN and
// infinite values.
func transpose(m *features.Matrix) (matrix, error) {
	if m == nil {
		return matrix{}, fmt.Errorf("the feature is not a matrix")
	}
	out := matrix{data: make([]float32, m.Rows*m.Cols), frames: m.Cols, bins: m.Rows}
	for b := range m.Rows {
		row := m.Data[b*m.Cols : (b+1)*m.Cols]
		for t, v := range row {
			out.data[t*m.Rows+b] = v
		}
	}
	for _, v := range out.data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return matrix{}, fmt.Errorf("the feature holds %v", v)
		}
	}
	return out, nil
}

// images loads the needed items as grayscale size x size images with values in [0, 1].
func (r *runner) images(ctx context.Context, items []dataset.Item, need []int, size int, mats []matrix, errs []error) error {
	var finished atomic.Int64
	return parallel(ctx, len(need), r.threads(), func(k int) {
		i := need[k]
		var m *features.Matrix
		if m, errs[i] = extract.Image(items[i].Path, size); errs[i] == nil {
			mats[i] = matrix{data: m.Data, frames: m.Cols, bins: m.Rows}
		}
		r.progress("images", int(finished.Add(1)), len(need))
	})
}

// loadNpy reads a precomputed feature: a C-order float32 or float64 array of shape
// (bins, frames), as librosa and `hark features --npy` write it, or (frames,).
func loadNpy(path string) (matrix, error) {
	f, err := os.Open(path)
	if err != nil {
		return matrix{}, err
	}
	defer f.Close()
	r, err := npyio.NewReader(bufio.NewReader(f))
	if err != nil {
		return matrix{}, fmt.Errorf("unreadable .npy: %w", err)
	}
	h := r.Header.Descr
	if h.Fortran {
		return matrix{}, fmt.Errorf("Fortran-order array: save it with numpy.ascontiguousarray")
	}
	bins, frames := 1, 0
	switch len(h.Shape) {
	case 1:
		frames = h.Shape[0]
	case 2:
		bins, frames = h.Shape[0], h.Shape[1]
	default:
		return matrix{}, fmt.Errorf("array of shape %v, want (bins, frames) or (frames,)", h.Shape)
	}
	var data []float32
	switch h.Type {
	case "<f4":
		err = r.Read(&data)
	case "<f8":
		var d64 []float64
		err = r.Read(&d64)
		data = make([]float32, len(d64))
		for i, v := range d64 {
			data[i] = float32(v)
		}
	default:
		return matrix{}, fmt.Errorf("dtype %s, want <f4 or <f8", h.Type)
	}
	if err != nil {
		return matrix{}, fmt.Errorf("unreadable .npy data: %w", err)
	}
	if len(data) != bins*frames {
		return matrix{}, fmt.Errorf("%d values for shape %v", len(data), h.Shape)
	}
	m := &features.Matrix{Rows: bins, Cols: frames, Data: data}
	return transpose(m)
}
