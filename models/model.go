package models

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	G "gorgonia.org/gorgonia"
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
	active  int // samples in the current batch; every op processes only these rows
	in      []int
	pool    *pool
	layers  []layer
	head    *head
	params  []*param
	states  []state
	opt     *optimizer
	train   *machine
	predict *machine
}

// state is non-trainable saved data (batch-norm running statistics).
type state struct {
	name string
	data []float32
}

// machine is one compiled graph and its input and output buffers.
type machine struct {
	vm      G.VM
	x, y    []float32
	out     []float32
	loss    *G.F32
	targets int
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
	rng := rand.New(rand.NewPCG(m.seed, 0x6861726b))
	shape := m.in
	for i, ls := range s.Layers {
		l, out, err := m.newLayer(i, ls, shape, rng)
		if err != nil {
			return err
		}
		m.layers = append(m.layers, l)
		shape = out
	}
	switch s.Head.Kind {
	case HeadSoftmax, HeadSigmoid, HeadLinear:
	default:
		return fmt.Errorf("head kind %q: want softmax, sigmoid or linear", s.Head.Kind)
	}
	minOut := 1
	if s.Head.Kind == HeadSoftmax {
		minOut = 2
	}
	if s.Head.Outputs < minOut {
		return fmt.Errorf("head outputs %d: want at least %d", s.Head.Outputs, minOut)
	}
	if len(shape) != 1 {
		return fmt.Errorf("head: trunk output has shape %v; end the trunk with flatten or globalavgpool", shape)
	}
	m.head = &head{kind: s.Head.Kind, k: s.Head.Outputs, d: newDense("head", shape[0], s.Head.Outputs, ActLinear, rng)}
	m.params = append(m.params, m.head.d.w, m.head.d.bias)
	return nil
}

func (m *Model) newLayer(i int, ls Layer, in []int, rng *rand.Rand) (layer, []int, error) {
	name := fmt.Sprintf("%d.%s", i, ls.Type)
	errf := func(format string, a ...any) error {
		return fmt.Errorf("layer %d (%s): %s", i, ls.Type, fmt.Sprintf(format, a...))
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
		bn := newBatchNorm(name, in, mom, eps)
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
		return &dropout{rate: ls.Rate, salt: 0x9e3779b97f4a7c15 * uint64(i+1)}, in, nil
	case LayerFlatten:
		return flatten{}, []int{prod(in)}, nil
	}
	return nil, nil, errf("unknown layer type")
}

// build compiles one machine.
func (m *Model) build(train bool) (*machine, error) {
	b := newBuilder(m, train)
	xt, xbuf := b.alloc(b.batched(m.in)...)
	v := value{n: b.input("x", xt), buf: xbuf, shape: m.in}
	var err error
	for i, l := range m.layers {
		if v, err = l.build(b, v); err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
	}
	if v.shape = []int{v.size()}; len(v.buf) != b.batch*v.size() {
		return nil, fmt.Errorf("trunk output buffer holds %d values, want %d", len(v.buf), b.batch*v.size())
	}
	logits, err := m.head.d.build(b, v)
	if err != nil {
		return nil, fmt.Errorf("head: %w", err)
	}
	mc := &machine{x: xbuf, targets: m.head.targetWidth()}
	if train {
		tt, tbuf := b.alloc(b.batch, mc.targets)
		lossNode, lv, err := m.head.loss(b, logits, b.input("targets", tt), tbuf)
		if err != nil {
			return nil, err
		}
		wrt := make(G.Nodes, len(m.params))
		for i, p := range m.params {
			wrt[i] = b.param(p)
		}
		if _, err := G.Grad(lossNode, wrt...); err != nil {
			return nil, fmt.Errorf("model graph: gradients: %w", err)
		}
		mc.y, mc.loss = tbuf, lv
	} else {
		_, out, err := m.head.predictions(b, logits)
		if err != nil {
			return nil, err
		}
		mc.out = out
	}
	prog, locs, err := G.Compile(b.g)
	if err != nil {
		return nil, fmt.Errorf("model graph: compile: %w", err)
	}
	mc.vm = G.NewTapeMachine(b.g, G.WithPrecompiled(prog, locs))
	return mc, nil
}

func (mc *machine) run() error {
	defer mc.vm.Reset()
	return mc.vm.RunAll()
}

// Spec returns the architecture the model was built from.
func (m *Model) Spec() Spec { return m.spec }

// Batch returns the batch size the machines were compiled for.
func (m *Model) Batch() int { return m.batch }

// Outputs returns the number of predictions per sample.
func (m *Model) Outputs() int { return m.head.k }

// SampleSize returns the number of input values per sample.
func (m *Model) SampleSize() int { return prod(m.in) }

// TargetSize returns the number of target values per sample Step expects: 1 (a class index)
// for softmax heads, Outputs otherwise.
func (m *Model) TargetSize() int { return m.head.targetWidth() }

// Steps returns the number of optimizer steps taken.
func (m *Model) Steps() uint64 { return m.step }

// NumParams returns the number of trainable values (as PyTorch counts parameters: batch-norm
// running statistics excluded).
func (m *Model) NumParams() int {
	n := 0
	for _, p := range m.params {
		n += len(p.data)
	}
	return n
}

// batchSize checks a batch's inputs and returns its number of samples.
func (m *Model) batchSize(x []float32) (int, error) {
	per := m.SampleSize()
	if len(x) == 0 || len(x)%per != 0 {
		return 0, fmt.Errorf("input holds %d values, want a positive multiple of %d (shape %v)", len(x), per, m.in)
	}
	return len(x) / per, nil
}

// Step trains on one batch: forward, backward and an optimizer update with learning rate lr.
// x holds n samples (1 <= n <= Batch) of SampleSize values, C order; y holds n*TargetSize
// targets (class indices as float32 for softmax heads). It returns the batch's mean loss before
// the update.
func (m *Model) Step(x, y []float32, lr float32) (float32, error) {
	loss, err := m.forwardBackward(x, y)
	if err != nil {
		return 0, err
	}
	m.opt.update(m.params, lr, m.pool)
	m.step++
	return loss, nil
}

// forwardBackward runs the training machine: loss and gradients, no update.
func (m *Model) forwardBackward(x, y []float32) (float32, error) {
	n, err := m.batchSize(x)
	if err != nil {
		return 0, fmt.Errorf("train step: %w", err)
	}
	if n > m.batch {
		return 0, fmt.Errorf("train step: %d samples exceed the batch size %d", n, m.batch)
	}
	tw := m.head.targetWidth()
	if len(y) != n*tw {
		return 0, fmt.Errorf("train step: %d targets for %d samples, want %d", len(y), n, n*tw)
	}
	for i, v := range y {
		switch {
		case math.IsNaN(float64(v)) || math.IsInf(float64(v), 0):
			return 0, fmt.Errorf("train step: target %d is %v", i, v)
		case m.head.kind == HeadSoftmax && (v < 0 || int(v) >= m.head.k || float32(int(v)) != v):
			return 0, fmt.Errorf("train step: target %d is %v, want a class index in [0, %d)", i, v, m.head.k)
		case m.head.kind == HeadSigmoid && v != 0 && v != 1:
			return 0, fmt.Errorf("train step: target %d is %v, want 0 or 1", i, v)
		}
	}
	if m.train == nil {
		if m.train, err = m.build(true); err != nil {
			return 0, err
		}
	}
	copy(m.train.x, x)
	copy(m.train.y, y)
	m.active = n
	if err := m.train.run(); err != nil {
		return 0, fmt.Errorf("train step: %w", err)
	}
	return float32(*m.train.loss), nil
}

// Predict runs inference (batch-norm running statistics, no dropout) on any number of samples
// and writes Outputs values per sample to dst, which it returns: class probabilities for
// softmax heads, probabilities for sigmoid heads, values for linear heads. A nil or short dst
// is replaced by a new slice.
func (m *Model) Predict(dst, x []float32) ([]float32, error) {
	n, err := m.batchSize(x)
	if err != nil {
		return dst, fmt.Errorf("predict: %w", err)
	}
	if m.predict == nil {
		if m.predict, err = m.build(false); err != nil {
			return dst, err
		}
	}
	k, per := m.head.k, m.SampleSize()
	if len(dst) < n*k {
		dst = make([]float32, n*k)
	}
	dst = dst[:n*k]
	for lo := 0; lo < n; lo += m.batch {
		hi := min(n, lo+m.batch)
		copy(m.predict.x, x[lo*per:hi*per])
		m.active = hi - lo
		if err := m.predict.run(); err != nil {
			return dst, fmt.Errorf("predict: %w", err)
		}
		copy(dst[lo*k:hi*k], m.predict.out)
	}
	return dst, nil
}
