package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/models"
)

// This file turns `hark train` flags into a train.RunSpec. Every RunSpec flag is kept as raw
// text and parsed after the command line, so that a bad value is a user error (exit 1) whose
// one line names the flag, the value and the problem, and so that only the flags given
// override a --recipe or a --spec file. Nothing here runs anything: resolve is pure.

// rawFlag is a flag's text and whether it was given.
type rawFlag struct {
	value string
	set   bool
}

func (r *rawFlag) String() string {
	if r == nil {
		return ""
	}
	return r.value
}

func (r *rawFlag) Set(v string) error { r.value, r.set = v, true; return nil }

// specFlag describes one RunSpec flag: its name, help and how it changes the spec.
type specFlag struct {
	name, usage string
	apply       func(s *train.RunSpec, v string) error
}

// specFlags lists the RunSpec flags in the order they are applied (later ones may refine what
// earlier ones set: --features before --segment, --optimizer before --momentum).
func specFlags() []specFlag {
	return []specFlag{
		{"data", "the dataset `DIR` (or a manifest or pair-list file)", applyData},
		{"layout", "force the dataset layout `NAME` instead of detecting it (" + layoutNames() + ")", applyLayout},
		{"preset-regex", "a built-in file-name labelling `NAME`: fsdd", func(s *train.RunSpec, v string) error {
			s.Dataset.Spec.Preset = v
			return nil
		}},
		{"regex", "label files by name: a regular `EXPR` with named groups label, group, take, fold", applyRegex},
		{"task", "the `TASK`: classify, regress or pairs (default: the dataset's own; a manifest with labels and targets can be either)", func(s *train.RunSpec, v string) error {
			switch v {
			case "", "auto":
				s.Task = ""
			case string(dataset.Classify), string(dataset.Regress), string(dataset.Pairs):
				s.Task = v
			default:
				return errors.New("want classify, regress or pairs")
			}
			return nil
		}},
		{"split", "the `SPEC`: random[:0.8,0.1,0.1], group[:0.8,0.2], lists, fsdd, fold:N, holdout-group:NAME (default: the dataset's own split, else a seeded stratified 80/10/10)", applySplit},
		{"features", "the feature `SPEC`: KIND[:key=value,...] (see above)", applyFeatures},
		{"segment", "cut clips into segments: `LEN` (as many as fit, e.g. 5s) or COUNTxLEN (6x5s); none for whole clips", applySegment},
		{"model", "a preset `NAME` (" + strings.Join(models.PresetNames(), ", ") + "), a JSON architecture file, or a saved .hark model to fine-tune", applyModel},
		{"freeze", "layers kept fixed while fine-tuning: comma-separated `SELECTORS` (a layer name such as 0.conv2d, or a type such as conv2d)", applyFreeze},
		{"epochs", "the most epochs to run `N` (default 30)", intField("epochs", 1, func(s *train.RunSpec) *int { return &s.Train.Epochs })},
		{"batch", "the batch size `N` (default 32)", intField("batch", 1, func(s *train.RunSpec) *int { return &s.Train.Batch })},
		{"lr", "the initial learning `RATE` (default 1e-3)", applyLR},
		{"optimizer", "the update rule `KIND`: adam (default), sgd or rmsprop", applyOptimizer},
		{"momentum", "SGD momentum `M` in [0, 1)", applyMomentum},
		{"weight-decay", "L2 weight decay `W` on kernels (PyTorch's weight_decay; Keras's l2(λ) is 2λ)", applyWeightDecay},
		{"clip-norm", "clip the global gradient norm to `N` (0: no clipping)", applyClipNorm},
		{"schedule", "learning-rate `SCHEDULE`: plateau[:factor=0.1,patience=10,monitor=val_loss,min_lr=0], step:step=10[,gamma=0.1], or none", applySchedule},
		{"early-stop", "early stopping `SPEC`: patience=N[,monitor=val_loss|val_metric], N, or none", applyEarlyStop},
		{"augment", "training-time augmentation `SPEC`: noise=PROB:MAX,shift=SECONDS,gain=DB,time-masks=NxW,freq-masks=NxW, or none", applyAugment},
		{"seed", "the `SEED` of every random choice: split, initialisation, shuffling, dropout, augmentation (default 1)", applySeed},
		{"threads", "kernel goroutines `N` (0: all cores); results do not depend on it", intField("threads", 0, func(s *train.RunSpec) *int { return &s.Train.Threads })},
		{"name", "a `LABEL` for the run (run lists, grid tables); it changes nothing", func(s *train.RunSpec, v string) error {
			s.Name = v
			return nil
		}},
	}
}

// runFlags holds the RunSpec flags of one command line.
type runFlags struct {
	raw    map[string]*rawFlag
	spec   rawFlag // --spec FILE
	recipe rawFlag // --recipe NAME
}

// addRunFlags registers the RunSpec flags, --spec and --recipe on fs.
func addRunFlags(fs *flag.FlagSet) *runFlags {
	rf := &runFlags{raw: map[string]*rawFlag{}}
	for _, f := range specFlags() {
		r := &rawFlag{}
		rf.raw[f.name] = r
		fs.Var(r, f.name, f.usage)
	}
	fs.Var(&rf.recipe, "recipe", "start from a seed system's settings `NAME` (see above); flags override them")
	fs.Var(&rf.spec, "spec", "start from a full RunSpec JSON `FILE` (as --print-spec writes it); flags override it")
	return rf
}

// clone returns a copy whose values can be changed (a grid cell) without touching rf.
func (rf *runFlags) clone() *runFlags {
	c := &runFlags{raw: map[string]*rawFlag{}, spec: rf.spec, recipe: rf.recipe}
	for k, v := range rf.raw {
		vv := *v
		c.raw[k] = &vv
	}
	return c
}

// flagError is a bad flag value: a user error (exit 1).
type flagError struct{ msg string }

func (e *flagError) Error() string { return e.msg }

func badValue(name, value, format string, a ...any) error {
	return &flagError{fmt.Sprintf("--%s %q: %s", name, value, fmt.Sprintf(format, a...))}
}

// resolve builds the RunSpec: the --spec file, else the recipe's spec (train.Recipes), else
// train.DefaultSpec, then every flag given, in specFlags order. Errors are *flagError.
func (rf *runFlags) resolve() (train.RunSpec, error) {
	var s train.RunSpec
	values := map[string]string{}
	switch {
	case rf.spec.set && rf.recipe.set:
		return s, &flagError{"--spec and --recipe: choose one (a spec file already holds every setting)"}
	case rf.spec.set:
		b, err := os.ReadFile(rf.spec.value)
		if err != nil {
			return s, badValue("spec", rf.spec.value, "%v", unwrapPath(err))
		}
		if s, err = train.ParseRunSpec(b); err != nil {
			return s, badValue("spec", rf.spec.value, "%v", err)
		}
	case rf.recipe.set:
		r, ok := train.FindRecipe(rf.recipe.value)
		if !ok {
			return s, badValue("recipe", rf.recipe.value, "unknown recipe (known: %s)", strings.Join(recipeNames(), ", "))
		}
		s = r.Spec
	default:
		s = train.DefaultSpec()
	}
	for name, r := range rf.raw {
		if r.set {
			values[name] = r.value
		}
	}
	for _, f := range specFlags() {
		v, ok := values[f.name]
		if !ok {
			continue
		}
		if err := f.apply(&s, v); err != nil {
			var fe *flagError
			if errors.As(err, &fe) {
				return s, err
			}
			return s, badValue(f.name, v, "%v", err)
		}
	}
	if s.Dataset.Spec.Layout == dataset.LayoutSpeechCommands12 && s.Dataset.Spec.Keywords == nil {
		s.Dataset.Spec.Keywords = &dataset.KeywordSpec{Seed: s.Seed}
	}
	return s, nil
}

func layoutNames() string {
	var names []string
	for _, l := range dataset.Layouts() {
		names = append(names, l.Name)
	}
	return strings.Join(names, ", ")
}

func applyData(s *train.RunSpec, v string) error {
	if v == "" {
		return errors.New("empty path")
	}
	if _, err := os.Stat(v); err != nil {
		return unwrapPath(err)
	}
	s.Dataset.Spec.Root = v
	s.Dataset.Fingerprint = ""
	return nil
}

func applyLayout(s *train.RunSpec, v string) error {
	for _, l := range dataset.Layouts() {
		if l.Name == v {
			s.Dataset.Spec.Layout = v
			return nil
		}
	}
	if v == "" || v == "auto" {
		s.Dataset.Spec.Layout = ""
		return nil
	}
	return fmt.Errorf("unknown layout (known: %s)", layoutNames())
}

func applyRegex(s *train.RunSpec, v string) error {
	if v != "" {
		if _, err := compileRegex(v); err != nil {
			return err
		}
	}
	s.Dataset.Spec.Regex = v
	return nil
}

func applySplit(s *train.RunSpec, v string) error {
	if v == "" || v == "default" {
		s.Split = ""
		return nil
	}
	sp, err := dataset.ParseSplitSpec(v)
	if err != nil {
		// ParseSplitSpec's message already quotes the value.
		msg := strings.TrimPrefix(err.Error(), fmt.Sprintf("split %q: ", v))
		return errors.New(msg)
	}
	s.Split = sp.String()
	if s.Split == "" {
		s.Split = v
	}
	return nil
}

func applySegment(s *train.RunSpec, v string) error {
	if v == "" || v == "none" || v == "0" {
		s.Dataset.Spec.Segments = dataset.SegmentSpec{}
		return nil
	}
	seg, err := parseSegment(v)
	if err != nil {
		return err
	}
	s.Dataset.Spec.Segments = seg
	return nil
}

func applyModel(s *train.RunSpec, v string) error {
	ref, err := parseModelRef(v)
	if err != nil {
		return err
	}
	ref.Freeze = s.Model.Freeze
	s.Model = ref
	return nil
}

// modelMagic starts every saved model file (models.Save).
const modelMagic = "HARKMODEL1\n"

// isModelFile reports whether path is a saved Hark model.
func isModelFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, len(modelMagic))
	n, _ := f.Read(b)
	return string(b[:n]) == modelMagic
}

// parseModelRef reads --model: a preset, a saved model (transfer learning) or a spec file.
func parseModelRef(v string) (train.ModelRef, error) {
	if slices.Contains(models.PresetNames(), v) {
		return train.ModelRef{Preset: v}, nil
	}
	st, err := os.Stat(v)
	if err != nil || st.IsDir() {
		return train.ModelRef{}, fmt.Errorf("neither a preset (%s) nor a readable model or spec file", strings.Join(models.PresetNames(), ", "))
	}
	if isModelFile(v) {
		return train.ModelRef{From: v}, nil
	}
	spec, err := models.LoadSpec(v)
	if err != nil {
		return train.ModelRef{}, errors.New(strings.TrimPrefix(err.Error(), "model spec "+v+": "))
	}
	if len(spec.Layers) == 0 && len(spec.Heads) == 0 && spec.Head.Kind == "" {
		return train.ModelRef{}, errors.New("the JSON file holds no layers and no head: not a model spec")
	}
	return train.ModelRef{Spec: &spec}, nil
}

func applyFreeze(s *train.RunSpec, v string) error {
	s.Model.Freeze = nil
	if v == "" || v == "none" {
		return nil
	}
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			return errors.New("an empty selector")
		}
		s.Model.Freeze = append(s.Model.Freeze, p)
	}
	return nil
}

// intField applies an integer flag of at least lo.
func intField(name string, lo int, field func(*train.RunSpec) *int) func(*train.RunSpec, string) error {
	return func(s *train.RunSpec, v string) error {
		n, err := parseInt(v, lo)
		if err != nil {
			return err
		}
		*field(s) = n
		return nil
	}
}

func parseInt(v string, lo int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, errors.New("not a whole number")
	}
	if n < lo {
		if lo == 1 {
			return 0, errors.New("must be positive")
		}
		return 0, fmt.Errorf("must be at least %d", lo)
	}
	return n, nil
}

// parseFloat reads a finite number in [lo, hi] (hi NaN: no bound); open excludes lo.
func parseFloat(v string, lo float64, open bool) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errors.New("not a number")
	}
	if f < lo || (open && f == lo) {
		if open && lo == 0 {
			return 0, errors.New("must be positive")
		}
		return 0, fmt.Errorf("must not be below %g", lo)
	}
	return f, nil
}

func applyLR(s *train.RunSpec, v string) error {
	f, err := parseFloat(v, 0, true)
	if err != nil {
		return err
	}
	if f > 10 {
		return errors.New("a learning rate above 10 cannot train")
	}
	s.Train.LR = f
	return nil
}

func applyOptimizer(s *train.RunSpec, v string) error {
	switch v {
	case models.OptAdam, models.OptSGD, models.OptRMSProp:
		s.Train.Optimizer.Kind = v
		return nil
	}
	return errors.New("unknown optimizer (want adam, sgd or rmsprop)")
}

func applyMomentum(s *train.RunSpec, v string) error {
	f, err := parseFloat(v, 0, false)
	if err != nil {
		return err
	}
	if f >= 1 {
		return errors.New("must be in [0, 1)")
	}
	s.Train.Optimizer.Momentum = float32(f)
	return nil
}

func applyWeightDecay(s *train.RunSpec, v string) error {
	f, err := parseFloat(v, 0, false)
	if err != nil {
		return err
	}
	s.Train.Optimizer.WeightDecay = float32(f)
	return nil
}

func applyClipNorm(s *train.RunSpec, v string) error {
	f, err := parseFloat(v, 0, false)
	if err != nil {
		return err
	}
	s.Train.Optimizer.ClipNorm = float32(f)
	return nil
}

func applySeed(s *train.RunSpec, v string) error {
	n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return errors.New("not a non-negative whole number")
	}
	s.Seed = n
	return nil
}

// keyValues splits "a=1,b=2" into ordered pairs; every part must have a key and a value.
func keyValues(v string) ([][2]string, error) {
	var out [][2]string
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	for _, part := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.TrimSpace(val) == "" {
			return nil, fmt.Errorf("%q is not key=value", part)
		}
		out = append(out, [2]string{k, strings.TrimSpace(val)})
	}
	return out, nil
}

// featureKeys lists extract.Config's settable fields by JSON name.
func featureKeys() map[string]int {
	t := reflect.TypeFor[extract.Config]()
	keys := map[string]int{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "kind" {
			keys[name] = i
		}
	}
	return keys
}

// featureExtras are the --features keys that are not extract.Config fields.
var featureExtras = []string{"frames", "layout", "normalize", "image_size"}

func knownFeatureKeys() string {
	var names []string
	for k := range featureKeys() {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(append(names, featureExtras...), ", ")
}

// parseFeatures reads --features: KIND[:key=value,...] with keys named as extract.Config's JSON
// tags (hyphens accepted for underscores), plus frames, layout, normalize and image_size.
// Values not given are librosa's defaults for the kind.
func parseFeatures(v string) (train.FeatureSpec, error) {
	var fs train.FeatureSpec
	kind, rest, _ := strings.Cut(strings.TrimSpace(v), ":")
	kind = strings.TrimSpace(kind)
	switch kind {
	case "image", "npy":
		fs.Config = extract.Config{Kind: kind}
	default:
		if !slices.Contains(extract.Kinds(), kind) {
			return fs, fmt.Errorf("unknown feature kind %q (one of %s, image, npy)", kind, strings.Join(extract.Kinds(), ", "))
		}
		switch kind {
		case "wave", "beats", "vggish":
			return fs, fmt.Errorf("feature kind %q is not a matrix a model can learn from (use mel-db, mfcc, stft, chroma, ...; for VGGish inputs: mel-db:sr=16000,n_fft=512,win=400,hop=160,n_mels=64,fmin=125,fmax=7500,frames=96 with --segment 0.96s)", kind)
		}
		fs.Config = extract.Default(kind)
	}
	kvs, err := keyValues(rest)
	if err != nil {
		return fs, err
	}
	keys := featureKeys()
	cv := reflect.ValueOf(&fs.Config).Elem()
	for _, kv := range kvs {
		key, val := strings.ReplaceAll(kv[0], "-", "_"), kv[1]
		switch key {
		case "frames":
			if fs.Frames, err = parseInt(val, 0); err != nil {
				return fs, fmt.Errorf("frames %q: %v", val, err)
			}
			continue
		case "layout":
			if val != "image" && val != "sequence" {
				return fs, fmt.Errorf("layout %q: want image or sequence", val)
			}
			fs.Layout = val
			continue
		case "normalize", "normalise", "norm":
			if val != "bin" && val != "global" && val != "none" {
				return fs, fmt.Errorf("normalize %q: want bin, global or none", val)
			}
			fs.Normalize = val
			continue
		case "image_size", "size":
			if fs.ImageSize, err = parseInt(val, 1); err != nil {
				return fs, fmt.Errorf("image_size %q: %v", val, err)
			}
			continue
		}
		i, ok := keys[key]
		if !ok || kind == "image" || kind == "npy" {
			if ok {
				return fs, fmt.Errorf("key %q does not apply to %s features (only frames, layout, normalize%s)", kv[0], kind, map[bool]string{true: ", image_size"}[kind == "image"])
			}
			return fs, fmt.Errorf("unknown key %q (known: %s)", kv[0], knownFeatureKeys())
		}
		f := cv.Field(i)
		switch f.Kind() {
		case reflect.Int:
			n, err := strconv.Atoi(val)
			if err != nil {
				return fs, fmt.Errorf("%s %q: not a whole number", key, val)
			}
			f.SetInt(int64(n))
		case reflect.Float64:
			x, err := strconv.ParseFloat(val, 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return fs, fmt.Errorf("%s %q: not a number", key, val)
			}
			f.SetFloat(x)
		case reflect.Bool:
			b, err := strconv.ParseBool(val)
			if err != nil {
				return fs, fmt.Errorf("%s %q: want true or false", key, val)
			}
			f.SetBool(b)
		case reflect.String:
			f.SetString(val)
		}
	}
	if kind != "image" && kind != "npy" {
		if err := fs.Config.Validate(); err != nil {
			return fs, err
		}
		if kind == "onset" && fs.Config.BeatSync == "" {
			return fs, errors.New("onset strength is one row per frame: a model can learn from it beat-synchronised only (beat_sync=median or mean)")
		}
	}
	return fs, nil
}

func applyFeatures(s *train.RunSpec, v string) error {
	fs, err := parseFeatures(v)
	if err != nil {
		return err
	}
	s.Features = fs
	return nil
}

// parseSchedule reads --schedule.
func parseSchedule(v string) (train.Schedule, error) {
	var sc train.Schedule
	kind, rest, _ := strings.Cut(strings.TrimSpace(v), ":")
	switch kind {
	case "", "none", "constant":
		if rest != "" {
			return sc, fmt.Errorf("%s takes no settings", kind)
		}
		return sc, nil
	case train.SchedulePlateau, train.ScheduleStep:
		sc.Kind = kind
	default:
		return sc, fmt.Errorf("unknown schedule %q (want plateau, step or none)", kind)
	}
	kvs, err := keyValues(rest)
	if err != nil {
		return sc, err
	}
	for _, kv := range kvs {
		key, val := strings.ReplaceAll(kv[0], "-", "_"), kv[1]
		bad := func(what string) error { return fmt.Errorf("%s %q: %s", key, val, what) }
		switch {
		case kind == train.SchedulePlateau && key == "factor":
			f, err := strconv.ParseFloat(val, 64)
			if err != nil || !(f > 0 && f < 1) {
				return sc, bad("want a number in (0, 1)")
			}
			sc.Factor = f
		case kind == train.SchedulePlateau && key == "patience":
			if sc.Patience, err = parseInt(val, 1); err != nil {
				return sc, bad(err.Error())
			}
		case kind == train.SchedulePlateau && key == "monitor":
			if val != "val_loss" && val != "val_metric" {
				return sc, bad("want val_loss or val_metric")
			}
			sc.Monitor = val
		case kind == train.SchedulePlateau && key == "min_lr":
			if sc.MinLR, err = parseFloat(val, 0, false); err != nil {
				return sc, bad(err.Error())
			}
		case kind == train.ScheduleStep && key == "step":
			if sc.Step, err = parseInt(val, 1); err != nil {
				return sc, bad(err.Error())
			}
		case kind == train.ScheduleStep && key == "gamma":
			f, err := strconv.ParseFloat(val, 64)
			if err != nil || !(f > 0 && f <= 1) {
				return sc, bad("want a number in (0, 1]")
			}
			sc.Gamma = f
		default:
			known := "factor, patience, monitor, min_lr"
			if kind == train.ScheduleStep {
				known = "step, gamma"
			}
			return sc, fmt.Errorf("unknown %s setting %q (known: %s)", kind, kv[0], known)
		}
	}
	if kind == train.ScheduleStep && sc.Step == 0 {
		return sc, errors.New("step schedule needs step=N (epochs between decays)")
	}
	return sc, nil
}

func applySchedule(s *train.RunSpec, v string) error {
	sc, err := parseSchedule(v)
	if err != nil {
		return err
	}
	s.Train.Schedule = sc
	return nil
}

// parseEarlyStop reads --early-stop: "patience=8[,monitor=val_loss]", "8" or "none".
func parseEarlyStop(v string) (train.EarlyStop, error) {
	var es train.EarlyStop
	v = strings.TrimSpace(v)
	switch v {
	case "", "none", "off", "0":
		return es, nil
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return es, errors.New("patience must not be negative")
		}
		es.Patience = n
		return es, nil
	}
	kvs, err := keyValues(v)
	if err != nil {
		return es, err
	}
	for _, kv := range kvs {
		switch kv[0] {
		case "patience":
			if es.Patience, err = parseInt(kv[1], 1); err != nil {
				return es, fmt.Errorf("patience %q: %v", kv[1], err)
			}
		case "monitor":
			if kv[1] != "val_loss" && kv[1] != "val_metric" {
				return es, fmt.Errorf("monitor %q: want val_loss or val_metric", kv[1])
			}
			es.Monitor = kv[1]
		default:
			return es, fmt.Errorf("unknown setting %q (known: patience, monitor)", kv[0])
		}
	}
	if es.Patience == 0 {
		return es, errors.New("needs patience=N")
	}
	return es, nil
}

func applyEarlyStop(s *train.RunSpec, v string) error {
	es, err := parseEarlyStop(v)
	if err != nil {
		return err
	}
	s.Train.EarlyStop = es
	return nil
}

// parseAugment reads --augment; "none" is nil.
func parseAugment(v string) (*train.AugmentSpec, error) {
	v = strings.TrimSpace(v)
	if v == "" || v == "none" || v == "off" {
		return nil, nil
	}
	kvs, err := keyValues(v)
	if err != nil {
		return nil, err
	}
	a := &train.AugmentSpec{}
	masks := func(key, val string) (n, w int, err error) {
		ns, ws, ok := strings.Cut(val, "x")
		if !ok {
			return 0, 0, fmt.Errorf("%s %q: want COUNTxWIDTH, e.g. 2x10", key, val)
		}
		if n, err = parseInt(ns, 0); err != nil {
			return 0, 0, fmt.Errorf("%s %q: count %v", key, val, err)
		}
		if w, err = parseInt(ws, 1); err != nil {
			return 0, 0, fmt.Errorf("%s %q: width %v", key, val, err)
		}
		return n, w, nil
	}
	for _, kv := range kvs {
		key, val := strings.ReplaceAll(kv[0], "_", "-"), kv[1]
		switch key {
		case "noise":
			ps, ms, ok := strings.Cut(val, ":")
			if !ok {
				return nil, fmt.Errorf("noise %q: want PROBABILITY:MAX_VOLUME, e.g. 0.8:0.1", val)
			}
			p, err1 := strconv.ParseFloat(ps, 64)
			m, err2 := strconv.ParseFloat(ms, 64)
			if err1 != nil || p < 0 || p > 1 || math.IsNaN(p) {
				return nil, fmt.Errorf("noise %q: probability %q must be in [0, 1]", val, ps)
			}
			if err2 != nil || m < 0 || math.IsNaN(m) || math.IsInf(m, 0) {
				return nil, fmt.Errorf("noise %q: volume %q must be a number >= 0", val, ms)
			}
			a.NoiseProb, a.NoiseMax = p, m
		case "shift":
			f, err := parseFloat(val, 0, false)
			if err != nil {
				return nil, fmt.Errorf("shift %q: %v (seconds)", val, err)
			}
			a.Shift = f
		case "gain":
			f, err := parseFloat(val, 0, false)
			if err != nil {
				return nil, fmt.Errorf("gain %q: %v (decibels)", val, err)
			}
			a.GainDB = f
		case "time-masks":
			if a.TimeMasks, a.TimeMaskWidth, err = masks(key, val); err != nil {
				return nil, err
			}
		case "freq-masks":
			if a.FreqMasks, a.FreqMaskWidth, err = masks(key, val); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("unknown augmentation %q (known: noise, shift, gain, time-masks, freq-masks)", kv[0])
		}
	}
	return a, nil
}

func applyAugment(s *train.RunSpec, v string) error {
	a, err := parseAugment(v)
	if err != nil {
		return err
	}
	s.Augment = a
	return nil
}

func recipeNames() []string {
	var names []string
	for _, r := range train.Recipes() {
		names = append(names, r.Name)
	}
	return names
}

// recipeHelp describes every recipe (train.Recipes) with the flags that give its settings, for
// --help.
func recipeHelp() string {
	var b strings.Builder
	for _, r := range train.Recipes() {
		fmt.Fprintf(&b, "  %-8s %s\n          %s\n", r.Name, r.Summary, strings.Join(specAsFlags(r.Spec), " "))
	}
	return b.String()
}

// specAsFlags writes the main settings of a spec as the flags that give them: dataset layout,
// split, segments, features (the values that differ from the kind's defaults), model,
// optimisation, schedule, early stopping and augmentation.
func specAsFlags(s train.RunSpec) []string {
	var out []string
	add := func(name, format string, a ...any) { out = append(out, "--"+name+" "+fmt.Sprintf(format, a...)) }
	if l := s.Dataset.Spec.Layout; l != "" {
		add("layout", "%s", l)
	}
	if s.Split != "" {
		add("split", "%s", s.Split)
	}
	if seg := s.Dataset.Spec.Segments; seg.Length > 0 {
		if seg.Count > 0 {
			add("segment", "%dx%v", seg.Count, seg.Length)
		} else {
			add("segment", "%v", seg.Length)
		}
	}
	add("features", "%s", featuresFlag(s.Features))
	if s.Model.Preset != "" {
		add("model", "%s", s.Model.Preset)
	}
	t := s.Train
	add("epochs", "%d", t.Epochs)
	add("batch", "%d", t.Batch)
	add("lr", "%g", t.LR)
	if t.Optimizer.Kind != "" && t.Optimizer.Kind != models.OptAdam {
		add("optimizer", "%s", t.Optimizer.Kind)
	}
	if t.Optimizer.WeightDecay > 0 {
		add("weight-decay", "%g", t.Optimizer.WeightDecay)
	}
	switch sc := t.Schedule; sc.Kind {
	case train.SchedulePlateau:
		add("schedule", "plateau:factor=%g,patience=%d", sc.Factor, sc.Patience)
	case train.ScheduleStep:
		add("schedule", "step:step=%d,gamma=%g", sc.Step, sc.Gamma)
	}
	if t.EarlyStop.Patience > 0 {
		add("early-stop", "patience=%d", t.EarlyStop.Patience)
	}
	if a := s.Augment; a != nil {
		var parts []string
		if a.NoiseProb > 0 {
			parts = append(parts, fmt.Sprintf("noise=%g:%g", a.NoiseProb, a.NoiseMax))
		}
		if a.Shift > 0 {
			parts = append(parts, fmt.Sprintf("shift=%g", a.Shift))
		}
		if a.GainDB > 0 {
			parts = append(parts, fmt.Sprintf("gain=%g", a.GainDB))
		}
		if a.TimeMasks > 0 {
			parts = append(parts, fmt.Sprintf("time-masks=%dx%d", a.TimeMasks, a.TimeMaskWidth))
		}
		if a.FreqMasks > 0 {
			parts = append(parts, fmt.Sprintf("freq-masks=%dx%d", a.FreqMasks, a.FreqMaskWidth))
		}
		add("augment", "%s", strings.Join(parts, ","))
	}
	return out
}

// featuresFlag writes a feature spec as --features reads it: the kind, then the settings that
// differ from the kind's defaults.
func featuresFlag(fs train.FeatureSpec) string {
	kind := fs.Config.Kind
	var kv []string
	if kind != train.KindImage && kind != train.KindNpy {
		have, def := reflect.ValueOf(fs.Config), reflect.ValueOf(extract.Default(kind))
		t := have.Type()
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if name != "" && name != "kind" && !have.Field(i).Equal(def.Field(i)) {
				kv = append(kv, fmt.Sprintf("%s=%v", name, have.Field(i)))
			}
		}
	}
	if fs.ImageSize > 0 {
		kv = append(kv, fmt.Sprintf("image_size=%d", fs.ImageSize))
	} else if fs.Frames > 0 {
		kv = append(kv, fmt.Sprintf("frames=%d", fs.Frames))
	}
	if fs.Normalize != "" {
		kv = append(kv, "normalize="+fs.Normalize)
	}
	if len(kv) == 0 {
		return kind
	}
	return kind + ":" + strings.Join(kv, ",")
}

// specJSON is the RunSpec as --print-spec writes it (and --spec reads it back).
func specJSON(s train.RunSpec) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// compileRegex checks a --regex: it must compile and have a named group "label".
func compileRegex(v string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(v)
	if err != nil {
		return nil, fmt.Errorf("not a regular expression: %v", err)
	}
	if !slices.Contains(re.SubexpNames(), "label") {
		return nil, errors.New("needs a named group (?P<label>...)")
	}
	return re, nil
}

// gridAxis is one --grid key and its values.
type gridAxis struct {
	flag   string
	values []string
}

// gridCell is one combination: a value per axis, in axis order.
type gridCell []struct{ flag, value string }

// label names a cell for run names and tables: "batch=32 weight-decay=1e-4".
func (c gridCell) label() string {
	parts := make([]string, len(c))
	for i, kv := range c {
		parts[i] = kv.flag + "=" + kv.value
	}
	return strings.Join(parts, " ")
}

// parseGrid reads --grid "batch=32,64 weight_decay=1e-4,1e-5": space-separated axes, each a
// RunSpec flag name (underscores or hyphens) and its comma-separated values ("|"-separated when
// a value holds commas, as feature specs do). Keys must be RunSpec flags and may not repeat.
func parseGrid(v string) ([]gridAxis, error) {
	known := map[string]bool{}
	for _, f := range specFlags() {
		known[f.name] = true
	}
	var axes []gridAxis
	seen := map[string]bool{}
	for _, field := range strings.Fields(v) {
		key, vals, ok := strings.Cut(field, "=")
		key = strings.ReplaceAll(strings.TrimPrefix(key, "--"), "_", "-")
		if !ok || key == "" || vals == "" {
			return nil, fmt.Errorf("%q is not KEY=VALUE,VALUE", field)
		}
		if !known[key] || key == "data" || key == "name" {
			return nil, fmt.Errorf("%q is not a setting a grid can vary", key)
		}
		if seen[key] {
			return nil, fmt.Errorf("%q is given twice", key)
		}
		seen[key] = true
		sep := ","
		if strings.Contains(vals, "|") {
			sep = "|"
		}
		ax := gridAxis{flag: key}
		for _, val := range strings.Split(vals, sep) {
			if val == "" {
				return nil, fmt.Errorf("%q has an empty value", field)
			}
			ax.values = append(ax.values, val)
		}
		axes = append(axes, ax)
	}
	if len(axes) == 0 {
		return nil, errors.New("no axes (want e.g. \"batch=32,64 weight_decay=1e-4,1e-5\")")
	}
	n := 1
	for _, ax := range axes {
		n *= len(ax.values)
		if n > 1000 {
			return nil, errors.New("more than 1000 combinations")
		}
	}
	return axes, nil
}

// gridCells lists every combination, the last axis varying fastest.
func gridCells(axes []gridAxis) []gridCell {
	cells := []gridCell{nil}
	for _, ax := range axes {
		var next []gridCell
		for _, c := range cells {
			for _, val := range ax.values {
				nc := append(gridCell(nil), c...)
				nc = append(nc, struct{ flag, value string }{ax.flag, val})
				next = append(next, nc)
			}
		}
		cells = next
	}
	return cells
}

// withCell returns flags with a grid cell's values set (they override the command line).
func (rf *runFlags) withCell(c gridCell) *runFlags {
	out := rf.clone()
	for _, kv := range c {
		out.raw[kv.flag] = &rawFlag{value: kv.value, set: true}
	}
	return out
}
