package train

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/models"
)

// Random streams: every random choice of a run is drawn from PCG(Seed, stream), so that each
// is reproducible on its own (the shuffle of epoch 7 does not depend on how many numbers the
// augmentation of epoch 6 drew).
const (
	streamShuffle = 0x73687566 << 16 // + epoch
	streamAugment = 0x61756720 << 16 // + epoch
	streamCarve   = 0x63617276
	streamProbe   = 0x70726f62
)

// example is one training or evaluation example: an item, or a pair of items (b >= 0).
type example struct {
	id   string // the item's ID, or "A|B" for a pair
	clip string // the clip a segment belongs to ("" when the item is a whole clip)
	a, b int    // catalog item indices; b is -1 except for pairs
	// y are the model's targets: a class index (softmax), 0/1 (pairs), values (regression).
	y     []float32
	class int // the true class index (classification), 1 same / 0 different (pairs)
	// raw are a regression example's targets in their own units (y is standardised).
	raw []float64
}

// data is a prepared dataset: every usable item's input tensor and the examples of each split.
type data struct {
	task    dataset.Task
	classes []string // class names (classification), "different", "same" (pairs)
	targets []string // regression targets in model output order
	// namedTargets is set when the model has one named head per target (multitask).
	namedTargets bool
	// inputs[i] is catalog item i's normalised, padded input (nil: unusable or unused);
	// lengths[i] its valid frames.
	inputs  [][]float32
	lengths []int
	frames  int // time steps (image rows) per input
	bins    int // values per step
	norm    *models.Norm
	train   []example
	val     []example
	test    []example
	// valFrom says where the validation examples come from: "split" or "train" (a tenth of
	// the training part held out because the split has none), or "" when there are none.
	valFrom string
	// testName names the evaluated part: "test", or "all" when every item is evaluated.
	testName string
	// targetNorm standardises regression targets: y' = (y - Mean) / Std, per target.
	targetNorm *models.Norm
	problems   []string
	items      []dataset.Item
	noise      []dataset.Item
}

// shape is one input's shape as the model sees it.
func (d *data) shape(layout string) []int {
	if layout == LayoutSequence {
		return []int{d.frames, d.bins}
	}
	return []int{1, d.frames, d.bins}
}

// towers is 2 for pair tasks (each example is two inputs), else 1.
func (d *data) towers() int {
	if d.task == dataset.Pairs {
		return 2
	}
	return 1
}

// prepare opens the dataset, splits it, computes every item's features and normalises them
// (and, for regression, the targets) with statistics of the training split. It resolves
// spec.Split, spec.Features.Frames and spec.Dataset.Fingerprint in place.
func (r *runner) prepare(ctx context.Context) (*data, error) {
	spec := &r.spec
	cat, d, err := r.open()
	if err != nil {
		return nil, err
	}
	fp, err := fingerprint(ctx, cat, r.threads())
	if err != nil {
		return nil, err
	}
	if spec.Dataset.Fingerprint != "" && r.resumed && spec.Dataset.Fingerprint != fp {
		return nil, fmt.Errorf("dataset %s changed since the run was checkpointed (fingerprint %.12s, was %.12s)", cat.Root, fp, spec.Dataset.Fingerprint)
	}
	spec.Dataset.Fingerprint = fp
	part, err := r.partition(cat, d)
	if err != nil {
		return nil, err
	}
	if d.task == dataset.Classify {
		d.classes = cat.ClassNames()
	}
	if d.task == dataset.Regress {
		d.targets, d.namedTargets = regressionTargets(cat.Targets, r.spec.Model)
	}
	if err := d.examples(cat, part); err != nil {
		return nil, err
	}
	d.validation(spec.Seed)
	if err := r.features(ctx, d); err != nil {
		return nil, err
	}
	if len(d.train) == 0 {
		return nil, fmt.Errorf("dataset %s: %w (split %s)", cat.Root, errNoData, spec.Split)
	}
	d.normalise(spec.Features, nil)
	if d.task == dataset.Regress {
		d.standardiseTargets(nil)
	}
	return d, nil
}

// open opens the run's dataset and checks that it fits the task and the feature kind.
func (r *runner) open() (*dataset.Catalog, *data, error) {
	spec := &r.spec
	r.progress("open", 0, 0)
	cat, err := dataset.Open(spec.Dataset.Spec)
	if err != nil {
		return nil, nil, fmt.Errorf("dataset: %w", err)
	}
	d := &data{items: cat.Items, testName: "test"}
	for _, p := range cat.Problems {
		d.problems = append(d.problems, p.Error())
	}
	d.task = cat.Task
	if spec.Task != "" {
		d.task = dataset.Task(spec.Task)
	}
	switch {
	case d.task == dataset.Pairs && cat.Task != dataset.Pairs:
		return nil, nil, fmt.Errorf("task pairs: dataset %s (layout %s) has no pairs: give a pair list or dataset.spec.pairs", cat.Root, cat.Layout)
	case d.task != dataset.Pairs && cat.Task == dataset.Pairs:
		return nil, nil, fmt.Errorf("task %s: dataset %s is a pair list (task pairs)", d.task, cat.Root)
	case d.task == dataset.Regress && len(cat.Targets) == 0:
		return nil, nil, fmt.Errorf("task regress: dataset %s has no regression targets", cat.Root)
	case d.task == dataset.Classify && len(cat.Classes) < 2:
		return nil, nil, fmt.Errorf("task classify: dataset %s has %d classes, need at least 2", cat.Root, len(cat.Classes))
	}
	if images := isImages(cat.Items); spec.Features.Config.Kind != KindNpy && images != (spec.Features.Config.Kind == KindImage) {
		what := "audio"
		if images {
			what = "images"
		}
		return nil, nil, fmt.Errorf("features.config.kind: %q does not fit dataset %s, which holds %s (kind %q is for images)", spec.Features.Config.Kind, cat.Root, what, KindImage)
	}
	d.noise = cat.Noise
	return cat, d, nil
}

// partition splits the catalog as the spec says (resolving spec.Split "" to the dataset's own
// split), with the run's seed. A group split of pairs splits their items' groups (people,
// speakers; dataset.Split); the pairs it leaves out are reported in d.problems.
func (r *runner) partition(cat *dataset.Catalog, d *data) (dataset.Partition, error) {
	spec := &r.spec
	if spec.Split == "" {
		spec.Split = dataset.DefaultSplit(cat)
	}
	ss, err := dataset.ParseSplitSpec(spec.Split)
	if err != nil {
		return dataset.Partition{}, fmt.Errorf("split: %w", err)
	}
	ss.Seed = spec.Seed
	splits, err := dataset.Split(cat, ss)
	if err != nil {
		return dataset.Partition{}, err
	}
	part := splits.Folds[0]
	if n := len(part.LeftOut); n > 0 {
		d.problems = append(d.problems, fmt.Sprintf("split %s: %d pairs of two groups in different parts left out", spec.Split, n))
	}
	return part, nil
}

// validation records where the validation examples come from, holding out a tenth of the
// training clips when the split has no validation part.
func (d *data) validation(seed uint64) {
	if len(d.val) > 0 {
		d.valFrom = "split"
	} else if d.carveVal(seed) {
		d.valFrom = "train"
	}
}

// examples builds the examples of each part of the partition, with d.classes (classification)
// or d.targets (regression) already set; an item whose label is not one of d.classes, or that
// lacks a target, is reported and left out.
func (d *data) examples(cat *dataset.Catalog, part dataset.Partition) error {
	var build func(i int) (example, error)
	switch d.task {
	case dataset.Classify:
		index := map[string]int{}
		for i, c := range d.classes {
			index[c] = i
		}
		build = func(i int) (example, error) {
			it := cat.Items[i]
			c, ok := index[it.Label]
			if !ok {
				return example{}, fmt.Errorf("%s: label %q is not one of the model's classes", it.ID, it.Label)
			}
			return example{id: it.ID, clip: it.Parent, a: i, b: -1, y: []float32{float32(c)}, class: c}, nil
		}
	case dataset.Regress:
		for _, t := range d.targets {
			if !slices.Contains(cat.Targets, t) {
				return fmt.Errorf("model: head %q names no target of the dataset (targets: %s)", t, strings.Join(cat.Targets, ", "))
			}
		}
		build = func(i int) (example, error) {
			it := cat.Items[i]
			y, raw := make([]float32, len(d.targets)), make([]float64, len(d.targets))
			for j, t := range d.targets {
				v, ok := it.Targets[t]
				if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
					return example{}, fmt.Errorf("%s: no value for target %q", it.ID, t)
				}
				y[j], raw[j] = float32(v), v
			}
			return example{id: it.ID, clip: it.Parent, a: i, b: -1, y: y, raw: raw}, nil
		}
	case dataset.Pairs:
		d.classes = []string{"different", "same"}
		build = func(i int) (example, error) {
			p := cat.Pairs[i]
			c := 0
			if p.Same {
				c = 1
			}
			return example{id: cat.Items[p.A].ID + "|" + cat.Items[p.B].ID, a: p.A, b: p.B, y: []float32{float32(c)}, class: c}, nil
		}
	}
	conv := func(idx []int) []example {
		out := make([]example, 0, len(idx))
		for _, i := range idx {
			ex, err := build(i)
			if err != nil {
				d.problems = append(d.problems, err.Error()+" (skipped)")
				continue
			}
			out = append(out, ex)
		}
		return out
	}
	d.train, d.val, d.test = conv(part.Train), conv(part.Val), conv(part.Test)
	return nil
}

// standardiseTargets standardises the regression targets of every example with norm, or,
// when norm is nil, with the mean and deviation of the training examples' targets (recorded
// in d.targetNorm and saved with the model).
func (d *data) standardiseTargets(norm *models.Norm) {
	if norm == nil {
		k := len(d.targets)
		norm = &models.Norm{Mean: make([]float32, k), Std: make([]float32, k)}
		for j := range k {
			var sum, sq float64
			for _, e := range d.train {
				sum += e.raw[j]
				sq += e.raw[j] * e.raw[j]
			}
			n := float64(max(len(d.train), 1))
			mean := sum / n
			std := math.Sqrt(max(sq/n-mean*mean, 0))
			if !(std > 1e-12) {
				std = 1
			}
			norm.Mean[j], norm.Std[j] = float32(mean), float32(std)
		}
	}
	d.targetNorm = norm
	for _, exs := range [][]example{d.train, d.val, d.test} {
		for i := range exs {
			for j, v := range exs[i].raw {
				exs[i].y[j] = float32((v - float64(norm.Mean[j])) / float64(norm.Std[j]))
			}
		}
	}
}

// unstandardise maps a standardised prediction of target j back to the target's units.
func (d *data) unstandardise(j int, v float32) float64 {
	if d.targetNorm == nil {
		return float64(v)
	}
	return float64(v)*float64(d.targetNorm.Std[j]) + float64(d.targetNorm.Mean[j])
}

// regressionTargets are the model's outputs: the names of a spec's heads; for a preset with
// named heads (multitask-cnn: valence, energy, danceability), those names when the dataset has
// them all, else one head per target of the dataset, so that the preset adapts to any data;
// without named heads, every target of the dataset in one head.
func regressionTargets(all []string, m ModelRef) (names []string, named bool) {
	var heads []models.Head
	if m.Spec != nil {
		heads = m.Spec.Heads
	} else if m.Preset != "" {
		if s, err := models.Preset(m.Preset, []int{1, 32, 32}, 2); err == nil {
			heads = s.Heads
		}
	}
	if len(heads) == 0 {
		return slices.Clone(all), false
	}
	for _, h := range heads {
		names = append(names, h.Name)
	}
	if m.Spec == nil && !allIn(names, all) {
		return slices.Clone(all), true
	}
	return names, true
}

func allIn(names, set []string) bool {
	for _, n := range names {
		if !slices.Contains(set, n) {
			return false
		}
	}
	return true
}

// carveVal holds out a seeded, stratified tenth of the training clips (or pairs) for
// validation, keeping a clip's segments together. It reports whether it held any out.
func (d *data) carveVal(seed uint64) bool {
	key := func(e example) string {
		if e.clip != "" {
			return e.clip
		}
		return e.id
	}
	type unit struct {
		key   string
		class string
	}
	var units []unit
	seen := map[string]bool{}
	for _, e := range d.train {
		k := key(e)
		if seen[k] {
			continue
		}
		seen[k] = true
		class := ""
		if d.task != dataset.Regress {
			class = strconv.Itoa(e.class)
		}
		units = append(units, unit{k, class})
	}
	byClass := map[string][]string{}
	for _, u := range units {
		byClass[u.class] = append(byClass[u.class], u.key)
	}
	classes := make([]string, 0, len(byClass))
	for c := range byClass {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	rng := rand.New(rand.NewPCG(seed, streamCarve))
	held := map[string]bool{}
	for _, c := range classes {
		keys := byClass[c]
		rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		n := int(math.Round(0.1 * float64(len(keys))))
		if n == len(keys) {
			n--
		}
		for _, k := range keys[:max(n, 0)] {
			held[k] = true
		}
	}
	if len(held) == 0 {
		return false
	}
	train := d.train[:0:0]
	for _, e := range d.train {
		if held[key(e)] {
			d.val = append(d.val, e)
		} else {
			train = append(train, e)
		}
	}
	d.train = train
	return true
}

// normalise standardises every input with norm, or when norm is nil with the training
// split's statistics (as fs.Normalize says), pads or crops it to the resolved number of
// frames and records the statistics.
func (d *data) normalise(fs FeatureSpec, norm *models.Norm) {
	used := d.usedItems(d.train)
	var mean, std []float64
	switch {
	case fs.Normalize == NormalizeNone:
	case norm != nil:
		d.norm = norm
	default:
		k := d.bins
		if fs.Normalize == NormalizeGlobal {
			k = 1
		}
		sum, sq := make([]float64, k), make([]float64, k)
		var n float64
		for _, i := range used {
			x, valid := d.inputs[i], min(d.lengths[i], d.frames)
			for t := range valid {
				for b, v := range x[t*d.bins : (t+1)*d.bins] {
					sum[b%k] += float64(v)
					sq[b%k] += float64(v) * float64(v)
				}
			}
			n += float64(valid * d.bins / k)
		}
		mean, std = make([]float64, k), make([]float64, k)
		for b := range k {
			if n == 0 {
				std[b] = 1
				continue
			}
			mean[b] = sum[b] / n
			v := sq[b]/n - mean[b]*mean[b]
			std[b] = math.Sqrt(max(v, 0))
			if std[b] < 1e-6 {
				std[b] = 1
			}
		}
		d.norm = &models.Norm{Mean: make([]float32, k), Std: make([]float32, k)}
		for b := range k {
			d.norm.Mean[b], d.norm.Std[b] = float32(mean[b]), float32(std[b])
		}
	}
	for i, x := range d.inputs {
		if x == nil {
			continue
		}
		d.inputs[i] = d.fit(x, d.lengths[i])
		if d.lengths[i] > d.frames {
			d.lengths[i] = d.frames
		}
	}
}

// fit applies the normalisation to the valid frames of x and pads with zeros or crops it to
// d.frames frames.
func (d *data) fit(x []float32, valid int) []float32 {
	return fitFrames(x, valid, d.frames, d.bins, d.norm)
}

// usedItems lists the item indices the examples read, sorted and unique.
func (d *data) usedItems(exs []example) []int {
	var out []int
	for _, e := range exs {
		out = append(out, e.a)
		if e.b >= 0 {
			out = append(out, e.b)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// drop removes the examples that read an unusable item.
func (d *data) drop() {
	keep := func(exs []example) []example {
		out := exs[:0:0]
		for _, e := range exs {
			if d.inputs[e.a] != nil && (e.b < 0 || d.inputs[e.b] != nil) {
				out = append(out, e)
			}
		}
		return out
	}
	d.train, d.val, d.test = keep(d.train), keep(d.val), keep(d.test)
}

// Fingerprint opens the dataset ref names and returns its content fingerprint, the one a run
// records in RunSpec.Dataset.Fingerprint (ref.Fingerprint is ignored), so that a caller can
// tell whether the data changed since a run without training again.
func Fingerprint(ctx context.Context, ref DatasetRef) (string, error) {
	cat, err := dataset.Open(ref.Spec)
	if err != nil {
		return "", fmt.Errorf("dataset: %w", err)
	}
	return fingerprint(ctx, cat, runtime.GOMAXPROCS(0))
}

// fingerprint is a SHA-256 over the catalog, item by item in ID order: ID, label, group,
// subset, targets, segment offset and length, and the size and SHA-256 of the file's
// contents; then every pair (the IDs of its items, same or different, subset). Contents, not
// modification times, so that a copied dataset keeps its fingerprint and an edited file
// changes it.
func fingerprint(ctx context.Context, cat *dataset.Catalog, threads int) (string, error) {
	paths := map[string]bool{}
	for _, it := range cat.Items {
		paths[it.Path] = true
	}
	list := make([]string, 0, len(paths))
	for p := range paths {
		list = append(list, p)
	}
	sort.Strings(list)
	sums := make([]string, len(list))
	err := parallel(ctx, len(list), threads, func(i int) {
		sums[i] = fileDigest(list[i])
	})
	if err != nil {
		return "", err
	}
	digest := map[string]string{}
	for i, p := range list {
		digest[p] = sums[i]
	}
	order := make([]int, len(cat.Items))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return cat.Items[order[a]].ID < cat.Items[order[b]].ID })
	h := sha256.New()
	for _, i := range order {
		it := cat.Items[i]
		keys := make([]string, 0, len(it.Targets))
		for k := range it.Targets {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var tg strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&tg, "%s=%s;", k, strconv.FormatFloat(it.Targets[k], 'g', -1, 64))
		}
		fmt.Fprintf(h, "item\x00%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00%d\x00%s\n",
			it.ID, it.Label, it.Group, it.Subset, tg.String(), it.Offset, it.Length, digest[it.Path])
	}
	for _, p := range cat.Pairs {
		fmt.Fprintf(h, "pair\x00%s\x00%s\x00%t\x00%s\n", cat.Items[p.A].ID, cat.Items[p.B].ID, p.Same, p.Subset)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// fileDigest is "size:sha256" of a file's contents, or the error text (an unreadable file
// still gets a stable digest; the feature step reports it).
func fileDigest(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unreadable"
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "unreadable"
	}
	return strconv.FormatInt(n, 10) + ":" + hex.EncodeToString(h.Sum(nil))
}

// parallel calls fn(i) for i in [0, n) on up to threads goroutines. Each index is handed out
// once; results are deterministic as long as fn writes only to slot i. Cancelling ctx stops
// handing out indices and returns ctx.Err().
func parallel(ctx context.Context, n, threads int, fn func(i int)) error {
	threads = max(1, min(threads, n))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// ticker rate-limits progress reports to about ten a second.
type ticker struct {
	last time.Time
}

// due reports whether a report may go out now (and, if so, starts a new period).
func (t *ticker) due() bool {
	now := time.Now()
	if now.Sub(t.last) < 100*time.Millisecond {
		return false
	}
	t.last = now
	return true
}

// isImages reports whether the catalog's items are image files.
func isImages(items []dataset.Item) bool {
	if len(items) == 0 {
		return false
	}
	switch strings.ToLower(filepath.Ext(items[0].Path)) {
	case ".jpg", ".jpeg", ".png", ".gif":
		return true
	}
	return false
}
