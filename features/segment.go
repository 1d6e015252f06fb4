package features

import "math"

// Segments cuts y into consecutive pieces of round(seconds*sr) samples, dropping the remainder
// (as the GTZAN segment recipes do: a 30 s clip at 5 s gives 6 segments, and a clip a few
// samples short of 30 s gives 5). The pieces are views into y with their capacity clipped, so
// appending to one never overwrites the next. A non-positive length gives nil.
func Segments(y []float32, sr int, seconds float64) [][]float32 {
	n := math.Round(seconds * float64(sr))
	if !(n >= 1) || n > float64(len(y)) {
		return nil
	}
	size := int(n)
	out := make([][]float32, 0, len(y)/size)
	for start := 0; start+size <= len(y); start += size {
		out = append(out, y[start:start+size:start+size])
	}
	return out
}
