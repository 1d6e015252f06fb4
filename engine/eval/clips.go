package eval

import (
	"cmp"
	"fmt"
	"slices"
)

// Segment is one classified segment of a longer clip (GTZAN's 5 s pieces of a 30 s song). Its
// True may be -1 when the clip's class is unknown (a song given to the prediction tool).
type Segment struct {
	Clip string
	Classified
}

// Clip is the verdict on one clip from its segments.
type Clip struct {
	ID       string
	True     int // -1 when unknown
	Segments int
	// Votes counts the segments predicted as each class; Percent is the same as a percentage of
	// the segments: the seed's per-song genre percentages.
	Votes   []int
	Percent []float64
	// MeanProbs is the mean of the segments' probability vectors.
	MeanProbs []float64
	// ByVote is the class with the most votes (a tie goes to the higher mean probability, then to
	// the earlier class); ByMean is the class with the highest mean probability (the earlier class
	// on a tie).
	ByVote int
	ByMean int
}

// ClipVotes is the clip-level evaluation of a segmented dataset.
type ClipVotes struct {
	Classes []string
	Clips   []Clip // by clip ID
	// Labelled counts the clips with a known class; the accuracies are over those clips (0 when
	// there are none), by majority vote and by mean probability.
	Labelled     int
	VoteAccuracy float64
	MeanAccuracy float64
}

// VoteClips groups segments by clip and votes. It fails when a segment is malformed or the
// segments of one clip disagree about its true class.
func VoteClips(classes []string, segments []Segment) (*ClipVotes, error) {
	k := len(classes)
	if k == 0 {
		return nil, fmt.Errorf("eval: clip voting needs at least one class")
	}
	byID := map[string]*Clip{}
	for _, s := range segments {
		if err := s.check(k, true); err != nil {
			return nil, fmt.Errorf("eval: clip %q: %w", s.Clip, err)
		}
		c := byID[s.Clip]
		if c == nil {
			c = &Clip{ID: s.Clip, True: s.True, Votes: make([]int, k), MeanProbs: make([]float64, k)}
			byID[s.Clip] = c
		}
		if s.True != c.True {
			return nil, fmt.Errorf("eval: clip %q: segment %q has true class %d but an earlier segment has %d", s.Clip, s.ID, s.True, c.True)
		}
		pred, _ := s.Predicted()
		c.Votes[pred]++
		c.Segments++
		for i, p := range s.Probs {
			c.MeanProbs[i] += p
		}
	}
	v := &ClipVotes{Classes: slices.Clone(classes), Clips: make([]Clip, 0, len(byID))}
	var byVote, byMean int
	for _, c := range byID {
		n := float64(c.Segments)
		c.Percent = make([]float64, k)
		for i := range k {
			c.MeanProbs[i] /= n
			c.Percent[i] = 100 * float64(c.Votes[i]) / n
		}
		c.ByMean, _ = (Classified{Probs: c.MeanProbs}).Predicted()
		for i := range k {
			if c.Votes[i] > c.Votes[c.ByVote] || (c.Votes[i] == c.Votes[c.ByVote] && c.MeanProbs[i] > c.MeanProbs[c.ByVote]) {
				c.ByVote = i
			}
		}
		if c.True >= 0 {
			v.Labelled++
			if c.ByVote == c.True {
				byVote++
			}
			if c.ByMean == c.True {
				byMean++
			}
		}
		v.Clips = append(v.Clips, *c)
	}
	slices.SortFunc(v.Clips, func(a, b Clip) int { return cmp.Compare(a.ID, b.ID) })
	v.VoteAccuracy, v.MeanAccuracy = ratio(byVote, v.Labelled), ratio(byMean, v.Labelled)
	return v, nil
}
