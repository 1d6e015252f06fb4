package dataset

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// synthetic builds a catalog in memory: for each class, n items spread over the speakers.
func synthetic(classes map[string]int, speakers int) *Catalog {
	c := &Catalog{Task: Classify, Layout: "synthetic"}
	for _, class := range sortedKeys(classes) {
		for i := range classes[class] {
			c.Items = append(c.Items, Item{ID: fmt.Sprintf("%s/%d.wav", class, i), Label: class, RawLabel: class,
				Group: fmt.Sprintf("s%d", i%speakers), Take: fmt.Sprint(i / speakers), SampleRate: 16000,
				Frames: 16000 * 12, Duration: 12 * time.Second})
		}
	}
	c.recount()
	return c
}

func TestParseSplitSpec(t *testing.T) {
	for in, want := range map[string]string{
		"random:0.8,0.1,0.1":  "random:0.8,0.1,0.1",
		"random:80,20":        "random:0.8,0.2",
		"stratified":          "random:0.8,0.1,0.1",
		"group:0.8,0.2":       "group:0.8,0.2",
		"lists":               "lists",
		"fsdd":                "fsdd",
		"fold:3":              "fold:3",
		"folds":               "folds",
		"kfold:5":             "kfold:5",
		"holdout-group:theo":  "holdout-group:theo",
		"holdout-group:a, b,": "holdout-group:a,b",
	} {
		s, err := ParseSplitSpec(in)
		if err != nil || s.String() != want {
			t.Errorf("ParseSplitSpec(%q) = %q, %v; want %q", in, s, err, want)
		}
	}
	for _, bad := range []string{"", "random:0.8,0.3", "random:0.5", "random:x,y", "random:-0.1,1.1", "random:0,1",
		"group:0.2,0.2,0.2,0.4", "fold:0", "fold:x", "fold", "kfold:1", "lists:3", "holdout-group:", "shuffle", "random:NaN,0"} {
		if s, err := ParseSplitSpec(bad); err == nil {
			t.Errorf("ParseSplitSpec(%q) = %+v, want an error", bad, s)
		}
	}
}

func TestRandomSplitIsStratifiedAndSeeded(t *testing.T) {
	c := synthetic(map[string]int{"a": 100, "b": 50, "c": 7}, 10)
	spec := SplitSpec{Kind: SplitRandom, Fractions: []float64{0.8, 0.1, 0.1}, Seed: 42}
	s, err := Split(c, spec)
	if err != nil {
		t.Fatal(err)
	}
	f := s.Folds[0]
	// c: 5.6, 0.7, 0.7 by largest remainder is 5, 1, 1.
	want := map[string][3]int{"a": {80, 10, 10}, "b": {40, 5, 5}, "c": {5, 1, 1}}
	for _, pc := range f.PerClass {
		if got := [3]int{pc.Train, pc.Val, pc.Test}; got != want[pc.Class] {
			t.Errorf("class %s: %v, want %v", pc.Class, got, want[pc.Class])
		}
	}
	checkCover(t, len(c.Items), f)
	again, _ := Split(c, spec)
	if !slices.Equal(f.Test, again.Folds[0].Test) {
		t.Error("the same seed gave another split")
	}
	spec.Seed = 43
	other, _ := Split(c, spec)
	if slices.Equal(f.Test, other.Folds[0].Test) {
		t.Error("seeds 42 and 43 gave the same split")
	}
}

func TestRandomSplitBalancesLeftovers(t *testing.T) {
	classes := map[string]int{}
	for i := range 10 {
		classes[fmt.Sprint("genre", i)] = 5
	}
	c := synthetic(classes, 5)
	for seed := uint64(0); seed < 10; seed++ {
		s, err := Split(c, SplitSpec{Kind: SplitRandom, Fractions: []float64{0.8, 0.1, 0.1}, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		f := s.Folds[0]
		if len(f.Train) != 40 || len(f.Val) != 5 || len(f.Test) != 5 {
			t.Errorf("seed %d: %d/%d/%d, want 40/5/5", seed, len(f.Train), len(f.Val), len(f.Test))
		}
		for _, pc := range f.PerClass {
			if pc.Train != 4 || pc.Val+pc.Test != 1 {
				t.Errorf("seed %d: %+v", seed, pc)
			}
		}
	}
}

// checkCover fails unless every index below n is in exactly one part.
func checkCover(t *testing.T, n int, p Partition) {
	t.Helper()
	seen := make([]int, n)
	for _, l := range [][]int{p.Train, p.Val, p.Test} {
		if !slices.IsSorted(l) {
			t.Error("a part is not sorted")
		}
		for _, i := range l {
			seen[i]++
		}
	}
	for i, k := range seen {
		if k != 1 {
			t.Fatalf("item %d is in %d parts", i, k)
		}
	}
}

func TestGroupSplitNeverSharesAGroup(t *testing.T) {
	c := synthetic(map[string]int{"a": 60, "b": 60}, 12)
	for seed := uint64(0); seed < 20; seed++ {
		s, err := Split(c, SplitSpec{Kind: SplitGroup, Fractions: []float64{0.7, 0.15, 0.15}, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		f := s.Folds[0]
		checkCover(t, len(c.Items), f)
		checkGroupDisjoint(t, c, f)
		if n := len(f.Train); math.Abs(float64(n)/120-0.7) > 0.1 {
			t.Errorf("seed %d: %d train items of 120", seed, n)
		}
	}
	few := synthetic(map[string]int{"a": 4}, 2)
	if _, err := Split(few, SplitSpec{Kind: SplitGroup, Fractions: []float64{0.8, 0.1, 0.1}}); err == nil ||
		!strings.Contains(err.Error(), "too few") {
		t.Errorf("2 groups into 3 parts: %v", err)
	}
	none := synthetic(map[string]int{"a": 4}, 2)
	none.Items[1].Group = ""
	if _, err := Split(none, SplitSpec{Kind: SplitGroup, Fractions: []float64{0.5, 0.5}}); err == nil {
		t.Error("items without groups accepted")
	}
}

func TestKFold(t *testing.T) {
	c := synthetic(map[string]int{"a": 11, "b": 9}, 5)
	s, err := Split(c, SplitSpec{Kind: SplitKFold, K: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Folds) != 4 {
		t.Fatalf("%d folds", len(s.Folds))
	}
	tested := make([]int, len(c.Items))
	for _, f := range s.Folds {
		checkCover(t, len(c.Items), f)
		if len(f.Test) != 5 {
			t.Errorf("fold test size %d, want 5", len(f.Test))
		}
		for _, i := range f.Test {
			tested[i]++
		}
	}
	for i, n := range tested {
		if n != 1 {
			t.Errorf("item %d tested %d times", i, n)
		}
	}
	if _, err := Split(c, SplitSpec{Kind: SplitKFold, K: 50}); err == nil {
		t.Error("50 folds of 20 items accepted")
	}
}

func TestListSplitsAndErrors(t *testing.T) {
	c := synthetic(map[string]int{"a": 10}, 5)
	for _, kind := range []string{SplitLists, SplitFold, SplitFolds} {
		if _, err := Split(c, SplitSpec{Kind: kind, Fold: 1}); err == nil {
			t.Errorf("%s on a catalog without lists or folds accepted", kind)
		}
	}
	if _, err := Split(c, SplitSpec{Kind: SplitHoldoutGroup, Groups: []string{"nobody"}}); err == nil ||
		!strings.Contains(err.Error(), `"nobody"`) {
		t.Errorf("unknown held-out group: %v", err)
	}
	c.Items[3].Take = "x"
	if _, err := Split(c, SplitSpec{Kind: SplitFSDD}); err == nil || !strings.Contains(err.Error(), `take "x"`) {
		t.Errorf("fsdd split with a non-numeric take: %v", err)
	}
	if _, err := Split(&Catalog{}, SplitSpec{Kind: SplitRandom, Fractions: []float64{1, 0}}); err == nil {
		t.Error("empty catalog split")
	}
	if _, err := Split(c, SplitSpec{Kind: "shuffle"}); err == nil {
		t.Error("unknown kind accepted")
	}
}

func TestSegmentsKeepParents(t *testing.T) {
	c := synthetic(map[string]int{"a": 2}, 1)
	c.Items[0].Frames = 16000*30 + 5 // a 30 s clip: six 5 s segments
	c.Items[1].Frames = 16000 * 12   // a 12 s clip: two fit, four are dropped
	seg, st, err := Segment(c, SegmentSpec{Length: 5 * time.Second, Count: 6})
	if err != nil {
		t.Fatal(err)
	}
	if st != (SegmentStats{Clips: 2, Kept: 8, Dropped: 4}) || len(seg.Items) != 8 {
		t.Fatalf("stats %+v, %d items", st, len(seg.Items))
	}
	for k, it := range seg.Items[:6] {
		start, n := it.Span()
		if it.Parent != "a/0.wav" || it.ID != fmt.Sprintf("a/0.wav#%d", k) || start != int64(k)*80000 || n != 80000 || it.Label != "a" {
			t.Errorf("segment %d: %+v (span %d+%d)", k, it, start, n)
		}
	}
	all, st, _ := Segment(c, SegmentSpec{Length: 5 * time.Second, Hop: 2500 * time.Millisecond})
	if st.Kept != 11+3 || len(all.Items) != 14 {
		t.Errorf("overlapping segments: %+v", st)
	}
	c.Items[1].Frames = 100
	_, st, _ = Segment(c, SegmentSpec{Length: 5 * time.Second})
	if st.Dropped != 1 {
		t.Errorf("a clip shorter than a segment: %+v", st)
	}
	for _, bad := range []SegmentSpec{{}, {Length: time.Second, Count: -1}, {Length: time.Second, Hop: -time.Second}, {Length: time.Nanosecond}} {
		if _, _, err := Segment(c, bad); err == nil {
			t.Errorf("segment spec %+v accepted", bad)
		}
	}
	again, _, _ := Segment(seg, SegmentSpec{Length: time.Second})
	if again != nil {
		t.Error("segments segmented again")
	}
	c.Items[0].SampleRate = 0
	if _, _, err := Segment(c, SegmentSpec{Length: time.Second}); err == nil || !strings.Contains(err.Error(), "probing") {
		t.Errorf("unprobed catalog: %v", err)
	}
}

func TestGeneratePairs(t *testing.T) {
	c := synthetic(map[string]int{"0": 10, "1": 10, "2": 10}, 3)
	for _, by := range []string{"label", "group"} {
		pairs, err := GeneratePairs(c, PairSpec{By: by, N: 40, Same: 0.25, Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		key := func(i int) string {
			if by == "label" {
				return c.Items[i].Label
			}
			return c.Items[i].Group
		}
		seen := map[[2]int]bool{}
		same := 0
		for _, p := range pairs {
			if p.A >= p.B || seen[[2]int{p.A, p.B}] {
				t.Fatalf("pair %+v repeated or unordered", p)
			}
			seen[[2]int{p.A, p.B}] = true
			if p.Same != (key(p.A) == key(p.B)) {
				t.Fatalf("pair %+v: same=%v but keys %s, %s", p, p.Same, key(p.A), key(p.B))
			}
			if p.Same {
				same++
			}
		}
		if len(pairs) != 40 || same != 10 {
			t.Errorf("by %s: %d pairs, %d same; want 40, 10", by, len(pairs), same)
		}
	}
	// Restricted to a subset, every pair stays inside it.
	sub := []int{0, 1, 2, 10, 11, 12}
	pairs, err := GeneratePairs(c, PairSpec{By: "label", Items: sub, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pairs {
		if !slices.Contains(sub, p.A) || !slices.Contains(sub, p.B) {
			t.Errorf("pair %+v leaves the subset", p)
		}
	}
	// Asking for every possible same pair enumerates them.
	all, err := GeneratePairs(c, PairSpec{By: "label", Items: sub, N: 6, Same: 1})
	if err != nil || len(all) != 6 {
		t.Errorf("all 6 same pairs: %d, %v", len(all), err)
	}
	for _, bad := range []PairSpec{{By: "speaker"}, {By: "label", Items: sub, N: 7, Same: 1}, {By: "label", Same: 2},
		{By: "label", N: -1}, {By: "label", Items: []int{99}}} {
		if _, err := GeneratePairs(c, bad); err == nil {
			t.Errorf("pair spec %+v accepted", bad)
		}
	}
	a, _ := GeneratePairs(c, PairSpec{By: "group", N: 20, Seed: 3})
	b, _ := GeneratePairs(c, PairSpec{By: "group", N: 20, Seed: 3})
	if !slices.Equal(a, b) {
		t.Error("the same seed gave other pairs")
	}
}

func TestOpenWithPairsAndSegments(t *testing.T) {
	w := wavBytes(8000, 1, 8000*3)
	fs := files{}
	for _, name := range []string{"0_a_0", "0_a_1", "0_b_0", "1_a_0", "1_b_0", "1_b_1"} {
		fs["recordings/"+name+".wav"] = w
	}
	root := makeTree(t, fs)
	c := open(t, Spec{Root: root, Pairs: &PairSpec{By: "group", N: 8, Seed: 2}})
	if same, diff := c.SameDifferent(); c.Task != Pairs || same != 4 || diff != 4 {
		t.Errorf("generated pairs: task %s, %d same, %d different", c.Task, same, diff)
	}
	c = open(t, Spec{Root: root, Segments: SegmentSpec{Length: time.Second}})
	if len(c.Items) != 18 || c.Applied[0].Rule != "segment" {
		t.Errorf("segments at open: %d items, %+v", len(c.Items), c.Applied)
	}
}
