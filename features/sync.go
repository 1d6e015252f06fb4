package features

import "slices"

// Sync aggregates the frames (columns) of x between consecutive beats, as
// librosa.util.sync(x, beats, aggregate=..., pad=True) does: the segment boundaries are the
// sorted distinct values of {0, x.Cols} and the beats clipped to [0, x.Cols], and column j of
// the result aggregates the frames [b_j, b_{j+1}) of every row.
//
// No beats means zero columns, not one segment spanning the clip: librosa takes an empty index
// list for an empty list of slices. Negative beats, which librosa rejects, count as 0.
// The result is written into dst when it has the capacity (nil allocates).
func Sync(dst, x *Matrix, beats []int, agg Aggregate) *Matrix {
	rows, n := 0, 0
	if x != nil {
		rows, n = x.Rows, x.Cols
	}
	if len(beats) == 0 {
		return reuseMatrix(dst, rows, 0)
	}
	bounds := make([]int, 0, len(beats)+2)
	bounds = append(bounds, 0, n)
	for _, b := range beats {
		bounds = append(bounds, min(max(b, 0), n))
	}
	slices.Sort(bounds)
	bounds = slices.Compact(bounds)
	segs := len(bounds) - 1
	dst = reuseMatrix(dst, rows, segs)
	var buf []float32
	if agg == AggMedian {
		longest := 0
		for j := range segs {
			longest = max(longest, bounds[j+1]-bounds[j])
		}
		buf = make([]float32, longest)
	}
	for r := range rows {
		row, out := x.Row(r), dst.Row(r)
		for j := range segs {
			seg := row[bounds[j]:bounds[j+1]]
			if agg == AggMedian {
				out[j] = median32(append(buf[:0], seg...))
				continue
			}
			// float64 accumulation: at least as accurate as numpy's float32 pairwise sum.
			var s float64
			for _, v := range seg {
				s += float64(v)
			}
			out[j] = float32(s / float64(len(seg)))
		}
	}
	return dst
}
