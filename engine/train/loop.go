package train

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/models"
)

// runner carries one run from its spec to its result.
type runner struct {
	id      string
	spec    RunSpec
	opt     Options
	emit    func(Event)
	resumed bool

	mu   sync.Mutex // guards tick: progress is reported from extraction workers
	tick ticker
}

func (r *runner) threads() int { return r.opt.threads(r.spec) }

func (r *runner) header() Header { return Header{Run: r.id, Time: now()} }

// progress reports data preparation, at most about ten times a second plus each stage's end.
func (r *runner) progress(stage string, done, total int) {
	r.mu.Lock()
	ok := r.tick.due() || (total > 0 && done == total)
	r.mu.Unlock()
	if ok {
		r.emit(Preparing{Header: r.header(), Stage: stage, Done: done, Total: total})
	}
}

// progressState is where training stands after an epoch: what a checkpoint records besides
// the weights, and all the loop needs to go on exactly as if it had never stopped.
type progressState struct {
	// Epoch is the number of epochs done.
	Epoch int     `json:"epoch"`
	LR    float64 `json:"lr"`
	// Best is the best epoch by the early-stopping monitor (0 before the first), BestValue the
	// monitored value then, Wait the epochs since.
	Best      int      `json:"best"`
	BestValue *float64 `json:"best_value,omitempty"`
	Wait      int      `json:"wait"`
	// PlateauBest and PlateauWait are the plateau schedule's own record.
	PlateauBest *float64 `json:"plateau_best,omitempty"`
	PlateauWait int      `json:"plateau_wait"`
	// Seconds and Samples total the training steps' time and samples, for throughput.
	Seconds float64     `json:"seconds"`
	Samples int64       `json:"samples"`
	History []EpochDone `json:"history"`
}

// run prepares the data, builds or restores the model, trains and evaluates. st is the
// checkpoint a resumed run continues from, nil for a fresh run.
func (r *runner) run(ctx context.Context, st *checkpoint) (*Result, error) {
	r.resumed = st != nil
	d, err := r.prepare(ctx)
	if err != nil {
		return nil, err
	}
	meta := r.meta(d)
	var m *models.Model
	var best []byte
	ps := progressState{LR: r.spec.Train.LR}
	if st != nil {
		if m, best, err = st.load(models.Options{Batch: r.spec.Train.Batch, Threads: r.threads()}); err != nil {
			return nil, err
		}
		ps = st.Progress
	} else if m, err = r.network(d); err != nil {
		return nil, err
	}
	if r.opt.Dir != "" {
		if err := mkdir(r.opt.Dir); err != nil {
			return nil, err
		}
	}
	wave, err := r.newWaveAugmenter(d)
	if err != nil {
		return nil, err
	}
	r.emit(RunStarted{
		Header: r.header(), Spec: r.spec, Task: string(d.task), Classes: d.classes, Targets: d.targets,
		Sizes: map[string]int{"train": len(d.train), "val": len(d.val), "test": len(d.test)},
		Input: m.Spec().Input, Params: m.NumParams(), ResumedFrom: ps.Epoch, Problems: d.problems,
		ValFrom: d.valFrom,
	})
	t := &trainer{r: r, d: d, m: m, meta: meta, best: best, ps: ps, wave: wave}
	if err := t.loop(ctx); err != nil {
		return nil, err
	}
	final := t.m
	if t.best != nil {
		if final, _, err = models.Load(bytes.NewReader(t.best), models.Options{Batch: r.spec.Train.Batch, Threads: r.threads()}); err != nil {
			return nil, fmt.Errorf("restore the best weights: %w", err)
		}
	}
	res, err := r.evaluate(d, final, &t.ps)
	if err != nil {
		return nil, err
	}
	if r.opt.Dir != "" {
		path := modelPath(r.opt.Dir)
		if err := writeModel(path, final, meta); err != nil {
			return nil, err
		}
		res.Model = path
	}
	return res, nil
}

// trainer is the training loop's state.
type trainer struct {
	r    *runner
	d    *data
	m    *models.Model
	meta models.Meta
	// best is the best epoch's model, saved (weights, statistics, optimizer).
	best []byte
	// bestFile is the checkpoint file holding best, once written.
	bestFile string
	ps       progressState
	// probe are the training examples the training metric is measured on.
	probe []example
	// wave, when not nil, augments the training clips every epoch.
	wave *waveAugmenter
}

// loop trains until the last epoch, early stopping or ctx's cancellation, checkpointing as it
// goes. A cancelled run is not an error: the loop returns nil and the best model so far is
// evaluated.
func (t *trainer) loop(ctx context.Context) error {
	spec := t.r.spec.Train
	t.probe = t.d.probe(t.r.spec.Seed)
	for t.ps.Epoch < spec.Epochs {
		if spec.EarlyStop.Patience > 0 && t.ps.Wait >= spec.EarlyStop.Patience {
			break
		}
		if ctx.Err() != nil {
			break
		}
		epoch := t.ps.Epoch + 1
		if s := spec.Schedule; s.Kind == ScheduleStep {
			t.ps.LR = spec.LR * math.Pow(s.Gamma, float64((epoch-1)/s.Step))
		}
		start := time.Now()
		loss, n, done, err := t.epoch(ctx, epoch)
		if err != nil {
			return err
		}
		if !done {
			break // stopped mid-epoch: the partial epoch is not recorded
		}
		trainTime := time.Since(start).Seconds()
		ev, err := t.evalEpoch(epoch, loss)
		if err != nil {
			return err
		}
		ev.Seconds = time.Since(start).Seconds()
		ev.SamplesPerSecond = float64(n) / trainTime
		t.ps.Seconds += trainTime
		t.ps.Samples += int64(n)
		t.ps.Epoch = epoch
		stopNow := spec.EarlyStop.Patience > 0 && t.ps.Wait >= spec.EarlyStop.Patience
		if t.r.opt.Dir != "" && (epoch%spec.CheckpointEvery == 0 || epoch == spec.Epochs || stopNow) {
			ev.Checkpoint = statePath(t.r.opt.Dir)
			t.ps.History = append(t.ps.History, ev)
			if err := t.checkpoint(); err != nil {
				return err
			}
		} else {
			t.ps.History = append(t.ps.History, ev)
		}
		t.r.emit(ev)
	}
	return nil
}

// epoch runs one epoch of training steps in the epoch's seeded order. done is false when ctx
// was cancelled before the last batch.
func (t *trainer) epoch(ctx context.Context, epoch int) (loss float64, n int, done bool, err error) {
	r, d, m := t.r, t.d, t.m
	bs := r.spec.Train.Batch
	order := rand.New(rand.NewPCG(r.spec.Seed, streamShuffle+uint64(epoch))).Perm(len(d.train))
	aug := newAugmenter(r.spec, d, epoch)
	batches := (len(order) + bs - 1) / bs
	b := newBatcher(d, m, bs)
	if t.wave != nil {
		if b.inputs, b.lengths, err = t.wave.epoch(ctx, d, epoch, r.threads()); err != nil {
			return 0, 0, false, nil // stopped while augmenting
		}
	}
	var tick ticker
	tick.last = time.Now()
	start := time.Now()
	var sum float64
	for k := range batches {
		if ctx.Err() != nil {
			return 0, n, false, nil
		}
		idx := order[k*bs : min(len(order), (k+1)*bs)]
		bt := b.fill(d.train, idx, true)
		aug.apply(bt, b.lens, len(idx))
		l, err := m.StepBatch(bt, float32(t.ps.LR))
		if err != nil {
			return 0, n, false, fmt.Errorf("epoch %d, batch %d: %w", epoch, k+1, err)
		}
		if math.IsNaN(float64(l)) || math.IsInf(float64(l), 0) {
			return 0, n, false, fmt.Errorf("epoch %d, batch %d: the loss is %v: training diverged (lower train.lr)", epoch, k+1, l)
		}
		sum += float64(l) * float64(len(idx))
		n += len(idx)
		if tick.due() && k+1 < batches {
			r.emit(BatchDone{Header: r.header(), Epoch: epoch, Batch: k + 1, Batches: batches,
				Loss: sum / float64(n), SamplesPerSecond: float64(n) / time.Since(start).Seconds()})
		}
	}
	if n == 0 {
		return 0, 0, true, nil
	}
	return sum / float64(n), n, true, nil
}

// evalEpoch measures the epoch on the validation split and the training probe, and updates
// the best epoch, early stopping and the plateau schedule.
func (t *trainer) evalEpoch(epoch int, trainLoss float64) (EpochDone, error) {
	r, d, m := t.r, t.d, t.m
	spec := r.spec.Train
	ev := EpochDone{Header: r.header(), Epoch: epoch, Epochs: spec.Epochs, TrainLoss: trainLoss,
		Metric: d.metricName(), LR: t.ps.LR, ValLoss: math.NaN(), ValMetric: math.NaN()}
	out, err := predict(m, d, t.probe)
	if err != nil {
		return ev, err
	}
	_, ev.TrainMetric = d.score(m, t.probe, out)
	if len(d.val) > 0 {
		out, err := predict(m, d, d.val)
		if err != nil {
			return ev, err
		}
		ev.ValLoss, ev.ValMetric = d.score(m, d.val, out)
	}
	value := func(monitor string) (float64, bool) {
		switch {
		case monitor == MonitorValMetric && len(d.val) > 0:
			return ev.ValMetric, true
		case monitor == MonitorValMetric:
			return ev.TrainMetric, true
		case len(d.val) > 0:
			return ev.ValLoss, false
		}
		return ev.TrainLoss, false
	}
	better := func(v float64, higher bool, best *float64) bool {
		switch {
		case math.IsNaN(v):
			return false
		case best == nil:
			return true
		case higher:
			return v > *best
		}
		return v < *best
	}
	if v, higher := value(spec.EarlyStop.Monitor); better(v, higher, t.ps.BestValue) {
		t.ps.Best, t.ps.BestValue, t.ps.Wait = epoch, &v, 0
		var buf bytes.Buffer
		if err := m.Save(&buf, t.meta); err != nil {
			return ev, err
		}
		t.best = buf.Bytes()
	} else {
		t.ps.Wait++
	}
	if s := spec.Schedule; s.Kind == SchedulePlateau {
		if v, higher := value(s.Monitor); better(v, higher, t.ps.PlateauBest) {
			t.ps.PlateauBest, t.ps.PlateauWait = &v, 0
		} else if t.ps.PlateauWait++; t.ps.PlateauWait >= s.Patience && t.ps.LR > s.MinLR {
			t.ps.LR = max(t.ps.LR*s.Factor, s.MinLR)
			t.ps.PlateauWait = 0
		}
	}
	ev.Best, ev.Wait = t.ps.Best, t.ps.Wait
	return ev, nil
}

// metricName names the task metric of EpochDone.
func (d *data) metricName() string {
	switch d.task {
	case dataset.Regress:
		return "spearman"
	case dataset.Pairs:
		return "auc"
	}
	return "accuracy"
}

// probe picks the training examples the training metric is measured on: all of them up to
// 512, else a seeded sample of 512 (in training order), the same every epoch.
func (d *data) probe(seed uint64) []example {
	const most = 512
	if len(d.train) <= most {
		return d.train
	}
	idx := rand.New(rand.NewPCG(seed, streamProbe)).Perm(len(d.train))[:most]
	out := make([]example, most)
	for i, k := range sortedInts(idx) {
		out[i] = d.train[k]
	}
	return out
}
