package sessions

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// The reader must never panic, and whatever it accepts must write back and read again. Run it
// briefly with, for example:
//
//	go test ./sessions -run '^$' -fuzz '^FuzzParse$' -fuzztime 20000x
func FuzzParse(f *testing.F) {
	path := recordRuns(f, f.TempDir(), 2)
	valid, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)/3])
	f.Add(bytes.Replace(valid, []byte(`"epoch": 2`), []byte(`"epoch": 1`), 1))
	f.Add(bytes.Replace(valid, []byte(`"version": 1`), []byte(`"version": 2`), 1))
	f.Add(bytes.Replace(valid, []byte(`"kind": "epoch_done"`), []byte(`"kind": "epoch_gone"`), 1))
	f.Add(bytes.Replace(valid, []byte(`"val_loss": 0.`), []byte(`"val_loss": null, "x": 0.`), 1))
	f.Add([]byte(`{"format":"hark-session","version":1,"hark":"x","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z","datasets":[],"steps":[]}`))
	f.Add([]byte(`{"format":"hark-session","version":1,"steps":[{"kind":"run","run":{"id":"a","events":[{"kind":"epoch_done","epoch":1e400}]}}]}`))
	f.Add([]byte(`{"format":"hark-session","version":1,"checksum":"sha256:00","checksum":"x"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data, "fuzz.json")
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || s != nil {
				t.Fatalf("error %T %v with session %v", err, err, s)
			}
		}
		s, err = ParseWith(data, "fuzz.json", ParseOptions{IgnoreChecksum: true})
		if err != nil {
			return
		}
		out, err := Marshal(s)
		if err != nil {
			t.Fatalf("read but cannot write: %v", err)
		}
		s2, err := Parse(out, "again.json")
		if err != nil {
			t.Fatalf("wrote what cannot be read: %v\n%s", err, out)
		}
		out2, err := Marshal(s2)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("not stable: %v\n%s\n%s", err, out, out2)
		}
	})
}
