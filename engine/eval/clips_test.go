package eval

import (
	"slices"
	"testing"
)

func seg(clip, id string, true_ int, probs ...float64) Segment {
	return Segment{Clip: clip, Classified: Classified{ID: id, True: true_, Probs: probs}}
}

func TestVoteClips(t *testing.T) {
	classes := []string{"rock", "jazz"}
	v, err := VoteClips(classes, []Segment{
		seg("s1", "s1/0", 0, 0.9, 0.1), seg("s1", "s1/1", 0, 0.6, 0.4), seg("s1", "s1/2", 0, 0.2, 0.8),
		// A 1-1 vote: the higher mean probability (jazz, 0.675) breaks the tie.
		seg("s2", "s2/0", 1, 0.55, 0.45), seg("s2", "s2/1", 1, 0.1, 0.9),
		// The vote says rock (2 of 3), the mean says jazz (1.6/3).
		seg("s0", "s0/0", 1, 0.6, 0.4), seg("s0", "s0/1", 1, 0.7, 0.3), seg("s0", "s0/2", 1, 0.1, 0.9),
		// Unknown class: voted on, not scored.
		seg("new", "new/0", -1, 0.3, 0.7),
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range v.Clips {
		ids = append(ids, c.ID)
	}
	if !slices.Equal(ids, []string{"new", "s0", "s1", "s2"}) {
		t.Fatalf("clips %v", ids)
	}
	s0, s1, s2 := v.Clips[1], v.Clips[2], v.Clips[3]
	if s1.ByVote != 0 || s1.ByMean != 0 || !slices.Equal(s1.Votes, []int{2, 1}) || s1.Segments != 3 {
		t.Errorf("s1 = %+v", s1)
	}
	checkNear(t, "s1 rock %", s1.Percent[0], 200.0/3, 1e-12)
	checkNear(t, "s1 jazz %", s1.Percent[1], 100.0/3, 1e-12)
	checkNear(t, "s1 mean rock", s1.MeanProbs[0], 1.7/3, 1e-15)
	if s2.ByVote != 1 || s2.ByMean != 1 {
		t.Errorf("s2 = %+v", s2)
	}
	if s0.ByVote != 0 || s0.ByMean != 1 {
		t.Errorf("s0 = %+v", s0)
	}
	if v.Labelled != 3 {
		t.Errorf("labelled %d, want 3", v.Labelled)
	}
	checkNear(t, "vote accuracy", v.VoteAccuracy, 2.0/3, 0)
	checkNear(t, "mean accuracy", v.MeanAccuracy, 1, 0)
}

func TestVoteClipsErrors(t *testing.T) {
	classes := []string{"a", "b"}
	for name, segs := range map[string][]Segment{
		"disagreeing truth": {seg("c", "c/0", 0, 1, 0), seg("c", "c/1", 1, 1, 0)},
		"probability count": {seg("c", "c/0", 0, 1)},
		"true out of range": {seg("c", "c/0", 2, 1, 0)},
	} {
		if _, err := VoteClips(classes, segs); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := VoteClips(nil, nil); err == nil {
		t.Error("no classes: no error")
	}
}
