// Package npsum sums float32 slices exactly as numpy does, so that means and totals that
// librosa computes with numpy round the same way in Hark.
package npsum

// Pairwise adds a in float32 exactly as numpy's pairwise_sum does for a contiguous array: a
// plain loop below 8 elements, eight interleaved accumulators up to 128, and recursive halving
// (at a multiple of 8) above.
func Pairwise(a []float32) float32 {
	n := len(a)
	switch {
	case n < 8:
		var s float32
		for _, v := range a {
			s += v
		}
		return s
	case n <= 128:
		var r [8]float32
		copy(r[:], a[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range r {
				r[j] += a[i+j]
			}
		}
		s := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			s += a[i]
		}
		return s
	default:
		h := n / 2
		h -= h % 8
		return Pairwise(a[:h]) + Pairwise(a[h:])
	}
}
