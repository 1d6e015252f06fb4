package features

import (
	"math"
	"testing"
)

func TestVGGishExamples(t *testing.T) {
	if _, err := VGGishExamples(make([]float32, 16000), 22050); err == nil {
		t.Error("22,050 Hz input succeeded, want an error asking for 16 kHz")
	}
	// 96 frames need 400 + 95*160 = 15600 samples, 192 frames 400 + 191*160 = 30960.
	for n, want := range map[int]int{0: 0, 15599: 0, 15600: 1, 30959: 1, 30960: 2} {
		ex, err := VGGishExamples(make([]float32, n), 16000)
		if err != nil || len(ex) != want {
			t.Errorf("%d samples: %d examples (%v), want %d", n, len(ex), err, want)
		}
	}
	// Silence is ln(0.01) everywhere.
	ex, _ := VGGishExamples(make([]float32, 16000), 16000)
	if ex[0].Rows != 96 || ex[0].Cols != 64 {
		t.Fatalf("example shape %v, want 96 x 64", ex[0])
	}
	for _, v := range ex[0].Data {
		if math.Abs(float64(v)-math.Log(0.01)) > 1e-6 {
			t.Fatalf("silence gives %g, want ln(0.01)", v)
		}
	}
	// A 1 kHz tone peaks in the band whose centre (on the 1127 ln(1 + f/700) scale, 66 edges
	// from 125 to 7500 Hz) is nearest 1 kHz.
	y := make([]float32, 16000)
	for i := range y {
		y[i] = float32(0.5 * math.Sin(2*math.Pi*1000*float64(i)/16000))
	}
	ex, _ = VGGishExamples(y, 16000)
	mel := func(f float64) float64 { return 1127 * math.Log(1+f/700) }
	step := (mel(7500) - mel(125)) / 65
	wantBand := int(math.Round((mel(1000)-mel(125))/step)) - 1
	frame := ex[0].Data[50*64 : 51*64]
	best := 0
	for b, v := range frame {
		if v > frame[best] {
			best = b
		}
	}
	if best != wantBand {
		t.Errorf("1 kHz tone peaks in band %d, want %d", best, wantBand)
	}
}
