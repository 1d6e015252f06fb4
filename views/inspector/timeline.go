package inspector

import "slices"

// timeline maps the cursor's frames to the columns of what is drawn. Beat-synchronous
// matrices have one column per interval between beats, so there the cursor steps by beats.
type timeline struct {
	frames int   // frames of the plain grid
	hop    int   // samples per frame
	sync   bool  // the view is beat-synchronous
	bounds []int // interval starts of the beat-synchronous grid, and frames at the end
}

// syncBounds are the boundaries features.Sync aggregates between: the sorted distinct values
// of {0, frames} and the beats clipped to [0, frames].
func syncBounds(beats []int, frames int) []int {
	b := []int{0, frames}
	for _, f := range beats {
		b = append(b, max(0, min(f, frames)))
	}
	slices.Sort(b)
	return slices.Compact(b)
}

// column is the drawn column of frame f: f itself, or its beat interval.
func (t timeline) column(f int) int {
	if !t.sync {
		return f
	}
	i, found := slices.BinarySearch(t.bounds, f)
	if !found {
		i--
	}
	return max(0, min(i, len(t.bounds)-2))
}

// firstFrame is the first frame drawn in column c: c itself, or its beat interval's start.
func (t timeline) firstFrame(c int) int {
	if !t.sync {
		return c
	}
	return t.bounds[max(0, min(c, len(t.bounds)-2))]
}

// prev and next move frame f one step: d frames, or one beat interval when synchronised.
func (t timeline) prev(f, d int) int {
	if !t.sync {
		return f - d
	}
	return t.bounds[max(0, t.column(f)-1)]
}

func (t timeline) next(f, d int) int {
	if !t.sync {
		return f + d
	}
	c := min(t.column(f)+1, len(t.bounds)-2)
	return t.bounds[c]
}
