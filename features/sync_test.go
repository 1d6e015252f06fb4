package features

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

func TestSyncSegments(t *testing.T) {
	// One row 0..9: segments are the frames between boundaries.
	x := NewMatrix(2, 10)
	for c := range 10 {
		x.Set(0, c, float32(c))
		x.Set(1, c, float32(c*c))
	}
	cases := []struct {
		beats    []int
		agg      Aggregate
		row0     []float32
		row1Last float32
	}{
		// boundaries {0, 3, 7, 10}
		{[]int{3, 7}, AggMean, []float32{1, 4.5, 8}, (49 + 64 + 81) / 3.0},
		{[]int{3, 7}, AggMedian, []float32{1, 4.5, 8}, 64},
		// unsorted, duplicated, out of range (clipped to 10), 0 and negative (count as 0)
		{[]int{7, 3, 3, 25, 0, -4}, AggMedian, []float32{1, 4.5, 8}, 64},
		// a beat at the last frame leaves a one-frame segment
		{[]int{9}, AggMean, []float32{4, 9}, 81},
		{[]int{10}, AggMedian, []float32{4.5}, 20.5},
		{[]int{0}, AggMean, []float32{4.5}, 28.5},
	}
	for _, c := range cases {
		got := Sync(nil, x, c.beats, c.agg)
		if got.Rows != 2 || got.Cols != len(c.row0) || !slices.Equal(got.Row(0), c.row0) || got.At(1, got.Cols-1) != c.row1Last {
			t.Errorf("beats %v %v: got %v %v, want row 0 %v, last of row 1 %v", c.beats, c.agg, got, got.Data, c.row0, c.row1Last)
		}
	}
}

func TestSyncNoBeatsGivesNoColumns(t *testing.T) {
	// librosa.util.sync takes an empty index list for an empty list of slices.
	x := NewMatrix(3, 10)
	if got := Sync(nil, x, nil, AggMedian); got.Rows != 3 || got.Cols != 0 || len(got.Data) != 0 {
		t.Errorf("no beats: %v", got)
	}
	// A clip with no frames has no segments whatever the beats.
	if got := Sync(nil, NewMatrix(3, 0), []int{0, 4}, AggMean); got.Rows != 3 || got.Cols != 0 {
		t.Errorf("no frames: %v", got)
	}
	if got := Sync(nil, nil, []int{1}, AggMean); got.Rows != 0 || got.Cols != 0 {
		t.Errorf("nil matrix: %v", got)
	}
}

func TestSyncReusesDestination(t *testing.T) {
	x := NewMatrix(4, 100)
	for i := range x.Data {
		x.Data[i] = float32(math.Sin(float64(i)))
	}
	dst := NewMatrix(10, 10)
	got := Sync(dst, x, []int{10, 50, 90}, AggMedian)
	if got != dst || got.Rows != 4 || got.Cols != 4 || &got.Data[0] != &dst.Data[0] {
		t.Errorf("destination not reused: %v", got)
	}
	want := Sync(nil, x, []int{10, 50, 90}, AggMedian)
	if !slices.Equal(got.Data, want.Data) {
		t.Error("reused destination differs")
	}
}

func ExampleSync() {
	// Four frames of a two-band feature, with beats at frames 1 and 3.
	x := &Matrix{Rows: 2, Cols: 4, Data: []float32{
		1, 2, 4, 8,
		0, 10, 20, 40,
	}}
	s := Sync(nil, x, []int{1, 3}, AggMean)
	fmt.Println(s, s.Row(0), s.Row(1))
	fmt.Println(Sync(nil, x, nil, AggMean))
	// Output:
	// Matrix(2, 3) [1 3 8] [0 15 40]
	// Matrix(2, 0)
}

// BenchmarkSync is beat-synchronous medians of a 128-band feature of 1,292 frames (30 s at
// hop 512) over 60 beats.
func BenchmarkSync(b *testing.B) {
	const frames = 1292
	x := clickMelDB(2, 128, frames, 21.5)
	var beats []int
	for f := 5.0; f < frames; f += 21.5 {
		beats = append(beats, int(f))
	}
	for _, agg := range []Aggregate{AggMean, AggMedian} {
		b.Run(fmt.Sprint(agg), func(b *testing.B) {
			dst := Sync(nil, x, beats, agg)
			b.ReportAllocs()
			for b.Loop() {
				Sync(dst, x, beats, agg)
			}
		})
	}
}
