package train

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
)

// VersionError is a RunSpec of a version this binary does not read.
type VersionError struct{ Got int }

func (e *VersionError) Error() string {
	return fmt.Sprintf("run spec version %d, this Hark reads version %d", e.Got, SpecVersion)
}

// strictUnmarshal decodes JSON and fails on unknown fields and trailing data, so that a typo in
// a hand-written spec is an error rather than a silently ignored setting.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}

// Floats is a map of named values whose JSON form writes NaN and ±Inf (which JSON cannot
// carry) as null, and reads null back as NaN.
type Floats map[string]float64

// MarshalJSON implements json.Marshaler.
func (f Floats) MarshalJSON() ([]byte, error) {
	if f == nil {
		return []byte("null"), nil
	}
	m := make(map[string]*float64, len(f))
	for k, v := range f {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			v := v
			m[k] = &v
		} else {
			m[k] = nil
		}
	}
	return json.Marshal(m)
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *Floats) UnmarshalJSON(b []byte) error {
	var m map[string]*float64
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	if m == nil {
		*f = nil
		return nil
	}
	*f = make(Floats, len(m))
	for k, v := range m {
		(*f)[k] = nullNaN(v)
	}
	return nil
}

// finite returns a pointer to v, or nil when v is NaN or infinite.
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// nullNaN is the inverse of finite: nil reads as NaN.
func nullNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// epochJSON is EpochDone's JSON form: the values that may be undefined (a validation loss
// without a validation split, a correlation of constant predictions) are null.
type epochJSON struct {
	epochPlain
	TrainLoss   *float64 `json:"train_loss"`
	ValLoss     *float64 `json:"val_loss"`
	TrainMetric *float64 `json:"train_metric"`
	ValMetric   *float64 `json:"val_metric"`
}

type epochPlain EpochDone

// MarshalJSON implements json.Marshaler, writing NaN values as null.
func (e EpochDone) MarshalJSON() ([]byte, error) {
	return json.Marshal(epochJSON{epochPlain: epochPlain(e), TrainLoss: finite(e.TrainLoss),
		ValLoss: finite(e.ValLoss), TrainMetric: finite(e.TrainMetric), ValMetric: finite(e.ValMetric)})
}

// UnmarshalJSON implements json.Unmarshaler, reading null values as NaN.
func (e *EpochDone) UnmarshalJSON(b []byte) error {
	var j epochJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*e = EpochDone(j.epochPlain)
	e.TrainLoss, e.ValLoss = nullNaN(j.TrainLoss), nullNaN(j.ValLoss)
	e.TrainMetric, e.ValMetric = nullNaN(j.TrainMetric), nullNaN(j.ValMetric)
	return nil
}
