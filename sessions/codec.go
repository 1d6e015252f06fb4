package sessions

// A small JSON codec over reflection, used instead of encoding/json for session files because:
//   - undefined values (a correlation of a constant column, a loss that diverged) are NaN or ±Inf
//     in Go, which encoding/json refuses to write; here they are written as null and read back
//     as NaN (the convention of `hark train --json`);
//   - every decoding error names its exact place (steps[2].run.events[4].val_loss), which
//     encoding/json cannot do inside slices;
//   - engine events are an interface (train.Event): they are written with a "kind" tag and read
//     back into their concrete types.
// It follows encoding/json's rules for field names (json tags, omitempty, omitzero, "-",
// embedded structs inlined) so that the engine's types look the same here as on `--json`
// output, and it delegates to json.Marshaler and json.Unmarshaler (time.Time).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/hark-audio/hark/engine/train"
)

var (
	marshalerType   = reflect.TypeFor[json.Marshaler]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	eventType       = reflect.TypeFor[train.Event]()
)

// field is one JSON member of a struct type.
type field struct {
	name      string
	quoted    []byte // "name":
	index     []int
	omitEmpty bool
	omitZero  bool
}

// fieldCache memoises the fields of struct types for one encode or decode call (no package
// state).
type fieldCache map[reflect.Type][]field

func (c fieldCache) fields(t reflect.Type) []field {
	if fs, ok := c[t]; ok {
		return fs
	}
	type cand struct {
		field
		depth int
	}
	var all []cand
	var walk func(t reflect.Type, index []int, depth int)
	walk = func(t reflect.Type, index []int, depth int) {
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(slices.Clone(index), i)
			if sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct {
				walk(sf.Type, idx, depth+1)
				continue
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			f := field{name: name, index: idx}
			for _, o := range strings.Split(opts, ",") {
				f.omitEmpty = f.omitEmpty || o == "omitempty"
				f.omitZero = f.omitZero || o == "omitzero"
			}
			q, _ := json.Marshal(name)
			f.quoted = append(q, ':')
			all = append(all, cand{f, depth})
		}
	}
	walk(t, nil, 0)
	// encoding/json's rule: the shallowest field of a name wins; a tie hides them all.
	minDepth := map[string]int{}
	count := map[string]int{}
	for _, c := range all {
		if d, ok := minDepth[c.name]; !ok || c.depth < d {
			minDepth[c.name], count[c.name] = c.depth, 0
		}
		if c.depth == minDepth[c.name] {
			count[c.name]++
		}
	}
	var fs []field
	for _, c := range all {
		if c.depth == minDepth[c.name] && count[c.name] == 1 {
			fs = append(fs, c.field)
		}
	}
	c[t] = fs
	return fs
}

// ---- encoding ----

type encoder struct {
	buf   []byte
	cache fieldCache
}

// encodeJSON writes v as compact JSON: non-finite floats become null, train.Event interface
// values carry a "kind" member first, map keys are sorted.
func encodeJSON(v any) ([]byte, error) {
	e := &encoder{cache: fieldCache{}}
	rv := reflect.ValueOf(v)
	if rv.IsValid() && rv.Kind() != reflect.Pointer && rv.Kind() != reflect.Interface {
		p := reflect.New(rv.Type()) // addressable, so pointer-receiver marshalers are found
		p.Elem().Set(rv)
		rv = p.Elem()
	}
	if err := e.value(rv); err != nil {
		return nil, err
	}
	return e.buf, nil
}

func (e *encoder) value(v reflect.Value) error {
	if !v.IsValid() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	t := v.Type()
	if t.Kind() != reflect.Interface && (t.Implements(marshalerType) || v.CanAddr() && reflect.PointerTo(t).Implements(marshalerType)) {
		if t.Kind() == reflect.Pointer && v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		m := v.Interface()
		if !t.Implements(marshalerType) {
			m = v.Addr().Interface()
		}
		b, err := m.(json.Marshaler).MarshalJSON()
		if err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
		var out bytes.Buffer
		if err := json.Compact(&out, b); err != nil {
			return fmt.Errorf("%s: MarshalJSON: %w", t, err)
		}
		e.buf = append(e.buf, out.Bytes()...)
		return nil
	}
	switch v.Kind() {
	case reflect.Bool:
		e.buf = strconv.AppendBool(e.buf, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.buf = strconv.AppendUint(e.buf, v.Uint(), 10)
	case reflect.Float32:
		e.buf = appendFloat(e.buf, v.Float(), 32)
	case reflect.Float64:
		e.buf = appendFloat(e.buf, v.Float(), 64)
	case reflect.String:
		e.str(v.String())
	case reflect.Pointer:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.value(v.Elem())
	case reflect.Interface:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if t == eventType {
			return e.event(v.Elem())
		}
		return e.value(v.Elem())
	case reflect.Struct:
		e.buf = append(e.buf, '{')
		if err := e.members(v, true); err != nil {
			return err
		}
		e.buf = append(e.buf, '}')
	case reflect.Map:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if t.Key().Kind() != reflect.String {
			return fmt.Errorf("map key type %s: only string keys are supported", t.Key())
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		e.buf = append(e.buf, '{')
		for i, k := range keys {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.str(k.String())
			e.buf = append(e.buf, ':')
			if err := e.value(v.MapIndex(k)); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, '}')
	case reflect.Slice:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			b, _ := json.Marshal(v.Bytes()) // base64, as encoding/json
			e.buf = append(e.buf, b...)
			return nil
		}
		fallthrough
	case reflect.Array:
		e.buf = append(e.buf, '[')
		for i := range v.Len() {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			if err := e.value(v.Index(i)); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, ']')
	default:
		return fmt.Errorf("cannot encode a value of type %s", t)
	}
	return nil
}

// members writes a struct's members without braces; first says no member precedes them.
func (e *encoder) members(v reflect.Value, first bool) error {
	for _, f := range e.cache.fields(v.Type()) {
		fv := v.FieldByIndex(f.index)
		if f.omitEmpty && isEmpty(fv) || f.omitZero && isZero(fv) {
			continue
		}
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		e.buf = append(e.buf, f.quoted...)
		if err := e.value(fv); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return nil
}

// event writes a train.Event as its struct's members after a "kind" member.
func (e *encoder) event(v reflect.Value) error {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		v = v.Elem()
	}
	kind, ok := eventKind(v.Type())
	if !ok {
		return fmt.Errorf("unknown event type %s", v.Type())
	}
	e.buf = append(e.buf, `{"kind":`...)
	e.str(kind)
	if err := e.members(v, false); err != nil {
		return err
	}
	e.buf = append(e.buf, '}')
	return nil
}

func (e *encoder) str(s string) {
	b, _ := json.Marshal(s) // strings always marshal
	e.buf = append(e.buf, b...)
}

// appendFloat formats as encoding/json does (shortest representation that reads back to the
// same bits), and writes null for NaN and ±Inf.
func appendFloat(b []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' { // 1e-07 -> 1e-7
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

func isZero(v reflect.Value) bool {
	if z, ok := v.Interface().(interface{ IsZero() bool }); ok {
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return true
		}
		return z.IsZero()
	}
	return v.IsZero()
}

// ---- event kinds ----

// Event kinds: the "kind" member of a recorded event.
const (
	KindRunStarted  = "run_started"
	KindBatchDone   = "batch_done"
	KindEpochDone   = "epoch_done"
	KindEvalDone    = "eval_done"
	KindRunFinished = "run_finished"
)

func eventKind(t reflect.Type) (string, bool) {
	switch t {
	case reflect.TypeFor[train.RunStarted]():
		return KindRunStarted, true
	case reflect.TypeFor[train.BatchDone]():
		return KindBatchDone, true
	case reflect.TypeFor[train.EpochDone]():
		return KindEpochDone, true
	case reflect.TypeFor[train.EvalDone]():
		return KindEvalDone, true
	case reflect.TypeFor[train.RunFinished]():
		return KindRunFinished, true
	}
	return "", false
}

func eventTypeOf(kind string) (reflect.Type, bool) {
	switch kind {
	case KindRunStarted:
		return reflect.TypeFor[train.RunStarted](), true
	case KindBatchDone:
		return reflect.TypeFor[train.BatchDone](), true
	case KindEpochDone:
		return reflect.TypeFor[train.EpochDone](), true
	case KindEvalDone:
		return reflect.TypeFor[train.EvalDone](), true
	case KindRunFinished:
		return reflect.TypeFor[train.RunFinished](), true
	}
	return nil, false
}

// EventKind returns the "kind" tag of an event (a value or a pointer), or "" for a type this
// package does not know.
func EventKind(ev train.Event) string {
	v := reflect.ValueOf(ev)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if !v.IsValid() {
		return ""
	}
	k, _ := eventKind(v.Type())
	return k
}

// EncodeEvent writes one event as a JSON object whose first member is "kind" (run_started,
// batch_done, epoch_done, eval_done, run_finished), followed by the event's own fields.
func EncodeEvent(ev train.Event) ([]byte, error) {
	e := &encoder{cache: fieldCache{}}
	if ev == nil {
		return nil, errors.New("nil event")
	}
	if err := e.event(reflect.ValueOf(ev)); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// DecodeEvent reads one event written by EncodeEvent; it returns the concrete value type
// (train.EpochDone, not *train.EpochDone). Unknown kinds and fields are errors.
func DecodeEvent(data []byte) (train.Event, error) {
	x, err := parseTree(data)
	if err != nil {
		return nil, err
	}
	var ev train.Event
	d := &decoder{cache: fieldCache{}}
	if err := d.value(reflect.ValueOf(&ev).Elem(), x); err != nil {
		return nil, err
	}
	return ev, nil
}

// ---- decoding ----

// parseTree reads one JSON value into maps, slices, json.Number, strings, bools and nils.
func parseTree(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &trailingError{offset: int(dec.InputOffset())}
	}
	return x, nil
}

// trailingError is data after the end of the JSON document.
type trailingError struct{ offset int }

func (e *trailingError) Error() string { return "more data after the end of the JSON document" }

// pathElem is one step of a location inside the document: a member name or an array index,
// with an optional note (an event's or a step's kind) shown after it.
type pathElem struct {
	key   string
	index int // -1 for a member
	note  string
}

// decodeError is a value that does not fit its place.
type decodeError struct {
	path []pathElem
	msg  string
}

func (e *decodeError) Error() string { return formatPath(e.path) + ": " + e.msg }

func formatPath(p []pathElem) string {
	var b strings.Builder
	for i, el := range p {
		if el.index >= 0 {
			fmt.Fprintf(&b, "[%d]", el.index)
		} else {
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(el.key)
		}
		if el.note != "" {
			fmt.Fprintf(&b, "(%s)", el.note)
		}
	}
	if b.Len() == 0 {
		return "(top level)"
	}
	return b.String()
}

type decoder struct {
	path  []pathElem
	cache fieldCache
}

func (d *decoder) fail(format string, args ...any) error {
	return &decodeError{path: slices.Clone(d.path), msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) push(key string, index int) {
	d.path = append(d.path, pathElem{key: key, index: index})
}
func (d *decoder) pop() { d.path = d.path[:len(d.path)-1] }

func describe(x any) string {
	switch x := x.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "the number " + x.String()
	case string:
		if len(x) > 40 {
			x = x[:40] + "..."
		}
		return "the string " + strconv.Quote(x)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", x)
}

// value stores the JSON tree x into v (settable).
func (d *decoder) value(v reflect.Value, x any) error {
	t := v.Type()
	if t.Kind() != reflect.Interface && t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(unmarshalerType) {
		b, err := json.Marshal(x)
		if err != nil {
			return d.fail("%v", err)
		}
		if err := v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(b); err != nil {
			return d.fail("%v", err)
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		if x == nil {
			v.SetZero()
			return nil
		}
		p := reflect.New(t.Elem())
		if err := d.value(p.Elem(), x); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case reflect.Interface:
		if x == nil {
			v.SetZero()
			return nil
		}
		if t == eventType {
			ev, err := d.event(x)
			if err != nil {
				return err
			}
			v.Set(ev)
			return nil
		}
		if t.NumMethod() == 0 {
			v.Set(reflect.ValueOf(plain(x)))
			return nil
		}
		return d.fail("cannot decode into %s", t)
	case reflect.Bool:
		b, ok := x.(bool)
		if !ok {
			return d.fail("want true or false, got %s", describe(x))
		}
		v.SetBool(b)
	case reflect.String:
		s, ok := x.(string)
		if !ok {
			return d.fail("want a string, got %s", describe(x))
		}
		v.SetString(s)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := x.(json.Number)
		if !ok {
			return d.fail("want an integer, got %s", describe(x))
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil || v.OverflowInt(i) {
			return d.fail("want an integer that fits %s, got %s", t.Kind(), n)
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, ok := x.(json.Number)
		if !ok {
			return d.fail("want a non-negative integer, got %s", describe(x))
		}
		u, err := strconv.ParseUint(string(n), 10, 64)
		if err != nil || v.OverflowUint(u) {
			return d.fail("want a non-negative integer that fits %s, got %s", t.Kind(), n)
		}
		v.SetUint(u)
	case reflect.Float32, reflect.Float64:
		if x == nil { // undefined values are written as null
			v.SetFloat(math.NaN())
			return nil
		}
		n, ok := x.(json.Number)
		if !ok {
			return d.fail("want a number, got %s", describe(x))
		}
		f, err := strconv.ParseFloat(string(n), t.Bits())
		if err != nil {
			return d.fail("number %s is out of range", n)
		}
		v.SetFloat(f)
	case reflect.Struct:
		m, ok := x.(map[string]any)
		if !ok {
			return d.fail("want an object, got %s", describe(x))
		}
		return d.members(v, m, "")
	case reflect.Map:
		if x == nil {
			v.SetZero()
			return nil
		}
		m, ok := x.(map[string]any)
		if !ok {
			return d.fail("want an object, got %s", describe(x))
		}
		if t.Key().Kind() != reflect.String {
			return d.fail("cannot decode into %s", t)
		}
		out := reflect.MakeMapWithSize(t, len(m))
		for _, k := range sortedKeys(m) {
			ev := reflect.New(t.Elem()).Elem()
			d.push(k, -1)
			if err := d.value(ev, m[k]); err != nil {
				return err
			}
			d.pop()
			out.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
		}
		v.Set(out)
	case reflect.Slice:
		if x == nil {
			v.SetZero()
			return nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			s, ok := x.(string)
			var b []byte
			if ok {
				ok = json.Unmarshal([]byte(strconv.Quote(s)), &b) == nil
			}
			if !ok {
				return d.fail("want base64 data, got %s", describe(x))
			}
			v.SetBytes(b)
			return nil
		}
		a, ok := x.([]any)
		if !ok {
			return d.fail("want an array, got %s", describe(x))
		}
		out := reflect.MakeSlice(t, len(a), len(a))
		for i, el := range a {
			d.push("", i)
			if err := d.value(out.Index(i), el); err != nil {
				return err
			}
			d.pop()
		}
		v.Set(out)
	case reflect.Array:
		a, ok := x.([]any)
		if !ok || len(a) != v.Len() {
			return d.fail("want an array of %d, got %s", v.Len(), describe(x))
		}
		for i, el := range a {
			d.push("", i)
			if err := d.value(v.Index(i), el); err != nil {
				return err
			}
			d.pop()
		}
	default:
		return d.fail("cannot decode into %s", t)
	}
	return nil
}

// members decodes an object into a struct; skip names a member handled by the caller.
func (d *decoder) members(v reflect.Value, m map[string]any, skip string) error {
	fs := d.cache.fields(v.Type())
	for _, k := range sortedKeys(m) {
		if k == skip {
			continue
		}
		i := slices.IndexFunc(fs, func(f field) bool { return f.name == k })
		if i < 0 {
			i = slices.IndexFunc(fs, func(f field) bool { return strings.EqualFold(f.name, k) })
		}
		if i < 0 {
			d.push(k, -1)
			return d.fail("unknown field (a typo, or a file from a newer Hark?)")
		}
		fv, err := fieldByIndexAlloc(v, fs[i].index)
		if err != nil {
			return d.fail("%v", err)
		}
		d.push(k, -1)
		if err := d.value(fv, m[k]); err != nil {
			return err
		}
		d.pop()
	}
	return nil
}

// event decodes a tagged event object into the concrete event value.
func (d *decoder) event(x any) (reflect.Value, error) {
	m, ok := x.(map[string]any)
	if !ok {
		return reflect.Value{}, d.fail("want an event object, got %s", describe(x))
	}
	k, ok := m["kind"].(string)
	if !ok {
		d.push("kind", -1)
		defer d.pop()
		return reflect.Value{}, d.fail("missing or not a string: every event needs its kind (%s)", strings.Join(EventKinds(), ", "))
	}
	t, ok := eventTypeOf(k)
	if !ok {
		d.push("kind", -1)
		defer d.pop()
		return reflect.Value{}, d.fail("unknown event kind %q (want %s)", k, strings.Join(EventKinds(), ", "))
	}
	if n := len(d.path); n > 0 {
		d.path[n-1].note = k
	}
	ev := reflect.New(t).Elem()
	if err := d.members(ev, m, "kind"); err != nil {
		return reflect.Value{}, err
	}
	return ev, nil
}

// EventKinds lists the event kinds in the order a run sends them.
func EventKinds() []string {
	return []string{KindRunStarted, KindBatchDone, KindEpochDone, KindEvalDone, KindRunFinished}
}

func fieldByIndexAlloc(v reflect.Value, index []int) (reflect.Value, error) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// plain converts json.Number leaves to float64 for values decoded into an empty interface.
func plain(x any) any {
	switch x := x.(type) {
	case json.Number:
		f, _ := strconv.ParseFloat(string(x), 64)
		return f
	case []any:
		for i := range x {
			x[i] = plain(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = plain(x[k])
		}
	}
	return x
}
