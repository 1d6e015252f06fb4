package features

import "testing"

func TestSegments(t *testing.T) {
	y := make([]float32, 22050*30-3)
	for i := range y {
		y[i] = float32(i)
	}
	segs := Segments(y, 22050, 5)
	if len(segs) != 5 {
		t.Fatalf("%d segments of a clip 3 samples short of 30 s, want 5", len(segs))
	}
	for i, s := range segs {
		if len(s) != 110250 || s[0] != float32(i*110250) || cap(s) != len(s) {
			t.Fatalf("segment %d: len %d cap %d first %g", i, len(s), cap(s), s[0])
		}
	}
	if got := len(Segments(y[:22050*30-3+3-3], 22050, 0.5)); got != 59 {
		t.Errorf("0.5 s segments: %d, want 59", got)
	}
	if Segments(y, 22050, 0) != nil || Segments(y, 22050, -1) != nil || Segments(y[:10], 22050, 1) != nil {
		t.Error("a non-positive length, or one longer than the clip, should give no segments")
	}
	// 0.96 s at 16 kHz is 15360 samples despite 0.96*16000 not being exact in binary.
	if s := Segments(make([]float32, 15360), 16000, 0.96); len(s) != 1 {
		t.Errorf("0.96 s at 16 kHz: %d segments, want 1", len(s))
	}
}
