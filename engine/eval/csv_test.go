package eval

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

func TestPredictionsRoundTrip(t *testing.T) {
	rows := []Row{
		{"clip,with comma.wav", "jazz", "rock", 0.1},
		{`say "hi"`, " leading space", "b", 1e-300},
		{"nan", "a", "b", math.NaN()},
		{"neg", "0", "1", math.Inf(-1)},
		{"ünï", "a", "a", 0.30000000000000004},
	}
	var buf bytes.Buffer
	if err := WritePredictions(&buf, rows); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "id,true,pred,score\n\"clip,with comma.wav\",jazz,rock,0.1\n") {
		t.Errorf("written:\n%s", buf.String())
	}
	got, err := ReadPredictions(&buf, "mem.csv")
	if err != nil {
		t.Fatal(err)
	}
	if !sameRows(got, rows) {
		t.Errorf("read back %v, want %v", got, rows)
	}

	path := filepath.Join(t.TempDir(), "preds.csv")
	if err := WritePredictionsFile(path, rows); err != nil {
		t.Fatal(err)
	}
	got, err = ReadPredictionsFile(path)
	if err != nil || !sameRows(got, rows) {
		t.Errorf("file round trip: %v, %v", got, err)
	}
	if _, err := ReadPredictionsFile(filepath.Join(t.TempDir(), "missing.csv")); err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing file: %v", err)
	}
	if err := WritePredictionsFile(filepath.Join(t.TempDir(), "no", "dir.csv"), rows); err == nil {
		t.Error("unwritable path: no error")
	}
}

func sameRows(a, b []Row) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.ID != y.ID || x.True != y.True || x.Pred != y.Pred {
			return false
		}
		if x.Score != y.Score && !(math.IsNaN(x.Score) && math.IsNaN(y.Score)) {
			return false
		}
	}
	return true
}

func TestReadPredictionsAccepts(t *testing.T) {
	// A byte order mark, CR LF line ends and a blank line.
	in := "\ufeffid,true,pred,score\r\na,x,y,0.5\r\n\r\nb,x,x,1\r\n"
	rows, err := ReadPredictions(strings.NewReader(in), "excel.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1] != (Row{"b", "x", "x", 1}) {
		t.Errorf("rows %v", rows)
	}
	rows, err = ReadPredictions(strings.NewReader("id,true,pred,score\n"), "empty.csv")
	if err != nil || len(rows) != 0 {
		t.Errorf("header only: %v, %v", rows, err)
	}
}

func TestReadPredictionsMalformed(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "p.csv: empty file"},
		{"id,true,pred\n", "p.csv:1: header"},
		{"id,true,pred,score,extra\n", "p.csv:1: header"},
		{"id,true,pred,score\na,b,c\n", "p.csv:2: 3 fields"},
		{"id,true,pred,score\na,b,c,0.5\n\nb,x,y,zz\n", `p.csv:4: score "zz"`},
		{"id,true,pred,score\na,b,c,0.5\na,x,y,1\n", `p.csv:3: id "a" already on line 2`},
		{"id,true,pred,score\n,b,c,0.5\n", "p.csv:2: empty id"},
		{"id,true,pred,score\n\"a\nb\",b,c,0.5\n", "p.csv:2: field"},
		{"id,true,pred,score\na,b\"c,d,1\n", "p.csv: parse error on line 2"},
		{"id,true,pred,score\na,b,c,\n", `p.csv:2: score ""`},
	} {
		_, err := ReadPredictions(strings.NewReader(c.in), "p.csv")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to contain %q", c.in, err, c.want)
		}
	}
}

func TestWritePredictionsRejectsLineBreaks(t *testing.T) {
	var buf bytes.Buffer
	if err := WritePredictions(&buf, []Row{{"a\r\nb", "x", "y", 1}}); err == nil || !strings.Contains(err.Error(), "row 0") {
		t.Errorf("error %v", err)
	}
}

// FuzzReadPredictions: the reader never panics, and what it accepts it writes back and reads again
// unchanged.
func FuzzReadPredictions(f *testing.F) {
	f.Add([]byte("id,true,pred,score\na,x,y,0.5\n"))
	f.Add([]byte("\ufeffid,true,pred,score\r\n\"q,\"\"x\",x,y,NaN\r\n\r\nb,,,-Inf\n"))
	f.Add([]byte("id,true,pred,score\na,b\"c,d,1\n"))
	f.Add([]byte("id,true,pred,score\na,x,y,1e400\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ReadPredictions(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WritePredictions(&buf, rows); err != nil {
			t.Fatalf("accepted rows do not write: %v", err)
		}
		again, err := ReadPredictions(&buf, "again.csv")
		if err != nil {
			t.Fatalf("written rows do not read: %v\n%q", err, buf.String())
		}
		if !sameRows(rows, again) {
			t.Fatalf("round trip changed %v into %v", rows, again)
		}
	})
}
