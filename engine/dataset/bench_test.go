package dataset

import (
	"fmt"
	"testing"
)

// BenchmarkOpen measures scanning and probing a class-folder tree of short WAV files (ten
// classes), which is what opening a large dataset costs before any feature is computed.
func BenchmarkOpen(b *testing.B) {
	w := wavBytes(16000, 1, 100)
	for _, n := range []int{1000, 10000} {
		fs := files{}
		for i := range n {
			fs[fmt.Sprintf("c%d/%06d.wav", i%10, i)] = w
		}
		root := makeTree(b, fs)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				c, err := Open(Spec{Root: root})
				if err != nil || len(c.Items) != n {
					b.Fatal(err)
				}
			}
		})
	}
}
