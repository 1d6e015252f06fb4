package train

import (
	"bytes"
	"encoding/json"
	"fmt"
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
