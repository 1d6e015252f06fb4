package train

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/models"
)

// ExtractFunc computes one feature configuration for whole audio files, returning one result
// or one error per path (in the order of paths) and calling progress as files finish. A
// feature cache plugs in here; Start extracts directly, in parallel, when it is nil.
type ExtractFunc func(ctx context.Context, paths []string, cfg extract.Config, progress func(done, total int)) ([]*extract.Result, []error)

// Options are how a run is carried out; unlike the RunSpec they never change its numbers.
type Options struct {
	// Dir is the folder the run writes its checkpoints and its best model (model.hark) into;
	// it is created. "" writes nothing: the run cannot be resumed and Result.Model is empty.
	Dir string
	// Threads bounds feature extraction and the model's kernels when the spec's
	// Train.Threads is 0; 0 means all cores.
	Threads int
	// Extract computes features of whole audio files (segments and images are always
	// computed directly); nil extracts directly on Threads workers.
	Extract ExtractFunc
}

func (o Options) threads(spec RunSpec) int {
	switch {
	case spec.Train.Threads > 0:
		return spec.Train.Threads
	case o.Threads > 0:
		return o.Threads
	}
	return runtime.GOMAXPROCS(0)
}

// Start validates spec and starts the run in its own goroutine. Errors in the spec itself (a
// bad field or value) are returned at once, naming the field; everything that needs the data
// (opening the dataset, features, building the model) happens in the run, whose failure
// arrives as RunFinished.Err. The run's events are on Run.Events.
func Start(ctx context.Context, id string, spec RunSpec, opt Options) (*Run, error) {
	rs, err := Resolve(spec)
	if err != nil {
		return nil, err
	}
	return Launch(ctx, id, rs, func(ctx context.Context, emit func(Event)) (*Result, error) {
		r := &runner{id: id, spec: rs, opt: opt, emit: emit}
		return r.run(ctx, nil)
	}), nil
}

// Resume continues the run whose checkpoints are in dir from its last checkpoint, with the
// spec it was started with. The resumed run ends with the metrics an uninterrupted run would
// have reached, bit for bit. opt.Dir "" means dir.
func Resume(ctx context.Context, id string, dir string, opt Options) (*Run, error) {
	st, err := readState(dir)
	if err != nil {
		return nil, err
	}
	if opt.Dir == "" {
		opt.Dir = dir
	}
	return Launch(ctx, id, st.Spec, func(ctx context.Context, emit func(Event)) (*Result, error) {
		r := &runner{id: id, spec: st.Spec, opt: opt, emit: emit}
		return r.run(ctx, st)
	}), nil
}

// Defaults.
const (
	defaultEpochs    = 30
	defaultBatch     = 32
	defaultLR        = 1e-3
	defaultImageSize = 105
)

// Layouts, normalisations and monitors a spec may name.
const (
	LayoutImage    = "image"
	LayoutSequence = "sequence"

	NormalizeBin    = "bin"
	NormalizeGlobal = "global"
	NormalizeNone   = "none"

	MonitorValLoss   = "val_loss"
	MonitorValMetric = "val_metric"

	// KindImage is the feature kind of image datasets (faces): grayscale, resized square.
	KindImage = "image"
	// KindNpy reads precomputed features from .npy files: (bins, frames) as librosa writes
	// them, or (frames,) for one bin; float32 or float64.
	KindNpy = "npy"
)

// Resolve checks a spec and fills in the documented defaults, returning the spec a run records.
// Errors name the field and the value. What depends on the data (the split chosen for "",
// Frames 0, the fingerprint) is filled in when the run has opened the dataset.
func Resolve(spec RunSpec) (RunSpec, error) {
	s := spec
	bad := func(field string, format string, a ...any) (RunSpec, error) {
		return RunSpec{}, fmt.Errorf("run spec: %s: %s", field, fmt.Sprintf(format, a...))
	}
	switch s.Version {
	case 0:
		s.Version = SpecVersion
	case SpecVersion:
	default:
		return RunSpec{}, &VersionError{Got: s.Version}
	}
	if s.Dataset.Spec.Root == "" {
		return bad("dataset.spec.root", "no dataset folder given")
	}
	switch s.Task {
	case "", string(dataset.Classify), string(dataset.Regress), string(dataset.Pairs):
	default:
		return bad("task", "%q: want classify, regress or pairs (or empty: the dataset's own)", s.Task)
	}
	if s.Split != "" {
		if _, err := dataset.ParseSplitSpec(s.Split); err != nil {
			return bad("split", "%v", err)
		}
		if sp, _ := dataset.ParseSplitSpec(s.Split); sp.Kind == dataset.SplitFolds || sp.Kind == dataset.SplitKFold {
			return bad("split", "%q is cross-validation: a run trains one partition (use fold:N)", s.Split)
		}
	}

	f := &s.Features
	if f.Config.Kind == "" && f.Config == (extract.Config{}) {
		f.Config = extract.Default("mel-db")
	}
	switch {
	case f.Config.Kind == KindNpy:
		if f.ImageSize != 0 {
			return bad("features.image_size", "%d is for image datasets, not precomputed features", f.ImageSize)
		}
		if f.Config != (extract.Config{Kind: KindNpy}) {
			return bad("features.config", "precomputed features (kind %q) take no extraction parameters", KindNpy)
		}
	case f.Config.Kind == KindImage:
		if f.ImageSize == 0 {
			f.ImageSize = defaultImageSize
		}
		if f.ImageSize < 4 || f.ImageSize > 1024 {
			return bad("features.image_size", "%d: want 4 to 1024 pixels", f.ImageSize)
		}
		if f.Normalize == "" {
			f.Normalize = NormalizeGlobal
		}
		if f.Frames != 0 && f.Frames != f.ImageSize {
			return bad("features.frames", "%d: images are image_size (%d) rows", f.Frames, f.ImageSize)
		}
		f.Frames = f.ImageSize
	default:
		fillConfig(&f.Config)
		if err := f.Config.Validate(); err != nil {
			return bad("features.config", "%v", err)
		}
		switch f.Config.Kind {
		case "wave", "beats", "vggish", "onset":
			if f.Config.Kind != "onset" || f.Config.BeatSync == "" {
				return bad("features.config.kind", "%q is not a matrix feature a model can read (want stft, mel, mel-db, mfcc, mfcc-delta, chroma or image)", f.Config.Kind)
			}
		}
		if f.ImageSize != 0 {
			return bad("features.image_size", "%d is for image datasets (kind %q), not %q", f.ImageSize, KindImage, f.Config.Kind)
		}
	}
	if f.Frames < 0 {
		return bad("features.frames", "%d: want a positive number of frames, or 0 for the longest training example", f.Frames)
	}
	switch f.Normalize {
	case "":
		f.Normalize = NormalizeBin
	case NormalizeBin, NormalizeGlobal, NormalizeNone:
	default:
		return bad("features.normalize", "%q: want bin, global or none", f.Normalize)
	}

	m := s.Model
	if m.Spec == nil && m.Preset == "" && m.From == "" {
		return bad("model", "no preset, spec or saved model (from) given")
	}
	if m.From != "" && (m.Spec != nil || m.Preset != "") {
		return bad("model.from", "give either a saved model to fine-tune or a preset/spec, not both")
	}
	if m.Spec == nil && m.Preset != "" && !slices.Contains(models.PresetNames(), m.Preset) {
		return bad("model.preset", "unknown preset %q (known: %v)", m.Preset, models.PresetNames())
	}
	switch f.Layout {
	case "":
		f.Layout = LayoutImage
		if recurrent(m) {
			f.Layout = LayoutSequence
		}
	case LayoutImage, LayoutSequence:
	default:
		return bad("features.layout", "%q: want image or sequence", f.Layout)
	}
	if f.Config.Kind == KindImage && f.Layout != LayoutImage {
		return bad("features.layout", "%q: images are fed as images", f.Layout)
	}
	if recurrent(m) && f.Layout != LayoutSequence {
		return bad("features.layout", "%q: a recurrent model reads sequences (layout sequence)", f.Layout)
	}

	t := &s.Train
	if t.Epochs == 0 {
		t.Epochs = defaultEpochs
	}
	if t.Batch == 0 {
		t.Batch = defaultBatch
	}
	if t.LR == 0 {
		t.LR = defaultLR
	}
	if t.CheckpointEvery == 0 {
		t.CheckpointEvery = 1
	}
	switch {
	case t.Epochs < 0:
		return bad("train.epochs", "%d: want at least 1", t.Epochs)
	case t.Batch < 0:
		return bad("train.batch", "%d: want at least 1", t.Batch)
	case !(t.LR > 0) || t.LR > 10:
		return bad("train.lr", "%g: want a positive learning rate", t.LR)
	case t.Threads < 0:
		return bad("train.threads", "%d: want 0 (all cores) or more", t.Threads)
	case t.CheckpointEvery < 0:
		return bad("train.checkpoint_every", "%d: want a positive number of epochs", t.CheckpointEvery)
	}
	switch t.Optimizer.Kind {
	case "", models.OptAdam, models.OptSGD, models.OptRMSProp:
	default:
		return bad("train.optimizer.kind", "%q: want adam, sgd or rmsprop", t.Optimizer.Kind)
	}
	if t.Optimizer.Kind == "" {
		t.Optimizer.Kind = models.OptAdam
	}
	if t.Optimizer.WeightDecay < 0 || t.Optimizer.ClipNorm < 0 || t.Optimizer.ClipValue < 0 || t.Optimizer.Momentum < 0 {
		return bad("train.optimizer", "weight decay, clipping and momentum must not be negative")
	}

	sc := &t.Schedule
	switch sc.Kind {
	case ScheduleNone:
	case SchedulePlateau:
		if sc.Factor == 0 {
			sc.Factor = 0.1
		}
		if sc.Patience == 0 {
			sc.Patience = 10
		}
		if sc.Monitor == "" {
			sc.Monitor = MonitorValLoss
		}
		switch {
		case !(sc.Factor > 0 && sc.Factor < 1):
			return bad("train.schedule.factor", "%g: want a factor between 0 and 1", sc.Factor)
		case sc.Patience < 0:
			return bad("train.schedule.patience", "%d: want at least 1 epoch", sc.Patience)
		case sc.MinLR < 0:
			return bad("train.schedule.min_lr", "%g: must not be negative", sc.MinLR)
		case sc.Monitor != MonitorValLoss && sc.Monitor != MonitorValMetric:
			return bad("train.schedule.monitor", "%q: want val_loss or val_metric", sc.Monitor)
		}
	case ScheduleStep:
		if sc.Gamma == 0 {
			sc.Gamma = 0.1
		}
		switch {
		case sc.Step <= 0:
			return bad("train.schedule.step", "%d: want the number of epochs between rate changes (at least 1)", sc.Step)
		case !(sc.Gamma > 0 && sc.Gamma <= 1):
			return bad("train.schedule.gamma", "%g: want a factor in (0, 1]", sc.Gamma)
		}
	default:
		return bad("train.schedule.kind", "%q: want plateau, step or empty (constant)", sc.Kind)
	}
	es := &t.EarlyStop
	if es.Monitor == "" {
		es.Monitor = MonitorValLoss
	}
	if es.Monitor != MonitorValLoss && es.Monitor != MonitorValMetric {
		return bad("train.early_stop.monitor", "%q: want val_loss or val_metric", es.Monitor)
	}
	if es.Patience < 0 {
		return bad("train.early_stop.patience", "%d: want 0 (off) or more epochs", es.Patience)
	}

	if a := s.Augment; a != nil {
		switch {
		case !(a.NoiseProb >= 0 && a.NoiseProb <= 1):
			return bad("augment.noise_prob", "%g: want a probability between 0 and 1", a.NoiseProb)
		case !(a.NoiseMax >= 0 && a.NoiseMax <= 10):
			return bad("augment.noise_max", "%g: want a volume between 0 and 10", a.NoiseMax)
		case !(a.GainDB >= 0 && a.GainDB <= 60):
			return bad("augment.gain_db", "%g: want decibels between 0 and 60", a.GainDB)
		case (a.Noise() || a.GainDB > 0) && (f.Config.Kind == KindImage || f.Config.Kind == KindNpy):
			return bad("augment", "noise and gain change audio clips: %s features have none", f.Config.Kind)
		case a.Shift < 0 || a.Shift > 60:
			return bad("augment.shift", "%g: want seconds between 0 and 60", a.Shift)
		case a.TimeMasks < 0 || a.TimeMaskWidth < 0 || (a.TimeMasks > 0 && a.TimeMaskWidth == 0):
			return bad("augment.time_masks", "%d masks of %d frames: want a positive count and width", a.TimeMasks, a.TimeMaskWidth)
		case a.FreqMasks < 0 || a.FreqMaskWidth < 0 || (a.FreqMasks > 0 && a.FreqMaskWidth == 0):
			return bad("augment.freq_masks", "%d masks of %d bins: want a positive count and width", a.FreqMasks, a.FreqMaskWidth)
		case a.Shift > 0 && f.Config.Kind == KindImage:
			return bad("augment.shift", "time shift does not apply to images")
		}
	}
	return s, nil
}

// fillConfig gives the fields of a feature config whose zero value is invalid their librosa
// defaults, so that {"kind": "mfcc", "sr": 8000} is a complete request. When neither n_fft nor
// hop is given, centring (librosa's default) is switched on too.
func fillConfig(c *extract.Config) {
	d := extract.Default(c.Kind)
	if c.NFFT == 0 && c.Hop == 0 {
		c.Center = true
	}
	fill := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	fill(&c.NFFT, d.NFFT)
	fill(&c.Hop, d.Hop)
	fill(&c.NMels, d.NMels)
	fill(&c.NMFCC, d.NMFCC)
	fill(&c.DeltaWidth, d.DeltaWidth)
	fill(&c.NChroma, d.NChroma)
	if c.Power == 0 {
		c.Power = d.Power
	}
	if c.TopDB == 0 {
		c.TopDB = d.TopDB
	}
	if c.MelNorm == "" {
		c.MelNorm = d.MelNorm
	}
	if c.Ref == "" {
		c.Ref = d.Ref
	}
}

// recurrent reports whether the model reference names a network with recurrent layers.
func recurrent(m ModelRef) bool {
	if m.Spec != nil {
		for _, l := range m.Spec.Layers {
			if l.Type == models.LayerLSTM {
				return true
			}
		}
		return false
	}
	return m.Preset == "bilstm"
}

// errNoData is returned when nothing is left to train on.
var errNoData = errors.New("no training examples left")

// CheckpointSpec returns the spec of the run whose checkpoints are in dir: what Resume would
// continue.
func CheckpointSpec(dir string) (RunSpec, error) {
	st, err := readState(dir)
	if err != nil {
		return RunSpec{}, err
	}
	return st.Spec, nil
}
