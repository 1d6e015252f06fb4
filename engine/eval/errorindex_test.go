package eval

import (
	"math"
	"slices"
	"testing"
)

func TestErrorIndex(t *testing.T) {
	classes := []string{"a", "b", "c"}
	items := []Classified{
		{"x1", 0, []float64{0.7, 0.2, 0.1}},
		{"z", 0, []float64{0.3, 0.6, 0.1}},
		{"x2", 0, []float64{0.1, 0.8, 0.1}},
		{"y", 0, []float64{0.2, 0.6, 0.2}},
		{"tie", 2, []float64{0.4, 0.4, 0.2}}, // argmax tie: the first class
	}
	x, err := NewErrorIndex(classes, items)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range x.Cell(0, 1) {
		ids = append(ids, e.ID)
		if e.True != 0 || e.Pred != 1 || len(e.Probs) != 3 {
			t.Errorf("entry %+v", e)
		}
	}
	// Most confident first; equal confidences by ID.
	if !slices.Equal(ids, []string{"x2", "y", "z"}) {
		t.Errorf("cell (a, b) = %v", ids)
	}
	if c := x.Cell(0, 0); len(c) != 1 || c[0].ID != "x1" || c[0].Confidence != 0.7 {
		t.Errorf("cell (a, a) = %+v", c)
	}
	if c := x.Cell(2, 0); len(c) != 1 || c[0].ID != "tie" {
		t.Errorf("cell (c, a) = %+v", c)
	}
	if x.Cell(1, 1) != nil || x.Cell(3, 0) != nil || x.Cell(0, -1) != nil {
		t.Error("empty or out-of-range cell not nil")
	}
	if !slices.Equal(x.Classes(), classes) {
		t.Errorf("classes %v", x.Classes())
	}
	// The index keeps its own copy of the probabilities.
	items[0].Probs[0] = 0
	if x.Cell(0, 0)[0].Probs[0] != 0.7 {
		t.Error("index shares the caller's probability slice")
	}
}

func TestErrorIndexErrors(t *testing.T) {
	classes := []string{"a", "b"}
	for name, it := range map[string]Classified{
		"true out of range": {"i", 2, []float64{0.5, 0.5}},
		"negative true":     {"i", -1, []float64{0.5, 0.5}},
		"probability count": {"i", 0, []float64{1}},
		"nan":               {"i", 0, []float64{math.NaN(), 1}},
	} {
		if _, err := NewErrorIndex(classes, []Classified{it}); err == nil {
			t.Errorf("%s: no error", name)
		}
		if _, err := ClassRows(classes, []Classified{it}); err == nil {
			t.Errorf("%s: ClassRows: no error", name)
		}
	}
}

func TestClassRowsAndColumns(t *testing.T) {
	rows, err := ClassRows([]string{"yes", "no"}, []Classified{
		{"u1", 0, []float64{0.9, 0.1}},
		{"u2", 0, []float64{0.3, 0.7}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{{"u1", "yes", "yes", 0.9}, {"u2", "yes", "no", 0.7}}
	if !slices.Equal(rows, want) {
		t.Errorf("rows %v, want %v", rows, want)
	}
	yt, yp := Columns(rows)
	if !slices.Equal(yt, []string{"yes", "yes"}) || !slices.Equal(yp, []string{"yes", "no"}) {
		t.Errorf("columns %v %v", yt, yp)
	}
}
