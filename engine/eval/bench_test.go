package eval

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func benchItems(n int) []Scored {
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	items := make([]Scored, n)
	for i := range items {
		pos := i%2 == 0
		s := rng.Float64()
		if pos {
			s += 0.5
		}
		items[i] = Scored{ID: fmt.Sprint(i), Positive: pos, Score: s}
	}
	return items
}

// BenchmarkNewROC is the O(n log n) preparation.
func BenchmarkNewROC(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		items := benchItems(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := NewROC(items); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkROCAt is what the workbench pays each time the threshold moves: O(log n).
func BenchmarkROCAt(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		r, err := NewROC(benchItems(n))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			thr := 0.0
			for b.Loop() {
				_ = r.At(thr)
				thr += 0.001
				if thr > 1.5 {
					thr = 0
				}
			}
		})
	}
}
