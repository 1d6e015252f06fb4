package sessions

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/models"
)

// Param is one setting of a grid cell: a name (short, such as batch, or a dotted path into the
// RunSpec's JSON, such as train.optimizer.weight_decay) and its value as text.
type Param struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Params is one grid cell: a value for each axis, in axis order.
type Params []Param

// String is the cell's label, "batch=32 weight_decay=1e-4".
func (p Params) String() string {
	parts := make([]string, len(p))
	for i, x := range p {
		parts[i] = x.Name + "=" + x.Value
	}
	return strings.Join(parts, " ")
}

// MaxGridCells bounds the combinations ParseGrid accepts.
const MaxGridCells = 1000

// shortNames maps the short setting names to their RunSpec paths.
func shortNames() map[string]string {
	return map[string]string{
		"batch": "train.batch", "batch_size": "train.batch",
		"lr": "train.lr", "learning_rate": "train.lr",
		"epochs":       "train.epochs",
		"optimizer":    "train.optimizer.kind",
		"weight_decay": "train.optimizer.weight_decay", "wd": "train.optimizer.weight_decay",
		"momentum":  "train.optimizer.momentum",
		"clip_norm": "train.optimizer.clip_norm",
		"schedule":  "train.schedule.kind",
		"patience":  "train.early_stop.patience",
		"seed":      "seed",
		"split":     "split",
		"task":      "task",
		"features":  "features.config.kind", "kind": "features.config.kind",
		"n_mels": "features.config.n_mels", "n_mfcc": "features.config.n_mfcc",
		"n_fft": "features.config.n_fft", "hop": "features.config.hop", "sr": "features.config.sr",
		"fmin": "features.config.fmin", "fmax": "features.config.fmax",
		"frames": "features.frames", "normalize": "features.normalize",
		"model": "model.preset", "preset": "model.preset",
	}
}

// ParamNames lists the short names a grid or Apply accepts, sorted.
func ParamNames() []string {
	names := make([]string, 0, 32)
	for k := range shortNames() {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// ParseGrid reads a grid such as "batch=32,64,128,256 weight_decay=1e-4,1e-5,1e-6": axes
// separated by white space, each NAME=V1,V2,...; names as Apply takes them. It returns every
// combination, the first axis varying slowest (4 x 3 = 12 cells here). Unknown names, values
// that do not fit the setting, an axis given twice and grids of more than MaxGridCells cells
// are errors naming the axis.
func ParseGrid(s string) ([]Params, error) {
	type axis struct {
		name   string
		values []string
	}
	var axes []axis
	seen := map[string]string{}
	for _, term := range strings.Fields(s) {
		name, vals, ok := strings.Cut(term, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("grid %q: want NAME=VALUE,VALUE,... (e.g. batch=32,64)", term)
		}
		path, err := resolveName(name)
		if err != nil {
			return nil, fmt.Errorf("grid: %w", err)
		}
		if prev, dup := seen[path]; dup {
			return nil, fmt.Errorf("grid: %s and %s set the same setting (%s)", prev, name, path)
		}
		seen[path] = name
		ax := axis{name: name}
		for _, v := range strings.Split(vals, ",") {
			if v == "" {
				return nil, fmt.Errorf("grid %s: an empty value in %q", name, vals)
			}
			probe := train.RunSpec{}
			if err := SetParam(&probe, name, v); err != nil {
				return nil, fmt.Errorf("grid: %w", err)
			}
			if slices.Contains(ax.values, v) {
				return nil, fmt.Errorf("grid %s: the value %s is given twice", name, v)
			}
			ax.values = append(ax.values, v)
		}
		axes = append(axes, ax)
	}
	if len(axes) == 0 {
		return nil, fmt.Errorf("grid %q: no axis (want e.g. \"batch=32,64 weight_decay=1e-4,1e-5\")", s)
	}
	n := 1
	for _, ax := range axes {
		n *= len(ax.values)
		if n > MaxGridCells {
			return nil, fmt.Errorf("grid: more than %d combinations", MaxGridCells)
		}
	}
	cells := []Params{nil}
	for _, ax := range axes {
		next := make([]Params, 0, len(cells)*len(ax.values))
		for _, c := range cells {
			for _, v := range ax.values {
				next = append(next, append(slices.Clone(c), Param{Name: ax.name, Value: v}))
			}
		}
		cells = next
	}
	return cells, nil
}

// Apply sets every parameter of a grid cell on spec (and names the run after the cell when it
// has no name).
func Apply(spec *train.RunSpec, p Params) error {
	for _, x := range p {
		if err := SetParam(spec, x.Name, x.Value); err != nil {
			return err
		}
	}
	return nil
}

// SetParam sets one setting of spec by name: a short name (batch, lr, epochs, optimizer,
// weight_decay, momentum, seed, n_mels, model, ...: see ParamNames) or a dotted path of the
// RunSpec's JSON member names (train.optimizer.weight_decay, features.config.n_mels,
// train.early_stop.patience, augment.noise_prob). The value is parsed for the setting's type;
// enumerations (optimizer, feature kind, model preset, schedule) are checked.
func SetParam(spec *train.RunSpec, name, value string) error {
	path, err := resolveName(name)
	if err != nil {
		return err
	}
	v, err := walkPath(reflect.ValueOf(spec).Elem(), path, true)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	bad := func(want string) error { return fmt.Errorf("%s=%s: want %s", name, value, want) }
	switch v.Kind() {
	case reflect.String:
		if allowed := enumValues(path); allowed != nil && !slices.Contains(allowed, value) {
			return bad("one of " + strings.Join(allowed, ", "))
		}
		v.SetString(value)
	case reflect.Bool:
		b, err := strconv.ParseBool(value)
		if err != nil {
			return bad("true or false")
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil || v.OverflowInt(n) || n < 0 {
			return bad("a whole number, 0 or more")
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(value, 10, 64)
		if err != nil || v.OverflowUint(n) {
			return bad("a whole number, 0 or more")
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(value, v.Type().Bits())
		if err != nil || f != f || f < 0 && !strings.HasSuffix(path, "fmin") {
			return bad("a number, 0 or more")
		}
		v.SetFloat(f)
	default:
		return fmt.Errorf("%s is %s, not a single setting", name, kindWord(v))
	}
	return nil
}

func enumValues(path string) []string {
	switch path {
	case "train.optimizer.kind":
		return []string{models.OptAdam, models.OptSGD, models.OptRMSProp}
	case "features.config.kind":
		return extract.Kinds()
	case "model.preset":
		return models.PresetNames()
	case "train.schedule.kind":
		return []string{"", train.SchedulePlateau, train.ScheduleStep}
	}
	return nil
}

func kindWord(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Struct:
		return "a group of settings"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map:
		return "a map"
	}
	return "a " + v.Kind().String()
}

func normName(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
}

// resolveName turns a short name or a dotted path into a dotted path that exists in RunSpec.
func resolveName(name string) (string, error) {
	n := normName(name)
	if p, ok := shortNames()[n]; ok {
		n = p
	}
	if _, err := walkPath(reflect.ValueOf(&train.RunSpec{}).Elem(), n, false); err != nil {
		return "", fmt.Errorf("unknown setting %q: %v (short names: %s; or a dotted path such as train.optimizer.weight_decay)",
			name, err, strings.Join(ParamNames(), ", "))
	}
	return n, nil
}

// walkPath finds the field at a dotted path of JSON member names (a member without a JSON tag
// matches its Go name, case and underscores ignored), allocating nil pointers when alloc.
func walkPath(v reflect.Value, path string, alloc bool) (reflect.Value, error) {
	cache := fieldCache{}
	var done []string
	for _, part := range strings.Split(path, ".") {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !alloc {
					v = reflect.New(v.Type().Elem()).Elem()
					continue
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return reflect.Value{}, fmt.Errorf("%s is %s", strings.Join(done, "."), kindWord(v))
		}
		fs := cache.fields(v.Type())
		i := slices.IndexFunc(fs, func(f field) bool {
			return f.name == part || strings.ReplaceAll(strings.ToLower(f.name), "_", "") == strings.ReplaceAll(part, "_", "")
		})
		if i < 0 {
			names := make([]string, len(fs))
			for j, f := range fs {
				names[j] = f.name
			}
			where := "the run spec"
			if len(done) > 0 {
				where = strings.Join(done, ".")
			}
			return reflect.Value{}, fmt.Errorf("%s has no %q (it has %s)", where, part, strings.Join(names, ", "))
		}
		v, _ = fieldByIndexAlloc(v, fs[i].index)
		done = append(done, part)
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			if !alloc {
				return reflect.New(v.Type().Elem()).Elem(), nil
			}
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	return v, nil
}
