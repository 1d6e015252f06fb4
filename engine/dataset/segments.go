package dataset

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// SegmentSpec cuts clips into fixed-length segments. GTZAN's seed system used
// SegmentSpec{Length: 5 * time.Second, Count: 6}: six 5 s segments of a 30 s clip.
type SegmentSpec struct {
	// Length is the segment length (required).
	Length time.Duration `json:"length,omitempty"`
	// Count is the number of segments asked of every clip; a segment that would run past the
	// clip's end is dropped and counted. 0 cuts as many whole segments as fit.
	Count int `json:"count,omitempty"`
	// Hop is the distance between segment starts; 0 means Length (no overlap).
	Hop time.Duration `json:"hop,omitempty"`
}

// SegmentStats counts what segmentation did.
type SegmentStats struct {
	Clips   int // clips cut
	Kept    int // segments of the full length
	Dropped int // segments asked for (or clips shorter than one segment) that did not fit
}

// Segment returns a copy of cat in which every clip is replaced by its segments. A segment keeps
// its clip's label, group, subset and targets, has ID "<clip id>#k" and Parent the clip's ID, so
// that predictions can be voted back per clip and splits can keep a clip's segments together.
// The catalog must have been probed (segments are cut in frames of the clip's sample rate).
func Segment(cat *Catalog, spec SegmentSpec) (*Catalog, SegmentStats, error) {
	c := cat.clone()
	st, err := segment(c, spec)
	if err != nil {
		return nil, st, err
	}
	return c, st, nil
}

func segmentCatalog(c *Catalog, spec SegmentSpec) error {
	_, err := segment(c, spec)
	return err
}

func segment(c *Catalog, spec SegmentSpec) (SegmentStats, error) {
	var st SegmentStats
	hop := spec.Hop
	if hop == 0 {
		hop = spec.Length
	}
	switch {
	case spec.Length <= 0:
		return st, fmt.Errorf("segment length %v: want a positive length", spec.Length)
	case hop < 0:
		return st, fmt.Errorf("segment hop %v: want a positive hop", spec.Hop)
	case spec.Count < 0:
		return st, fmt.Errorf("segment count %d: want 0 (as many as fit) or more", spec.Count)
	case c.Task == Pairs:
		return st, errors.New("segments of a pair dataset are not supported")
	}
	var out []Item
	for _, it := range c.Items {
		if it.SampleRate <= 0 || it.Frames <= 0 {
			return st, fmt.Errorf("segment %s: no sample rate or length known (open it with probing on)", it.ID)
		}
		if it.Parent != "" {
			return st, fmt.Errorf("segment %s: already a segment of %s", it.ID, it.Parent)
		}
		st.Clips++
		n := framesAt(spec.Length, it.SampleRate)
		if n <= 0 {
			return st, fmt.Errorf("segment length %v is under one frame at %d Hz", spec.Length, it.SampleRate)
		}
		kept := 0
		for k := 0; spec.Count == 0 || k < spec.Count; k++ {
			offset := time.Duration(k) * hop
			if framesAt(offset, it.SampleRate)+n > it.Frames {
				if spec.Count > 0 {
					st.Dropped++
					continue
				}
				if kept == 0 {
					st.Dropped++ // a clip shorter than one segment
				}
				break
			}
			seg := it
			seg.ID = fmt.Sprintf("%s#%d", it.ID, k)
			seg.Parent, seg.Offset, seg.Length = it.ID, offset, spec.Length
			seg.Duration, seg.Frames = spec.Length, n
			out = append(out, seg)
			kept++
		}
		st.Kept += kept
	}
	c.Items = out
	c.recount()
	what := fmt.Sprintf("%d segments of %v", spec.Count, spec.Length)
	if spec.Count == 0 {
		what = fmt.Sprintf("as many %v segments as fit", spec.Length)
	}
	if hop != spec.Length {
		what += fmt.Sprintf(", hop %v", hop)
	}
	c.Applied = append(c.Applied, Applied{Rule: "segment", Items: st.Kept,
		Detail: fmt.Sprintf("cut %d clips into %s: %d segments kept, %d dropped (shorter than %v: past the end of their clip)",
			st.Clips, what, st.Kept, st.Dropped, spec.Length)})
	return st, nil
}

// clone copies the catalog deeply enough that changing the copy's slices leaves c alone (the
// items' Targets maps and Shape slices are shared: nothing here writes to them).
func (c *Catalog) clone() *Catalog {
	d := *c
	d.Items = slices.Clone(c.Items)
	d.Pairs = slices.Clone(c.Pairs)
	d.Classes = slices.Clone(c.Classes)
	d.Targets = slices.Clone(c.Targets)
	d.Noise = slices.Clone(c.Noise)
	d.Problems = slices.Clone(c.Problems)
	d.Applied = slices.Clone(c.Applied)
	d.Notes = slices.Clone(c.Notes)
	return &d
}
