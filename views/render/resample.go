package render

import "math"

// Resample chooses how the matrix cells under one pixel combine when there are more of them
// than pixels. Where there are fewer, each pixel shows the cell under its centre.
type Resample int

const (
	// Area averages the covered cells, weighted by how much of each the pixel covers (the
	// default): the picture keeps the matrix's overall level.
	Area Resample = iota
	// Max takes the largest covered cell, so that sparse peaks (onsets, impulses) stay visible.
	Max
)

// seg is the run of source items under one output pixel: items i0 <= i < i1, the first
// weighing w0 and the last w1 (the partly covered ends), those between weighing 1.
type seg struct {
	i0, i1 int
	w0, w1 float32
}

// segments maps the pixels of s onto its n items. A pixel no wider than an item takes the
// item under its centre, so that upsampled bins stay crisp blocks; a wider one covers its
// items by area.
func segments(s scale, n int) []seg {
	w := s.cellWidth()
	segs := make([]seg, s.cells)
	for c := range segs {
		a := s.lo + float64(c)*w
		if w <= 1 {
			i := min(max(s.nearest(c), 0), n-1)
			segs[c] = seg{i, i + 1, 1, 1}
			continue
		}
		b := a + w
		i0 := min(max(int(math.Floor(a)), 0), n-1)
		i1 := min(max(int(math.Ceil(b)), i0+1), n)
		overlap := func(i int) float32 {
			return float32(math.Min(float64(i+1), b) - math.Max(float64(i), a))
		}
		segs[c] = seg{i0, i1, overlap(i0), overlap(i1 - 1)}
	}
	return segs
}

// reduce combines the items of g found at d[off+i*stride], first clipped to [lo, hi] so that
// an infinite or out-of-range value counts as the nearest end of the range. NaNs are skipped;
// a pixel with nothing else is NaN.
func reduce(d []float32, off, stride int, g seg, lo, hi float32, mode Resample) float32 {
	if mode == Max {
		m, any := lo, false
		for i := g.i0; i < g.i1; i++ {
			v := d[off+i*stride]
			if v != v {
				continue
			}
			m, any = max(m, min(v, hi)), true
		}
		if !any {
			return float32(math.NaN())
		}
		return m
	}
	var sum, wsum float32
	for i := g.i0; i < g.i1; i++ {
		v := d[off+i*stride]
		if v != v {
			continue
		}
		wt := float32(1)
		if i == g.i0 {
			wt = g.w0
		} else if i == g.i1-1 {
			wt = g.w1
		}
		sum += wt * min(max(v, lo), hi)
		wsum += wt
	}
	if wsum == 0 {
		return float32(math.NaN())
	}
	return sum / wsum
}

// resample draws rows x cols data (row-major) onto the pixel grid of the two scales: columns
// over frames, rows over bins. The result is row-major, with pixel row 0 at the top (the
// highest bin), as the terminal draws it.
func resample(data []float32, cols int, ys, xs scale, lo, hi float32, mode Resample) []float32 {
	rows := int(ys.hi)
	xsegs, ysegs := segments(xs, cols), segments(ys, rows)
	pw, ph := xs.cells, ys.cells
	// Frames first: the wide dimension shrinks before the rows are combined.
	tmp := make([]float32, rows*pw)
	for r := range rows {
		for c, g := range xsegs {
			tmp[r*pw+c] = reduce(data, r*cols, 1, g, lo, hi, mode)
		}
	}
	out := make([]float32, ph*pw)
	for p, g := range ysegs {
		row := out[(ph-1-p)*pw : (ph-p)*pw]
		for c := range row {
			row[c] = reduce(tmp, c, pw, g, lo, hi, mode)
		}
	}
	return out
}
