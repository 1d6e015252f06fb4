package npsum

import (
	"math/rand/v2"
	"testing"
)

// The pairwise sum stays close to the exact sum, and differs from a plain left-to-right
// float32 loop where numpy's does (which is why this package exists).
func TestPairwiseBlocking(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 8, 9, 127, 128, 129, 1000, 4097} {
		a := make([]float32, n)
		for i := range a {
			a[i] = rng.Float32()*2 - 1
		}
		var want float64
		for _, v := range a {
			want += float64(v)
		}
		got := Pairwise(a)
		if d := float64(got) - want; d > 1e-4 || d < -1e-4 {
			t.Errorf("n=%d: Pairwise %v, exact sum %v", n, got, want)
		}
	}
	// 1 + 2^-24 repeated: a sequential float32 loop loses every small term, the pairwise sum
	// keeps most of them.
	a := make([]float32, 1<<12)
	a[0] = 1
	for i := 1; i < len(a); i++ {
		a[i] = 1.0 / (1 << 24)
	}
	var seq float32
	for _, v := range a {
		seq += v
	}
	if got := Pairwise(a); got == seq {
		t.Errorf("pairwise sum %v equals the sequential one; blocking lost", got)
	}
}
