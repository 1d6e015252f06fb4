package sessions

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hark-audio/hark/engine/train"
)

// A checker for the subset of JSON Schema 2020-12 that docs/session.schema.json uses. A
// keyword it does not know is an error, so the schema cannot drift beyond what is checked.
type schemaChecker struct{ root map[string]any }

func (c schemaChecker) check(path string, schema any, x any) error {
	s, ok := schema.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: schema is %T", path, schema)
	}
	for k, sub := range s {
		switch k {
		case "$schema", "$id", "title", "description", "$defs":
		case "$ref":
			ref := strings.TrimPrefix(sub.(string), "#/$defs/")
			def, ok := c.root["$defs"].(map[string]any)[ref]
			if !ok {
				return fmt.Errorf("%s: no $defs/%s", path, ref)
			}
			if err := c.check(path, def, x); err != nil {
				return err
			}
		case "type":
			types := []string{}
			switch t := sub.(type) {
			case string:
				types = append(types, t)
			case []any:
				for _, v := range t {
					types = append(types, v.(string))
				}
			}
			if !slices.ContainsFunc(types, func(t string) bool { return isType(t, x) }) {
				return fmt.Errorf("%s: %v is not of type %v", path, short(x), types)
			}
		case "const":
			if !sameJSON(sub, x) {
				return fmt.Errorf("%s: %v is not %v", path, short(x), sub)
			}
		case "enum":
			if !slices.ContainsFunc(sub.([]any), func(v any) bool { return sameJSON(v, x) }) {
				return fmt.Errorf("%s: %v is not one of %v", path, short(x), sub)
			}
		case "pattern":
			if str, ok := x.(string); ok && !regexp.MustCompile(sub.(string)).MatchString(str) {
				return fmt.Errorf("%s: %q does not match %s", path, str, sub)
			}
		case "minLength":
			if str, ok := x.(string); ok && float64(len(str)) < sub.(float64) {
				return fmt.Errorf("%s: %q is too short", path, str)
			}
		case "minimum":
			if n, ok := x.(float64); ok && n < sub.(float64) {
				return fmt.Errorf("%s: %v < %v", path, n, sub)
			}
		case "required":
			if m, ok := x.(map[string]any); ok {
				for _, r := range sub.([]any) {
					if _, has := m[r.(string)]; !has {
						return fmt.Errorf("%s: missing %q", path, r)
					}
				}
			}
		case "properties", "additionalProperties":
			m, ok := x.(map[string]any)
			if !ok {
				continue
			}
			props, _ := s["properties"].(map[string]any)
			for key, v := range m {
				if ps, known := props[key]; known {
					if k == "properties" {
						if err := c.check(path+"."+key, ps, v); err != nil {
							return err
						}
					}
					continue
				}
				if k != "additionalProperties" {
					continue
				}
				switch ap := sub.(type) {
				case bool:
					if !ap {
						return fmt.Errorf("%s: unexpected member %q", path, key)
					}
				default:
					if err := c.check(path+"."+key, ap, v); err != nil {
						return err
					}
				}
			}
		case "items":
			if a, ok := x.([]any); ok {
				for i, v := range a {
					if err := c.check(fmt.Sprintf("%s[%d]", path, i), sub, v); err != nil {
						return err
					}
				}
			}
		case "oneOf":
			var errs []string
			n := 0
			for _, alt := range sub.([]any) {
				if err := c.check(path, alt, x); err != nil {
					errs = append(errs, err.Error())
				} else {
					n++
				}
			}
			if n != 1 {
				return fmt.Errorf("%s: matches %d of oneOf (%s)", path, n, strings.Join(errs, " | "))
			}
		default:
			return fmt.Errorf("%s: schema keyword %q is not supported by the test's checker", path, k)
		}
	}
	return nil
}

func isType(t string, x any) bool {
	switch t {
	case "object":
		_, ok := x.(map[string]any)
		return ok
	case "array":
		_, ok := x.([]any)
		return ok
	case "string":
		_, ok := x.(string)
		return ok
	case "number":
		_, ok := x.(float64)
		return ok
	case "integer":
		f, ok := x.(float64)
		return ok && f == math.Trunc(f)
	case "boolean":
		_, ok := x.(bool)
		return ok
	case "null":
		return x == nil
	}
	return false
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func short(x any) string {
	b, _ := json.Marshal(x)
	if len(b) > 60 {
		return string(b[:60]) + "..."
	}
	return string(b)
}

func loadSchema(t *testing.T) schemaChecker {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "docs", "session.schema.json"))
	if err != nil {
		t.Fatalf("the schema: %v", err)
	}
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatalf("the schema is not JSON: %v", err)
	}
	if root["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Fatalf("$schema %v", root["$schema"])
	}
	return schemaChecker{root}
}

// Recorded files match docs/session.schema.json, with every step kind and event kind, NaN
// values, artifacts, an interrupted, a stopped and a failed run.
func TestSchema(t *testing.T) {
	c := loadSchema(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "m.hark")
	os.WriteFile(model, []byte("m"), 0o644)
	rec, _ := NewRecorder(filepath.Join(dir, "s.json"), Meta{Name: "schema", Command: []string{"hark"}})
	rec.OpenDataset(DatasetRef{Path: "/data/demo", Items: 3})
	spec := testSpec(1, 32)
	rec.Features(spec.Features)
	events, res, _ := fakeTrain("a", spec)
	res.Model = model
	for _, ev := range events {
		if e, ok := ev.(train.EpochDone); ok {
			e.Checkpoint = model
			ev = e
		}
		rec.Record(ev)
	}
	rec.Evaluate("a", nil, "test", res)
	for _, id := range []string{"stopped", "failed", "cut"} {
		evs, _, _ := fakeTrain(id, spec)
		for _, ev := range evs[:5] {
			rec.Record(ev)
		}
		switch id {
		case "stopped":
			rec.Stop(id)
			rec.Record(train.RunFinished{Header: train.Header{Run: id}, Stopped: true, Result: res})
		case "failed":
			rec.Record(train.RunFinished{Header: train.Header{Run: id}, Err: "boom"})
		}
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(rec.Path())
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if err := c.check("", c.root, doc); err != nil {
		t.Fatalf("recorded file does not match the schema: %v", err)
	}
	for _, k := range []string{"open_dataset", "features", "run", "stop", "evaluate", "run_started", "epoch_done", "eval_done", "run_finished", "sha256", ": null"} {
		if !strings.Contains(string(data), k) {
			t.Errorf("the file lacks %s: the test does not cover it", k)
		}
	}
	// The checker can fail.
	doc.(map[string]any)["steps"].([]any)[0].(map[string]any)["kind"] = "dance"
	if err := c.check("", c.root, doc); err == nil {
		t.Fatal("a step of unknown kind matched the schema")
	}
	doc.(map[string]any)["steps"] = []any{}
	doc.(map[string]any)["colour"] = "red"
	if err := c.check("", c.root, doc); err == nil || !strings.Contains(err.Error(), "colour") {
		t.Fatalf("%v", err)
	}
}
