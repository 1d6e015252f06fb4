package trainform

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/models"
)

// fieldKind says how a field is changed: choices step with left/right only; numbers and text
// also take typed values (e).
type fieldKind int

const (
	kindChoice fieldKind = iota
	kindNumber
	kindText
)

// field is one row of the form.
type field struct {
	label string
	kind  fieldKind
	hint  string
	get   func(f *Form) string
	// set takes a typed value; step moves to the previous (dir < 0) or next value.
	set  func(f *Form, v string) error
	step func(f *Form, dir int)
}

// cycle moves cur within choices by dir, wrapping; a value not in the list goes to the first.
func cycle(choices []string, cur string, dir int) string {
	i := slices.Index(choices, cur)
	if i < 0 {
		return choices[0]
	}
	n := len(choices)
	return choices[((i+dir)%n+n)%n]
}

// stepInt moves v to the next value of the sorted list vals in direction dir (values between
// entries go to the neighbour), or by one when vals is empty; lo bounds it below.
func stepInt(vals []int, v, dir, lo int) int {
	if len(vals) == 0 {
		return max(lo, v+dir)
	}
	if dir > 0 {
		for _, x := range vals {
			if x > v {
				return x
			}
		}
		return v
	}
	for i := len(vals) - 1; i >= 0; i-- {
		if vals[i] < v {
			return max(lo, vals[i])
		}
	}
	return v
}

func stepFloat(vals []float64, v float64, dir int) float64 {
	if dir > 0 {
		for _, x := range vals {
			if x > v*(1+1e-9) {
				return x
			}
		}
		return v
	}
	for i := len(vals) - 1; i >= 0; i-- {
		if vals[i] < v*(1-1e-9) {
			return vals[i]
		}
	}
	return v
}

// intField is a whole number field at *p(f), at least lo.
func intField(label, hint string, p func(f *Form) *int, vals []int, lo int) field {
	return field{
		label: label, kind: kindNumber, hint: hint,
		get: func(f *Form) string { return strconv.Itoa(*p(f)) },
		set: func(f *Form, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < lo {
				return fmt.Errorf("%s %q: want a whole number of at least %d", label, v, lo)
			}
			*p(f) = n
			return nil
		},
		step: func(f *Form, dir int) { *p(f) = stepInt(vals, *p(f), dir, lo) },
	}
}

func floatField(label, hint string, p func(f *Form) *float64, vals []float64) field {
	return field{
		label: label, kind: kindNumber, hint: hint,
		get: func(f *Form) string { return strconv.FormatFloat(*p(f), 'g', -1, 64) },
		set: func(f *Form, v string) error {
			x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || x < 0 {
				return fmt.Errorf("%s %q: want a number of at least 0", label, v)
			}
			*p(f) = x
			return nil
		},
		step: func(f *Form, dir int) { *p(f) = stepFloat(vals, *p(f), dir) },
	}
}

func choiceField(label, hint string, choices func(f *Form) []string, p func(f *Form) *string, show func(string) string) field {
	return field{
		label: label, kind: kindChoice, hint: hint,
		get: func(f *Form) string {
			if show != nil {
				return show(*p(f))
			}
			return *p(f)
		},
		step: func(f *Form, dir int) { *p(f) = cycle(choices(f), *p(f), dir) },
	}
}

func orDefault(name string) func(string) string {
	return func(v string) string {
		if v == "" {
			return name
		}
		return v
	}
}

func fixed(vals ...string) func(*Form) []string { return func(*Form) []string { return vals } }

// featureKinds are the kinds a run can train on: the extract kinds that give a matrix, images
// and precomputed .npy files.
func featureKinds() []string {
	var out []string
	for _, k := range extract.Kinds() {
		if k != "wave" && k != "beats" {
			out = append(out, k)
		}
	}
	return append(out, "image", "npy")
}

// splits are the split specs left/right steps through; any ParseSplitSpec text can be typed.
func splits() []string {
	return []string{"", "random:0.8,0.1,0.1", "random:0.8,0.2", "group:0.8,0.1,0.1", "group:0.8,0.2", "lists", "fsdd", "kfold:5"}
}

// layouts are the dataset layouts a recipe may force; "" detects it.
func layouts() []string {
	return []string{"", "folders", "fsdd", "speech-commands", "speech-commands-12", "esc50", "manifest", "mustard", "pairs", "filename"}
}

// fields lists the form's rows, in order.
func fields() []field {
	spec := func(f *Form) *train.RunSpec { return &f.spec }
	cfg := func(f *Form) *extract.Config { return &f.spec.Features.Config }
	return []field{
		{
			label: "recipe", kind: kindChoice, hint: "F1-F6 apply one at once",
			get: func(f *Form) string {
				if f.recipe < 0 {
					return "custom"
				}
				return Recipes()[f.recipe].Name
			},
			step: func(f *Form, dir int) {
				n := len(Recipes()) + 1 // "custom" is -1
				f.applyRecipe(((f.recipe+1+dir)%n+n)%n - 1)
			},
		},
		{
			label: "dataset", kind: kindChoice, hint: "the datasets open in Datasets",
			get: func(f *Form) string {
				if len(f.sets) == 0 {
					return "(none open yet)"
				}
				return f.sets[f.set].name
			},
			step: func(f *Form, dir int) {
				if n := len(f.sets); n > 0 {
					f.set = ((f.set+dir)%n + n) % n
				}
			},
		},
		choiceField("layout", "how the folder is read", fixed(layouts()...), func(f *Form) *string { return &spec(f).Dataset.Spec.Layout }, orDefault("detect")),
		{
			label: "segments", kind: kindText, hint: "cut clips: COUNTxSECONDS (6x5) or SECONDS; 0 = whole",
			get: func(f *Form) string {
				sg := f.spec.Dataset.Spec.Segments
				switch {
				case sg.Length == 0:
					return "whole clips"
				case sg.Count > 0:
					return fmt.Sprintf("%dx%gs", sg.Count, sg.Length.Seconds())
				}
				return fmt.Sprintf("%gs", sg.Length.Seconds())
			},
			set: setSegments,
			step: func(f *Form, dir int) {
				sg := &f.spec.Dataset.Spec.Segments
				secs := stepFloat([]float64{0, 1, 2, 3, 5, 10}, sg.Length.Seconds(), dir)
				sg.Length = time.Duration(secs * float64(time.Second))
				if secs == 0 {
					sg.Count = 0
				}
			},
		},
		{
			label: "split", kind: kindText, hint: "random:0.8,0.1,0.1 group:.. lists fsdd kfold:5",
			get:  func(f *Form) string { return orDefault("dataset's own (else 80/10/10)")(f.spec.Split) },
			set:  func(f *Form, v string) error { f.spec.Split = strings.TrimSpace(v); return nil },
			step: func(f *Form, dir int) { f.spec.Split = cycle(splits(), f.spec.Split, dir) },
		},
		{
			label: "features", kind: kindChoice, hint: "kind; the rows below are its parameters",
			get: func(f *Form) string { return f.spec.Features.Config.Kind },
			step: func(f *Form, dir int) {
				old := f.spec.Features.Config
				c := extract.Default(cycle(featureKinds(), old.Kind, dir))
				c.SR, c.NFFT, c.Hop, c.Win, c.NMels, c.FMin, c.FMax = old.SR, old.NFFT, old.Hop, old.Win, old.NMels, old.FMin, old.FMax
				if old.NMFCC > 0 {
					c.NMFCC = old.NMFCC
				}
				c.BeatSync = old.BeatSync
				f.spec.Features.Config = c
			},
		},
		intField("sample rate", "Hz; 0 keeps each file's own", func(f *Form) *int { return &cfg(f).SR }, []int{0, 8000, 16000, 22050, 44100}, 0),
		intField("n_fft", "", func(f *Form) *int { return &cfg(f).NFFT }, []int{256, 512, 1024, 2048, 4096}, 1),
		intField("hop", "samples", func(f *Form) *int { return &cfg(f).Hop }, []int{80, 128, 160, 256, 512, 1024}, 1),
		intField("mels", "", func(f *Form) *int { return &cfg(f).NMels }, []int{32, 40, 64, 80, 96, 128, 256}, 1),
		intField("mfcc", "coefficients", func(f *Form) *int { return &cfg(f).NMFCC }, []int{13, 20, 40}, 1),
		choiceField("beat-sync", "aggregate frames between beats", fixed("", "median", "mean"), func(f *Form) *string { return &cfg(f).BeatSync }, orDefault("off")),
		intField("frames", "pad or crop to; 0 = longest", func(f *Form) *int { return &spec(f).Features.Frames }, []int{0, 32, 50, 64, 100, 101, 128, 216, 256, 512, 1293}, 0),
		choiceField("model", "preset, adapted to the input and classes", func(*Form) []string { return models.PresetNames() }, func(f *Form) *string { return &spec(f).Model.Preset }, nil),
		choiceField("optimizer", "", fixed(models.OptAdam, models.OptSGD, models.OptRMSProp), func(f *Form) *string { return &spec(f).Train.Optimizer.Kind }, orDefault(models.OptAdam)),
		floatField("learning rate", "", func(f *Form) *float64 { return &spec(f).Train.LR }, []float64{1e-5, 3e-5, 1e-4, 1.5e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1}),
		{
			label: "weight decay", kind: kindNumber, hint: "L2 on kernels (PyTorch's weight_decay)",
			get: func(f *Form) string {
				return strconv.FormatFloat(float64(f.spec.Train.Optimizer.WeightDecay), 'g', -1, 32)
			},
			set: func(f *Form, v string) error {
				x, err := strconv.ParseFloat(strings.TrimSpace(v), 32)
				if err != nil || x < 0 {
					return fmt.Errorf("weight decay %q: want a number of at least 0", v)
				}
				f.spec.Train.Optimizer.WeightDecay = float32(x)
				return nil
			},
			step: func(f *Form, dir int) {
				f.spec.Train.Optimizer.WeightDecay = float32(stepFloat([]float64{0, 1e-5, 1e-4, 5e-4, 1e-3, 2e-3, 1e-2}, float64(f.spec.Train.Optimizer.WeightDecay), dir))
			},
		},
		intField("batch", "", func(f *Form) *int { return &spec(f).Train.Batch }, []int{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}, 1),
		intField("epochs", "", func(f *Form) *int { return &spec(f).Train.Epochs }, nil, 1),
		intField("early stop", "patience in epochs; 0 = off", func(f *Form) *int { return &spec(f).Train.EarlyStop.Patience }, nil, 0),
		choiceField("  watching", "early stopping and the best epoch: validation loss or task metric (accuracy, Spearman, AUC)",
			fixed(train.MonitorValLoss, train.MonitorValMetric), func(f *Form) *string { return &spec(f).Train.EarlyStop.Monitor }, orDefault(train.MonitorValLoss)),
		choiceField("schedule", "learning-rate schedule", fixed(train.ScheduleNone, train.SchedulePlateau, train.ScheduleStep), func(f *Form) *string { return &spec(f).Train.Schedule.Kind }, orDefault("constant")),
		{
			label: "  factor", kind: kindNumber, hint: "plateau: x factor; step: x gamma",
			get: func(f *Form) string {
				s := f.spec.Train.Schedule
				if s.Kind == train.ScheduleStep {
					return strconv.FormatFloat(s.Gamma, 'g', -1, 64)
				}
				return strconv.FormatFloat(s.Factor, 'g', -1, 64)
			},
			set: func(f *Form, v string) error {
				x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || x <= 0 || x >= 1 {
					return fmt.Errorf("factor %q: want a number between 0 and 1", v)
				}
				f.setFactor(x)
				return nil
			},
			step: func(f *Form, dir int) {
				s := f.spec.Train.Schedule
				cur := s.Factor
				if s.Kind == train.ScheduleStep {
					cur = s.Gamma
				}
				f.setFactor(stepFloat([]float64{0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95}, cur, dir))
			},
		},
		{
			label: "  every", kind: kindNumber, hint: "plateau: patience; step: epochs per step",
			get: func(f *Form) string {
				s := f.spec.Train.Schedule
				if s.Kind == train.ScheduleStep {
					return strconv.Itoa(s.Step)
				}
				return strconv.Itoa(s.Patience)
			},
			set: func(f *Form, v string) error {
				n, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil || n < 0 {
					return fmt.Errorf("every %q: want a whole number of at least 0", v)
				}
				f.setEvery(n)
				return nil
			},
			step: func(f *Form, dir int) {
				s := f.spec.Train.Schedule
				cur := s.Patience
				if s.Kind == train.ScheduleStep {
					cur = s.Step
				}
				f.setEvery(max(0, cur+dir))
			},
		},
		{
			label: "seed", kind: kindNumber, hint: "drives split, init, shuffling, dropout",
			get: func(f *Form) string { return strconv.FormatUint(f.spec.Seed, 10) },
			set: func(f *Form, v string) error {
				n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
				if err != nil {
					return fmt.Errorf("seed %q: want a whole number", v)
				}
				f.spec.Seed = n
				return nil
			},
			step: func(f *Form, dir int) {
				if dir > 0 || f.spec.Seed > 0 {
					f.spec.Seed = uint64(int64(f.spec.Seed) + int64(dir))
				}
			},
		},
		{
			label: "name", kind: kindText, hint: "a label for the run list",
			get:  func(f *Form) string { return orDefault("(automatic)")(f.spec.Name) },
			set:  func(f *Form, v string) error { f.spec.Name = strings.TrimSpace(v); return nil },
			step: func(*Form, int) {},
		},
	}
}

func (f *Form) setFactor(x float64) {
	s := &f.spec.Train.Schedule
	if s.Kind == train.ScheduleStep {
		s.Gamma = x
	} else {
		s.Factor = x
	}
}

func (f *Form) setEvery(n int) {
	s := &f.spec.Train.Schedule
	if s.Kind == train.ScheduleStep {
		s.Step = n
	} else {
		s.Patience = n
	}
}

// setSegments reads "6x5", "6x5s", "5", "5s" or "0".
func setSegments(f *Form, v string) error {
	v = strings.TrimSpace(strings.ToLower(v))
	count := 0
	if c, rest, ok := strings.Cut(v, "x"); ok {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			return fmt.Errorf("segments %q: want COUNTxSECONDS (6x5) or SECONDS", v)
		}
		count, v = n, rest
	}
	secs, err := strconv.ParseFloat(strings.TrimSuffix(v, "s"), 64)
	if err != nil || secs < 0 {
		return fmt.Errorf("segments %q: want COUNTxSECONDS (6x5) or SECONDS", v)
	}
	sg := &f.spec.Dataset.Spec.Segments
	sg.Length, sg.Count = time.Duration(secs*float64(time.Second)), count
	if secs == 0 {
		sg.Count = 0
	}
	return nil
}
