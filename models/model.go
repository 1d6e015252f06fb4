package models

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"runtime"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Options configure Build. Zero values mean the documented defaults.
type Options struct {
	// Seed drives weight initialisation and dropout masks.
	Seed uint64
	// Batch is the batch size the machines are compiled for (default 32). Step and Predict
	// accept any number of samples up to it.
	Batch int
	// Threads is the number of goroutines the kernels use (default GOMAXPROCS). Results do not
	// depend on it.
	Threads int
	// Optimizer configures Step.
	Optimizer Optimizer
}

// Model is a network built from a Spec, with its training and inference machines. A Model is
// not safe for concurrent use.
type Model struct {
	spec    Spec
	batch   int
	seed    uint64
	step    uint64
	active  int   // samples in the current batch; every op processes only these rows
	in      []int // one sample's shape (one pair member's, for a siamese model)
	towers  int   // trunk applications: 2 for a siamese model, else 1
	seq     bool  // the trunk has recurrent layers over a [T, F] input: lengths are tracked
	lengths [][]int32
	pool    *pool
	layers  []layer
	heads   []*head
	outputs int // predictions per sample, all heads
	targets int // targets per sample, all heads
	params  []*param
	states  []state
	// trunkParams and trunkStates count the leading params and states that belong to the
	// trunk (the rest are the heads').
	trunkParams, trunkStates int
	opt                      *optimizer
	train                    *machine
	predict                  *machine
}

// state is non-trainable saved data (batch-norm running statistics).
type state struct {
	name string
	data []float32
}

// machine is one compiled graph and its input and output buffers.
type machine struct {
	vm   G.VM
	xs   [][]float32 // the batch, or a siamese model's two towers' inputs
	y    []float32
	out  []float32
	loss []*G.F32 // per head
}

// Build compiles spec into a Model with freshly initialised weights.
func Build(spec Spec, opt Options) (*Model, error) {
	if opt.Batch == 0 {
		opt.Batch = 32
	}
	if opt.Batch < 0 {
		return nil, fmt.Errorf("model %q: batch %d must be positive", spec.Name, opt.Batch)
	}
	if opt.Threads <= 0 {
		opt.Threads = runtime.GOMAXPROCS(0)
	}
	o, err := newOptimizer(opt.Optimizer)
	if err != nil {
		return nil, fmt.Errorf("model %q: %w", spec.Name, err)
	}
	m := &Model{spec: spec, batch: opt.Batch, seed: opt.Seed, pool: newPool(opt.Threads), opt: o}
	if err := m.compile(); err != nil {
		return nil, fmt.Errorf("model %q: %w", spec.Name, err)
	}
	return m, nil
}

// compile turns the spec into layers, checking shapes and initialising parameters.
func (m *Model) compile() error {
	s := m.spec
	if len(s.Input) == 0 || len(s.Input) > 3 {
		return fmt.Errorf("input shape %v: want [C, H, W], [T, F] or [F]", s.Input)
	}
	for _, d := range s.Input {
		if d <= 0 {
			return fmt.Errorf("input shape %v: dimensions must be positive", s.Input)
		}
	}
	m.in = append([]int(nil), s.Input...)
	m.towers = 1
	if s.Siamese {
		m.towers = 2
	}
	rng := rand.New(rand.NewPCG(m.seed, 0x6861726b))
	var shape []int
	var err error
	if m.layers, shape, err = m.newLayers("", s.Layers, m.in, rng); err != nil {
		return err
	}
	m.trunkParams, m.trunkStates = len(m.params), len(m.states)
	for _, l := range m.layers {
		if _, ok := l.(*lstm); ok {
			m.seq = true
		}
	}
	if m.seq {
		m.lengths = make([][]int32, m.towers)
		for i := range m.lengths {
			m.lengths[i] = make([]int32, m.batch)
		}
	}
	if len(shape) != 1 {
		return fmt.Errorf("head: trunk output has shape %v; end the trunk with flatten, globalavgpool or a recurrent summary", shape)
	}
	seen := map[string]bool{}
	heads := s.AllHeads()
	for hi, hs := range heads {
		if err := m.addHead(hi, hs, len(heads), shape, seen, rng); err != nil {
			return err
		}
	}
	return nil
}

// addHead compiles one head on a trunk output of the given shape.
func (m *Model) addHead(hi int, hs Head, count int, shape []int, seen map[string]bool, rng *rand.Rand) error {
	errf := func(format string, a ...any) error {
		return fmt.Errorf("head %d (%q): %s", hi, hs.Name, fmt.Sprintf(format, a...))
	}
	switch hs.Kind {
	case HeadSoftmax, HeadSigmoid, HeadLinear:
	default:
		return errf("kind %q: want softmax, sigmoid or linear", hs.Kind)
	}
	minOut := 1
	if hs.Kind == HeadSoftmax {
		minOut = 2
	}
	if hs.Outputs < minOut {
		return errf("outputs %d: want at least %d", hs.Outputs, minOut)
	}
	if count > 1 && (hs.Name == "" || seen[hs.Name]) {
		return errf("the heads of a multitask model need unique, non-empty names")
	}
	seen[hs.Name] = true
	prefix := "head"
	if hs.Name != "" {
		prefix += "." + hs.Name
	}
	layers, hshape, err := m.newLayers(prefix+".", hs.Layers, shape, rng)
	if err != nil {
		return err
	}
	if len(hshape) != 1 {
		return errf("hidden layers end with shape %v; want a vector", hshape)
	}
	h := &head{name: hs.Name, kind: hs.Kind, k: hs.Outputs, layers: layers, off: m.outputs, toff: m.targets,
		d: newDense(prefix, hshape[0], hs.Outputs, ActLinear, rng)}
	m.params = append(m.params, h.d.w, h.d.bias)
	m.heads = append(m.heads, h)
	m.outputs += h.k
	m.targets += h.targetWidth()
	return nil
}

// newLayers compiles a list of layers on an input of shape in, naming them with prefix.
func (m *Model) newLayers(prefix string, specs []Layer, in []int, rng *rand.Rand) ([]layer, []int, error) {
	var out []layer
	shape := in
	for i, ls := range specs {
		name := ls.Name
		if name == "" {
			name = fmt.Sprintf("%s%d.%s", prefix, i, ls.Type)
		}
		first := len(m.params)
		l, next, err := m.newLayer(name, i, ls, shape, rng)
		if err != nil {
			return nil, nil, err
		}
		if ls.Frozen {
			for _, p := range m.params[first:] {
				p.frozen = true
			}
			if bn, ok := l.(*batchNorm); ok {
				bn.frozen = true
			}
		}
		out = append(out, l)
		shape = next
	}
	return out, shape, nil
}

func (m *Model) newLayer(name string, i int, ls Layer, in []int, rng *rand.Rand) (layer, []int, error) {
	errf := func(format string, a ...any) error {
		return fmt.Errorf("layer %d (%s %s): %s", i, ls.Type, name, fmt.Sprintf(format, a...))
	}
	if err := checkActivation(ls.Activation); err != nil {
		return nil, nil, errf("%v", err)
	}
	spatial := func() ([]int, error) {
		switch len(in) {
		case 3:
			return in, nil
		case 2:
			return []int{1, in[0], in[1]}, nil // a T×F input is a one-channel image
		}
		return nil, errf("needs a [C, H, W] or [T, F] input, got %v", in)
	}
	switch ls.Type {
	case LayerDense:
		if len(in) != 1 {
			return nil, nil, errf("input has shape %v; add a flatten layer first", in)
		}
		if ls.Units <= 0 {
			return nil, nil, errf("units %d must be positive", ls.Units)
		}
		d := newDense(name, in[0], ls.Units, ls.Activation, rng)
		m.params = append(m.params, d.w, d.bias)
		return d, []int{ls.Units}, nil
	case LayerConv2D:
		s, err := spatial()
		if err != nil {
			return nil, nil, err
		}
		k, err1 := pair(ls.Kernel, [2]int{3, 3}, "kernel", i)
		st, err2 := pair(ls.Stride, [2]int{1, 1}, "stride", i)
		pd, err3 := pair(ls.Padding, [2]int{0, 0}, "padding", i)
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, nil, err
		}
		if ls.Filters <= 0 || k[0] <= 0 || k[1] <= 0 || st[0] <= 0 || st[1] <= 0 || pd[0] < 0 || pd[1] < 0 {
			return nil, nil, errf("filters %d, kernel %v, stride %v, padding %v: filters, kernel and stride must be positive, padding not negative", ls.Filters, k, st, pd)
		}
		c := &conv{cin: s[0], h: s[1], w: s[2], cout: ls.Filters, kh: k[0], kw: k[1], sh: st[0], sw: st[1], ph: pd[0], pw: pd[1], act: ls.Activation}
		c.oh = (c.h+2*c.ph-c.kh)/c.sh + 1
		c.ow = (c.w+2*c.pw-c.kw)/c.sw + 1
		if c.h+2*c.ph < c.kh || c.w+2*c.pw < c.kw {
			return nil, nil, errf("kernel %v does not fit the %dx%d input", k, c.h, c.w)
		}
		c.wt = newParam(name+".w", true, c.cout, c.cin, c.kh, c.kw)
		c.bias = newParam(name+".b", false, c.cout)
		glorot(c.wt, c.cin*c.kh*c.kw, c.cout*c.kh*c.kw, rng)
		m.params = append(m.params, c.wt, c.bias)
		return c, []int{c.cout, c.oh, c.ow}, nil
	case LayerBatchNorm:
		mom, eps := ls.Momentum, ls.Epsilon
		if mom == 0 {
			mom = 0.99
		}
		if eps == 0 {
			eps = 1e-3
		}
		if mom < 0 || mom >= 1 || eps < 0 {
			return nil, nil, errf("momentum %v must be in [0, 1) and epsilon %v positive", mom, eps)
		}
		bn := newBatchNorm(name, in, mom, eps, ls.Activation)
		m.params = append(m.params, bn.gb)
		m.states = append(m.states, state{name + ".running_mean", bn.runMean}, state{name + ".running_var", bn.runVar})
		return bn, in, nil
	case LayerActivation:
		if ls.Activation == ActLinear {
			return nil, nil, errf("activation is empty")
		}
		return activation{ls.Activation}, in, nil
	case LayerMaxPool, LayerAvgPool:
		s, err := spatial()
		if err != nil {
			return nil, nil, err
		}
		k, err := pair(ls.Pool, [2]int{2, 2}, "pool", i)
		if err != nil {
			return nil, nil, err
		}
		st, err := pair(ls.Stride, k, "stride", i)
		if err != nil {
			return nil, nil, err
		}
		if k[0] <= 0 || k[1] <= 0 || st[0] <= 0 || st[1] <= 0 || k[0] > s[1] || k[1] > s[2] {
			return nil, nil, errf("pool %v, stride %v: must be positive and fit the %dx%d input", k, st, s[1], s[2])
		}
		p := &pool2d{max: ls.Type == LayerMaxPool, c: s[0], h: s[1], w: s[2], kh: k[0], kw: k[1], sh: st[0], sw: st[1]}
		p.oh, p.ow = (p.h-p.kh)/p.sh+1, (p.w-p.kw)/p.sw+1
		return p, []int{p.c, p.oh, p.ow}, nil
	case LayerGlobalAvgPool:
		s, err := spatial()
		if err != nil {
			return nil, nil, err
		}
		return globalAvgPool{c: s[0], inner: s[1] * s[2]}, []int{s[0]}, nil
	case LayerDropout:
		if ls.Rate < 0 || ls.Rate >= 1 {
			return nil, nil, errf("rate %v must be in [0, 1)", ls.Rate)
		}
		h := fnv.New64a()
		h.Write([]byte(name))
		return &dropout{rate: ls.Rate, salt: h.Sum64()}, in, nil
	case LayerFlatten:
		return flatten{}, []int{prod(in)}, nil
	case LayerLSTM:
		return m.newLSTM(name, ls, in, rng, errf)
	}
	return nil, nil, errf("unknown layer type")
}

// build compiles one machine.
func (m *Model) build(train bool) (*machine, error) {
	b := newBuilder(m, train)
	mc := &machine{}
	var feats []value
	for app := 0; app < m.towers; app++ {
		b.app = app
		xt, xbuf := b.alloc(b.batched(m.in)...)
		v := value{n: b.input(fmt.Sprintf("x%d", app), xt), buf: xbuf, shape: m.in}
		mc.xs = append(mc.xs, xbuf)
		var err error
		if v, err = buildLayers(b, m.layers, v); err != nil {
			return nil, err
		}
		feats = append(feats, v)
	}
	b.app = 0
	v := feats[0]
	if m.towers == 2 {
		var err error
		if v, err = absDiff(b, feats[0], feats[1]); err != nil {
			return nil, err
		}
	}
	var targets *G.Node
	var outT *tensor.Dense
	if train {
		var tt *tensor.Dense
		tt, mc.y = b.alloc(b.batch, m.targets)
		targets = b.input("targets", tt)
	} else {
		outT, mc.out = b.alloc(b.batch, m.outputs)
	}
	var losses []*G.Node
	for _, h := range m.heads {
		hv, err := buildLayers(b, h.layers, v)
		if err != nil {
			return nil, fmt.Errorf("head %q: %w", h.name, err)
		}
		logits, err := h.d.build(b, hv)
		if err != nil {
			return nil, fmt.Errorf("head %q: %w", h.name, err)
		}
		if !train {
			// Each head's op gets its own view of the shared output buffer.
			view := tensor.New(tensor.WithShape(outT.Shape()...), tensor.WithBacking(mc.out))
			if err := h.predictions(b, logits, view, mc.out, m.outputs); err != nil {
				return nil, err
			}
			continue
		}
		ln, lv, err := h.loss(b, logits, targets, mc.y, m.targets)
		if err != nil {
			return nil, err
		}
		losses = append(losses, ln)
		mc.loss = append(mc.loss, lv)
	}
	if train {
		if err := b.backprop(losses); err != nil {
			return nil, err
		}
	}
	prog, locs, err := G.Compile(b.g)
	if err != nil {
		return nil, fmt.Errorf("model graph: compile: %w", err)
	}
	mc.vm = G.NewTapeMachine(b.g, G.WithPrecompiled(prog, locs))
	return mc, nil
}

// buildLayers adds layers' ops in order.
func buildLayers(b *builder, ls []layer, v value) (value, error) {
	for i, l := range ls {
		var err error
		if v, err = l.build(b, v); err != nil {
			return value{}, fmt.Errorf("layer %d: %w", i, err)
		}
	}
	return v, nil
}

func (mc *machine) run() error {
	defer mc.vm.Reset()
	return mc.vm.RunAll()
}

// Spec returns the architecture the model was built from.
func (m *Model) Spec() Spec { return m.spec }

// Batch returns the batch size the machines were compiled for.
func (m *Model) Batch() int { return m.batch }

// Outputs returns the number of predictions per sample: the heads' outputs, concatenated in
// head order.
func (m *Model) Outputs() int { return m.outputs }

// SampleSize returns the number of input values per sample (both members of a pair for a
// siamese model).
func (m *Model) SampleSize() int { return m.towers * prod(m.in) }

// TargetSize returns the number of target values per sample Step expects, the heads' in head
// order: 1 (a class index) for a softmax head, its outputs for the others.
func (m *Model) TargetSize() int { return m.targets }

// HeadInfo describes one head's place in the predictions and targets of a sample.
type HeadInfo struct {
	Name    string
	Kind    string
	Outputs int
	// Offset is the head's first column in Predict's output; TargetOffset its first in Step's
	// targets.
	Offset, TargetOffset int
}

// Heads describes the model's heads in order.
func (m *Model) Heads() []HeadInfo {
	out := make([]HeadInfo, len(m.heads))
	for i, h := range m.heads {
		out[i] = HeadInfo{Name: h.name, Kind: h.kind, Outputs: h.k, Offset: h.off, TargetOffset: h.toff}
	}
	return out
}

// Steps returns the number of optimizer steps taken.
func (m *Model) Steps() uint64 { return m.step }

// NumParams returns the number of trainable values (as PyTorch counts parameters: batch-norm
// running statistics excluded; frozen parameters included).
func (m *Model) NumParams() int {
	n := 0
	for _, p := range m.params {
		n += len(p.data)
	}
	return n
}

// Batch is one batch of samples for StepBatch and PredictBatch.
type Batch struct {
	// X holds n samples of SampleSize values each, C order.
	X []float32
	// Y holds n*TargetSize targets (StepBatch only): class indices as float32 for softmax
	// heads, 0 or 1 for sigmoid heads, values for linear heads.
	Y []float32
	// Lengths, for a model with recurrent layers, holds the valid steps of each sample's
	// sequence (of each pair member's, for a siamese model: 2n values, in sample order); the
	// steps after them are padding that cannot affect any result. Nil infers each length from
	// zero padding: the steps after the last one with a non-zero feature are padding (as
	// Keras's Masking(0), but for trailing steps only), so pad with zeros after normalising.
	Lengths []int
}

// batchSize checks a batch's inputs and returns its number of samples.
func (m *Model) batchSize(bt Batch) (int, error) {
	per := m.SampleSize()
	if len(bt.X) == 0 || len(bt.X)%per != 0 {
		return 0, fmt.Errorf("input holds %d values, want a positive multiple of %d (shape %v)", len(bt.X), per, m.in)
	}
	n := len(bt.X) / per
	if bt.Lengths != nil {
		if !m.seq {
			return 0, errors.New("lengths given to a model without recurrent layers")
		}
		if len(bt.Lengths) != n*m.towers {
			return 0, fmt.Errorf("%d lengths for %d samples, want %d", len(bt.Lengths), n, n*m.towers)
		}
		for i, l := range bt.Lengths {
			if l < 0 || l > m.in[0] {
				return 0, fmt.Errorf("length %d is %d, want 0 to %d steps", i, l, m.in[0])
			}
		}
	}
	return n, nil
}

// load copies samples [lo, hi) of a batch into a machine's inputs and sets the active rows
// and the sequence lengths.
func (m *Model) load(mc *machine, bt Batch, lo, hi int) {
	per := prod(m.in)
	for i := lo; i < hi; i++ {
		for t, xs := range mc.xs {
			src := bt.X[(i*m.towers+t)*per : (i*m.towers+t+1)*per]
			copy(xs[(i-lo)*per:], src)
			if !m.seq {
				continue
			}
			if bt.Lengths != nil {
				m.lengths[t][i-lo] = int32(bt.Lengths[i*m.towers+t])
				continue
			}
			steps, f := m.in[0], m.in[1]
			for steps > 0 && allZero(src[(steps-1)*f:steps*f]) {
				steps--
			}
			m.lengths[t][i-lo] = int32(steps)
		}
	}
	m.active = hi - lo
}

func allZero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

// Step trains on one batch: forward, backward and an optimizer update with learning rate lr.
// x holds n samples (1 <= n <= Batch) of SampleSize values, C order; y holds n*TargetSize
// targets (class indices as float32 for softmax heads). It returns the batch's loss before
// the update: the mean over samples, summed over heads.
func (m *Model) Step(x, y []float32, lr float32) (float32, error) {
	return m.StepBatch(Batch{X: x, Y: y}, lr)
}

// StepBatch is Step with the whole Batch, for sequence lengths.
func (m *Model) StepBatch(bt Batch, lr float32) (float32, error) {
	loss, err := m.forwardBackward(bt)
	if err != nil {
		return 0, err
	}
	m.opt.update(m.params, lr, m.pool)
	m.step++
	return loss, nil
}

// HeadLosses returns each head's loss on the last training batch, in head order.
func (m *Model) HeadLosses() []float32 {
	if m.train == nil {
		return make([]float32, len(m.heads))
	}
	out := make([]float32, len(m.train.loss))
	for i, l := range m.train.loss {
		out[i] = float32(*l)
	}
	return out
}

// checkTargets validates a batch's targets against each head's kind.
func (m *Model) checkTargets(y []float32, n int) error {
	if len(y) != n*m.targets {
		return fmt.Errorf("%d targets for %d samples, want %d", len(y), n, n*m.targets)
	}
	for i, v := range y {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("target %d is %v", i, v)
		}
	}
	for _, h := range m.heads {
		for i := 0; i < n; i++ {
			for j := 0; j < h.targetWidth(); j++ {
				v := y[i*m.targets+h.toff+j]
				switch {
				case h.kind == HeadSoftmax && (v < 0 || int(v) >= h.k || float32(int(v)) != v):
					return fmt.Errorf("target %d (head %q) is %v, want a class index in [0, %d)", i*m.targets+h.toff+j, h.name, v, h.k)
				case h.kind == HeadSigmoid && v != 0 && v != 1:
					return fmt.Errorf("target %d (head %q) is %v, want 0 or 1", i*m.targets+h.toff+j, h.name, v)
				}
			}
		}
	}
	return nil
}

// forwardBackward runs the training machine: loss and gradients, no update.
func (m *Model) forwardBackward(bt Batch) (float32, error) {
	n, err := m.batchSize(bt)
	if err != nil {
		return 0, fmt.Errorf("train step: %w", err)
	}
	if n > m.batch {
		return 0, fmt.Errorf("train step: %d samples exceed the batch size %d", n, m.batch)
	}
	if err := m.checkTargets(bt.Y, n); err != nil {
		return 0, fmt.Errorf("train step: %w", err)
	}
	if m.train == nil {
		if m.train, err = m.build(true); err != nil {
			return 0, err
		}
	}
	m.load(m.train, bt, 0, n)
	copy(m.train.y, bt.Y)
	if err := m.train.run(); err != nil {
		return 0, fmt.Errorf("train step: %w", err)
	}
	var loss float32
	for _, l := range m.train.loss {
		loss += float32(*l)
	}
	return loss, nil
}

// Predict runs inference (batch-norm running statistics, no dropout) on any number of samples
// and writes Outputs values per sample to dst, which it returns: class probabilities for
// softmax heads, probabilities for sigmoid heads, values for linear heads. A nil or short dst
// is replaced by a new slice.
func (m *Model) Predict(dst, x []float32) ([]float32, error) {
	return m.PredictBatch(dst, Batch{X: x})
}

// PredictBatch is Predict with the whole Batch (its Y is ignored), for sequence lengths.
func (m *Model) PredictBatch(dst []float32, bt Batch) ([]float32, error) {
	n, err := m.batchSize(bt)
	if err != nil {
		return dst, fmt.Errorf("predict: %w", err)
	}
	if m.predict == nil {
		if m.predict, err = m.build(false); err != nil {
			return dst, err
		}
	}
	k := m.outputs
	if len(dst) < n*k {
		dst = make([]float32, n*k)
	}
	dst = dst[:n*k]
	for lo := 0; lo < n; lo += m.batch {
		hi := min(n, lo+m.batch)
		m.load(m.predict, bt, lo, hi)
		if err := m.predict.run(); err != nil {
			return dst, fmt.Errorf("predict: %w", err)
		}
		copy(dst[lo*k:hi*k], m.predict.out)
	}
	return dst, nil
}
