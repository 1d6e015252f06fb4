package augment_test

import (
	"fmt"
	"slices"

	"github.com/hark-audio/hark/engine/augment"
	"github.com/hark-audio/hark/features"
)

// The same seed and stream give the same augmentation; the draw says what was done.
func ExampleWave() {
	cfg := augment.Config{Shift: 0.1, GainDB: 6}
	y := []float32{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8}
	a, da := augment.Wave(nil, y, 16000, cfg, nil, augment.NewRand(7, 1))
	b, db := augment.Wave(nil, y, 16000, cfg, nil, augment.NewRand(7, 1))
	fmt.Println("same clip:", slices.Equal(a, b), "same draw:", da == db)
	fmt.Println("shift within ±1600 samples:", da.Shift >= -1600 && da.Shift <= 1600)
	// Output:
	// same clip: true same draw: true
	// shift within ±1600 samples: true
}

// Masks set whole frames and bins to the matrix's mean.
func ExampleMask() {
	m := features.NewMatrix(4, 6)
	for i := range m.Data {
		m.Data[i] = float32(i)
	}
	d := augment.Mask(m, augment.Config{TimeMasks: 1, TimeMaskWidth: 6}, augment.NewRand(1, 0))
	s := d.Time[0]
	fmt.Println("value:", d.Value)
	fmt.Println("frame masked in every bin:", s.Width == 0 || m.At(0, s.Start) == d.Value && m.At(3, s.Start) == d.Value)
	// Output:
	// value: 11.5
	// frame masked in every bin: true
}
